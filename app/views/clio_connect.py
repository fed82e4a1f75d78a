"""The "Connect to Clio" pop-up: Clio's own sign-in and consent pages in an embedded browser.

Import this module only when the pop-up is about to open: it pulls in QtWebEngine (a Chromium),
which costs start-up time and memory the rest of the app never needs. Nothing imported at start-up
may import it; callers import it inside the function that opens the pop-up.

What the embedded browser may do is deliberately narrow:

- every attempt gets its own off-the-record profile, so no Clio cookie, cache entry or password
  outlives the pop-up and "Try again" starts from a clean sign-in page;
- the redirect back to us (which carries the authorization code) is caught in
  `acceptNavigationRequest` and never loaded; `ClioAuth.complete` exchanges it in the background;
- Clio's sign-in pages stay inside: the app's Clio origin and the region's Clio Identity host;
- so does the identity provider Clio hands the sign-in to (single sign-on through the firm's
  Okta, Microsoft Entra ID or other SAML provider, which cannot be known in advance): a page
  reached by a redirect or a form post, which is how the sign-in moves on by itself, stays inside,
  and so do later pages of that origin, until the redirect back arrives. Such a page must be https
  (plain http only on loopback), and the status line names its host, since there is no address bar;
- any other main-frame navigation (a link, a script sending the page elsewhere) and any new
  window goes to the system browser instead (the pop-up is for signing in, not for browsing);
- other schemes (file:, data:, custom handlers) are refused outright.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable

import shiboken6
from PySide6.QtCore import QObject, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWebEngineCore import (
    QWebEngineLoadingInfo,
    QWebEngineNewWindowRequest,
    QWebEnginePage,
    QWebEngineProfile,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.services import http
from app.services.clio.auth import ClioAuth, ClioAuthorizationDenied
from app.services.http import ServiceError
from app.services.secrets import ClioTokens
from app.views.tasks import TaskRunner

log = logging.getLogger(__name__)

DENIED_MESSAGE = (
    "You chose not to connect Clio. You can connect any time from Settings, "
    "or try again now if you pressed Deny by mistake."
)
UNREACHABLE_MESSAGE = "Cannot reach Clio. Check your internet connection and retry."
_ERR_ABORTED = -3
"""Chromium's net error for a navigation we cancelled ourselves (the caught redirect, an external
link): not a failure to show."""
_EXTERNAL_SCHEMES = {"http", "https", "mailto"}
"""Schemes the system may open for the page. Never file: or custom handlers: a page must not get
local programs started through us."""
_SIGN_IN_MOVES = {
    QWebEnginePage.NavigationType.NavigationTypeRedirect,
    QWebEnginePage.NavigationType.NavigationTypeFormSubmitted,
}
"""How the sign-in moves on by itself: a server redirect or a page's own redirect while it loads
(Chromium reports both as redirects), or a form post (SAML sends the browser on with
self-submitting forms). A link, or a script sending the page elsewhere later, is a link click."""


def _origin(url: QUrl) -> tuple[str, str, int]:
    scheme = url.scheme().lower()
    return scheme, url.host().lower(), url.port(443 if scheme == "https" else 80)


def _may_sign_in(url: str) -> bool:
    """Whether a sign-in page may be shown from `url`: https, or plain http on this machine only."""
    try:
        http.remote_of(url)
    except ValueError:
        return False
    return True


class ClioPage(QWebEnginePage):
    """The page of the pop-up: keeps Clio's sign-in (and the provider Clio hands it to), catches the
    redirect, sends everything else away.

    `acceptNavigationRequest` runs inside Chromium's navigation; it only decides and emits, the
    dialog does the work once the navigation has been refused.
    """

    sig_redirect = Signal(str)
    """The main frame tried to go to the redirect URI (the full URL, with code or error)."""
    sig_external = Signal(QUrl)
    """The page tried to leave the sign-in (a link, a script, a new window); the URL went to the
    system browser."""

    def __init__(
        self,
        profile: QWebEngineProfile,
        is_redirect: Callable[[str], bool],
        clio_origins: Iterable[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(profile, parent)
        self._is_redirect = is_redirect
        self._clio = {_origin(QUrl(origin)) for origin in clio_origins}
        self._providers: set[tuple[str, str, int]] = set()
        self.newWindowRequested.connect(self._new_window)

    def is_clio(self, url: QUrl) -> bool:
        """True for a page of Clio's own sign-in: the same scheme, host and port as one of its origins."""
        return _origin(url) in self._clio

    def is_sign_in(self, url: QUrl) -> bool:
        """True for a page of Clio or of an identity provider Clio handed this sign-in to."""
        origin = _origin(url)
        return origin in self._clio or origin in self._providers

    def acceptNavigationRequest(
        self, url: QUrl | str, type: QWebEnginePage.NavigationType, isMainFrame: bool
    ) -> bool:
        target = QUrl(url) if isinstance(url, str) else url
        text = target.toString(QUrl.ComponentFormattingOption.FullyEncoded)
        if self._is_redirect(text):
            # Never load it: the code is ours to exchange, and loading would hand it to a page.
            if isMainFrame:
                self.sig_redirect.emit(text)
            return False
        if not isMainFrame:
            # Frames Clio's page embeds (a captcha, say) do not move the user off Clio.
            return target.scheme().lower() in {"http", "https", "about"}
        if self.is_sign_in(target):
            return True
        if type in _SIGN_IN_MOVES and _may_sign_in(text):
            # Clio, or a provider it sent us to, moved the sign-in on to another host itself.
            log.info("Clio sign-in continues at %s", target.host())
            self._providers.add(_origin(target))
            return True
        self._send_away(target)
        return False

    def javaScriptConsoleMessage(
        self,
        level: QWebEnginePage.JavaScriptConsoleMessageLevel,
        message: str,
        lineNumber: int,
        sourceID: str,
    ) -> None:
        # Clio's scripts are not ours to fix: their console goes to the debug log, not Qt's warnings.
        log.debug("Clio page console (%s) line %d: %s", level.name, lineNumber, message)

    def _new_window(self, request: QWebEngineNewWindowRequest) -> None:
        # Not opened in here: without `openIn`, Chromium drops the new window.
        target = request.requestedUrl()
        if self._is_redirect(target.toString(QUrl.ComponentFormattingOption.FullyEncoded)):
            return
        self._send_away(target)

    def _send_away(self, url: QUrl) -> None:
        if url.scheme().lower() not in _EXTERNAL_SCHEMES:
            log.info("pop-up refused a %s: link", url.scheme())
            return
        QDesktopServices.openUrl(url)
        self.sig_external.emit(url)


