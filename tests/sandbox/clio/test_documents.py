"""Folders, documents, the storage host: download via 303, the three-step upload, visibility."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from sandbox.seed import firm
from tests.sandbox.clio.conftest import ClioServer

UPLOAD_FIELDS = "id,name,latest_document_version{uuid,put_url,put_headers,fully_uploaded}"


def _matter_folder(client: httpx.Client, matter_id: int) -> int:
    body = client.get(f"/matters/{matter_id}.json", params={"fields": "id,folder{id}"}).json()
    return int(body["data"]["folder"]["id"])


def _start_upload(client: httpx.Client, data: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/documents.json", params={"fields": UPLOAD_FIELDS}, json={"data": data})
    assert response.status_code == 201, response.text
    return response.json()["data"]  # type: ignore[no-any-return]


def _put(doc: dict[str, Any], body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    version = doc["latest_document_version"]
    signed = {h["name"]: h["value"] for h in version["put_headers"]}
    return httpx.put(version["put_url"], content=body, headers=signed if headers is None else headers)


def _complete(client: httpx.Client, doc: dict[str, Any]) -> httpx.Response:
    uuid = doc["latest_document_version"]["uuid"]
    return client.patch(
        f"/documents/{doc['id']}.json",
        params={"fields": "id,latest_document_version{fully_uploaded},size"},
        json={"data": {"uuid": uuid, "fully_uploaded": True}},
    )


def test_matter_folder_tree_follows_the_seed(clio: ClioServer) -> None:
    with clio.client() as client:
        folder = _matter_folder(client, 2001)
        listing = client.get(
            "/folders/list.json", params={"parent_id": folder, "fields": "id,type,name"}
        ).json()
        names = {(i["type"], i["name"]) for i in listing["data"]}
        assert ("Document", "Engagement Letter.pdf") in names and ("Folder", "Motions") in names
        motions = next(i["id"] for i in listing["data"] if i["name"] == "Motions")
        inner = client.get(
            "/folders.json", params={"parent_id": motions, "fields": "id,name,parent{id}"}
        ).json()
        assert [(f["name"], f["parent"]["id"]) for f in inner["data"]] == [("Motion to Compel", motions)]
        docs = client.get("/documents.json", params={"matter_id": 2001, "fields": "id"}).json()["data"]
        expected = sum(len(files) for files in firm.MATTERS[0].folders.values())
        assert len(docs) == expected
        root = client.get("/folders/list.json", params={"fields": "id,type,name,parent{id}"}).json()["data"]
        assert {i["type"] for i in root} == {"Folder"}
        deep = client.get(
            "/documents.json", params={"parent_id": folder, "scope": "descendants", "fields": "id"}
        ).json()["data"]
        assert len(deep) == expected


def test_download_303_without_auth_and_refusals(clio: ClioServer) -> None:
    with clio.client() as client:
        doc = client.get(
            "/documents.json", params={"query": "Engagement Letter", "fields": "id,size,content_type"}
        ).json()["data"][0]
        redirect = client.get(f"/documents/{doc['id']}/download.json")
        assert redirect.status_code == 303
        location = redirect.headers["Location"]
        assert location.startswith(clio.base_url + "/storage/")
        fetched = httpx.get(location)
        assert fetched.status_code == 200
        assert fetched.content.startswith(b"%PDF") and len(fetched.content) == doc["size"]
        with_auth = httpx.get(location, headers={"Authorization": client.headers["Authorization"]})
        assert with_auth.status_code == 400 and b"Only one auth mechanism allowed" in with_auth.content
        tampered = httpx.get(location.replace("X-Amz-Signature=", "X-Amz-Signature=0"))
        assert tampered.status_code == 403
        clio.faults.update({"storage_url_lifetime_s": 0})
        expired_url = client.get(f"/documents/{doc['id']}/download.json").headers["Location"]
        time.sleep(1.1)
        expired = httpx.get(expired_url)
        assert expired.status_code == 403 and b"expired" in expired.content


def test_three_step_upload(clio: ClioServer) -> None:
    payload = b"%PDF-1.4 conformed copy\n" * 1000
    with clio.client() as client:
        doc = _start_upload(
            client,
            {"name": "Conformed Copy.pdf", "parent": {"id": 2003, "type": "Matter"},
             "external_properties": [{"name": "lc_deliverable", "value": "D-77"}]},
        )  # fmt: skip
        version = doc["latest_document_version"]
        assert version["fully_uploaded"] is False
        assert {h["name"]: h["value"] for h in version["put_headers"]} == {
            "Content-Type": "application/pdf",
            "x-amz-server-side-encryption": "AES256",
        }
        # Hidden until complete, except with show_uncompleted.
        listed = client.get("/documents.json", params={"matter_id": 2003, "fields": "id"}).json()["data"]
        assert doc["id"] not in [d["id"] for d in listed]
        shown = client.get(
            "/documents.json", params={"matter_id": 2003, "show_uncompleted": "true", "fields": "id"}
        ).json()["data"]
        assert doc["id"] in [d["id"] for d in shown]
        assert _put(doc, payload).status_code == 200
        done = _complete(client, doc)
        assert done.status_code == 200, done.text
        assert done.json()["data"]["latest_document_version"] == {"fully_uploaded": True}
        assert done.json()["data"]["size"] == len(payload)
        again = _complete(client, doc)
        assert again.status_code == 422
        by_prop = client.get(
            "/documents.json",
            params={"external_property_name": "lc_deliverable", "external_property_value": "D-77",
                    "fields": "id,external_properties{name,value}"},
        ).json()["data"]  # fmt: skip
        assert by_prop == [
            {"id": doc["id"], "external_properties": [{"name": "lc_deliverable", "value": "D-77"}]}
        ]
        other = client.get(
            "/documents.json",
            params={"external_property_name": "lc_deliverable", "external_property_value": "X"},
        ).json()["data"]
        assert other == []
        location = client.get(f"/documents/{doc['id']}/download.json").headers["Location"]
        assert httpx.get(location).content == payload


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"Content-Type": "application/octet-stream"}, 403),  # wrong value
        ({"x-amz-server-side-encryption": None}, 403),  # missing
        ({"x-amz-meta-extra": "1"}, 403),  # extra signed-looking header
        ({"Authorization": "Bearer abc"}, 400),  # Clio's token must not go to storage
    ],
)
def test_put_refuses_anything_but_the_signed_headers(
    clio: ClioServer, change: dict[str, str | None], status: int
) -> None:
    with clio.client() as client:
        doc = _start_upload(client, {"name": "Notice.pdf", "parent": {"id": 2003, "type": "Matter"}})
        headers = {h["name"]: h["value"] for h in doc["latest_document_version"]["put_headers"]}
        for name, value in change.items():
            if value is None:
                headers.pop(name)
            else:
                headers[name] = value
        assert _put(doc, b"%PDF-1.4 x", headers).status_code == status
        refused = _complete(client, doc)
        assert refused.status_code == 422 and refused.json()["error"]["type"] == "UploadNotFoundError"


def test_expired_put_url_is_refused(clio: ClioServer) -> None:
    clio.faults.update({"storage_url_lifetime_s": 0})
    with clio.client() as client:
        doc = _start_upload(client, {"name": "Late.pdf", "parent": {"id": 2003, "type": "Matter"}})
        time.sleep(1.1)
        response = _put(doc, b"%PDF-1.4 late")
        assert response.status_code == 403 and b"expired" in response.content


def test_upload_timeout_knob_then_success_on_retry(clio: ClioServer) -> None:
    with clio.client() as client:
        doc = _start_upload(client, {"name": "Receipt.pdf", "parent": {"id": 2003, "type": "Matter"}})
        assert _put(doc, b"%PDF-1.4 receipt").status_code == 200
        clio.faults.update({"upload_verify_timeouts": 2})
        for _ in range(2):
            timed_out = _complete(client, doc)
            assert timed_out.status_code == 422
            assert timed_out.json()["error"]["type"] == "UploadTimeoutError"
        assert _complete(client, doc).status_code == 200


def test_new_version_of_a_document(clio: ClioServer) -> None:
    with clio.client() as client:
        original = client.get("/documents.json", params={"query": "Assessment Ledger", "fields": "id"}).json()
        doc_id = original["data"][0]["id"]
        doc = _start_upload(
            client, {"parent": {"id": doc_id, "type": "Document"}, "content_type": "application/pdf"}
        )
        assert doc["id"] == doc_id
        assert _put(doc, b"%PDF-1.4 v2").status_code == 200
        assert _complete(client, doc).status_code == 200
        latest = client.get(
            f"/documents/{doc_id}.json", params={"fields": "latest_document_version{version_number,size}"}
        ).json()["data"]["latest_document_version"]
        assert latest == {"version_number": 2, "size": len(b"%PDF-1.4 v2")}


def test_create_folder_rename_move_and_trash(clio: ClioServer) -> None:
    with clio.client() as client:
        made = client.post(
            "/folders.json",
            params={"fields": "id,name,parent{id},matter{id}"},
            json={"data": {"name": "Returned from Pacific Crest", "parent": {"id": 2009, "type": "Matter"}}},
        )
        assert made.status_code == 201, made.text
        folder = made.json()["data"]
        assert folder["matter"] == {"id": 2009}
        sub = client.post(
            "/folders.json",
            params={"fields": "id,name,parent{id}"},
            json={"data": {"name": "Order-1234567", "parent": {"id": folder["id"], "type": "Folder"}}},
        ).json()["data"]
        assert sub["parent"] == {"id": folder["id"]}
        contact = client.post(
            "/folders.json",
            params={"fields": "id,contact{id}"},
            json={"data": {"name": "Intake", "parent": {"id": 1005, "type": "Contact"}}},
        ).json()["data"]
        assert contact["contact"] == {"id": 1005}
        doc = _start_upload(client, {"name": "Stamp.pdf", "parent": {"id": sub["id"], "type": "Folder"}})
        _put(doc, b"%PDF-1.4").raise_for_status()
        _complete(client, doc).raise_for_status()
        etag = client.get(f"/documents/{doc['id']}.json").headers["ETag"]
        stale = client.patch(
            f"/documents/{doc['id']}.json", headers={"If-Match": '"stale"'}, json={"data": {"name": "X.pdf"}}
        )
        assert stale.status_code == 412
        moved = client.patch(
            f"/documents/{doc['id']}.json",
            headers={"If-Match": etag},
            params={"fields": "id,name,parent{id},etag"},
            json={"data": {"name": "Conformed.pdf", "parent": {"id": folder["id"], "type": "Folder"}}},
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["data"]["name"] == "Conformed.pdf"
        assert moved.json()["data"]["parent"] == {"id": folder["id"]}
        assert moved.json()["data"]["etag"] != etag
        assert client.delete(f"/documents/{doc['id']}.json").status_code == 204
        listed = client.get("/folders/list.json", params={"parent_id": folder["id"], "fields": "id"}).json()
        assert doc["id"] not in [i["id"] for i in listed["data"]]
        assert client.get(f"/documents/{doc['id']}/download.json").status_code == 404
        assert client.delete(f"/documents/{doc['id']}.json").status_code == 404
