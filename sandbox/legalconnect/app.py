"""The LegalConnect emulator's ASGI app: the `/api/v1` JSON API, its OpenAPI document, the clerk.

    create_app(LegalConnectSettings(...)) -> ASGI app

The database and files live in `settings.data_dir` (seeded on first use). The court clerk runs as a
background task in the app's lifespan. Fault knobs wrap every non-admin route; the sandbox-only
admin routes live under `/_sandbox/` (see `admin.py`) and are not part of the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.types import ASGIApp

from sandbox.common.faults import FaultMiddleware, admin_routes
from sandbox.common.settings import LegalConnectSettings
from sandbox.legalconnect import api_documents, api_orders, api_returns, api_session, broker, clerk, seed
from sandbox.legalconnect.admin import admin_handlers
from sandbox.legalconnect.deps import Context
from sandbox.legalconnect.errors import injected_error, install_error_handlers
from sandbox.legalconnect.store import open_db
from sandbox.seed import firm

API_DESCRIPTION = f"""
The portal API of **{firm.PROVIDER_NAME}**, a LegalConnect-powered Service Provider, as emulated by the
LegalConnect Desktop sandbox.

**Authentication.** `POST /api/v1/session` with email and password returns a bearer token; send it as
`Authorization: Bearer <token>` on every call except `GET /api/v1/provider`.

**Errors.** Every error answer has the same body:
`{{"error": {{"code": "order_not_found", "message": "No order 1234 for this account.", "details": null}}}}`.
`code` is stable; `message` is for people. Validation problems are 422 `validation_error` (400
`invalid_json` / `invalid_parameter` for bad JSON or query parameters) with the problems in `details`.
A 503 `service_unavailable` carries `Retry-After`. The token broker relays Clio's own answers verbatim.

**Order workflow.** Create a draft → add documents (metadata, then stream each file to
`PUT …/documents/{{id}}/content`) → `GET …/fee-quote` → `POST …/submit` (assigns the 7-digit order
number) → the court clerk moves the order to `under_review` and then `accepted`, `rejected` or
`partially_accepted`, with per-document results, fee lines and deliverables. Poll
`GET /api/v1/orders?updated_since=<server_time of the last answer>`. Orders may be auto-closed after 30
days and still receive late documents (signed orders), which move `updated_at`.

**Exactly-once filing into Clio.** Claim a deliverable or fee line (`…/clio-claim`), file it into Clio,
then acknowledge the claim with the Clio id; other workstations get 409 `already_claimed` /
`already_filed`.

**The sandbox court clerk.**
{clerk.__doc__}
"""

TAGS = [
    {"name": "session", "description": "Sign in and out (bearer tokens)."},
    {"name": "provider", "description": "Who the Service Provider is and how its Clio app is set up."},
    {"name": "reference", "description": "Courts, case categories and types, document types (filing codes)."},
    {"name": "orders", "description": "eFiling orders from draft to the court's decision, fees."},
    {"name": "documents", "description": "Documents of an order: metadata and streamed upload."},
    {"name": "deliverables", "description": "Documents returned by the court."},
    {"name": "clio filing records", "description": "Claim/acknowledge so every return reaches Clio once."},
    {"name": "clio token broker", "description": "OAuth token exchange with Clio, adding the client secret."},
]


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(
            title=f"LegalConnect API ({firm.PROVIDER_NAME})",
            version="1.0.0",
            description=API_DESCRIPTION,
            routes=app.routes,
            tags=TAGS,
            servers=[{"url": app.state.ctx.settings.base_url}],
        )
        # FastAPI adds a 422 with its own `{"detail": …}` schema to routes with parameters; our
        # handlers answer path problems with 404 and query problems with 400, so drop those entries.
        for ops in schema["paths"].values():
            for op in ops.values():
                auto = op["responses"].get("422", {})
                if "HTTPValidationError" in str(auto.get("content", "")):
                    del op["responses"]["422"]
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)
        app.openapi_schema = schema
    return app.openapi_schema


def create_app(settings: LegalConnectSettings) -> ASGIApp:
    """Build the LegalConnect emulator over `settings.data_dir` (seeding it if empty)."""
    conn = open_db(settings.data_dir / "legalconnect.sqlite3")
    files = settings.data_dir / "files"
    court_clerk = clerk.Clerk(conn, files, settings.faults)
    ctx = Context(settings, conn, court_clerk)
    if not seed.is_seeded(conn):
        seed.seed(conn, ctx.files)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        ctx.http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0))
        court_clerk.start()
        try:
            yield
        finally:
            await court_clerk.stop()
            await ctx.http.aclose()
            conn.close()

    app = FastAPI(
        title=f"LegalConnect API ({firm.PROVIDER_NAME})",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    for module in (api_session, api_orders, api_documents, api_returns, broker):
        app.include_router(module.router)
    app.router.routes.extend(admin_routes(settings.faults, extra=admin_handlers(ctx)))
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return FaultMiddleware(app, settings.faults, injected_error)
