"""App directories: the one environment variable, platformdirs otherwise, the private temp dir."""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

import pytest

from app.paths import HOME_ENV, TEMP_PREFIX, AppPaths, clean_stale_temp


def test_home_variable_relocates_every_directory(tmp_path: Path) -> None:
    paths = AppPaths.from_environment()
    home = Path(os.environ[HOME_ENV])
    assert home == tmp_path / "app-home"
    for directory in (paths.config, paths.data, paths.cache, paths.log, paths.temp):
        assert directory.is_relative_to(home)
    assert len({paths.config, paths.data, paths.cache, paths.log, paths.temp}) == 5
    assert paths.settings_file.parent == paths.config
    assert paths.database_file.parent == paths.data
    assert paths.log_file.parent == paths.log


def test_platformdirs_without_the_variable(private_dirs: Path) -> None:
    paths = AppPaths.from_environment({})
    if sys.platform.startswith("linux"):
        assert paths.config == private_dirs / ".config" / "LegalConnect Desktop"
        assert paths.data == private_dirs / ".local/share" / "LegalConnect Desktop"
        assert paths.cache == private_dirs / ".cache" / "LegalConnect Desktop"
    assert paths.temp.parent == paths.cache


def test_blank_variable_means_unset(private_dirs: Path) -> None:
    assert AppPaths.from_environment({HOME_ENV: "  "}) == AppPaths.from_environment({})


def test_nothing_is_created_until_ensure() -> None:
    paths = AppPaths.from_environment()
    assert not paths.config.exists()
    paths.ensure()
    for directory in (paths.config, paths.data, paths.cache, paths.log, paths.temp):
        assert directory.is_dir()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_temp_dir_is_private_even_if_it_existed_open() -> None:
    paths = AppPaths.from_environment()
    paths.temp.mkdir(parents=True)
    paths.temp.chmod(0o755)
    paths.ensure()
    assert stat.S_IMODE(paths.temp.stat().st_mode) == 0o700
    made = paths.temp_file(".pdf")
    assert made.name.startswith(TEMP_PREFIX)
    assert made.suffix == ".pdf"
    assert stat.S_IMODE(made.stat().st_mode) == 0o600


def test_start_cleans_only_our_stale_leftovers() -> None:
    paths = AppPaths.from_environment()
    paths.temp.mkdir(parents=True)
    old = time.time() - 2 * 86400
    stale_file = paths.temp / f"{TEMP_PREFIX}old.pdf"
    stale_dir = paths.temp / f"{TEMP_PREFIX}olddir"
    fresh = paths.temp / f"{TEMP_PREFIX}fresh.pdf"
    foreign = paths.temp / "someone-else.txt"
    stale_dir.mkdir()
    (stale_dir / "inner").write_bytes(b"x")
    for path in (stale_file, fresh, foreign):
        path.write_bytes(b"x")
    for path in (stale_file, stale_dir, foreign):
        os.utime(path, (old, old))

    paths.ensure()

    assert not stale_file.exists()
    assert not stale_dir.exists()
    assert fresh.exists()
    assert foreign.exists()


def test_clean_stale_temp_counts(tmp_path: Path) -> None:
    (tmp_path / f"{TEMP_PREFIX}a").write_bytes(b"")
    (tmp_path / f"{TEMP_PREFIX}b").write_bytes(b"")
    assert clean_stale_temp(tmp_path, older_than=60, now=time.time() + 3600) == 2
    assert clean_stale_temp(tmp_path, older_than=60) == 0