class _Panel(QWidget):
    """A message with buttons, shown in place of the web page (declined, failed)."""

    def __init__(self, object_name: str, title: str) -> None:
        super().__init__()
        self.setObjectName(object_name)
        self.title = QLabel(f"<h2>{title}</h2>")
        self.message = QLabel(textFormat=Qt.TextFormat.PlainText)  # may carry Clio's or the network's words
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 32, 32, 32)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addSpacing(12)
        layout.addLayout(self.buttons)
        layout.addStretch(2)

    def add_button(self, text: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(slot)
        self.buttons.addWidget(button)
        return button


class ClioConnectDialog(QDialog):
    """Connects the app to Clio: Clio's sign-in and consent pages, then the token exchange.

    Open it with `open()` (window-modal; never `exec()` inside a coroutine). Outcomes:
    `sig_connected` then `accepted` once the tokens are stored; `rejected` when the user closes it
    (Esc, the close button, Cancel), with nothing stored and any exchange still under way ignored.
    Declining on Clio's consent page shows a message with Try again / Close; a page that does not
    load or an exchange that fails shows the reason with Retry.
    """

    sig_connected = Signal()
    """Clio is connected: `ClioAuth.complete` stored the tokens. Emitted once, just before `accepted`."""

    def __init__(self, auth: ClioAuth, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._auth = auth
        self._runner = runner
        self._attempt = 0
        self._completing = False
        self._done = False
        self._task: asyncio.Task[ClioTokens] | None = None
        self.setWindowTitle("Connect to Clio")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumSize(QSize(520, 640))
        self.setSizeGripEnabled(True)

        self.status = QLabel("Loading Clio…", textFormat=Qt.TextFormat.PlainText)  # may name a host
        self.status.setObjectName("clioStatus")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate until Chromium reports progress
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(6)
        self.busy.setAccessibleName("Loading Clio")

        # The view (and so each page) is created before any profile: Qt deletes a parent's children
        # in creation order, and a page must be gone before its profile is.
        self.stack = QStackedWidget()
        self.view = QWebEngineView()
        self.view.setAccessibleName("Clio sign-in")
        self.stack.addWidget(self.view)

        self.denied_panel = _Panel("clioDenied", "Clio not connected")
        self.denied_panel.message.setText(DENIED_MESSAGE)
        self.try_again_button = self.denied_panel.add_button("&Try again", self.retry)
        self.denied_close_button = self.denied_panel.add_button("&Close", self.reject)
        self.stack.addWidget(self.denied_panel)

        self.error_panel = _Panel("clioError", "Could not connect to Clio")
        self.retry_button = self.error_panel.add_button("&Retry", self.retry)
        self.stack.addWidget(self.error_panel)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        # QDialog's own Esc handling never sees the key while Clio's page has the focus: Chromium
        # takes it and does not hand it back. A window shortcut is tried before the page gets it.
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.reject)
        self._escape.setContext(Qt.ShortcutContext.WindowShortcut)

        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.busy)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.buttons)

        self._holder = QObject(self)  # parent of the profiles, created after the view (see above)
        self.profile: QWebEngineProfile | None = None
        self.page: ClioPage | None = None
        self._start()

    # ----- attempts -------------------------------------------------------------------------

    def retry(self) -> None:
        """Start over with a fresh sign-in page (a new off-the-record profile, a new `state`)."""
        if not self._done:
            self._start()

    def _start(self) -> None:
        self._attempt += 1
        self._completing = False
        request = self._auth.begin()
        old_page, old_profile = self.page, self.profile
        profile = QWebEngineProfile(self._holder)  # no storage name: off the record
        page = ClioPage(profile, self._auth.is_redirect, self._auth.app.sign_in_origins, self.view)
        page.loadStarted.connect(self._load_started)
        page.loadProgress.connect(self._load_progress)
        page.loadingChanged.connect(self._loading_changed)
        page.sig_redirect.connect(self._redirected, Qt.ConnectionType.QueuedConnection)
        self.profile, self.page = profile, page
        self.view.setPage(page)
        self._release(old_page, old_profile)
        self.stack.setCurrentWidget(self.view)
        self.view.setEnabled(True)
        self._set_loading(True, "Loading Clio…")
        page.load(QUrl(request.url))

    @staticmethod
    def _release(page: ClioPage | None, profile: QWebEngineProfile | None) -> None:
        # The page first, at once; the profile only afterwards (Chromium warns otherwise).
        if page is not None and shiboken6.isValid(page):
            shiboken6.delete(page)
        if profile is not None and shiboken6.isValid(profile):
            profile.deleteLater()

    # ----- loading --------------------------------------------------------------------------

    def _current(self) -> bool:
        sender = self.sender()
        return not self._done and (sender is None or sender is self.page)

    def _load_started(self) -> None:
        if self._current() and not self._completing:
            self._set_loading(True, "Loading Clio…")

    def _load_progress(self, percent: int) -> None:
        if self._current() and not self._completing and 0 < percent < 100:
            self.busy.setRange(0, 100)
            self.busy.setValue(percent)

    def _loading_changed(self, info: QWebEngineLoadingInfo) -> None:
        if not self._current() or self._completing:
            return
        status = info.status()
        if status == QWebEngineLoadingInfo.LoadStatus.LoadSucceededStatus:
            self._set_loading(False, self._loaded_text(info.url()))
        elif status == QWebEngineLoadingInfo.LoadStatus.LoadStoppedStatus:
            self._set_loading(False, "")
        elif status == QWebEngineLoadingInfo.LoadStatus.LoadFailedStatus:
            domain, code = info.errorDomain(), info.errorCode()
            if domain == QWebEngineLoadingInfo.ErrorDomain.InternalErrorDomain or code == _ERR_ABORTED:
                # We cancelled it (the caught redirect, a link sent to the browser): not a failure.
                self._set_loading(False, "")
                return
            log.info("Clio page failed to load: %s %s %s", domain.name, code, info.errorString())
            url = info.url()
            # The firm's identity provider (single sign-on) is named as itself, not as Clio.
            who = (
                "Clio" if self.page is None or self.page.is_clio(url) else (url.host() or "The sign-in page")
            )
            if domain == QWebEngineLoadingInfo.ErrorDomain.HttpStatusCodeDomain:
                message = (
                    f"{who} is having trouble (error {code}). Try again in a few minutes."
                    if code >= 500
                    else f"{who} refused the sign-in page (error {code}). Retry to start again."
                )
            elif who == "Clio":
                message = UNREACHABLE_MESSAGE
            else:
                message = f"Cannot reach {who}, where Clio sent the sign-in. Check your connection and retry."
            self._show_error(message)

    def _loaded_text(self, url: QUrl) -> str:
        if self.page is None or self.page.is_clio(url):
            return "Sign in to Clio and allow the connection."
        # No address bar: say whose page asks for the password.
        port = url.port()
        host = url.host() if port == -1 else f"{url.host()}:{port}"
        return f"Signing in at {host} for Clio."

    def _set_loading(self, loading: bool, text: str) -> None:
        if loading:
            self.busy.setRange(0, 0)
        self.busy.setVisible(loading)
        self.status.setText(text)

    # ----- the redirect ---------------------------------------------------------------------

    def _redirected(self, url: str) -> None:
        if self._done or self._completing:
            return  # a second redirect (double click) while the first is being exchanged
        self._completing = True
        self.view.setEnabled(False)
        self._set_loading(True, "Connecting to Clio…")
        attempt = self._attempt
        self._task = self._runner.run(
            self,
            self._auth.complete(url),
            on_success=lambda tokens: self._completed(attempt, tokens),
            on_error=lambda error: self._failed(attempt, error),
        )

    def _completed(self, attempt: int, _tokens: ClioTokens) -> None:
        # The runner drops results for a deleted dialog; a closed or restarted one ignores them too.
        if self._done or attempt != self._attempt:
            return
        self._set_loading(False, "Connected to Clio.")
        self.sig_connected.emit()
        self.accept()

    def _failed(self, attempt: int, error: ServiceError) -> bool:
        if self._done or attempt != self._attempt:
            return True
        self._completing = False
        if isinstance(error, ClioAuthorizationDenied):
            self._set_loading(False, "")
            self.stack.setCurrentWidget(self.denied_panel)
            self.try_again_button.setFocus()
        else:
            self._show_error(error.user_message)
        return True

    def _show_error(self, message: str) -> None:
        self._set_loading(False, "")
        self.error_panel.message.setText(message)
        self.stack.setCurrentWidget(self.error_panel)
        self.retry_button.setFocus()

    # ----- closing --------------------------------------------------------------------------

    def done(self, result: int) -> None:
        """Accepted or rejected: stop the page so nothing more loads or runs behind a closed pop-up.

        Closing while the code is being exchanged cancels the exchange, so a pop-up the user
        closed never leaves a connection behind.
        """
        self._done = True
        if self._task is not None and not self._task.done():
            self._task.cancel()
        if self.page is not None and shiboken6.isValid(self.page):
            self.page.triggerAction(QWebEnginePage.WebAction.Stop)
        super().done(result)


def open_clio_connect(
    parent: QWidget | None, auth: ClioAuth, runner: TaskRunner, on_connected: Callable[[], None]
) -> ClioConnectDialog:
    """Open the pop-up without blocking (window-modal over `parent`) and return it.

    `on_connected` runs once Clio is connected; a cancelled or declined pop-up simply closes. The
    dialog deletes itself (and its browser) when it closes.
    """
    dialog = ClioConnectDialog(auth, runner, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.sig_connected.connect(on_connected)
    dialog.open()
    return dialog
