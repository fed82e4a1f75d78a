"""Matters' custom fields and related contacts: tables, seed and the objects the routes render.

The firm keeps a matter's court case number and court in matter custom fields (Clio's matters have
no such fields of their own), and the other parties as related contacts whose relationship
description is free text ("Defendant", "Opposing counsel"). A custom field value's id is Clio's
composite `<field_type>-<n>` string; relationships and custom fields have integer ids.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from sandbox.clio.store import etag_of, get_row
from sandbox.seed import firm

SCHEMA = """
CREATE TABLE IF NOT EXISTS custom_fields (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, parent_type TEXT NOT NULL, field_type TEXT NOT NULL,
    display_order INTEGER NOT NULL DEFAULT 0, required INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS custom_field_values (
    id INTEGER PRIMARY KEY, matter_id INTEGER NOT NULL REFERENCES matters(id),
    custom_field_id INTEGER NOT NULL REFERENCES custom_fields(id), value TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS cfv_matter ON custom_field_values(matter_id, id);
CREATE TABLE IF NOT EXISTS relationships (
    id INTEGER PRIMARY KEY, matter_id INTEGER NOT NULL REFERENCES matters(id),
    contact_id INTEGER NOT NULL REFERENCES contacts(id), description TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS relationships_matter ON relationships(matter_id, id);
"""

CASE_NUMBER_FIELD = 801
COURT_FIELD = 802
# (id, name, field_type): the firm's matter custom fields; the last ones cannot hold a case number.
CUSTOM_FIELDS = (
    (CASE_NUMBER_FIELD, "Court Case Number", "text_line"),
    (COURT_FIELD, "Court", "text_line"),
    (803, "Date Served", "date"),
    (804, "Amount in Controversy", "currency"),
    (805, "Jury Demanded", "checkbox"),
    (806, "Case Notes", "text_area"),
)
# Contacts that are not clients: the other side of the firm's cases, and their counsel.
OTHER_CONTACTS = (
    (1101, "Company", "Brightwater Motors, Inc.", None, None),
    (1102, "Company", "Harmon Freight Co.", None, None),
    (1103, "Person", "Morgan Pryce", "Morgan", "Pryce"),
    (1104, "Person", "Linh Nguyen", "Linh", "Nguyen"),
    (1105, "Company", "Pacific Crest Staffing, Inc.", None, None),
    (1106, "Person", "Ray Harmon", "Ray", "Harmon"),
)
# (matter, contact, description): free text, as firms type it.
RELATIONSHIPS = (
    (2001, 1101, "Defendant"),
    (2002, 1102, "Opposing Party"),
    (2002, 1106, "Co-Defendant"),
    (2002, 1103, "Opposing Counsel"),
    (2003, 1104, "Respondent (spouse)"),
    (2010, 1105, "Adverse party"),
)
# A matter about to become a case: its court is known, its case number is not (yet).
EXTRA_VALUES = ((2010, COURT_FIELD, "Superior Court of California, County of Los Angeles"),)


def create_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)


def seed(conn: sqlite3.Connection, stamp: str) -> None:
    """The firm's matter custom fields, the values of the demo matters, and related contacts (the
    tables exist already: `store.create_schema` makes them)."""
    for order, (ident, name, kind) in enumerate(CUSTOM_FIELDS):
        conn.execute(
            "INSERT INTO custom_fields (id, name, parent_type, field_type, display_order, created_at, "
            "updated_at) VALUES (?, ?, 'Matter', ?, ?, ?, ?)",
            (ident, name, kind, order, stamp, stamp),
        )
    values: list[tuple[int, int, str]] = []
    for matter in firm.MATTERS:
        if matter.case_number:
            values.append((matter.id, CASE_NUMBER_FIELD, matter.case_number))
        if matter.court:
            values.append((matter.id, COURT_FIELD, matter.court))
    for matter_id, field_id, value in (*values, *EXTRA_VALUES):
        conn.execute(
            "INSERT INTO custom_field_values (matter_id, custom_field_id, value, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (matter_id, field_id, value, stamp, stamp),
        )
    for ident, kind, name, first, last in OTHER_CONTACTS:
        conn.execute(
            "INSERT INTO contacts (id, type, name, first_name, last_name, is_client, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
            (ident, kind, name, first, last, stamp, stamp),
        )
    for matter_id, contact_id, description in RELATIONSHIPS:
        conn.execute(
            "INSERT INTO relationships (matter_id, contact_id, description, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (matter_id, contact_id, description, stamp, stamp),
        )


def custom_field(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "etag": etag_of("custom_fields", row),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "name": row["name"],
        "parent_type": row["parent_type"],
        "field_type": row["field_type"],
        "displayed": True,
        "deleted": False,
        "required": bool(row["required"]),
        "display_order": row["display_order"],
    }


def value_id(field_type: str, ident: int) -> str:
    return f"{field_type}-{ident}"


def custom_field_values(conn: sqlite3.Connection, matter_id: int) -> list[Mapping[str, Any]]:
    rows = conn.execute(
        "SELECT v.*, f.name AS field_name, f.field_type, f.required, f.display_order, "
        "f.updated_at AS field_updated_at, f.version AS field_version "
        "FROM custom_field_values v JOIN custom_fields f ON f.id = v.custom_field_id "
        "WHERE v.matter_id = ? ORDER BY f.display_order, v.id",
        (matter_id,),
    ).fetchall()
    return [
        {
            "id": value_id(r["field_type"], r["id"]),
            "etag": etag_of("custom_field_values", r),
            "field_name": r["field_name"],
            "created_at": r["created_at"],
            "updated_at": r["updated_at"],
            "field_type": r["field_type"],
            "field_required": bool(r["required"]),
            "field_displayed": True,
            "field_display_order": r["display_order"],
            "value": r["value"],
            "soft_deleted": False,
            # `custom_field` named inside the braces: the nested field's default fields (id, etag).
            "custom_field": {
                "id": r["custom_field_id"],
                "etag": etag_of(
                    "custom_fields",
                    {
                        "id": r["custom_field_id"],
                        "version": r["field_version"],
                        "updated_at": r["field_updated_at"],
                    },
                ),
            },
        }
        for r in rows
    ]


def relationship(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "etag": etag_of("relationships", row),
        "description": row["description"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def relationships(conn: sqlite3.Connection, matter_id: int) -> list[Mapping[str, Any]]:
    rows = conn.execute("SELECT * FROM relationships WHERE matter_id = ? ORDER BY id", (matter_id,))
    return [relationship(r) for r in rows.fetchall()]


def related_contact(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """One RelatedContacts record from a relationships row (the contact, seen from the matter)."""
    contact = get_row(conn, "contacts", row["contact_id"])
    matter = get_row(conn, "matters", row["matter_id"])
    assert contact is not None
    first, last = contact["first_name"], contact["last_name"]
    return {
        "id": contact["id"],
        "contact_id": contact["id"],
        "name": contact["name"],
        "first_name": first or None,
        "middle_name": None,
        "last_name": last or None,
        "type": contact["type"],
        "created_at": contact["created_at"],
        "updated_at": contact["updated_at"],
        "prefix": None,
        "title": None,
        "initials": "".join(n[0].upper() for n in (first, last) if n) or contact["name"][:1].upper(),
        "is_matter_client": matter is not None and matter["client_id"] == contact["id"],
        "primary_email_address": contact["email"] or None,
        "primary_phone_number": None,
        "client_connect_user_id": None,
    }
