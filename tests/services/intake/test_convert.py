"""Conversions to PDF with the converters this machine has (LibreOffice, Pillow) and without them."""

from __future__ import annotations

import asyncio
import codecs
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.services.intake import (
    ConversionJob,
    DocumentConverter,
    IntakeItem,
    Kind,
    LibreOffice,
    MicrosoftWord,
    NoticeKind,
    Prepared,
    Ready,
    Refusal,
    RefusalKind,
    prepare,
    prepare_many,
    word_installed,
)
from app.services.intake.convert import _word_convert
from sandbox.seed.files import make_docx, make_jpg, make_odt, make_pdf, make_png, make_rtf
from tests.services.intake import craft
from tests.services.intake.conftest import SAN_DIEGO, ready, refused

Add = Callable[..., Prepared]


def _text(result: Ready) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(result.pdf_path).pages)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("Complaint.docx", make_docx("Complaint for Damages", 2), "Complaint for Damages"),
        ("Motion.rtf", make_rtf("Motion in Limine", 1), "Renée Faß"),
        ("Brief.odt", make_odt("Opening Brief", 1), "Opening Brief"),
        (
            "Notes.txt",
            "Call re: Zürich deposition — 9 am “sharp”\n".encode(),
            "Zürich deposition — 9 am “sharp”",
        ),
        ("Legacy.txt", "Grüße aus Köln, Renée\r\n".encode("cp1252"), "Grüße aus Köln, Renée"),
        ("Notepad.txt", codecs.BOM_UTF16_LE + "Größe: 5 €\r\n".encode("utf-16-le"), "Größe: 5 €"),
    ],
    ids=["docx", "rtf", "odt", "txt-utf8", "txt-cp1252", "txt-utf16"],
)
def test_libreoffice_conversion_has_extractable_text(add: Add, name: str, data: bytes, expected: str) -> None:
    result = ready(add(name, data))
    assert expected in _text(result)
    assert result.fixed_name == Path(name).stem + ".pdf"
    assert result.word_copy_path is None


