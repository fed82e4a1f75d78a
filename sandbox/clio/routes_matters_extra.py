"""custom_fields (list, show), matters/{id}/related_contacts, relationships (list), and matters/{id}
PATCH for what the app writes to a matter: its custom field values (the court's case number)."""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from sandbox.clio import matter_fields
from sandbox.clio.api import Ctx, Emulator, api_routes, check_if_match, like, not_modified, page_rows
from sandbox.clio.errors import bad_request, invalid, not_found
from sandbox.clio.fields import render
from sandbox.clio.params import bool_param, enum_param, int_param
from sandbox.clio.store import get_row, now_iso, touch

FIELD_TYPES = (
    "checkbox",
    "contact",
    "currency",
    "date",
    "time",
    "email",
    "matter",
    "numeric",
    "picklist",
    "text_area",
    "text_line",
    "url",
)
TEXT_TYPES = ("text_line", "text_area")
"""The field types the emulator stores values for (the others are listed but take no value here)."""
_VALUE_ID = re.compile(r"^(?:[a-z_]+-)?(\d+)$")


async def list_custom_fields(ctx: Ctx) -> Response:
    """Custom fields, filtered by parent_type, field_type, deleted and a wildcard name query."""
    sel = ctx.selection("CustomField")
    where: list[str] = []
    args: list[Any] = []
    parent = enum_param(ctx.query, "parent_type", ("matter", "contact"))
    if parent:
        where.append("parent_type = ?")
        args.append(parent.capitalize())
    kind = enum_param(ctx.query, "field_type", FIELD_TYPES)
    if kind:
        where.append("field_type = ?")
        args.append(kind)
    if bool_param(ctx.query, "deleted"):
        where.append("0")  # the firm has deleted none
    query = ctx.query.get("query")
    if query:
        where.append("name LIKE ? ESCAPE '\\'")
        args.append(like(query))
    rows, limit = page_rows(ctx, "custom_fields", where, args)
    return ctx.listing(rows, limit, lambda r: render(sel, matter_fields.custom_field(r), lambda _n: []))


async def show_custom_field(ctx: Ctx) -> Response:
    sel = ctx.selection("CustomField")
    ident = ctx.request.path_params["id"]
    row = get_row(ctx.conn, "custom_fields", ident)
    if row is None:
        raise not_found("CustomField", ident)
    values = matter_fields.custom_field(row)
    return not_modified(ctx.request, values["etag"]) or ctx.ok(
        render(sel, values, lambda _n: []), etag=values["etag"]
    )


async def related_contacts(ctx: Ctx) -> Response:
    """The contacts related to a matter, each with its relationship (description)."""
    sel = ctx.selection("RelatedContacts")
    ident = ctx.request.path_params["matter_id"]
    if get_row(ctx.conn, "matters", ident) is None:
        raise not_found("Matter", ident)
    enum_param(ctx.query, "order", ("id(asc)", "id(desc)", "contact.name(asc)", "contact.name(desc)"))
    rows, limit = page_rows(ctx, "relationships", ["matter_id = ?"], [ident])
    return ctx.listing(
        rows,
        limit,
        lambda r: render(
            sel, matter_fields.related_contact(ctx.conn, r), lambda _n: matter_fields.relationship(r)
        ),
    )


async def list_relationships(ctx: Ctx) -> Response:
    """Relationships, filtered by matter_id and contact_id."""
    sel = ctx.selection("Relationship")
    where: list[str] = []
    args: list[Any] = []
    for name in ("matter_id", "contact_id"):
        value = int_param(ctx.query, name)
        if value is not None:
            where.append(f"{name} = ?")
            args.append(value)
    rows, limit = page_rows(ctx, "relationships", where, args)

    def build(row: Any) -> dict[str, Any]:
        def related(name: str) -> Any:
            if name == "matter":
                matter = get_row(ctx.conn, "matters", row["matter_id"])
                return None if matter is None else ctx.serializers.matter(matter)
            contact = get_row(ctx.conn, "contacts", row["contact_id"])
            return None if contact is None else ctx.serializers.contact(contact)

        return render(sel, matter_fields.relationship(row), related)

    return ctx.listing(rows, limit, build)


