"""Turn Word, RTF, ODT, text and image files into PDFs, with whatever this computer has.

Microsoft Word (through docx2pdf) converts Word and RTF files where it is installed (Windows and
macOS), LibreOffice everything else and everything when Word is missing, Pillow the images. When
nothing can convert a file, the refusal says what to install. The app's converter sends every
LibreOffice job through one `LibreOfficeQueue`: documents added together share a run.
"""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageOps, ImageSequence
from pypdf import PdfWriter

from app.services.intake.batching import LibreOfficeQueue, OfficeRunner
from app.services.intake.libreoffice import ConversionJob, LibreOffice
from app.services.intake.records import Refusal, RefusalKind, quoted
from app.services.intake.sniff import IMAGE_KINDS, OFFICE_KINDS, Kind

log = logging.getLogger(__name__)

_WORD_READS = frozenset({Kind.DOCX, Kind.DOC, Kind.RTF})
_DPI = 200
_PAGE = (int(8.5 * _DPI), 11 * _DPI)  # US Letter, the only size California courts take
_MARGIN = _DPI // 2
_MAX_IMAGE_PAGES = 200


class MicrosoftWord:
    """Microsoft Word through docx2pdf: only on Windows and macOS, and only when Word is installed."""

    @property
    def available(self) -> bool:
        """Whether Word can be driven on this computer."""
        return word_installed()

    async def convert(self, jobs: Sequence[ConversionJob]) -> list[Refusal | None]:
        """Convert each job in turn (Word is one application; it converts one file at a time)."""
        return [await asyncio.to_thread(_word_convert, job) for job in jobs]


def word_installed() -> bool:
    """Whether Microsoft Word is there for docx2pdf to drive (it never is on Linux)."""
    if sys.platform == "darwin":
        return Path("/Applications/Microsoft Word.app").exists()
    if sys.platform == "win32":
        import winreg

        try:
            winreg.CloseKey(winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, r"Word.Application\CLSID"))
        except OSError:
            return False
        return True
    return False


def _word_convert(job: ConversionJob) -> Refusal | None:
    import docx2pdf

    try:
        if sys.platform == "win32":
            import pythoncom  # Word is driven over COM, which each thread must initialise

            pythoncom.CoInitialize()
        docx2pdf.convert(str(job.source), str(job.output))
        with job.output.open("rb") as fh:
            if fh.read(5) == b"%PDF-":
                job.output.chmod(0o600)
                return None
    except Exception as exc:
        # Word reports failures through COM/AppleScript errors of every type (and docx2pdf raises
        # NotImplementedError where Word cannot exist): each one means "Word could not convert it".
        log.info("Word could not convert %s: %s: %s", job.display_name, type(exc).__name__, exc)
    return Refusal(
        RefusalKind.CONVERSION_FAILED,
        f"{quoted(job.display_name)} could not be converted to PDF: Microsoft Word could not open it. "
        "Open it, save it as PDF yourself, and add the PDF.",
    )


def image_to_pdf(job: ConversionJob) -> Refusal | None:
    """Each frame of the image centred on a Letter page with half-inch margins, scaled to fit."""
    name = quoted(job.display_name)
    try:
        with Image.open(job.source) as image:
            pages = []
            for number, frame in enumerate(ImageSequence.Iterator(image)):
                if number >= _MAX_IMAGE_PAGES:
                    raise Refusal(
                        RefusalKind.CONVERSION_FAILED,
                        f"{name} has more than {_MAX_IMAGE_PAGES} pages; split it or save it as PDF "
                        "yourself.",
                    )
                pages.append(_page_pdf(frame))
    except Refusal as refusal:
        return refusal
    except Image.DecompressionBombError:
        return Refusal(
            RefusalKind.CONVERSION_FAILED,
            f"{name} is too large an image to convert (more than {_max_megapixels()} megapixels). "
            "Scale it down or save it as PDF yourself.",
        )
    except Exception as exc:
        # Pillow raises many kinds of errors for broken image data (OSError, SyntaxError,
        # ValueError…); all mean that this image cannot be read.
        log.info("image %s unreadable: %s: %s", job.display_name, type(exc).__name__, exc)
        return Refusal(
            RefusalKind.CONVERSION_FAILED,
            f"{name} is a damaged image and could not be converted to PDF. Open it, save it again, "
            "and add the new file.",
        )
    writer = PdfWriter()
    for page in pages:
        writer.append(io.BytesIO(page))
    with job.output.open("wb") as out:
        writer.write(out)
    job.output.chmod(0o600)
    return None


