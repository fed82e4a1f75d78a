"""Intake: checking a 2,000-page PDF, and converting ten DOCX files batched vs one at a time.

The check is `check_pdf` as intake runs it (encryption, form fields, page count, three text
samples), median of 9 runs after a warm-up, on the seeded 2,000-page transcript and on an
AES-256-encrypted copy of it (refused). Budget: <= 100 ms. Before the check, intake rewrites
every PDF clean with qpdf (`pdfrepair.rewrite`): its median on the same transcript is reported
too, with its ratio to the check measured in the same run. The conversions time one LibreOffice
run converting ten DOCX files against ten separate runs, each with a fresh profile (cold), as
intake would do without batching.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import statistics
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from app.services.intake import MB, ConversionJob, CourtLimits, Kind, LibreOffice, Refusal
from app.services.intake.pdfcheck import check_pdf
from app.services.intake.pdfrepair import rewrite
from benchmarks.common import ROOT, Figure, median

CHECK_RUNS = 9
BATCH_RUNS = 3
DOCUMENTS = 10
COURT = CourtLimits("Superior Court of California, County of Los Angeles", 50 * MB, 250)


def _time_check(path: Path) -> float:
    def once() -> float:
        started = time.perf_counter()
        with contextlib.suppress(Refusal):  # the encrypted copy is refused, which is the point
            check_pdf(path, path.name, COURT)
        return time.perf_counter() - started

    once()
    return median([once() for _ in range(CHECK_RUNS)])


def _time_rewrite(path: Path, work: Path) -> float:
    def once(n: int) -> float:
        started = time.perf_counter()
        rewrite(path, work / f"clean-{n}.pdf", path.name)
        return time.perf_counter() - started

    once(-1)
    return median([once(n) for n in range(CHECK_RUNS)])


def _encrypted_copy(source: Path, target: Path) -> None:
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password="sealed", algorithm="AES-256")  # noqa: S106 (a test file's password)
    buffer = io.BytesIO()
    writer.write(buffer)
    target.write_bytes(buffer.getvalue())


async def _convert(office: LibreOffice, sources: list[Path], out: Path, work: Path) -> float:
    jobs = [ConversionJob(s, Kind.DOCX, s.name, out / f"{s.stem}.pdf") for s in sources]
    started = time.perf_counter()
    results = await office.convert(jobs, work)
    elapsed = time.perf_counter() - started
    failed = [r.reason for r in results if r is not None]
    if failed:
        raise RuntimeError(f"conversion failed: {failed}")
    return elapsed


def _conversions(base: Path) -> tuple[float, float, float]:
    from sandbox.seed.files import make_docx

    office = LibreOffice.find()
    if not office.available:
        raise RuntimeError("LibreOffice is not installed (./dev installs it)")
    sources = []
    for number in range(DOCUMENTS):
        source = base / f"Exhibit {number}.docx"
        source.write_bytes(make_docx(f"Declaration Exhibit {number}", 3))
        sources.append(source)
    out, work = base / "out", base / "work"
    out.mkdir()
    work.mkdir()
    asyncio.run(_convert(office, sources[:1], out, work))  # warm the page cache
    batched = median([asyncio.run(_convert(office, sources, out, work)) for _ in range(BATCH_RUNS)])
    singles = [asyncio.run(_convert(office, [s], out, work)) for s in sources]
    return batched, sum(singles), statistics.median(singles)


def run() -> list[Figure]:
    os.environ.setdefault("LCSANDBOX_CACHE_DIR", str(ROOT / ".sandbox-cache"))
    from sandbox.seed.files import seed_file_bytes
    from sandbox.seed.firm import SeedFile

    transcript = seed_file_bytes(SeedFile("Reporter's Transcript.pdf", "large_pdf", 2000))
    with tempfile.TemporaryDirectory(prefix="lcd-bench-intake-") as tmp:
        base = Path(tmp)
        sealed = base / "sealed.pdf"
        _encrypted_copy(transcript, sealed)
        plain_check = _time_check(transcript)
        sealed_check = _time_check(sealed)
        rewritten = _time_rewrite(transcript, base)
        batched, separate, single = _conversions(base)
    return [
        Figure("check 2,000-page PDF (median)", plain_check * 1000, "ms", "<= 100 ms", f"{CHECK_RUNS} runs"),
        Figure("check 2,000-page AES PDF (median)", sealed_check * 1000, "ms", "<= 100 ms", "refused"),
        Figure(
            "qpdf rewrite of the 2,000-page PDF (median)", rewritten * 1000, "ms", note=f"{CHECK_RUNS} runs"
        ),
        Figure("rewrite / check", rewritten / plain_check, "x", note="the rewrite's cost in checks"),
        Figure(f"{DOCUMENTS} DOCX, one batched run", batched, "s", note=f"median of {BATCH_RUNS}"),
        Figure(f"{DOCUMENTS} DOCX, separate cold runs", separate, "s", note=f"sum; one run {single:.2f} s"),
        Figure("separate / batched", separate / batched, "x", note="batching saves this factor"),
    ]
