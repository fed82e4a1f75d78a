"""Fee lines of an order, the same way for a quote (before submit) and after the clerk's decision.

Lines, in order (efiling-domain.md 3.7):
- one **court filing fee** per filed document whose filing code carries a fee (none for a document
  the clerk rejected, and none for Word copies);
- the **EFM envelope fee** ($3.95 per order);
- the **card convenience fee**: $1.00 or 2.89 % of court fees + EFM fee, whichever is greater;
- the **provider service fee** ($19.95 per order);
- **Expert Review** ($35) when the order asked for it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from sandbox.legalconnect.reference import (
    CARD_FEE_MIN_CENTS,
    CARD_FEE_RATE,
    DOCUMENT_TYPES_BY_CODE,
    EFM_ENVELOPE_FEE_CENTS,
    EXPERT_REVIEW_FEE_CENTS,
    PROVIDER_SERVICE_FEE_CENTS,
)


@dataclass(frozen=True)
class Fee:
    code: str
    description: str
    amount_cents: int
    clio_category: str
    document_id: int | None = None
    filing_code: str | None = None


def compute(expert_review: bool, documents: Sequence[sqlite3.Row], decided: bool) -> list[Fee]:
    """The fee lines for these documents; after a decision rejected documents carry no court fee."""
    lines: list[Fee] = []
    for doc in documents:
        doc_type = DOCUMENT_TYPES_BY_CODE.get(doc["filing_code"])
        if doc["kind"] != "filing" or doc_type is None or doc_type.fee_cents == 0:
            continue
        if decided and doc["review_result"] != "accepted":
            continue
        lines.append(
            Fee(
                "court_filing_fee",
                f"Court filing fee - {doc_type.name} ({doc['name']})",
                doc_type.fee_cents,
                "Court Filing Fee",
                doc["id"],
                doc_type.code,
            )
        )
    court_total = sum(f.amount_cents for f in lines)
    lines.append(Fee("efm_envelope_fee", "EFM envelope fee", EFM_ENVELOPE_FEE_CENTS, "eFiling Service Fee"))
    card = max(CARD_FEE_MIN_CENTS, round((court_total + EFM_ENVELOPE_FEE_CENTS) * CARD_FEE_RATE))
    lines.append(Fee("card_convenience_fee", "Card convenience fee", card, "Card Convenience Fee"))
    lines.append(
        Fee("provider_service_fee", "Provider service fee", PROVIDER_SERVICE_FEE_CENTS, "eFiling Service Fee")
    )
    if expert_review:
        lines.append(Fee("expert_review", "Expert Review add-on", EXPERT_REVIEW_FEE_CENTS, "Document Review"))
    return lines


def store_lines(conn: sqlite3.Connection, order_id: int, lines: Sequence[Fee]) -> None:
    """Replace the order's itemised fee lines (called once, when the clerk decides)."""
    conn.execute("DELETE FROM fee_lines WHERE order_id = ?", (order_id,))
    conn.executemany(
        "INSERT INTO fee_lines (order_id, code, description, amount_cents, document_id, filing_code,"
        " clio_category) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (order_id, f.code, f.description, f.amount_cents, f.document_id, f.filing_code, f.clio_category)
            for f in lines
        ],
    )
