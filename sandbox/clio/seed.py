"""Seed the emulator's database from `sandbox.seed.firm`: users, clients, matters with their folder
trees and files, expense categories, bills and expense activities; optionally the bench scale.

Stored bytes live in `<data_dir>/blobs/`, hard-linked (or copied) from the seed-file cache.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import uuid as uuidlib
from pathlib import Path

from sandbox.clio import matter_fields
from sandbox.clio.items import guess_content_type
from sandbox.clio.store import now_iso, set_meta
from sandbox.seed import firm

ROOT_FOLDER_ID = 10_000
BENCH_MATTER_BASE = 100_000
BENCH_MATTERS = 2_000
BENCH_ITEMS = 2_000
BENCH_FOLDER_NAME = "Bulk Production (2,000 items)"
BILLS = (
    (9001, "1001", "paid", "2025-09-30"),
    (9002, "1002", "awaiting_payment", "2025-10-31"),
    (9003, "1003", "draft", None),
    (9004, "1004", "awaiting_approval", None),
    (9005, "1005", "void", "2025-08-31"),
)
# (id, matter, category, date, price, note, bill) — on a bill in every state (paid, awaiting
# payment, draft, awaiting approval, void) and unbilled.
ACTIVITIES = (
    (7001, 2001, 501, "2025-09-12", 435.0, "Filing fee – Complaint for Damages", 9001),
    (7002, 2001, 502, "2025-09-12", 15.0, "eFiling service fee – Complaint", 9001),
    (7003, 2002, 501, "2025-10-03", 435.0, "Filing fee – Complaint", 9002),
    (7004, 2002, 505, "2025-10-04", 45.0, "Courier – courtesy copies to Dept. C-15", 9003),
    (7005, 2004, 506, "2025-11-20", 12.5, "Photocopies – exhibit binders", 9003),
    (7006, 2007, 501, "2026-01-08", 60.0, "Filing fee – Case Management Statement", None),
    (7007, 2009, 502, "2026-02-02", 15.0, "eFiling service fee – Motion to Compel", None),
    (7008, 2009, 503, "2026-02-02", 4.5, "Card convenience fee", None),
    (7009, 2001, 504, "2026-03-01", 120.0, "Document review – medical records", None),
    (7010, 2004, 505, "2025-12-05", 22.0, "Messenger – filing run to Dept. 12", 9004),
    (7011, 2002, 506, "2025-08-15", 8.0, "Photocopies – voided invoice", 9005),
)


def _store_blob(source: Path, blobs: Path, name: str) -> str:
    target = blobs / name
    if not target.exists():
        try:
            os.link(source, target)
        except OSError:  # another filesystem: copy instead
            shutil.copyfile(source, target)
    return name


def _split(name: str) -> tuple[str, str]:
    first, _, last = name.partition(" ")
    return first, last


class Seeder:
    """Writes the demo firm (and the bench scale) into an empty emulator database."""

    def __init__(self, conn: sqlite3.Connection, data_dir: Path) -> None:
        self.conn = conn
        self.blobs = data_dir / "blobs"
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.stamp = now_iso()

    def folder(self, name: str, parent: int | None, matter: int | None, contact: int | None) -> int:
        cur = self.conn.execute(
            "INSERT INTO items (kind, name, parent_id, root, matter_id, contact_id, created_at, updated_at) "
            "VALUES ('Folder', ?, ?, ?, ?, ?, ?, ?)",
            (name, parent, int(parent is None), matter, contact, self.stamp, self.stamp),
        )
        return int(cur.lastrowid or 0)

    def document(self, spec: firm.SeedFile, parent: int, matter: int | None) -> None:
        from sandbox.seed.files import seed_file_bytes

        source = seed_file_bytes(spec)
        ctype = guess_content_type(spec.name)
        cur = self.conn.execute(
            "INSERT INTO items (kind, name, parent_id, matter_id, content_type, received_at, created_at, "
            "updated_at) VALUES ('Document', ?, ?, ?, ?, ?, ?, ?)",
            (spec.name, parent, matter, ctype, self.stamp, self.stamp, self.stamp),
        )
        version_uuid = str(uuidlib.uuid4())
        blob = _store_blob(source, self.blobs, f"seed-{source.name}")
        self.conn.execute(
            "INSERT INTO document_versions (document_id, uuid, version_number, filename, content_type, size, "
            "blob, fully_uploaded, received_at, created_at, updated_at) VALUES (?,?,1,?,?,?,?,1,?,?,?)",
            (
                cur.lastrowid,
                version_uuid,
                spec.name,
                ctype,
                source.stat().st_size,
                blob,
                self.stamp,
                self.stamp,
                self.stamp,
            ),
        )

    def demo(self) -> None:
        s = self.stamp
        self.conn.execute(
            "INSERT INTO items (id, kind, name, root, created_at, updated_at) "
            "VALUES (?, 'Folder', ?, 1, ?, ?)",
            (ROOT_FOLDER_ID, firm.FIRM_NAME, s, s),
        )
        for ident, user in ((1, firm.CLIO_DEMO_USER), (2, firm.CLIO_SECOND_USER)):
            first, last = _split(user.name)
            self.conn.execute(
                "INSERT INTO users (id, name, first_name, last_name, email, password, account_owner, "
                "subscription_type, rate, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    ident,
                    user.name,
                    first,
                    last,
                    user.email,
                    user.password,
                    int(ident == 1),
                    "Attorney" if ident == 1 else "NonAttorney",
                    425.0 if ident == 1 else 0.0,
                    s,
                    s,
                ),
            )
        for client in firm.CLIENTS:
            folder = self.folder(client.name, ROOT_FOLDER_ID, None, client.id)
            self.conn.execute(
                "INSERT INTO contacts (id, type, name, first_name, last_name, email, is_client, folder_id, "
                "created_at, updated_at) VALUES (?,?,?,?,?,?,1,?,?,?)",
                (
                    client.id,
                    client.type,
                    client.name,
                    client.first_name,
                    client.last_name,
                    client.email,
                    folder,
                    s,
                    s,
                ),
            )
        for matter in firm.MATTERS:
            self.matter_row(matter)
        matter_fields.seed(self.conn, s)
        for ident, name, entry_type in firm.EXPENSE_CATEGORIES:
            self.conn.execute(
                "INSERT INTO expense_categories (id, name, rate, entry_type, created_at, updated_at) "
                "VALUES (?,?,0,?,?,?)",
                (ident, name, entry_type, s, s),
            )
        for ident, number, state, issued in BILLS:
            self.conn.execute(
                "INSERT INTO bills (id, number, state, issued_at, created_at, updated_at) "
                "VALUES (?,?,?,?,?,?)",
                (ident, number, state, issued, s, s),
            )
        for ident, matter_id, category, date, price, note, bill in ACTIVITIES:
            self.conn.execute(
                "INSERT INTO activities (id, type, date, quantity, price, note, matter_id, "
                "expense_category_id, bill_id, user_id, created_at, updated_at) "
                "VALUES (?, 'ExpenseEntry', ?, 1, ?, ?, ?, ?, ?, 1, ?, ?)",
                (ident, date, price, note, matter_id, category, bill, s, s),
            )

    def matter_row(self, matter: firm.Matter) -> None:
        display = firm.matter_display_number(matter)
        folder = self.folder(display, ROOT_FOLDER_ID, matter.id, None)
        open_date = f"2025-{(matter.number % 12) + 1:02d}-{(matter.number % 27) + 1:02d}"
        self.conn.execute(
            "INSERT INTO matters (id, client_id, number, display_number, description, status, practice_area, "
            "open_date, close_date, pending_date, folder_id, created_at, updated_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                matter.id,
                matter.client_id,
                matter.number,
                display,
                matter.description,
                matter.status,
                matter.practice_area,
                open_date,
                "2026-01-15" if matter.status == "Closed" else None,
                open_date if matter.status == "Pending" else None,
                folder,
                self.stamp,
                self.stamp,
            ),
        )
        paths: dict[str, int] = {"": folder}
        for path in sorted(matter.folders, key=lambda p: p.count("/")):
            parent = ""
            for part in [p for p in path.split("/") if p]:
                here = f"{parent}/{part}" if parent else part
                if here not in paths:
                    paths[here] = self.folder(part, paths[parent], matter.id, None)
                parent = here
            for spec in matter.folders[path]:
                self.document(spec, paths[path], matter.id)

    def bench(self) -> None:
        """2,000 more matters (each with its folder) and one folder of 2,000 documents sharing a blob."""
        s = self.stamp
        start = int(self.conn.execute("SELECT MAX(id) FROM items").fetchone()[0]) + 1
        clients = firm.CLIENTS
        folder_rows, matter_rows = [], []
        for n in range(BENCH_MATTERS):
            ident, client = BENCH_MATTER_BASE + n + 1, clients[n % len(clients)]
            number = 1000 + n
            tail = client.last_name or client.name.split()[0].rstrip(",")
            display = f"{number:05d}-{tail}"
            folder_rows.append((start + n, "Folder", display, ROOT_FOLDER_ID, ident, s, s))
            matter_rows.append(
                (
                    ident,
                    client.id,
                    number,
                    display,
                    f"Bench matter {number}",
                    "Open",
                    "Commercial Litigation",
                    "2025-06-01",
                    start + n,
                    s,
                    s,
                )
            )
        self.conn.executemany(
            "INSERT INTO items (id, kind, name, parent_id, matter_id, created_at, updated_at) "
            "VALUES (?,?,?,?,?,?,?)",
            folder_rows,
        )
        self.conn.executemany(
            "INSERT INTO matters (id, client_id, number, display_number, description, status, practice_area, "
            "open_date, folder_id, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            matter_rows,
        )
        host = self.conn.execute("SELECT folder_id FROM matters WHERE id = 2002").fetchone()[0]
        bulk = self.folder(BENCH_FOLDER_NAME, host, 2002, None)
        blob_path = self.blobs / "bench-shared.pdf"
        if not blob_path.exists():
            blob_path.write_bytes(_TINY_PDF)
        first_doc = bulk + 1
        docs = [
            (first_doc + n, "Document", f"Production {n + 1:04d}.pdf", bulk, 2002, "application/pdf", s, s, s)
            for n in range(BENCH_ITEMS)
        ]
        self.conn.executemany(
            "INSERT INTO items (id, kind, name, parent_id, matter_id, content_type, received_at, created_at, "
            "updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
            docs,
        )
        self.conn.executemany(
            "INSERT INTO document_versions (document_id, uuid, version_number, filename, content_type, size, "
            "blob, fully_uploaded, received_at, created_at, updated_at) VALUES (?,?,1,?,?,?,?,1,?,?,?)",
            [
                (d[0], str(uuidlib.uuid4()), d[2], "application/pdf", len(_TINY_PDF), blob_path.name, s, s, s)
                for d in docs
            ],
        )


# A minimal one-page PDF shared by the bench documents (their content is never the point).
_TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def seed(conn: sqlite3.Connection, data_dir: Path, scale: str) -> None:
    """Fill an empty database in one transaction."""
    seeder = Seeder(conn, data_dir)
    conn.execute("BEGIN")
    try:
        seeder.demo()
        if scale == "bench":
            seeder.bench()
        set_meta(conn, "firm_name", firm.FIRM_NAME)
        set_meta(conn, "seeded_at", seeder.stamp)
        set_meta(conn, "secret", secrets.token_hex(32))
        set_meta(conn, "scale", scale)
        set_meta(conn, "seeded", "1")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
