"""Sign-in, provider, reference data, order CRUD, uploads, fee quote and submit, over real HTTP."""

from __future__ import annotations

import hashlib

import httpx

from sandbox.seed import firm
from tests.sandbox.legalconnect.conftest import (
    DANA,
    PRIYA,
    Lc,
    add_document,
    docx_bytes,
    encrypted_pdf,
    fillable_pdf,
    new_order,
    pdf_bytes,
    ready_order,
    submit,
)


def test_sign_in_and_out(lc: Lc) -> None:
    client = lc.anonymous()
    r = client.post("/session", json={"email": DANA.email, "password": DANA.password})
    assert r.status_code == 201
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 3600
    assert body["user"]["email"] == DANA.email and body["firm"]["name"] == firm.FIRM_NAME
    auth = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get("/session", headers=auth).json()["user"]["name"] == DANA.name
    assert client.delete("/session", headers=auth).status_code == 204
    r = client.get("/orders", headers=auth)
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_token"


def test_wrong_password_is_refused(lc: Lc) -> None:
    r = lc.anonymous().post("/session", json={"email": DANA.email, "password": "nope"})
    assert r.status_code == 401
    assert r.json()["error"] == {"code": "invalid_credentials", "message": "The email or password is wrong."}


def test_provider_profile_and_clio_switch(lc: Lc) -> None:
    client = lc.anonymous()
    profile = client.get("/provider").json()
    assert profile["name"] == firm.PROVIDER_NAME
    clio = profile["clio"]
    assert clio["enabled"] is True
    assert clio["client_ids"] == dict.fromkeys(("US", "CA", "EU", "AU"), firm.CLIO_CLIENT_ID)
    assert set(clio["base_urls"].values()) == {lc.clio_base_url}
    assert clio["broker_token_url"] == f"{lc.api}/clio/oauth/token"
    lc.admin("/provider", {"clio_enabled": False})
    assert client.get("/provider").json()["clio"]["enabled"] is False


def test_reference_data(dana: httpx.Client) -> None:
    courts = dana.get("/reference/courts").json()["data"]
    assert len(courts) >= 6
    names = {c["name"] for c in courts}
    assert "Superior Court of California, County of Los Angeles" in names
    sd = next(c for c in courts if c["id"] == "SD")
    assert sd["max_document_bytes"] == 35 * 2**20 and sd["max_order_bytes"] == 60 * 2**20
    assert sd["max_file_name_length"] == 50
    categories = dana.get("/reference/case-categories").json()["data"]
    assert all(c["case_types"] for c in categories) and len(categories) >= 4
    types = dana.get("/reference/document-types", params={"court_id": "LA"}).json()["data"]
    assert len(types) >= 25
    by_code = {t["code"]: t for t in types}
    assert by_code["PORD"]["word_copy_required"] is True
    assert by_code["EXHB"]["attachment_only"] is True and by_code["CMPL"]["lead_only"] is True
    assert by_code["CMPL"]["court_fee_cents"] == 43500
    sd_types = dana.get("/reference/document-types", params={"court_id": "SD"}).json()["data"]
    assert not any(t["word_copy_required"] for t in sd_types)


def test_order_crud(dana: httpx.Client) -> None:
    order = new_order(dana)
    assert order["status"] == "draft" and order["order_number"] is None
    assert order["clio"]["matter_display_number"] == "00002-Brightline"
    r = dana.patch(f"/orders/{order['id']}", json={"case_title": "Renamed v. Case", "expert_review": True})
    assert r.status_code == 200 and r.json()["case_title"] == "Renamed v. Case" and r.json()["expert_review"]
    assert r.json()["updated_at"] >= order["updated_at"]
    assert dana.get(f"/orders/{order['id']}").json()["case_title"] == "Renamed v. Case"
    assert dana.delete(f"/orders/{order['id']}").status_code == 204
    assert dana.get(f"/orders/{order['id']}").json()["error"]["code"] == "order_not_found"


