"""The redacting filter: no secret survives into a log line; ordinary text passes untouched."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.logs import LoggingSetup, setup_logging
from app.paths import AppPaths
from app.redaction import REDACTED, Redactor

# (text, the secret inside it) — every way a secret has been seen to reach a log.
SECRET_TEXTS: list[tuple[str, str]] = [
    ("Authorization: Bearer gAAAAABk-access.T0ken_value", "gAAAAABk-access.T0ken_value"),
    ("authorization:Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy"),
    ("Proxy-Authorization: Basic cHJveHk6c2VjcmV0", "cHJveHk6c2VjcmV0"),
    ("sending headers {'Authorization': 'Bearer abc123def456'}", "abc123def456"),
    ("send_request_headers [(b'Host', b'x'), (b'Authorization', b'Bearer zz99yy88xx77')]", "zz99yy88xx77"),
    ("retrying with token Bearer 5f4dcc3b5aa765d61d8327deb882cf99", "5f4dcc3b5aa765d61d8327deb882cf99"),
    ('{"access_token": "at-1a2b3c4d", "token_type": "bearer", "expires_in": 3600}', "at-1a2b3c4d"),
    ('{"refresh_token":"rt-9z8y7x6w","scope":""}', "rt-9z8y7x6w"),
    ('{"id_token": "idtok-55555555"}', "idtok-55555555"),
    ('{"client_id": "app", "client_secret": "cs-shhh-1234"}', "cs-shhh-1234"),
    ('{"email": "pat@firm.example", "password": "Correct Horse 42!"}', "Correct Horse 42!"),
    ('{"password": "with \\"escaped\\" quote"}', 'with \\"escaped\\" quote'),
    ("grant_type=refresh_token&refresh_token=rt-formbody-77&client_id=x", "rt-formbody-77"),
    ("grant_type=authorization_code&code=AUTHCODE123&redirect_uri=http%3A%2F%2F127.0.0.1", "AUTHCODE123"),
    ("email=pat%40firm.example&password=hunter2%21", "hunter2%21"),
    ("GET http://127.0.0.1:5000/callback?code=cb-code-42&state=st-ate-99 200", "cb-code-42"),
    ("GET http://127.0.0.1:5000/callback?code=cb-code-42&state=st-ate-99 200", "st-ate-99"),
    ("params={'code': 'pcode-31337', 'state': 'pstate-31337'}", "pcode-31337"),
    (
        "PUT https://storage.example/b/k?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=abcdef0123456789",
        "abcdef0123456789",
    ),
    ("https://blob.example/c/f.pdf?sv=2024&sig=azSig%2Bvalue%3D&se=2026", "azSig%2Bvalue%3D"),
    ("download https://files.example/x.pdf?signature=sg-7777&expires=1", "sg-7777"),
    ("download https://files.example/x.pdf?token=dl-tok-8888", "dl-tok-8888"),
    ("Cookie: session=abc; csrftoken=def", "session=abc"),
    ("Set-Cookie: sid=sid-value-123; HttpOnly", "sid-value-123"),
    ('{"cookie": "sid=cookie-json-1"}', "sid=cookie-json-1"),
    ("login(email='pat@firm.example', password='kw-pass-555')", "kw-pass-555"),
    ("password: free-text-pw", "free-text-pw"),
    ("refresh_token: rt-free-text-1", "rt-free-text-1"),
    ("connecting to https://bob:url-pass-1@proxy.example:8080/", "url-pass-1"),
    ("got eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N", "eyJhbGciOiJIUzI1NiJ9"),
]

BENIGN_TEXTS = [
    "Order 0001234 accepted by Superior Court of Alameda",
    "HTTP Request: GET https://app.clio.com/api/v4/matters.json?fields=id,display_number&limit=200 200 OK",
    "status code: 404, retrying in 2.5 s",
    "order state changed from submitted to under_review",
    "Basic information about the case",
    "status_code=500 error_code=E42",
    "filed 3 documents into Returned from Acme Attorney Services/Order-0001234",
    'fee lines {"fee_line_id": "f-1", "amount": "435.00", "kind": "court_filing_fee"}',
    "bearer of good news",
    "uploaded 1,234,567 bytes in 0.8 s",
]


@pytest.mark.parametrize(("text", "secret"), SECRET_TEXTS)
def test_patterns_scrub_every_secret(text: str, secret: str) -> None:
    scrubbed = Redactor().scrub(text)
    assert secret not in scrubbed
    assert REDACTED in scrubbed


@pytest.mark.parametrize("text", BENIGN_TEXTS)
def test_benign_text_is_untouched(text: str) -> None:
    assert Redactor().scrub(text) == text


def test_scrubbing_is_idempotent() -> None:
    redactor = Redactor()
    for text, _secret in SECRET_TEXTS:
        once = redactor.scrub(text)
        assert redactor.scrub(once) == once


def test_registered_secrets_are_scrubbed_in_every_encoding() -> None:
    redactor = Redactor()
    password = 'p@ss wörd&"x"'
    redactor.add_secret(password)
    redactor.add_secret("abc")  # too short to register: would wreck ordinary text
    texts = [
        f"user typed {password} somewhere odd",
        "form email=a%40b&pw=p%40ss%20w%C3%B6rd%26%22x%22",
        "form pw=p%40ss+w%C3%B6rd%26%22x%22",
        "json " + json.dumps({"note": password}),
    ]
    for text in texts:
        scrubbed = redactor.scrub(text)
        assert "p@ss" not in scrubbed and "p%40ss" not in scrubbed, scrubbed
    assert redactor.scrub("abc def") == "abc def"
    redactor.discard_secret(password)
    assert redactor.scrub(f"x {password}") == f"x {password}"


@pytest.fixture
def logged(tmp_path: Path) -> Iterator[LoggingSetup]:
    setup = setup_logging(AppPaths.from_environment().log_file, level="DEBUG", stderr=False)
    yield setup
    setup.close()


def _log_text(setup: LoggingSetup) -> str:
    for handler in setup.handlers:
        handler.flush()
    return setup.log_file.read_text(encoding="utf-8")


def test_secrets_in_messages_args_and_tracebacks_never_reach_the_file(
    logged: LoggingSetup, caplog: pytest.LogCaptureFixture
) -> None:
    log = logging.getLogger("app.test_redaction")
    logged.redactor.add_secret("Live-Password-Only-Known-At-Runtime")
    for text, _secret in SECRET_TEXTS:
        log.info(text)  # as the message itself
        log.info("as an argument: %s", text)  # through %-args
        log.debug("as a repr: %r and %s", {"body": text}, [text])
    try:
        raise ValueError(
            "token refresh failed for refresh_token=rt-in-exception-1 with Bearer exc-bearer-12345"
        )
    except ValueError:
        log.exception("refresh blew up")
    try:
        raise RuntimeError("Live-Password-Only-Known-At-Runtime")
    except RuntimeError as error:
        log.warning("with exc_info", exc_info=error)
    log.info("stack here", stack_info=True, extra={})
    log.info("live secret %s inline", "Live-Password-Only-Known-At-Runtime")
    log.info("broken format %s %s", "only-one-arg password=broken-fmt-pw")

    text = _log_text(logged)
    for _text, secret in SECRET_TEXTS:
        assert secret not in text
    for secret in (
        "rt-in-exception-1",
        "exc-bearer-12345",
        "Live-Password-Only-Known-At-Runtime",
        "broken-fmt-pw",
    ):
        assert secret not in text
    assert "Traceback (most recent call last)" in text
    assert "refresh blew up" in text
    assert "ValueError" in text
    # Records are scrubbed in place, so handlers after ours (here pytest's) see the clean text too.
    assert all("Live-Password-Only-Known-At-Runtime" not in r.getMessage() for r in caplog.records)


def test_third_party_loggers_are_redacted_too(logged: LoggingSetup) -> None:
    logging.getLogger("httpx").info(
        'HTTP Request: %s %s "%s %d %s"',
        "GET",
        "http://127.0.0.1/cb?code=tp-code-1&state=tp-state-1",
        "HTTP/1.1",
        200,
        "OK",
    )
    text = _log_text(logged)
    assert "tp-code-1" not in text and "tp-state-1" not in text
    assert "HTTP Request: GET http://127.0.0.1/cb?code=" in text


def test_benign_lines_reach_the_file_verbatim(logged: LoggingSetup) -> None:
    for line in BENIGN_TEXTS:
        logging.getLogger("app.test_redaction").info("%s", line)
    text = _log_text(logged)
    for line in BENIGN_TEXTS:
        assert line in text
