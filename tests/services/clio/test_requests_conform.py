"""Every Clio API request the client made during the test run, checked against Clio's official spec.

The recorder (see `conftest.py`) collects the requests of every client the tests build; this module
runs last. It first drives each public call once, so every call is checked even when this module
runs alone, then checks path, method, query parameters, headers and JSON body of each recording.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from tests.helpers.clio_spec import check_request
from tests.services.clio.helpers import RECORDER

BRIGHTLINE_MATTER = 2002
NEW_CASE_MATTER = 2010  # a court in its custom fields, no case number yet
CASE_NUMBER_FIELD = 801


def _tour(clio_client, tmp_path: Path) -> None:
    pdf = tmp_path / "Tour.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")

    async def body():
        async with clio_client() as client:
            await client.who_am_i()
            [c async for page in client.clients(query="a") for c in page]
            [m async for page in client.matters(client_id=1002, query="Brightline") for m in page]
            matter = await client.matter(BRIGHTLINE_MATTER)
            await client.matter_custom_fields()
            details = await client.matter_details(BRIGHTLINE_MATTER)
            number = details.value_of(CASE_NUMBER_FIELD)
            await client.set_matter_custom_field(
                BRIGHTLINE_MATTER, CASE_NUMBER_FIELD, "30-2025-01423987", number
            )
            await client.set_matter_custom_field(NEW_CASE_MATTER, CASE_NUMBER_FIELD, "26STCV00017")
            await client.folder_page(matter.folder_id, query="a")
            folder = await client.create_folder("Order-7654321", BRIGHTLINE_MATTER, "Matter")
            await client.find_folder("Order-7654321", matter.folder_id)
            doc = await client.upload(pdf, pdf.name, folder.id, external_properties={"lc_id": "1"})
            await client.document(doc.id)
            await client.find_documents_by_external_property("lc_id", "1", folder.id)
            await client.download(doc.id, tmp_path / "back.pdf")
            await client.create_expense_category("Tour Category", "soft_cost")
            categories = await client.expense_categories()
            made = await client.create_expense(
                BRIGHTLINE_MATTER, dt.date(2026, 5, 2), 12.5, "Tour", categories[0].id
            )
            await client.update_activity_category(made.id, categories[1].id, made.etag)
            await client.create_expense(
                BRIGHTLINE_MATTER,
                dt.date(2026, 5, 2),
                3.95,
                "Tour [LC 7654321/F1]",
                None,
                entry_type="SoftCostEntry",
            )
            await client.find_expenses_by_marker(BRIGHTLINE_MATTER, "[LC 7654321/F1]", "SoftCostEntry")
            [
                a
                async for page in client.activities(
                    BRIGHTLINE_MATTER,
                    start_date=dt.date(2026, 1, 1),
                    end_date=dt.date(2026, 12, 31),
                    status="unbilled",
                )
                for a in page
            ]

    asyncio.run(body())


def test_every_recorded_request_conforms(clio_client, tmp_path: Path) -> None:
    _tour(clio_client, tmp_path)
    recorded = list(RECORDER.requests)
    assert recorded, "no Clio API request was recorded"
    problems = []
    for request in recorded:
        for problem in check_request(
            request.method, request.url, json_body=request.json_body, headers=request.headers
        ):
            problems.append(f"{problem}\n    {request.method} {request.url}\n    (from {request.test})")
    assert not problems, f"{len(problems)} of {len(recorded)} requests break the spec:\n" + "\n".join(
        problems
    )
    operations = {(r.method, r.url.split("?")[0].split("/api/v4/")[1]) for r in recorded}
    assert len(operations) >= 12
