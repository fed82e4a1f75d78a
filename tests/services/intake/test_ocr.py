"""Making a scanned PDF searchable with the real OCRmyPDF and Tesseract, and what happens without them.

A fake `tesseract` is put first on PATH only to stand for a broken one; every other test runs the
real program (./dev installs it).
"""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from app.services.intake import MB, CourtLimits, NoticeKind, OcrFailed, TextRecognition, find_tesseract
from app.services.intake.pdfcheck import check_pdf
from sandbox.seed.files import make_scanned_pdf

LIMITS = CourtLimits("Superior Court of California, County of San Diego", 35 * MB, 50)


@pytest.fixture(scope="module")
def tesseract() -> Path:
    found = find_tesseract()
    assert found is not None, "Tesseract must be installed: ./dev installs it (tesseract-ocr)"
    return found


def images(page: DictionaryObject) -> int:
    """Image XObjects the page draws, directly or inside its forms (how a scan's page looks)."""
    count = 0
    resources = page.get("/Resources")
    for ref in (resources.get_object().get("/XObject") or {}).values() if resources else ():
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Image":
            count += 1
        elif xobject.get("/Subtype") == "/Form":
            count += images(xobject)
    return count


def fake_tesseract(folder: Path, *, fails_with: str) -> Path:
    """A `tesseract` that answers OCRmyPDF's version and language checks, then fails every page."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "tesseract"
    script.write_text(
        "#!/bin/sh\n"
        'case "$1" in\n'
        '  --version) echo "tesseract 5.3.0"; exit 0 ;;\n'
        '  --list-langs) echo "List of available languages (2):"; echo eng; echo osd; exit 0 ;;\n'
        "esac\n"
        f'echo "{fails_with}" >&2\n'
        "exit 1\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_a_scan_gets_searchable_text_and_keeps_its_pages_and_images(tmp_path: Path, tesseract: Path) -> None:
    scan = tmp_path / "Signed Declaration.pdf"
    scan.write_bytes(make_scanned_pdf("Signed Declaration", 2))
    before = PdfReader(scan)
    assert all(not page.extract_text().strip() for page in before.pages)
    assert NoticeKind.NO_TEXT_LAYER in {n.kind for n in check_pdf(scan, scan.name, LIMITS).notices}

    output = tmp_path / "searchable.pdf"
    progress: list[tuple[int, int]] = []
    engine = TextRecognition(tesseract)
    asyncio.run(
        engine.make_searchable(
            scan, output, scan.name, pages=2, on_progress=lambda d, t: progress.append((d, t))
        )
    )

    after = PdfReader(output)
    text = " ".join(page.extract_text() for page in after.pages)
    assert "SIGNED DECLARATION" in text.upper()
    assert len(after.pages) == len(before.pages)
    for old, new in zip(before.pages, after.pages, strict=True):
        assert (new.mediabox.width, new.mediabox.height) == (old.mediabox.width, old.mediabox.height)
        assert images(new) == images(old) == 1, "the page image is still there"
    assert progress[-1] == (2, 2) and progress == sorted(progress)
    # Checked again like any PDF, it no longer looks scanned.
    assert NoticeKind.NO_TEXT_LAYER not in {n.kind for n in check_pdf(output, scan.name, LIMITS).notices}


def test_without_tesseract_the_message_says_how_to_get_it(tmp_path: Path, monkeypatch) -> None:
    scan = tmp_path / "Signed Declaration.pdf"
    scan.write_bytes(make_scanned_pdf("Signed Declaration", 1))
    output = tmp_path / "searchable.pdf"

    # Not found at all: refused before anything starts.
    assert find_tesseract(tmp_path / "nowhere" / "tesseract") is None
    with pytest.raises(OcrFailed) as missing:
        asyncio.run(TextRecognition(None).make_searchable(scan, output, scan.name, pages=1))
    message = missing.value.message
    assert message.startswith("“Signed Declaration.pdf” cannot be made searchable: Tesseract OCR")
    for how in ("UB-Mannheim", "brew install tesseract", "tesseract-ocr", "Tesseract OCR program"):
        assert how in message

    # Gone by the time OCRmyPDF looks for it (uninstalled while the app runs): the same message.
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    gone = TextRecognition(tmp_path / "uninstalled" / "tesseract")
    with pytest.raises(OcrFailed) as vanished:
        asyncio.run(gone.make_searchable(scan, output, scan.name, pages=1))
    assert vanished.value.message == message
    assert not output.exists()


def test_when_tesseract_fails_nothing_is_written_and_the_message_names_the_file(tmp_path: Path) -> None:
    scan = tmp_path / "Signed Declaration.pdf"
    scan.write_bytes(make_scanned_pdf("Signed Declaration", 1))
    original = scan.read_bytes()
    output = tmp_path / "searchable.pdf"
    broken = fake_tesseract(tmp_path / "bin", fails_with="Error in pixReadStream: unknown format")
    with pytest.raises(OcrFailed) as failed:
        asyncio.run(TextRecognition(broken).make_searchable(scan, output, scan.name, pages=1))
    assert failed.value.message.startswith("“Signed Declaration.pdf” could not be made searchable (")
    assert failed.value.message.endswith("It stays as it was, without searchable text.")
    assert not output.exists() or output.read_bytes()[:5] != b"%PDF-"
    assert scan.read_bytes() == original


def test_a_file_ocr_cannot_open_is_refused_with_its_name(tmp_path: Path, tesseract: Path) -> None:
    broken = tmp_path / "Notice.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot really a PDF\n")
    with pytest.raises(OcrFailed) as failed:
        asyncio.run(
            TextRecognition(tesseract).make_searchable(broken, tmp_path / "o.pdf", "Notice.pdf", pages=1)
        )
    assert failed.value.message.startswith("“Notice.pdf” could not be made searchable (")


def test_cancelling_stops_the_ocr_process(tmp_path: Path, tesseract: Path) -> None:
    scan = tmp_path / "Long scan.pdf"
    scan.write_bytes(make_scanned_pdf("Long scan", 4))

    async def cancel_once_started() -> None:
        started = asyncio.Event()
        engine = TextRecognition(tesseract, jobs=1)
        task = asyncio.ensure_future(
            engine.make_searchable(
                scan, tmp_path / "o.pdf", scan.name, pages=4, on_progress=lambda _d, _t: started.set()
            )
        )
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    before = _worker_pids()
    asyncio.run(cancel_once_started())
    assert _worker_pids() <= before, "the OCR worker is gone"


def _worker_pids() -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"app.services.intake.ocr_worker" in command and int(entry.name) != os.getpid():
                found.add(int(entry.name))
    return found
