"""What every `/api/v4` route shares: version check, bearer auth, rate limit, headers, bodies, lists.

A handler receives a `Ctx` and returns a Response or raises `ApiError`; `api_routes` registers it
under both the `.json` path of the official spec and the bare form the guides also use.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.clio.errors import JSON_TYPE, ApiError, bad_request, error_body
from sandbox.clio.fields import Selection, parse_fields
from sandbox.clio.oauth import ClioOAuth
from sandbox.clio.paging import Pager
from sandbox.clio.params import order_param
from sandbox.clio.ratelimit import RateLimiter
from sandbox.clio.serializers import Serializers
from sandbox.clio.shapes import SHAPES
from sandbox.clio.storage import Storage
from sandbox.common.settings import ClioSettings

API_PREFIX = "/api/v4"
DEFAULT_VERSION = "4.0.13"
_VERSION = re.compile(r"^4\.0\.(\d{1,3})$")
_OLDEST_MINOR = 0  # minor versions 4.0.0 .. 4.0.13 exist; anything else is unknown (410)
_NEWEST_MINOR = 13


@dataclass
class Emulator:
    """The running emulator's shared parts (one per app)."""

    conn: sqlite3.Connection
    settings: ClioSettings
    pager: Pager
    limiter: RateLimiter
    storage: Storage
    serializers: Serializers
    oauth: ClioOAuth


@dataclass
class Ctx:
    """One API request: the emulator, the request, the signed-in user."""

    emu: Emulator
    request: Request
    user_id: int

    @property
    def conn(self) -> sqlite3.Connection:
        return self.emu.conn

    @property
    def serializers(self) -> Serializers:
        return self.emu.serializers

    @property
    def query(self) -> Any:
        return self.request.query_params

    def selection(self, shape: str) -> Selection:
        return parse_fields(self.request.query_params.get("fields"), SHAPES[shape], SHAPES)

    async def data(self) -> dict[str, Any]:
        """The `data` object of a JSON write body (400 when the body or its wrapper is malformed)."""
        raw = await self.request.body()
        try:
            body = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            raise bad_request("The request body is not valid JSON", "InvalidJSON") from None
        if not isinstance(body, dict) or "data" not in body:
            raise bad_request("param is missing or the value is empty: data", "ParameterMissing")
        if not isinstance(body["data"], dict):
            raise bad_request("data must be an object", "ParameterMissing")
        return body["data"]

    def ok(self, data: Any, status: int = 200, etag: str | None = None) -> JSONResponse:
        headers = {"ETag": etag} if etag else None
        return JSONResponse({"data": data}, status_code=status, headers=headers, media_type=JSON_TYPE)

    def listing(
        self, rows: Sequence[sqlite3.Row], limit: int, build: Callable[[sqlite3.Row], dict[str, Any]]
    ) -> JSONResponse:
        """A page of rows fetched with `limit + 1` (the extra row only says a next page exists)."""
        page = list(rows[:limit])
        paging: dict[str, str] = {}
        if len(rows) > limit and page:
            base = self.emu.settings.base_url
            paging["next"] = self.emu.pager.next_url(self.request, base, int(page[-1]["id"]))
        body = {"data": [build(r) for r in page], "meta": {"paging": paging}}
        return JSONResponse(body, media_type=JSON_TYPE)


Handler = Callable[[Ctx], Awaitable[Response]]


def _version(request: Request) -> str | None:
    raw = request.headers.get("x-api-version")
    if raw is None:
        return DEFAULT_VERSION
    match = _VERSION.match(raw.strip())
    if match is None or not _OLDEST_MINOR <= int(match.group(1)) <= _NEWEST_MINOR:
        return None
    return raw.strip()


def wrap(emu: Emulator, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Apply Clio's per-request conventions around one handler."""

    async def endpoint(request: Request) -> Response:
        version = _version(request)
        if version is None:
            return error_body(
                410,
                f"The API version {request.headers.get('x-api-version')!r} is invalid or no longer supported",
                "UnsupportedApiVersion",
            )
        grant = emu.oauth.authenticate(request)
        if isinstance(grant, Response):
            grant.headers["X-API-VERSION"] = version
            return grant
        verdict = emu.limiter.check(grant.token)
        if not verdict.allowed:
            response: Response = error_body(
                429, f"Rate limit exceeded. Retry in {verdict.retry_after} seconds.", "RateLimited"
            )
        else:
            try:
                response = await handler(Ctx(emu, request, grant.user_id))
            except ApiError as exc:
                response = exc.response()
        response.headers.update({"X-API-VERSION": version, **verdict.headers()})
        return response

    return endpoint


def api_routes(emu: Emulator, path: str, methods: dict[str, Handler]) -> list[Route]:
    """Routes for `path` (without `.json`) in both spellings, dispatching on the HTTP method."""
    wrapped = {m: wrap(emu, h) for m, h in methods.items()}

    async def dispatch(request: Request) -> Response:
        return await wrapped[request.method](request)

    allowed = list(methods)
    return [
        Route(f"{API_PREFIX}{path}.json", dispatch, methods=allowed),
        Route(f"{API_PREFIX}{path}", dispatch, methods=allowed),
    ]


def check_if_match(request: Request, etag: str) -> None:
    """Optimistic concurrency (DOC-ETAGS): a stale `If-Match` is a 412."""
    wanted = request.headers.get("if-match")
    if wanted is not None and wanted.strip() not in (etag, "*", etag.strip('"')):
        raise ApiError(412, "The resource has been modified since the given ETag", "PreconditionFailed")


def not_modified(request: Request, etag: str) -> Response | None:
    """A single GET with a matching `If-None-Match` is a 304."""
    wanted = request.headers.get("if-none-match")
    if wanted is not None and wanted.strip() in (etag, etag.strip('"')):
        return Response(status_code=304, headers={"ETag": etag})
    return None


def page_rows(
    ctx: Ctx, table: str, where: Sequence[str], args: Sequence[Any]
) -> tuple[list[sqlite3.Row], int]:
    """Rows of one cursor page (id ascending) plus the page size; validates limit/page_token/order."""
    order_param(ctx.query)
    page = ctx.emu.pager.page(ctx.request)
    clauses = " AND ".join([*where, "id > ?"])
    rows = ctx.conn.execute(
        f"SELECT * FROM {table} WHERE {clauses} ORDER BY id LIMIT ?",  # noqa: S608 - fixed names only
        (*args, page.after, page.limit + 1),
    ).fetchall()
    return rows, page.limit


def like(text: str) -> str:
    """A LIKE pattern for Clio's wildcard `query` (case-insensitive substring)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
