"""The Clio pop-up, for real: QtWebEngine offscreen against the Clio emulator's own pages.

The page is driven the way a user would, through its DOM (fill the fields, click the buttons), and
the outcome is read from what the dialog shows, what the page committed and what the token store
holds. With SAVE_SCREENSHOTS=1 the sign-in, consent and identity provider pages are saved to
docs/screenshots/.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
from PySide6.QtWidgets import QDialog, QWidget

from app.services import http
from app.services.clio.auth import ClioApp, ClioAuth
from app.services.clio.oauth import same_endpoint
from app.services.secrets import MemoryTokenStore, SecretKey, SecretKind, load_clio_tokens
from app.views.clio_connect import (
    DENIED_MESSAGE,
    UNREACHABLE_MESSAGE,
    ClioConnectDialog,
    ClioPage,
    open_clio_connect,
)
from app.views.tasks import TaskRunner
from sandbox.clio.sso import HELP_URL
from sandbox.seed import firm

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
SIGN_IN_TITLE = "Sign in - Clio"
CONSENT_TITLE = f"Authorize {firm.CLIO_APP_NAME} - Clio"
PROVIDER_SIGN_IN_TITLE = f"Sign in - {firm.FIRM_NAME}"
CLIO_TOKENS = {SecretKind.CLIO_ACCESS, SecretKind.CLIO_REFRESH}
ACCOUNT = "paralegal@harborvale.example"

# Chromium starting its GPU side on a machine without one (offscreen, CI): it says so, then renders
# in software. Only these exact lines are tolerated; any other Qt warning still fails a test.


class RecordingTokenStore(MemoryTokenStore):
    """A memory token store that remembers every kind of secret ever written."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[SecretKind] = []

    def set(self, key: SecretKey, value: str) -> None:
        self.written.append(key.kind)
        super().set(key, value)


@pytest.fixture
def clio(sandbox_world: Any) -> Any:
    return sandbox_world.endpoints.clio


@pytest.fixture
def store() -> RecordingTokenStore:
    return RecordingTokenStore()


@pytest.fixture
def auth(
    clio: Any, store: RecordingTokenStore, qtbot: Any, qloop: asyncio.AbstractEventLoop
) -> Iterator[ClioAuth]:
    """The real OAuth service in direct mode (the sandbox app's own keys), tokens in memory."""
    app = ClioApp.direct("US", clio.client_id, clio.redirect_uri, origin=clio.base_url)
    auth = ClioAuth(app, store, ACCOUNT, client_secret=lambda: firm.CLIO_CLIENT_SECRET)
    yield auth
    closing = asyncio.ensure_future(auth.aclose())
    qtbot.waitUntil(closing.done)


@pytest.fixture
def presented() -> list[str]:
    return []


@pytest.fixture
def runner(qtbot: Any, qloop: asyncio.AbstractEventLoop, presented: list[str]) -> Iterator[TaskRunner]:
    runner = TaskRunner(lambda _owner, message: presented.append(message))
    yield runner
    closing = asyncio.ensure_future(runner.shutdown())
    qtbot.waitUntil(closing.done)


@pytest.fixture(autouse=True)
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """URLs handed to the system browser (none is really opened, in any test)."""
    urls: list[str] = []

    def open_url(url: QUrl) -> bool:
        urls.append(url.toString())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    return urls


