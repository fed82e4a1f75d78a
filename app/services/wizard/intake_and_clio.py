"""The real intake and Clio client behind the wizard's small ports (`ports.py`).

`IntakePreparer` turns intake's `Ready` / `Refused` into the wizard's `Prepared` / `Refused` and its
stages into row statuses; `SearchableScans` runs OCR with the Tesseract the settings point to (or
the one installed), looked for at each use, so one installed while the app runs is found;
`ClioDownloads` asks for the current Clio client at each download, so a
connection made after the wizard opened (or made again after Clio ended it) is the one used.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from app.services import intake
from app.services.clio.api import ClioClient
from app.services.clio.tokens import ClioConnectionEnded
from app.services.wizard.draft import DocumentStatus
from app.services.wizard.ports import ByteProgress, Prepared, PrepareRequest, Refused, SearchableFailed

_STAGES = {
    intake.Stage.CHECKING: DocumentStatus.CHECKING,
    intake.Stage.CONVERTING: DocumentStatus.CONVERTING,
}
"""Intake's READY is not passed on: the row is ready only once the upload is done."""


class IntakePreparer:
    """`FilePreparer` over `app.services.intake.prepare` with one converter for the whole app."""

    def __init__(
        self, converter: intake.Converter, court_name: Callable[[], str] = lambda: "the court"
    ) -> None:
        self.converter = converter
        self._court_name = court_name

    async def prepare(
        self, source: Path, request: PrepareRequest, on_stage: Callable[[DocumentStatus], None]
    ) -> Prepared | Refused:
        """Check (and convert) `source` inside `request.work_dir`; the stages go to `on_stage`."""
        limits = intake.CourtLimits(
            court_name=self._court_name(),
            max_document_bytes=request.max_document_bytes or 2**63,
            max_file_name_length=request.max_file_name_length or 255,
        )

        def stage(value: intake.Stage) -> None:
            status = _STAGES.get(value)
            if status is not None:
                on_stage(status)

        result = await intake.prepare(
            source,
            request.display_name,
            limits=limits,
            word_copy_required=request.keep_word_copy,
            converter=self.converter,
            workdir=request.work_dir,
            on_stage=stage,
        )
        if isinstance(result, intake.Refused):
            return Refused(result.reason)
        return Prepared(
            pdf_path=result.pdf_path,
            pages=result.pages,
            size=result.size,
            sha256=result.sha256,
            word_copy_path=result.word_copy_path,
            warnings=tuple(n.message for n in result.warnings),
            fixed_name=result.fixed_name if result.fixed_name != request.display_name else None,
            scanned=any(n.kind is intake.NoticeKind.NO_TEXT_LAYER for n in result.warnings),
        )


class SearchableScans:
    """`TextRecognizer` over intake's OCR; `tesseract_path()` is the configured location ("": look)."""

    def __init__(self, tesseract_path: Callable[[], str] = lambda: "", *, jobs: int | None = None) -> None:
        self._tesseract_path = tesseract_path
        self._jobs = jobs

    async def make_searchable(
        self, pdf: Path, output: Path, display_name: str, pages: int, progress: ByteProgress
    ) -> None:
        """OCR `pdf` into `output` (see `app.services.intake.ocr`); raises `SearchableFailed`."""
        tesseract = await asyncio.to_thread(intake.find_tesseract, self._tesseract_path() or None)
        engine = intake.TextRecognition(tesseract, jobs=self._jobs)
        try:
            await engine.make_searchable(pdf, output, display_name, pages=pages, on_progress=progress)
        except intake.OcrFailed as failed:
            raise SearchableFailed(failed.message) from failed


class ClioDownloads:
    """`ClioFetcher` over whichever `ClioClient` is current (`client()` returns None when none is)."""

    def __init__(self, client: Callable[[], ClioClient | None]) -> None:
        self._client = client

    async def download(
        self, document_id: int, destination: Path, progress: ByteProgress | None = None
    ) -> Path:
        """Stream the Clio document's latest version to `destination` (a private work file)."""
        client = self._client()
        if client is None:
            raise ClioConnectionEnded("not_connected")
        return await client.download(document_id, destination, progress)
