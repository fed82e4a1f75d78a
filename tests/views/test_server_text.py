"""Words from a server are shown as text, never as markup: a message carrying tags, a link or an
image appears exactly as sent. Here the sign-in dialog; the Clio window's error line and the Clio
pop-up's error panel are checked beside their other tests (`HOSTILE` is shared)."""

from __future__ import annotations

from typing import Any

import httpx
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.views.sign_in import SignInDialog
from tests.views.conftest import run

HOSTILE = (
    '<b>Sign-in failed.</b> <img src="https://evil.example/x.png"> <a href="https://evil.example">Reset</a>'
)


def _shows_plain(label: QLabel, text: str) -> None:
    assert label.textFormat() is Qt.TextFormat.PlainText
    assert label.text() == text


class _HostileSignIn(httpx.AsyncBaseTransport):
    """The sandbox, except that the sign-in answers 401 with markup in its message."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/session"):
            body = {"error": {"code": "invalid_credentials", "message": HOSTILE}}
            return httpx.Response(401, json=body)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_the_sign_in_dialog_shows_the_servers_message_as_text(qtbot: Any, make_stack: Any, demo: Any) -> None:
    stack = make_stack(transport=_HostileSignIn())
    run(qtbot, stack.session.load_provider())
    dialog = SignInDialog(stack.session, stack.runner, stack.client.service_name)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.email.setText(demo.email)
    dialog.password.setText("whatever")
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible() and not dialog.running, timeout=15_000)
    _shows_plain(dialog.error, HOSTILE)
