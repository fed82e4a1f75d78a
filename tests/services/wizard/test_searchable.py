"""Make Searchable without a window: the real intake and OCR, the LegalConnect sandbox over HTTP."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from app.services.intake import DocumentConverter
from app.services.legalconnect.client import LegalConnectClient
from app.services.store import Store
from app.services.wizard.draft import ComputerSource, DocumentStatus, DraftDocument
from app.services.wizard.flow import OrderWizard
from app.services.wizard.intake_and_clio import IntakePreparer, SearchableScans
from app.services.wizard.rules import Catalog, ocr_scan_gone
from app.services.wizard.submission import OrderSubmission
from sandbox.seed.files import make_scanned_pdf
from tests.services.wizard.conftest import fill_case, until


def test_a_scan_whose_checked_copy_went_stays_as_it_was_and_says_why(
    sandbox_world: Any, tmp_path: Path
) -> None:
    sandbox_world.legalconnect_faults.update({"clerk_delay_s": 3600})
    scan = tmp_path / "files" / "Signed Declaration.pdf"
    scan.parent.mkdir()
    scan.write_bytes(make_scanned_pdf("Signed Declaration", 1))

    async def main() -> None:
        ep = sandbox_world.endpoints.legalconnect
        client = LegalConnectClient(ep.api_url, service_name="Pacific Crest")
        store = Store.open(tmp_path / "app.sqlite3")
        try:
            await client.sign_in(ep.demo_user.email, ep.demo_user.password)
            wizard = OrderWizard(
                await Catalog.load(client, ["LA"]), store=store, provider_name="Pacific Crest"
            )
            fill_case(wizard, "LA")
            submission = OrderSubmission(
                wizard,
                client,
                preparer=IntakePreparer(DocumentConverter.detect()),
                work_dir=tmp_path / "work",
                ocr=SearchableScans(),
            )
            try:
                doc = wizard.document(wizard.add_document(ComputerSource(scan), "DECL"))
                await until(wizard, lambda: not doc.status.working)
                assert doc.status is DocumentStatus.READY and doc.scanned and doc.remote_uploaded

                # The app stopped and the temporary files were cleared: the row says so, unchanged.
                assert doc.pdf_path is not None
                doc.pdf_path.unlink()
                remote, sha = doc.remote_document_id, doc.sha256
                assert submission.make_searchable(doc.local_id)
                await until(wizard, lambda: not doc.status.working)
                assert doc.status is DocumentStatus.READY and doc.scanned
                assert doc.ocr_problem == ocr_scan_gone("Signed Declaration.pdf")
                assert (doc.remote_document_id, doc.sha256, doc.remote_uploaded) == (remote, sha, True)

                # What the row says survives a restart with the draft.
                again = DraftDocument.from_json(doc.to_json())
                assert (again.scanned, again.ocr_problem) == (True, doc.ocr_problem)
            finally:
                submission.close()
        finally:
            store.close()
            await client.aclose()

    asyncio.run(main())
