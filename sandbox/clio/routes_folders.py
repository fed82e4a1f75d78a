"""folders/list (mixed contents), folders (list, create) and folders/{id}."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from sandbox.clio import items
from sandbox.clio.api import Ctx, Emulator, api_routes, not_modified, page_rows
from sandbox.clio.errors import invalid
from sandbox.clio.store import get_row, now_iso


async def list_contents(ctx: Ctx) -> Response:
    """Documents and folders of one folder (default: the account's root folder)."""
    sel = ctx.selection("Item")
    root = items.root_folder_id(ctx.conn)
    where, args = items.list_filters(ctx.conn, ctx.query, default_parent=root, uncompleted_param=True)
    rows, limit = page_rows(ctx, "items", where, args)
    return ctx.listing(rows, limit, lambda r: ctx.serializers.render_item(r, sel))


async def list_folders(ctx: Ctx) -> Response:
    """Folders only, filtered by parent_id, matter_id, query, scope."""
    sel = ctx.selection("Folder")
    where, args = items.list_filters(ctx.conn, ctx.query, default_parent=None, uncompleted_param=False)
    rows, limit = page_rows(ctx, "items", [*where, "kind = 'Folder'"], args)
    return ctx.listing(rows, limit, lambda r: ctx.serializers.render_item(r, sel))


async def create_folder(ctx: Ctx) -> Response:
    """A new folder under a Folder, a Matter's folder or a Contact's folder."""
    sel = ctx.selection("Folder")
    data = await ctx.data()
    name = items.check_name(data, required=True)
    props = items.check_external_properties(data.get("external_properties"))
    _kind, parent_id = items.resolve_parent(ctx.conn, data, ("Folder", "Matter", "Contact"))
    taken = ctx.conn.execute(
        "SELECT 1 FROM items WHERE parent_id = ? AND kind = 'Folder' AND name = ? AND deleted_at IS NULL",
        (parent_id, name),
    ).fetchone()
    if taken:
        raise invalid("Name has already been taken")
    parent = get_row(ctx.conn, "items", parent_id)
    assert parent is not None
    stamp = now_iso()
    cur = ctx.conn.execute(
        "INSERT INTO items (kind, name, parent_id, matter_id, contact_id, created_at, updated_at) "
        "VALUES ('Folder', ?, ?, ?, ?, ?, ?)",
        (name, parent_id, parent["matter_id"], parent["contact_id"], stamp, stamp),
    )
    ident = int(cur.lastrowid or 0)
    items.apply_external_properties(ctx.conn, ident, props)
    row = get_row(ctx.conn, "items", ident)
    assert row is not None
    return ctx.ok(ctx.serializers.render_item(row, sel), status=201, etag=ctx.serializers.item(row)["etag"])


async def show_folder(ctx: Ctx) -> Response:
    """One folder."""
    sel = ctx.selection("Folder")
    row = items.get_folder(ctx.conn, ctx.request.path_params["id"])
    etag = ctx.serializers.item(row)["etag"]
    return not_modified(ctx.request, etag) or ctx.ok(ctx.serializers.render_item(row, sel), etag=etag)


def routes(emu: Emulator) -> list[Route]:
    return [
        *api_routes(emu, "/folders/list", {"GET": list_contents}),
        *api_routes(emu, "/folders", {"GET": list_folders, "POST": create_folder}),
        *api_routes(emu, "/folders/{id:int}", {"GET": show_folder}),
    ]
