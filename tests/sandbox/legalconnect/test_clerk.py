"""The court clerk: the three outcomes with real PDFs, fee lines, late signed orders, the outbox."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import httpx
from pypdf import PdfReader

from tests.sandbox.legalconnect.conftest import Lc, decide, ready_order, submit


def _pdf(client: httpx.Client, order_id: int, deliverable: dict[str, Any]) -> PdfReader:
    r = client.get(f"/orders/{order_id}/deliverables/{deliverable['id']}/content")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert len(r.content) == deliverable["size_bytes"]
    return PdfReader(io.BytesIO(r.content))


def _deliverables(client: httpx.Client, order_id: int) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for d in client.get(f"/orders/{order_id}/deliverables").json()["data"]:
        out.setdefault(d["kind"], []).append(d)
    return out


def test_accepted_order_gets_stamped_copies_and_receipt(lc: Lc, dana: httpx.Client) -> None:
    order = ready_order(
        dana, [("Complaint.pdf", "CMPL", "lead"), ("Summons.pdf", "SUMM", "attachment")], court="LA"
    )
    submit(dana, order["id"])
    done = decide(lc, dana, order["id"])
    assert done["status"] == "accepted" and done["decided_at"]
    assert {d["review_result"] for d in done["documents"]} == {"accepted"}
    kinds = _deliverables(dana, order["id"])
    assert set(kinds) == {"conformed_copy", "receipt"} and len(kinds["conformed_copy"]) == 2
    stamped = _pdf(dana, order["id"], kinds["conformed_copy"][0])
    assert len(stamped.pages) == 3
    text = stamped.pages[0].extract_text()
    assert "ENDORSED" in text and "FILED" in text
    assert "Superior Court of California, County of Los Angeles" in text
    assert datetime.now().strftime("%m/%d/%Y") in text or "/20" in text
    receipt = _pdf(dana, order["id"], kinds["receipt"][0]).pages[0].extract_text()
    for line in done["fee_lines"]:
        assert line["description"] in receipt
    assert "$435.00" in receipt


def test_rejected_order_gets_a_notice_and_no_court_fee(lc: Lc, dana: httpx.Client) -> None:
    order = ready_order(dana, [("Answer REJECT.pdf", "ANSW", "lead")])
    submit(dana, order["id"])
    done = decide(lc, dana, order["id"])
    assert done["status"] == "rejected"
    doc = done["documents"][0]
    assert doc["review_result"] == "rejected" and "REJECT" in doc["reject_reason"]
    codes = [line["code"] for line in dana.get(f"/orders/{order['id']}/fee-lines").json()["data"]]
    assert "court_filing_fee" not in codes
    assert codes == ["efm_envelope_fee", "card_convenience_fee", "provider_service_fee"]
    kinds = _deliverables(dana, order["id"])
    assert set(kinds) == {"receipt", "notice"}
    notice = _pdf(dana, order["id"], kinds["notice"][0]).pages[0].extract_text()
    assert (
        "Notice of Rejection" in notice
        and "Answer REJECT.pdf" in notice
        and doc["reject_reason"][:40] in notice
    )


def test_partially_accepted_order(lc: Lc, dana: httpx.Client) -> None:
    order = ready_order(
        dana, [("Motion.pdf", "MOTN", "lead"), ("Stipulation REJECT.pdf", "STIP", "attachment")]
    )
    submit(dana, order["id"])
    done = decide(lc, dana, order["id"])
    assert done["status"] == "partially_accepted"
    results = {d["name"]: d["review_result"] for d in done["documents"]}
    assert results == {"Motion.pdf": "accepted", "Stipulation REJECT.pdf": "rejected"}
    court_fees = [f for f in done["fee_lines"] if f["code"] == "court_filing_fee"]
    assert [(f["filing_code"], f["amount_cents"]) for f in court_fees] == [("MOTN", 6000)]
    kinds = _deliverables(dana, order["id"])
    assert (
        len(kinds["conformed_copy"]) == 1 and kinds["conformed_copy"][0]["name"] == "Motion (Conformed).pdf"
    )
    notice = _pdf(dana, order["id"], kinds["notice"][0]).pages[0].extract_text()
    assert "Partial Acceptance" in notice and "Stipulation REJECT.pdf" in notice
    assert "Motion.pdf" not in notice.replace("Stipulation REJECT.pdf", "")


def test_late_signed_order_after_auto_close(lc: Lc, dana: httpx.Client) -> None:
    order = ready_order(dana, [("Stipulation.pdf", "STIP", "lead")])
    submit(dana, order["id"])
    decided = decide(lc, dana, order["id"])
    closed = lc.admin("/auto-close", {"older_than_days": 0})["closed"]
    assert order["id"] in closed
    after_close = dana.get(f"/orders/{order['id']}").json()
    assert after_close["closed"] and after_close["auto_closed"] and after_close["status"] == "accepted"
    since = dana.get("/orders", params={"limit": 1}).json()["server_time"]
    result = lc.admin("/late-signed-order", {"order_id": order["id"]})
    late = dana.get(f"/orders/{order['id']}").json()
    assert late["closed"] and late["updated_at"] > after_close["updated_at"] > decided["decided_at"]
    assert late["deliverable_count"] == decided["deliverable_count"] + 1
    changed = dana.get("/orders", params={"updated_since": since}).json()["data"]
    assert [o["id"] for o in changed] == [order["id"]]
    signed = next(
        d
        for d in dana.get(f"/orders/{order['id']}/deliverables").json()["data"]
        if d["id"] == result["deliverable_id"]
    )
    assert signed["kind"] == "signed_order"
    assert "ORDER (SIGNED)" in _pdf(dana, order["id"], signed).pages[0].extract_text()


def test_outbox_records_the_emails(lc: Lc, dana: httpx.Client) -> None:
    order = submit(dana, ready_order(dana, [("Reply.pdf", "REPL", "lead")])["id"])
    decide(lc, dana, order["id"])
    emails = lc.admin(f"/outbox?order_id={order['id']}", method="GET")["data"]
    assert [e["kind"] for e in emails] == ["order_submitted", "order_decided"]
    assert all(e["to"] == ["dana.whitfield@harborvale.example"] for e in emails)
    assert order["order_number"] in emails[0]["subject"] and "accepted" in emails[1]["subject"]


def test_seeded_orders_have_real_deliverables(lc: Lc, dana: httpx.Client) -> None:
    orders = dana.get("/orders", params={"limit": 200}).json()["data"]
    for order in orders:
        if order["status"] in ("accepted", "partially_accepted", "rejected"):
            kinds = _deliverables(dana, order["id"])
            assert "receipt" in kinds and order["fee_lines"]
            assert order["clio"]["matter_display_number"]
    closed = next(o for o in orders if o["auto_closed"])
    assert "signed_order" in _deliverables(dana, closed["id"])


def test_random_mode_is_repeatable(lc: Lc, dana: httpx.Client) -> None:
    outcomes = []
    for _ in range(2):
        lc.admin("/clerk/mode", {"mode": "random", "seed": 1, "reject_rate": 0.5})
        order = ready_order(
            dana, [(f"Doc {i}.pdf", "DECL", "lead" if i == 0 else "attachment") for i in range(6)]
        )
        submit(dana, order["id"])
        done = decide(lc, dana, order["id"])
        outcomes.append([d["review_result"] for d in done["documents"]])
    assert outcomes[0] == outcomes[1]
    assert set(outcomes[0]) == {"accepted", "rejected"}