class Popup:
    """The dialog under test plus what it did: pages committed, signals seen."""

    def __init__(self, qtbot: Any, dialog: ClioConnectDialog) -> None:
        self.qtbot = qtbot
        self.dialog = dialog
        self.committed: list[str] = []
        self.connected: list[bool] = []
        self.loading_seen = False
        dialog.view.urlChanged.connect(lambda url: self.committed.append(url.toString()))
        dialog.sig_connected.connect(lambda: self.connected.append(True))
        dialog.view.loadStarted.connect(self._note_loading)

    def _note_loading(self) -> None:
        self.loading_seen = self.loading_seen or self.dialog.busy.isVisibleTo(self.dialog)

    def js(self, code: str) -> Any:
        """Run `code` in the page and return its value (waits outside any coroutine)."""
        results: list[Any] = []
        page = self.dialog.page
        assert page is not None
        page.runJavaScript(code, 0, results.append)
        self.qtbot.waitUntil(lambda: bool(results), timeout=5000)
        return results[0]

    def wait_title(self, title: str) -> None:
        """Wait until the page shows the Clio page with this title and has finished loading."""
        self.qtbot.waitUntil(
            lambda: (
                self.dialog.page is not None
                and self.dialog.page.title() == title
                and self.dialog.stack.currentWidget() is self.dialog.view
                and not self.dialog.busy.isVisibleTo(self.dialog)
            ),
            timeout=10_000,
        )

    def text(self) -> str:
        # Between two pages there is briefly no body.
        return str(self.js("document.body ? document.body.innerText : ''"))

    def sign_in(self, email: str, password: str) -> None:
        self.wait_title(SIGN_IN_TITLE)
        self.js(
            f"document.getElementById('email').value = {json.dumps(email)};"
            f"document.getElementById('password').value = {json.dumps(password)};"
            "document.getElementById('sign-in').click(); true"
        )

    def click(self, element_id: str) -> None:
        self.js(f"document.getElementById({json.dumps(element_id)}).click(); true")

    def screenshot(self, name: str) -> None:
        if os.environ.get("SAVE_SCREENSHOTS") != "1":
            return
        self.qtbot.wait(300)  # let the software rasteriser paint the page just loaded
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        assert self.dialog.grab().save(str(SCREENSHOTS / name))


def _open_popup(qtbot: Any, auth: ClioAuth, runner: TaskRunner) -> Popup:
    dialog = ClioConnectDialog(auth, runner)
    qtbot.addWidget(dialog)
    dialog.resize(560, 720)
    result = Popup(qtbot, dialog)
    dialog.open()
    return result


@pytest.fixture
def popup(qtbot: Any, auth: ClioAuth, runner: TaskRunner) -> Popup:
    return _open_popup(qtbot, auth, runner)


@pytest.fixture
def sso_popup(qtbot: Any, auth: ClioAuth, runner: TaskRunner, sandbox_world: Any) -> Popup:
    """The pop-up against a Clio that signs the firm's people in at their identity provider."""
    sandbox_world.clio_faults.update({"sso_login": True})
    return _open_popup(qtbot, auth, runner)


def clio_tokens_written(store: RecordingTokenStore) -> bool:
    return bool(CLIO_TOKENS & set(store.written))


def test_sign_in_and_allow_connects_without_loading_the_redirect(
    popup: Popup, auth: ClioAuth, store: RecordingTokenStore, clio: Any, qtbot: Any
) -> None:
    dialog = popup.dialog
    assert dialog.windowTitle() == "Connect to Clio"
    assert dialog.profile is not None and dialog.profile.isOffTheRecord()
    popup.wait_title(SIGN_IN_TITLE)
    assert popup.loading_seen, "no loading indicator while Clio's page loaded"
    popup.js(f"document.getElementById('email').value = {json.dumps(clio.demo_user.email)}; true")
    popup.screenshot("clio-sign-in.png")

    popup.sign_in(clio.demo_user.email, clio.demo_user.password)
    popup.wait_title(CONSENT_TITLE)
    assert "would like to access your Clio account" in popup.text()
    popup.screenshot("clio-consent.png")

    with qtbot.waitSignals([dialog.sig_connected, dialog.accepted], order="strict", timeout=10_000):
        popup.click("allow")

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert popup.connected == [True]
    assert auth.connected
    assert set(store.written) >= CLIO_TOKENS
    stored = load_clio_tokens(store, ACCOUNT)
    assert stored is not None
    assert stored.region == "US"
    assert popup.committed, "the page never committed a URL"
    assert not [url for url in popup.committed if url.startswith(clio.redirect_uri)]


