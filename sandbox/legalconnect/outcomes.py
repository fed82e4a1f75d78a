"""Turning a court decision into stored results: per-document results, fee lines, returned PDFs, emails.

Synchronous and split in three so the clerk can run the PDF work in a worker thread while the seed
calls it directly: `build_files` (file work only), then `commit` (database only).
"""

from __future__ import annotations

import hashlib
import sqlite3
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sandbox.legalconnect import fees, hearings, pdfs
from sandbox.legalconnect.reference import COURTS_BY_ID
from sandbox.legalconnect.store import add_outbox, order_recipients, stamp
from sandbox.seed import firm

Results = Mapping[int, tuple[str, str | None]]
"""Filed document id -> (accepted | rejected, reject reason)."""


@dataclass(frozen=True)
class NewFile:
    kind: str
    name: str
    path: str
    """Relative to the server's files folder."""
    size: int
    sha256: str
    pages: int
    document_id: int | None = None


def status_of(results: Results) -> str:
    outcomes = {r for r, _ in results.values()}
    if outcomes == {"accepted"}:
        return "accepted"
    return "rejected" if outcomes == {"rejected"} else "partially_accepted"


def with_results(docs: Sequence[sqlite3.Row], results: Results) -> list[dict[str, Any]]:
    """The documents as dicts with their results applied (Word copies follow their PDF)."""
    out = []
    for d in docs:
        row = dict(d)
        key = d["word_copy_of"] if d["kind"] == "word_copy" else d["id"]
        row["review_result"], row["reject_reason"] = results.get(key, ("accepted", None))
        out.append(row)
    return out


def _stem(name: str) -> str:
    return name[:-4] if name.lower().endswith(".pdf") else name


def _finish(
    files: Path, kind: str, name: str, tmp: Path, pages: int, document_id: int | None = None
) -> NewFile:
    digest, size = hashlib.sha256(), 0
    with tmp.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return NewFile(kind, name, str(tmp.relative_to(files)), size, digest.hexdigest(), pages, document_id)


def _new_path(files: Path) -> Path:
    return files / "deliverables" / f"{uuid.uuid4().hex}.pdf"


def build_files(
    files: Path,
    order: sqlite3.Row,
    docs: Sequence[dict[str, Any]],
    fee_lines: Sequence[fees.Fee],
    when: datetime,
) -> list[NewFile]:
    """Write the conformed copies, the receipt and (if anything was rejected) the notice."""
    court = COURTS_BY_ID[order["court_id"]]
    number = order["order_number"]
    hearing = hearings.hearing_for(order, docs, when)
    made: list[NewFile] = []
    for d in docs:
        if d["kind"] != "filing" or d["review_result"] != "accepted":
            continue
        path = _new_path(files)
        printed = hearing.printed if hearing is not None and hearing.document_id == d["id"] else None
        facts = pdfs.stamp_conformed(files / d["path"], path, court.name, when.date(), number, printed)
        made.append(
            _finish(
                files,
                "conformed_copy",
                f"{_stem(d['name'])} (Conformed).pdf",
                path,
                facts.page_count,
                d["id"],
            )
        )
    path = _new_path(files)
    facts = pdfs.write_receipt(
        path, firm.PROVIDER_NAME, number, court.name, [(f.description, f.amount_cents) for f in fee_lines]
    )
    made.append(_finish(files, "receipt", f"Receipt - Order {number}.pdf", path, facts.page_count))
    filings = [d for d in docs if d["kind"] == "filing"]
    rejected = [(d["name"], d["reject_reason"] or "") for d in filings if d["review_result"] == "rejected"]
    if rejected:
        status = "rejected" if len(rejected) == len(filings) else "partially_accepted"
        heading = "Notice of Rejection" if status == "rejected" else "Notice of Partial Acceptance"
        path = _new_path(files)
        facts = pdfs.write_notice(path, number, court.name, status, rejected)
        made.append(_finish(files, "notice", f"{heading} - Order {number}.pdf", path, facts.page_count))
    return made


