"""The child process that adds a text layer to a scanned PDF with OCRmyPDF and Tesseract.

    python -m app.services.intake.ocr_worker SOURCE OUTPUT --jobs 2
    legalconnect ocr-worker SOURCE OUTPUT --jobs 2      (the packaged app: see installer/launch.py)

It runs apart from the app so that OCR (seconds of CPU per page, and OCRmyPDF's own threads) never
holds up the window. Pages that already have text are left alone (`skip_text`), page images are
not touched (`optimize=0`), and the output is a plain PDF (no PDF/A, so no Ghostscript: pypdfium2
renders the pages Tesseract reads). It reports on stdout, one line at a time:

    progress 3 5              pages read so far, of all pages
    error 3 <message>         OCRmyPDF's exit code and why it stopped

and exits with OCRmyPDF's exit code (0: OUTPUT holds the searchable PDF).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import ocrmypdf
from ocrmypdf.exceptions import ExitCode, ExitCodeException

OCR_STEP = "OCR"
"""The description OCRmyPDF gives its per-page OCR step (the one whose progress is reported)."""


class _PageProgress:
    """OCRmyPDF's progress bar protocol, reduced to "progress DONE TOTAL" lines for the OCR step."""

    def __init__(
        self, *, total: float | None = None, desc: str | None = None, disable: bool = False, **_: Any
    ) -> None:
        self.total, self.done = total, 0.0
        self.reporting = desc == OCR_STEP and not disable and bool(total)
        self.shown = -1

    def __enter__(self) -> _PageProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def update(self, n: float = 1, *, completed: float | None = None) -> None:
        self.done = completed if completed is not None else self.done + n
        pages = int(self.done)
        if self.reporting and pages != self.shown:
            self.shown = pages
            _say(f"progress {pages} {int(self.total or 0)}")


@ocrmypdf.hookimpl
def get_progressbar_class() -> type[_PageProgress]:
    """OCRmyPDF plugin hook: report progress to the app instead of drawing a console bar."""
    return _PageProgress


def _say(line: str) -> None:
    if sys.stdout is None:  # a windowed program started with a pipe for its output
        with contextlib.suppress(OSError):
            sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 (the process's own stdout)
    if sys.stdout is not None:
        print(line, file=sys.stdout, flush=True)


def run(source: str, output: str, jobs: int) -> int:
    """OCR `source` into `output`; OCRmyPDF's exit code."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(5)  # behind the window and the user's own programs (POSIX only)
    try:
        code = ocrmypdf.ocr(
            source,
            output,
            language=["eng"],
            output_type="pdf",
            mode="skip",
            optimize=0,
            jobs=jobs,
            use_threads=True,  # tesseract runs in processes of its own anyway; no forking here
            progress_bar=True,
            fast_web_view=1_000_000,  # no linearising: the app rewrites the PDF when it checks it
            plugins=[__name__],
        )
    except ExitCodeException as exc:
        _say(f"error {int(exc.exit_code)} {' '.join(str(exc).split())}")
        return int(exc.exit_code)
    return int(code)


def main(argv: Sequence[str] | None = None) -> int:
    """The worker's command line (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="ocr-worker")
    parser.add_argument("source")
    parser.add_argument("output")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s: %(message)s")
    try:
        return run(args.source, args.output, max(1, args.jobs))
    except Exception as exc:  # anything else: the app logs stderr and tells the user OCR stopped
        logging.getLogger(__name__).exception("OCR failed")
        _say(f"error {int(ExitCode.other_error)} {type(exc).__name__}: {exc}")
        return int(ExitCode.other_error)


if __name__ == "__main__":
    raise SystemExit(main())
