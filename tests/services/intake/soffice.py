"""A LibreOffice program that writes down every process it starts, for the batching tests.

The real soffice does the conversions; a small shell script in front of it appends "start <pid>
<files>" and "end <pid>" to a log, so a test can tell how many LibreOffice processes ran, how many
files each converted, and whether two ever ran at once. An RTF whose text holds CRASH-ME makes
the process die before converting anything, as LibreOffice does on a file that crashes it; so
does every run while `crash_all` is on.
"""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Sequence
from pathlib import Path

from app.services.intake import ConversionJob, LibreOffice, Refusal, find_soffice

CRASH_MARK = "CRASH-ME"

_SCRIPT = """#!/bin/sh
files=0
crash=0
[ -e {switch} ] && crash=1
for arg in "$@"; do
  case "$arg" in
    */in/document-*)
      files=$((files + 1))
      grep -q {mark} "$arg" 2>/dev/null && crash=1
      ;;
  esac
done
echo "start $$ $files" >> {log}
if [ "$crash" = 1 ]; then
  echo "end $$" >> {log}
  exit 134
fi
{real} "$@"
rc=$?
echo "end $$" >> {log}
exit $rc
"""


class LoggedSoffice:
    """The logging program (`path`) in `folder`, and what its log says."""

    def __init__(self, folder: Path) -> None:
        real = find_soffice()
        assert real is not None, "LibreOffice (soffice) must be installed: ./dev installs it"
        folder.mkdir(parents=True, exist_ok=True)
        self.log = folder / "soffice.log"
        self.log.touch()
        self._switch = folder / "crash-all"
        self.path = folder / "soffice"
        self.path.write_text(
            _SCRIPT.format(
                log=shlex.quote(str(self.log)),
                real=shlex.quote(str(real)),
                mark=CRASH_MARK,
                switch=shlex.quote(str(self._switch)),
            )
        )
        self.path.chmod(0o755)

    def office(self) -> LibreOffice:
        return LibreOffice.find(self.path)

    @property
    def crash_all(self) -> bool:
        return self._switch.exists()

    @crash_all.setter
    def crash_all(self, on: bool) -> None:
        if on:
            self._switch.touch()
        else:
            self._switch.unlink(missing_ok=True)

    def lines(self) -> list[list[str]]:
        return [line.split() for line in self.log.read_text().splitlines()]

    def runs(self) -> list[int]:
        """How many files each process was given, in the order they started."""
        return [int(fields[2]) for fields in self.lines() if fields[0] == "start"]

    def most_at_once(self) -> int:
        """The most processes that were running at the same moment."""
        running = most = 0
        for fields in self.lines():
            running += 1 if fields[0] == "start" else -1
            most = max(most, running)
        return most

    def ended(self) -> int:
        return sum(1 for fields in self.lines() if fields[0] == "end")


class Watched:
    """An office runner that says when each of its runs begins (for tests to act mid-run)."""

    def __init__(self, inner: LibreOffice) -> None:
        self.inner = inner
        self.started = asyncio.Event()

    @property
    def available(self) -> bool:
        return self.inner.available

    async def convert(self, jobs: Sequence[ConversionJob], workdir: Path) -> list[Refusal | None]:
        self.started.set()
        return await self.inner.convert(jobs, workdir)
