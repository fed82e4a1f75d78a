"""Public PDF test corpora through the real intake, one process per file with a time and memory cap.

    python -m benchmarks.pdf_corpus DIR... [--json OUT] [--jobs 2] [--timeout 60] [--memory-gb 3]

Every *.pdf under each DIR (Git LFS pointers are skipped and counted) goes through
`intake.prepare` as the app runs it for a California court, in a fresh process of its own
(`--one FILE`) under an address-space cap, killed at the time cap. The outcome is Ready, Refused
(kind and message), crash (a traceback or a signal), hang or out-of-memory. A Ready file's clean
PDF is then read by references independent of the intake: qpdf (through pikepdf) opens it, checks
it and parses every page's content, and pypdf decodes and parses every page's content; a page
either cannot read means the Ready file cannot be read through. Each input is also classified on
its own (qpdf says it is encrypted or needs a password; its catalog has a form with fields, or
XFA), so the table can say whether every encrypted and every fillable file was refused.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT

GB = 1024**3
LFS_POINTER = b"version https://git-lfs.github.com/spec/v1"
PROTECTED = frozenset({"encrypted", "password_protected"})


@dataclass
class FileResult:
    """What happened to one file: the intake's outcome and the independent readers' findings."""

    file: str
    outcome: str  # ready, refused, crash, hang, oom
    kind: str = ""  # the refusal's kind
    message: str = ""  # the refusal's message, or the crash's traceback
    notices: list[str] = field(default_factory=list)
    pages: int = 0
    seconds: float = 0.0  # the intake's own time (the wall time, for a hang)
    peak_rss_mb: float = 0.0
    unreadable: list[str] = field(default_factory=list)  # pages of a Ready output that do not read
    check_problems: list[str] = field(default_factory=list)  # qpdf's check of a Ready output
    encrypted: bool | None = None  # None: qpdf cannot open the input to say
    fillable: bool | None = None
    log: list[str] = field(default_factory=list)  # the intake's log lines about this file

    @property
    def repaired(self) -> bool:
        return self.outcome == "ready" and "repaired" in self.notices

    @property
    def unreadable_ready(self) -> bool:
        return self.outcome == "ready" and bool(self.unreadable)

    @property
    def protected_not_refused(self) -> bool:
        return bool(self.encrypted) and self.outcome != "refused"

    @property
    def fillable_not_refused(self) -> bool:
        return bool(self.fillable) and self.outcome != "refused"


def collect(directories: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Every PDF (by its name, any case) under `directories`, and the Git LFS pointers among them."""
    files, skipped = [], []
    for directory in directories:
        for path in sorted(p for p in directory.rglob("*") if p.suffix.lower() == ".pdf" and p.is_file()):
            with path.open("rb") as fh:
                (skipped if fh.read(len(LFS_POINTER)) == LFS_POINTER else files).append(path)
    return files, skipped


def run_files(
    files: Sequence[Path],
    *,
    jobs: int = 2,
    timeout: float = 60,
    memory: int = 3 * GB,
    on_result: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Each file through the intake in its own process, `jobs` at a time; results in `files`' order."""

    def one(path: Path) -> FileResult:
        result = _run_one(path, timeout, memory)
        if on_result is not None:
            on_result(result)
        return result

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, files))


def _run_one(path: Path, timeout: float, memory: int) -> FileResult:
    cmd = [sys.executable, "-m", "benchmarks.pdf_corpus", "--one", str(path), "--memory", str(memory)]
    started = time.monotonic()
    with subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a hang is ended with everything it started
    ) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            hung = True
        else:
            hung = False
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    if not lines:
        wall = time.monotonic() - started
        if hung:
            return FileResult(str(path), "hang", seconds=wall, message=f"killed after {timeout:.0f} s")
        outcome = "oom" if "MemoryError" in err or "bad_alloc" in err else "crash"
        why = f"exit {proc.returncode}" + (
            f" ({signal.Signals(-proc.returncode).name})" if proc.returncode < 0 else ""
        )
        return FileResult(str(path), outcome, seconds=wall, message=f"{why}: {err[-3000:]}")
    merged: dict[str, Any] = {}
    for line in lines:
        merged.update(line)
    result = FileResult(**merged)
    if hung:
        # The intake answered; the readers after it did not finish.
        result.unreadable = [*result.unreadable, f"the reference readers did not finish in {timeout:.0f} s"]
    return result


