"""The emulated calendar (calendars, calendar entries), checked against Clio's official OpenAPI
document row by row as `test_conformance` checks the other routes, and its behaviour: the exact
external-property filter, ETag-guarded updates, deletion, required fields."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.clio_spec import check_request, check_response
from tests.sandbox.clio import test_conformance as conformance
from tests.sandbox.clio.test_conformance import (
    VERSION,
    Api,
    Row,
    _fill,
    _header_problems,
    _next_page_problems,
    _path,
)

world = conformance.world  # the same module-scoped sandbox and signed-in session as the table there
api = conformance.api

ENTRY_FIELDS = (
    "id,etag,summary,description,location,start_at,start_date,start_time,end_at,end_date,end_time,"
    "all_day,court_rule,created_at,updated_at,calendar_owner_id,start_at_time_zone,"
    "matter{id,display_number},calendar_owner{id,name,type},calendars{id,name},external_properties{name,value}"
)
CALENDAR_FIELDS = "id,etag,name,type,permission,color,light_color,visible,created_at,updated_at"


def _hearing(summary: str = "Hearing: Motion for Summary Judgment — Brightline v. Harmon") -> dict[str, Any]:
    return {
        "data": {
            "summary": summary,
            "description": "Order 2417108",
            "location": "Superior Court of California, County of Los Angeles, Dept. 34",
            "start_at": "2027-01-12T08:30:00-08:00",
            "end_at": "2027-01-12T09:30:00-08:00",
            "calendar_owner": {"id": "{calendar}"},
            "matter": {"id": "{matter}"},
            "external_properties": [{"name": "lc_hearing", "value": "{key}"}],
            "send_email_notification": False,
        }
    }


def _entry(api: Api, key: str = "conformance") -> dict[str, Any]:
    body = _fill(_hearing(), {**api.ids, "calendar": _own_calendar(api), "key": key})
    answer = api.call("POST", "/calendar_entries.json", {"fields": "id,etag"}, body)
    assert answer.status_code == 201, answer.text
    data = answer.json()["data"]
    return {"entry": data["id"], "etag": data["etag"], "calendar": _own_calendar(api), "key": key}


def _two_entries(api: Api) -> dict[str, Any]:
    _entry(api, "paged")
    return _entry(api, "paged")


def _own_calendar(api: Api) -> int:
    answer = api.call("GET", "/calendars.json", {"fields": "id", "owner": "true"})
    return int(answer.json()["data"][0]["id"])


def _calendar(api: Api) -> dict[str, Any]:
    return {"calendar": _own_calendar(api), "key": "conformance"}


ROWS: dict[str, Row] = {
    "calendars": Row("GET", "/calendars.json", 200, {"fields": CALENDAR_FIELDS}),
    "calendars own writeable": Row(
        "GET", "/calendars.json", 200, {"fields": "id,name,type", "owner": "true", "writeable": "true"}
    ),
    "calendars by name": Row(
        "GET", "/calendars.json", 200, {"fields": "id,name", "order": "name(asc)", "type": "UserCalendar"}
    ),
    "calendars paged": Row("GET", "/calendars.json", 200, {"fields": "id", "limit": 1}, follow_next=True),
    "calendar entry create": Row(
        "POST", "/calendar_entries.json", 201, {"fields": ENTRY_FIELDS}, _hearing(), prepare=_calendar
    ),
    "calendar entry create 422": Row(
        "POST",
        "/calendar_entries.json",
        422,
        {"fields": "id"},
        {"data": {"start_at": "2027-01-12T08:30:00-08:00", "end_at": "2027-01-12T09:30:00-08:00"}},
        spec_invalid_request=True,
    ),
    "calendar entry create 404 calendar": Row(
        "POST",
        "/calendar_entries.json",
        404,
        {"fields": "id"},
        {
            "data": {
                "summary": "Hearing",
                "start_at": "2027-01-12T08:30:00-08:00",
                "end_at": "2027-01-12T09:30:00-08:00",
                "calendar_owner": {"id": 987654321},
            }
        },
    ),
    "calendar entries by key": Row(
        "GET",
        "/calendar_entries.json",
        200,
        {
            "fields": ENTRY_FIELDS,
            "matter_id": "{matter}",
            "external_property_name": "lc_hearing",
            "external_property_value": "{key}",
        },
        prepare=_entry,
    ),
    "calendar entries in a range": Row(
        "GET",
        "/calendar_entries.json",
        200,
        {
            "fields": "id,summary,start_at",
            "calendar_id": "{calendar}",
            "from": "2027-01-01T00:00:00Z",
            "to": "2027-02-01T00:00:00Z",
            "query": "Hearing",
        },
        prepare=_entry,
    ),
    "calendar entries paged": Row(
        "GET",
        "/calendar_entries.json",
        200,
        {"fields": "id,etag", "limit": 1, "external_property_name": "lc_hearing"},
        prepare=_two_entries,
        follow_next=True,
    ),
    "calendar entry show": Row(
        "GET", "/calendar_entries/{entry}.json", 200, {"fields": ENTRY_FIELDS}, prepare=_entry
    ),
    "calendar entry not modified": Row(
        "GET",
        "/calendar_entries/{entry}.json",
        304,
        {"fields": "id"},
        headers={"IF-NONE-MATCH": "{etag}"},
        prepare=_entry,
    ),
    "calendar entry 404": Row("GET", "/calendar_entries/987654321.json", 404, {"fields": "id"}),
    "calendar entry moved": Row(
        "PATCH",
        "/calendar_entries/{entry}.json",
        200,
        {"fields": "id,etag,start_at,end_at,summary,location"},
        {"data": {"start_at": "2027-02-02T09:00:00-08:00", "end_at": "2027-02-02T10:00:00-08:00"}},
        headers={"IF-MATCH": "{etag}"},
        prepare=_entry,
    ),
    "calendar entry stale etag": Row(
        "PATCH",
        "/calendar_entries/{entry}.json",
        412,
        {"fields": "id"},
        {"data": {"summary": "Hearing"}},
        headers={"IF-MATCH": '"stale-etag"'},
        prepare=_entry,
    ),
    "calendar entry end before start": Row(
        "PATCH",
        "/calendar_entries/{entry}.json",
        422,
        {"fields": "id"},
        {"data": {"end_at": "2020-01-01T00:00:00Z"}},
        prepare=_entry,
    ),
    "calendar entry delete": Row("DELETE", "/calendar_entries/{entry}.json", 204, prepare=_entry),
}


@pytest.mark.parametrize("name", list(ROWS))
def test_calendar_route_conforms(name: str, api: Api) -> None:
    row = ROWS[name]
    names = {**api.ids, **(row.prepare(api) if row.prepare else {})}
    path = _path(row.path, names)
    query = {k: _fill(v, names) for k, v in row.query.items()}
    body = _fill(row.body, names)
    headers = {**VERSION, "Authorization": f"Bearer {api.token}", **_fill(row.headers, names)}
    answer = api.http.request(row.method, f"/api/v4{path}", params=query, json=body, headers=headers)
    url = str(answer.request.url)
    problems: list[str] = []
    request_problems = check_request(row.method, url, None, body, headers)
    if row.spec_invalid_request:
        assert request_problems, "the row means to send a request the spec forbids"
    else:
        problems += [f"request: {p}" for p in request_problems]
    if answer.status_code != row.status:
        problems.append(f"expected {row.status}, got {answer.status_code}: {answer.text[:300]}")
    payload = answer.json() if answer.content and "json" in answer.headers.get("content-type", "") else None
    problems += [
        f"response: {p}"
        for p in check_response(row.method, url, answer.status_code, payload, query.get("fields"))
    ]
    if isinstance(payload, dict) and payload.get("data") == []:
        problems.append("empty list: nothing was checked")
    if row.follow_next:
        problems += _next_page_problems(api, payload, headers, query.get("fields"))
    problems += _header_problems(answer, row)
    assert not problems, f"{row.method} {url}\n" + "\n".join(problems)


def test_an_entry_is_found_by_its_key_exactly_and_moves_and_goes(api: Api) -> None:
    made = _entry(api, "exact-7")
    _entry(api, "exact-77")
    query = {"fields": "id,external_properties{name,value}", "external_property_name": "lc_hearing"}
    found = api.call("GET", "/calendar_entries.json", {**query, "external_property_value": "exact-7"})
    assert [e["id"] for e in found.json()["data"]] == [made["entry"]]
    assert isinstance(made["entry"], str)  # CalendarEntry ids are strings in Clio's answers
    moved = api.call(
        "PATCH",
        f"/calendar_entries/{made['entry']}.json",
        {"fields": "id,etag,start_at,start_date,start_time"},
        {"data": {"start_at": "2027-07-06T09:00:00-07:00", "end_at": "2027-07-06T10:00:00-07:00"}},
        **{"IF-MATCH": made["etag"]},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["data"]["start_date"] == "2027-07-06"
    assert moved.json()["data"]["start_time"] == "09:00 PDT"
    assert moved.json()["data"]["etag"] != made["etag"]
    stale = api.call(
        "PATCH",
        f"/calendar_entries/{made['entry']}.json",
        {"fields": "id"},
        {"data": {"summary": "x"}},
        **{"IF-MATCH": made["etag"]},
    )
    assert stale.status_code == 412
    assert api.call("DELETE", f"/calendar_entries/{made['entry']}.json").status_code == 204
    gone = api.call("GET", "/calendar_entries.json", {**query, "external_property_value": "exact-7"})
    assert gone.json()["data"] == []
    assert api.call("GET", f"/calendar_entries/{made['entry']}.json", {"fields": "id"}).status_code == 404


def test_the_users_own_calendar_is_their_default_calendar(api: Api) -> None:
    me = api.call("GET", "/users/who_am_i.json", {"fields": "id,default_calendar_id"}).json()["data"]
    own = api.call("GET", "/calendars.json", {"fields": "id,permission,type", "owner": "true"}).json()["data"]
    assert own == [{"id": me["default_calendar_id"], "permission": "owner", "type": "UserCalendar"}]
    every = api.call("GET", "/calendars.json", {"fields": "id,type"}).json()["data"]
    assert {c["type"] for c in every} == {"AccountCalendar", "UserCalendar"}
    assert len(every) >= 3


def test_six_external_properties_are_refused(api: Api) -> None:
    body = _fill(_hearing(), {**api.ids, "calendar": _own_calendar(api), "key": "six"})
    body["data"]["external_properties"] = [{"name": f"p{i}", "value": "v"} for i in range(6)]
    answer = api.call("POST", "/calendar_entries.json", {"fields": "id"}, body)
    assert answer.status_code == 422, answer.text
    assert "at most 5" in answer.json()["error"]["message"]
    left = api.call("GET", "/calendar_entries.json", {"fields": "id", "external_property_name": "p0"})
    assert left.json()["data"] == []
