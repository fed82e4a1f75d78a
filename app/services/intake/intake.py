"""From a file the user picked (or Clio sent) to a court-ready PDF, or a refusal that says why.

    result = await prepare(path, "Motion.docx", limits=court, word_copy_required=False,
                           converter=DocumentConverter.detect(), workdir=workdir, on_stage=row.show)

Each document gets a private directory of its own inside `workdir`; a refusal removes it at once,
`Ready.discard()` once the document is uploaded or dropped. Blocking work (reading, hashing, PDF
parsing, image conversion) runs in worker threads, LibreOffice in a child process, so the event
loop stays free; `on_stage` is always called on the event loop's thread.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from app.services.intake import messages
from app.services.intake.files import copy_private, private_dir, size_and_sha256
from app.services.intake.libreoffice import ConversionJob
from app.services.intake.names import court_file_name, disk_name
from app.services.intake.pdfcheck import check_pdf, size_refusal
from app.services.intake.pdfrepair import repaired_notice, rewrite
from app.services.intake.records import (
    CourtLimits,
    Notice,
    NoticeKind,
    Prepared,
    Ready,
    Refusal,
    RefusalKind,
    Stage,
    quoted,
)
from app.services.intake.sniff import CONVERTIBLE_KINDS, IMAGE_KINDS, SUFFIXES, Kind, Sniffed, sniff

log = logging.getLogger(__name__)

WORD_COPY_KINDS = frozenset({Kind.DOCX, Kind.DOC, Kind.RTF})
"""What courts take as the editable copy of a proposed order (Word opens all three)."""


class Converter(Protocol):
    """Converts several files to PDF at once (`DocumentConverter` is the real one)."""

    async def convert(self, jobs: Sequence[ConversionJob], workdir: Path) -> list[Refusal | None]:
        """None for each job whose PDF is now at `job.output`, else why it could not be converted."""
        ...


@dataclass(frozen=True)
class IntakeItem:
    """One file to prepare: where it is, the name the user knows it by, and its document type's needs."""

    source: Path
    display_name: str
    word_copy_required: bool = False


@dataclass
class _Work:
    item: IntakeItem
    directory: Path
    sniffed: Sniffed = field(default_factory=lambda: Sniffed(Kind.UNKNOWN))
    copy: Path | None = None
    notices: list[Notice] = field(default_factory=list)


async def prepare(
    source: Path,
    display_name: str,
    *,
    limits: CourtLimits,
    word_copy_required: bool,
    converter: Converter,
    workdir: Path,
    on_stage: Callable[[Stage], None],
) -> Prepared:
    """Check (and if need be convert) one file; `Ready` with a court-ready PDF, or `Refused`."""
    results = await prepare_many(
        [IntakeItem(source, display_name, word_copy_required)],
        limits=limits,
        converter=converter,
        workdir=workdir,
        on_stage=lambda _index, stage: on_stage(stage),
    )
    return results[0]


async def prepare_many(
    items: Sequence[IntakeItem],
    *,
    limits: CourtLimits,
    converter: Converter,
    workdir: Path,
    on_stage: Callable[[int, Stage], None],
    on_result: Callable[[int, Prepared], None] | None = None,
) -> list[Prepared]:
    """Prepare several files at once, converting all that need it in one converter run.

    `on_stage(index, stage)` follows each item; `on_result(index, result)` fires as soon as an
    item is decided (PDFs before the conversions finish), and the list returns them all in order.
    """
    results: dict[int, Prepared] = {}
    works: dict[int, _Work] = {}

    def decide(index: int, result: Prepared) -> None:
        results[index] = result
        if isinstance(result, Ready):
            on_stage(index, Stage.READY)
        else:
            shutil.rmtree(works[index].directory, ignore_errors=True)
        if on_result is not None:
            on_result(index, result)

    try:
        to_convert: list[int] = []
        for index, item in enumerate(items):
            on_stage(index, Stage.CHECKING)
            work = works[index] = _Work(item, await asyncio.to_thread(private_dir, workdir, "document-"))
            try:
                await _admit(work, limits)
            except Refusal as refusal:
                decide(index, refusal.refused())
                continue
            if work.sniffed.kind is Kind.PDF:
                decide(index, await _finish(work, work.copy, limits))
            else:
                to_convert.append(index)
        if to_convert:
            jobs = [_job(works[i]) for i in to_convert]
            for index in to_convert:
                on_stage(index, Stage.CONVERTING)
            converted = await converter.convert(jobs, workdir)
            for index, job, failure in zip(to_convert, jobs, converted, strict=True):
                if failure is not None:
                    decide(index, failure.refused())
                else:
                    on_stage(index, Stage.CHECKING)
                    decide(index, await _finish(works[index], job.output, limits))
    except BaseException:
        # Cancelled (the document was removed, the wizard closed) or a bug: leave nothing behind.
        for work in works.values():
            shutil.rmtree(work.directory, ignore_errors=True)
        raise
    return [results[i] for i in range(len(items))]


