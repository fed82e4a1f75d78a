"""`legalconnect sync`: the same engine as the window, with no window (a firm server, a terminal).

It builds the same service graph (`app.compose`), with the same settings, keyring and redacting
log, signs in with what was remembered (or, on a terminal, asks once), and runs the sync engine:
`--once` refreshes, runs every job to the end and exits with a status that says whether it could;
without it, it keeps polling until stopped (SIGTERM or Ctrl+C end it cleanly). Progress lines go
to standard output. Nothing here imports Qt.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import signal
import sys
from collections.abc import Sequence
from typing import TextIO

from app import __version__, config
from app.compose import Services, Target, compose, profile_paths, provider_target, sandbox_target
from app.config import Config
from app.logs import setup_logging
from app.services.http import AuthRequired, ServiceError
from app.services.sync.events import (
    ClioConnectionEnded,
    Offline,
    Online,
    OrderDecided,
    OrdersChanged,
    SecretsUnavailable,
    SessionStarted,
    SignedOut,
    SignInNeeded,
    SyncEvent,
)

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
"""Something could not be done (the provider unreachable, a job that failed): run again later."""
EXIT_USAGE = 2
"""Not set up: no provider address, or no sign-in and no terminal to ask on."""


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    from app.main import add_target_arguments

    p = argparse.ArgumentParser(
        prog="legalconnect sync",
        description="Keep the firm's orders in sync with the Service Provider, with no window: "
        "refresh the orders and run the filing jobs, once or until stopped.",
    )
    p.add_argument("--version", action="version", version=f"LegalConnect Desktop {__version__}")
    p.add_argument("--once", action="store_true", help="refresh and run every job once, then exit")
    p.add_argument("--email", help="sign in as this user when nothing is remembered (asks for the password)")
    add_target_arguments(p)
    return p.parse_args(argv)


class Progress:
    """Prints the engine's events as one line each."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self.offline = False
        self.sign_in_needed = ""
        self.clio_ended = False

    def __call__(self, event: SyncEvent) -> None:
        line = ""
        if isinstance(event, SessionStarted):
            line = f"Signed in to {event.provider.name if event.provider else 'the Service Provider'} as "
            line += f"{event.session.user_name} ({event.session.firm_name})"
        elif isinstance(event, OrdersChanged):
            line = f"{len(event.orders)} order(s)"
        elif isinstance(event, OrderDecided):
            line = f"Order {event.order.display_number} {event.order.status.label}: {event.order.case_title}"
        elif isinstance(event, Offline):
            self.offline = True
            line = f"Offline: {event.message}"
        elif isinstance(event, Online):
            self.offline = False
            line = "Back online."
        elif isinstance(event, SignInNeeded):
            self.sign_in_needed = event.message or "Nobody is signed in."
        elif isinstance(event, SignedOut):
            line = "Signed out."
        elif isinstance(event, ClioConnectionEnded):
            self.clio_ended = True
            line = "Clio connection ended — connect again from the app."
        elif isinstance(event, SecretsUnavailable):
            line = f"Note: {event.message}"
        if line:
            print(line, file=self._out, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run `legalconnect sync`; returns the exit status."""
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    sandbox = bool(args.sandbox or args.sandbox_endpoints)
    paths = profile_paths(sandbox)
    settings = Config.open(paths.settings_file)
    logging_setup = setup_logging(paths.log_file, level=settings.get(config.LOG_LEVEL))
    log.info("legalconnect sync %s starting", __version__)
    target: Target | None = None
    try:
        target = (
            sandbox_target(paths, args.sandbox_endpoints)
            if sandbox
            else provider_target(settings, args.provider_url)
        )
        if target is None:
            print(
                "No Service Provider is set up: pass --provider-url URL (it is saved), or --sandbox.",
                file=sys.stderr,
            )
            return EXIT_USAGE
        services = compose(paths, settings, target, redactor=logging_setup.redactor)
        return asyncio.run(_run(services, args))
    finally:
        if target is not None:
            target.stop()
        logging_setup.close()


async def _run(services: Services, args: argparse.Namespace) -> int:
    progress = Progress(sys.stdout)
    services.engine.events.subscribe(progress)
    try:
        if not await _sign_in(services, args, progress):
            return EXIT_USAGE if progress.sign_in_needed else EXIT_FAILED
        if args.once:
            done = await services.engine.run_once()
            return EXIT_OK if done and not progress.offline else EXIT_FAILED
        return await _until_stopped(services)
    finally:
        await services.aclose()


async def _sign_in(services: Services, args: argparse.Namespace, progress: Progress) -> bool:
    """Signed in with what was remembered, or after asking on the terminal; False otherwise."""
    session = services.session
    try:
        if await session.restore() is not None:
            return True
    except ServiceError as error:
        print(f"Offline: {error.user_message}", file=sys.stderr)
        return False
    email = args.email or session.remembered_email
    if not (email and sys.stdin.isatty()):
        progress.sign_in_needed = "Nobody is signed in."
        print(
            "Nobody is signed in: run `legalconnect sync --email you@firm.example` on a terminal once "
            "(the sign-in is remembered in the system keyring), or sign in from the app.",
            file=sys.stderr,
        )
        return False
    password = getpass.getpass(f"Password for {email}: ")
    try:
        await session.sign_in(email, password, remember=True)
    except AuthRequired as refused:
        print(refused.user_message, file=sys.stderr)
        progress.sign_in_needed = refused.user_message
        return False
    except ServiceError as error:
        print(f"Offline: {error.user_message}", file=sys.stderr)
        return False
    return True


async def _until_stopped(services: Services) -> int:
    """Run the engine until SIGTERM or SIGINT (Ctrl+C)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows' loop
            loop.add_signal_handler(signum, stop.set)
    services.engine.start()
    await stop.wait()
    print("Stopping.", flush=True)
    return EXIT_OK
