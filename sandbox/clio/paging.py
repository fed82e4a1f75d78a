"""Cursor paging (DOC-PAGING): `limit` 1..200, opaque signed `page_token`, `meta.paging.next` URL.

A token names the last id of the previous page and the query it belongs to, signed so that a forged
or mangled token is a 400 rather than a silent restart.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request

from sandbox.clio.errors import bad_request

MAX_LIMIT = 200


@dataclass(frozen=True)
class Page:
    """Where a list request starts (`after` id, exclusive) and how many rows it may return."""

    after: int
    limit: int


class Pager:
    """Reads and writes page tokens with this server's secret."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _query_key(self, request: Request) -> str:
        # The filters a token belongs to: everything except the paging parameters themselves.
        items = sorted(
            (k, v) for k, v in request.query_params.multi_items() if k not in ("page_token", "limit")
        )
        return hashlib.sha256(
            json.dumps([request.url.path.removesuffix(".json"), items]).encode()
        ).hexdigest()[:16]

    def page(self, request: Request) -> Page:
        raw_limit = request.query_params.get("limit")
        limit = MAX_LIMIT
        if raw_limit not in (None, ""):
            try:
                limit = int(raw_limit)
            except ValueError:
                raise bad_request(f"Invalid value for limit: {raw_limit!r} is not an integer") from None
            if not 1 <= limit <= MAX_LIMIT:
                raise bad_request(f"Invalid value for limit: {limit}; it must be between 1 and {MAX_LIMIT}")
        token = request.query_params.get("page_token")
        if token in (None, ""):
            return Page(0, limit)
        return Page(self._read_token(token, self._query_key(request)), limit)

    def _read_token(self, token: str, query_key: str) -> int:
        try:
            body, _, sig = token.partition(".")
            expected = self._sign(body)
            if not hmac.compare_digest(sig, expected):
                raise ValueError("bad signature")
            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            after = int(data["after"])
            if data["q"] != query_key or after < 0:
                raise ValueError("token belongs to another query")
        except (ValueError, KeyError, TypeError, json.JSONDecodeError):
            raise bad_request("Invalid page_token", "InvalidPageToken") from None
        return after

    def _sign(self, body: str) -> str:
        return hmac.new(self._secret, body.encode(), hashlib.sha256).hexdigest()[:32]

    def next_url(self, request: Request, base_url: str, last_id: int) -> str:
        body = (
            base64.urlsafe_b64encode(json.dumps({"after": last_id, "q": self._query_key(request)}).encode())
            .decode()
            .rstrip("=")
        )
        token = f"{body}.{self._sign(body)}"
        items = [(k, v) for k, v in request.query_params.multi_items() if k != "page_token"]
        items.append(("page_token", token))
        return f"{base_url}{request.url.path}?{urlencode(items)}"