def _page_pdf(frame: Image.Image) -> bytes:
    """One frame as a one-page PDF (one frame in memory at a time, however many the file has)."""
    picture = ImageOps.exif_transpose(frame)
    mode = "L" if picture.mode in ("1", "L", "LA", "I;16", "I") else "RGB"
    if picture.mode in ("P", "PA", "RGBA", "LA") or "transparency" in picture.info:
        # Transparent areas become white paper, not black.
        rgba = picture.convert("RGBA")
        picture = Image.new("RGB", rgba.size, "white")
        picture.paste(rgba, mask=rgba.getchannel("A"))
    picture = picture.convert(mode)
    box_w, box_h = _PAGE[0] - 2 * _MARGIN, _PAGE[1] - 2 * _MARGIN
    scale = min(box_w / picture.width, box_h / picture.height)
    size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    picture = picture.resize(size, Image.Resampling.LANCZOS)
    page = Image.new(mode, _PAGE, "white")
    page.paste(picture, ((_PAGE[0] - size[0]) // 2, (_PAGE[1] - size[1]) // 2))
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=float(_DPI))
    return buffer.getvalue()


def _max_megapixels() -> int:
    return 2 * (Image.MAX_IMAGE_PIXELS or 0) // 1_000_000


class DocumentConverter:
    """Every converter this computer has, and which one takes which file."""

    def __init__(self, libreoffice: OfficeRunner, word: MicrosoftWord | None = None) -> None:
        self.libreoffice = libreoffice
        self.word = word if word is not None else MicrosoftWord()

    @classmethod
    def detect(cls, soffice: str | Path | None = None) -> DocumentConverter:
        """The converters found on this computer (`soffice`: a configured LibreOffice program),
        LibreOffice behind a queue that batches the runs of everything converted at once."""
        return cls(LibreOfficeQueue(LibreOffice.find(soffice)))

    async def convert(self, jobs: Sequence[ConversionJob], workdir: Path) -> list[Refusal | None]:
        """Convert all `jobs`, the LibreOffice ones in one run; None for each job now at its output."""
        results: dict[int, Refusal | None] = {}
        word_ok = any(j.kind in _WORD_READS for j in jobs) and self.word.available
        word = [i for i, j in enumerate(jobs) if word_ok and j.kind in _WORD_READS]
        office = [i for i, j in enumerate(jobs) if j.kind in OFFICE_KINDS and i not in word]
        for i, job in enumerate(jobs):
            if job.kind in IMAGE_KINDS:
                results[i] = await asyncio.to_thread(image_to_pdf, job)
            elif job.kind not in OFFICE_KINDS:
                raise ValueError(f"{job.kind} is not a type that converts to PDF")
        if office and not self.libreoffice.available:
            results.update({i: no_converter(jobs[i]) for i in office})
        elif office:
            done = await self.libreoffice.convert([jobs[i] for i in office], workdir)
            results.update(zip(office, done, strict=True))
        if word:
            results.update(zip(word, await self.word.convert([jobs[i] for i in word]), strict=True))
        return [results[i] for i in range(len(jobs))]


def no_converter(job: ConversionJob) -> Refusal:
    """The refusal for a file nothing on this computer can convert, saying what to install."""
    programs = (
        "LibreOffice (libreoffice.org) or Microsoft Word"
        if job.kind in _WORD_READS
        else "LibreOffice (libreoffice.org)"
    )
    return Refusal(
        RefusalKind.NO_CONVERTER,
        f"{quoted(job.display_name)} is {job.kind.label}. To convert it, install {programs}, "
        "or save it as PDF yourself.",
    )
