"""Logging for the app: a rotating log file and stderr, both through the redacting filter; and the
text of the "Copy diagnostics" action.

`setup_logging` is called once by the composition root; it returns a `LoggingSetup` whose
`redactor` is handed to whatever learns live secrets (sign-in, token refresh) so they are scrubbed
from every log line, and whose `close()` undoes the setup (tests, shutdown).
"""

from __future__ import annotations

import logging
import logging.handlers
import platform
import sys
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from app import __version__
from app.config import Config
from app.paths import APP_NAME, AppPaths
from app.redaction import REDACTED, RedactingFilter, Redactor

__all__ = ["REDACTED", "LoggingSetup", "RedactingFilter", "Redactor", "diagnostics", "setup_logging"]

LOG_MAX_BYTES = 2 * 1024 * 1024
LOG_BACKUPS = 5
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


@dataclass
class LoggingSetup:
    """The installed handlers, the shared redactor and where the log file is."""

    redactor: Redactor
    log_file: Path
    filter: RedactingFilter
    handlers: list[logging.Handler] = field(default_factory=list)
    previous_level: int = logging.WARNING

    def add_handler(self, handler: logging.Handler) -> None:
        """Install another handler (e.g. an in-window log view) behind the same redacting filter."""
        handler.addFilter(self.filter)
        logging.getLogger().addHandler(handler)
        self.handlers.append(handler)

    def close(self) -> None:
        """Remove and close every handler this setup installed; restore the root level."""
        root = logging.getLogger()
        root.setLevel(self.previous_level)
        logging.getLogger("stamina").removeFilter(_routine_retry)
        for handler in self.handlers:
            root.removeHandler(handler)
            handler.close()
        self.handlers.clear()


def setup_logging(
    log_file: Path,
    *,
    level: str = "INFO",
    redactor: Redactor | None = None,
    stderr: bool = True,
    max_bytes: int = LOG_MAX_BYTES,
    backups: int = LOG_BACKUPS,
) -> LoggingSetup:
    """Log to the rotating `log_file` (normally `AppPaths.log_file`) at `level`, and to stderr at
    WARNING, both redacted.

    Handlers go on the root logger so that httpx's and keyring's records are redacted and kept too.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    # Case titles and client names are confidential: the log directory is the user's alone.
    log_file.parent.chmod(0o700)
    redactor = redactor or Redactor()
    setup = LoggingSetup(
        redactor=redactor,
        log_file=log_file,
        filter=RedactingFilter(redactor),
        previous_level=logging.getLogger().level,
    )
    formatter = logging.Formatter(_FORMAT)

    file_handler = logging.handlers.RotatingFileHandler(
        setup.log_file, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
    )
    file_handler.setFormatter(formatter)
    setup.add_handler(file_handler)
    if stderr:
        console = logging.StreamHandler(sys.stderr)
        console.setLevel(logging.WARNING)
        # Qt's own messages (about the platform plugin, OpenGL…) are for the log file only.
        console.addFilter(lambda record: not record.name.startswith("qt"))
        console.setFormatter(formatter)
        setup.add_handler(console)
    logging.getLogger().setLevel(logging.getLevelName(level.upper()))
    # A retry after a network hiccup is routine, not a warning for the user's terminal: stamina
    # reports each one at WARNING; keep them in the log file as INFO.
    logging.getLogger("stamina").addFilter(_routine_retry)
    return setup


def _routine_retry(record: logging.LogRecord) -> bool:
    if record.levelno == logging.WARNING and "retry_scheduled" in record.getMessage():
        record.levelno, record.levelname = logging.INFO, "INFO"
    return True


def log_tail(log_file: Path, lines: int) -> list[str]:
    """The last `lines` lines of the log, reaching into the previous rotated file if needed."""
    tail: deque[str] = deque(maxlen=lines)
    for path in (log_file.with_name(log_file.name + ".1"), log_file):
        try:
            with path.open(encoding="utf-8", errors="replace") as stream:
                tail.extend(line.rstrip("\n") for line in stream)
        except FileNotFoundError:
            continue
    return list(tail)


def diagnostics(
    config: Config,
    paths: AppPaths,
    *,
    redactor: Redactor | None = None,
    log_lines: int = 200,
    extra: Iterable[tuple[str, str]] = (),
) -> str:
    """A plain-text report for "Copy diagnostics": version, platform, settings and the log tail.

    Settings are the declared ones only (by construction none is a secret); the whole text goes
    through the redactor once more in case a secret slipped into a value or a log line. `extra`
    adds caller-known facts such as ("Keyring", "memory only").
    """
    out = [
        f"{APP_NAME} {__version__}",
        f"Python {platform.python_version()} ({platform.python_implementation()})"
        f"{' frozen' if getattr(sys, 'frozen', False) else ''}",
        f"Platform {platform.platform()} {platform.machine()}",
        f"Config dir {paths.config}",
        f"Data dir {paths.data}",
        f"Log file {paths.log_file}",
    ]
    out.extend(f"{name} {value}" for name, value in extra)
    out.append("")
    out.append("Settings:")
    out.extend(f"  {key} = {value}" for key, value in config.snapshot().items())
    if config.problems:
        out.append("Settings problems:")
        out.extend(f"  {problem}" for problem in config.problems)
    out.append("")
    tail = log_tail(paths.log_file, log_lines)
    out.append(f"Last {len(tail)} log lines:")
    out.extend(tail)
    text = "\n".join(out) + "\n"
    return (redactor or Redactor()).scrub(text)
