"""Assemble the Clio emulator: OAuth, API v4 routes, the storage host, the fault admin, the lifespan;
and the firm's identity provider that single sign-on goes through."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from sandbox.clio import (
    routes_activities,
    routes_calendar,
    routes_documents,
    routes_folders,
    routes_matters_extra,
    routes_people,
)
from sandbox.clio.api import API_PREFIX, Emulator
from sandbox.clio.errors import error_body, error_response
from sandbox.clio.oauth import ClioOAuth
from sandbox.clio.paging import Pager
from sandbox.clio.ratelimit import RateLimiter
from sandbox.clio.seed import seed
from sandbox.clio.serializers import Serializers
from sandbox.clio.sso import IdentityProvider
from sandbox.clio.storage import Storage
from sandbox.clio.store import create_schema, get_meta, is_seeded, now_iso
from sandbox.common.db import connect
from sandbox.common.faults import FaultMiddleware, admin_routes
from sandbox.common.settings import ClioSettings

DB_NAME = "clio.sqlite3"


def open_database(settings: ClioSettings) -> sqlite3.Connection:
    """Open (and on first use create and seed) this server's database."""
    conn = connect(settings.data_dir / DB_NAME)
    create_schema(conn)
    if not is_seeded(conn):
        seed(conn, settings.data_dir, settings.scale)
    return conn


def build_emulator(conn: sqlite3.Connection, settings: ClioSettings) -> Emulator:
    secret = bytes.fromhex(get_meta(conn, "secret") or "00")
    storage = Storage(conn, settings.data_dir, settings.base_url, settings.faults, secret)
    return Emulator(
        conn=conn,
        settings=settings,
        pager=Pager(secret),
        limiter=RateLimiter(
            lambda: settings.faults.rate_limit_per_minute, window=lambda: settings.faults.rate_window_s
        ),
        storage=storage,
        serializers=Serializers(conn, storage),
        oauth=ClioOAuth(conn, settings),
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    # Unknown paths and methods under /api/v4 answer in Clio's error format, not Starlette's text.
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith(API_PREFIX):
        return error_body(exc.status_code, f"{exc.detail}: {request.method} {request.url.path}")
    return PlainTextResponse(str(exc.detail), status_code=exc.status_code)


def _matter_status(conn: sqlite3.Connection) -> Callable[[Request], Awaitable[Response]]:
    """Sandbox admin: JSON `{"matter_id": N, "status": "Open"|"Pending"|"Closed"}`."""

    async def handler(request: Request) -> Response:
        try:
            payload = json.loads(await request.body() or b"{}")
            matter_id, status = payload["matter_id"], payload["status"]
            if not isinstance(matter_id, int) or status not in ("Open", "Pending", "Closed"):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            hint = 'send {"matter_id": N, "status": "Open|Pending|Closed"}'
            return JSONResponse({"error": hint}, status_code=400)
        changed = conn.execute(
            "UPDATE matters SET status = ?, updated_at = ? WHERE id = ?", (status, now_iso(), matter_id)
        ).rowcount
        if not changed:
            return JSONResponse({"error": f"no matter {matter_id}"}, status_code=404)
        return JSONResponse({"matter_id": matter_id, "status": status})

    return handler


def create_app(settings: ClioSettings) -> ASGIApp:
    """The Clio emulator as an ASGI app, seeded on first use, wrapped in the fault middleware."""
    conn = open_database(settings)
    emu = build_emulator(conn, settings)
    routes: list[BaseRoute] = [
        *emu.oauth.routes(),
        *emu.storage.routes(),
        *routes_people.routes(emu),
        *routes_folders.routes(emu),
        *routes_documents.routes(emu),
        *routes_activities.routes(emu),
        *routes_matters_extra.routes(emu),
        *routes_calendar.routes(emu),
        # Loopback-only admin: fault knobs, "the user revoked the app inside Clio", and a matter's
        # status changed in Clio (a matter closed while returns still come in).
        *admin_routes(
            settings.faults,
            {"/clio/revoke": emu.oauth.admin_revoke, "/clio/matter-status": _matter_status(conn)},
        ),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        conn.close()

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={HTTPException: _http_error})
    app.state.emulator = emu
    return FaultMiddleware(app, settings.faults, error_response)


def create_identity_provider(settings: ClioSettings) -> ASGIApp:
    """The firm's identity provider, served on its own origin (`settings.identity_provider_url`).

    Its directory is the firm's people as Clio knows them, read from the emulator's database (which
    `create_app` has made and seeded by then): the same emails and passwords."""
    conn = open_database(settings)
    provider = IdentityProvider(conn, settings, ClioOAuth.password_ok)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        conn.close()

    return Starlette(routes=provider.routes(), lifespan=lifespan)
