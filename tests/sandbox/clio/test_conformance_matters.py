"""Matters' custom fields, related contacts, relationships and the matter PATCH, checked against
Clio's official OpenAPI document like every other emulated route (see test_conformance.py)."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.clio.matter_fields import CASE_NUMBER_FIELD
from tests.sandbox.clio.test_conformance import Api, Row, api, check_row, world

__all__ = ["api", "world"]  # the module-scoped fixtures of test_conformance.py, shared

BRIGHTLINE = 2002
NEW_CASE_MATTER = 2010
VALUE_FIELDS = "custom_field_values{id,field_name,field_type,value,custom_field}"

ROWS: dict[str, Row] = {
    "custom fields of matters": Row(
        "GET",
        "/custom_fields.json",
        200,
        {"fields": "id,etag,name,field_type,parent_type,displayed,deleted,required", "parent_type": "matter"},
    ),
    "custom fields by type": Row(
        "GET", "/custom_fields.json", 200, {"fields": "id,name", "field_type": "text_line", "query": "court"}
    ),
    "custom field show": Row(
        "GET", f"/custom_fields/{CASE_NUMBER_FIELD}.json", 200, {"fields": "id,name,field_type"}
    ),
    "custom field 404": Row("GET", "/custom_fields/987654321.json", 404, {"fields": "id"}),
    "custom fields bad type": Row(
        "GET", "/custom_fields.json", 400, {"fields": "id", "field_type": "text"}, spec_invalid_request=True
    ),
    "matter with custom fields and relationships": Row(
        "GET",
        f"/matters/{BRIGHTLINE}.json",
        200,
        {
            "fields": f"id,etag,description,client{{id,name,type}},{VALUE_FIELDS},"
            "relationships{id,description}"
        },
    ),
    "matter custom field values default fields": Row(
        "GET", f"/matters/{BRIGHTLINE}.json", 200, {"fields": "id,custom_field_values"}
    ),
    "related contacts": Row(
        "GET",
        f"/matters/{BRIGHTLINE}/related_contacts.json",
        200,
        {
            "fields": "id,contact_id,name,first_name,last_name,type,is_matter_client,"
            "relationship{id,description}",
            "order": "id(asc)",
        },
    ),
    "related contacts paged": Row(
        "GET",
        f"/matters/{BRIGHTLINE}/related_contacts.json",
        200,
        {"fields": "id,name", "limit": 1},
        follow_next=True,
    ),
    "relationships by matter": Row(
        "GET",
        "/relationships.json",
        200,
        {
            "fields": "id,etag,description,contact{id,name,type},matter{id,display_number}",
            "matter_id": BRIGHTLINE,
        },
    ),
    "matter patch case number": Row(
        "PATCH",
        f"/matters/{NEW_CASE_MATTER}.json",
        200,
        {"fields": f"id,etag,{VALUE_FIELDS}"},
        {
            "data": {
                "custom_field_values": [{"custom_field": {"id": CASE_NUMBER_FIELD}, "value": "26STCV00017"}]
            }
        },
    ),
    "matter patch wrong custom field 422": Row(
        "PATCH",
        f"/matters/{BRIGHTLINE}.json",
        422,
        {"fields": "id"},
        {"data": {"custom_field_values": [{"custom_field": {"id": 804}, "value": "many"}]}},
    ),
    "matter patch stale etag": Row(
        "PATCH",
        f"/matters/{BRIGHTLINE}.json",
        412,
        {"fields": "id"},
        {"data": {"description": "x"}},
        headers={"IF-MATCH": '"stale-etag"'},
    ),
}


@pytest.mark.parametrize("name", list(ROWS))
def test_matter_route_conforms(name: str, api: Api, world: Any) -> None:
    check_row(ROWS[name], api, world)