def test_deny_shows_a_friendly_message_and_try_again_starts_over(
    popup: Popup, auth: ClioAuth, store: RecordingTokenStore, clio: Any, qtbot: Any
) -> None:
    dialog = popup.dialog
    popup.sign_in(clio.demo_user.email, clio.demo_user.password)
    popup.wait_title(CONSENT_TITLE)
    popup.click("deny")

    qtbot.waitUntil(lambda: dialog.stack.currentWidget() is dialog.denied_panel, timeout=10_000)
    assert dialog.denied_panel.message.text() == DENIED_MESSAGE
    assert dialog.isVisible()
    assert not auth.connected
    assert not clio_tokens_written(store)
    assert popup.connected == []
    assert not [url for url in popup.committed if url.startswith(clio.redirect_uri)]

    first_profile = dialog.profile
    dialog.try_again_button.click()
    # A fresh off-the-record profile: Clio's session cookie is gone, so it asks to sign in again.
    popup.wait_title(SIGN_IN_TITLE)
    assert dialog.profile is not first_profile
    assert "Sign in to Clio" in popup.text()


def test_wrong_password_stays_on_clios_sign_in_page(
    popup: Popup, auth: ClioAuth, store: RecordingTokenStore, clio: Any
) -> None:
    popup.sign_in(clio.demo_user.email, "not-the-password")
    popup.qtbot.waitUntil(lambda: "Invalid email or password." in popup.text(), timeout=10_000)

    dialog = popup.dialog
    assert dialog.page is not None and dialog.page.title() == SIGN_IN_TITLE
    assert dialog.stack.currentWidget() is dialog.view
    assert dialog.isVisible()
    assert not auth.connected
    assert not clio_tokens_written(store)


