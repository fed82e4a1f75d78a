"""Make a scanned PDF searchable: OCRmyPDF and Tesseract in a child process, progress per page.

    engine = TextRecognition(tesseract=find_tesseract(settings_path))
    await engine.make_searchable(pdf, output, "Declaration.pdf", pages=5, on_progress=row.show)

The work happens in `ocr_worker`, a process of its own (the window never waits on it; cancelling
the awaiting task stops it at once). Pages and page images stay as they are: a text layer is
added under each page's image. Tesseract is a separate program: `find_tesseract` looks for it
where its installers put it, and a missing Tesseract is a message saying how to get it, raised
before anything starts. Every failure is an `OcrFailed` whose message names the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from app.services.intake.records import quoted

log = logging.getLogger(__name__)

SETTING_LABEL = "Tesseract OCR program"
"""What Settings calls the place to give Tesseract's location (the messages point there)."""

HOW_TO_GET_TESSERACT = (
    "Install Tesseract OCR (Windows: the installer from https://github.com/UB-Mannheim/tesseract/wiki; "
    "macOS: “brew install tesseract”; Linux: the tesseract-ocr package), or give its location in "
    f"Settings under “{SETTING_LABEL}”, then try again."
)

_KNOWN_LOCATIONS = {
    "win32": [
        Path(os.environ.get("PROGRAMFILES", r"C:\Program Files")) / "Tesseract-OCR/tesseract.exe",
        Path(os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)")) / "Tesseract-OCR/tesseract.exe",
        Path(os.environ.get("LOCALAPPDATA", r"C:\Users\Default\AppData\Local"))
        / "Programs/Tesseract-OCR/tesseract.exe",
    ],
    # An app started from the Dock or Finder does not see the shell's PATH: Homebrew and MacPorts.
    "darwin": [
        Path("/opt/homebrew/bin/tesseract"),
        Path("/usr/local/bin/tesseract"),
        Path("/opt/local/bin/tesseract"),
    ],
}

_SOURCE_ROOT = str(Path(__file__).resolve().parents[3])
"""The directory holding the `app` package (when it runs from source, not packaged)."""

_SECONDS_PER_PAGE = 240.0
"""Longest a page may take before OCR is given up (Tesseract's own limit per page is 180 s)."""


class OcrFailed(Exception):
    """OCR did not make the file searchable; `message` names the file and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def find_tesseract(configured: str | Path | None = None) -> Path | None:
    """The Tesseract program: the configured one (only), else from PATH or the usual install places."""
    if configured:
        path = Path(configured)
        return path if path.is_file() and os.access(path, os.X_OK) else None
    found = shutil.which("tesseract")
    if found:
        return Path(found)
    return next((p for p in _KNOWN_LOCATIONS.get(sys.platform, []) if p.is_file()), None)


def tesseract_missing(display_name: str) -> str:
    """What to say when Tesseract is not installed (or not where Settings says)."""
    return (
        f"{quoted(display_name)} cannot be made searchable: Tesseract OCR, the program that reads "
        f"the text of scanned pages, is not installed on this computer. {HOW_TO_GET_TESSERACT}"
    )


def ocr_stopped(display_name: str, why: str) -> str:
    """What to say when OCR failed on the file."""
    return (
        f"{quoted(display_name)} could not be made searchable ({why}). "
        "It stays as it was, without searchable text."
    )


def worker_command() -> list[str]:
    """How to start `ocr_worker`: this Python with `-m`, or the packaged app's own executable
    (on Windows its console twin, started without a window: Tesseract, a console program, then
    opens no window of its own for each page)."""
    if not getattr(sys, "frozen", False):
        return [sys.executable, "-m", "app.services.intake.ocr_worker"]
    console = Path(sys.executable).with_name("legalconnect.exe")
    if sys.platform == "win32" and console.is_file():
        return [str(console), "ocr-worker"]
    return [sys.executable, "ocr-worker"]


class TextRecognition:
    """OCR of whole PDFs (see the module docstring); `tesseract` None means "not installed"."""

    def __init__(self, tesseract: Path | None, *, jobs: int | None = None) -> None:
        self.tesseract = tesseract
        self.jobs = jobs or os.cpu_count() or 1

    @property
    def available(self) -> bool:
        """Whether a Tesseract program was found."""
        return self.tesseract is not None

    async def make_searchable(
        self,
        source: Path,
        output: Path,
        display_name: str,
        *,
        pages: int,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Write `source` with a text layer to `output`; raises `OcrFailed` (nothing written)."""
        if self.tesseract is None:
            raise OcrFailed(tesseract_missing(display_name))
        env = dict(os.environ)
        # The worker's OCRmyPDF finds Tesseract on PATH: the one found here comes first.
        env["PATH"] = os.pathsep.join([str(self.tesseract.parent), env.get("PATH", "")])
        if not getattr(sys, "frozen", False):  # `-m app.…` finds this very app, wherever it runs from
            env["PYTHONPATH"] = os.pathsep.join(p for p in (_SOURCE_ROOT, env.get("PYTHONPATH", "")) if p)
        limit = 60.0 + _SECONDS_PER_PAGE * max(1, pages)
        started = time.monotonic()
        proc = await asyncio.create_subprocess_exec(
            *worker_command(),
            str(source),
            str(output),
            "--jobs",
            str(self.jobs),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            # Its own process group, so a stop reaches the tesseract processes it started too.
            start_new_session=sys.platform != "win32",
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )
        assert proc.stdout is not None
        assert proc.stderr is not None
        errors: list[str] = []
        stderr = asyncio.ensure_future(proc.stderr.read())
        try:
            async with asyncio.timeout(limit):
                async for raw in proc.stdout:
                    words = raw.decode(errors="replace").split(maxsplit=2)
                    if words[:1] == ["progress"] and len(words) == 3 and on_progress is not None:
                        with contextlib.suppress(ValueError):
                            on_progress(int(words[1]), int(words[2]))
                    elif words[:1] == ["error"]:
                        errors.append(words[2].strip() if len(words) > 2 else "")
                code = await proc.wait()
        except TimeoutError:
            log.info("OCR of %s took longer than %.0f s; stopping it", display_name, limit)
            raise OcrFailed(ocr_stopped(display_name, f"it took longer than {limit:.0f} seconds")) from None
        finally:
            if proc.returncode is None:
                _stop(proc)
                await proc.wait()
            if not stderr.done():
                stderr.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                details = (await stderr).decode(errors="replace").strip()
                if details:
                    log.info("OCR worker said: %s", details[-4000:])
        log.info("OCR of %s exited %s after %.1f s", display_name, code, time.monotonic() - started)
        if code == 0 and _is_pdf(output):
            return
        raise OcrFailed(_failure(code, errors, display_name))


def _failure(code: int, errors: list[str], display_name: str) -> str:
    # OCRmyPDF's exit codes: 3 a missing program (Tesseract, or its English data), 2 an input it
    # cannot read, 8 an encrypted one, 7 Tesseract itself failed; the rest are its own problems.
    if code == 3:
        return tesseract_missing(display_name)
    reason = next((e for e in reversed(errors) if e), "")
    why = {
        2: "OCR could not read the file",
        7: "Tesseract stopped with an error",
        8: "the file is encrypted",
    }.get(code, f"OCR stopped with an error{f': {reason}' if reason else ''}")
    return ocr_stopped(display_name, why)


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(5) == b"%PDF-"
    except OSError:
        return False


def _stop(proc: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        if sys.platform == "win32":
            proc.kill()
        else:
            os.killpg(proc.pid, signal.SIGKILL)
