"""A Clio document larger than the court takes is refused on its row before it is downloaded:
the size comes from the folder listing the Clio window shows, against the sandbox's Clio."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.services.clio.api import ClioClient
from app.services.wizard.draft import ClioSource, DocumentStatus
from app.services.wizard.intake_and_clio import ClioDownloads
from app.services.wizard.submission import OrderSubmission
from sandbox.seed.files import make_big_pdf_file, make_pdf
from tests.services.clio.auth_fixtures import CountingTransport
from tests.services.clio.helpers import StaticTokens, connect_tokens
from tests.services.wizard.conftest import fill_case
from tests.services.wizard.test_submission import Harness, run

MB = 2**20
BRIGHTLINE_MATTER = 2002


@pytest.fixture
def lc(sandbox_world: Any) -> Any:
    sandbox_world.legalconnect_faults.update({"clerk_delay_s": 3600})
    return sandbox_world


def _downloads(transport: CountingTransport, since: int) -> list[str]:
    """The download requests sent after the first `since` requests (API and storage host)."""
    return [
        f"{method} {url.path}"
        for method, url in transport.requests[since:]
        if url.path.endswith("/download.json") or url.path.startswith("/storage/")
    ]


def test_a_clio_document_over_the_courts_limit_is_refused_without_a_download(lc: Any, tmp_path: Path) -> None:
    access, _refresh = connect_tokens(lc.endpoints)
    files = tmp_path / "clio"
    files.mkdir()
    big = files / "Trial Exhibits.pdf"
    make_big_pdf_file(big, 26 * MB + 300 * 1024)  # Riverside takes 25 MB per document
    small = files / "Declaration of Elena Alvarez.pdf"
    small.write_bytes(make_pdf("Declaration of Elena Alvarez", 2))
    transport = CountingTransport()

    async def body(h: Harness) -> None:
        async with ClioClient(lc.endpoints.clio.api_url, StaticTokens(access), transport=transport) as clio:
            uploaded = [await clio.upload(f, f.name, BRIGHTLINE_MATTER, "Matter") for f in (big, small)]
            folder = uploaded[0].parent_id
            assert folder is not None
            # The listing the Clio window shows, with the sizes it requests.
            listed = {i.name: i async for page in clio.folder_items(folder) for i in page}
            sources = [ClioSource(listed[f.name].id, f.name, size=listed[f.name].size) for f in (big, small)]
            assert sources[0].size == big.stat().st_size

            await h.catalog.load_court(h.client, "RIV")
            fill_case(h.wizard, "RIV")
            h.submission.close()
            h.submission = OrderSubmission(
                h.wizard,
                h.client,
                preparer=h.preparer,
                work_dir=tmp_path / "work",
                clio=ClioDownloads(lambda: clio),
            )
            before = len(transport.requests)
            too_big = h.wizard.add_document(sources[0], "DECL")
            fine = h.wizard.add_document(sources[1], "DECL")
            await h.submission.wait_idle()

            row = h.wizard.document(too_big)
            assert row.status is DocumentStatus.ERROR
            assert row.error == (
                "“Trial Exhibits.pdf” is 26.3 MB; the Superior Court of California, County of Riverside "
                "accepts documents up to 25 MB, so it was not downloaded from Clio. Split it into smaller "
                "files and add those."
            )
            assert h.wizard.document(fine).status is DocumentStatus.READY
            fine_id = sources[1].document_id
            assert _downloads(transport, before)[0] == f"GET /api/v4/documents/{fine_id}/download.json"
            assert len(_downloads(transport, before)) == 2, "the small one only: its 303, then storage"
            assert h.preparer.calls == [small.name]

            before = len(transport.requests)
            h.submission.retry(too_big)
            await h.submission.wait_idle()
            assert h.wizard.document(too_big).status is DocumentStatus.ERROR
            assert transport.requests[before:] == [], "refused again, without asking Clio anything"

    run(lc, tmp_path, body)
