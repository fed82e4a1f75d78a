"""Rows -> every scalar value of a resource, and the nested objects of its relations.

`fields.render` then picks what the request asked for. Values use the official types: ids and sizes
int, timestamps ISO-8601 strings, dates YYYY-MM-DD, `status` capitalised for matters.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

from sandbox.clio import matter_fields
from sandbox.clio.fields import Selection, render
from sandbox.clio.storage import Storage, version_url_fields
from sandbox.clio.store import etag_of, get_meta, get_row

Nested = Mapping[str, Any] | list[Mapping[str, Any]] | None
BILLED_STATES = ("awaiting_payment", "paid")
ON_BILL_STATES = ("draft", "awaiting_approval", "awaiting_payment", "paid")


def _initials(*names: str | None) -> str:
    return "".join(n[0].upper() for n in names if n)


class Serializers:
    """Builds response objects for every resource from database rows."""

    def __init__(self, conn: sqlite3.Connection, storage: Storage) -> None:
        self.conn = conn
        self.storage = storage

    # -- scalar values ---------------------------------------------------------------------------
    def user(self, row: sqlite3.Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "etag": etag_of("users", row),
            "name": row["name"],
            "first_name": row["first_name"],
            "last_name": row["last_name"],
            "initials": _initials(row["first_name"], row["last_name"]),
            "email": row["email"],
            "enabled": True,
            "account_owner": bool(row["account_owner"]),
            "roles": ["Admin"] if row["account_owner"] else [],
            "subscription_type": row["subscription_type"],
            "time_zone": row["time_zone"],
            "default_calendar_id": 50000 + row["id"],
            "rate": float(row["rate"]),
            "phone_number": None,
            "clio_connect": False,
            "court_rules_default_attendee": False,
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }

    def account(self) -> dict[str, Any]:
        stamp = get_meta(self.conn, "seeded_at") or ""
        return {
            "id": 1,
            "etag": '"account-1"',
            "name": get_meta(self.conn, "firm_name"),
            "state": "active",
            "created_at": stamp,
            "updated_at": stamp,
        }

    def contact(self, row: sqlite3.Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "etag": etag_of("contacts", row),
            "name": row["name"],
            "first_name": row["first_name"] or None,
            "middle_name": None,
            "last_name": row["last_name"] or None,
            "type": row["type"],
            "prefix": None,
            "title": None,
            "initials": _initials(row["first_name"], row["last_name"]) or _initials(row["name"]),
            "primary_email_address": row["email"] or None,
            "primary_phone_number": None,
            "is_client": bool(row["is_client"]),
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }

    def matter(self, row: sqlite3.Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "etag": etag_of("matters", row),
            "number": row["number"],
            "display_number": row["display_number"],
            "custom_number": None,
            "description": row["description"],
            "status": row["status"],
            "location": None,
            "client_reference": None,
            "client_id": row["client_id"],
            "billable": True,
            "billing_method": "hourly",
            "open_date": row["open_date"],
            "close_date": row["close_date"],
            "pending_date": row["pending_date"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }

    def practice_area(self, name: str) -> dict[str, Any]:
        ident = 300 + sum(ord(c) for c in name) % 700  # stable id per practice area name
        stamp = get_meta(self.conn, "seeded_at") or ""
        return {
            "id": ident,
            "etag": f'"pa-{ident}"',
            "name": name,
            "category": None,
            "code": None,
            "created_at": stamp,
            "updated_at": stamp,
        }

    def item(self, row: sqlite3.Row) -> dict[str, Any]:
        values: dict[str, Any] = {
            "id": row["id"],
            "etag": etag_of("items", row),
            "type": row["kind"],
            "name": row["name"],
            "locked": False,
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "deleted_at": row["deleted_at"],
        }
        if row["kind"] == "Folder":
            values["root"] = bool(row["root"])
        else:
            version = self.latest_version(row["id"])
            values.update(
                received_at=row["received_at"],
                filename=version["filename"] if version else row["name"],
                size=version["size"] if version else 0,
                content_type=version["content_type"] if version else row["content_type"],
            )
        return values

    def version(self, row: sqlite3.Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "document_id": row["document_id"],
            "etag": etag_of("document_versions", row),
            "uuid": row["uuid"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "filename": row["filename"],
            "size": row["size"],
            "version_number": row["version_number"],
            "content_type": row["content_type"],
            "received_at": row["received_at"],
            "fully_uploaded": bool(row["fully_uploaded"]),
            **version_url_fields(self.storage, row),
        }

    def activity(self, row: sqlite3.Row) -> dict[str, Any]:
        state = self.bill_state(row["bill_id"])
        total = round(row["quantity"] * row["price"], 2)
        return {
            "id": row["id"],
            "etag": etag_of("activities", row),
            "type": row["type"],
            "date": row["date"],
            "quantity": float(row["quantity"]),
            "rounded_quantity": float(row["quantity"]),
            "quantity_redacted": False,
            "price": float(row["price"]),
            "note": row["note"],
            "flat_rate": False,
            "billed": state in BILLED_STATES,
            "on_bill": state in ON_BILL_STATES,
            "total": total,
            "contingency_fee": False,
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "reference": row["reference"],
            "non_billable": bool(row["non_billable"]),
            "non_billable_total": total if row["non_billable"] else 0.0,
            "no_charge": bool(row["no_charge"]),
            "tax_setting": row["tax_setting"],
        }

    def bill(self, row: sqlite3.Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "etag": etag_of("bills", row),
            "number": row["number"],
            "issued_at": row["issued_at"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "state": row["state"],
        }

    def category(self, row: sqlite3.Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "etag": etag_of("expense_categories", row),
            "name": row["name"],
            "rate": row["rate"],
            "entry_type": row["entry_type"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "xero_expense_code": None,
            "accessible_to_user": True,
            "tax_setting": "no_tax",
        }

    def external_properties(self, item_id: int) -> list[Mapping[str, Any]]:
        rows = self.conn.execute(
            "SELECT * FROM external_properties WHERE item_id = ? ORDER BY id", (item_id,)
        ).fetchall()
        return [
            {
                "id": r["id"],
                "etag": f'"ep-{r["id"]}-{r["updated_at"]}"',
                "name": r["name"],
                "value": r["value"],
                "created_at": r["created_at"],
                "updated_at": r["updated_at"],
            }
            for r in rows
        ]

    # -- lookups -----------------------------------------------------------------------------------
    def latest_version(self, document_id: int, *, include_pending: bool = True) -> sqlite3.Row | None:
        """The newest fully uploaded version, else (if allowed) the newest pending one."""
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM document_versions WHERE document_id = ? AND fully_uploaded = 1 "
            "ORDER BY version_number DESC LIMIT 1",
            (document_id,),
        ).fetchone()
        if row is None and include_pending:
            row = self.conn.execute(
                "SELECT * FROM document_versions WHERE document_id = ? ORDER BY version_number DESC LIMIT 1",
                (document_id,),
            ).fetchone()
        return row

    def bill_state(self, bill_id: int | None) -> str | None:
        if bill_id is None:
            return None
        row = get_row(self.conn, "bills", bill_id)
        return None if row is None else str(row["state"])

    def _one(self, table: str, ident: int | None, build: Callable[[sqlite3.Row], dict[str, Any]]) -> Nested:
        if ident is None:
            return None
        row = get_row(self.conn, table, ident)
        return None if row is None else build(row)

    # -- rendering ---------------------------------------------------------------------------------
    def render_user(self, row: sqlite3.Row, sel: Selection) -> dict[str, Any]:
        return render(sel, self.user(row), lambda _name: self.account())

    def render_contact(self, row: sqlite3.Row, sel: Selection) -> dict[str, Any]:
        return render(sel, self.contact(row), lambda _name: self._one("items", row["folder_id"], self.item))

    def render_matter(self, row: sqlite3.Row, sel: Selection) -> dict[str, Any]:
        def related(name: str) -> Nested:
            if name == "client":
                return self._one("contacts", row["client_id"], self.contact)
            if name == "folder":
                return self._one("items", row["folder_id"], self.item)
            if name == "practice_area":
                return self.practice_area(row["practice_area"]) if row["practice_area"] else None
            if name == "custom_field_values":
                return matter_fields.custom_field_values(self.conn, row["id"])
            if name == "relationships":
                return matter_fields.relationships(self.conn, row["id"])
            return self._one("users", 1, self.user)  # responsible_attorney: the account owner

        return render(sel, self.matter(row), related)

    def render_item(
        self, row: sqlite3.Row, sel: Selection, pending: sqlite3.Row | None = None
    ) -> dict[str, Any]:
        """Folders, documents and mixed `Item`s; `pending` overrides the version shown (new upload)."""

        def related(name: str) -> Nested:
            if name == "parent":
                return self._one("items", row["parent_id"], self.item)
            if name == "matter":
                return self._one("matters", row["matter_id"], self.matter)
            if name == "contact":
                return self._one("contacts", row["contact_id"], self.contact)
            if name == "external_properties":
                return self.external_properties(row["id"])
            version = pending or (self.latest_version(row["id"]) if row["kind"] == "Document" else None)
            return None if version is None else self.version(version)

        return render(sel, self.item(row), related)

    def render_activity(self, row: sqlite3.Row, sel: Selection) -> dict[str, Any]:
        def related(name: str) -> Nested:
            if name == "bill":
                return self._one("bills", row["bill_id"], self.bill)
            if name == "matter":
                return self._one("matters", row["matter_id"], self.matter)
            if name == "expense_category":
                return self._one("expense_categories", row["expense_category_id"], self.category)
            return self._one("users", row["user_id"], self.user)

        return render(sel, self.activity(row), related)

    def render_category(self, row: sqlite3.Row, sel: Selection) -> dict[str, Any]:
        return render(sel, self.category(row), lambda _name: None)