def test_list_filters_paging_and_updated_since(lc: Lc, dana: httpx.Client) -> None:
    everything = dana.get("/orders", params={"limit": 200}).json()
    statuses = {o["status"] for o in everything["data"]}
    assert statuses == {
        "draft",
        "submitted",
        "under_review",
        "accepted",
        "rejected",
        "partially_accepted",
        "cancelled",
    }
    assert any(o["auto_closed"] and o["closed"] for o in everything["data"])
    assert all(o["created_by"]["email"] != "olivia.chen@lakeside-law.example" for o in everything["data"])
    page = dana.get("/orders", params={"limit": 3, "offset": 3}).json()
    assert len(page["data"]) == 3 and page["paging"]["next_offset"] == 6
    only = dana.get("/orders", params=[("status", "accepted"), ("status", "rejected")]).json()["data"]
    assert {o["status"] for o in only} == {"accepted", "rejected"}
    since = everything["server_time"]
    assert dana.get("/orders", params={"updated_since": since}).json()["data"] == []
    order = new_order(dana)
    changed = dana.get("/orders", params={"updated_since": since}).json()["data"]
    assert [o["id"] for o in changed] == [order["id"]]
    assert dana.get("/orders", params={"q": "2416954"}).json()["paging"]["total"] == 1


def test_second_user_of_the_firm_sees_the_same_orders(lc: Lc, dana: httpx.Client) -> None:
    priya = lc.client(PRIYA)
    order = new_order(dana)
    assert priya.get(f"/orders/{order['id']}").status_code == 200


def test_upload_reports_size_pages_and_sha256(dana: httpx.Client) -> None:
    order = new_order(dana)
    data = pdf_bytes(4)
    doc = add_document(dana, order["id"], "Declaration of Counsel.pdf", "DECL", "lead", data)
    assert doc["size_bytes"] == len(data) and doc["page_count"] == 4
    assert doc["sha256"] == hashlib.sha256(data).hexdigest() and doc["content_uploaded"]
    back = dana.get(f"/orders/{order['id']}/documents/{doc['id']}/content")
    assert back.content == data and back.headers["content-type"] == "application/pdf"


def test_upload_refuses_bad_files_and_keeps_the_earlier_upload(dana: httpx.Client) -> None:
    order = new_order(dana)
    good = pdf_bytes(2)
    doc = add_document(dana, order["id"], "Opposition.pdf", "OPPO", "lead", good)
    url = f"/orders/{order['id']}/documents/{doc['id']}/content"
    cases = {
        "encrypted_pdf": encrypted_pdf(),
        "fillable_pdf": fillable_pdf(),
        "not_a_pdf": b"Dear counsel, please find attached...",
        "damaged_pdf": b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage",
        "empty_file": b"",
    }
    for code, content in cases.items():
        r = dana.put(url, content=content)
        assert r.status_code == 422, code
        assert r.json()["error"]["code"] == code and "Opposition.pdf" in r.json()["error"]["message"]
    after = dana.get(f"/orders/{order['id']}/documents/{doc['id']}").json()
    assert after["sha256"] == hashlib.sha256(good).hexdigest()


def test_documents_reorder_patch_delete_and_word_copy(dana: httpx.Client) -> None:
    order = new_order(dana, court="LA")
    lead = add_document(dana, order["id"], "Motion.pdf", "MOTN", "lead", pdf_bytes())
    prop = add_document(dana, order["id"], "Proposed Order.pdf", "PORD", "attachment", pdf_bytes())
    r = dana.post(f"/orders/{order['id']}/submit", json={"authorize_payment": True})
    assert r.json()["error"]["code"] == "word_copy_missing"
    word = add_document(
        dana, order["id"], "Proposed Order.docx", "PORD", kind="word_copy", word_copy_of=prop["id"]
    )
    r = dana.put(f"/orders/{order['id']}/documents/{word['id']}/content", content=docx_bytes())
    assert r.status_code == 200 and r.json()["content_type"].endswith("wordprocessingml.document")
    r = dana.post(
        f"/orders/{order['id']}/documents/reorder",
        json={"document_ids": [prop["id"], lead["id"], word["id"]]},
    )
    assert [d["id"] for d in r.json()] == [prop["id"], lead["id"], word["id"]]
    r = dana.patch(f"/orders/{order['id']}/documents/{lead['id']}", json={"name": "Notice of Motion.pdf"})
    assert r.json()["name"] == "Notice of Motion.pdf"
    assert dana.delete(f"/orders/{order['id']}/documents/{prop['id']}").status_code == 204
    assert [d["id"] for d in dana.get(f"/orders/{order['id']}").json()["documents"]] == [lead["id"]]


