"""documents (list, create/new version), documents/{id} (show, update, trash), documents/{id}/download."""

from __future__ import annotations

import sqlite3
import uuid as uuidlib
from datetime import UTC, datetime
from typing import Any

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from sandbox.clio import items
from sandbox.clio.api import Ctx, Emulator, api_routes, check_if_match, not_modified, page_rows
from sandbox.clio.errors import invalid, not_found
from sandbox.clio.params import int_param
from sandbox.clio.store import get_row, now_iso, touch


async def list_documents(ctx: Ctx) -> Response:
    """Documents, filtered by parent_id/scope, matter_id, query, external property, show_uncompleted."""
    sel = ctx.selection("Document")
    where, args = items.list_filters(ctx.conn, ctx.query, default_parent=None, uncompleted_param=True)
    rows, limit = page_rows(ctx, "items", [*where, "kind = 'Document'"], args)
    return ctx.listing(rows, limit, lambda r: ctx.serializers.render_item(r, sel))


def _content_type(data: dict[str, Any], name: str) -> str:
    value = data.get("content_type")
    if value is None or value == "":
        return items.guess_content_type(name)
    if not isinstance(value, str) or "/" not in value or len(value) > 255:
        raise invalid("Content type is invalid (expected a MIME type such as application/pdf)")
    return value


def _new_version(conn: sqlite3.Connection, document_id: int, filename: str, content_type: str) -> sqlite3.Row:
    number = conn.execute(
        "SELECT COALESCE(MAX(version_number), 0) + 1 AS n FROM document_versions WHERE document_id = ?",
        (document_id,),
    ).fetchone()["n"]
    stamp = now_iso()
    cur = conn.execute(
        "INSERT INTO document_versions (document_id, uuid, version_number, filename, content_type, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (document_id, str(uuidlib.uuid4()), number, filename, content_type, stamp, stamp),
    )
    row = get_row(conn, "document_versions", int(cur.lastrowid or 0))
    assert row is not None
    return row


def _received_at(data: dict[str, Any]) -> str | None:
    """The optional `received_at` of a new document (an ISO-8601 timestamp), checked."""
    value = data.get("received_at")
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise invalid("Received at is not a valid timestamp") from None
    if moment.tzinfo is None:
        raise invalid("Received at needs a time zone")
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


async def create_document(ctx: Ctx) -> Response:
    """Start an upload: a new document (parent Folder/Matter/Contact) or a new version (parent Document)."""
    sel = ctx.selection("Document")
    data = await ctx.data()
    # Validate everything before resolving the parent: a Contact parent may create its folder.
    parent_ref = data.get("parent")
    new_version = isinstance(parent_ref, dict) and parent_ref.get("type") == "Document"
    name = items.check_name(data, required=not new_version)
    filename = data.get("filename", name)
    if filename is not None and (not isinstance(filename, str) or not filename.strip()):
        raise invalid("Filename is invalid")
    props = items.check_external_properties(data.get("external_properties"))
    received_at = _received_at(data)
    _content_type(data, "unnamed")
    kind, parent_id = items.resolve_parent(ctx.conn, data, ("Document", "Folder", "Contact", "Matter"))
    if kind == "Document":
        document = get_row(ctx.conn, "items", parent_id)
        assert document is not None
        name = name or str(document["name"])
        content_type = _content_type(data, filename or name)
        version = _new_version(ctx.conn, parent_id, filename or name, content_type)
        if data.get("name"):
            touch(ctx.conn, "items", parent_id, name=name)
        items.apply_external_properties(ctx.conn, parent_id, props)
    else:
        assert name is not None
        content_type = _content_type(data, filename or name)
        parent = get_row(ctx.conn, "items", parent_id)
        assert parent is not None
        stamp = now_iso()
        cur = ctx.conn.execute(
            "INSERT INTO items (kind, name, parent_id, matter_id, contact_id, content_type, received_at, "
            "created_at, updated_at) VALUES ('Document', ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                name,
                parent_id,
                parent["matter_id"],
                parent["contact_id"],
                content_type,
                received_at,
                stamp,
                stamp,
            ),
        )
        document_id = int(cur.lastrowid or 0)
        version = _new_version(ctx.conn, document_id, filename or name, content_type)
        items.apply_external_properties(ctx.conn, document_id, props)
    row = get_row(ctx.conn, "items", version["document_id"])
    assert row is not None
    body = ctx.serializers.render_item(row, sel, pending=version)
    return ctx.ok(body, status=201, etag=ctx.serializers.item(row)["etag"])


async def show_document(ctx: Ctx) -> Response:
    """One document (also while its upload is pending, and while it is in the trash)."""
    sel = ctx.selection("Document")
    row = items.get_document(ctx.conn, ctx.request.path_params["id"])
    etag = ctx.serializers.item(row)["etag"]
    return not_modified(ctx.request, etag) or ctx.ok(ctx.serializers.render_item(row, sel), etag=etag)