# --- the child: one file ---------------------------------------------------------------------------


class _LogLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage()[:500])


def _one(path: Path, memory: int) -> None:
    """Run the intake on `path` and print its outcome as a JSON line, then the readers' findings."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    from app.services import intake

    court = intake.CourtLimits("Superior Court of California, County of Los Angeles", 50 * intake.MB, 250)

    class NoConversion:
        """A PDF never needs converting; anything sent here is refused so the run stays PDF-only."""

        async def convert(self, jobs: Sequence[intake.ConversionJob], workdir: Path) -> list[intake.Refusal]:
            del workdir
            refused = intake.RefusalKind.NO_CONVERTER
            return [
                intake.Refusal(refused, f"{j.display_name} is not a PDF: not converted here") for j in jobs
            ]

    log = _LogLines()
    logging.getLogger("app").addHandler(log)
    logging.getLogger("app").setLevel(logging.INFO)
    line: dict[str, Any] = {"file": str(path)}
    with tempfile.TemporaryDirectory(prefix="lcd-pdf-corpus-") as tmp:
        workdir = intake.make_workdir(Path(tmp) / "intake")
        started = time.perf_counter()
        try:
            prepared = asyncio.run(
                intake.prepare(
                    path,
                    path.name,
                    limits=court,
                    word_copy_required=False,
                    converter=NoConversion(),
                    workdir=workdir,
                    on_stage=lambda _stage: None,
                )
            )
        except MemoryError:
            prepared = None
            line.update(outcome="oom", message=traceback.format_exc()[-3000:])
        except BaseException:
            prepared = None
            line.update(outcome="crash", message=traceback.format_exc()[-3000:])
        line["seconds"] = time.perf_counter() - started
        line["peak_rss_mb"] = _peak_rss_mb()
        line["log"] = log.lines[-10:]
        if isinstance(prepared, intake.Ready):
            line.update(outcome="ready", pages=prepared.pages, notices=[n.kind for n in prepared.warnings])
        elif isinstance(prepared, intake.Refused):
            line.update(outcome="refused", kind=prepared.kind, message=prepared.reason)
        print(json.dumps(line), flush=True)
        findings: dict[str, Any] = {}
        findings["encrypted"], findings["fillable"] = classify(path)
        if isinstance(prepared, intake.Ready):
            findings["unreadable"], findings["check_problems"] = read_through(prepared.pdf_path)
        print(json.dumps(findings), flush=True)


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)  # bytes on macOS, KiB elsewhere


def classify(path: Path) -> tuple[bool | None, bool | None]:
    """Whether qpdf finds the input encrypted (or needing a password), and whether its catalog has
    a form with fields or XFA; None where qpdf cannot open it to say."""
    import pikepdf

    try:
        with pikepdf.open(path, suppress_warnings=True) as pdf:
            encrypted = pdf.is_encrypted
            try:
                form = pdf.Root.get("/AcroForm")
                if not isinstance(form, pikepdf.Dictionary):
                    return encrypted, False
                fields = form.get("/Fields")
                return encrypted, "/XFA" in form or (isinstance(fields, pikepdf.Array) and len(fields) > 0)
            except Exception:
                return encrypted, None
    except pikepdf.PasswordError:
        return True, None
    except Exception:
        return None, None


def read_through(path: Path) -> tuple[list[str], list[str]]:
    """The pages of the PDF at `path` that qpdf or pypdf cannot read through, and qpdf's check."""
    import pikepdf
    from pypdf import PdfReader

    unreadable: list[str] = []
    try:
        with pikepdf.open(path) as pdf:
            problems = [str(p) for p in pdf.check_pdf_syntax()]
            problems += [f"reopening: {w}" for w in pdf.get_warnings()]
            for number, page in enumerate(pdf.pages, start=1):
                try:
                    pikepdf.parse_content_stream(page)
                except Exception as exc:
                    unreadable.append(f"qpdf, page {number}: {type(exc).__name__}: {exc}"[:300])
    except Exception as exc:
        return [f"qpdf cannot open it: {type(exc).__name__}: {exc}"[:300]], []
    try:
        reader = PdfReader(path)
        for number, pypdf_page in enumerate(reader.pages, start=1):
            try:
                contents = pypdf_page.get_contents()
                if contents is not None:
                    _ = contents.operations
            except Exception as exc:
                unreadable.append(f"pypdf, page {number}: {type(exc).__name__}: {exc}"[:300])
    except Exception as exc:
        unreadable.append(f"pypdf cannot open it: {type(exc).__name__}: {exc}"[:300])
    return unreadable, problems[:20]


