"""The test harness: offscreen Qt, private directories, a memory keyring, the sandbox world.

Habits: every standard directory points into the test's temp dir; the OS keyring is replaced by a
dict; Qt warnings fail tests (pytest config); WARNING records from the app's own loggers fail a
test unless it asks for `caplog` (it then owns them); asyncio runs on a qasync loop driven by
pytest-qt's waits (`qloop`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

# Before anything imports Qt: no display here, and QtWebEngine refuses to run as root unsandboxed
# (without this the whole test process exits silently).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if hasattr(os, "getuid") and os.getuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
# Generated seed files (a 2,000-page PDF among them) are shared by every test and kept between runs,
# inside the checkout rather than the user's real cache.
os.environ.setdefault("LCSANDBOX_CACHE_DIR", str(Path(__file__).resolve().parents[1] / ".sandbox-cache"))

from app.qtcompat import make_singletons_immortal
from tests.helpers.memory_keyring import MemoryKeyring

make_singletons_immortal()  # see app/qtcompat.py: PySide6 6.12 over-releases callback results


@pytest.fixture(autouse=True)
def private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point HOME, the XDG directories and the app's own home override into the test's temp dir."""
    home = tmp_path / "home"
    for var, sub in {
        "HOME": "",
        "XDG_CONFIG_HOME": ".config",
        "XDG_DATA_HOME": ".local/share",
        "XDG_CACHE_HOME": ".cache",
        "XDG_STATE_HOME": ".local/state",
        "XDG_RUNTIME_DIR": "run",
    }.items():
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(path))
    (home / "run").chmod(0o700)
    monkeypatch.setenv("LEGALCONNECT_DESKTOP_HOME", str(tmp_path / "app-home"))
    monkeypatch.setenv("TMPDIR", str(_mkdir(tmp_path / "tmp")))
    return home


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


class _WarningCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def fail_on_app_warnings(request: pytest.FixtureRequest) -> Iterator[None]:
    """An unexpected WARNING from the app's loggers fails the test (tests that expect one use caplog)."""
    collector = _WarningCollector()
    logger = logging.getLogger("app")
    logger.addHandler(collector)
    yield
    logger.removeHandler(collector)
    if collector.records and "caplog" not in request.fixturenames:
        lines = "\n".join(f"{r.name}: {r.getMessage()}" for r in collector.records)
        pytest.fail(f"unexpected warnings logged by the app:\n{lines}")


@pytest.fixture
def qloop(qapp: object) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop marked running, so pytest-qt's waits drive asyncio tasks.

    Never call qtbot.wait* inside a coroutine; start tasks, then wait on them from the test.
    """
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    for _ in range(200):
        if all(t.done() for t in pending):
            break
        qapp.processEvents()  # type: ignore[attr-defined]
    # Not loop.stop(): it would call QApplication.exit() outside exec() and break later waits.
    loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
    asyncio.events._set_running_loop(None)
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture(scope="session")
def sandbox_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded sandbox data directory, made once per test session and copied by `sandbox_world`."""
    from sandbox.launcher import SandboxWorld

    template = tmp_path_factory.mktemp("sandbox-template")
    world = SandboxWorld(template)
    world.start(timeout=600)  # first seeding generates the seed files
    world.stop()
    return template


@pytest.fixture
def sandbox_world(sandbox_template: Path, tmp_path: Path) -> Iterator[object]:
    """Both sandbox servers on free loopback ports, over a fresh copy of the seeded data."""
    from sandbox.launcher import SandboxWorld

    data = tmp_path / "sandbox"
    shutil.copytree(sandbox_template, data, ignore=shutil.ignore_patterns("endpoints.json"))
    world = SandboxWorld(data)
    world.start()
    yield world
    world.stop()