async def _admit(work: _Work, limits: CourtLimits) -> None:
    """Identify the file and take a private copy of it, or raise the refusal for its type."""
    item = work.item
    try:
        work.sniffed = await asyncio.to_thread(sniff, item.source)
        kind = work.sniffed.kind
        garbage = messages.content_refusal(kind, item.display_name)
        if garbage is not None:
            raise garbage
        if kind in (Kind.PDF, Kind.TEXT):
            # Refuse an oversize file before spending time copying it (text only grows as a PDF,
            # and the converter reads it whole).
            size = (await asyncio.to_thread(item.source.stat)).st_size
            if size > limits.max_document_bytes:
                raise size_refusal(item.display_name, size, limits)
        elif kind not in CONVERTIBLE_KINDS:
            raise messages.refusal_for_kind(kind, item.display_name)
        work.copy = await asyncio.to_thread(
            copy_private, item.source, work.directory, f"source{SUFFIXES[kind]}"
        )
    except OSError as exc:
        log.info("cannot read %s: %s", item.display_name, exc)
        raise Refusal(
            RefusalKind.UNREADABLE,
            f"{quoted(item.display_name)} could not be read ({exc.strerror or exc}). "
            "Check that it still exists and that you may open it, then add it again.",
        ) from exc
    mismatch = messages.type_mismatch(kind, item.display_name)
    if mismatch is not None:
        work.notices.append(mismatch)


def _job(work: _Work) -> ConversionJob:
    assert work.copy is not None
    return ConversionJob(
        source=work.copy,
        kind=work.sniffed.kind,
        display_name=work.item.display_name,
        output=work.directory / "converted.pdf",
        encoding=work.sniffed.encoding,
    )


async def _finish(work: _Work, pdf: Path | None, limits: CourtLimits) -> Prepared:
    """Check the PDF, name it for the court, keep the Word copy if wanted: `Ready` or `Refused`."""
    assert pdf is not None
    item, kind = work.item, work.sniffed.kind
    try:
        clean = await asyncio.to_thread(rewrite, pdf, work.directory / "clean.pdf", item.display_name)
        await asyncio.to_thread(pdf.unlink, True)
        pdf = clean.path
        report = await asyncio.to_thread(check_pdf, pdf, item.display_name, limits)
    except Refusal as refusal:
        return refusal.refused()
    if clean.repaired:
        work.notices.append(repaired_notice(item.display_name))
    keep_word = item.word_copy_required and kind in WORD_COPY_KINDS
    longest_suffix = max(".pdf", SUFFIXES[kind], key=len) if keep_word else ".pdf"
    fixed, renamed = court_file_name(
        item.display_name, limits.max_file_name_length, longest_suffix=longest_suffix
    )
    notices = [*work.notices, *([renamed] if renamed else []), *report.notices]
    if kind in IMAGE_KINDS:
        notices = [_image_notice(n, item.display_name) for n in notices]
    if item.word_copy_required and not keep_word:
        notices.append(messages.word_copy_missing(kind, item.display_name))
    final = work.directory / disk_name(fixed)
    await asyncio.to_thread(pdf.replace, final)
    word_copy = None
    if keep_word:
        assert work.copy is not None
        word_copy = work.directory / disk_name(Path(fixed).stem + SUFFIXES[kind])
        await asyncio.to_thread(work.copy.replace, word_copy)
    elif work.copy is not None and work.copy != final:
        await asyncio.to_thread(work.copy.unlink, True)
    size, sha256 = await asyncio.to_thread(size_and_sha256, final)
    return Ready(final, word_copy, report.pages, size, sha256, tuple(notices), fixed)


def _image_notice(notice: Notice, display_name: str) -> Notice:
    """An image never has searchable text; say so plainly instead of calling it a scan."""
    if notice.kind is not NoticeKind.NO_TEXT_LAYER:
        return notice
    return Notice(
        NoticeKind.NO_TEXT_LAYER,
        f"{quoted(display_name)} is an image, so its PDF has no searchable text. California courts ask "
        "for text-searchable PDFs when feasible; Make Searchable adds the text with OCR.",
    )