def add_deliverable(conn: sqlite3.Connection, order_id: int, new: NewFile, when: datetime) -> int:
    cur = conn.execute(
        "INSERT INTO deliverables (order_id, kind, name, size_bytes, page_count, sha256, document_id,"
        " received_at, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            order_id,
            new.kind,
            new.name,
            new.size,
            new.pages,
            new.sha256,
            new.document_id,
            stamp(when),
            new.path,
        ),
    )
    return int(cur.lastrowid or 0)


def commit(
    conn: sqlite3.Connection,
    order: sqlite3.Row,
    docs: Sequence[dict[str, Any]],
    fee_lines: Sequence[fees.Fee],
    new_files: Sequence[NewFile],
    when: datetime,
) -> str:
    """Store the decision (call inside a transaction); return the order's new status."""
    results = {d["id"]: (d["review_result"], d["reject_reason"]) for d in docs if d["kind"] == "filing"}
    status = status_of(results)
    conn.executemany(
        "UPDATE documents SET review_result = ?, reject_reason = ? WHERE id = ?",
        [(d["review_result"], d["reject_reason"], d["id"]) for d in docs],
    )
    fees.store_lines(conn, order["id"], fee_lines)
    hearing = hearings.hearing_for(order, docs, when)
    if hearing is not None:
        hearings.store(conn, order["id"], hearing, when)
    for new in new_files:
        add_deliverable(conn, order["id"], new, when)
    conn.execute(
        "UPDATE orders SET status = ?, decided_at = ?, updated_at = ?, clerk_due_at = NULL,"
        " review_due_at = NULL WHERE id = ?",
        (status, stamp(when), stamp(when), order["id"]),
    )
    if status != "rejected" and order["new_case"] and not order["case_number"]:
        # The court opens the new case and gives it its number (e.g. 26LACV00017).
        number = f"{when:%y}{order['court_id'] or ''}CV{order['id']:05d}"
        conn.execute("UPDATE orders SET case_number = ? WHERE id = ?", (number, order["id"]))
    words = {"accepted": "accepted", "rejected": "rejected", "partially_accepted": "partially accepted"}
    lines = [f"The court {words[status]} order {order['order_number']} ({order['case_title']})."]
    lines += [
        f"Rejected: {d['name']} - {d['reject_reason']}"
        for d in docs
        if d["review_result"] == "rejected" and d["kind"] == "filing"
    ]
    if hearing is not None:
        when_where = hearing.printed.removeprefix("HEARING ")
        lines.append(f"Hearing on the {hearing.motion}: {when_where}, {hearing.location}.")
    lines.append(f"{len(new_files)} returned documents are ready under Deliverables.")
    add_outbox(
        conn,
        order["id"],
        "order_decided",
        order_recipients(conn, order),
        f"Order {order['order_number']} {words[status]}",
        "\n".join(lines),
    )
    return status


def signed_order_file(files: Path, order: sqlite3.Row, when: datetime) -> NewFile:
    court = COURTS_BY_ID[order["court_id"]]
    path = _new_path(files)
    facts = pdfs.write_signed_order(path, order["order_number"], court.name, order["case_title"], when.date())
    return _finish(
        files, "signed_order", f"Signed Order - Order {order['order_number']}.pdf", path, facts.page_count
    )


def commit_late_document(conn: sqlite3.Connection, order: sqlite3.Row, new: NewFile, when: datetime) -> int:
    """Store a document that arrived after the decision (even on a closed order) and tell the firm."""
    deliverable_id = add_deliverable(conn, order["id"], new, when)
    conn.execute("UPDATE orders SET updated_at = ? WHERE id = ?", (stamp(when), order["id"]))
    add_outbox(
        conn,
        order["id"],
        "late_document",
        order_recipients(conn, order),
        f"New document for order {order['order_number']}: {new.name}",
        f"The court returned {new.name} for order {order['order_number']} ({order['case_title']}).",
    )
    return deliverable_id
