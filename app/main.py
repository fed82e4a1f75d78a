"""The composition root: arguments, QApplication + qasync loop, services, the main window.

Everything the app uses is built here and handed in; nothing reaches for a global. Start-up stays
light: the sandbox servers are imported only with `--sandbox`, QtWebEngine only when the Clio
pop-up opens.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app import __version__, config
from app.config import Config
from app.logs import LoggingSetup, diagnostics, setup_logging
from app.paths import AppPaths

if TYPE_CHECKING:
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QApplication

    from app.views.main_window import MainWindow
    from sandbox.launcher import SandboxWorld

log = logging.getLogger(__name__)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="legalconnect", description="LegalConnect Desktop")
    p.add_argument("--version", action="version", version=f"LegalConnect Desktop {__version__}")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--sandbox",
        action="store_true",
        help="start the built-in sandbox (local Clio and Service Provider) and use it",
    )
    where.add_argument(
        "--sandbox-endpoints",
        type=Path,
        metavar="FILE",
        help="use an already running sandbox (the endpoints.json that `python -m sandbox` wrote)",
    )
    where.add_argument("--provider-url", help="the Service Provider's LegalConnect API URL (saved)")
    # For benchmarks/: print one JSON line once the window is usable, then quit.
    p.add_argument("--benchmark-ready", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args(argv)


@dataclass
class Target:
    """Where the app talks to, and the sign-in to fill in for the sandbox demo."""

    provider_url: str
    demo_email: str = ""
    demo_password: str = ""
    world: SandboxWorld | None = None


def _sandbox_target(paths: AppPaths, endpoints_file: Path | None) -> Target:
    from sandbox.endpoints import Endpoints

    world: SandboxWorld | None = None
    endpoints: Endpoints
    if endpoints_file is not None:
        endpoints = Endpoints.from_json(endpoints_file.read_text(encoding="utf-8"))
    else:
        from sandbox.launcher import SandboxWorld

        world = SandboxWorld(paths.data / "sandbox-world")
        endpoints = world.start(timeout=600)
    lc = endpoints.legalconnect
    return Target(lc.api_url, lc.demo_user.email, lc.demo_user.password, world)


def build_paths(args: argparse.Namespace) -> AppPaths:
    paths = AppPaths.from_environment()
    if args.sandbox or args.sandbox_endpoints:
        # The sandbox gets a profile of its own: its settings, cache and drafts never mix with a
        # real provider's.
        paths = AppPaths.under(paths.data / "sandbox-profile")
    return paths.ensure()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app until the user quits. Returns the process exit code."""
    args = parse_args(argv)
    paths = build_paths(args)
    settings = Config.open(paths.settings_file)
    logging_setup = setup_logging(paths.log_file, level=settings.get(config.LOG_LEVEL))
    log.info("LegalConnect Desktop %s starting", __version__)

    from app.qtcompat import make_singletons_immortal

    make_singletons_immortal()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("LegalConnect Desktop")
    app.setOrganizationName("LegalConnect")
    app.setApplicationVersion(__version__)
    app.setQuitOnLastWindowClosed(False)  # the tray may keep us alive; quitting is explicit

    target: Target | None = None
    try:
        if args.sandbox or args.sandbox_endpoints:
            target = _sandbox_target(paths, args.sandbox_endpoints)
        else:
            if args.provider_url:
                settings.set(config.PROVIDER_URL, args.provider_url)
            url = settings.get(config.PROVIDER_URL) or _ask_provider_url(settings)
            if not url:
                return 0
            target = Target(url)
        import qasync

        return int(qasync.run(_run(app, paths, settings, logging_setup, target, args.benchmark_ready)))
    finally:
        if target is not None and target.world is not None:
            target.world.stop()
        logging_setup.close()


def _report_ready(window: MainWindow, quitting: asyncio.Event, give_up_at: float) -> None:
    """Benchmarks only: once the window shows orders (the cached ones at once when the cache is
    warm), print one JSON line and quit."""
    import json
    import resource

    from PySide6.QtCore import QTimer

    shown = len(window.orders_view.visible_orders())
    if shown == 0 and time.monotonic() < give_up_at:
        QTimer.singleShot(10, lambda: _report_ready(window, quitting, give_up_at))
        return
    print(
        json.dumps(
            {
                "ready_at": time.time(),
                "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "orders_shown": shown,
                "webengine_loaded": any(m.startswith("PySide6.QtWebEngine") for m in sys.modules),
            }
        ),
        flush=True,
    )
    quitting.set()


def _ask_provider_url(settings: Config) -> str:
    from PySide6.QtWidgets import QInputDialog

    while True:
        url, ok = QInputDialog.getText(
            None,
            "LegalConnect Desktop",
            "Your Service Provider's LegalConnect address (from your provider's welcome email):",
        )
        if not ok:
            return ""
        try:
            settings.set(config.PROVIDER_URL, url.strip())
        except ValueError as exc:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(None, "LegalConnect Desktop", str(exc))
            continue
        return url.strip()


async def _run(
    app: QApplication,
    paths: AppPaths,
    settings: Config,
    logging_setup: LoggingSetup,
    target: Target,
    benchmark_ready: bool = False,
) -> int:
    from app.services.legalconnect.client import LegalConnectClient
    from app.services.orders import OrdersService
    from app.services.secrets import open_token_store
    from app.services.session import SessionService
    from app.services.store import Store
    from app.views.clio_access import ClioAccess
    from app.views.main_window import MainWindow
    from app.views.notify import Notifier
    from app.views.tasks import TaskRunner
    from app.views.tray import Tray

    tokens, keyring_notice = open_token_store()
    store = Store.open(paths.database_file, scrub=logging_setup.redactor.scrub)
    client = LegalConnectClient(target.provider_url, service_name="your Service Provider")
    session = SessionService(client, tokens, settings, logging_setup.redactor.add_secret)
    if target.demo_email and not session.remembered_email:
        session.preset(target.demo_email, target.demo_password)
    orders = OrdersService(client, store, paths.cache / "returned-documents")

    window: MainWindow | None = None

    def present_error(owner: QObject | None, message: str) -> None:
        # The runner exists before the window it reports into; failures before then are logged.
        if window is not None:
            window.present_error(owner, message)

    runner = TaskRunner(present_error)
    clio = ClioAccess(tokens, settings, runner, client, logging_setup.redactor.add_secret)
    window = MainWindow(
        session=session,
        orders=orders,
        settings=settings,
        runner=runner,
        keyring_notice=keyring_notice,
        diagnostics=lambda: diagnostics(settings, paths, redactor=logging_setup.redactor),
        clio=clio,
        work_dir=paths.temp,
    )
    tray = Tray(window, place_order=window.place_order_action.trigger)
    window.tray_available = tray.available
    window.notifier = Notifier(window.notification_area, tray.icon if tray.available else None)

    # Quitting sets an event instead of calling app.quit(): that would stop the loop before the
    # clean-up below ran (tasks cancelled, HTTP clients closed, the database closed).
    quitting = asyncio.Event()
    app.aboutToQuit.connect(quitting.set)  # the desktop session is ending
    window.sig_quit_requested.connect(quitting.set)
    tray.sig_quit_requested.connect(quitting.set)
    window.show()
    window.start()
    if benchmark_ready:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: _report_ready(window, quitting, time.monotonic() + 30))
    await quitting.wait()
    window.hide()
    log.info("shutting down")
    await runner.shutdown()
    await clio.aclose()
    await client.aclose()
    store.close()
    tray.hide()
    return 0