def test_fee_quote(dana: httpx.Client) -> None:
    order = ready_order(
        dana, [("Complaint.pdf", "CMPL", "lead"), ("Exhibit A.pdf", "EXHB", "attachment")], expert_review=True
    )
    quote = dana.get(f"/orders/{order['id']}/fee-quote").json()
    amounts = {line["code"]: line["amount_cents"] for line in quote["lines"]}
    assert amounts == {
        "court_filing_fee": 43500,
        "efm_envelope_fee": 395,
        "card_convenience_fee": round((43500 + 395) * 0.0289),
        "provider_service_fee": 1995,
        "expert_review": 3500,
    }
    assert quote["total_cents"] == sum(amounts.values())
    small = ready_order(dana, [("Declaration.pdf", "DECL", "lead")])
    card = next(
        x
        for x in dana.get(f"/orders/{small['id']}/fee-quote").json()["lines"]
        if x["code"] == "card_convenience_fee"
    )
    assert card["amount_cents"] == 100  # $1.00 beats 2.89 % of $3.95


def test_submit_assigns_unique_seven_digit_numbers(lc: Lc, dana: httpx.Client) -> None:
    numbers = set()
    for i in range(5):
        order = ready_order(dana, [(f"Declaration {i}.pdf", "DECL", "lead")])
        submitted = submit(dana, order["id"])
        assert submitted["status"] == "submitted" and submitted["submitted_at"]
        assert len(submitted["order_number"]) == 7 and submitted["order_number"].isdigit()
        assert all(d["review_result"] == "pending" for d in submitted["documents"])
        numbers.add(submitted["order_number"])
    assert len(numbers) == 5
    with lc.db() as conn:
        all_numbers = [
            r[0] for r in conn.execute("SELECT order_number FROM orders WHERE order_number IS NOT NULL")
        ]
    assert len(all_numbers) == len(set(all_numbers))


def test_cancel_and_clio_link_change_after_submit(dana: httpx.Client) -> None:
    order = submit(dana, ready_order(dana, [("Reply.pdf", "REPL", "lead")])["id"])
    link = {"client_id": 1004, "matter_id": 2004, "matter_display_number": "00004-Sierra"}
    r = dana.patch(f"/orders/{order['id']}", json={"clio": link})
    assert r.status_code == 200 and r.json()["clio"] == link
    r = dana.post(f"/orders/{order['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


def test_creations_with_an_idempotency_key_happen_once(dana: httpx.Client, lc: Lc) -> None:
    """A repeat of POST /orders or POST …/documents with the same Idempotency-Key (after a lost
    answer) answers what the first made; a key used for another kind of request is refused."""
    body = {"court_id": "SD", "case_title": "Idempotent v. Twice"}
    key = {"Idempotency-Key": "lcd:ws-1:draft-1"}
    first = dana.post("/orders", json=body, headers=key)
    again = dana.post("/orders", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["client_key"] == "lcd:ws-1:draft-1"
    order_id = first.json()["id"]
    titled = [
        o
        for o in dana.get("/orders", params={"limit": 200}).json()["data"]
        if o["case_title"] == "Idempotent v. Twice"
    ]
    assert len(titled) == 1

    doc = {"name": "Decl.pdf", "filing_code": "DECL", "role": "attachment"}
    doc_key = {"Idempotency-Key": "lcd:ws-1:draft-1:row-1:pdf"}
    made = dana.post(f"/orders/{order_id}/documents", json=doc, headers=doc_key).json()
    repeated = dana.post(f"/orders/{order_id}/documents", json=doc, headers=doc_key).json()
    assert made["id"] == repeated["id"]
    assert len(dana.get(f"/orders/{order_id}").json()["documents"]) == 1

    reused = dana.post(f"/orders/{order_id}/documents", json=doc, headers=key)
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "idempotency_key_reused"
    plain = new_order(dana)  # no key: a new order each time, and no client_key
    assert plain["client_key"] is None