# --- the summary -----------------------------------------------------------------------------------


def counts(results: Sequence[FileResult], skipped: int = 0) -> dict[str, float]:
    """The table's column for `results`: how many of each outcome, and seconds per file."""
    outcomes = Counter(r.outcome for r in results)
    refused = Counter(r.kind for r in results if r.outcome == "refused")
    seconds = [r.seconds for r in results]
    column: dict[str, float] = {
        "files": len(results),
        "skipped (LFS)": skipped,
        "ready": outcomes["ready"],
        "ready, repaired": sum(r.repaired for r in results),
        "refused": outcomes["refused"],
        **{f"  refused {kind}": n for kind, n in sorted(refused.items())},
        "crashes": outcomes["crash"],
        "hangs": outcomes["hang"],
        "out of memory": outcomes["oom"],
        "ready, unreadable": sum(r.unreadable_ready for r in results),
        "ready, qpdf check problems": sum(r.outcome == "ready" and bool(r.check_problems) for r in results),
        "encrypted (qpdf)": sum(bool(r.encrypted) for r in results),
        "encrypted, not refused": sum(r.protected_not_refused for r in results),
        "encrypted, refused otherwise": sum(
            bool(r.encrypted) and r.outcome == "refused" and r.kind not in PROTECTED for r in results
        ),
        "fillable (qpdf)": sum(bool(r.fillable) for r in results),
        "fillable, not refused": sum(r.fillable_not_refused for r in results),
        "median s/file": statistics.median(seconds) if seconds else 0.0,
        "max s/file": max(seconds, default=0.0),
        "max peak RSS MB": max((r.peak_rss_mb for r in results), default=0.0),
    }
    return column


def table(columns: dict[str, dict[str, float]]) -> str:
    """The columns side by side, one row per count."""
    rows: list[str] = []
    for column in columns.values():
        rows += [k for k in column if k not in rows]
    width = max(len(r) for r in rows)
    head = f"{'':<{width}}  " + "  ".join(f"{name:>12}" for name in columns)
    lines = [head]
    for row in rows:
        cells = []
        for column in columns.values():
            value = column.get(row, 0)
            cells.append(f"{value:>12.2f}" if isinstance(value, float) else f"{value:>12}")
        lines.append(f"{row:<{width}}  " + "  ".join(cells))
    return "\n".join(lines)


def _findings(results: Sequence[FileResult]) -> Iterable[str]:
    for r in results:
        if r.outcome in ("crash", "hang", "oom"):
            yield f"{r.outcome}: {r.file}: {r.message.strip().splitlines()[-1] if r.message else ''}"
        if r.unreadable_ready:
            yield f"ready but unreadable: {r.file}: {r.unreadable[0]}"
        if r.protected_not_refused:
            yield f"encrypted, {r.outcome}: {r.file}"
        if r.fillable_not_refused:
            yield f"fillable, {r.outcome}: {r.file}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pdf_corpus", description=__doc__)
    parser.add_argument("dirs", nargs="*", type=Path, help="directories searched for *.pdf")
    parser.add_argument("--json", type=Path, help="write every file's result here")
    parser.add_argument("--jobs", type=int, default=2, help="files at a time (default 2)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per file (default 60)")
    parser.add_argument("--memory-gb", type=float, default=3, help="address space per file (default 3)")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--memory", type=int, default=3 * GB, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        _one(args.one, args.memory)
        return 0
    if not args.dirs:
        parser.error("name at least one directory")
    columns: dict[str, dict[str, float]] = {}
    everything: dict[str, list[dict[str, Any]]] = {}
    for directory in args.dirs:
        files, skipped = collect([directory])
        started = time.monotonic()
        results = run_files(files, jobs=args.jobs, timeout=args.timeout, memory=int(args.memory_gb * GB))
        print(f"  ({directory}: {len(files)} files in {time.monotonic() - started:.0f} s)", flush=True)
        columns[directory.name or str(directory)] = counts(results, len(skipped))
        everything[str(directory)] = [asdict(r) for r in results]
        for finding in _findings(results):
            print(f"  {finding}", flush=True)
    print(table(columns))
    if args.json is not None:
        args.json.write_text(json.dumps({"columns": columns, "files": everything}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
