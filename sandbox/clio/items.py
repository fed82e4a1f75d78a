"""Folder/document helpers shared by the folder and document routes: parents, visibility, properties."""

from __future__ import annotations

import mimetypes
import sqlite3
from typing import Any

from starlette.datastructures import QueryParams

from sandbox.clio.api import like
from sandbox.clio.errors import bad_request, invalid, not_found
from sandbox.clio.params import bool_param, enum_param, int_param
from sandbox.clio.store import MAX_ID, get_row, now_iso

MAX_EXTERNAL_PROPERTIES = 5
MAX_NAME = 255
COMPLETED = (
    "(kind = 'Folder' OR EXISTS (SELECT 1 FROM document_versions v "
    "WHERE v.document_id = items.id AND v.fully_uploaded = 1))"
)
_DESCENDANT_FOLDERS = (
    "(WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT i.id FROM items i "
    "JOIN sub ON i.parent_id = sub.id WHERE i.kind = 'Folder') SELECT id FROM sub)"
)


def root_folder_id(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT id FROM items WHERE root = 1").fetchone()["id"])


def get_folder(conn: sqlite3.Connection, ident: int) -> sqlite3.Row:
    row = get_row(conn, "items", ident)
    if row is None or row["kind"] != "Folder" or row["deleted_at"] is not None:
        raise not_found("Folder", ident)
    return row


def get_document(conn: sqlite3.Connection, ident: int, *, allow_deleted: bool = True) -> sqlite3.Row:
    row = get_row(conn, "items", ident)
    if row is None or row["kind"] != "Document" or (row["deleted_at"] is not None and not allow_deleted):
        raise not_found("Document", ident)
    return row


def list_filters(
    conn: sqlite3.Connection, query: QueryParams, *, default_parent: int | None, uncompleted_param: bool
) -> tuple[list[str], list[Any]]:
    """WHERE clauses for folders/list, folders and documents listings (shared query parameters).

    Trashed items are left out unless `include_deleted=true` (their `deleted_at` then says so)."""
    where = [] if bool_param(query, "include_deleted") else ["deleted_at IS NULL"]
    args: list[Any] = []
    parent_id = int_param(query, "parent_id")
    if parent_id is None:
        parent_id = default_parent
    scope = enum_param(query, "scope", ("children", "descendants")) or "children"
    if parent_id is not None:
        get_folder(conn, parent_id)
        if scope == "children":
            where.append("parent_id = ?")
        else:
            where.append(f"parent_id IN {_DESCENDANT_FOLDERS}")
        args.append(parent_id)
    matter_id = int_param(query, "matter_id")
    if matter_id is not None:
        where.append("matter_id = ?")
        args.append(matter_id)
    contact_id = int_param(query, "contact_id")
    if contact_id is not None:
        where.append("contact_id = ?")
        args.append(contact_id)
    text = query.get("query")
    if text:
        where.append("name LIKE ? ESCAPE '\\'")
        args.append(like(text))
    prop_name, prop_value = query.get("external_property_name"), query.get("external_property_value")
    if prop_value is not None and not prop_name:
        raise bad_request("external_property_value requires external_property_name")
    if prop_name:
        sql = "id IN (SELECT item_id FROM external_properties WHERE name = ?"
        args.append(prop_name)
        if prop_value is not None:
            sql += " AND value = ?"
            args.append(prop_value)
        where.append(sql + ")")
    show_uncompleted = bool_param(query, "show_uncompleted") if uncompleted_param else False
    if not show_uncompleted:
        where.append(COMPLETED)
    return where, args


def check_name(data: dict[str, Any], *, required: bool) -> str | None:
    if "name" not in data:
        if required:
            raise invalid("Name can't be blank")
        return None
    name = data["name"]
    if not isinstance(name, str) or not name.strip():
        raise invalid("Name can't be blank")
    if len(name) > MAX_NAME or "/" in name or "\\" in name:
        raise invalid("Name is invalid (at most 255 characters, no slashes)")
    return name.strip()


def resolve_parent(
    conn: sqlite3.Connection, data: dict[str, Any], allowed: tuple[str, ...]
) -> tuple[str, int]:
    """(parent type, folder or document id) for a `parent: {id, type}` reference."""
    parent = data.get("parent")
    if not isinstance(parent, dict):
        raise invalid("Parent can't be blank (expected an object with id and type)")
    ident, kind = parent.get("id"), parent.get("type")
    if isinstance(ident, bool) or not isinstance(ident, int) or ident <= 0:
        raise invalid("Parent id must be a positive integer")
    if kind not in allowed:
        raise invalid(f"Parent type must be one of {', '.join(allowed)}")
    if kind == "Folder":
        return kind, int(get_folder(conn, ident)["id"])
    if kind == "Document":
        return kind, int(get_document(conn, ident, allow_deleted=False)["id"])
    table = "matters" if kind == "Matter" else "contacts"
    row = get_row(conn, table, ident)
    if row is None:
        raise not_found(kind, ident)
    if row["folder_id"] is None:  # Clio creates a contact's folder on first use
        row = _make_owner_folder(conn, table, row)
    return kind, int(row["folder_id"])


def _make_owner_folder(conn: sqlite3.Connection, table: str, row: sqlite3.Row) -> sqlite3.Row:
    stamp = now_iso()
    root = root_folder_id(conn)
    owner = "matter_id" if table == "matters" else "contact_id"
    cur = conn.execute(
        f"INSERT INTO items (kind, name, parent_id, {owner}, created_at, updated_at) "  # noqa: S608
        "VALUES ('Folder', ?, ?, ?, ?, ?)",
        (row["name"] if table == "contacts" else row["display_number"], root, row["id"], stamp, stamp),
    )
    conn.execute(f"UPDATE {table} SET folder_id = ? WHERE id = ?", (cur.lastrowid, row["id"]))  # noqa: S608
    return get_row(conn, table, row["id"])  # type: ignore[return-value]


def check_external_properties(value: object, existing: int = 0) -> list[dict[str, Any]]:
    """Validate an `external_properties` list (name/value strings; at most 5 per item in total)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid("external_properties must be a list of {name, value} objects")
    out: list[dict[str, Any]] = []
    for entry in value:
        if not isinstance(entry, dict):
            raise invalid("external_properties must be a list of {name, value} objects")
        name, val = entry.get("name"), entry.get("value")
        if "id" in entry:
            if (
                isinstance(entry["id"], bool)
                or not isinstance(entry["id"], int)
                or not 0 < entry["id"] <= MAX_ID
            ):
                raise invalid("external_properties id must be an integer")
        elif not isinstance(name, str) or not name.strip() or not isinstance(val, str):
            raise invalid("external_properties entries need a name and a string value")
        out.append(entry)
    adding = sum(1 for e in out if "id" not in e)
    removing = sum(1 for e in out if "id" in e and e.get("_destroy") is True)
    if existing + adding - removing > MAX_EXTERNAL_PROPERTIES:
        raise invalid(f"There is a limit of {MAX_EXTERNAL_PROPERTIES} external_properties per item")
    return out


def apply_external_properties(conn: sqlite3.Connection, item_id: int, entries: list[dict[str, Any]]) -> None:
    stamp = now_iso()
    for entry in entries:
        if "id" not in entry:
            conn.execute(
                "INSERT INTO external_properties (item_id, name, value, created_at, updated_at) "
                "VALUES (?,?,?,?,?)",
                (item_id, entry["name"].strip(), entry["value"], stamp, stamp),
            )
        elif entry.get("_destroy") is True:
            conn.execute(
                "DELETE FROM external_properties WHERE id = ? AND item_id = ?", (entry["id"], item_id)
            )
        else:
            conn.execute(
                "UPDATE external_properties SET name = COALESCE(?, name), value = COALESCE(?, value), "
                "updated_at = ? WHERE id = ? AND item_id = ?",
                (entry.get("name"), entry.get("value"), stamp, entry["id"], item_id),
            )


def check_known_property_ids(conn: sqlite3.Connection, item_id: int, entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        if (
            "id" in entry
            and not conn.execute(
                "SELECT 1 FROM external_properties WHERE id = ? AND item_id = ?", (entry["id"], item_id)
            ).fetchone()
        ):
            raise invalid(f"external property {entry['id']} does not belong to this item")


def guess_content_type(name: str) -> str:
    guessed, _ = mimetypes.guess_type(name)
    extras = {".rtf": "application/rtf", ".docx": _DOCX, ".odt": "application/vnd.oasis.opendocument.text"}
    for ext, ctype in extras.items():
        if name.lower().endswith(ext):
            return ctype
    return guessed or "application/octet-stream"


_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
