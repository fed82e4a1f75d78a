"""Malformed requests get Clio's answer (400/404/422 + error body), never a 500, and change nothing."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx
import pytest

from tests.sandbox.clio.conftest import ClioServer

LISTS = {
    "/documents.json": (
        "id,etag,name,external_properties{name,value},latest_document_version{uuid,fully_uploaded}"
    ),
    "/folders.json": "id,etag,name",
    "/activities.json": "id,etag",
    "/matters.json": "id,etag",
    "/contacts.json": "id,etag",
    "/expense_categories.json": "id,etag",
}
SIX_PROPS = [{"name": f"p{i}", "value": str(i)} for i in range(6)]
GOOD_ACTIVITY = {"type": "ExpenseEntry", "date": "2026-05-02", "price": 10.0, "matter": {"id": 2001}}

# (label, method, path, params, body, expected status). `body` bytes are sent raw, anything else as JSON.
CASES: list[tuple[str, str, str, dict[str, str], Any, int]] = [
    ("invalid JSON", "POST", "/folders.json", {}, b"{not json", 400),
    (
        "missing data wrapper",
        "POST",
        "/folders.json",
        {},
        {"name": "X", "parent": {"id": 2001, "type": "Matter"}},
        400,
    ),
    ("data is a list", "POST", "/folders.json", {}, {"data": [1, 2]}, 400),
    ("body is a JSON array", "POST", "/activities.json", {}, [GOOD_ACTIVITY], 400),
    (
        "folder without name",
        "POST",
        "/folders.json",
        {},
        {"data": {"parent": {"id": 2001, "type": "Matter"}}},
        422,
    ),
    (
        "folder name not a string",
        "POST",
        "/folders.json",
        {},
        {"data": {"name": 123, "parent": {"id": 2001, "type": "Matter"}}},
        422,
    ),
    ("folder without parent", "POST", "/folders.json", {}, {"data": {"name": "X"}}, 422),
    (
        "unknown parent type",
        "POST",
        "/folders.json",
        {},
        {"data": {"name": "X", "parent": {"id": 1, "type": "Planet"}}},
        422,
    ),
    (
        "parent id not an integer",
        "POST",
        "/folders.json",
        {},
        {"data": {"name": "X", "parent": {"id": "abc", "type": "Folder"}}},
        422,
    ),
    (
        "nonexistent parent folder",
        "POST",
        "/folders.json",
        {},
        {"data": {"name": "X", "parent": {"id": 999999, "type": "Folder"}}},
        404,
    ),
    (
        "document in nonexistent matter",
        "POST",
        "/documents.json",
        {},
        {"data": {"name": "a.pdf", "parent": {"id": 424242, "type": "Matter"}}},
        404,
    ),
    (
        "too many external_properties",
        "POST",
        "/documents.json",
        {},
        {
            "data": {
                "name": "a.pdf",
                "parent": {"id": 2001, "type": "Matter"},
                "external_properties": SIX_PROPS,
            }
        },
        422,
    ),
    (
        "external_properties not a list",
        "POST",
        "/documents.json",
        {},
        {"data": {"name": "a.pdf", "parent": {"id": 2001, "type": "Matter"}, "external_properties": "x"}},
        422,
    ),
    (
        "content_type wrong type",
        "POST",
        "/documents.json",
        {},
        {"data": {"name": "a.pdf", "parent": {"id": 2001, "type": "Matter"}, "content_type": 42}},
        422,
    ),
    ("activity without type", "POST", "/activities.json", {}, {"data": {"date": "2026-05-02"}}, 422),
    (
        "activity with bad date",
        "POST",
        "/activities.json",
        {},
        {"data": {**GOOD_ACTIVITY, "date": "2026-13-40"}},
        422,
    ),
    (
        "activity price not a number",
        "POST",
        "/activities.json",
        {},
        {"data": {**GOOD_ACTIVITY, "price": "lots"}},
        422,
    ),
    (
        "activity negative quantity",
        "POST",
        "/activities.json",
        {},
        {"data": {**GOOD_ACTIVITY, "quantity": -1}},
        422,
    ),
    (
        "activity for nonexistent matter",
        "POST",
        "/activities.json",
        {},
        {"data": {**GOOD_ACTIVITY, "matter": {"id": 999999}}},
        404,
    ),
    (
        "patch unknown category",
        "PATCH",
        "/activities/7006.json",
        {},
        {"data": {"expense_category": {"id": 9}}},
        404,
    ),
    ("patch date in US format", "PATCH", "/activities/7006.json", {}, {"data": {"date": "02/03/2026"}}, 422),
    ("limit zero", "GET", "/matters.json", {"limit": "0"}, None, 400),
    ("limit over 200", "GET", "/matters.json", {"limit": "201"}, None, 400),
    ("negative limit", "GET", "/matters.json", {"limit": "-5"}, None, 400),
    ("limit not a number", "GET", "/matters.json", {"limit": "ten"}, None, 400),
    ("garbage page_token", "GET", "/matters.json", {"page_token": "garbage"}, None, 400),
    ("unknown field", "GET", "/documents.json", {"fields": "id,secret_sauce"}, None, 400),
    ("second-level nesting", "GET", "/documents.json", {"fields": "matter{client{id}}"}, None, 400),
    ("bad start_date", "GET", "/activities.json", {"start_date": "yesterday"}, None, 400),
    ("invalid activity status", "GET", "/activities.json", {"status": "paid"}, None, 400),
    ("invalid matter status", "GET", "/matters.json", {"status": "active"}, None, 400),
    ("parent_id not a number", "GET", "/documents.json", {"parent_id": "root"}, None, 400),
    ("boolean that is not", "GET", "/contacts.json", {"client_only": "maybe"}, None, 400),
    ("unknown type filter", "GET", "/contacts.json", {"type": "Robot"}, None, 400),
    ("nonexistent folder listing", "GET", "/folders/list.json", {"parent_id": "999999"}, None, 404),
    ("unsupported order for cursor paging", "GET", "/matters.json", {"order": "name(asc)"}, None, 400),
    ("property value without name", "GET", "/documents.json", {"external_property_value": "x"}, None, 400),
    ("unknown scope", "GET", "/documents.json", {"scope": "everything"}, None, 400),
    ("delete unknown document", "DELETE", "/documents/99999999.json", {}, None, 404),
    (
        "new version of unknown document",
        "POST",
        "/documents.json",
        {},
        {"data": {"parent": {"id": 99999999, "type": "Document"}}},
        404,
    ),
    ("method not allowed", "DELETE", "/matters.json", {}, None, 405),
]


def _snapshot(client: httpx.Client) -> dict[str, list[Any]]:
    snap: dict[str, list[Any]] = {}
    for path, fields in LISTS.items():
        params = {"fields": fields}
        if path == "/documents.json":
            params["show_uncompleted"] = "true"
        rows: list[Any] = []
        url: str | None = path
        while url:
            body = client.get(url, params=params if url == path else None).json()
            rows += body["data"]
            url = body["meta"]["paging"].get("next")
        snap[path] = rows
    return snap


def _send(client: httpx.Client, method: str, path: str, params: dict[str, str], body: Any) -> httpx.Response:
    if isinstance(body, bytes):
        return client.request(
            method, path, params=params, content=body, headers={"Content-Type": "application/json"}
        )
    if body is None:
        return client.request(method, path, params=params)
    return client.request(method, path, params=params, json=body)


def test_malformed_requests_get_clio_errors_and_change_nothing(clio: ClioServer) -> None:
    assert len(CASES) >= 20
    with clio.client() as client:
        before = _snapshot(client)
        doc = before["/documents.json"][0]
        cases = [
            *CASES,
            (
                "fully_uploaded not a boolean",
                "PATCH",
                f"/documents/{doc['id']}.json",
                {},
                {"data": {"uuid": "x", "fully_uploaded": "yes"}},
                422,
            ),
            (
                "uuid of another upload",
                "PATCH",
                f"/documents/{doc['id']}.json",
                {},
                {"data": {"uuid": "00000000-0000-0000-0000-000000000000", "fully_uploaded": True}},
                422,
            ),
            ("rename to blank", "PATCH", f"/documents/{doc['id']}.json", {}, {"data": {"name": "  "}}, 422),
        ]
        other_query = client.get("/contacts.json", params={"limit": "1"}).json()["meta"]["paging"]["next"]
        token = httpx.URL(other_query).params["page_token"]
        cases.append(
            ("page_token of another query", "GET", "/matters.json", {"page_token": token}, None, 400)
        )
        failures = []
        for label, method, path, params, body, status in cases:
            response = _send(client, method, path, params, body)
            ok = response.status_code == status
            if ok:
                error = response.json().get("error")
                ok = isinstance(error, dict) and set(error) == {"type", "message"} and bool(error["message"])
            if not ok:
                failures.append(f"{label}: {response.status_code} {response.text[:200]}")
        assert not failures, "\n".join(failures)
        assert _snapshot(client) == before


@pytest.mark.parametrize(
    "bad_md5", ["not base64!", base64.b64encode(hashlib.sha256(b"other").digest()).decode()]
)
def test_wrong_content_on_put_is_refused_and_nothing_stored(clio: ClioServer, bad_md5: str) -> None:
    with clio.client() as client:
        doc = client.post(
            "/documents.json",
            params={"fields": "id,latest_document_version{uuid,put_url,put_headers}"},
            json={"data": {"name": "Digest.pdf", "parent": {"id": 2003, "type": "Matter"}}},
        ).json()["data"]
        version = doc["latest_document_version"]
        headers = {h["name"]: h["value"] for h in version["put_headers"]} | {"Content-MD5": bad_md5}
        response = httpx.put(version["put_url"], content=b"%PDF-1.4 body", headers=headers)
        assert response.status_code == 400 and b"BadDigest" in response.content
        done = client.patch(
            f"/documents/{doc['id']}.json", json={"data": {"uuid": version["uuid"], "fully_uploaded": True}}
        )
        assert done.status_code == 422 and done.json()["error"]["type"] == "UploadNotFoundError"
