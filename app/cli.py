"""`legalconnect sync`: the same engine as the window, with no window (a firm server, a terminal).

It builds the same service graph (`app.compose`), with the same settings, keyring and redacting
log, holds the profile's lock (so it never shares a database with the window or another sync),
signs in with what was remembered (or, on a terminal, asks once), and runs the sync engine with
its jobs: court returns filed into Clio, and fees posted as Clio expenses when that is on.
`--once` refreshes, files everything pending and exits with a status that says whether anything
failed; without it, it keeps polling until stopped (SIGTERM or Ctrl+C end it cleanly). With
`--sandbox` it signs in as the sandbox's demo user and connects to the sandbox's Clio with its demo
credentials, no pop-up. Progress lines go to standard output. Nothing here imports Qt.
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

import httpx

from app import __version__, config
from app.compose import Services, Target, compose, profile_paths, provider_target, sandbox_target
from app.config import Config
from app.logs import setup_logging
from app.services.calendar.scheduler import HearingEvent, HearingsFinished
from app.services.errors import AuthRequired, ServiceError
from app.services.expenses import poster
from app.services.expenses.status import BLOCKER_TEXT as FEE_BLOCKER_TEXT
from app.services.expenses.status import money
from app.services.lock import ProfileInUse, ProfileLock
from app.services.returns.filer import OrderFiled, RatePaused, ReturnsEvent, RunFinished
from app.services.returns.notices import Announcement
from app.services.returns.status import BLOCKER_TEXT
from app.services.sync.events import (
    ClioConnectionEnded,
    Offline,
    Online,
    OrdersChanged,
    SecretsUnavailable,
    SessionStarted,
    SignedOut,
    SignInNeeded,
    SyncEvent,
)

log = logging.getLogger(__name__)

EXIT_OK = 0
"""Everything that could be filed is in Clio (what waits for a person's choice is listed)."""
EXIT_FAILED = 1
"""Something did not go through (the provider or Clio unreachable, a document that failed, Clio
not connected while returns wait): run again later; the journal resumes where it stopped."""
EXIT_USAGE = 2
"""Not set up: no provider address, or no sign-in and no terminal to ask on."""
EXIT_IN_USE = 3
"""Another LegalConnect Desktop process (the window, or another sync) uses this profile."""
CONNECT_ATTEMPTS = 10
"""Tries at the sandbox's Clio sign-in pages (the headless demo connection)."""


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    from app.main import add_target_arguments

    p = argparse.ArgumentParser(
        prog="legalconnect sync",
        description="Keep the firm's orders in sync with the Service Provider with no window: refresh "
        "the orders and file what the court returns into Clio, once or until stopped.",
    )
    p.add_argument("--version", action="version", version=f"LegalConnect Desktop {__version__}")
    p.add_argument("--once", action="store_true", help="refresh and file everything pending, then exit")
    p.add_argument("--email", help="sign in as this user when nothing is remembered (asks for the password)")
    add_target_arguments(p)
    return p.parse_args(argv)


class Progress:
    """Prints the engine's and the filer's events, one line each, and keeps what decides the exit."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self.offline = False
        self.sign_in_needed = ""
        self.clio_ended = False
        self.last_run: RunFinished | None = None
        self.last_posting: poster.PostingFinished | None = None
        self.hearings_waiting = 0
        self.signed_in = False  # the cached orders shown before sign-in are not news on a terminal

    def _print(self, line: str) -> None:
        print(line, file=self._out, flush=True)

    def engine(self, event: SyncEvent) -> None:
        if isinstance(event, SessionStarted):
            self.signed_in = True
            provider = event.provider.name if event.provider else "the Service Provider"
            self._print(f"Signed in to {provider} as {event.session.user_name} ({event.session.firm_name})")
        elif isinstance(event, OrdersChanged) and self.signed_in:
            self._print(f"{len(event.orders)} order(s)")
        elif isinstance(event, Offline):
            self.offline = True
            self._print(f"Offline: {event.message}")
        elif isinstance(event, Online):
            self.offline = False
            self._print("Back online.")
        elif isinstance(event, SignInNeeded):
            self.sign_in_needed = event.message or "Nobody is signed in."
        elif isinstance(event, SignedOut):
            self._print("Signed out.")
        elif isinstance(event, ClioConnectionEnded):
            self.clio_ended = True
            self._print("Clio connection ended — connect again from the app.")
        elif isinstance(event, SecretsUnavailable):
            self._print(f"Note: {event.message}")

    def filer(self, event: ReturnsEvent) -> None:
        if isinstance(event, RatePaused):
            if event.seconds > 0:
                self._print(f"Waiting for Clio's rate limit: going on in about {event.seconds:.0f} s")
        elif isinstance(event, OrderFiled):
            number = event.order.display_number
            self._print(f"Order {number}: {event.count} returned document(s) filed into Clio › {event.path}")
        elif isinstance(event, RunFinished):
            self.last_run = event
            for order, filing in event.pending:
                if filing.blocker:
                    why = BLOCKER_TEXT[filing.blocker]
                elif filing.failed:
                    why = f"{filing.failed} failed; tried again at the next run"
                else:
                    why = (
                        "not filed yet (another workstation may be filing them); tried again at the next run"
                    )
                count = filing.waiting + filing.failed
                self._print(f"Order {order.display_number}: {count} returned document(s) not in Clio: {why}")

    def fees(self, event: poster.ExpenseEvent) -> None:
        if isinstance(event, poster.FeesPosted):
            number = event.order.display_number
            self._print(
                f"Order {number}: {event.count} fee(s) posted into Clio as expenses ({money(event.cents)})"
            )
        elif isinstance(event, poster.PostingFinished):
            self.last_posting = event
            for order, fees in event.pending:
                if fees.blocker:
                    why = FEE_BLOCKER_TEXT[fees.blocker]
                elif fees.failed:
                    why = f"{fees.failed} failed; tried again at the next run"
                else:
                    why = "not posted yet (another workstation may be posting them); tried again next run"
                count = fees.waiting or "its"
                self._print(f"Order {order.display_number}: {count} fee(s) not in Clio: {why}")

    def hearings(self, event: HearingEvent) -> None:
        if isinstance(event, HearingsFinished):
            self.hearings_waiting = event.waiting
            if event.waiting:
                self._print(
                    f"{event.waiting} hearing date(s) not in Clio's calendar yet; tried again next run"
                )

    def announcement(self, event: Announcement) -> None:
        title = event.title.rstrip(".")
        self._print(f"{title}: {event.message}")

    @property
    def failed(self) -> bool:
        # Waiting for a person's choice (a matter) is not a failure of this run; anything else
        # still pending is: run again later.
        run, posting = self.last_run, self.last_posting
        stuck = run is not None and any(
            filing.blocker is None or not filing.blocker.needs_person for _order, filing in run.pending
        )
        fees_stuck = posting is not None and any(
            fees.blocker is None or not fees.blocker.needs_person for _order, fees in posting.pending
        )
        return self.offline or self.clio_ended or stuck or fees_stuck or self.hearings_waiting > 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run `legalconnect sync`; returns the exit status."""
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    sandbox = bool(args.sandbox or args.sandbox_endpoints)
    paths = profile_paths(sandbox)
    lock = ProfileLock(paths.lock_file, "legalconnect sync")
    try:
        lock.acquire()
    except ProfileInUse as in_use:
        print(
            f"This profile is in use by {in_use.holder}; only one LegalConnect Desktop runs per profile. "
            "Close it (or stop that sync) and try again.",
            file=sys.stderr,
        )
        return EXIT_IN_USE
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
        lock.release()


async def _run(services: Services, args: argparse.Namespace) -> int:
    progress = Progress(sys.stdout)
    services.engine.events.subscribe(progress.engine)
    services.returns.events.subscribe(progress.filer)
    services.expenses.events.subscribe(progress.fees)
    services.notices.events.subscribe(progress.announcement)
    services.hearings.events.subscribe(progress.hearings)
    try:
        if not await _sign_in(services, args, progress):
            return EXIT_USAGE if progress.sign_in_needed else EXIT_FAILED
        if services.target.sandbox:
            await _connect_sandbox_clio(services)
        if args.once:
            done = await services.engine.run_once()
            return EXIT_OK if done and not progress.failed else EXIT_FAILED
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


async def _connect_sandbox_clio(services: Services) -> None:
    """The sandbox's Clio, connected with its demo credentials (no pop-up on a terminal)."""
    from sandbox.demo import DemoConsentFailed, allow
    from sandbox.endpoints import Login

    clio, target = services.clio, services.target
    clio.configure(
        services.session.provider, services.session.session.user_email if services.session.session else ""
    )
    if not clio.enabled or clio.connected or clio.auth is None:
        return
    login = Login("", target.clio_demo_email, target.clio_demo_password)
    for attempt in range(1, CONNECT_ATTEMPTS + 1):
        try:
            location = await asyncio.to_thread(allow, clio.auth.begin().url, login)
            await clio.auth.complete(location)
        except (DemoConsentFailed, ServiceError, httpx.TransportError) as error:
            if attempt == CONNECT_ATTEMPTS:
                print(f"Clio not connected: {error}", file=sys.stderr)
                return
            await asyncio.sleep(0.2 * attempt)  # the sandbox may be running with its fault knobs on
        else:
            break
    print("Connected to the sandbox's Clio as its demo user.", flush=True)


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
