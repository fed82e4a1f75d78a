"""activities (list, create), activities/{id} (show, update with If-Match), expense_categories (list,
create, show)."""

from __future__ import annotations

import math
import sqlite3
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from sandbox.clio.api import Ctx, Emulator, api_routes, check_if_match, like, not_modified, page_rows
from sandbox.clio.errors import invalid, not_found
from sandbox.clio.params import date_param, datetime_param, enum_param, int_param, parse_date
from sandbox.clio.serializers import BILLED_STATES
from sandbox.clio.store import get_row, now_iso, touch

ACTIVITY_TYPES = ("TimeEntry", "ExpenseEntry", "HardCostEntry", "SoftCostEntry")
STATUSES = ("billed", "draft", "unbilled", "non_billable", "billable", "written_off")
CATEGORY_ENTRY_TYPES = ("hard_cost", "soft_cost", "unassociated")
TAX_SETTINGS = ("no_tax", "tax_1_only", "tax_2_only", "tax_1_and_tax_2")
_BILL_STATE = "(SELECT state FROM bills b WHERE b.id = activities.bill_id)"
_STATUS_SQL = {
    "billed": f"{_BILL_STATE} IN ('awaiting_payment', 'paid')",
    "draft": f"{_BILL_STATE} IN ('draft', 'awaiting_approval')",
    "unbilled": f"non_billable = 0 AND (bill_id IS NULL OR {_BILL_STATE} IN ('void', 'deleted'))",
    "non_billable": "non_billable = 1",
    "billable": "non_billable = 0",
    "written_off": "0",  # the emulator never writes activities off
}


async def list_activities(ctx: Ctx) -> Response:
    """Activities filtered by matter, type, date range, billing status, category, user and note text."""
    sel = ctx.selection("Activity")
    where: list[str] = []
    args: list[Any] = []
    for param, column in (("matter_id", "matter_id"), ("expense_category_id", "expense_category_id"),
                          ("user_id", "user_id")):  # fmt: skip
        value = int_param(ctx.query, param)
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    kind = enum_param(ctx.query, "type", ACTIVITY_TYPES)
    if kind:
        where.append("type = ?")
        args.append(kind)
    start, end = date_param(ctx.query, "start_date"), date_param(ctx.query, "end_date")
    if start:
        where.append("date >= ?")
        args.append(start)
    if end:
        where.append("date <= ?")
        args.append(end)
    status = enum_param(ctx.query, "status", STATUSES)
    if status:
        where.append(_STATUS_SQL[status])
    text = ctx.query.get("query")
    if text:
        where.append("note LIKE ? ESCAPE '\\'")
        args.append(like(text))
    _since(ctx, where, args)
    rows, limit = page_rows(ctx, "activities", where, args)
    return ctx.listing(rows, limit, lambda r: ctx.serializers.render_activity(r, sel))


def _since(ctx: Ctx, where: list[str], args: list[Any]) -> None:
    """`created_since` / `updated_since`: records created or changed at or after that moment."""
    for param, column in (("created_since", "created_at"), ("updated_since", "updated_at")):
        moment = datetime_param(ctx.query, param)
        if moment is not None:
            where.append(f"{column} >= ?")
            args.append(moment)


def _ref_id(
    conn: sqlite3.Connection, data: dict[str, Any], key: str, table: str, kind: str, *, nullable: bool
) -> int | None:
    ref = data[key]
    if ref is None and nullable:
        return None
    if not isinstance(ref, dict) or "id" not in ref:
        raise invalid(f"{key} must be an object with an id")
    ident = ref["id"]
    if ident is None and nullable:
        return None
    if isinstance(ident, bool) or not isinstance(ident, int):
        raise invalid(f"{key}.id must be an integer")
    if get_row(conn, table, ident) is None:
        raise not_found(kind, ident)
    return ident


def _number(data: dict[str, Any], key: str, *, minimum: float | None = None) -> float:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(f"{key} must be a number")
    if minimum is not None and value < minimum:
        raise invalid(f"{key} must be greater than or equal to {minimum}")
    if not math.isfinite(value) or abs(value) > 1e12:
        raise invalid(f"{key} is too large")
    return float(value)