@pytest.fixture(scope="session")
def real_doc(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A genuine Word 97 .doc, made by LibreOffice from a DOCX."""
    work = tmp_path_factory.mktemp("doc")
    (work / "Answer.docx").write_bytes(make_docx("Verified Answer", 1))
    binary = LibreOffice.find().binary
    assert binary is not None
    profile = (work / "profile").as_uri()
    subprocess.run(
        [
            str(binary),
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "doc",
            "--outdir",
            str(work),
            str(work / "Answer.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return (work / "Answer.doc").read_bytes()


def test_word_97_doc_is_sniffed_and_converted(add: Add, real_doc: bytes, tmp_path: Path) -> None:
    result = ready(add("Answer.doc", real_doc, word_copy_required=True))
    assert "Verified Answer" in _text(result)
    assert result.word_copy_path is not None
    assert result.word_copy_path.name == "Answer.doc"
    assert result.word_copy_path.read_bytes() == real_doc


@pytest.mark.parametrize(
    ("name", "data"), [("Invoice.png", make_png("Invoice")), ("Photo.jpg", make_jpg("Site"))]
)
def test_images_become_letter_pages(add: Add, name: str, data: bytes) -> None:
    result = ready(add(name, data))
    page = PdfReader(result.pdf_path).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)
    assert [n.kind for n in result.warnings] == [NoticeKind.NO_TEXT_LAYER]


def test_multi_page_tiff_keeps_every_page(add: Add) -> None:
    import io

    from PIL import Image

    frames = [Image.new("L", (300, 400), shade) for shade in (0, 128, 255)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:])
    assert ready(add("Scans.tif", buffer.getvalue())).pages == 3


def test_two_conversions_at_once_do_not_collide(tmp_path: Path, workdir: Path) -> None:
    office = LibreOffice.find()
    jobs = []
    for number in range(2):
        source = tmp_path / f"doc{number}.docx"
        source.write_bytes(make_docx(f"Parallel Document {number}", 1))
        jobs.append(ConversionJob(source, Kind.DOCX, source.name, tmp_path / f"doc{number}.pdf"))

    async def both() -> list[list[Refusal | None]]:
        return await asyncio.gather(office.convert(jobs[:1], workdir), office.convert(jobs[1:], workdir))

    assert asyncio.run(both()) == [[None], [None]]
    for number, job in enumerate(jobs):
        assert f"Parallel Document {number}" in PdfReader(job.output).pages[0].extract_text()
    assert list(workdir.iterdir()) == [], "profiles and staging directories are removed"


def test_batch_converts_several_files_in_one_run(tmp_path: Path, workdir: Path) -> None:
    converter = DocumentConverter.detect()
    runs: list[int] = []
    real = converter.libreoffice.convert

    async def counting(jobs: Sequence[ConversionJob], where: Path) -> list[Refusal | None]:
        runs.append(len(jobs))
        return await real(jobs, where)

    converter.libreoffice.convert = counting  # type: ignore[method-assign]
    files = {"A.docx": make_docx("Alpha", 1), "B.rtf": make_rtf("Bravo", 1), "C.pdf": make_pdf("Charlie", 1)}
    files["D.docx"] = craft.docx_without_document()
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    decided: list[int] = []
    results = asyncio.run(
        prepare_many(
            [IntakeItem(tmp_path / n, n) for n in files],
            limits=SAN_DIEGO,
            converter=converter,
            workdir=workdir,
            on_stage=lambda _i, _s: None,
            on_result=lambda index, _r: decided.append(index),
        )
    )
    assert runs == [2]
    assert [type(r).__name__ for r in results] == ["Ready", "Ready", "Ready", "Refused"]
    assert decided == [2, 3, 0, 1], "the PDF and the refusal are decided before the conversion ends"


def test_file_libreoffice_cannot_open(add: Add) -> None:
    result = refused(add("Broken.doc", craft.compound_file("WordDocument")))
    assert result.kind is RefusalKind.CONVERSION_FAILED
    assert result.reason == (
        "“Broken.doc” could not be converted to PDF: LibreOffice could not open it. It may be damaged; "
        "open it, save it as PDF yourself, and add the PDF."
    )


class _NoWord(MicrosoftWord):
    @property
    def available(self) -> bool:
        return False


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "Brief.docx",
            make_docx("Brief", 1),
            "“Brief.docx” is a Word document. To convert it, install LibreOffice (libreoffice.org) or "
            "Microsoft Word, or save it as PDF yourself.",
        ),
        (
            "Brief.odt",
            make_odt("Brief", 1),
            "“Brief.odt” is an OpenDocument text file. To convert it, install LibreOffice (libreoffice.org), "
            "or save it as PDF yourself.",
        ),
    ],
)
def test_no_converter_installed(tmp_path: Path, workdir: Path, name: str, data: bytes, message: str) -> None:
    converter = DocumentConverter(LibreOffice.find(tmp_path / "missing" / "soffice"), word=_NoWord())
    (tmp_path / name).write_bytes(data)
    result = asyncio.run(
        prepare(
            tmp_path / name,
            name,
            limits=SAN_DIEGO,
            word_copy_required=False,
            converter=converter,
            workdir=workdir,
            on_stage=lambda _s: None,
        )
    )
    assert (refused(result).kind, refused(result).reason) == (RefusalKind.NO_CONVERTER, message)


def test_images_convert_without_libreoffice(tmp_path: Path, workdir: Path) -> None:
    converter = DocumentConverter(LibreOffice(None), word=_NoWord())
    job = ConversionJob(tmp_path / "p.png", Kind.PNG, "p.png", tmp_path / "p.pdf")
    job.source.write_bytes(make_png("Exhibit"))
    assert asyncio.run(converter.convert([job], workdir)) == [None]


class _FakeWord(MicrosoftWord):
    """Word as it behaves where it exists: converts what it is given (here by copying a PDF)."""

    def __init__(self) -> None:
        self.converted: list[str] = []

    @property
    def available(self) -> bool:
        return True

    async def convert(self, jobs: Sequence[ConversionJob]) -> list[Refusal | None]:
        for job in jobs:
            self.converted.append(job.display_name)
            job.output.write_bytes(make_pdf(job.display_name, 1))
        return [None] * len(jobs)


def test_word_takes_word_files_and_libreoffice_the_rest(tmp_path: Path, workdir: Path) -> None:
    word = _FakeWord()
    converter = DocumentConverter(LibreOffice.find(), word=word)
    jobs = []
    for name, kind, data in [("a.docx", Kind.DOCX, make_docx("A", 1)), ("b.odt", Kind.ODT, make_odt("B", 1))]:
        (tmp_path / name).write_bytes(data)
        jobs.append(ConversionJob(tmp_path / name, kind, name, tmp_path / f"{name}.pdf"))
    assert asyncio.run(converter.convert(jobs, workdir)) == [None, None]
    assert word.converted == ["a.docx"]
    assert "B" in PdfReader(jobs[1].output).pages[0].extract_text()


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="Word may really be installed there")
def test_docx2pdf_without_word_is_a_clear_refusal(tmp_path: Path) -> None:
    assert not word_installed()
    job = ConversionJob(tmp_path / "a.docx", Kind.DOCX, "Motion.docx", tmp_path / "a.pdf")
    job.source.write_bytes(make_docx("A", 1))
    refusal = _word_convert(job)
    assert refusal is not None
    assert refusal.reason.startswith(
        "“Motion.docx” could not be converted to PDF: Microsoft Word could not open it."
    )


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for a hung soffice")
def test_a_hung_libreoffice_is_stopped(tmp_path: Path, workdir: Path) -> None:
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nsleep 60\n")
    fake.chmod(0o755)
    office = LibreOffice.find(fake, timeout=2.0, timeout_per_file=0.0)
    job = ConversionJob(tmp_path / "a.docx", Kind.DOCX, "Slow.docx", tmp_path / "a.pdf")
    job.source.write_bytes(make_docx("A", 1))
    [refusal] = asyncio.run(asyncio.wait_for(office.convert([job], workdir), 10))
    assert refusal is not None
    assert refusal.reason == (
        "“Slow.docx” took too long to convert to PDF (more than 2 seconds). Save it as PDF yourself and "
        "add the PDF."
    )
