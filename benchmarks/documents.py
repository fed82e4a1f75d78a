"""Word files added to an order together: how soon they are all converted, and the window meanwhile.

The sandbox runs in its own process. The service graph is the app's own (`app.compose`), signed in
as the demo user; each round opens a new order on the Los Angeles court through the order desk
(the real intake and the app's one document converter), adds 5 (then 10) DOCX files in one go,
as Browse › Computer does, and waits until every row is Ready (checked, converted, uploaded to
the sandbox's LegalConnect), noting when every row had its checked PDF. A 5 ms Qt heartbeat on
the same qasync loop records the longest gap between its ticks meanwhile. The baseline is one
LibreOffice run converting the same files (`LibreOffice.convert`, nothing else), measured in the
same process between the rounds. Budget: 5 DOCX all Ready (checked, converted and uploaded, four
uploads at a time) in ≤ 1.2x the one run; the longest GUI stall ≤ 50 ms. The converted-only ratio
is printed too.
Medians of the rounds.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import Figure, Heartbeat, demo_services, median, on_sandbox, qt_event_loop, run_to_end
from sandbox.endpoints import Endpoints

HEARTBEAT_MS = 5
ROUNDS = 3
COUNTS = (5, 10)


async def _services(endpoints: Endpoints, home: Path) -> Any:
    return await demo_services(endpoints, home)


def _sources(folder: Path, count: int) -> list[Path]:
    from sandbox.seed.files import make_docx

    folder.mkdir(parents=True)
    sources = []
    for number in range(count):
        source = folder / f"Declaration {number + 1}.docx"
        source.write_bytes(make_docx(f"Declaration of Witness {number + 1}", 3))
        sources.append(source)
    return sources


async def _batched_run(sources: list[Path], work: Path) -> float:
    """One LibreOffice run converting all `sources`: the floor the wizard is measured against."""
    from app.services.intake import ConversionJob, Kind, LibreOffice

    out = Path(tempfile.mkdtemp(dir=work))
    jobs = [ConversionJob(s, Kind.DOCX, s.name, out / f"{s.stem}.pdf") for s in sources]
    started = time.perf_counter()
    results = await LibreOffice.find().convert(jobs, work)
    elapsed = time.perf_counter() - started
    failed = [r.reason for r in results if r is not None]
    if failed:
        raise RuntimeError(f"conversion failed: {failed}")
    return elapsed


async def _wizard_round(services: Any, catalog: Any, sources: list[Path]) -> tuple[float, float, float]:
    """(seconds until every row is converted and checked, seconds until every row is Ready,
    longest GUI stall in ms) for one order."""
    from app.services.wizard.draft import ComputerSource, DocumentStatus
    from tests.services.wizard.conftest import until

    wizard = services.desk.new(catalog)
    fill_case(wizard)
    submission = services.desk.submission_for(wizard)
    heartbeat = Heartbeat(HEARTBEAT_MS)
    prepared: list[float] = []

    def settled() -> bool:
        docs = wizard.draft.documents
        if not prepared and all(d.sha256 is not None or not d.status.working for d in docs):
            prepared.append(time.perf_counter())
        return not any(d.status.working for d in docs)

    try:
        heartbeat.start()
        started = time.perf_counter()
        for source in sources:
            wizard.add_document(ComputerSource(source), "DECL")
        await until(wizard, settled, 300)
        seconds = time.perf_counter() - started
        stall = heartbeat.stop()
        failed = [d.error for d in wizard.draft.documents if d.status is not DocumentStatus.READY]
        if failed:
            raise RuntimeError(f"documents failed: {failed}")
    finally:
        await submission.discard()
    return prepared[0] - started, seconds, stall


def fill_case(wizard: Any) -> None:
    wizard.set_court("LA")
    wizard.set_case_category("civil_unlimited")
    wizard.set_case_type("contract_06")
    wizard.set_case_title("Alvarez v. Harbor Freight Lines")


def _measure(endpoints: Endpoints, home: Path) -> list[Figure]:
    loop = qt_event_loop()

    async def body() -> list[Figure]:
        from app.services.wizard.rules import Catalog

        services = await _services(endpoints, home / "app")
        figures = []
        try:
            catalog = await Catalog.load(services.desk.client, ["LA"])
            work = home / "baseline"
            work.mkdir()
            for count in COUNTS:
                sources = _sources(home / f"files-{count}", count)
                await _batched_run(sources, work)  # warm the page cache and LibreOffice's files
                await _wizard_round(services, catalog, sources)
                baseline, converted, ready, stalls = [], [], [], []
                for _ in range(ROUNDS):
                    baseline.append(await _batched_run(sources, work))
                    checked, seconds, stall = await _wizard_round(services, catalog, sources)
                    converted.append(checked)
                    ready.append(seconds)
                    stalls.append(stall)
                base = median(baseline)
                figures += [
                    Figure(f"{count} DOCX, one LibreOffice run", base, "s", note=f"median of {ROUNDS}"),
                    Figure(
                        f"{count} DOCX added at once: converted / one run",
                        median(converted) / base,
                        "x",
                        note=f"{median(converted):.2f} s, every row checked and converted",
                    ),
                    Figure(
                        f"{count} DOCX added at once: ready / one run",
                        median(ready) / base,
                        "x",
                        budget="<= 1.2x" if count == 5 else "",
                        note=f"{median(ready):.2f} s, uploaded too",
                    ),
                    Figure(
                        f"{count} DOCX: longest GUI stall",
                        max(stalls),
                        "ms",
                        budget="<= 50 ms",
                        note=f"median {median(stalls):.0f} ms",
                    ),
                ]
        finally:
            await services.aclose()
        return figures

    return run_to_end(loop, body())


def run() -> list[Figure]:
    return on_sandbox(_measure)


if __name__ == "__main__":
    for figure in run():
        print(f"{figure.name:<48} {figure.text:>12}  {figure.budget:<10} {figure.note}")
