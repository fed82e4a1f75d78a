"""Where the app keeps its files: config, data (SQLite), cache, logs and private temporary files.

Every directory comes from platformdirs, except when the one environment variable
`LEGALCONNECT_DESKTOP_HOME` is set: then all of them live below that directory (tests, portable
installs). Nothing here creates a directory until `AppPaths.ensure()` is called.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from app import identity

APP_NAME = identity.APP_NAME
APP_AUTHOR = identity.ORGANIZATION
HOME_ENV = "LEGALCONNECT_DESKTOP_HOME"

#: Every temporary file or directory the app makes starts with this, so start-up cleaning only ever
#: touches our own leftovers.
TEMP_PREFIX = "lcd-"
#: A leftover older than this is stale. Age rather than "everything" because a second running
#: instance may be streaming a large file through its own temporary file right now.
STALE_TEMP_SECONDS = 6 * 3600

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppPaths:
    """The app's directories. Build with `AppPaths.from_environment()`, then call `ensure()`."""

    config: Path
    data: Path
    cache: Path
    log: Path
    temp: Path

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> AppPaths:
        """Directories from `LEGALCONNECT_DESKTOP_HOME` when set, else from platformdirs."""
        env = os.environ if environ is None else environ
        home = env.get(HOME_ENV, "").strip()
        if home:
            return cls.under(Path(home).expanduser())
        dirs = platformdirs.PlatformDirs(APP_NAME, APP_AUTHOR)
        cache = Path(dirs.user_cache_dir)
        # platformdirs has no per-user temp dir; a sub-directory of the user's own cache dir is
        # private by location, unlike a predictable name in the shared system temp dir.
        return cls(
            config=Path(dirs.user_config_dir),
            data=Path(dirs.user_data_dir),
            cache=cache,
            log=Path(dirs.user_log_dir),
            temp=cache / "tmp",
        )

    @classmethod
    def under(cls, home: Path) -> AppPaths:
        """Every directory below one home directory."""
        home = home.absolute()
        return cls(
            config=home / "config",
            data=home / "data",
            cache=home / "cache",
            log=home / "log",
            temp=home / "tmp",
        )

    @property
    def settings_file(self) -> Path:
        """The JSON settings file."""
        return self.config / "settings.json"

    @property
    def database_file(self) -> Path:
        """The local SQLite database (orders cache, drafts, journals)."""
        return self.data / "legalconnect.sqlite3"

    @property
    def lock_file(self) -> Path:
        """Held by the one process (window or headless sync) using this profile."""
        return self.data / "legalconnect.lock"

    @property
    def log_file(self) -> Path:
        """The current log file (rotated copies sit beside it as .1, .2, …)."""
        return self.log / "legalconnect.log"

    def ensure(self) -> AppPaths:
        """Create every directory; make the temp dir private (0700) and clean our stale leftovers."""
        for directory in (self.config, self.data, self.cache, self.log):
            directory.mkdir(parents=True, exist_ok=True)
        self.temp.mkdir(parents=True, exist_ok=True, mode=0o700)
        # mkdir's mode is filtered by the umask and ignored for an existing directory.
        self.temp.chmod(0o700)
        clean_stale_temp(self.temp)
        return self

    def temp_file(self, suffix: str = "") -> Path:
        """Create a new private (0600) empty temporary file in the temp dir and return its path.

        The caller removes it when done; leftovers from a crash are cleaned at a later start.
        """
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=suffix, dir=self.temp)
        os.close(fd)
        return Path(name)


def clean_stale_temp(temp: Path, *, older_than: float = STALE_TEMP_SECONDS, now: float | None = None) -> int:
    """Remove our own (prefixed) entries in `temp` not modified for `older_than` seconds.

    Returns how many entries were removed. Entries without our prefix are never touched.
    """
    cutoff = (time.time() if now is None else now) - older_than
    removed = 0
    for entry in temp.iterdir():
        if not entry.name.startswith(TEMP_PREFIX):
            continue
        try:
            if entry.lstat().st_mtime > cutoff:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed += 1
        except OSError as error:
            # Another instance may have removed it first, or it is still open on Windows.
            logger.info("could not remove stale temporary file %s: %s", entry.name, error)
    if removed:
        logger.info("removed %d stale temporary file(s)", removed)
    return removed
