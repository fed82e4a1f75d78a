"""The main window: menus, the orders list beside the order panel, notices and connection status.

It assembles `OrdersView` and `OrderPanel` and owns the session flow: cached orders first, then a
silent sign-in (or the sign-in dialog), a refresh, and a poll every `config.POLL_INTERVAL` seconds.
When the Service Provider cannot be reached, the cached orders stay on screen under a banner with
Retry, and the banner goes away by itself at the next successful refresh.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox, QSplitter, QVBoxLayout, QWidget

from app import __version__, config
from app.config import Config
from app.services.http import AuthRequired, ServiceError
from app.services.legalconnect.records import Order, Session
from app.services.orders import OrdersService
from app.services.session import SessionService
from app.views.clio_access import ClioAccess
from app.views.icons import icon, stylesheet
from app.views.notify import Action, Level, Notice, NotificationArea, Notifier
from app.views.order_panel import OrderPanel
from app.views.orders_view import OrdersView
from app.views.settings_dialog import SettingsDialog
from app.views.sign_in import SignInDialog
from app.views.status import ConnectionStatus
from app.views.tasks import TaskRunner
from app.views.wizard.launcher import PlaceOrder


class MainWindow(QMainWindow):
    """The app's window. Build it, then call `start()`; see the module docstring for the flow."""

    sig_quit_requested = Signal()
    """Emitted when the user asks to quit (File › Quit, or closing the window when it does not stay
    in the tray). The composition root shuts the app down cleanly in answer."""

    def __init__(
        self,
        *,
        session: SessionService,
        orders: OrdersService,
        settings: Config,
        runner: TaskRunner,
        keyring_notice: str | None,
        diagnostics: Callable[[], str],
        clio: ClioAccess | None = None,
        work_dir: Path | None = None,
    ) -> None:
        """`work_dir`: a private directory for orders' downloads and converted files."""
        super().__init__()
        self.clio = clio
        """Clio access when the app offers Clio at all; its options show only if the provider enables it."""
        self._session = session
        self._orders = orders
        self._settings = settings
        self._runner = runner
        self._diagnostics = diagnostics
        self.tray_available = False
        """Set by the composition root when a tray icon is shown; closing then may only hide."""
        self.sign_in_dialog: SignInDialog | None = None
        self.offline_notice: Notice | None = None
        self._refresh_task: asyncio.Task[list[Order]] | None = None
        self.setWindowTitle("LegalConnect Desktop")
        self.setStyleSheet(stylesheet())

        self.notification_area = NotificationArea()
        self.notifier = Notifier(self.notification_area)
        """Where app events are announced; the composition root swaps in one that uses the tray."""
        self.orders_view = OrdersView()
        self.order_panel = OrderPanel(orders, runner)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.orders_view)
        self.splitter.addWidget(self.order_panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([760, 420])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.notification_area)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.connection = ConnectionStatus(self.statusBar())
        self.place_order = PlaceOrder(
            self,
            client=session.client,
            store=orders.store,
            runner=runner,
            settings=settings,
            clio=clio,
            notices=self.notification_area,
            provider_name=lambda: self.provider_name,
            work_root=work_dir or Path(tempfile.gettempdir()),
            on_submitted=self._order_placed,
        )
        self.sig_quit_requested.connect(self.place_order.flush)

        self._build_actions()
        self.orders_view.sig_selected.connect(self.order_panel.show_order)
        self.orders_view.sig_opened.connect(self._open_order)
        self.order_panel.sig_message.connect(lambda text: self.statusBar().showMessage(text, 8000))

        if clio is not None:
            clio.sig_changed.connect(self._clio_changed)
            clio.sig_connection_ended.connect(self._clio_ended)
        self._clio_changed()

        self.poll_timer = QTimer(self)
        self.poll_timer.timeout.connect(self._poll)
        self._apply_settings()

        geometry = settings.get(config.WINDOW_GEOMETRY)
        if not geometry or not self.restoreGeometry(geometry):
            self.resize(1180, 720)
        if keyring_notice is not None:
            self.notification_area.show_notice("Sign-ins won't be remembered.", keyring_notice, Level.WARNING)

    # -- menus ----------------------------------------------------------------------------------

    def _action(self, text: str, slot: Callable[[], object], shortcut: QKeySequence | str = "") -> QAction:
        action = QAction(text, self)
        action.triggered.connect(lambda _checked=False: slot())
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        self.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def _build_actions(self) -> None:
        self.place_order_action = self._action("&Place Order…", self.place_order.open_new, "Ctrl+N")
        self.place_order_action.setIcon(icon("document"))
        self.place_order_action.setToolTip("Place an eFiling order (Ctrl+N)")
        self.sign_in_action = self._action("Sign &In…", self.show_sign_in)
        self.sign_out_action = self._action("Sign &Out", self.sign_out)
        self.settings_action = self._action(
            "&Settings…", self.show_settings, QKeySequence(QKeySequence.StandardKey.Preferences)
        )
        self.connect_clio_action = self._action("Connect to &Clio…", self.connect_clio)
        self.disconnect_clio_action = self._action("Disconnect from Clio", self.disconnect_clio)
        self.quit_action = self._action("&Quit", self.sig_quit_requested.emit, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.refresh_action = self._action("&Refresh", self.refresh, "F5")
        self.refresh_action.setIcon(icon("refresh"))
        self.refresh_action.setToolTip("Refresh the orders (F5)")
        self.find_action = self._action("&Find Orders", self.orders_view.focus_search, "Ctrl+F")
        self.diagnostics_action = self._action("&Copy Diagnostics", self.copy_diagnostics)
        self.about_action = self._action("&About LegalConnect Desktop", self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        file_menu.addAction(self.place_order_action)
        file_menu.addSeparator()
        file_menu.addActions([self.sign_in_action, self.sign_out_action])
        file_menu.addSeparator()
        file_menu.addActions([self.connect_clio_action, self.disconnect_clio_action])
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = menus.addMenu("&View")
        view_menu.addActions([self.refresh_action, self.find_action])
        help_menu = menus.addMenu("&Help")
        help_menu.addActions([self.diagnostics_action, self.about_action])

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.place_order_action)
        toolbar.addAction(self.refresh_action)
        self._update_session_actions()

    def _update_session_actions(self) -> None:
        signed_in = self._session.session is not None
        self.sign_in_action.setVisible(not signed_in)
        self.sign_out_action.setVisible(signed_in)
        self.place_order_action.setEnabled(signed_in)

    # -- start, session -------------------------------------------------------------------------

    @property
    def provider_name(self) -> str:
        return self._session.provider.name if self._session.provider else self._session.client.service_name

    def start(self) -> None:
        """Show the cached orders now, then sign in silently (or ask) and refresh."""
        self.orders_view.set_orders(self._orders.cached())
        self._connect()

    def _connect(self) -> None:
        self.connection.connecting(self.provider_name)
        self._runner.run(
            self, self._session.restore(), on_success=self._restored, on_error=self._offline, key="session"
        )

    def _restored(self, session: Session | None) -> None:
        if session is None:
            self._signed_out()
            self.show_sign_in()
        else:
            self._signed_in()

    def _signed_in(self) -> None:
        self._configure_clio()
        self._update_session_actions()
        self._show_connected()
        self.poll_timer.start()
        self.refresh()
        self.place_order.offer_saved_drafts()

    def _signed_out(self) -> None:
        if self.clio is not None:
            self.clio.configure(None, "")
        self.poll_timer.stop()
        self.connection.signed_out()
        self._update_session_actions()

    def _show_connected(self) -> None:
        if self._session.session is not None:
            self.connection.connected(self.provider_name, self._session.session.user_name)

    def show_sign_in(self) -> None:
        """Open the sign-in dialog (once; a second call brings the open one forward)."""
        if self.sign_in_dialog is not None:
            self.sign_in_dialog.raise_()
            return
        dialog = SignInDialog(self._session, self._runner, self.provider_name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._signed_in)
        dialog.finished.connect(self._sign_in_closed)
        self.sign_in_dialog = dialog
        dialog.open()

    def _sign_in_closed(self, _result: int) -> None:
        self.sign_in_dialog = None

    def sign_out(self) -> None:
        """End the session, forget the remembered sign-in and the cached orders, then ask again."""

        def done(_result: None) -> None:
            self._orders.forget()
            self.orders_view.set_orders([])
            self._dismiss_offline()
            self._signed_out()
            self.show_sign_in()

        self.poll_timer.stop()
        self._runner.run(self, self._session.sign_out(), on_success=done, key="session")

    # -- refreshing -----------------------------------------------------------------------------

    @property
    def refreshing(self) -> bool:
        """True from the start of a refresh until its outcome has been shown."""
        return self._refresh_task is not None

    def refresh(self) -> None:
        """Bring the orders up to date now (F5). Signed out or never connected: try to connect."""
        if self.refreshing:
            return
        if self._session.session is None:
            if self.sign_in_dialog is None:
                self._connect()
            return
        task = self._runner.run(
            self, self._orders.refresh(), on_success=self._refreshed, on_error=self._refresh_failed
        )
        # Added after the runner's own callback, so "refreshing" ends once the outcome is shown.
        task.add_done_callback(lambda _task: self._refresh_ended(task))
        self._refresh_task = task

    def _refresh_ended(self, task: asyncio.Task[list[Order]]) -> None:
        if shiboken6.isValid(self) and self._refresh_task is task:
            self._refresh_task = None

    def _order_placed(self, _order: Order) -> None:
        """A new order was submitted: list it (after the refresh under way, which may predate it)."""
        if self._refresh_task is not None:
            self._refresh_task.add_done_callback(lambda _task: QTimer.singleShot(0, self, self.refresh))
        else:
            self.refresh()

    def _poll(self) -> None:
        if not self.refreshing:  # a slow refresh is still running: skip this tick
            self.refresh()

    def _refreshed(self, orders: list[Order]) -> None:
        self.orders_view.set_orders(orders)
        self._dismiss_offline()
        self._show_connected()

    def _refresh_failed(self, error: ServiceError) -> bool:
        if isinstance(error, AuthRequired):
            self._session.session = None
            self._signed_out()
            self.notification_area.show_notice("Signed out.", error.user_message, Level.WARNING)
            self.show_sign_in()
            return True
        return self._offline(error)

    def _offline(self, error: ServiceError) -> bool:
        """Keep the cached orders, say why they may be stale, and offer Retry."""
        self.connection.offline(self._last_sync_text())
        if self.offline_notice is not None and self.offline_notice.message == error.user_message:
            return True
        self._dismiss_offline()
        notice = self.notification_area.show_notice(
            "Offline.", error.user_message, Level.ERROR, [Action("Retry", self.refresh)]
        )
        notice.sig_closed.connect(lambda: self._forget_offline(notice))
        self.offline_notice = notice
        return True

    def _forget_offline(self, notice: Notice) -> None:
        if self.offline_notice is notice:
            self.offline_notice = None

    def _dismiss_offline(self) -> None:
        if self.offline_notice is not None:
            self.offline_notice.dismiss()

    def _last_sync_text(self) -> str | None:
        cursor = self._orders.store.get_sync_cursor()
        if not cursor:
            return None
        moment = dt.datetime.fromisoformat(cursor).astimezone()
        today = dt.datetime.now().astimezone().date()
        return moment.strftime("%H:%M") if moment.date() == today else moment.strftime("%d %b %Y %H:%M")

    # -- other actions --------------------------------------------------------------------------

    def _open_order(self, _order: Order) -> None:
        self.order_panel.tabs.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- Clio ---------------------------------------------------------------------------------

    def _configure_clio(self) -> None:
        session = self._session.session
        if self.clio is not None and session is not None:
            self.clio.configure(self._session.provider, session.user_email)

    def _clio_changed(self) -> None:
        clio = self.clio
        enabled = clio is not None and clio.enabled
        connected = clio is not None and clio.connected
        self.connect_clio_action.setVisible(enabled and not connected)
        self.disconnect_clio_action.setVisible(enabled and connected)
        self.connection.clio.setVisible(enabled)
        if clio is not None and enabled:
            self.show_clio_status(clio.status_text)

    def _clio_ended(self) -> None:
        self.notifier.notify(
            "Clio connection ended — connect again.",
            "Clio no longer accepts this computer's connection (it was revoked or expired).",
            Level.WARNING,
            [Action("Connect…", self.connect_clio)],
        )

    def connect_clio(self) -> None:
        """Open Clio's sign-in pop-up (when not connected yet)."""
        if self.clio is not None:
            self.clio.ensure_connected(
                self, lambda _client: self.statusBar().showMessage("Clio connected.", 5000)
            )

    def disconnect_clio(self) -> None:
        if self.clio is not None:
            self.clio.disconnect_clio()

    def show_clio_status(self, text: str) -> None:
        """Show the Clio connection state in the status bar (e.g. "Clio: not connected")."""
        self.connection.set_clio(text)

    def present_error(self, _owner: QObject | None, message: str) -> None:
        """An `ErrorPresenter` for the task runner: failures nobody handled become notices here."""
        self.notification_area.show_notice("", message, Level.ERROR)

    def copy_diagnostics(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self._diagnostics())
        self.notification_area.show_notice(
            "Diagnostics copied.", "Paste them into your message to support.", Level.SUCCESS
        )

    def show_about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("About LegalConnect Desktop")
        box.setText(
            f"<b>LegalConnect Desktop</b> {__version__}<br>eFile court documents through "
            f"{self.provider_name}, with Clio Manage."
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def show_settings(self) -> None:
        dialog = SettingsDialog(self._settings, self, self.clio)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._apply_settings)
        dialog.accepted.connect(self._configure_clio)  # the Clio region may have changed
        dialog.open()

    def _apply_settings(self) -> None:
        self.poll_timer.setInterval(self._settings.get(config.POLL_INTERVAL) * 1000)

    # -- closing --------------------------------------------------------------------------------

    def save_geometry(self) -> None:
        self._settings.set(config.WINDOW_GEOMETRY, bytes(self.saveGeometry().data()))

    def closeEvent(self, event: QCloseEvent) -> None:
        """Keep running in the tray when that is set and a tray exists; otherwise ask to quit."""
        self.save_geometry()
        if self._settings.get(config.CLOSE_TO_TRAY) and self.tray_available:
            event.ignore()
            self.hide()
            return
        event.accept()
        self.sig_quit_requested.emit()
