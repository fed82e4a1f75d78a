"""calendars (list), calendar_entries (list, create), calendar_entries/{id} (show, update with
If-Match, delete) — the part of Clio's calendar the app writes hearing dates into.

Calendars: every user's own `UserCalendar` (id `50000 + user id`, which is the user's
`default_calendar_id`) and the firm's `AccountCalendar` (id 50000), a view over the users. Every
calendar is writeable by every user of the firm; the user's own is the one `owner=true` lists.

Calendar entries follow the official schema: ids are strings in answers (integers in paths), an
entry needs `summary`, `start_at`, `end_at` and `calendar_owner{id}`, carries up to five external
properties (filtered on with `external_property_name`/`_value`, matched exactly), and `start_date`
/ `start_time` are shown in the Pacific time of the seeded users.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.clio.api import Ctx, Emulator, api_routes, check_if_match, like, not_modified, page_rows
from sandbox.clio.errors import JSON_TYPE, bad_request, invalid, not_found
from sandbox.clio.fields import Selection, render
from sandbox.clio.params import bool_param, datetime_param, enum_param, int_param
from sandbox.clio.serializers import Nested
from sandbox.clio.store import MAX_ID, etag_of, get_row, now_iso, touch

SCHEMA = """
CREATE TABLE IF NOT EXISTS calendar_entries (
    id INTEGER PRIMARY KEY, summary TEXT NOT NULL, description TEXT, location TEXT,
    start_at TEXT NOT NULL, end_at TEXT NOT NULL, all_day INTEGER NOT NULL DEFAULT 0,
    calendar_owner_id INTEGER NOT NULL, matter_id INTEGER REFERENCES matters(id),
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS calendar_entries_matter ON calendar_entries(matter_id, id);
CREATE TABLE IF NOT EXISTS calendar_entry_properties (
    id INTEGER PRIMARY KEY, entry_id INTEGER NOT NULL REFERENCES calendar_entries(id) ON DELETE CASCADE,
    name TEXT NOT NULL, value TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS calendar_props ON calendar_entry_properties(name, value);
CREATE VIEW IF NOT EXISTS calendars AS
    SELECT 50000 AS id, coalesce((SELECT value FROM meta WHERE key = 'firm_name'), 'Firm') AS name,
        'AccountCalendar' AS type, NULL AS user_id, '#367B9C' AS color, '#5DA5C7' AS light_color,
        coalesce((SELECT value FROM meta WHERE key = 'seeded_at'), '') AS created_at,
        coalesce((SELECT value FROM meta WHERE key = 'seeded_at'), '') AS updated_at, 1 AS version
    UNION ALL
    SELECT 50000 + id, name, 'UserCalendar', id, '#83D17F', '#209412', created_at, updated_at, version
    FROM users;
"""
FIRM_CALENDAR_ID = 50000
MAX_PROPERTIES = 5
CALENDAR_TYPES = ("AccountCalendar", "AdhocCalendar", "UserCalendar")
CALENDAR_ORDERS = ("id(asc)", "id(desc)", "name(asc)", "name(desc)")


def _pacific(moment: dt.datetime) -> tuple[dt.datetime, str]:
    """`moment` in the seeded users' time zone (US Pacific; the DST rule written out)."""
    year = moment.year
    march = dt.datetime(year, 3, 8, 10, tzinfo=dt.UTC)
    start = march + dt.timedelta(days=(6 - march.weekday()) % 7)
    november = dt.datetime(year, 11, 1, 9, tzinfo=dt.UTC)
    end = november + dt.timedelta(days=(6 - november.weekday()) % 7)
    daylight = start <= moment.astimezone(dt.UTC) < end
    offset = dt.timezone(dt.timedelta(hours=-7 if daylight else -8))
    return moment.astimezone(offset), "PDT" if daylight else "PST"


# -- serializing ------------------------------------------------------------------------------------


def calendar(row: sqlite3.Row, user_id: int) -> dict[str, Any]:
    return {
        "id": row["id"],
        "etag": etag_of("calendars", row),
        "color": row["color"],
        "light_color": row["light_color"],
        "court_rules_default_calendar": False,
        "name": row["name"],
        "permission": "owner" if row["user_id"] == user_id else "editor",
        "type": row["type"],
        "visible": True,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "source": "web",
    }


def entry(row: sqlite3.Row) -> dict[str, Any]:
    start, start_zone = _pacific(dt.datetime.fromisoformat(row["start_at"]))
    end, end_zone = _pacific(dt.datetime.fromisoformat(row["end_at"]))
    return {
        "id": str(row["id"]),
        "etag": etag_of("calendar_entries", row),
        "summary": row["summary"],
        "description": row["description"],
        "location": row["location"],
        "start_at": row["start_at"],
        "start_date": start.date().isoformat(),
        "start_time": f"{start:%H:%M} {start_zone}",
        "end_at": row["end_at"],
        "end_date": end.date().isoformat(),
        "end_time": f"{end:%H:%M} {end_zone}",
        "all_day": bool(row["all_day"]),
        "recurrence_rule": None,
        "parent_calendar_entry_id": None,
        "court_rule": False,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "permission": "owner",
        "calendar_owner_id": row["calendar_owner_id"],
        "start_at_time_zone": start_zone,
        "time_entries_count": 0,
    }


def _properties(conn: sqlite3.Connection, entry_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT * FROM calendar_entry_properties WHERE entry_id = ? ORDER BY id", (entry_id,)
    ).fetchall()
    return [
        {
            "id": r["id"],
            "etag": f'"cep-{r["id"]}-{r["updated_at"]}"',
            "name": r["name"],
            "value": r["value"],
            "created_at": r["created_at"],
            "updated_at": r["updated_at"],
        }
        for r in rows
    ]


def render_entry(ctx: Ctx, row: sqlite3.Row, sel: Selection) -> dict[str, Any]:
    def related(name: str) -> Nested:
        if name == "matter":
            matter = get_row(ctx.conn, "matters", row["matter_id"]) if row["matter_id"] else None
            return None if matter is None else ctx.serializers.matter(matter)
        if name == "external_properties":
            return _properties(ctx.conn, row["id"])
        owner = get_row(ctx.conn, "calendars", row["calendar_owner_id"])
        owned = [] if owner is None else [calendar(owner, ctx.user_id)]
        return owned if name == "calendars" else (owned[0] if owned else None)

    return render(sel, entry(row), related)


# -- calendars --------------------------------------------------------------------------------------


async def list_calendars(ctx: Ctx) -> Response:
    """The firm's calendars: `owner=true` the user's own, `type` one kind; all are writeable. Pages
    run by id; `order` by name sorts within a page (the firm has a handful of calendars)."""
    sel = ctx.selection("Calendar")
    order = ctx.query.get("order") or "id(asc)"
    if order not in CALENDAR_ORDERS:
        raise bad_request(f"Invalid value for order: {order!r}; expected one of {', '.join(CALENDAR_ORDERS)}")
    where: list[str] = []
    args: list[Any] = []
    if bool_param(ctx.query, "owner"):
        where.append("user_id = ?")
        args.append(ctx.user_id)
    kind = enum_param(ctx.query, "type", CALENDAR_TYPES)
    if kind:
        where.append("type = ?")
        args.append(kind)
    for flag in ("writeable", "visible"):
        bool_param(ctx.query, flag)  # every calendar is both: validated, filters nothing out
    ids = ctx.query.getlist("ids[]")
    if ids:
        where.append(f"id IN ({', '.join('?' * len(ids))})")
        args.extend(_ids(ids))
    page = ctx.emu.pager.page(ctx.request)
    clauses = " AND ".join([*where, "id > ?"])
    rows = ctx.conn.execute(
        f"SELECT * FROM calendars WHERE {clauses} ORDER BY id LIMIT ?",  # noqa: S608 - fixed names only
        (*args, page.after, page.limit + 1),
    ).fetchall()
    answer = ctx.listing(rows, page.limit, lambda r: render(sel, calendar(r, ctx.user_id), lambda _n: None))
    if order != "id(asc)":
        body = json.loads(answer.body)
        key = "name" if order.startswith("name") else "id"
        by = [calendar(r, ctx.user_id) for r in rows[: page.limit]]
        by.sort(
            key=lambda c: str(c[key]).lower() if key == "name" else c[key], reverse=order.endswith("(desc)")
        )
        body["data"] = [render(sel, c, lambda _n: None) for c in by]
        answer = JSONResponse(body, media_type=JSON_TYPE)
    return answer


def _ids(raw: list[str]) -> list[int]:
    try:
        values = [int(v) for v in raw]
    except ValueError:
        raise bad_request(f"Invalid value for ids[]: {raw!r}") from None
    if any(not 0 < v <= MAX_ID for v in values):
        raise bad_request(f"Invalid value for ids[]: {raw!r} is out of range")
    return values


# -- calendar entries -------------------------------------------------------------------------------


async def list_entries(ctx: Ctx) -> Response:
    """Entries filtered by matter, calendar, external property, time range, text and change time."""
    sel = ctx.selection("CalendarEntry")
    where: list[str] = []
    args: list[Any] = []
    for param, column in (("matter_id", "matter_id"), ("calendar_id", "calendar_owner_id")):
        value = int_param(ctx.query, param)
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    name, value = ctx.query.get("external_property_name"), ctx.query.get("external_property_value")
    if value is not None and not name:
        raise bad_request("external_property_value requires external_property_name")
    if name:
        sql = "id IN (SELECT entry_id FROM calendar_entry_properties WHERE name = ?"
        args.append(name)
        if value is not None:
            sql += " AND value = ?"
            args.append(value)
        where.append(sql + ")")
    for param, clause in (("from", "end_at >= ?"), ("to", "start_at <= ?")):
        moment = datetime_param(ctx.query, param)
        if moment is not None:
            where.append(clause)
            args.append(moment)
    for param, column in (("created_since", "created_at"), ("updated_since", "updated_at")):
        moment = datetime_param(ctx.query, param)
        if moment is not None:
            where.append(f"{column} >= ?")
            args.append(moment)
    if ctx.query.get("is_all_day") not in (None, ""):
        where.append("all_day = ?")
        args.append(int(bool_param(ctx.query, "is_all_day")))
    text = ctx.query.get("query")
    if text:
        where.append("(summary LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\')")
        args += [like(text), like(text)]
    ids = ctx.query.getlist("ids[]")
    if ids:
        where.append(f"id IN ({', '.join('?' * len(ids))})")
        args.extend(_ids(ids))
    rows, limit = page_rows(ctx, "calendar_entries", where, args)
    return ctx.listing(rows, limit, lambda r: render_entry(ctx, r, sel))


def _moment(data: dict[str, Any], key: str) -> str:
    raw = data.get(key)
    if raw in (None, ""):
        raise invalid(f"{key.replace('_', ' ').capitalize()} can't be blank")
    try:
        moment = dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise invalid(f"{key} is not an ISO-8601 timestamp: {raw!r}") from None
    if moment.tzinfo is None:
        raise invalid(f"{key} has no time zone offset: {raw!r}")
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def _text(data: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise invalid(f"{key.capitalize()} can't be blank" if required else f"{key} must be a string")
    return value


def _ref(ctx: Ctx, data: dict[str, Any], key: str, table: str, kind: str) -> int | None:
    ref = data[key]
    if ref is None:
        return None
    ident = ref.get("id") if isinstance(ref, dict) else None
    if isinstance(ident, bool) or not isinstance(ident, int):
        raise invalid(f"{key}.id must be an integer")
    if get_row(ctx.conn, table, ident) is None:
        raise not_found(kind, ident)
    return ident


def _writable(ctx: Ctx, data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    cols: dict[str, Any] = {}
    if creating or "summary" in data:
        cols["summary"] = _text(data, "summary", required=True)
    for key in ("description", "location"):
        if key in data:
            cols[key] = _text(data, key)
    for key in ("start_at", "end_at"):
        if creating or key in data:
            cols[key] = _moment(data, key)
    for key in ("all_day", "send_email_notification"):
        if key in data and not isinstance(data[key], bool):
            raise invalid(f"{key} must be true or false")
    if "all_day" in data:
        cols["all_day"] = int(data["all_day"])
    if creating or "calendar_owner" in data:
        if not isinstance(data.get("calendar_owner"), dict):
            raise invalid("Calendar owner can't be blank")
        owner = _ref(ctx, data, "calendar_owner", "calendars", "Calendar")
        if owner is None:
            raise invalid("Calendar owner can't be blank")
        cols["calendar_owner_id"] = owner
    if "matter" in data:
        cols["matter_id"] = _ref(ctx, data, "matter", "matters", "Matter")
    return cols


def _check_span(row: dict[str, Any]) -> None:
    if row["end_at"] < row["start_at"]:
        raise invalid("End at must be after start at")


def _write_properties(ctx: Ctx, entry_id: int, data: dict[str, Any]) -> None:
    """`external_properties`: each `{name, value}` sets that name's value (added when new)."""
    if "external_properties" not in data:
        return
    given = data["external_properties"]
    if not isinstance(given, list) or not all(
        isinstance(p, dict) and isinstance(p.get("name"), str) and isinstance(p.get("value"), str)
        for p in given
    ):
        raise invalid("external_properties must be a list of {name, value} strings")
    stamp = now_iso()
    for prop in given:
        changed = ctx.conn.execute(
            "UPDATE calendar_entry_properties SET value = ?, updated_at = ? WHERE entry_id = ? AND name = ?",
            (prop["value"], stamp, entry_id, prop["name"]),
        ).rowcount
        if not changed:
            ctx.conn.execute(
                "INSERT INTO calendar_entry_properties (entry_id, name, value, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (entry_id, prop["name"], prop["value"], stamp, stamp),
            )
    count = ctx.conn.execute(
        "SELECT count(*) FROM calendar_entry_properties WHERE entry_id = ?", (entry_id,)
    ).fetchone()[0]
    if count > MAX_PROPERTIES:
        raise invalid(f"A calendar entry can have at most {MAX_PROPERTIES} external properties")


async def create_entry(ctx: Ctx) -> Response:
    """A new calendar entry (LegalConnect Desktop adds the hearings the court sets)."""
    sel = ctx.selection("CalendarEntry")
    data = await ctx.data()
    cols = _writable(ctx, data, creating=True)
    _check_span(cols)
    stamp = now_iso()
    cols.update(created_at=stamp, updated_at=stamp)
    ctx.conn.execute("BEGIN IMMEDIATE")
    try:
        cur = ctx.conn.execute(
            f"INSERT INTO calendar_entries ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",  # noqa: S608
            tuple(cols.values()),
        )
        _write_properties(ctx, int(cur.lastrowid or 0), data)
    except BaseException:
        ctx.conn.execute("ROLLBACK")
        raise
    ctx.conn.execute("COMMIT")
    row = get_row(ctx.conn, "calendar_entries", int(cur.lastrowid or 0))
    assert row is not None
    return ctx.ok(render_entry(ctx, row, sel), status=201, etag=etag_of("calendar_entries", row))


def _get_entry(ctx: Ctx) -> sqlite3.Row:
    ident = ctx.request.path_params["id"]
    row = get_row(ctx.conn, "calendar_entries", ident)
    if row is None:
        raise not_found("CalendarEntry", ident)
    return row


async def show_entry(ctx: Ctx) -> Response:
    sel = ctx.selection("CalendarEntry")
    row = _get_entry(ctx)
    etag = etag_of("calendar_entries", row)
    return not_modified(ctx.request, etag) or ctx.ok(render_entry(ctx, row, sel), etag=etag)


async def update_entry(ctx: Ctx) -> Response:
    """Change an entry (a hearing moved); `If-Match` guards against lost updates."""
    sel = ctx.selection("CalendarEntry")
    row = _get_entry(ctx)
    check_if_match(ctx.request, etag_of("calendar_entries", row))
    data = await ctx.data()
    cols = _writable(ctx, data, creating=False)
    _check_span({**dict(row), **cols})
    ctx.conn.execute("BEGIN IMMEDIATE")
    try:
        touch(ctx.conn, "calendar_entries", row["id"], **cols)
        _write_properties(ctx, row["id"], data)
    except BaseException:
        ctx.conn.execute("ROLLBACK")
        raise
    ctx.conn.execute("COMMIT")
    row = _get_entry(ctx)
    return ctx.ok(render_entry(ctx, row, sel), etag=etag_of("calendar_entries", row))


async def delete_entry(ctx: Ctx) -> Response:
    row = _get_entry(ctx)
    ctx.conn.execute("DELETE FROM calendar_entry_properties WHERE entry_id = ?", (row["id"],))
    ctx.conn.execute("DELETE FROM calendar_entries WHERE id = ?", (row["id"],))
    return Response(status_code=204)


def routes(emu: Emulator) -> list[Route]:
    emu.conn.executescript(SCHEMA)
    return [
        *api_routes(emu, "/calendars", {"GET": list_calendars}),
        *api_routes(emu, "/calendar_entries", {"GET": list_entries, "POST": create_entry}),
        *api_routes(
            emu,
            "/calendar_entries/{id:int}",
            {"GET": show_entry, "PATCH": update_entry, "DELETE": delete_entry},
        ),
    ]
