"""Sandbox-only admin routes under `/_sandbox/legalconnect/…` (loopback only, not in the OpenAPI).

- `GET  /outbox[?order_id=N]`            the notification emails the provider would have sent
- `POST /clerk/run` `{"order_id"?: N}`   decide now (one pending order, or every scheduled one)
- `GET|POST /clerk/mode` `{"mode": "rules"|"random", "seed"?: int, "reject_rate"?: 0..1}`
- `POST /late-signed-order` `{"order_id": N}`  deliver a judge-signed order (closed orders too)
- `POST /auto-close` `{"older_than_days"?: 30}` close old orders now
- `GET|POST /provider` `{"clio_enabled": bool}` switch the Clio integration on or off
- `POST /decided-orders` `{"count": N, "documents": K, "with_matter"?: true}` add N accepted orders with K
  filed documents each (K conformed copies and a receipt to return), for tests, demos and benchmarks
- `POST /hearing` `{"order_id": N, "date": "YYYY-MM-DD", "time"?: "HH:MM"}` the court moves an order's
  hearing (the date is stored as given, so a clerk's typing error can be tried too)
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandbox.legalconnect import hearings
from sandbox.legalconnect.clerk import ClerkRefusal
from sandbox.legalconnect.deps import Context
from sandbox.legalconnect.errors import error_json
from sandbox.legalconnect.seed import add_decided_orders
from sandbox.legalconnect.store import parse_stamp

Handler = Callable[[Request], Awaitable[Response]]


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    value = json.loads(raw)
    if not isinstance(value, dict):
        raise ValueError("send a JSON object")
    return value


def _int(body: dict[str, Any], key: str, required: bool = True) -> int | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} must be an integer")
    return value


def _guard(handler: Handler) -> Handler:
    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except (ValueError, ClerkRefusal) as exc:  # json.JSONDecodeError is a ValueError
            return error_json(400, "bad_admin_request", str(exc))

    return wrapped


def admin_handlers(ctx: Context) -> dict[str, Handler]:
    """The extra admin routes for `sandbox.common.faults.admin_routes`."""

    async def outbox(request: Request) -> Response:
        order_id = request.query_params.get("order_id")
        sql, args = "SELECT * FROM outbox", []
        if order_id:
            sql, args = sql + " WHERE order_id = ?", [int(order_id)]
        rows = ctx.conn.execute(sql + " ORDER BY id", args).fetchall()
        emails = [
            {
                "id": r["id"],
                "order_id": r["order_id"],
                "kind": r["kind"],
                "to": json.loads(r["to_json"]),
                "subject": r["subject"],
                "body": r["body"],
                "sent_at": str(parse_stamp(r["sent_at"])),
            }
            for r in rows
        ]
        return JSONResponse({"data": emails})

    async def clerk_run(request: Request) -> Response:
        order_id = _int(await _body(request), "order_id", required=False)
        return JSONResponse({"decided": await ctx.clerk.run_now(order_id)})

    async def clerk_mode(request: Request) -> Response:
        if request.method == "POST":
            body = await _body(request)
            rate = body.get("reject_rate", ctx.clerk.reject_rate)
            if isinstance(rate, bool) or not isinstance(rate, int | float):
                raise ValueError("reject_rate must be a number")
            ctx.clerk.set_mode(str(body.get("mode", ctx.clerk.mode)), _int(body, "seed", False), float(rate))
        return JSONResponse(
            {"mode": ctx.clerk.mode, "seed": ctx.clerk.seed, "reject_rate": ctx.clerk.reject_rate}
        )

    async def late_signed_order(request: Request) -> Response:
        order_id = _int(await _body(request), "order_id")
        assert order_id is not None
        deliverable_id = await ctx.clerk.deliver_signed_order(order_id)
        return JSONResponse({"order_id": order_id, "deliverable_id": deliverable_id})

    async def auto_close(request: Request) -> Response:
        days = (await _body(request)).get("older_than_days", 30)
        if isinstance(days, bool) or not isinstance(days, int | float) or days < 0:
            raise ValueError("older_than_days must be a non-negative number")
        return JSONResponse({"closed": ctx.clerk.auto_close(float(days))})

    async def provider(request: Request) -> Response:
        if request.method == "POST":
            enabled = (await _body(request)).get("clio_enabled")
            if not isinstance(enabled, bool):
                raise ValueError("clio_enabled must be true or false")
            ctx.conn.execute(
                "INSERT OR REPLACE INTO provider_settings (key, value) VALUES ('clio_enabled', ?)",
                ("1" if enabled else "0",),
            )
        row = ctx.conn.execute("SELECT value FROM provider_settings WHERE key = 'clio_enabled'").fetchone()
        return JSONResponse({"clio_enabled": row is None or row["value"] == "1"})

    async def decided_orders(request: Request) -> Response:
        body = await _body(request)
        count, documents = _int(body, "count") or 0, _int(body, "documents") or 0
        if not 1 <= count <= 200 or not 1 <= documents <= 10:
            raise ValueError("count must be 1-200 and documents 1-10")
        with_matter = body.get("with_matter", True)
        if not isinstance(with_matter, bool):
            raise ValueError("with_matter must be true or false")
        made = add_decided_orders(ctx.conn, ctx.files, count, documents, with_matter=with_matter)
        return JSONResponse({"order_ids": made})

    async def hearing(request: Request) -> Response:
        body = await _body(request)
        order_id, day, time = _int(body, "order_id"), body.get("date"), body.get("time")
        assert order_id is not None
        if not isinstance(day, str) or not (time is None or isinstance(time, str)):
            raise ValueError("date (and time, when sent) must be text")
        changed = hearings.change(ctx.conn, order_id, day, time)
        return JSONResponse({"order_id": order_id, "hearing": changed.model_dump()})

    routes = {
        "/outbox": outbox,
        "/hearing": hearing,
        "/decided-orders": decided_orders,
        "/clerk/run": clerk_run,
        "/clerk/mode": clerk_mode,
        "/late-signed-order": late_signed_order,
        "/auto-close": auto_close,
        "/provider": provider,
    }
    return {f"/legalconnect{path}": _guard(handler) for path, handler in routes.items()}
