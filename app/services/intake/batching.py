"""LibreOffice runs shared by every document on its way to PDF: batched, and never too many at once.

Documents added together reach the converter a few milliseconds apart, each from its own task.
The queue gathers what arrives until a short quiet spell (`gather` seconds) into one LibreOffice
run — one start-up for all of them — and runs at most `runs` of those at a time, so the window's
thread keeps a core (`spare_runs`); what arrives meanwhile waits and goes together in the next run.

A caller cancelled while it waits (its row was removed) leaves the queue. Cancelled while its run
is under way, the run goes on for the others and its PDF is dropped. When a run of several files
fails for some of them, those are converted again one by one: a file that makes LibreOffice crash
or hang costs the files that shared its run nothing but time.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.services.intake.libreoffice import ConversionJob
from app.services.intake.records import Refusal

log = logging.getLogger(__name__)


class OfficeRunner(Protocol):
    """Converts office files in one run (`LibreOffice` is the real one)."""

    @property
    def available(self) -> bool:
        """Whether the program is installed."""
        ...

    async def convert(self, jobs: Sequence[ConversionJob], workdir: Path) -> list[Refusal | None]:
        """None for each job whose PDF is now at `job.output`, else why it could not be converted."""
        ...


def spare_runs(cores: int | None = None) -> int:
    """How many LibreOffice processes this computer can spare: a core is kept for the window, and
    more than two runs at once gain nothing when each converts a whole batch."""
    return max(1, min(2, (cores or os.cpu_count() or 1) - 1))


@dataclass(eq=False)
class _Waiting:
    job: ConversionJob
    workdir: Path
    answer: asyncio.Future[Refusal | None]


class LibreOfficeQueue:
    """An `OfficeRunner` that batches the calls of many callers into few runs of `office`."""

    def __init__(
        self,
        office: OfficeRunner,
        *,
        runs: int | None = None,
        gather: float = 0.05,
        max_batch: int = 20,
    ) -> None:
        """`runs`: at most this many runs at once (default `spare_runs()`); `gather`: the quiet
        spell that closes a batch; `max_batch`: files per run."""
        self.office = office
        self.runs = runs if runs is not None else spare_runs()
        self.gather = gather
        self.max_batch = max_batch
        self._waiting: list[_Waiting] = []
        self._workers: set[asyncio.Task[None]] = set()
        self._gatherer: tuple[asyncio.Task[None], asyncio.Event] | None = None
        """The worker gathering the next batch, and the event each arrival sets for it."""

    @property
    def available(self) -> bool:
        """Whether LibreOffice is installed."""
        return self.office.available

    async def convert(self, jobs: Sequence[ConversionJob], workdir: Path) -> list[Refusal | None]:
        """Convert `jobs` in the next run (with whatever else is waiting); answers as
        `LibreOffice.convert` does, once that run is over."""
        if not jobs:
            return []
        loop = asyncio.get_running_loop()
        entries = [_Waiting(job, workdir, loop.create_future()) for job in jobs]
        self._waiting.extend(entries)
        self._arrival(loop)
        # Cancelled, gather cancels our futures: a waiting job is skipped, a running one dropped.
        return list(await asyncio.gather(*(e.answer for e in entries)))

    def _arrival(self, loop: asyncio.AbstractEventLoop) -> None:
        # Workers of an event loop that has gone (tests run one loop each) count no more.
        self._workers = {w for w in self._workers if not w.done() and w.get_loop() is loop}
        gathering = self._gathering()
        if gathering is not None:
            gathering.set()
        elif len(self._workers) < self.runs:
            worker = loop.create_task(self._work())
            self._workers.add(worker)
            worker.add_done_callback(self._workers.discard)

    def _gathering(self) -> asyncio.Event | None:
        if self._gatherer is None or self._gatherer[0] not in self._workers:
            return None
        return self._gatherer[1]

    async def _work(self) -> None:
        me = asyncio.current_task()
        assert me is not None
        while self._gathering() is None:  # else that worker takes what waits
            arrived = asyncio.Event()
            self._gatherer = (me, arrived)
            try:
                await self._quiet(arrived)
            finally:
                self._gatherer = None
            self._waiting = [w for w in self._waiting if not w.answer.done()]
            batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch :]
            if not batch:
                return
            await self._run(batch)

    async def _quiet(self, arrived: asyncio.Event) -> None:
        """Return once nothing has arrived for `gather` seconds (at most ten spells in all)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10 * self.gather
        while (left := deadline - loop.time()) > 0:
            arrived.clear()
            try:
                async with asyncio.timeout(min(self.gather, left)):
                    await arrived.wait()
            except TimeoutError:
                return

    async def _run(self, batch: list[_Waiting]) -> None:
        try:
            results = await self._convert(batch)
            failed = [w for w, result in zip(batch, results, strict=True) if result is not None]
            if len(batch) > 1 and failed:
                log.info("%d of %d failed in one run; converting them one by one", len(failed), len(batch))
                for waiting in failed:
                    if not waiting.answer.done():
                        results[batch.index(waiting)] = (await self._convert([waiting]))[0]
        except asyncio.CancelledError:
            for waiting in batch:
                waiting.answer.cancel()
            raise
        except Exception as exc:  # a bug or a broken installation: every caller gets it, none hangs
            for waiting in batch:
                if not waiting.answer.done():
                    waiting.answer.set_exception(exc)
            return
        for waiting, result in zip(batch, results, strict=True):
            if not waiting.answer.done():
                waiting.answer.set_result(result)

    async def _convert(self, batch: list[_Waiting]) -> list[Refusal | None]:
        # The run's profile and staging copies live beside the first file's: inside its draft's
        # working directory, which goes with the draft even when the app is killed mid-run.
        return await self.office.convert([w.job for w in batch], batch[0].workdir)
