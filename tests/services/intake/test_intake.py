"""The pipeline around the checks: stages, Word copies, private files, clean-up, the qasync loop."""

from __future__ import annotations

import asyncio
import hashlib
import stat
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from app.services.intake import (
    ConversionJob,
    NoticeKind,
    Prepared,
    Refusal,
    RefusalKind,
    Stage,
    create_private_file,
    prepare,
)
from sandbox.seed.files import make_docx, make_encrypted_pdf, make_odt, make_pdf, make_rtf
from tests.services.intake.conftest import SAN_DIEGO, ready, refused

Add = Callable[..., Prepared]
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")


def test_stages_of_a_pdf(add: Add) -> None:
    stages: list[Stage] = []
    ready(add("Summons.pdf", make_pdf("Summons", 1), stages=stages))
    assert stages == [Stage.CHECKING, Stage.READY]


def test_stages_of_a_conversion(add: Add) -> None:
    stages: list[Stage] = []
    ready(add("Motion.docx", make_docx("Motion", 1), stages=stages))
    assert stages == [Stage.CHECKING, Stage.CONVERTING, Stage.CHECKING, Stage.READY]


def test_refusal_has_no_ready_stage(add: Add) -> None:
    stages: list[Stage] = []
    refused(add("Locked.pdf", make_encrypted_pdf("Locked", 1), stages=stages))
    assert stages == [Stage.CHECKING]


def test_ready_records_size_hash_and_pages(add: Add) -> None:
    data = make_pdf("Proof of Service", 2)
    result = ready(add("Proof of Service.pdf", data))
    clean = result.pdf_path.read_bytes()  # the rewritten copy is what is uploaded
    assert clean.startswith(b"%PDF-") and clean.rstrip().endswith(b"%%EOF")
    assert (result.pages, result.size, result.sha256) == (2, len(clean), hashlib.sha256(clean).hexdigest())


def test_word_copy_kept_beside_the_pdf_when_required(add: Add) -> None:
    docx = make_docx("Proposed Order", 1)
    result = ready(add("Proposed Order.docx", docx, word_copy_required=True))
    assert result.word_copy_path == result.pdf_path.with_name("Proposed Order.docx")
    assert result.word_copy_path.read_bytes() == docx
    assert result.warnings == ()


def test_rtf_counts_as_a_word_copy(add: Add) -> None:
    result = ready(add("Proposed Order.rtf", make_rtf("Proposed Order", 1), word_copy_required=True))
    assert result.word_copy_path is not None
    assert result.word_copy_path.name == "Proposed Order.rtf"


def test_word_copy_not_kept_when_not_required(add: Add) -> None:
    result = ready(add("Motion.docx", make_docx("Motion", 1)))
    assert result.word_copy_path is None
    assert [p.name for p in result.pdf_path.parent.iterdir()] == ["Motion.pdf"]


@pytest.mark.parametrize(
    ("name", "data", "label"),
    [
        ("Proposed Order.pdf", make_pdf("Proposed Order", 1), "a PDF"),
        ("Order.odt", make_odt("Order", 1), "an OpenDocument text file"),
    ],
)
def test_missing_word_copy_is_a_warning(add: Add, name: str, data: bytes, label: str) -> None:
    result = ready(add(name, data, word_copy_required=True))
    assert result.word_copy_path is None
    assert [(n.kind, n.message) for n in result.warnings] == [
        (
            NoticeKind.WORD_COPY_MISSING,
            f"This document type also needs an editable Word copy, and “{name}” is {label}. "
            "Add the Word version of it too.",
        )
    ]


@posix_only
def test_files_are_private_and_discard_removes_them(add: Add, workdir: Path) -> None:
    result = ready(add("Proposed Order.docx", make_docx("Proposed Order", 1), word_copy_required=True))
    assert result.word_copy_path is not None
    assert stat.S_IMODE(result.pdf_path.parent.stat().st_mode) == 0o700
    for path in (result.pdf_path, result.word_copy_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in result.pdf_path.parent.iterdir()) == [
        "Proposed Order.docx",
        "Proposed Order.pdf",
    ]
    result.discard()
    assert list(workdir.iterdir()) == []


@posix_only
def test_private_download_file(tmp_path: Path) -> None:
    path, out = create_private_file(tmp_path, "Clio: Medical/Records.pdf")
    with out:
        out.write(b"%PDF-")
    second, out2 = create_private_file(tmp_path, "Clio: Medical/Records.pdf")
    out2.close()
    assert (path.name, second.name) == ("Clio_ Medical_Records.pdf", "Clio_ Medical_Records (2).pdf")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_missing_source_is_refused(tmp_path: Path, workdir: Path) -> None:
    class Unused:
        async def convert(self, jobs: Sequence[ConversionJob], workdir: Path) -> list[Refusal | None]:
            raise AssertionError("nothing to convert")

    result = asyncio.run(
        prepare(
            tmp_path / "gone.pdf",
            "Gone.pdf",
            limits=SAN_DIEGO,
            word_copy_required=False,
            converter=Unused(),
            workdir=workdir,
            on_stage=lambda _s: None,
        )
    )
    assert refused(result).kind is RefusalKind.UNREADABLE
    assert refused(result).reason == (
        "“Gone.pdf” could not be read (No such file or directory). Check that it still exists and that you "
        "may open it, then add it again."
    )
    assert list(workdir.iterdir()) == []


def test_cancelled_conversion_leaves_nothing(tmp_path: Path, workdir: Path) -> None:
    started = asyncio.Event()

    class Slow:
        async def convert(self, jobs: Sequence[ConversionJob], workdir: Path) -> list[Refusal | None]:
            started.set()
            await asyncio.sleep(60)
            raise AssertionError("cancelled before this")

    source = tmp_path / "Motion.docx"
    source.write_bytes(make_docx("Motion", 1))

    async def scenario() -> None:
        task = asyncio.create_task(
            prepare(
                source,
                "Motion.docx",
                limits=SAN_DIEGO,
                word_copy_required=False,
                converter=Slow(),
                workdir=workdir,
                on_stage=lambda _s: None,
            )
        )
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert list(workdir.iterdir()) == []


def test_runs_on_the_apps_qasync_loop(
    qloop: asyncio.AbstractEventLoop, qtbot, tmp_path: Path, workdir: Path
) -> None:  # type: ignore[no-untyped-def]
    from app.services.intake import DocumentConverter

    source = tmp_path / "Reply.rtf"
    source.write_bytes(make_rtf("Reply", 1))
    stages: list[Stage] = []
    task = qloop.create_task(
        prepare(
            source,
            "Reply.rtf",
            limits=SAN_DIEGO,
            word_copy_required=False,
            converter=DocumentConverter.detect(),
            workdir=workdir,
            on_stage=stages.append,
        )
    )
    qtbot.waitUntil(task.done, timeout=60_000)
    assert ready(task.result()).fixed_name == "Reply.pdf"
    assert stages[-1] is Stage.READY
