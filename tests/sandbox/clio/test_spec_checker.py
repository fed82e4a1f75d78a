"""The OpenAPI checker itself: it accepts good bodies and requests and, above all, can fail."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.helpers.clio_spec import check_request, check_response, parse_fields, spec

DOC = "/api/v4/documents/12.json"
GOOD_DOCUMENT = {
    "id": 12,
    "etag": '"a1b2"',
    "name": "Complaint.pdf",
    "created_at": "2026-03-01T10:15:00-08:00",
    "deleted_at": None,
    "parent": {"id": 3, "type": "Folder", "name": "Pleadings"},
    "latest_document_version": {
        "id": 7,
        "uuid": "u-1",
        "put_headers": [{"name": "Content-Type", "value": "x"}],
    },
    "external_properties": [{"id": 1, "name": "lc_order", "value": "1234567"}],
}
GOOD_FIELDS = (
    "id,etag,name,created_at,deleted_at,parent{id,type,name},"
    "latest_document_version{id,uuid,put_headers},external_properties{id,name,value}"
)


def test_good_document_passes() -> None:
    assert check_response("GET", DOC, 200, {"data": GOOD_DOCUMENT}, GOOD_FIELDS) == []


def test_default_fields_are_id_and_etag() -> None:
    assert check_response("GET", DOC, 200, {"data": {"id": 12, "etag": '"x"'}}, None) == []
    problems = check_response("GET", DOC, 200, {"data": {"id": 12, "etag": '"x"', "name": "a"}}, None)
    assert problems == ["GET /documents/{id}.json 200 data[0]: field 'name' returned but not requested"]


@pytest.mark.parametrize(
    ("change", "fields", "expected"),
    [
        ({"id": "12"}, "id,etag", "['id']: '12' is not of type 'integer'"),
        ({"invented": 1}, "id,etag,invented", "undeclared field(s): 'invented'"),
        (
            {"parent": {"id": 3, "colour": "red"}},
            "id,etag,parent{id,colour}",
            "['parent']: undeclared field(s): 'colour'",
        ),
        (
            {"created_at": "01/03/2026"},
            "id,etag,created_at",
            "['created_at']: '01/03/2026' is not a 'date-time'",
        ),
        ({"type": "Folder"}, "id,etag,type", "['type']: 'Folder' is not one of"),
        ({"external_properties": {"name": "x"}}, "id,etag,external_properties", "is not of type 'array'"),
        ({"size": 1.5}, "id,etag,size", "['size']: 1.5 is not of type 'integer'"),
    ],
)
def test_bad_documents_fail(change: dict[str, Any], fields: str, expected: str) -> None:
    body = {"data": {"id": 12, "etag": '"x"', **change}}
    problems = check_response("GET", DOC, 200, body, fields)
    assert any(expected in p for p in problems), problems


def test_fields_mismatch_is_reported_both_ways() -> None:
    body = {"data": {"id": 1, "etag": '"x"', "parent": {"id": 2, "name": "n"}}}
    problems = check_response("GET", DOC, 200, body, "id,etag,name,parent{id}")
    assert "requested field 'name' missing" in problems[0]
    assert "parent: field 'name' returned but not requested" in problems[1]


def test_nulls_are_allowed_by_default_but_can_be_refused() -> None:
    body = {"data": {"id": 1, "etag": '"x"', "deleted_at": None}}
    assert check_response("GET", DOC, 200, body, "id,etag,deleted_at") == []
    strict = check_response("GET", DOC, 200, body, "id,etag,deleted_at", allow_null=False)
    assert strict
    assert "None is not of type 'string'" in strict[0]
    assert check_response("GET", DOC, 200, {"data": None}, None) == [
        "GET /documents/{id}.json 200: data is null"
    ]


def test_statuses_and_bodies_per_operation() -> None:
    assert check_response("GET", "/api/v4/documents/1/download.json", 303, None) == []
    assert "status not declared" in check_response("GET", "/api/v4/documents/1/download.json", 200, None)[0]
    assert "status not declared" in check_response("DELETE", DOC, 404, None)[0]
    assert check_response("DELETE", DOC, 204, None) == []
    error = {"error": {"type": "RecordNotFound", "message": "Document 12 not found"}}
    assert check_response("GET", DOC, 404, error) == []
    assert check_response("GET", DOC, 404, {"error": "not found"})
    oauth_style = {"error": "invalid_token", "error_description": "expired"}
    assert check_response("GET", DOC, 401, oauth_style)
    assert "no such operation" in check_response("GET", "/api/v4/nothing_here.json", 200, {})[0]
    assert "declares a JSON body" in check_response("GET", DOC, 200, None)[0]


def test_literal_paths_win_over_templates() -> None:
    found = spec().operation("GET", "http://127.0.0.1:9/api/v4/folders/list.json?x=1")
    assert found is not None
    assert found[0] == "/folders/list.json"
    found = spec().operation("GET", "/api/v4/folders/77.json")
    assert found is not None
    assert found[0] == "/folders/{id}.json"
    assert found[2] == {"id": "77"}


def test_list_meta_is_checked() -> None:
    body = {
        "data": [{"id": 1, "etag": '"x"'}],
        "meta": {"paging": {"next": "https://x/api/v4/documents.json"}},
    }
    assert check_response("GET", "/api/v4/documents.json", 200, body) == []
    body["meta"] = {"paging": {"next": 5, "page": 2}}
    problems = check_response("GET", "/api/v4/documents.json", 200, body)
    assert len(problems) == 2, problems


def test_requests() -> None:
    good = {"fields": "id,name", "ids[]": [1, 2], "limit": 200, "show_uncompleted": True, "order": "id(asc)"}
    headers = {"X-API-VERSION": "4.0.13", "Authorization": "Bearer t"}
    assert check_request("GET", "/api/v4/documents.json", good, None, headers) == []
    bad = {
        "limit": "many",
        "colour": "red",
        "order": "sideways",
        "show_uncompleted": "yes",
        "updated_since": "now",
    }
    problems = check_request("GET", "/api/v4/documents.json", bad, None, headers)
    assert len(problems) == 5, problems
    assert check_request("GET", "/api/v4/documents.json?matter_id=1&matter_id=2")
    assert check_request("GET", "/api/v4/documents/abc.json")
    assert check_request("GET", "/api/v4/documents.json", None, {"data": {}}, None)
    assert check_request("PUT", "/api/v4/documents/1/download.json")
    assert check_request("GET", "/api/v4/activities.json", {"start_date": "2026-01-31"}) == []


def test_request_bodies() -> None:
    body = {"data": {"name": "a.pdf", "parent": {"id": 3, "type": "Folder"}, "external_properties": []}}
    assert check_request("POST", "/api/v4/documents.json", {"fields": "id"}, body, {}) == []
    assert check_request("POST", "/api/v4/documents.json", {}, None, {}) == [
        "POST /documents.json: request body missing"
    ]
    wrong = {"data": {"name": 5, "parent": {"id": 3, "type": "Drawer"}, "secret": True}}
    assert len(check_request("POST", "/api/v4/documents.json", {}, wrong, {})) == 3
    patch = {"data": {"uuid": "u-1", "fully_uploaded": True}}
    assert check_request("PATCH", DOC, {"fields": "id"}, patch, {"IF-MATCH": '"x"'}) == []


def test_parse_fields() -> None:
    assert parse_fields("id, name,matter{id,display_number},parent") == {
        "id": None,
        "name": None,
        "matter": {"id": None, "display_number": None},
        "parent": None,
    }


def test_checks_are_fast_once_loaded() -> None:
    spec()
    body = {"data": [GOOD_DOCUMENT] * 200}
    check_response("GET", "/api/v4/documents.json", 200, body, GOOD_FIELDS)
    started = time.perf_counter()
    for _ in range(5):
        assert check_response("GET", "/api/v4/documents.json", 200, body, GOOD_FIELDS) == []
    assert time.perf_counter() - started < 2.5
