"""Documents prepared together share LibreOffice runs, never more than the computer can spare."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.services.intake import (
    ConversionJob,
    DocumentConverter,
    Kind,
    LibreOfficeQueue,
    Prepared,
    Ready,
    Refusal,
    RefusalKind,
    Stage,
    prepare,
    spare_runs,
)
from sandbox.seed.files import make_docx, make_pdf, make_rtf
from tests.services.intake.conftest import SAN_DIEGO, ready, refused
from tests.services.intake.soffice import CRASH_MARK, LoggedSoffice, Watched


def _text(result: Ready) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(result.pdf_path).pages)


class Desk:
    """Files written under `tmp/picked` and prepared, each on its own task, as the wizard does."""

    def __init__(self, tmp: Path, workdir: Path, converter: DocumentConverter) -> None:
        self.tmp, self.workdir, self.converter = tmp, workdir, converter
        self.stages: list[tuple[str, Stage]] = []
        self._changed = asyncio.Event()

    def start(self, name: str, data: bytes) -> asyncio.Task[Prepared]:
        source = self.tmp / "picked" / name
        source.parent.mkdir(exist_ok=True)
        source.write_bytes(data)
        return asyncio.get_running_loop().create_task(
            prepare(
                source,
                name,
                limits=SAN_DIEGO,
                word_copy_required=False,
                converter=self.converter,
                workdir=self.workdir,
                on_stage=lambda stage: self._stage(name, stage),
            )
        )

    def _stage(self, name: str, stage: Stage) -> None:
        self.stages.append((name, stage))
        self._changed.set()

    async def reached(self, name: str, stage: Stage) -> None:
        """Return once `name` has reported `stage`."""
        while (name, stage) not in self.stages:
            self._changed.clear()
            await self._changed.wait()


def _converter(soffice: LoggedSoffice, runs: int = 2) -> tuple[DocumentConverter, Watched]:
    # A generous quiet spell: on a busy test machine files prepared together may reach the
    # queue tens of milliseconds apart, and these tests are about what the queue does with them.
    watched = Watched(soffice.office())
    return DocumentConverter(LibreOfficeQueue(watched, runs=runs, gather=0.5)), watched


def test_documents_added_together_are_converted_by_one_process(tmp_path: Path, workdir: Path) -> None:
    soffice = LoggedSoffice(tmp_path / "lo")
    titles = [f"Declaration of Witness {n}" for n in range(1, 5)]
    pdf_ready_while_converting: list[bool] = []

    async def scenario() -> list[Prepared]:
        converter, _watched = _converter(soffice)
        desk = Desk(tmp_path, workdir, converter)
        tasks = [desk.start(f"Witness {n}.docx", make_docx(t, 1)) for n, t in enumerate(titles, 1)]
        tasks.insert(2, desk.start("Exhibit A.pdf", make_pdf("Exhibit A", 1)))
        pdf = tasks[2]
        await pdf
        pdf_ready_while_converting.append(soffice.ended() == 0)
        results = await asyncio.gather(*tasks)
        assert ("Witness 1.docx", Stage.CONVERTING) in desk.stages
        return results

    results = asyncio.run(scenario())
    assert soffice.runs() == [4], "one process converted the four Word files"
    assert pdf_ready_while_converting == [True], "the PDF did not wait for the Word files"
    converted = [_text(ready(r)) for i, r in enumerate(results) if i != 2]
    assert [[t for t in titles if t in text] for text in converted] == [[t] for t in titles], (
        "each row got its own PDF"
    )
    assert ready(results[2]).fixed_name == "Exhibit A.pdf"


def test_at_most_the_bound_run_at_once_and_late_arrivals_share_the_next_run(
    tmp_path: Path, workdir: Path
) -> None:
    soffice = LoggedSoffice(tmp_path / "lo")

    async def scenario() -> list[Prepared]:
        converter, watched = _converter(soffice, runs=1)
        desk = Desk(tmp_path, workdir, converter)
        first = [desk.start(f"First {n}.docx", make_docx(f"First {n}", 1)) for n in range(2)]
        await watched.started.wait()  # the first run is under way: the next three must wait for it
        later = [desk.start(f"Later {n}.rtf", make_rtf(f"Later {n}", 1)) for n in range(3)]
        return await asyncio.gather(*first, *later)

    results = asyncio.run(scenario())
    assert all(isinstance(r, Ready) for r in results)
    assert soffice.runs() == [2, 3]
    assert soffice.most_at_once() == 1


def test_a_document_removed_during_its_run_costs_the_others_nothing(tmp_path: Path, workdir: Path) -> None:
    soffice = LoggedSoffice(tmp_path / "lo")

    async def scenario() -> list[Prepared]:
        converter, watched = _converter(soffice)
        desk = Desk(tmp_path, workdir, converter)
        tasks = [desk.start(f"Motion {n}.docx", make_docx(f"Motion {n}", 1)) for n in range(3)]
        await watched.started.wait()
        tasks[1].cancel()
        with pytest.raises(asyncio.CancelledError):
            await tasks[1]
        return await asyncio.gather(tasks[0], tasks[2])

    first, last = asyncio.run(scenario())
    assert len(soffice.runs()) == 1  # with the removed file in it, or without (removed before staging)
    assert "Motion 0" in _text(ready(first)) and "Motion 2" in _text(ready(last))
    left = sorted(p for p in workdir.rglob("*") if p.is_file())
    assert left == sorted([ready(first).pdf_path, ready(last).pdf_path]), "nothing of the removed one"


def test_a_document_removed_before_its_run_is_left_out(tmp_path: Path, workdir: Path) -> None:
    soffice = LoggedSoffice(tmp_path / "lo")

    async def scenario() -> list[Prepared]:
        converter, watched = _converter(soffice, runs=1)
        desk = Desk(tmp_path, workdir, converter)
        first = desk.start("Answer.docx", make_docx("Answer", 1))
        await watched.started.wait()
        removed = desk.start("Removed.docx", make_docx("Removed", 1))
        kept = desk.start("Reply.docx", make_docx("Reply", 1))
        await desk.reached("Removed.docx", Stage.CONVERTING)  # it waits in the queue now
        removed.cancel()
        return await asyncio.gather(first, kept)

    answer, reply = asyncio.run(scenario())
    assert soffice.runs() == [1, 1]
    assert "Reply" in _text(ready(reply)) and "Answer" in _text(ready(answer))


def test_a_file_that_crashes_libreoffice_costs_its_batch_mates_nothing(tmp_path: Path, workdir: Path) -> None:
    soffice = LoggedSoffice(tmp_path / "lo")

    async def scenario() -> list[Prepared]:
        converter, _watched = _converter(soffice)
        desk = Desk(tmp_path, workdir, converter)
        return await asyncio.gather(
            desk.start("Motion.docx", make_docx("Motion", 1)),
            desk.start("Poison.rtf", make_rtf(CRASH_MARK, 1)),
            desk.start("Reply.rtf", make_rtf("Reply", 1)),
        )

    motion, poison, reply = asyncio.run(scenario())
    assert soffice.runs() == [3, 1, 1, 1], "the batch died; each of its files was tried alone"
    assert "Motion" in _text(ready(motion)) and "REPLY" in _text(ready(reply)).upper()
    assert refused(poison).kind is RefusalKind.CONVERSION_FAILED
    assert refused(poison).reason.startswith("“Poison.rtf” could not be converted to PDF")


def test_a_failing_runner_fails_every_caller_and_the_next_run_works(tmp_path: Path) -> None:
    class Breaks:
        available = True

        def __init__(self) -> None:
            self.calls: list[int] = []

        async def convert(self, jobs: Sequence[ConversionJob], workdir: Path) -> list[Refusal | None]:
            self.calls.append(len(jobs))
            if len(self.calls) == 1:
                raise RuntimeError("soffice vanished")
            return [None] * len(jobs)

    runner = Breaks()
    queue = LibreOfficeQueue(runner)
    jobs = [
        ConversionJob(tmp_path / f"{n}.docx", Kind.DOCX, f"{n}.docx", tmp_path / f"{n}.pdf") for n in "ab"
    ]

    async def scenario() -> list[object]:
        first = await asyncio.wait_for(
            asyncio.gather(*(queue.convert([j], tmp_path) for j in jobs), return_exceptions=True), 10
        )
        return [*first, await asyncio.wait_for(queue.convert(jobs[:1], tmp_path), 10)]

    a, b, again = asyncio.run(scenario())
    assert isinstance(a, RuntimeError) and isinstance(b, RuntimeError)
    assert again == [None]
    assert runner.calls == [2, 1]


def test_spare_runs_keep_a_core_for_the_window() -> None:
    assert [spare_runs(cores) for cores in (1, 2, 3, 4, 16)] == [1, 1, 2, 2, 2]