def _apply_value(ctx: Ctx, matter_id: int, entry: Any) -> None:
    if not isinstance(entry, dict):
        raise bad_request("custom_field_values entries must be objects")
    value = entry.get("value")
    if entry.get("id") is not None:
        match = _VALUE_ID.match(str(entry["id"]))
        row = None
        if match:
            row = ctx.conn.execute(
                "SELECT * FROM custom_field_values WHERE id = ? AND matter_id = ?", (int(match[1]), matter_id)
            ).fetchone()
        if row is None:
            raise not_found("CustomFieldValue", entry["id"])
        if entry.get("_destroy") is True:
            ctx.conn.execute("DELETE FROM custom_field_values WHERE id = ?", (row["id"],))
            return
        if not isinstance(value, str):
            raise invalid("Value can't be blank")
        touch(ctx.conn, "custom_field_values", row["id"], value=value)
        return
    field_id = (
        (entry.get("custom_field") or {}).get("id") if isinstance(entry.get("custom_field"), dict) else None
    )
    field = get_row(ctx.conn, "custom_fields", field_id) if isinstance(field_id, int) else None
    if field is None or field["parent_type"] != "Matter":
        raise invalid(f"Custom field {field_id!r} is not a matter custom field")
    if field["field_type"] not in TEXT_TYPES:
        raise invalid(
            f"The sandbox stores only text values; {field['name']} is a {field['field_type']} field"
        )
    if not isinstance(value, str) or not value.strip():
        raise invalid("Value can't be blank")
    taken = ctx.conn.execute(
        "SELECT id FROM custom_field_values WHERE matter_id = ? AND custom_field_id = ?",
        (matter_id, field_id),
    ).fetchone()
    if taken is not None:
        raise invalid(f"{field['name']} already has a value on this matter; update it by its id")
    stamp = now_iso()
    ctx.conn.execute(
        "INSERT INTO custom_field_values (matter_id, custom_field_id, value, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (matter_id, field_id, value, stamp, stamp),
    )


async def update_matter(ctx: Ctx) -> Response:
    """PATCH a matter: its description and custom field values (what the app writes)."""
    sel = ctx.selection("Matter")
    ident = ctx.request.path_params["id"]
    row = get_row(ctx.conn, "matters", ident)
    if row is None:
        raise not_found("Matter", ident)
    check_if_match(ctx.request, ctx.serializers.matter(row)["etag"])
    data = await ctx.data()
    unsupported = sorted(set(data) - {"description", "custom_field_values"})
    if unsupported:
        raise bad_request(f"The sandbox does not change {', '.join(unsupported)} of a matter")
    values = data.get("custom_field_values", [])
    if not isinstance(values, list):
        raise bad_request("custom_field_values must be a list")
    changes: dict[str, Any] = {}
    if "description" in data:
        if not isinstance(data["description"], str) or not data["description"].strip():
            raise invalid("Description can't be blank")
        changes["description"] = data["description"]
    ctx.conn.execute("SAVEPOINT patch_matter")
    try:
        for entry in values:
            _apply_value(ctx, ident, entry)
        touch(ctx.conn, "matters", ident, **changes)
    except BaseException:
        ctx.conn.execute("ROLLBACK TO patch_matter")
        ctx.conn.execute("RELEASE patch_matter")
        raise
    ctx.conn.execute("RELEASE patch_matter")
    row = get_row(ctx.conn, "matters", ident)
    assert row is not None
    return ctx.ok(ctx.serializers.render_matter(row, sel), etag=ctx.serializers.matter(row)["etag"])


def routes(emu: Emulator) -> list[Route]:
    return [
        *api_routes(emu, "/custom_fields", {"GET": list_custom_fields}),
        *api_routes(emu, "/custom_fields/{id:int}", {"GET": show_custom_field}),
        *api_routes(emu, "/matters/{matter_id:int}/related_contacts", {"GET": related_contacts}),
        *api_routes(emu, "/relationships", {"GET": list_relationships}),
        *api_routes(emu, "/matters/{id:int}", {"PATCH": update_matter}),
    ]
