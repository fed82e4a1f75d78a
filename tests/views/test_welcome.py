"""The first-run window offscreen: a valid provider (checked against the sandbox), a bad address,
and trying the sandbox."""

from __future__ import annotations

from typing import Any

from app.views.welcome import WelcomeDialog


def test_a_valid_provider_is_named_then_continue_saves_it(qtbot, sandbox_world: Any) -> None:
    dialog = WelcomeDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.continue_button.isEnabled()
    dialog.address.setText(sandbox_world.endpoints.legalconnect.api_url)
    dialog.check_button.click()
    assert dialog.checking and dialog.busy.isVisible()
    qtbot.waitUntil(lambda: not dialog.checking, timeout=15_000)
    assert "Pacific Crest Legal Services" in dialog.answer.text()
    assert "offers Clio Manage" in dialog.answer.text()
    assert dialog.continue_button.isEnabled()
    dialog.address.setText(dialog.address.text() + "x")  # edited after the check: check again
    assert not dialog.continue_button.isEnabled() and dialog.answer.text() == ""
    dialog.address.setText(sandbox_world.endpoints.legalconnect.api_url)
    dialog.address.returnPressed.emit()
    qtbot.waitUntil(lambda: dialog.continue_button.isEnabled(), timeout=15_000)
    dialog.continue_button.click()
    assert dialog.choice == "provider" and dialog.profile is not None
    assert dialog.profile.url == sandbox_world.endpoints.legalconnect.api_url.rstrip("/")


def test_a_bad_address_says_why_and_nothing_is_chosen(qtbot) -> None:
    dialog = WelcomeDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.address.setText("http://efile.example.com/api/v1")
    dialog.check()
    qtbot.waitUntil(lambda: not dialog.checking, timeout=15_000)
    assert "plain http is only allowed to this computer" in dialog.answer.text()
    assert not dialog.continue_button.isEnabled() and dialog.choice is None
    dialog.reject()
    assert dialog.choice is None


def test_try_the_sandbox(qtbot) -> None:
    dialog = WelcomeDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.sandbox_button.click()
    assert dialog.choice == "sandbox" and not dialog.isVisible()


def test_a_providers_name_with_markup_is_shown_as_written(qtbot) -> None:
    """The profile is the server's words: a name carrying tags is escaped, never rendered."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    name = '<a href="https://evil.example">Pacific</a> <img src="x">'

    class Profile(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"name": name, "clio": {"enabled": False}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Profile)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dialog = WelcomeDialog()
        qtbot.addWidget(dialog)
        dialog.address.setText(f"http://127.0.0.1:{server.server_port}/api/v1")
        dialog.check()
        qtbot.waitUntil(lambda: not dialog.checking, timeout=15_000)
        assert dialog.continue_button.isEnabled()
        assert "&lt;a href=&quot;https://evil.example&quot;&gt;Pacific&lt;/a&gt;" in dialog.answer.text()
        assert "<a href" not in dialog.answer.text()
    finally:
        server.shutdown()
        server.server_close()