@pytest.mark.parametrize("how", ["escape", "escape-in-page", "cancel", "window"])
def test_closing_the_popup_cancels_and_stores_nothing(
    popup: Popup, auth: ClioAuth, store: RecordingTokenStore, clio: Any, qtbot: Any, how: str
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialogButtonBox

    dialog = popup.dialog
    popup.wait_title(SIGN_IN_TITLE)
    with qtbot.waitSignal(dialog.rejected):
        if how == "escape":
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        elif how == "escape-in-page":
            # Typing in Clio's email field: Chromium gets the key first and passes Esc on. Put the
            # caret there ourselves: the page's autofocus may land before or after the view has
            # focus, depending on how busy the machine is.
            target = dialog.view.focusProxy()
            assert target is not None
            target.setFocus()
            qtbot.waitUntil(
                lambda: (
                    popup.js("document.getElementById('email').focus(); document.activeElement.id") == "email"
                )
            )
            qtbot.keyClick(target, Qt.Key.Key_Escape)
        elif how == "cancel":
            cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
            qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
        else:
            dialog.close()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not auth.connected
    assert not clio_tokens_written(store)


def test_closing_while_the_code_is_exchanged_ignores_the_result(
    popup: Popup,
    auth: ClioAuth,
    store: RecordingTokenStore,
    clio: Any,
    qtbot: Any,
    sandbox_world: Any,
    runner: TaskRunner,
) -> None:
    dialog = popup.dialog
    popup.sign_in(clio.demo_user.email, clio.demo_user.password)
    popup.wait_title(CONSENT_TITLE)
    sandbox_world.clio_faults.update({"latency_ms": 400})  # time to close while the exchange runs
    popup.click("allow")
    qtbot.waitUntil(lambda: runner.running == 1, timeout=10_000)
    assert dialog.status.text() == "Connecting to Clio…"

    with qtbot.waitSignal(dialog.rejected):
        dialog.reject()
    qtbot.waitUntil(lambda: runner.running == 0, timeout=10_000)
    assert popup.connected == []
    assert not auth.connected
    assert not clio_tokens_written(store)


def test_other_hosts_open_in_the_system_browser(popup: Popup, opened: list[str], clio: Any) -> None:
    dialog = popup.dialog
    popup.wait_title(SIGN_IN_TITLE)

    popup.js("window.location = 'https://example.org/help'; true")
    popup.qtbot.waitUntil(lambda: opened == ["https://example.org/help"])
    popup.js("window.open('https://example.org/new-window'); true")
    popup.qtbot.waitUntil(lambda: len(opened) == 2)
    assert opened[1] == "https://example.org/new-window"
    # Local files are never handed to the system, whatever the page asks.
    popup.js("window.location = 'file:///etc/passwd'; true")
    popup.wait_title(SIGN_IN_TITLE)

    assert len(opened) == 2
    assert dialog.page is not None and dialog.page.url().toString().startswith(clio.base_url)
    assert all(url.startswith(clio.base_url) for url in popup.committed)
    assert dialog.stack.currentWidget() is dialog.view
    assert "Sign in to Clio" in popup.text()


def test_sign_in_through_the_firms_identity_provider_stays_in_the_popup(
    sso_popup: Popup, auth: ClioAuth, clio: Any, opened: list[str], qtbot: Any
) -> None:
    popup, dialog = sso_popup, sso_popup.dialog
    provider = clio.identity_provider_url
    assert QUrl(provider).port() != QUrl(clio.base_url).port()  # another origin than Clio's
    popup.wait_title(SIGN_IN_TITLE)
    assert popup.js("document.getElementById('password') === null")  # Clio asks for the email only
    popup.js(
        f"document.getElementById('email').value = {json.dumps(clio.demo_user.email)};"
        "document.getElementById('sign-in').click(); true"
    )

    # Clio redirects to the provider: its page loads in here, not in the system browser.
    popup.wait_title(PROVIDER_SIGN_IN_TITLE)
    page = dialog.page
    assert page is not None and page.url().toString().startswith(f"{provider}/saml/sso?")
    assert opened == []
    assert dialog.status.text() == f"Signing in at {QUrl(provider).authority()} for Clio."
    assert "Sign in to continue to Clio" in popup.text()
    popup.screenshot("clio-sso-provider.png")

    # A link on the provider's page to yet another host still goes to the system browser.
    popup.click("help")
    qtbot.waitUntil(lambda: opened == [HELP_URL])
    assert page.url().toString().startswith(provider) and page.title() == PROVIDER_SIGN_IN_TITLE

    # The provider's sign-in posts back to Clio by itself, and Clio carries on to its consent page.
    popup.js(
        f"document.getElementById('password').value = {json.dumps(clio.demo_user.password)};"
        "document.getElementById('idp-sign-in').click(); true"
    )
    popup.wait_title(CONSENT_TITLE)
    assert dialog.status.text() == "Sign in to Clio and allow the connection."
    with qtbot.waitSignals([dialog.sig_connected, dialog.accepted], order="strict", timeout=10_000):
        popup.click("allow")

    assert auth.connected
    assert opened == [HELP_URL]
    assert any(url.startswith(provider) for url in popup.committed)
    assert not [url for url in popup.committed if url.startswith(clio.redirect_uri)]


def test_an_identity_provider_that_cannot_be_reached_is_named_as_itself(
    sso_popup: Popup, sandbox_world: Any, clio: Any, qtbot: Any
) -> None:
    """Clio sends the sign-in to the firm's identity provider, which is down: the error says so,
    naming that host (not "Cannot reach Clio", which is up)."""
    popup, dialog = sso_popup, sso_popup.dialog
    popup.wait_title(SIGN_IN_TITLE)
    provider = sandbox_world._servers[2]  # Clio, LegalConnect, then the identity provider
    provider.should_exit = True
    qtbot.waitUntil(lambda: not provider.started or provider.should_exit, timeout=5_000)
    host = QUrl(clio.identity_provider_url).host()
    for _attempt in range(50):  # until it stops answering
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex((host, QUrl(clio.identity_provider_url).port())) != 0:
                break
        qtbot.wait(100)
    popup.js(
        f"document.getElementById('email').value = {json.dumps(clio.demo_user.email)};"
        "document.getElementById('sign-in').click(); true"
    )
    qtbot.waitUntil(lambda: dialog.stack.currentWidget() is dialog.error_panel, timeout=10_000)
    assert dialog.error_panel.message.text() == (
        f"Cannot reach {host}, where Clio sent the sign-in. Check your connection and retry."
    )


def test_the_popup_keeps_clios_sign_in_and_the_provider_clio_hands_it_to(
    qtbot: Any, opened: list[str]
) -> None:
    """Which navigations stay in the pop-up, asked of the page the way Chromium asks it."""
    app = ClioApp.direct("EU", "firm-app")
    kind = QWebEnginePage.NavigationType
    owner = QWidget()  # parent of the profile; each page is deleted before it
    qtbot.addWidget(owner)
    profile = QWebEngineProfile(owner)

    def attempt() -> ClioPage:
        # The redirect test `ClioAuth.is_redirect` makes, without a connection pool.
        return ClioPage(profile, lambda url: same_endpoint(url, app.redirect_uri), app.sign_in_origins, owner)

    page = attempt()

    def stays(url: str, how: QWebEnginePage.NavigationType = kind.NavigationTypeLinkClicked) -> bool:
        return bool(page.acceptNavigationRequest(QUrl(url), how, True))

    assert stays("https://eu.app.clio.com/oauth/authorize?client_id=firm-app", kind.NavigationTypeTyped)
    assert stays("https://eu.account.clio.com/login")  # Clio Identity for the region, even by a link
    assert not stays("https://login.microsoftonline.com/firm-tenant/saml2")  # a link elsewhere
    # Clio hands the sign-in to the firm's provider: by a redirect, or a self-submitting form.
    assert stays(
        "https://login.microsoftonline.com/firm-tenant/saml2?SAMLRequest=r", kind.NavigationTypeRedirect
    )
    assert stays("https://login.microsoftonline.com/firm-tenant/reprocess")  # that provider's own links
    assert stays("https://sts.firm.example/adfs/ls/", kind.NavigationTypeFormSubmitted)  # federated on
    assert not stays("http://sso.firm.example/login", kind.NavigationTypeRedirect)  # plain http, not here
    assert not stays("https://www.firm.example/help")
    assert not stays("https://eu.app.clio.com/oauth/approval?code=c&state=s", kind.NavigationTypeRedirect)
    assert opened == [
        "https://login.microsoftonline.com/firm-tenant/saml2",
        "http://sso.firm.example/login",
        "https://www.firm.example/help",
    ]

    # "Try again" starts a new page that has been handed to no provider yet.
    shiboken6.delete(page)
    page = attempt()
    assert not stays("https://login.microsoftonline.com/firm-tenant/reprocess")
    shiboken6.delete(page)


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ({"error_rate": 1.0}, "Clio is having trouble (error 503)"),
        ({"drop_rate": 1.0}, "Cannot reach Clio"),
    ],
)
def test_a_page_that_fails_to_load_offers_retry(
    qtbot: Any,
    auth: ClioAuth,
    runner: TaskRunner,
    sandbox_world: Any,
    fault: dict[str, float],
    message: str,
) -> None:
    sandbox_world.clio_faults.update(fault)
    dialog = ClioConnectDialog(auth, runner)
    qtbot.addWidget(dialog)
    popup = Popup(qtbot, dialog)
    dialog.open()

    qtbot.waitUntil(lambda: dialog.stack.currentWidget() is dialog.error_panel, timeout=10_000)
    assert message in dialog.error_panel.message.text()
    assert not dialog.busy.isVisibleTo(dialog)

    sandbox_world.clio_faults.update(dict.fromkeys(fault, 0.0))
    dialog.retry_button.click()
    popup.wait_title(SIGN_IN_TITLE)
    assert "Sign in to Clio" in popup.text()


