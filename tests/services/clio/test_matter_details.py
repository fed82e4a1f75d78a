"""A matter's custom fields, client and related contacts read from the Clio emulator, and the case
number written back into the matter's custom field (checked in the emulator's own database)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.services.http import ServiceError
from tests.services.clio.helpers import RecordingTransport

BRIGHTLINE = 2002
INCOMPLETE = 2005  # Sierra Vista HOA - Collections: no case number, no court, no related contacts
NEW_CASE = 2010  # Okafor - Employment Claim: a court, no case number yet
CASE_NUMBER_FIELD, COURT_FIELD = 801, 802


def _emulator_db(sandbox_world: Any) -> Any:
    app = sandbox_world._servers[0].config.app
    return app.app.state.emulator.conn


def test_the_firms_matter_custom_fields_are_listed_with_their_types(clio_client) -> None:
    async def body() -> Any:
        async with clio_client() as client:
            return await client.matter_custom_fields()

    fields = {f.name: f.field_type for f in asyncio.run(body())}
    assert fields["Court Case Number"] == "text_line"
    assert fields["Court"] == "text_line"
    assert fields["Amount in Controversy"] == "currency"


def test_a_matter_reads_with_its_custom_field_values_client_and_related_contacts(clio_client) -> None:
    transport = RecordingTransport()

    async def body() -> Any:
        async with clio_client(transport=transport) as client:
            return await client.matter_details(BRIGHTLINE)

    details = asyncio.run(body())
    assert details.description == "Brightline Logistics v. Harmon Freight"
    assert (details.client_name, details.client_type) == ("Brightline Logistics, Inc.", "Company")
    number = details.value_of(CASE_NUMBER_FIELD)
    assert number is not None and number.value == "30-2025-01423987"
    court = details.value_of(COURT_FIELD)
    assert court is not None and court.value == "Superior Court of California, County of Orange"
    assert [(r.name, r.description) for r in details.related] == [
        ("Harmon Freight Co.", "Opposing Party"),
        ("Ray Harmon", "Co-Defendant"),
        ("Morgan Pryce", "Opposing Counsel"),
    ]
    paths = [r.url.path for r in transport.sent]
    assert paths == [
        f"/api/v4/matters/{BRIGHTLINE}.json",
        f"/api/v4/matters/{BRIGHTLINE}/related_contacts.json",
    ]
    assert all("fields" in r.url.params for r in transport.sent)


def test_an_incomplete_matter_reads_without_values_or_related_contacts(clio_client) -> None:
    async def body() -> Any:
        async with clio_client() as client:
            return await client.matter_details(INCOMPLETE)

    details = asyncio.run(body())
    assert details.values == () and details.related == ()
    assert details.value_of(CASE_NUMBER_FIELD) is None


def test_the_case_number_is_written_into_the_matters_custom_field(clio_client, sandbox_world) -> None:
    transport = RecordingTransport()

    async def body() -> Any:
        async with clio_client(transport=transport) as client:
            first = await client.set_matter_custom_field(NEW_CASE, CASE_NUMBER_FIELD, "26STCV00017")
            again = await client.matter_details(NEW_CASE)
            changed = await client.set_matter_custom_field(
                NEW_CASE, CASE_NUMBER_FIELD, "26STCV00018", again.value_of(CASE_NUMBER_FIELD)
            )
            return first, changed

    first, changed = asyncio.run(body())
    assert first.value_of(CASE_NUMBER_FIELD).value == "26STCV00017"
    assert changed.value_of(CASE_NUMBER_FIELD).value == "26STCV00018"
    rows = (
        _emulator_db(sandbox_world)
        .execute(
            "SELECT value FROM custom_field_values WHERE matter_id = ? AND custom_field_id = ?",
            (NEW_CASE, CASE_NUMBER_FIELD),
        )
        .fetchall()
    )
    assert [r["value"] for r in rows] == ["26STCV00018"]  # updated in place, not a second value
    patches = [r for r in transport.sent if r.method == "PATCH"]
    assert [r.url.path for r in patches] == [f"/api/v4/matters/{NEW_CASE}.json"] * 2


def test_a_value_for_a_field_of_another_type_is_refused_by_clio(clio_client) -> None:
    async def body() -> Any:
        async with clio_client() as client:
            return await client.set_matter_custom_field(NEW_CASE, 804, "26STCV00017")

    with pytest.raises(ServiceError) as refused:
        asyncio.run(body())
    assert "currency" in str(refused.value.detail) or "currency" in refused.value.user_message