def _complete_upload(ctx: Ctx, row: sqlite3.Row, data: dict[str, Any]) -> dict[str, Any] | None:
    """Validate a `uuid` + `fully_uploaded` request; return the column changes for the version."""
    if "fully_uploaded" not in data and "uuid" not in data:
        return None
    flag, uuid = data.get("fully_uploaded"), data.get("uuid")
    if not isinstance(flag, bool):
        raise invalid("fully_uploaded must be true or false")
    if not isinstance(uuid, str) or not uuid:
        raise invalid("uuid can't be blank when marking an upload", "ArgumentError")
    version = ctx.conn.execute(
        "SELECT * FROM document_versions WHERE uuid = ? AND document_id = ?", (uuid, row["id"])
    ).fetchone()
    if version is None:
        raise invalid(f"No upload with uuid {uuid} belongs to this document", "ArgumentError")
    if not flag:
        return {}
    if version["fully_uploaded"]:
        raise invalid("The document is already marked as fully uploaded", "ArgumentError")
    if ctx.emu.settings.faults.take_upload_timeout():
        raise invalid("Verifying the uploaded file timed out. Please retry.", "UploadTimeoutError")
    blob = version["blob"]
    if not blob or not ctx.emu.storage.blob_path(blob).exists():
        raise invalid("The uploaded file could not be found in storage", "UploadNotFoundError")
    return {"version_id": version["id"]}


async def update_document(ctx: Ctx) -> Response:
    """Rename, move, restore, edit external properties, or mark an upload complete."""
    sel = ctx.selection("Document")
    row = items.get_document(ctx.conn, ctx.request.path_params["id"])
    check_if_match(ctx.request, ctx.serializers.item(row)["etag"])
    data = await ctx.data()
    name = items.check_name(data, required=False)
    restore = data.get("restore")
    if restore is not None and not isinstance(restore, bool):
        raise invalid("restore must be true or false")
    if row["deleted_at"] is not None and restore is not True:
        raise not_found("Document", row["id"])
    existing = ctx.conn.execute(
        "SELECT COUNT(*) AS n FROM external_properties WHERE item_id = ?", (row["id"],)
    ).fetchone()["n"]
    props = items.check_external_properties(data.get("external_properties"), existing)
    items.check_known_property_ids(ctx.conn, row["id"], props)
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = name
    if "parent" in data:
        _kind, parent_id = items.resolve_parent(ctx.conn, data, ("Folder", "Matter", "Contact"))
        parent = get_row(ctx.conn, "items", parent_id)
        assert parent is not None
        changes.update(parent_id=parent_id, matter_id=parent["matter_id"], contact_id=parent["contact_id"])
    completion = _complete_upload(ctx, row, data)
    # Everything is valid: apply it all (nothing above has written anything).
    if restore:
        changes["deleted_at"] = None
    if completion and "version_id" in completion:
        stamp = now_iso()
        ctx.conn.execute(
            "UPDATE document_versions SET fully_uploaded = 1, received_at = ?, updated_at = ?, "
            "version = version + 1 WHERE id = ?",
            (stamp, stamp, completion["version_id"]),
        )
        if not row["received_at"]:  # a time given at creation (the court's return time) stays
            changes["received_at"] = stamp
    items.apply_external_properties(ctx.conn, row["id"], props)
    touch(ctx.conn, "items", row["id"], **changes)
    updated = get_row(ctx.conn, "items", row["id"])
    assert updated is not None
    return ctx.ok(ctx.serializers.render_item(updated, sel), etag=ctx.serializers.item(updated)["etag"])


async def delete_document(ctx: Ctx) -> Response:
    """Move a document to the trash."""
    row = items.get_document(ctx.conn, ctx.request.path_params["id"], allow_deleted=False)
    touch(ctx.conn, "items", row["id"], deleted_at=now_iso())
    return Response(status_code=204)


async def download_document(ctx: Ctx) -> Response:
    """303 to a signed storage URL for the latest (or the given) fully uploaded version."""
    row = items.get_document(ctx.conn, ctx.request.path_params["id"], allow_deleted=False)
    version_id = int_param(ctx.query, "document_version_id")
    if version_id is None:
        version = ctx.serializers.latest_version(row["id"], include_pending=False)
    else:
        version = get_row(ctx.conn, "document_versions", version_id)
        if version is not None and (version["document_id"] != row["id"] or not version["fully_uploaded"]):
            version = None
    if version is None:
        raise not_found(
            "DocumentVersion", version_id if version_id is not None else f"of document {row['id']}"
        )
    return RedirectResponse(ctx.emu.storage.signed_url("GET", version["uuid"]), status_code=303)


def routes(emu: Emulator) -> list[Route]:
    return [
        *api_routes(emu, "/documents", {"GET": list_documents, "POST": create_document}),
        *api_routes(
            emu,
            "/documents/{id:int}",
            {"GET": show_document, "PATCH": update_document, "DELETE": delete_document},
        ),
        *api_routes(emu, "/documents/{id:int}/download", {"GET": download_document}),
    ]
