"""Word files added to an order together go through one LibreOffice run (real intake, real
LibreOffice behind a logging launcher), and upload to the LegalConnect sandbox over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.services.intake import DocumentConverter, LibreOfficeQueue
from app.services.wizard.draft import ComputerSource, DocumentStatus
from app.services.wizard.events import DocumentChanged, WizardEvent
from app.services.wizard.flow import OrderWizard
from app.services.wizard.intake_and_clio import IntakePreparer
from app.services.wizard.submission import OrderSubmission
from tests.services.intake.soffice import LoggedSoffice, Watched
from tests.services.wizard.conftest import write_docx
from tests.services.wizard.test_submission import Harness, run


@pytest.fixture
def lc(sandbox_world: Any) -> Any:
    sandbox_world.legalconnect_faults.update({"clerk_delay_s": 3600})
    return sandbox_world


class Converting:
    """The harness's submission rebuilt over the real intake, LibreOffice being `soffice`; and
    every status each row went through."""

    def __init__(self, h: Harness, soffice: LoggedSoffice, wizard: OrderWizard | None = None) -> None:
        self.h, self.soffice = h, soffice
        self.wizard = wizard or h.wizard
        self.office = Watched(soffice.office())
        # A generous quiet spell: these tests are about batching, not about the spell's length.
        converter = DocumentConverter(LibreOfficeQueue(self.office, gather=0.5))
        h.submission.close()
        self.submission = h.submission = OrderSubmission(
            self.wizard,
            h.client,
            preparer=IntakePreparer(converter, lambda: "Superior Court of California, County of Los Angeles"),
            work_dir=h.tmp / "work",
        )
        self.seen: dict[str, list[DocumentStatus]] = {}
        """Each row's statuses in turn, by local id."""
        self.ended_at: dict[tuple[str, DocumentStatus], int] = {}
        self.wizard.events.subscribe(self._on_event)

    def _on_event(self, event: WizardEvent) -> None:
        if isinstance(event, DocumentChanged):
            doc = self.wizard.document(event.local_id)
            statuses = self.seen.setdefault(doc.local_id, [])
            if not statuses or statuses[-1] is not doc.status:
                statuses.append(doc.status)
                self.ended_at.setdefault((doc.local_id, doc.status), self.soffice.ended())

    def add_docx(self, *names: str, code: str = "DECL") -> list[str]:
        return [
            self.wizard.add_document(ComputerSource(write_docx(self.h.tmp / "files", name)), code)
            for name in names
        ]


def test_word_files_added_together_convert_in_one_run_and_each_row_shows_its_stages(
    lc: Any, tmp_path: Path
) -> None:
    soffice = LoggedSoffice(tmp_path / "lo")

    async def body(h: Harness) -> None:
        c = Converting(h, soffice)
        motion = h.wizard.add_document(h.file("Motion.pdf"), "MOTN")
        words = c.add_docx(
            "Declaration of Elena Alvarez.docx", "Declaration of Counsel.docx", "Exhibit List.docx"
        )
        await c.submission.wait_idle()
        assert soffice.runs() == [3]
        assert [d.status for d in h.wizard.draft.documents] == [DocumentStatus.READY] * 4
        for local_id in words:
            assert c.seen[local_id] == [
                DocumentStatus.CHECKING,
                DocumentStatus.CONVERTING,
                DocumentStatus.CHECKING,
                DocumentStatus.UPLOADING,
                DocumentStatus.READY,
            ]
        assert c.ended_at[(motion, DocumentStatus.UPLOADING)] == 0, "the PDF did not wait"
        order = await h.client.order(h.wizard.draft.remote_order_id or 0)
        assert sorted(d.name for d in order.documents) == [
            "Declaration of Counsel.pdf",
            "Declaration of Elena Alvarez.pdf",
            "Exhibit List.pdf",
            "Motion.pdf",
        ]

    run(lc, tmp_path, body)


def test_a_row_removed_while_its_batch_converts_leaves_the_others_ready(lc: Any, tmp_path: Path) -> None:
    soffice = LoggedSoffice(tmp_path / "lo")

    async def body(h: Harness) -> None:
        c = Converting(h, soffice)
        first, removed, last = c.add_docx("Motion.docx", "Withdrawn Declaration.docx", "Reply.docx")
        await c.office.started.wait()
        h.wizard.remove_document(removed)
        await c.submission.wait_idle()
        assert len(soffice.runs()) == 1
        assert [d.status for d in h.wizard.draft.documents] == [DocumentStatus.READY] * 2
        order = await h.client.order(h.wizard.draft.remote_order_id or 0)
        assert sorted(d.name for d in order.documents) == ["Motion.pdf", "Reply.pdf"]
        work = tmp_path / "work"
        assert not [p for p in (work / removed).rglob("*") if p.is_file()], "nothing of the removed row"
        assert {first, last} <= {p.name for p in work.iterdir()}

    run(lc, tmp_path, body)


def test_a_resumed_draft_converts_its_pending_word_files_in_one_run(lc: Any, tmp_path: Path) -> None:
    soffice = LoggedSoffice(tmp_path / "lo")

    async def body(h: Harness) -> None:
        h.submission.close()  # the app stopped before any work began
        for name in ("Motion.docx", "Declaration.docx", "Proposed Order.docx"):
            h.wizard.add_document(ComputerSource(write_docx(tmp_path / "files", name)), "DECL")
        h.wizard.flush()
        resumed = OrderWizard.restore(h.store, h.wizard.draft.id, h.catalog, provider_name="Pacific Crest")
        c = Converting(h, soffice, resumed)
        c.submission.start()
        await c.submission.wait_idle()
        assert soffice.runs() == [3]
        assert [d.status for d in resumed.draft.documents] == [DocumentStatus.READY] * 3

    run(lc, tmp_path, body)


def test_when_libreoffice_dies_every_row_ends_in_error_and_retry_converts_them(
    lc: Any, tmp_path: Path
) -> None:
    soffice = LoggedSoffice(tmp_path / "lo")
    soffice.crash_all = True

    async def body(h: Harness) -> None:
        c = Converting(h, soffice)
        motion = h.wizard.add_document(h.file("Motion.pdf"), "MOTN")
        words = c.add_docx("Declaration.docx", "Reply.docx")
        await c.submission.wait_idle()
        assert soffice.runs() == [2, 1, 1], "the failed batch was tried again one file at a time"
        assert h.wizard.document(motion).status is DocumentStatus.READY
        for local_id, name in zip(words, ("Declaration.docx", "Reply.docx"), strict=True):
            doc = h.wizard.document(local_id)
            assert doc.status is DocumentStatus.ERROR
            assert doc.error.startswith(f"“{name}” could not be converted to PDF"), doc.error
        assert not any(d.status.working for d in h.wizard.draft.documents)

        soffice.crash_all = False
        for local_id in words:
            c.submission.retry(local_id)
        await c.submission.wait_idle()
        assert [d.status for d in h.wizard.draft.documents] == [DocumentStatus.READY] * 3
        assert soffice.runs()[3:] == [2], "the retried rows went together again"

    run(lc, tmp_path, body)
