"""What the submission service needs from intake and from Clio, as small protocols.

The composition root adapts the real intake (`app.services.intake`) and Clio client to these, so the
order flow depends on neither and tests can stand in simple fakes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.services.wizard.draft import DocumentStatus

ByteProgress = Callable[[int, int], None]
"""Called with (bytes done, bytes expected)."""


@dataclass(frozen=True)
class Prepared:
    """A court-ready PDF (and, when the court wants one, the Word copy kept beside it)."""

    pdf_path: Path
    pages: int
    size: int
    sha256: str
    word_copy_path: Path | None = None
    warnings: tuple[str, ...] = ()
    fixed_name: str | None = None
    """A file name the court accepts, when the original one would be refused."""
    scanned: bool = False
    """Its pages are images without text (one of `warnings` says so): OCR can make it searchable."""


@dataclass(frozen=True)
class Refused:
    """The file cannot be filed; `reason` says why and what to do, naming the file."""

    reason: str


@dataclass(frozen=True)
class PrepareRequest:
    display_name: str
    work_dir: Path
    """A private directory for this document's converted files."""
    keep_word_copy: bool
    """The court wants an editable Word copy too: keep the original Word file beside the PDF."""
    max_document_bytes: int | None = None
    max_file_name_length: int | None = None


class FilePreparer(Protocol):
    """Turns a local file into a checked, court-ready PDF (intake)."""

    async def prepare(
        self, source: Path, request: PrepareRequest, on_stage: Callable[[DocumentStatus], None]
    ) -> Prepared | Refused:
        """Check (and convert) `source`; report CHECKING / CONVERTING through `on_stage`."""
        ...


class SearchableFailed(Exception):
    """OCR did not make the document searchable; `message` names the file and says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TextRecognizer(Protocol):
    """Adds a text layer to a scanned PDF (OCR), keeping its pages and page images."""

    async def make_searchable(
        self, pdf: Path, output: Path, display_name: str, pages: int, progress: ByteProgress
    ) -> None:
        """Write `pdf` with searchable text to `output`, reporting (pages done, pages); raises
        `SearchableFailed` (Tesseract missing, OCR failed) with nothing written."""
        ...


class ClioFetcher(Protocol):
    """Downloads a Clio document to a local path (the Clio client)."""

    async def download(
        self, document_id: int, destination: Path, progress: ByteProgress | None = None
    ) -> Path:
        """Stream the document's latest version to `destination`; return the path written."""
        ...