def test_clio_unreachable_shows_the_error_again_on_retry(
    qtbot: Any, clio: Any, store: RecordingTokenStore, runner: TaskRunner
) -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on any more
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = ClioApp.direct("US", clio.client_id, origin=f"http://127.0.0.1:{port}")
    auth = ClioAuth(app, store, ACCOUNT, client_secret=lambda: firm.CLIO_CLIENT_SECRET)
    dialog = ClioConnectDialog(auth, runner)
    qtbot.addWidget(dialog)
    dialog.open()

    qtbot.waitUntil(lambda: dialog.stack.currentWidget() is dialog.error_panel, timeout=10_000)
    assert dialog.error_panel.message.text() == UNREACHABLE_MESSAGE
    dialog.retry_button.click()
    assert dialog.stack.currentWidget() is dialog.view
    assert dialog.busy.isVisibleTo(dialog)
    qtbot.waitUntil(lambda: dialog.stack.currentWidget() is dialog.error_panel, timeout=10_000)
    assert not clio_tokens_written(store)
    closing = asyncio.ensure_future(auth.aclose())
    qtbot.waitUntil(closing.done)


def test_a_failed_exchange_offers_retry(
    popup: Popup,
    auth: ClioAuth,
    store: RecordingTokenStore,
    clio: Any,
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    presented: list[str],
) -> None:
    async def unreachable(_redirect_url: str) -> Any:
        raise http.Unreachable("Clio", "Cannot reach Clio. Check your internet connection and retry.")

    monkeypatch.setattr(auth, "complete", unreachable)
    dialog = popup.dialog
    popup.sign_in(clio.demo_user.email, clio.demo_user.password)
    popup.wait_title(CONSENT_TITLE)
    popup.click("allow")

    qtbot.waitUntil(lambda: dialog.stack.currentWidget() is dialog.error_panel, timeout=10_000)
    assert dialog.error_panel.message.text() == (
        "Cannot reach Clio. Check your internet connection and retry."
    )
    assert presented == []  # shown in the pop-up, not also in the main window
    assert not clio_tokens_written(store)

    monkeypatch.undo()
    dialog.retry_button.click()
    popup.sign_in(clio.demo_user.email, clio.demo_user.password)
    popup.wait_title(CONSENT_TITLE)
    with qtbot.waitSignal(dialog.sig_connected, timeout=10_000):
        popup.click("allow")
    assert auth.connected


