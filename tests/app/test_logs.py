"""Logging setup (rotating file, stderr at WARNING, undone by close) and the diagnostics text."""

from __future__ import annotations

import logging
import stat
import sys
from pathlib import Path

import pytest

from app import __version__, config
from app.config import Config
from app.logs import LoggingSetup, diagnostics, log_tail, setup_logging
from app.paths import AppPaths


def test_rotating_file_in_the_log_dir() -> None:
    paths = AppPaths.from_environment()
    setup = setup_logging(paths.log_file, stderr=False, max_bytes=2000, backups=2)
    try:
        log = logging.getLogger("app.test_logs")
        for number in range(200):
            log.info("line %03d %s", number, "x" * 40)
        names = sorted(p.name for p in paths.log.iterdir())
        assert names == ["legalconnect.log", "legalconnect.log.1", "legalconnect.log.2"]
        if sys.platform != "win32":
            assert stat.S_IMODE(paths.log.stat().st_mode) == 0o700
    finally:
        setup.close()


def test_level_and_close_restore_the_root_logger() -> None:
    root = logging.getLogger()
    before_level, before_handlers = root.level, list(root.handlers)
    setup = setup_logging(AppPaths.from_environment().log_file, level="debug")
    assert root.level == logging.DEBUG
    stderr_handlers = [
        h for h in setup.handlers if isinstance(h, logging.StreamHandler) and h.stream is sys.stderr
    ]
    assert [h.level for h in stderr_handlers] == [logging.WARNING]
    setup.close()
    assert root.level == before_level
    assert root.handlers == before_handlers


def test_added_handlers_are_redacted(tmp_path: Path) -> None:
    setup = setup_logging(AppPaths.from_environment().log_file, stderr=False)
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    try:
        setup.add_handler(Collect())
        logging.getLogger("app.view").info("Authorization: Bearer abcdefgh12345678")
    finally:
        setup.close()
    assert seen == ["Authorization: «redacted»"]


def test_log_tail_reaches_into_the_rotated_file(tmp_path: Path) -> None:
    log_file = tmp_path / "legalconnect.log"
    log_file.with_name("legalconnect.log.1").write_text("old 1\nold 2\n", encoding="utf-8")
    log_file.write_text("new 1\nnew 2\n", encoding="utf-8")
    assert log_tail(log_file, 3) == ["old 2", "new 1", "new 2"]
    assert log_tail(tmp_path / "missing.log", 3) == []


@pytest.fixture
def logging_setup() -> LoggingSetup:
    return setup_logging(AppPaths.from_environment().ensure().log_file, stderr=False)


def test_diagnostics_has_version_settings_and_log_tail(logging_setup: LoggingSetup) -> None:
    paths = AppPaths.from_environment()
    cfg = Config.open(paths.settings_file)
    cfg.set(config.PROVIDER_URL, "https://provider.example.com")
    cfg.set(config.REMEMBERED_EMAIL, "pat@firm.example")
    logging_setup.redactor.add_secret("the-users-password-123")
    try:
        log = logging.getLogger("app.test_logs")
        for number in range(30):
            log.info("event %d", number)
        log.info("signing in with password=%s", "the-users-password-123")
        text = diagnostics(
            cfg, paths, redactor=logging_setup.redactor, log_lines=10, extra=[("Keyring", "memory")]
        )
    finally:
        logging_setup.close()
    assert f"LegalConnect Desktop {__version__}" in text
    assert "Python 3." in text
    assert "Keyring memory" in text
    assert "provider.url = 'https://provider.example.com'" in text
    assert "signin.remembered_email = 'pat@firm.example'" in text
    assert "clio.region = 'US'" in text
    assert "event 29" in text and "event 19" not in text
    assert "the-users-password-123" not in text
    assert "Last 10 log lines:" in text


def test_diagnostics_reports_settings_problems(caplog: pytest.LogCaptureFixture) -> None:
    paths = AppPaths.from_environment()
    cfg = Config.in_memory({"poll.interval_seconds": 1})
    text = diagnostics(cfg, paths)
    assert "Settings problems:" in text
    assert "poll.interval_seconds" in text
