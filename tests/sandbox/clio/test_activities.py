"""Activities (expense entries) and their billing states; category edits guarded by If-Match."""

from __future__ import annotations

from tests.sandbox.clio.conftest import ClioServer

FIELDS = "id,type,date,price,total,billed,on_bill,bill{id,state},matter{id},expense_category{id,name}"


def _ids(clio: ClioServer, **params: str) -> list[int]:
    with clio.client() as client:
        response = client.get("/activities.json", params={"fields": "id", **params})
    assert response.status_code == 200, response.text
    return [a["id"] for a in response.json()["data"]]


def test_filters_and_billing_states(clio: ClioServer) -> None:
    assert _ids(clio, status="billed") == [7001, 7002, 7003]
    assert _ids(clio, status="draft") == [7004, 7005, 7010]  # draft and awaiting approval
    assert _ids(clio, status="unbilled") == [7006, 7007, 7008, 7009, 7011]  # a void bill frees them
    assert _ids(clio, matter_id="2001") == [7001, 7002, 7009]
    assert _ids(clio, start_date="2026-01-01", end_date="2026-02-02") == [7006, 7007, 7008]
    assert _ids(clio, expense_category_id="501") == [7001, 7003, 7006]
    assert _ids(clio, type="ExpenseEntry", matter_id="2009") == [7007, 7008]
    assert _ids(clio, type="TimeEntry") == []
    with clio.client() as client:
        rows = {a["id"]: a for a in client.get("/activities.json", params={"fields": FIELDS}).json()["data"]}
    assert rows[7001]["billed"] is True and rows[7001]["bill"] == {"id": 9001, "state": "paid"}
    assert rows[7003]["bill"]["state"] == "awaiting_payment"
    assert rows[7004]["billed"] is False and rows[7004]["on_bill"] is True
    assert rows[7004]["bill"]["state"] == "draft"
    assert rows[7006]["bill"] is None and rows[7006]["billed"] is False and rows[7006]["on_bill"] is False
    assert rows[7010]["bill"] == {"id": 9004, "state": "awaiting_approval"} and rows[7010]["on_bill"] is True
    assert rows[7011]["bill"] == {"id": 9005, "state": "void"} and rows[7011]["on_bill"] is False
    assert rows[7001]["total"] == 435.0 and rows[7001]["expense_category"]["name"] == "Court Filing Fee"


def test_create_expense_entry(clio: ClioServer) -> None:
    with clio.client() as client:
        made = client.post(
            "/activities.json",
            params={"fields": FIELDS + ",quantity,note"},
            json={"data": {"type": "ExpenseEntry", "date": "2026-05-02", "quantity": 1, "price": 435.0,
                           "note": "Filing fee – Superior Court", "matter": {"id": 2011},
                           "expense_category": {"id": 501}}},
        )  # fmt: skip
        assert made.status_code == 201, made.text
        body = made.json()["data"]
        assert body["total"] == 435.0 and body["bill"] is None and body["billed"] is False
        assert body["matter"] == {"id": 2011} and body["date"] == "2026-05-02"
        listed = _ids(clio, matter_id="2011", status="unbilled")
        assert listed == [body["id"]]


def test_patch_category_with_if_match(clio: ClioServer) -> None:
    with clio.client() as client:
        current = client.get("/activities/7007.json", params={"fields": "id,etag,expense_category{id}"})
        etag = current.headers["ETag"]
        changed = client.patch(
            "/activities/7007.json",
            headers={"If-Match": etag},
            params={"fields": "id,etag,expense_category{id,name}"},
            json={"data": {"expense_category": {"id": 503}}},
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["data"]["expense_category"] == {"id": 503, "name": "Card Convenience Fee"}
        assert changed.headers["ETag"] != etag
        stale = client.patch(
            "/activities/7007.json",
            headers={"If-Match": etag},
            json={"data": {"expense_category": {"id": 501}}},
        )
        assert stale.status_code == 412 and stale.json()["error"]["type"] == "PreconditionFailed"
        after = client.get("/activities/7007.json", params={"fields": "expense_category{id}"}).json()
        assert after["data"]["expense_category"] == {"id": 503}
        cleared = client.patch(
            "/activities/7007.json",
            params={"fields": "expense_category"},
            json={"data": {"expense_category": None}},
        )
        assert cleared.json()["data"]["expense_category"] is None
        # Entries on an issued bill cannot be edited; draft-bill entries can.
        billed = client.patch("/activities/7001.json", json={"data": {"expense_category": {"id": 502}}})
        assert billed.status_code == 422
        draft = client.patch("/activities/7004.json", json={"data": {"expense_category": {"id": 507}}})
        assert draft.status_code == 200


def test_created_and_updated_since(clio: ClioServer) -> None:
    with clio.client() as client:
        made = client.post(
            "/activities.json",
            params={"fields": "id,created_at"},
            json={"data": {"type": "ExpenseEntry", "date": "2026-05-02", "quantity": 1, "price": 3.95,
                           "note": "EFM envelope fee", "matter": {"id": 2011}}},
        ).json()["data"]  # fmt: skip
        bad = client.get("/activities.json", params={"created_since": "yesterday"})
        naive = client.get("/activities.json", params={"updated_since": "2026-05-02T10:00:00"})
    assert _ids(clio, created_since=made["created_at"]) == [made["id"]]
    assert _ids(clio, updated_since="2000-01-01T00:00:00Z")[-1] == made["id"]
    assert _ids(clio, created_since="2999-01-01T00:00:00+00:00") == []
    assert bad.status_code == 400 and naive.status_code == 400


def test_expense_categories_create_and_show(clio: ClioServer) -> None:
    fields = "id,name,rate,entry_type,etag"
    with clio.client() as client:
        made = client.post(
            "/expense_categories.json",
            params={"fields": fields},
            json={"data": {"name": "Court Reporter", "entry_type": "hard_cost", "rate": 0}},
        )
        assert made.status_code == 201, made.text
        body = made.json()["data"]
        assert body["name"] == "Court Reporter" and body["entry_type"] == "hard_cost"
        shown = client.get(f"/expense_categories/{body['id']}.json", params={"fields": fields})
        assert shown.json()["data"] == body and shown.headers["ETag"] == body["etag"]
        again = client.post("/expense_categories.json", json={"data": {"name": "court reporter"}})
        blank = client.post("/expense_categories.json", json={"data": {"name": " "}})
        kind = client.post("/expense_categories.json", json={"data": {"name": "X", "entry_type": "other"}})
        missing = client.get("/expense_categories/999999.json")
    assert again.status_code == blank.status_code == kind.status_code == 422
    assert missing.status_code == 404