def _writable(ctx: Ctx, data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """Validate the writable activity fields present in `data`; return column values."""
    cols: dict[str, Any] = {}
    if creating or "type" in data:
        if data.get("type") not in ACTIVITY_TYPES:
            raise invalid(f"Type must be one of {', '.join(ACTIVITY_TYPES)}")
        cols["type"] = data["type"]
    if creating or "date" in data:
        if data.get("date") in (None, ""):
            raise invalid("Date can't be blank")
        cols["date"] = parse_date(data["date"], "date", invalid)
    for key in ("quantity", "price"):
        if key in data:
            cols[key] = _number(data, key, minimum=0)
    if "note" in data:
        if data["note"] is not None and not isinstance(data["note"], str):
            raise invalid("note must be a string")
        cols["note"] = data["note"]
    if "reference" in data:
        if data["reference"] is not None and not isinstance(data["reference"], str):
            raise invalid("reference must be a string")
        cols["reference"] = data["reference"]
    for key in ("non_billable", "no_charge"):
        if key in data:
            if not isinstance(data[key], bool):
                raise invalid(f"{key} must be true or false")
            cols[key] = int(data[key])
    if "tax_setting" in data:
        if data["tax_setting"] not in TAX_SETTINGS:
            raise invalid(f"tax_setting must be one of {', '.join(TAX_SETTINGS)}")
        cols["tax_setting"] = data["tax_setting"]
    if "matter" in data:
        cols["matter_id"] = _ref_id(ctx.conn, data, "matter", "matters", "Matter", nullable=False)
    if "expense_category" in data:
        cols["expense_category_id"] = _ref_id(
            ctx.conn, data, "expense_category", "expense_categories", "ExpenseCategory", nullable=True
        )
    if "user" in data:
        cols["user_id"] = _ref_id(ctx.conn, data, "user", "users", "User", nullable=False)
    return cols


async def create_activity(ctx: Ctx) -> Response:
    """Record an activity (LegalConnect Desktop records court fees as ExpenseEntry)."""
    sel = ctx.selection("Activity")
    data = await ctx.data()
    cols = _writable(ctx, data, creating=True)
    cols.setdefault("user_id", ctx.user_id)
    stamp = now_iso()
    cols.update(created_at=stamp, updated_at=stamp)
    names = ", ".join(cols)
    cur = ctx.conn.execute(
        f"INSERT INTO activities ({names}) VALUES ({', '.join('?' * len(cols))})",  # noqa: S608
        tuple(cols.values()),
    )
    row = get_row(ctx.conn, "activities", int(cur.lastrowid or 0))
    assert row is not None
    return ctx.ok(
        ctx.serializers.render_activity(row, sel), status=201, etag=ctx.serializers.activity(row)["etag"]
    )


def _get_activity(ctx: Ctx) -> sqlite3.Row:
    ident = ctx.request.path_params["id"]
    row = get_row(ctx.conn, "activities", ident)
    if row is None:
        raise not_found("Activity", ident)
    return row


async def show_activity(ctx: Ctx) -> Response:
    """One activity."""
    sel = ctx.selection("Activity")
    row = _get_activity(ctx)
    etag = ctx.serializers.activity(row)["etag"]
    return not_modified(ctx.request, etag) or ctx.ok(ctx.serializers.render_activity(row, sel), etag=etag)


async def update_activity(ctx: Ctx) -> Response:
    """Change an activity (e.g. its expense category); `If-Match` guards against lost updates."""
    sel = ctx.selection("Activity")
    row = _get_activity(ctx)
    check_if_match(ctx.request, ctx.serializers.activity(row)["etag"])
    data = await ctx.data()
    cols = _writable(ctx, data, creating=False)
    if cols and ctx.serializers.bill_state(row["bill_id"]) in BILLED_STATES:
        # Clio refuses edits to entries on an issued bill; the user must unbill them first.
        raise invalid("This activity has been billed and can no longer be modified", "ArgumentError")
    touch(ctx.conn, "activities", row["id"], **cols)
    row = _get_activity(ctx)
    return ctx.ok(ctx.serializers.render_activity(row, sel), etag=ctx.serializers.activity(row)["etag"])


async def list_categories(ctx: Ctx) -> Response:
    """Expense categories, filtered by name query and entry_type."""
    sel = ctx.selection("ExpenseCategory")
    where: list[str] = []
    args: list[Any] = []
    text = ctx.query.get("query")
    if text:
        where.append("name LIKE ? ESCAPE '\\'")
        args.append(like(text))
    entry_type = enum_param(ctx.query, "entry_type", CATEGORY_ENTRY_TYPES)
    if entry_type:
        where.append("entry_type = ?")
        args.append(entry_type)
    _since(ctx, where, args)
    rows, limit = page_rows(ctx, "expense_categories", where, args)
    return ctx.listing(rows, limit, lambda r: ctx.serializers.render_category(r, sel))


async def create_category(ctx: Ctx) -> Response:
    """A new expense category: `name` required; `rate` and `entry_type` optional (A5)."""
    sel = ctx.selection("ExpenseCategory")
    data = await ctx.data()
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise invalid("Name can't be blank")
    if len(name) > 255:
        raise invalid("Name is too long (maximum is 255 characters)")
    taken = ctx.conn.execute(
        "SELECT 1 FROM expense_categories WHERE lower(name) = lower(?)", (name.strip(),)
    ).fetchone()
    if taken is not None:
        raise invalid("Name has already been taken")
    rate = data.get("rate")
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, int | float) or rate < 0):
        raise invalid("rate must be a number greater than or equal to 0")
    entry_type = data.get("entry_type", "unassociated")
    if entry_type not in CATEGORY_ENTRY_TYPES:
        raise invalid(f"entry_type must be one of {', '.join(CATEGORY_ENTRY_TYPES)}")
    stamp = now_iso()
    cur = ctx.conn.execute(
        "INSERT INTO expense_categories (name, rate, entry_type, created_at, updated_at) VALUES (?,?,?,?,?)",
        (name.strip(), rate or 0, entry_type, stamp, stamp),
    )
    row = get_row(ctx.conn, "expense_categories", int(cur.lastrowid or 0))
    assert row is not None
    etag = ctx.serializers.category(row)["etag"]
    return ctx.ok(ctx.serializers.render_category(row, sel), status=201, etag=etag)


async def show_category(ctx: Ctx) -> Response:
    """One expense category."""
    sel = ctx.selection("ExpenseCategory")
    ident = ctx.request.path_params["id"]
    row = get_row(ctx.conn, "expense_categories", ident)
    if row is None:
        raise not_found("ExpenseCategory", ident)
    etag = ctx.serializers.category(row)["etag"]
    return not_modified(ctx.request, etag) or ctx.ok(ctx.serializers.render_category(row, sel), etag=etag)


def routes(emu: Emulator) -> list[Route]:
    return [
        *api_routes(emu, "/activities", {"GET": list_activities, "POST": create_activity}),
        *api_routes(emu, "/activities/{id:int}", {"GET": show_activity, "PATCH": update_activity}),
        *api_routes(emu, "/expense_categories", {"GET": list_categories, "POST": create_category}),
        *api_routes(emu, "/expense_categories/{id:int}", {"GET": show_category}),
    ]
