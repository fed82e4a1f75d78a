"""Convert office and text files to PDF with LibreOffice, several files in one run.

Each run gets a private, throw-away user profile: two soffice processes sharing a profile make one
of them exit without converting anything, and without one soffice would write into the user's
own profile (or hand the job to a LibreOffice window the user has open).
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.services.intake.records import Refusal, RefusalKind, quoted
from app.services.intake.sniff import SUFFIXES, Kind

log = logging.getLogger(__name__)

_KNOWN_LOCATIONS = {
    "win32": [
        Path(os.environ.get("PROGRAMFILES", r"C:\Program Files")) / "LibreOffice/program/soffice.exe",
        Path(os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)"))
        / "LibreOffice/program/soffice.exe",
    ],
    "darwin": [Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")],
}


@dataclass(frozen=True)
class ConversionJob:
    """One file to convert: a private copy of the source, its sniffed type, and where the PDF goes."""

    source: Path
    kind: Kind
    display_name: str
    output: Path
    encoding: str | None = None


def find_soffice(configured: str | Path | None = None) -> Path | None:
    """The LibreOffice program: the configured one (only), else from PATH or the usual install places."""
    if configured:
        path = Path(configured)
        return path if path.is_file() and os.access(path, os.X_OK) else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    return next((p for p in _KNOWN_LOCATIONS.get(sys.platform, []) if p.is_file()), None)


class LibreOffice:
    """LibreOffice as a converter; `binary` None means "not installed"."""

    def __init__(self, binary: Path | None, *, timeout: float = 60.0, timeout_per_file: float = 30.0) -> None:
        self.binary = binary
        self.timeout = timeout
        self.timeout_per_file = timeout_per_file

    @classmethod
    def find(cls, configured: str | Path | None = None, **kwargs: float) -> LibreOffice:
        """LibreOffice as found by `find_soffice`; `kwargs` are the timeouts."""
        return cls(find_soffice(configured), **kwargs)

    @property
    def available(self) -> bool:
        """Whether a LibreOffice program was found."""
        return self.binary is not None

    async def convert(self, jobs: Sequence[ConversionJob], workdir: Path) -> list[Refusal | None]:
        """Convert `jobs` in one soffice run; None for each job whose PDF is now at its `output`."""
        if not jobs:
            return []
        if self.binary is None:
            raise RuntimeError("LibreOffice is not installed")  # callers check `available` first
        run_dir = Path(tempfile.mkdtemp(prefix="soffice-", dir=workdir))
        try:
            inputs = await asyncio.to_thread(_stage_inputs, jobs, run_dir)
            staged = [p for p in inputs if p is not None]
            outdir = run_dir / "out"
            outdir.mkdir(mode=0o700)
            timeout = self.timeout + self.timeout_per_file * len(staged)
            args = [
                f"-env:UserInstallation={(run_dir / 'profile').as_uri()}",
                *("--headless", "--invisible", "--norestore", "--nologo", "--nolockcheck", "--nodefault"),
                *("--convert-to", "pdf", "--outdir", str(outdir)),
                *(str(p) for p in staged),
            ]
            timed_out = await _run(self.binary, args, timeout) if staged else False
            return [
                _collect(job, outdir / f"{src.stem}.pdf", timed_out, timeout) if src else _gone(job)
                for job, src in zip(jobs, inputs, strict=True)
            ]
        finally:
            await asyncio.to_thread(shutil.rmtree, run_dir, True)


def _stage_inputs(jobs: Sequence[ConversionJob], run_dir: Path) -> list[Path | None]:
    """Inputs named by position (outputs are named after inputs, so names never collide or mislead);
    None for a job whose file has gone (its document was removed while it waited)."""
    indir = run_dir / "in"
    indir.mkdir(mode=0o700)
    inputs: list[Path | None] = []
    for number, job in enumerate(jobs):
        target = indir / f"document-{number}{SUFFIXES[job.kind]}"
        try:
            if job.kind is Kind.TEXT:
                # LibreOffice reads BOM-less text in the system's legacy encoding: give it UTF-8 with a BOM.
                raw = job.source.read_bytes()
                text = raw.decode(job.encoding or "utf-8", errors="replace")
                target.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
            else:
                shutil.copyfile(job.source, target)
        except FileNotFoundError:
            inputs.append(None)
        else:
            inputs.append(target)
    return inputs


async def _run(binary: Path, args: list[str], limit: float) -> bool:
    """Run soffice; True when it had to be stopped for taking longer than `limit` seconds."""
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        str(binary),
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        # Its own process group, so a stop reaches soffice.bin behind the launcher script too.
        start_new_session=sys.platform != "win32",
    )
    try:
        output, _ = await asyncio.wait_for(proc.communicate(), limit)
    except TimeoutError:
        log.info("soffice took longer than %.0f s; stopping it", limit)
        return True
    finally:
        if proc.returncode is None:
            _stop(proc)
            await proc.wait()
    log.info(
        "soffice exited %s after %.1f s: %s",
        proc.returncode,
        time.monotonic() - started,
        output.decode(errors="replace").strip()[-2000:],
    )
    return False


def _stop(proc: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        if sys.platform == "win32":
            proc.kill()
        else:
            os.killpg(proc.pid, signal.SIGKILL)


def _collect(job: ConversionJob, produced: Path, timed_out: bool, timeout: float) -> Refusal | None:
    name = quoted(job.display_name)
    try:
        with produced.open("rb") as fh:
            ok = fh.read(5) == b"%PDF-"
    except FileNotFoundError:
        ok = False
    if not ok:
        if timed_out:
            return Refusal(
                RefusalKind.CONVERSION_FAILED,
                f"{name} took too long to convert to PDF (more than {timeout:.0f} seconds). "
                "Save it as PDF yourself and add the PDF.",
            )
        return Refusal(
            RefusalKind.CONVERSION_FAILED,
            f"{name} could not be converted to PDF: LibreOffice could not open it. It may be damaged; "
            "open it, save it as PDF yourself, and add the PDF.",
        )
    try:
        produced.replace(job.output)
        job.output.chmod(0o600)
    except FileNotFoundError:  # its document was removed during the run: the PDF is not wanted
        return _gone(job)
    return None


def _gone(job: ConversionJob) -> Refusal:
    return Refusal(
        RefusalKind.UNREADABLE,
        f"{quoted(job.display_name)} was no longer there to convert. Add it again.",
    )
