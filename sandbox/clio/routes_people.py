"""users/who_am_i, contacts, matters."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from sandbox.clio.api import Ctx, Emulator, api_routes, like, not_modified, page_rows
from sandbox.clio.errors import bad_request, not_found
from sandbox.clio.params import bool_param, enum_param, int_param
from sandbox.clio.store import get_row

MATTER_STATUSES = {"open": "Open", "pending": "Pending", "closed": "Closed"}


async def who_am_i(ctx: Ctx) -> Response:
    """The signed-in user."""
    sel = ctx.selection("User")
    row = get_row(ctx.conn, "users", ctx.user_id)
    if row is None:
        raise not_found("User", ctx.user_id)
    body = ctx.serializers.render_user(row, sel)
    etag = ctx.serializers.user(row)["etag"]
    return not_modified(ctx.request, etag) or ctx.ok(body, etag=etag)


async def list_contacts(ctx: Ctx) -> Response:
    """Contacts, filtered by client_only, type and a wildcard query."""
    sel = ctx.selection("Contact")
    where: list[str] = []
    args: list[Any] = []
    if bool_param(ctx.query, "client_only"):
        where.append("is_client = 1")
    kind = enum_param(ctx.query, "type", ("Person", "Company"))
    if kind:
        where.append("type = ?")
        args.append(kind)
    query = ctx.query.get("query")
    if query:
        where.append("(name LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\')")
        args += [like(query)] * 2
    rows, limit = page_rows(ctx, "contacts", where, args)
    return ctx.listing(rows, limit, lambda r: ctx.serializers.render_contact(r, sel))


def _statuses(raw: str | None) -> list[str]:
    if raw is None or raw == "":
        return []
    values = [v.strip() for v in raw.split(",")]
    for value in values:
        if value not in MATTER_STATUSES:
            raise bad_request(f"Invalid value for status: {value!r}; expected open, pending or closed")
    return [MATTER_STATUSES[v] for v in values]


async def list_matters(ctx: Ctx) -> Response:
    """Matters, filtered by client_id, status (lowercase, comma list) and a wildcard query."""
    sel = ctx.selection("Matter")
    where: list[str] = []
    args: list[Any] = []
    client_id = int_param(ctx.query, "client_id")
    if client_id is not None:
        where.append("client_id = ?")
        args.append(client_id)
    statuses = _statuses(ctx.query.get("status"))
    if statuses:
        where.append(f"status IN ({','.join('?' * len(statuses))})")
        args += statuses
    query = ctx.query.get("query")
    if query:
        where.append(
            "(display_number LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\' OR CAST(number AS TEXT) "
            "LIKE ? ESCAPE '\\' OR client_id IN (SELECT id FROM contacts WHERE name LIKE ? ESCAPE '\\'))"
        )
        args += [like(query)] * 4
    rows, limit = page_rows(ctx, "matters", where, args)
    return ctx.listing(rows, limit, lambda r: ctx.serializers.render_matter(r, sel))


async def show_matter(ctx: Ctx) -> Response:
    """One matter."""
    sel = ctx.selection("Matter")
    ident = ctx.request.path_params["id"]
    row = get_row(ctx.conn, "matters", ident)
    if row is None:
        raise not_found("Matter", ident)
    etag = ctx.serializers.matter(row)["etag"]
    return not_modified(ctx.request, etag) or ctx.ok(ctx.serializers.render_matter(row, sel), etag=etag)


def routes(emu: Emulator) -> list[Route]:
    return [
        *api_routes(emu, "/users/who_am_i", {"GET": who_am_i}),
        *api_routes(emu, "/contacts", {"GET": list_contacts}),
        *api_routes(emu, "/matters", {"GET": list_matters}),
        *api_routes(emu, "/matters/{id:int}", {"GET": show_matter}),
    ]
