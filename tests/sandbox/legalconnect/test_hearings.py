"""Hearing dates from the court clerk: set on an accepted motion (in the order's JSON and printed on
its conformed copy), none on other filings or a rejected motion, and moved by the sandbox's admin."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import httpx
from pypdf import PdfReader

from tests.sandbox.legalconnect.conftest import Lc, decide, ready_order, submit


def _admin(lc: Lc, path: str, body: dict[str, object]) -> httpx.Response:
    return httpx.post(f"{lc.base_url}/_sandbox/legalconnect{path}", json=body, timeout=30)


def test_an_accepted_motion_gets_a_hearing_printed_on_its_conformed_copy(lc: Lc, dana: httpx.Client) -> None:
    order = ready_order(
        dana, [("Motion for Summary Judgment.pdf", "MSJ", "lead"), ("Declaration.pdf", "DECL", "attachment")]
    )
    submit(dana, order["id"])
    done = decide(lc, dana, order["id"])
    hearing = done["hearing"]
    assert hearing is not None, done
    day = date.fromisoformat(hearing["date"])
    assert day.weekday() < 5
    assert timedelta(days=27) <= day - datetime.now(UTC).date() <= timedelta(days=31)
    assert hearing["time"] == "08:30" and hearing["department"] == "Dept. 34"
    assert hearing["utc_offset"] in ("-08:00", "-07:00")
    assert hearing["motion"] == "Motion for Summary Judgment"
    assert hearing["location"].startswith("Superior Court of California, County of")
    copies = [
        d
        for d in dana.get(f"/orders/{order['id']}/deliverables").json()["data"]
        if d["kind"] == "conformed_copy"
    ]
    texts = []
    for copy in copies:
        pdf = dana.get(f"/orders/{order['id']}/deliverables/{copy['id']}/content").content
        texts.append(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    printed = f"HEARING {day.strftime('%m/%d/%Y')} 8:30 AM, Dept. 34"
    assert [printed in text for text in texts] == [True, False]  # on the motion's copy only
    email = httpx.get(f"{lc.base_url}/_sandbox/legalconnect/outbox", params={"order_id": order["id"]}).json()
    assert any("Hearing on the Motion for Summary Judgment" in e["body"] for e in email["data"])


def test_no_hearing_without_an_accepted_motion(lc: Lc, dana: httpx.Client) -> None:
    complaint = ready_order(dana, [("Complaint.pdf", "CMPL", "lead")])
    rejected = ready_order(dana, [("Motion to Compel REJECT.pdf", "MCOM", "lead")])
    for order in (complaint, rejected):
        submit(dana, order["id"])
        assert decide(lc, dana, order["id"])["hearing"] is None


def test_the_court_moves_a_hearing(lc: Lc, dana: httpx.Client) -> None:
    order = ready_order(dana, [("Motion to Compel.pdf", "MCOM", "lead")])
    submit(dana, order["id"])
    before = decide(lc, dana, order["id"])
    moved = _admin(lc, "/hearing", {"order_id": order["id"], "date": "2027-07-06", "time": "09:15"})
    assert moved.status_code == 200, moved.text
    after = dana.get(f"/orders/{order['id']}").json()
    assert after["hearing"]["date"] == "2027-07-06" and after["hearing"]["time"] == "09:15"
    assert after["hearing"]["utc_offset"] == "-07:00"  # daylight time in July
    assert after["updated_at"] > before["updated_at"]
    typo = _admin(lc, "/hearing", {"order_id": order["id"], "date": "2027-02-30"})
    assert typo.status_code == 200  # stored as the clerk typed it: the client must refuse it
    assert dana.get(f"/orders/{order['id']}").json()["hearing"]["date"] == "2027-02-30"
    none = ready_order(dana, [("Complaint.pdf", "CMPL", "lead")])
    refused = _admin(lc, "/hearing", {"order_id": none["id"], "date": "2027-07-06"})
    assert refused.status_code == 400 and "has no hearing" in refused.text
