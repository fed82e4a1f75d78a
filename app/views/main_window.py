"""The main window: menus, the orders list beside the order panel, notices and connection status.

It opens with the orders as last seen and nothing else loaded, then attaches its running half
(`Live`: the engine, the order desk, Clio, the returns filer, the notices) once they are painted.
It assembles `OrdersView` and `OrderPanel`, and shows what the sync engine (`app.services.sync`)
announces through its adapter (`SyncSignals`): the cached orders first, then a silent sign-in (or
the sign-in dialog), the refreshed orders, each poll's result. Signing in, refreshing and polling
are the engine's; the window asks for them (F5, Sign Out, the sign-in dialog) and renders. When
the Service Provider cannot be reached, the cached orders stay on screen under a banner with Retry,
and the banner goes away by itself at the next successful refresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QMenu,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import config
from app.appearance import icon, stylesheet
from app.config import Config
from app.services.legalconnect.records import Order, OrderStatus
from app.views.notify import Action, Level, Notice, NotificationArea, Notifier
from app.views.orders_view import OrdersView
from app.views.status import ConnectionStatus

if TYPE_CHECKING:
    # The window's running half (see `Live`): loaded once the cached orders are on screen.
    from app.services.autostart import Autostart
    from app.services.calendar.scheduler import HearingScheduler
    from app.services.expenses.poster import ExpensePoster, PostingFinished
    from app.services.returns.filer import ReturnsFiler, RunFinished
    from app.services.returns.notices import Announcement, DecisionNotices
    from app.services.sync.engine import SyncEngine
    from app.services.wizard.desk import OrderDesk
    from app.views.activities import ActivitiesPage
    from app.views.clio_access import ClioAccess
    from app.views.order_panel import OrderPanel
    from app.views.sign_in import SignInDialog
    from app.views.sync_signals import SyncSignals
    from app.views.tasks import TaskRunner
    from app.views.tray import Tray
    from app.views.wizard.launcher import PlaceOrder

LIVE_FALLBACK_MS = 500
"""When the window is not painted (it starts hidden in the tray), its running half comes anyway."""


@dataclass(frozen=True)
class Live:
    """The window's running half: the services and adapters behind everything but the cached list.

    `clio`: the window's Clio adapter when the app offers Clio at all (its options show only when
    the provider enables it); `returns` and `notices`: the returns filer (where each returned
    document stands in Clio) and what to announce when the court decides; `expenses`: the expense
    poster (where each fee stands in Clio); `login`: the login entry (start at login, minimised),
    which an `installed` copy sets up after its first sign-in; `hearings`: the hearing scheduler
    (where the hearing the court set stands in Clio's calendar)."""

    engine: SyncEngine
    desk: OrderDesk
    clio: ClioAccess | None = None
    returns: ReturnsFiler | None = None
    notices: DecisionNotices | None = None
    expenses: ExpensePoster | None = None
    login: Autostart | None = None
    installed: bool = False
    hearings: HearingScheduler | None = None


class MainWindow(QMainWindow):
    """The app's window. Build it, then call `start()`; see the module docstring for the flow."""

    sig_quit_requested = Signal()
    """Emitted when the user asks to quit (File › Quit, or closing the window when it does not stay
    in the tray). The composition root shuts the app down cleanly in answer."""

    engine: SyncEngine
    order_panel: OrderPanel
    place_order: PlaceOrder
    sync: SyncSignals
    """The engine's, the filer's and the notices' events as signals."""
    tray: Tray
    """The tray icon where the desktop has a tray (`tray.available`); closing may then only hide."""
    notifier: Notifier
    """Where app events are announced: the tray's balloons when there is one, else the window."""

    def __init__(
        self,
        *,
        settings: Config,
        runner: TaskRunner,
        diagnostics: Callable[[], str],
        live: Live | Callable[[], Live],
        cached: Callable[[], list[Order]] = list,
    ) -> None:
        """`live`: the running half, or what composes it. Given as a composer, the window shows
        `cached()` (the orders as last seen) when it starts, and composes and attaches the rest
        once that is painted, so the first screen loads only what it shows."""
        super().__init__()
        self._settings = settings
        self._runner = runner
        self._diagnostics = diagnostics
        self._live: Live | None = None
        self._compose_live = None if isinstance(live, Live) else live
        self._cached = cached
        self.clio: ClioAccess | None = None
        self._returns: ReturnsFiler | None = None
        self.sign_in_dialog: SignInDialog | None = None
        self.offline_notice: Notice | None = None
        self._asked_refresh = False
        self.setWindowTitle("LegalConnect Desktop")
        self.setStyleSheet(stylesheet())

        self._announced_order: int | None = None
        self._clio_wait_notice: Notice | None = None
        self._fees_waiting: PostingFinished | None = None
        self._start_at_login_before = settings.get(config.START_AT_LOGIN)
        self.notification_area = NotificationArea()
        self.orders_view = OrdersView()
        self.orders_view.show_returns_column(False)  # until Clio is known to be offered
        self._panel_slot = QWidget()  # the order panel's place until the running half comes
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.orders_view)
        self.splitter.addWidget(self._panel_slot)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([920, 400])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.notification_area)
        self.pages = QStackedWidget()
        """The window's sections: the orders (with the order panel), and the Activities page."""
        self.pages.addWidget(self.splitter)
        layout.addWidget(self.pages, 1)
        self.activities: ActivitiesPage | None = None
        """The Activities page, made the first time it is shown."""
        self.setCentralWidget(central)
        self.refresh_progress = QProgressBar(maximum=0, textVisible=False)
        self.refresh_progress.setMaximumWidth(90)
        self.refresh_progress.setAccessibleName("Refreshing the orders")
        self.refresh_progress.setVisible(False)
        self.statusBar().addPermanentWidget(self.refresh_progress)
        self.connection = ConnectionStatus(self.statusBar())
        self._build_actions()

        geometry = settings.get(config.WINDOW_GEOMETRY)
        if not geometry or not self.restoreGeometry(geometry):
            self.resize(1320, 740)
        if isinstance(live, Live):
            self._attach(live)

    @property
    def live(self) -> bool:
        """Whether the running half is attached (signing in, refreshing, the order panel…)."""
        return self._live is not None

    def _attach(self, live: Live) -> None:
        """Wire the running half in: the order panel, Place Order, the tray, the engine's signals."""
        from app.views.order_panel import OrderPanel
        from app.views.sync_signals import SyncSignals
        from app.views.tray import Tray
        from app.views.wizard.launcher import PlaceOrder

        self._live = live
        self.clio = live.clio
        self.engine = live.engine
        self._session = live.engine.session
        self._orders = live.engine.orders
        self._returns = live.returns
        if live.returns is not None:
            self.orders_view.model.set_returns(live.returns.order_filing)
        self.order_panel = OrderPanel(
            self._orders,
            self._runner,
            returns=live.returns,
            clio=live.clio,
            settings=self._settings,
            expenses=live.expenses,
            hearing_line=live.hearings.hearing_line if live.hearings is not None else None,
        )
        self.splitter.replaceWidget(1, self.order_panel)
        self._panel_slot.deleteLater()
        self.place_order = PlaceOrder(
            self,
            desk=live.desk,
            runner=self._runner,
            settings=self._settings,
            clio=live.clio,
            notices=self.notification_area,
            on_submitted=self._order_placed,
            open_order=self.open_order,
            on_deleted=self.engine.order_deleted,
        )
        self.orders_view.sig_delete_draft.connect(self.place_order.delete_draft_order)
        self.sig_quit_requested.connect(self.place_order.flush)
        self.tray = Tray(self, place_order=self.place_order_action.trigger)
        self.notifier = Notifier(self.notification_area, self.tray.icon if self.tray.available else None)
        self.tray.sig_quit_requested.connect(self.sig_quit_requested.emit)
        self.orders_view.sig_selected.connect(self.order_panel.show_order)
        self.orders_view.sig_opened.connect(self._open_order)
        self.order_panel.sig_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.order_panel.show_order(self.orders_view.selected_order())  # chosen before it came

        self.sync = SyncSignals(
            live.engine,
            self,
            returns=live.returns,
            notices=live.notices,
            expenses=live.expenses,
            hearings=live.hearings,
        )
        self.sync.sig_hearing_changed.connect(self.order_panel.refresh_hearing)
        self.sync.sig_fees_changed.connect(self._fees_changed)
        self.sync.sig_fees_run_finished.connect(self._fees_run_finished)
        self.sync.sig_fees_posted.connect(self._fees_posted)
        self.sync.sig_filing_changed.connect(self._filing_changed)
        self.sync.sig_filing_run_finished.connect(self._filing_run_finished)
        self.sync.sig_filing_paused.connect(self.connection.returns_paused)
        self.sync.sig_announcement.connect(self.announce)
        self.order_panel.sig_returns_retry.connect(self.engine.refresh_now)
        self.tray.icon.messageClicked.connect(lambda: self._open_announced())
        self.sync.sig_orders_changed.connect(self.orders_view.set_orders)
        self.sync.sig_connecting.connect(lambda: self.connection.connecting(self.provider_name))
        self.sync.sig_session_started.connect(self._signed_in)
        self.sync.sig_sign_in_needed.connect(self._sign_in_needed)
        self.sync.sig_signed_out.connect(self._signed_out)
        self.sync.sig_refresh_started.connect(self._refresh_started)
        self.sync.sig_refresh_finished.connect(self._refresh_finished)
        self.sync.sig_offline.connect(self._offline)
        self.sync.sig_online.connect(self._online)
        self.sync.sig_secrets_unavailable.connect(
            lambda notice: self.notification_area.show_notice(
                "Sign-ins won't be remembered.", notice, Level.WARNING
            )
        )

        if live.clio is not None:
            live.clio.sig_changed.connect(self._clio_changed)
            live.clio.sig_connection_ended.connect(self._clio_ended)
        for action in self._live_actions:
            action.setEnabled(True)
        self.activities_action.setEnabled(live.clio is not None and live.clio.enabled)
        self._update_session_actions()
        self._clio_changed()

    # -- menus ----------------------------------------------------------------------------------

    def _action(self, text: str, slot: Callable[[], object], shortcut: QKeySequence | str = "") -> QAction:
        action = QAction(text, self)
        action.triggered.connect(lambda _checked=False: slot())
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        self.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def _build_actions(self) -> None:
        self.place_order_action = self._action("&Place Order…", lambda: self.place_order.open_new(), "Ctrl+N")
        self.order_from_matter_action = self._action(
            "Place Order from Clio &Matter…", lambda: self.place_order.choose_matter()
        )
        self.order_from_matter_action.setVisible(False)  # with Clio (see _clio_changed)
        self.place_order_action.setIcon(icon("document"))
        self.place_order_action.setToolTip("Place an eFiling order (Ctrl+N)")
        self.resume_menu = QMenu("&Resume Unfinished Order", self)
        self.resume_menu.aboutToShow.connect(self._fill_resume_menu)
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
        self._live_actions = (
            self.place_order_action,
            self.resume_menu.menuAction(),
            self.sign_in_action,
            self.sign_out_action,
            self.settings_action,
            self.refresh_action,
        )
        """What needs the running half: off for the moment the window shows the cached orders alone."""
        for action in self._live_actions:
            action.setEnabled(False)
        self.connect_clio_action.setVisible(False)
        self.disconnect_clio_action.setVisible(False)
        self.find_action = self._action("&Find", self._find, "Ctrl+F")
        self.orders_page_action = self._action("&Orders", self.show_orders, "Ctrl+1")
        self.orders_page_action.setToolTip("The orders and their details (Ctrl+1)")
        self.activities_action = self._action("&Activities", self.show_activities, "Ctrl+2")
        self.activities_action.setToolTip(
            "The orders' fees as expenses in Clio: review, categorise, export (Ctrl+2)"
        )
        self.activities_action.setEnabled(False)  # with the running half
        sections = QActionGroup(self)
        for action in (self.orders_page_action, self.activities_action):
            action.setCheckable(True)
            sections.addAction(action)
        self.orders_page_action.setChecked(True)
        self.diagnostics_action = self._action("&Copy Diagnostics", self.copy_diagnostics)
        self.guide_action = self._action(
            "User &Guide", self.show_guide, QKeySequence(QKeySequence.StandardKey.HelpContents)
        )
        self.about_action = self._action("&About LegalConnect Desktop", self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        file_menu.addAction(self.place_order_action)
        file_menu.addAction(self.order_from_matter_action)
        file_menu.addMenu(self.resume_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.sign_in_action, self.sign_out_action])
        file_menu.addSeparator()
        file_menu.addActions([self.connect_clio_action, self.disconnect_clio_action])
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = menus.addMenu("&View")
        view_menu.addActions([self.orders_page_action, self.activities_action])
        view_menu.addSeparator()
        view_menu.addActions([self.refresh_action, self.find_action])
        help_menu = menus.addMenu("&Help")
        help_menu.addActions([self.guide_action, self.diagnostics_action, self.about_action])

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.place_order_action)
        toolbar.addAction(self.refresh_action)
        toolbar.addSeparator()
        toolbar.addAction(self.orders_page_action)
        toolbar.addAction(self.activities_action)

    def _update_session_actions(self) -> None:
        signed_in = self._session.session is not None
        self.sign_in_action.setVisible(not signed_in)
        self.sign_out_action.setVisible(signed_in)
        self.place_order_action.setEnabled(signed_in)
        self.resume_menu.menuAction().setEnabled(signed_in)

    # -- start, session -------------------------------------------------------------------------

    @property
    def provider_name(self) -> str:
        if self._live is None:
            return "your Service Provider"
        return self._session.provider.name if self._session.provider else self._session.client.service_name

    def start(self) -> None:
        """Show the cached orders now, then let the engine sign in silently (or ask) and refresh.

        Without the running half yet, the cached orders come from `cached()` at once, and the rest
        is composed right after they are painted (or shortly, if the window is not shown)."""
        if self._live is not None:
            self.engine.start()
            return
        self.orders_view.set_orders(self._cached())
        self.orders_view.table.viewport().installEventFilter(self)
        QTimer.singleShot(LIVE_FALLBACK_MS, self, self._go_live)  # dropped if the window goes first

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._live is None:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self, self._go_live)  # after this paint reaches the screen
        return super().eventFilter(watched, event)

    def _go_live(self) -> None:
        if self._live is not None or self._compose_live is None:
            return
        self._attach(self._compose_live())
        self.engine.start()

    def _signed_in(self) -> None:
        self._set_up_login_entry()
        self._update_session_actions()
        self._show_connected()
        self.place_order.offer_saved_drafts()

    def _set_up_login_entry(self) -> None:
        live = self._live
        if live is None or live.login is None or not live.installed:
            return
        if self._settings.get(config.START_AT_LOGIN_APPLIED):
            return
        from app.services.autostart import after_first_sign_in

        try:
            after_first_sign_in(live.login, self._settings.get(config.START_AT_LOGIN))
        except OSError as exc:
            self.statusBar().showMessage(f"Could not set up starting at login: {exc.strerror or exc}", 8000)
            return
        self._settings.set(config.START_AT_LOGIN_APPLIED, True)

    def _sign_in_needed(self, why: str) -> None:
        self._signed_out()
        if why:
            self.notification_area.show_notice("Signed out.", why, Level.WARNING)
        self.show_sign_in()

    def _signed_out(self) -> None:
        self._dismiss_offline()
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
        from app.views.sign_in import SignInDialog

        dialog = SignInDialog(self._session, self._runner, self.provider_name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.engine.signed_in_interactively)
        dialog.finished.connect(self._sign_in_closed)
        self.sign_in_dialog = dialog
        dialog.open()

    def _sign_in_closed(self, _result: int) -> None:
        self.sign_in_dialog = None

    def sign_out(self) -> None:
        """End the session, forget the remembered sign-in and the cached orders, then ask again."""
        self._runner.run(self, self.engine.sign_out(), key="session")

    # -- refreshing -----------------------------------------------------------------------------

    @property
    def refreshing(self) -> bool:
        """True from the moment a refresh is asked for until its outcome has been shown."""
        return self.engine.refreshing

    def refresh(self) -> None:
        """Bring the orders up to date now (F5); signed out or never connected: try to connect."""
        if self._session.session is None and self.sign_in_dialog is not None:
            self.sign_in_dialog.raise_()
            return
        self._asked_refresh = True
        self.engine.refresh_now()
        if self.engine.refreshing:
            self._refresh_started()

    def _refresh_started(self) -> None:
        self.refresh_progress.setVisible(True)
        self.statusBar().showMessage("Refreshing the orders…")

    def _refresh_finished(self, ok: bool) -> None:
        self.refresh_progress.setVisible(False)
        # Polls stay quiet; a refresh the user asked for says it is done.
        done = "Orders up to date." if ok and self._asked_refresh else ""
        self._asked_refresh = False
        self.statusBar().showMessage(done, 4000)
        if ok:
            self._show_connected()

    def _order_placed(self, order: Order) -> None:
        """A new order was submitted: list it now and watch for the clerk's decision."""
        self.engine.order_submitted(order)

    def _online(self) -> None:
        self._dismiss_offline()
        self._show_connected()

    def _offline(self, message: str, last_sync: str | None) -> None:
        """Keep the cached orders, say why they may be stale, and offer Retry."""
        self.connection.offline(_sync_time_text(last_sync))
        if self.offline_notice is not None and self.offline_notice.message == message:
            return
        self._dismiss_offline()
        notice = self.notification_area.show_notice(
            "Offline.", message, Level.ERROR, [Action("Retry", self.refresh)]
        )
        notice.sig_closed.connect(lambda: self._forget_offline(notice))
        self.offline_notice = notice

    def _forget_offline(self, notice: Notice) -> None:
        if self.offline_notice is notice:
            self.offline_notice = None

    def _dismiss_offline(self) -> None:
        if self.offline_notice is not None:
            self.offline_notice.dismiss()

    # -- returns and announcements --------------------------------------------------------------

    def _filing_run_finished(self, run: RunFinished) -> None:
        self.connection.returns_not_in_clio(run.waiting, run.failed)
        self.tray.set_returns(run.waiting, run.failed)

    def _filing_changed(self, order_id: int) -> None:
        self.orders_view.model.refresh_returns(order_id)
        self.order_panel.refresh_filing(order_id)

    def announce(self, announcement: Announcement) -> None:
        """Tell the user (the tray where there is one, the window otherwise), with the action it offers."""
        from app.services.returns.notices import Offer  # loaded with the running half already

        actions: list[Action] = []
        order_id = announcement.order_id
        if announcement.offer is Offer.OPEN_ORDER and order_id is not None:
            actions.append(Action("Open order", lambda: self.open_order(order_id)))
        elif announcement.offer is Offer.CONNECT_CLIO and self.clio is not None and self.clio.enabled:
            actions.append(Action("Connect…", self.connect_clio))
        if announcement.new_case_number:
            from app.views.case_number_writeback import writeback_actions

            actions += writeback_actions(
                announcement,
                owner=self,
                clio=self.clio,
                settings=self._settings,
                runner=self._runner,
                tell=lambda title, message, level: self.notification_area.show_notice(title, message, level),
            )
        self._announced_order = order_id
        notice = self.notifier.notify(
            announcement.title, announcement.message, Level(announcement.tone.value), actions
        )
        if announcement.offer is Offer.CONNECT_CLIO and notice is not None:
            self._dismiss_clio_wait()
            self._clio_wait_notice = notice  # goes away by itself once Clio is connected
        if self._settings.get(config.NOTIFY_SOUND):
            QApplication.beep()

    def _dismiss_clio_wait(self) -> None:
        notice, self._clio_wait_notice = self._clio_wait_notice, None
        if notice is not None and shiboken6.isValid(notice):
            notice.dismiss()

    def _open_announced(self) -> None:
        if self._announced_order is not None:
            self.open_order(self._announced_order)

    def bring_forward(self) -> None:
        """The app was opened again: show this window (from the tray too) rather than a second one."""
        self._come_forward()
        self.statusBar().showMessage("LegalConnect Desktop is already open: here it is.", 5000)

    def _come_forward(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def open_order(self, order_id: int) -> None:
        """Bring the window forward (from the tray too) and show order `order_id`."""
        self._come_forward()
        self.show_orders()
        if not self.orders_view.select_order(order_id):
            self.orders_view.clear_filters()  # a filter may hide it
            self.orders_view.select_order(order_id)
        self.order_panel.tabs.setCurrentIndex(1)  # what the court returned
        self.order_panel.tabs.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- sections -----------------------------------------------------------------------------

    def show_orders(self) -> None:
        """Show the orders (Ctrl+1)."""
        self.orders_page_action.setChecked(True)
        self.pages.setCurrentWidget(self.splitter)

    def show_activities(self) -> None:
        """Show the Activities page (Ctrl+2): the fees as expenses in Clio. Made the first time."""
        if self._live is None or not self.activities_action.isEnabled():
            return
        page = self._activities_page()
        self.activities_action.setChecked(True)
        self.pages.setCurrentWidget(page)
        page.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _activities_page(self) -> ActivitiesPage:
        if self.activities is None:
            from app.views.activities import ActivitiesPage

            assert self._live is not None
            page = ActivitiesPage(self.clio, self._runner, self._live.expenses, self)
            page.sig_open_order.connect(self._open_order_number)
            page.sig_retry.connect(self._retry_fees)
            page.sig_approve.connect(self._approve_fees)
            page.sig_settings.connect(self.show_settings)
            page.sig_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
            if self._fees_waiting is not None:
                page.set_waiting(self._fees_waiting)
            self.pages.addWidget(page)
            self.activities = page
        return self.activities

    def _fees_run_finished(self, run: PostingFinished) -> None:
        self._fees_waiting = run
        if self.activities is not None:
            self.activities.set_waiting(run)

    def _fees_changed(self, order_id: int) -> None:
        self.order_panel.refresh_fees(order_id)
        if self.activities is not None:
            self.activities.fees_changed(order_id)

    def _fees_posted(self, _posted: object) -> None:
        if self.activities is not None:
            self.activities.fees_posted()

    def _retry_fees(self, order: Order) -> None:
        if self._live is not None and self._live.expenses is not None:
            self._live.expenses.retry(order)
            self.engine.refresh_now()
            self.statusBar().showMessage(f"Posting the fees of order {order.display_number} again…", 5000)

    def _approve_fees(self, orders: list[Order]) -> None:
        if self._live is not None and self._live.expenses is not None:
            for order in orders:
                self._live.expenses.approve(order)
            self.engine.refresh_now()
            self.statusBar().showMessage(f"Posting the approved fees of {len(orders)} order(s)…", 5000)

    def _open_order_number(self, number: str) -> None:
        """Show the order with this order number (from the Activities page)."""
        found = next(
            (o for o in self.orders_view.model.orders() if (o.order_number or str(o.id)) == number), None
        )
        if found is None:
            self.statusBar().showMessage(f"Order {number} is not among the orders listed here.", 8000)
            return
        self.open_order(found.id)
        self.order_panel.tabs.setCurrentIndex(2)  # its fees

    def _find(self) -> None:
        if self.activities is not None and self.pages.currentWidget() is self.activities:
            self.activities.focus_search()
        else:
            self.orders_view.focus_search()

    # -- other actions --------------------------------------------------------------------------

    def _fill_resume_menu(self) -> None:
        self.place_order.fill_resume_menu(self.resume_menu)  # enabled once the running half is here

    def _open_order(self, order: Order) -> None:
        """Double-click or Enter on a row: a draft opens in its wizard, any other order's details
        take the focus."""
        if order.status is OrderStatus.DRAFT:
            self.place_order.open_draft_order(order)
            return
        self.order_panel.tabs.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- Clio ---------------------------------------------------------------------------------

    def _clio_changed(self) -> None:
        clio = self.clio
        enabled = clio is not None and clio.enabled
        connected = clio is not None and clio.connected
        self.activities_action.setEnabled(enabled)
        self.connect_clio_action.setVisible(enabled and not connected)
        self.order_from_matter_action.setVisible(enabled)
        self.disconnect_clio_action.setVisible(enabled and connected)
        self.connection.clio.setVisible(enabled or bool(clio is not None and clio.status_text))
        if clio is not None:
            self.show_clio_status(clio.status_text)
        self.orders_view.show_returns_column(enabled and self._returns is not None)
        self.orders_view.model.refresh_returns()
        if connected:
            self._dismiss_clio_wait()

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
        """Version, build, what it runs on, and the licences of what it ships with."""
        from app.views.about import show_about  # not with the window: Qt classes cost when touched

        show_about(self, self.provider_name)

    def show_guide(self) -> None:
        """Open the user guide (README) in the system's viewer."""
        from app.views.about import open_guide

        if not open_guide():
            self.statusBar().showMessage("The user guide could not be opened on this computer.", 8000)

    def show_settings(self) -> None:
        from app.views.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self._settings, self, self.clio, self._runner)
        self._start_at_login_before = self._settings.get(config.START_AT_LOGIN)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.engine.apply_settings)  # the poll interval, the Clio region
        dialog.accepted.connect(self._settings_saved)
        dialog.open()

    def _settings_saved(self) -> None:
        wanted = self._settings.get(config.START_AT_LOGIN)
        if self._live is not None and self._live.login is not None and wanted != self._start_at_login_before:
            from app.services.autostart import follow_setting

            try:
                follow_setting(self._live.login, self._settings.get(config.START_AT_LOGIN))
            except OSError as exc:
                self.notification_area.show_notice(
                    "Starting at login was not changed.", str(exc.strerror or exc), Level.ERROR
                )
        if self.activities is not None:
            self.activities.settings_changed()
        if self.order_panel.order is not None:  # its fees' states may read differently now
            self.order_panel.refresh_fees(self.order_panel.order.id)

    # -- closing --------------------------------------------------------------------------------

    def hide_tray(self) -> None:
        """Take the tray icon away (on quit)."""
        if self._live is not None:
            self.tray.hide()

    def save_geometry(self) -> None:
        self._settings.set(config.WINDOW_GEOMETRY, bytes(self.saveGeometry().data()))

    def closeEvent(self, event: QCloseEvent) -> None:
        """Keep running in the tray when that is set and a tray exists; otherwise ask to quit."""
        self.save_geometry()
        if self._settings.get(config.CLOSE_TO_TRAY) and self._live is not None and self.tray.available:
            event.ignore()
            self.hide()
            return
        event.accept()
        self.sig_quit_requested.emit()


def _sync_time_text(cursor: str | None) -> str | None:
    """ "14:05" today, else "03 Nov 2026 14:05", for the server time of the last sync."""
    if not cursor:
        return None
    moment = dt.datetime.fromisoformat(cursor).astimezone()
    today = dt.datetime.now().astimezone().date()
    return moment.strftime("%H:%M") if moment.date() == today else moment.strftime("%d %b %Y %H:%M")
