"""The GUI entry: arguments, QApplication + qasync loop, the service graph, the main window.

The Qt-free service graph comes from the one composition root (`app.compose`); this module adds
the Qt faces (the window's adapters, the task runner) and runs them until the user quits.
`legalconnect sync …` goes to the headless command (`app.cli`) before anything of Qt loads.
Start-up stays light: the sandbox servers are imported only with `--sandbox`, QtWebEngine only
when the Clio pop-up opens, the wizard and document checking when the first order opens.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app import __version__, config
from app.config import Config
from app.logs import LoggingSetup, diagnostics, setup_logging
from app.paths import AppPaths
from app.target import Target, profile_paths, provider_target, sandbox_target

if TYPE_CHECKING:
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QApplication

    from app.compose import Services
    from app.services.store import Store
    from app.views.instance import InstanceServer
    from app.views.main_window import MainWindow

log = logging.getLogger(__name__)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="legalconnect",
        description="LegalConnect Desktop. `legalconnect sync --help`: the headless sync for a firm server.",
    )
    p.add_argument("--version", action="version", version=f"LegalConnect Desktop {__version__}")
    add_target_arguments(p)
    p.add_argument(
        "--minimized",
        action="store_true",
        help="start in the system tray without showing the window (how the login entry starts it)",
    )
    # For benchmarks/: print one JSON line once the window is usable, then quit.
    p.add_argument("--benchmark-ready", action="store_true", help=argparse.SUPPRESS)
    # For the packaged build's smoke test: orders shown, Clio's pop-up loaded, a JSON report written
    # to the file given (a windowed Windows executable has no stdout), quit.
    p.add_argument("--smoke-test", metavar="REPORT", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """--sandbox / --sandbox-endpoints / --provider-url (the window and `legalconnect sync` alike)."""
    where = parser.add_mutually_exclusive_group()
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app until the user quits (or the headless command). Returns the process exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["sync"]:
        from app.cli import main as sync_main

        return sync_main(arguments[1:])
    args = parse_args(arguments)
    sandbox = bool(args.sandbox or args.sandbox_endpoints)
    paths = profile_paths(sandbox)
    settings = Config.open(paths.settings_file)
    logging_setup = setup_logging(paths.log_file, level=settings.get(config.LOG_LEVEL))
    log.info("LegalConnect Desktop %s starting", __version__)

    # Chromium (inside QtWebEngine) writes its own errors to stderr (no D-Bus on a server, say):
    # only fatal ones, unless whoever starts the app chose its flags.
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--log-level=3")
    from app.qtcompat import make_singletons_immortal

    make_singletons_immortal()  # before Qt runs any callback: see app/qtcompat.py
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    from app import identity

    app.setApplicationName(identity.APP_NAME)
    app.setOrganizationName(identity.ORGANIZATION)
    app.setApplicationVersion(identity.VERSION)
    app.setDesktopFileName(identity.APP_ID)  # Linux: the window belongs to the installed .desktop entry
    from PySide6.QtGui import QIcon

    app_icon = QIcon()
    for png in identity.app_icon_files():
        app_icon.addFile(str(png))
    app.setWindowIcon(app_icon)
    from PySide6.QtCore import QLocale

    from app.appearance import display_locale

    QLocale.setDefault(display_locale(QLocale.system()))
    app.setQuitOnLastWindowClosed(False)  # the tray may keep us alive; quitting is explicit
    _qt_messages_to_log()

    from app.services.lock import ProfileInUse, ProfileLock

    lock = ProfileLock(paths.lock_file, "the LegalConnect Desktop window")
    try:
        lock.acquire()
    except ProfileInUse as in_use:
        from app.views.instance import hand_over, instance_name

        if hand_over(instance_name(paths), arguments):
            log.info("already running (%s): brought that window forward", in_use.holder)
        else:
            _already_running(in_use.holder)
        logging_setup.close()
        return 0
    target: Target | None = None
    try:
        if sandbox:
            target = sandbox_target(paths, args.sandbox_endpoints)
        else:
            target = provider_target(settings, args.provider_url)
            if target is None:
                choice = _welcome(settings)  # first run: which provider, or the sandbox
                if choice == "sandbox":
                    lock.release()
                    logging_setup.close()
                    return main([*arguments, "--sandbox"])
                target = provider_target(settings) if choice == "provider" else None
            if target is None:
                return 0
        import qasync

        # The loop is made and closed here rather than by qasync.run (asyncio.run): its closing
        # steps ran the Qt loop once more after QtWebEngine had shut down, and that crashed the
        # process on the way out of any session that had opened Clio's sign-in pop-up.
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        try:
            return int(
                loop.run_until_complete(
                    _run(
                        app,
                        paths,
                        settings,
                        logging_setup,
                        target,
                        args.benchmark_ready,
                        args.minimized,
                        Path(args.smoke_test) if args.smoke_test else None,
                    )
                )
            )
        finally:
            loop.close()
            asyncio.set_event_loop(None)
    finally:
        if target is not None:
            target.stop()
        logging_setup.close()
        lock.release()


def startup_notices(settings: Config, store: Store) -> list[tuple[str, str]]:
    """What start-up had to repair, for the window to say: a settings file or a local database
    that could not be read was kept aside (never deleted) and the app started from a clean one."""
    notices = [
        ("Settings could not be read.", problem[:1].upper() + problem[1:] + ".")
        for problem in settings.problems
    ]
    if store.set_aside is not None:
        notices.append(
            (
                "Local data started afresh.",
                "This computer's copy of your orders could not be read, so it was kept as "
                f"{store.set_aside.name} (in {store.set_aside.parent}) and a new one was started. "
                "Orders, documents and fees are safe with your Service Provider and in Clio; drafts "
                "saved only on this computer are in the kept copy.",
            )
        )
    return notices


def freeze_long_lived() -> None:
    """Everything made so far (modules, the window, the service graph) lives as long as the app:
    move it out of the garbage collector's sight, so a full collection while a long list loads
    scans what is new rather than the whole app (such a collection stood the window still for
    60 ms in `benchmarks/expenses.py`)."""
    gc.freeze()


def _already_running(holder: str) -> None:
    """Only one process may use a profile (its database has one writer): say who has it."""
    from PySide6.QtWidgets import QMessageBox

    log.info("profile in use by %s", holder)
    QMessageBox.information(
        None,
        "LegalConnect Desktop",
        f"LegalConnect Desktop is already running for this profile: {holder}. Use that window "
        "(it may be in the system tray), or stop that `legalconnect sync` first.",
    )


FIRST_SCREEN_LEAVES_OUT = (
    "app.compose",
    "app.services.sync.engine",
    "app.services.legalconnect.client",
    "app.services.clio.connection",
    "app.services.returns.filer",
    "app.views.order_panel",
    "app.views.wizard",
    "PySide6.QtWebEngine",
)
"""What the first screen (the orders as last seen) must not load; `--benchmark-ready` reports any."""


def _report_ready(
    window: MainWindow, quitting: asyncio.Event, give_up_at: float, first: dict[str, object] | None = None
) -> None:
    """Benchmarks only: once the window shows orders (the cached ones at once when the cache is
    warm), note the time and what is loaded; once the running half is attached too, print one
    JSON line and quit."""
    import json
    import resource

    from PySide6.QtCore import QTimer

    shown = len(window.orders_view.visible_orders())
    if first is None and (shown or time.monotonic() >= give_up_at):
        first = {
            "ready_at": time.time(),
            "orders_shown": shown,
            "live_at_first_screen": window.live,
            "loaded_at_first_screen": sorted(
                {m for m in sys.modules if m.startswith(FIRST_SCREEN_LEAVES_OUT)}
            ),
            "modules": len(sys.modules),
        }
        print("benchmark: ready", file=sys.stderr, flush=True)  # ends the import timings that count
    if first is None or (not window.live and time.monotonic() < give_up_at):
        QTimer.singleShot(10, lambda: _report_ready(window, quitting, give_up_at, first))
        return
    report = {
        **first,
        "live_at": time.time(),
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "webengine_loaded": any(m.startswith("PySide6.QtWebEngine") for m in sys.modules),
    }
    print(json.dumps(report), flush=True)
    quitting.set()


def _close_dialogs(app: QApplication) -> None:
    """Quitting with a dialog open (Clio's sign-in pop-up, say): close and delete it now, while Qt
    still runs. Left to the interpreter's exit, a web page could outlive its profile and crash."""
    import shiboken6
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QDialog

    for widget in app.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            widget.reject()
            shiboken6.delete(widget)
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _qt_messages_to_log() -> None:
    """Qt's own messages (warnings from its plugins, say) go to the app's log, not to stderr."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        qt_log.log(levels.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def _smoke_test(window: MainWindow, quitting: asyncio.Event, give_up_at: float, report: Path) -> None:
    """The packaged build's smoke test: once orders are shown and the running half is attached,
    open Clio's sign-in pop-up (QtWebEngine from the bundle) and wait for its page to load; then
    write the report ({"orders_shown", "clio_page_loaded", "clio_page_title"}) and quit."""
    import json

    from PySide6.QtCore import QTimer

    state: dict[str, object] = {"orders_shown": 0, "clio_page_loaded": False, "clio_page_title": ""}

    def finish() -> None:
        report.write_text(json.dumps(state) + "\n", encoding="utf-8")
        quitting.set()

    def loaded(ok: bool, view: object) -> None:
        from PySide6.QtWebEngineWidgets import QWebEngineView

        assert isinstance(view, QWebEngineView)
        state["clio_page_loaded"] = ok
        state["clio_page_title"] = view.title()
        finish()

    def step() -> None:
        if time.monotonic() > give_up_at:
            finish()
            return
        shown = len(window.orders_view.visible_orders())
        clio = window.clio
        if not (window.live and shown and clio is not None and clio.enabled):
            QTimer.singleShot(50, step)
            return
        state["orders_shown"] = shown
        from app.views.clio_connect import ClioConnectDialog

        dialog = window.findChild(ClioConnectDialog)
        if dialog is None:
            window.connect_clio()
            QTimer.singleShot(50, step)
            return
        view = dialog.view
        view.loadFinished.connect(lambda ok: loaded(ok, view))

    QTimer.singleShot(0, step)


def _welcome(settings: Config) -> str | None:
    """The first-run window: "provider" (its checked address saved), "sandbox", or None (closed)."""
    from app.views.welcome import WelcomeDialog

    dialog = WelcomeDialog()
    dialog.exec()
    if dialog.choice == "provider" and dialog.profile is not None:
        settings.set(config.PROVIDER_URL, dialog.profile.url)
    return dialog.choice


async def _run(
    app: QApplication,
    paths: AppPaths,
    settings: Config,
    logging_setup: LoggingSetup,
    target: Target,
    benchmark_ready: bool = False,
    minimized: bool = False,
    smoke_test: Path | None = None,
) -> int:
    from app.services.orders import cached_orders
    from app.services.store import Store
    from app.views.main_window import Live, MainWindow
    from app.views.tasks import TaskRunner

    # The first screen needs the orders as last seen, nothing more: the service graph is composed
    # once they are painted (see `MainWindow`), so the window opens as fast as the list can.
    store = Store.open(paths.database_file, scrub=logging_setup.redactor.scrub)
    composed: list[Services] = []
    instances: list[InstanceServer] = []
    window: MainWindow | None = None

    def present_error(owner: QObject | None, message: str) -> None:
        # The runner exists before the window it reports into; failures before then are logged.
        if window is not None:
            window.present_error(owner, message)

    runner = TaskRunner(present_error)

    def live() -> Live:
        from app.compose import compose
        from app.views.clio_access import ClioAccess

        services = compose(paths, settings, target, redactor=logging_setup.redactor, store=store)
        composed.append(services)
        clio = ClioAccess(services.clio, runner)
        from app.services import autostart

        running = Live(
            services.engine,
            services.desk,
            clio,
            services.returns,
            services.notices,
            services.expenses,
            login=autostart.for_this_computer(),
            installed=bool(getattr(sys, "frozen", False)),
            hearings=services.hearings,
        )
        from app.views.instance import InstanceServer, instance_name

        instance = InstanceServer(instance_name(paths), window)  # a second launch brings it forward
        instance.sig_activated.connect(lambda _args: window.bring_forward() if window else None)
        instances.append(instance)
        freeze_long_lived()
        return running

    window = MainWindow(
        settings=settings,
        runner=runner,
        diagnostics=lambda: diagnostics(settings, paths, redactor=logging_setup.redactor),
        live=live,
        cached=lambda: cached_orders(store),
    )

    from app.views.notify import Level

    for title, text in startup_notices(settings, store):
        window.notification_area.show_notice(title, text, Level.WARNING)

    # Quitting sets an event instead of calling app.quit(): that would stop the loop before the
    # clean-up below ran (tasks cancelled, HTTP clients closed, the database closed).
    quitting = asyncio.Event()
    app.aboutToQuit.connect(quitting.set)  # the desktop session is ending
    window.sig_quit_requested.connect(quitting.set)
    from PySide6.QtWidgets import QSystemTrayIcon

    if not (minimized and QSystemTrayIcon.isSystemTrayAvailable()):
        window.show()  # started at login: straight to the tray, where there is one
    window.start()
    if benchmark_ready:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: _report_ready(window, quitting, time.monotonic() + 30))
    if smoke_test is not None:
        _smoke_test(window, quitting, time.monotonic() + 90, smoke_test)
    await quitting.wait()
    for each in instances:
        each.close()
    window.hide()
    _close_dialogs(app)
    log.info("shutting down")
    await runner.shutdown()
    for services in composed:
        await services.aclose()  # closes the store too
    if not composed:
        store.close()
    window.hide_tray()
    return 0
