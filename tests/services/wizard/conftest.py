"""Helpers for the order wizard tests: a catalog like the sandbox's, fakes for intake and Clio."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import stamina

from app.services.legalconnect.reference import CaseCategory, CaseType, Court, DocumentType
from app.services.wizard.draft import DocumentStatus
from app.services.wizard.flow import OrderWizard
from app.services.wizard.ports import Prepared, PrepareRequest, Refused
from app.services.wizard.rules import Catalog
from sandbox.seed.files import make_docx, make_pdf

MB = 2**20


@pytest.fixture(autouse=True)
def fast_retries():
    stamina.set_testing(True, attempts=2)
    yield
    stamina.set_testing(False)


def _court(court_id: str, county: str, doc_mb: int, order_mb: int, name_len: int, word: bool) -> Court:
    return Court(
        court_id,
        f"Superior Court of California, County of {county}",
        county,
        doc_mb * MB,
        order_mb * MB,
        name_len,
        250,
        100,
        word,
    )


def _types(word_copy: bool) -> tuple[DocumentType, ...]:
    return (
        DocumentType("MOTN", "Notice of Motion and Motion", 6000, True, True, False, False),
        DocumentType("DECL", "Declaration", 0, True, False, False, False),
        DocumentType("EXHB", "Exhibit", 0, False, False, True, False),
        DocumentType("PORD", "Proposed Order", 0, True, False, False, word_copy, proposed_order=True),
    )


@pytest.fixture
def catalog() -> Catalog:
    """A small catalog with the sandbox's figures for Los Angeles and San Diego."""
    return Catalog(
        courts=(
            _court("LA", "Los Angeles", 50, 100, 250, True),
            _court("SD", "San Diego", 35, 60, 50, False),
        ),
        categories=(
            CaseCategory(
                "civil_unlimited",
                "Civil Unlimited",
                (CaseType("contract_06", "Breach of Contract/Warranty (06)"),),
            ),
            CaseCategory("family", "Family Law", (CaseType("dvro", "Domestic Violence Restraining Order"),)),
        ),
        document_types={"LA": _types(True), "SD": _types(False)},
    )


def fill_case(wizard: OrderWizard, court: str = "LA") -> None:
    wizard.set_court(court)
    wizard.set_case_category("civil_unlimited")
    wizard.set_case_type("contract_06")
    wizard.set_case_title("Alvarez v. Harbor Freight Lines")


def write_pdf(folder: Path, name: str, pages: int = 2) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(make_pdf(Path(name).stem, pages))
    return path


def write_docx(folder: Path, name: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(make_docx(Path(name).stem, 1))
    return path


class FakePreparer:
    """Stands in for intake: a PDF passes as it is (whatever is inside), a .docx becomes a PDF
    (kept as the Word copy when asked), a name containing "unreadable" is refused. A file whose
    name is in `gates` waits until that gate opens."""

    def __init__(self) -> None:
        self.gates: dict[str, asyncio.Event] = {}
        self.calls: list[str] = []

    def hold(self, name: str) -> asyncio.Event:
        self.gates[name] = asyncio.Event()
        return self.gates[name]

    async def prepare(
        self, source: Path, request: PrepareRequest, on_stage: Callable[[DocumentStatus], None]
    ) -> Prepared | Refused:
        self.calls.append(source.name)
        on_stage(DocumentStatus.CHECKING)
        if source.name in self.gates:
            await self.gates[source.name].wait()
        if "unreadable" in source.name:
            return Refused(f"{source.name} is damaged or unreadable.")
        word_copy = None
        pdf = source
        if source.suffix == ".docx":
            on_stage(DocumentStatus.CONVERTING)
            pdf = write_pdf(request.work_dir, source.stem + ".pdf")
            word_copy = source if request.keep_word_copy else None
        data = pdf.read_bytes()
        return Prepared(pdf, 1, len(data), hashlib.sha256(data).hexdigest(), word_copy_path=word_copy)


class FakeClio:
    """Stands in for the Clio client: serves files from a dict of document id → bytes."""

    def __init__(self, files: dict[int, bytes]) -> None:
        self.files = files

    async def download(
        self, document_id: int, destination: Path, progress: Callable[[int, int], None] | None = None
    ) -> Path:
        data = self.files[document_id]
        await asyncio.to_thread(destination.write_bytes, data)
        if progress is not None:
            progress(len(data), len(data))
        return destination


class Tripwire(httpx.AsyncBaseTransport):
    """A real HTTP transport that can lose a request's answer, or cut it before it leaves."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.lose_answer: Callable[[httpx.Request], bool] = lambda _r: False
        self.cut_before: Callable[[httpx.Request], bool] = lambda _r: False
        self.around: Callable[[httpx.Request], Callable[[], None] | None] = lambda _r: None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.cut_before(request):
            raise httpx.ReadError("connection reset", request=request)
        undo = self.around(request)
        try:
            response = await self.inner.handle_async_request(request)
            if self.lose_answer(request):
                await response.aread()
                await response.aclose()
                raise httpx.ReadError("connection reset", request=request)
            if undo is not None:
                await response.aread()  # the fault must apply to the whole answer
            return response
        finally:
            if undo is not None:
                undo()

    async def aclose(self) -> None:
        await self.inner.aclose()


async def until(wizard: OrderWizard, predicate: Callable[[], bool], limit_s: float = 30.0) -> None:
    """Wait (on the wizard's events, not by sleeping) until `predicate()` holds."""
    changed = asyncio.Event()
    unsubscribe = wizard.events.subscribe(lambda _e: changed.set())
    try:
        async with asyncio.timeout(limit_s):
            while not predicate():
                await changed.wait()
                changed.clear()
    finally:
        unsubscribe()
