"""Scrubbing secrets out of text before it reaches a log file, stderr or a diagnostics report.

Two layers: patterns that recognise where secrets sit (Authorization headers, bearer tokens,
`password`/`*_token`/`client_secret`/`code`/`state` values in JSON, reprs, form bodies and query
strings, signed-URL signatures, cookies, JWTs, passwords in URLs), and a registry of known live
secrets (`Redactor.add_secret`) scrubbed wherever they appear verbatim or percent/JSON-escaped.
Redacting by pattern errs towards removing too much: a log line missing a harmless value costs
less than one carrying a token.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from urllib.parse import quote, quote_plus

REDACTED = "«redacted»"

#: Secrets shorter than this are not registered: scrubbing every "a" would wreck the log, and
#: nothing we hold (passwords, tokens) is legitimately that short.
MIN_SECRET_LENGTH = 4

# A key that names a secret. `code`, `state`, `sig` and `session` only as whole keys, so that
# `status_code` or `order_state` stay readable.
_KEY = (
    r"(?:[\w.-]*(?:password|passwd|secret|token|signature|credential|api[_-]?key|apikey|cookie"
    r"|authorization)[\w.-]*|code|state|sig|session|sessionid|code_verifier|assertion)"
)
# The same minus `code`/`state`/`session`, for the loose `key: value` form of free text, where
# "status code: 404" is common and harmless.
_STRONG_KEY = r"(?:[\w.-]*(?:password|passwd|secret|token|api[_-]?key|apikey)[\w.-]*)"
_QUOTED = r"(?P<q>[\"'])(?P<v>(?:\\.|(?!(?P=q)).)*)(?P=q)"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Header lines: "Authorization: Bearer …", "Cookie: a=b; c=d" — the whole value, to end of line.
    (
        re.compile(
            r"(?P<k>(?<![\w-])(?:proxy-authorization|authorization|set-cookie|cookie|x-api-key)\s*:[ \t]*)"
            r"(?P<v>[^\r\n]+)",
            re.IGNORECASE,
        ),
        r"\g<k>" + REDACTED,
    ),
    # Header tuples as httpcore logs them: (b'authorization', b'Bearer …').
    (
        re.compile(r"(?P<k>b?[\"']" + _KEY + r"[\"']\s*,\s*b?)" + _QUOTED, re.IGNORECASE),
        r"\g<k>\g<q>" + REDACTED + r"\g<q>",
    ),
    # JSON, Python reprs and keyword arguments: "password": "…", 'code': '…', token='…'.
    (
        re.compile(r"(?P<k>(?<![\w.-])[\"']?" + _KEY + r"[\"']?\s*[:=]\s*)" + _QUOTED, re.IGNORECASE),
        r"\g<k>\g<q>" + REDACTED + r"\g<q>",
    ),
    # Query strings and form bodies: ?code=…&state=…, X-Amz-Signature=…, password=….
    (
        re.compile(r"(?P<k>(?<![\w.-])" + _KEY + r"=)(?P<v>[^\s&#;,\"'<>()\[\]{}]+)", re.IGNORECASE),
        r"\g<k>" + REDACTED,
    ),
    # Free text: "password: hunter2", "refresh_token: abc".
    (
        re.compile(
            r"(?P<k>(?<![\w.-])" + _STRONG_KEY + r"\s*:\s*)(?P<v>[^\s,;\"'{}\[\]()«]+)", re.IGNORECASE
        ),
        r"\g<k>" + REDACTED,
    ),
    # Bearer tokens wherever they stand.
    (re.compile(r"(?P<k>\bbearer\s+)(?P<v>[\w\-.~+/]{8,}=*)", re.IGNORECASE), r"\g<k>" + REDACTED),
    # Basic credentials (base64 with a digit or padding, so "Basic information" is left alone).
    (
        re.compile(r"(?P<k>\bBasic\s+)(?P<v>(?=[A-Za-z+/]*[0-9+/=])[A-Za-z0-9+/]{8,}=*)"),
        r"\g<k>" + REDACTED,
    ),
    # JSON Web Tokens on their own.
    (re.compile(r"\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*"), REDACTED),
    # Passwords inside URLs: scheme://user:password@host.
    (
        re.compile(r"(?P<k>\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)(?P<v>[^/\s@]+)(?=@)", re.IGNORECASE),
        r"\g<k>" + REDACTED,
    ),
)


class Redactor:
    """Scrubs secrets from text: known patterns, plus the live secrets registered with `add_secret`.

    Thread-safe: registration may happen on any thread while log records are scrubbed on others.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._literal: re.Pattern[str] | None = None

    def add_secret(self, value: str | None) -> None:
        """Scrub this exact value (and its percent- and JSON-escaped forms) from now on."""
        if not value or len(value) < MIN_SECRET_LENGTH:
            return
        forms = {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}
        with self._lock:
            if forms <= self._secrets:
                return
            self._secrets |= forms
            ordered = sorted(self._secrets, key=len, reverse=True)  # longest first: no partial leftovers
            self._literal = re.compile("|".join(re.escape(item) for item in ordered))

    def discard_secret(self, value: str) -> None:
        """Stop scrubbing a value that is no longer a secret (e.g. a revoked token) — rarely needed."""
        forms = {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}
        with self._lock:
            self._secrets -= forms
            ordered = sorted(self._secrets, key=len, reverse=True)
            self._literal = re.compile("|".join(re.escape(item) for item in ordered)) if ordered else None

    def scrub(self, text: str) -> str:
        """`text` with every recognised or registered secret replaced by «redacted»."""
        literal = self._literal
        if literal is not None:
            text = literal.sub(REDACTED, text)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text


_TRACEBACK_FORMATTER = logging.Formatter()


class RedactingFilter(logging.Filter):
    """A handler filter that scrubs a record's message, its %-args, exception text and stack.

    The message is rendered with its args first (so a secret passed as an argument is caught),
    then args are cleared; the traceback is rendered into `exc_text` and scrubbed, and `exc_info`
    dropped so no later formatter can render the raw exception again. Scrubbing is idempotent, so
    a record passing through several filtered handlers is fine.
    """

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub `record` in place; never drops it."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):
            # A broken format string: logging would print msg and args raw to stderr. Keep both,
            # scrubbed, in the message instead.
            message = f"{record.msg!s} {record.args!r}"
        record.msg = self.redactor.scrub(message)
        record.args = None
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = _TRACEBACK_FORMATTER.formatException(record.exc_info)
        record.exc_info = None
        if record.exc_text:
            record.exc_text = self.redactor.scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor.scrub(record.stack_info)
        return True
