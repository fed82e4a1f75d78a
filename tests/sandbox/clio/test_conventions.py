"""Clio's conventions over HTTP: paging, fields, versions, rate limits, ETags, 404s."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from sandbox.clio.fields import parse_fields
from sandbox.clio.ratelimit import RateLimiter
from sandbox.clio.shapes import SHAPES
from sandbox.seed import firm
from tests.sandbox.clio.conftest import ClioServer


def _all_pages(client: httpx.Client, url: str) -> list[list[dict[str, object]]]:
    pages = []
    next_url: str | None = url
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["data"])
        next_url = body["meta"]["paging"].get("next")
    return pages


def test_cursor_paging_walks_every_matter_in_id_order(clio: ClioServer) -> None:
    with clio.client() as client:
        pages = _all_pages(client, "/matters.json?limit=5&status=open,pending,closed&fields=id,status")
    ids = [m["id"] for page in pages for m in page]
    assert len(pages) == 3  # 13 matters at 5 per page
    assert ids == sorted(m.id for m in firm.MATTERS)
    assert {m["status"] for page in pages for m in page} == {"Open", "Pending", "Closed"}


def test_next_url_keeps_filters_and_host(clio: ClioServer) -> None:
    with clio.client() as client:
        body = client.get("/matters.json", params={"limit": 2, "client_id": 1004, "fields": "id"}).json()
        assert [m["id"] for m in body["data"]] == [2004, 2005]
        assert "next" not in body["meta"]["paging"]  # only two matters for that client
        body = client.get("/contacts.json", params={"limit": 2, "type": "Company"}).json()
        next_url = body["meta"]["paging"]["next"]
        assert next_url.startswith(clio.api + "/contacts.json?")
        query = parse_qs(urlsplit(next_url).query)
        assert query["type"] == ["Company"] and query["limit"] == ["2"] and "page_token" in query
        pages = _all_pages(client, "/contacts.json?limit=1&type=Company&client_only=true")
    assert len(pages) == 4 and all(len(p) == 1 for p in pages)


def test_bare_paths_work_like_json_paths(clio: ClioServer) -> None:
    with clio.client() as client:
        a = client.get("/matters/2001.json", params={"fields": "id,display_number"}).json()
        b = client.get("/matters/2001", params={"fields": "id,display_number"}).json()
    assert a == b == {"data": {"id": 2001, "display_number": "00001-Alvarez"}}


def test_fields_default_nesting_and_errors(clio: ClioServer) -> None:
    with clio.client() as client:
        default = client.get("/matters/2001.json").json()["data"]
        assert set(default) == {"id", "etag"}
        nested = client.get("/matters/2001.json", params={"fields": "id,client{id,name},folder"}).json()[
            "data"
        ]
        assert nested["client"] == {"id": 1001, "name": "Elena Alvarez"}
        assert set(nested["folder"]) == {"id", "etag"}  # no braces: the nested default fields
        for bad in ("id,nonsense", "client{date_of_birth_x}", "client{folder{id}}", "id,client{", "client{}"):
            response = client.get("/matters/2001.json", params={"fields": bad})
            assert response.status_code == 400, bad
            assert set(response.json()["error"]) == {"type", "message"}


def test_fields_parser_unit() -> None:
    sel = parse_fields("id,latest_document_version{uuid,put_url,put_headers}", SHAPES["Document"], SHAPES)
    assert [p.name for p in sel] == ["id", "latest_document_version"]
    assert sel[1].nested == ("uuid", "put_url", "put_headers")


def test_api_version_echo_and_410(clio: ClioServer) -> None:
    with clio.client() as client:
        assert client.get("/users/who_am_i.json").headers["X-API-VERSION"] == "4.0.13"
        pinned = client.get("/users/who_am_i.json", headers={"X-API-VERSION": "4.0.9"})
        assert pinned.status_code == 200 and pinned.headers["X-API-VERSION"] == "4.0.9"
        for bad in ("banana", "4.0.99", "3.0.0", "5.0"):
            gone = client.get("/users/who_am_i.json", headers={"X-API-VERSION": bad})
            assert gone.status_code == 410, bad
            assert gone.json()["error"]["type"]


def test_rate_limit_headers_and_429(clio: ClioServer) -> None:
    clio.faults.update({"rate_limit_per_minute": 3})
    with clio.client() as client:
        remaining = []
        for _ in range(3):
            response = client.get("/users/who_am_i.json")
            assert response.status_code == 200
            assert response.headers["X-RateLimit-Limit"] == "3"
            reset = int(response.headers["X-RateLimit-Reset"])
            assert time.time() - 1 <= reset <= time.time() + 61
            remaining.append(int(response.headers["X-RateLimit-Remaining"]))
        assert remaining == [2, 1, 0]
        limited = client.get("/users/who_am_i.json")
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert limited.json()["error"]["type"] == "RateLimited"
        assert limited.headers["X-RateLimit-Remaining"] == "0"
    # The limit is per token: another token still gets through.
    with clio.client() as other:
        assert other.get("/users/who_am_i.json").status_code == 200


def test_rate_limit_window_resets() -> None:
    now = [1000.0]
    limiter = RateLimiter(lambda: 2, clock=lambda: now[0])
    assert limiter.check("t").allowed and limiter.check("t").allowed
    blocked = limiter.check("t")
    assert not blocked.allowed and blocked.retry_after == 60 and blocked.reset_at == 1060
    now[0] = 1059.5
    assert limiter.check("t").retry_after == 1
    now[0] = 1060.0
    fresh = limiter.check("t")
    assert fresh.allowed and fresh.remaining == 1 and fresh.reset_at == 1120


def test_invalid_token_is_401(clio: ClioServer) -> None:
    with httpx.Client(base_url=clio.api, headers={"Authorization": "Bearer nope"}) as client:
        response = client.get("/matters.json")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


def test_etag_changes_and_304(clio: ClioServer) -> None:
    with clio.client() as client:
        first = client.get("/activities/7006.json", params={"fields": "id,etag"})
        etag = first.headers["ETag"]
        assert first.json()["data"]["etag"] == etag
        assert client.get("/activities/7006.json", headers={"If-None-Match": etag}).status_code == 304
        client.patch("/activities/7006.json", json={"data": {"note": "changed"}}).raise_for_status()
        assert client.get("/activities/7006.json").headers["ETag"] != etag


@pytest.mark.parametrize(
    "path",
    ["/matters/999999.json", "/folders/1.json", "/documents/1.json", "/activities/1.json",
     "/documents/1/download.json", "/matters/99999999999999999999.json", "/no_such_thing.json"],
)  # fmt: skip
def test_unknown_ids_are_404_with_clio_body(clio: ClioServer, path: str) -> None:
    with clio.client() as client:
        response = client.get(path)
    assert response.status_code == 404
    assert set(response.json()["error"]) == {"type", "message"}


def test_who_am_i_contacts_and_categories(clio: ClioServer) -> None:
    with clio.client() as client:
        me = client.get("/users/who_am_i.json", params={"fields": "id,name,email,account{name}"}).json()
        assert me["data"] == {
            "id": 1,
            "name": firm.CLIO_DEMO_USER.name,
            "email": firm.CLIO_DEMO_USER.email,
            "account": {"name": firm.FIRM_NAME},
        }
        people = client.get("/contacts.json", params={"type": "Person", "fields": "id,type"}).json()["data"]
        assert people and all(p["type"] == "Person" for p in people)
        found = client.get("/contacts.json", params={"query": "okafor", "fields": "id,folder{id}"}).json()
        assert [c["id"] for c in found["data"]] == [1007] and found["data"][0]["folder"]["id"]
        matters = client.get("/matters.json", params={"query": "Sierra", "fields": "id"}).json()["data"]
        assert [m["id"] for m in matters] == [2004, 2005]
        closed = client.get("/matters.json", params={"status": "closed", "fields": "id,status"}).json()[
            "data"
        ]
        assert closed == [{"id": 2008, "status": "Closed"}]
        cats = client.get("/expense_categories.json", params={"query": "fee", "fields": "id,name"}).json()
        assert [c["id"] for c in cats["data"]] == [501, 502, 503]
        hard = client.get("/expense_categories.json", params={"entry_type": "hard_cost"}).json()["data"]
        assert len(hard) == 5