def test_open_clio_connect_is_window_modal_and_deletes_itself(
    qtbot: Any, auth: ClioAuth, runner: TaskRunner
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    calls: list[bool] = []

    dialog = open_clio_connect(parent, auth, runner, lambda: calls.append(True))

    assert dialog.isVisible()
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    assert dialog.minimumWidth() >= 520 and dialog.minimumHeight() >= 640
    dialog.reject()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog))
    assert calls == []


def test_the_app_starts_without_qtwebengine() -> None:
    code = (
        "import sys, app.main, app.views.main_window;"
        "print(sorted(m for m in sys.modules if m.startswith('PySide6.QtWebEngine')"
        " or m == 'app.views.clio_connect'))"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "[]"


def test_the_error_panel_shows_the_failures_words_as_text(
    qtbot: Any, auth: ClioAuth, runner: TaskRunner
) -> None:
    from app.services import http
    from tests.views.test_server_text import HOSTILE

    dialog = ClioConnectDialog(auth, runner)
    qtbot.addWidget(dialog)
    dialog._failed(dialog._attempt, http.ServerError("Clio", HOSTILE, 503, "boom"))  # every failure's path
    assert dialog.stack.currentWidget() is dialog.error_panel
    message = dialog.error_panel.message
    assert message.textFormat() is Qt.TextFormat.PlainText and message.text() == HOSTILE
