"""A simulated sign-in through every local layer leaves the password and tokens in no file.

Logging, settings, the SQLite store (database and -wal), the temp dir and the diagnostics text all
see the secrets in the ways real code would hand them over; afterwards every byte under the test's
directories (the app home and the redirected XDG dirs) is searched for them.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from app import config
from app.config import Config
from app.logs import diagnostics, setup_logging
from app.paths import AppPaths
from app.services.keyring_store import KeyringTokenStore, open_token_store
from app.services.secrets import ClioTokens, SecretKey, SecretKind, save_clio_tokens
from app.services.store import CachedOrder, ReturnStep, Store
from tests.helpers.memory_keyring import MemoryKeyring

EMAIL = "pat.doe@firm.example"
PASSWORD = "Tr0ub4dor&3 horse-staple"
SESSION = "lcs_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
CLIO_ACCESS = "clio_at_1234567890abcdefghijklmnopqrstuv"
CLIO_REFRESH = "clio_rt_zyxwvutsrqponmlkjihgfedcba0987654321"
OAUTH_CODE = "oauthcode-QWERTY123456"
OAUTH_STATE = "oauthstate-ASDFGH654321"
SECRETS = [PASSWORD, SESSION, CLIO_ACCESS, CLIO_REFRESH, OAUTH_CODE, OAUTH_STATE]


def _forms(secret: str) -> list[bytes]:
    texts = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    return [form for text in texts for form in (text.encode("utf-8"), text.encode("utf-16-le"))]


def _leaks(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for secret in SECRETS:
            if any(form in data for form in _forms(secret)):
                found.append(f"{path.relative_to(root)} holds {secret[:6]}…")
    return found


def test_sign_in_leaves_no_secret_in_any_file(
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    paths = AppPaths.from_environment().ensure()
    logs = setup_logging(paths.log_file, level="DEBUG")
    settings = Config.open(paths.settings_file)
    secrets, notice = open_token_store()
    assert notice is None and isinstance(secrets, KeyringTokenStore)
    store = Store.open(paths.database_file, scrub=logs.redactor.scrub)
    log = logging.getLogger("app.services.legalconnect.session")
    try:
        # The sign-in dialog: the password is registered before anything can log it.
        logs.redactor.add_secret(PASSWORD)
        settings.set(config.PROVIDER_URL, "http://127.0.0.1:8765/api")
        log.debug("POST /session json=%s", {"email": EMAIL, "password": PASSWORD})
        log.debug("POST /session body=%s", f"email={quote_plus(EMAIL)}&password={quote_plus(PASSWORD)}")
        logs.redactor.add_secret(SESSION)
        log.info("session opened: %s", json.dumps({"token": SESSION, "expires_in": 3600}))
        log.debug(
            "GET /orders headers=%r", {"Authorization": f"Bearer {SESSION}", "Accept": "application/json"}
        )
        # "Remember me": the password goes to the keyring, the email to settings.
        secrets.set(SecretKey(SecretKind.LEGALCONNECT_PASSWORD, EMAIL), PASSWORD)
        secrets.set(SecretKey(SecretKind.LEGALCONNECT_SESSION, EMAIL), SESSION)
        settings.set(config.REMEMBERED_EMAIL, EMAIL)

        # Orders arrive and are cached; a careless payload carries the session.
        store.save_orders(
            [
                CachedOrder(
                    id="o-1",
                    order_number="0001234",
                    status="accepted",
                    case_title="Doe v. Roe",
                    court="Superior Court",
                    submitted_at=datetime(2026, 4, 1, tzinfo=UTC),
                    updated_at=datetime(2026, 4, 2, tzinfo=UTC),
                    payload={"id": "o-1", "session_token": SESSION, "links": {"self": "/orders/o-1"}},
                )
            ]
        )
        store.set_sync_cursor("2026-04-02T00:00:00Z")
        store.save_draft("d-1", {"case": "Doe v. Roe", "auth": {"password": PASSWORD}}, title="Doe v. Roe")

        # Connecting Clio: the redirect, the broker exchange, the tokens.
        log.info("redirect caught: http://127.0.0.1:53682/callback?code=%s&state=%s", OAUTH_CODE, OAUTH_STATE)
        logging.getLogger("httpx").info(
            'HTTP Request: POST https://broker.example/oauth/token?code=%s "HTTP/1.1 200 OK"', OAUTH_CODE
        )
        log.debug(
            "token exchange body grant_type=authorization_code&code=%s&state=%s", OAUTH_CODE, OAUTH_STATE
        )
        logs.redactor.add_secret(CLIO_ACCESS)
        logs.redactor.add_secret(CLIO_REFRESH)
        log.debug("token response %s", {"access_token": CLIO_ACCESS, "refresh_token": CLIO_REFRESH})
        save_clio_tokens(
            secrets,
            EMAIL,
            ClioTokens(CLIO_ACCESS, CLIO_REFRESH, datetime.now(UTC) + timedelta(days=30), "US", 42),
        )
        settings.set(config.CLIO_LAST_LOCATION, "contact:7/matter:42/folder:99")

        # Failures that quote secrets: an exception, a journal error, a warning to stderr.
        try:
            raise PermissionError(f"refresh rejected for {CLIO_REFRESH} (access {CLIO_ACCESS})")
        except PermissionError:
            log.exception("Clio refresh failed")
        log.warning("retrying with Authorization: Bearer %s", CLIO_ACCESS)
        store.journal.record_return_step("dlv-1", "o-1", ReturnStep.SEEN)
        store.journal.record_return_error("dlv-1", "o-1", f"401 for token {CLIO_ACCESS}")

        # A converted document passes through the temp dir.
        converted = paths.temp_file(".pdf")
        converted.write_bytes(b"%PDF-1.7 converted Doe v. Roe\n%%EOF\n")

        report = diagnostics(settings, paths, redactor=logs.redactor)
        for secret in SECRETS:
            assert secret not in report

        # Checked while the database is open (its -wal file holds the recent writes) …
        for handler in logs.handlers:
            handler.flush()
        assert paths.database_file.with_name(paths.database_file.name + "-wal").exists()
        assert _leaks(tmp_path) == []
    finally:
        store.close()
        logs.close()

    # … and after everything is closed.
    assert _leaks(tmp_path) == []
    captured = capsys.readouterr()
    for secret in SECRETS:
        assert secret not in captured.err and secret not in captured.out
    assert "Clio refresh failed" in captured.err  # stderr did get the (scrubbed) warning

    # The secrets are where they belong: the keyring, one entry each.
    held = set(memory_keyring.entries.values())
    assert {PASSWORD, SESSION, CLIO_ACCESS, CLIO_REFRESH} <= held
    assert settings.get(config.REMEMBERED_EMAIL) == EMAIL
    assert paths.log_file.stat().st_size > 0

    # The scan itself can see a leak, in either encoding.
    planted = paths.cache / "planted.bin"
    planted.write_bytes(b"x" + PASSWORD.encode("utf-16-le"))
    assert _leaks(tmp_path) == [f"{planted.relative_to(tmp_path)} holds {PASSWORD[:6]}…"]
