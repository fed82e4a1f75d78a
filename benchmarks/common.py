"""What every benchmark shares: a result row, medians, a sandbox in its own process."""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import asyncio

    import httpx

    from app.compose import Services
    from app.config import Config
    from app.views.main_window import MainWindow
    from app.views.tasks import TaskRunner
    from sandbox.endpoints import Endpoints

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


@dataclass(frozen=True)
class Figure:
    """One line of the benchmark table."""

    name: str
    value: float
    unit: str
    budget: str = ""
    note: str = ""

    @property
    def text(self) -> str:
        shown = f"{self.value:.2f}" if abs(self.value) < 100 else f"{self.value:.0f}"
        return f"{shown} {self.unit}".strip()


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def child_env(home: Path) -> dict[str, str]:
    """Environment for a child app process: headless, with its own app home."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    if hasattr(os, "getuid") and os.getuid() == 0:
        env.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    env["LEGALCONNECT_DESKTOP_HOME"] = str(home)
    env.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    return env


@contextmanager
def sandbox_process(data_dir: Path, *extra: str) -> Iterator[Path]:
    """`python -m sandbox` in its own process; yields the endpoints.json it wrote."""
    endpoints = data_dir / "endpoints.json"
    endpoints.unlink(missing_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--data-dir", str(data_dir), *extra],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 600
        while not endpoints.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the sandbox did not start")
            time.sleep(0.05)
        yield endpoints
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def run_json(
    cmd: list[str], env: dict[str, str], timeout: float = 120, cwd: Path = ROOT
) -> tuple[float, dict[str, object]]:
    """Start `cmd`, return (wall seconds from launch to its JSON line's `ready_at`, that JSON)."""
    started = time.time()
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("{")), None)
    if line is None:
        raise RuntimeError(f"{cmd[2:]} printed no result (exit {out.returncode}): {out.stderr[-2000:]}")
    data = json.loads(line)
    return float(data["ready_at"]) - started, data


class Heartbeat:
    """A Qt timer ticking every `interval_ms` on the GUI thread while work runs on the same loop:
    the longest gap between two ticks, less the interval, is the longest the window stood still."""

    def __init__(self, interval_ms: int = 5) -> None:
        from PySide6.QtCore import QElapsedTimer, QTimer

        self.interval_ms = interval_ms
        self._gaps = [0.0]
        self._beat = QElapsedTimer()
        self._timer = QTimer(interval=interval_ms)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self._gaps.append(self._beat.nsecsElapsed() / 1e6)
        self._beat.restart()

    def start(self) -> None:
        self._gaps = [0.0]
        self._beat.start()
        self._timer.start()

    def stop(self) -> float:
        """Stop; the longest stall since `start()`, in milliseconds."""
        self._timer.stop()
        return max(self._gaps) - self.interval_ms


def main_window(services: Services, runner: TaskRunner) -> MainWindow:
    """The real main window over a composed service graph, with the Clio adapter, shown."""
    from app.views.clio_access import ClioAccess
    from app.views.main_window import Live, MainWindow

    s = services
    clio = ClioAccess(s.clio, runner)
    window = MainWindow(
        settings=s.settings,
        runner=runner,
        diagnostics=lambda: "",
        live=Live(s.engine, s.desk, clio, s.returns, s.notices, s.expenses),
    )
    window.show()
    from app.main import freeze_long_lived

    freeze_long_lived()  # as the app does once its running half is composed
    return window


def qt_event_loop() -> asyncio.AbstractEventLoop:
    """The app's own loop, offscreen: a QApplication that (like the app) keeps running with no
    window open, and qasync's event loop over it, set as the current one."""
    import asyncio

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    from app.qtcompat import make_singletons_immortal

    make_singletons_immortal()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)  # as the app does: closing a window must not stop the loop
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    return loop


async def demo_services(
    endpoints: Endpoints,
    home: Path,
    transport: httpx.AsyncBaseTransport | None = None,
    settings: Config | None = None,
) -> Services:
    """The app's service graph (`app.compose`) over the sandbox, signed in as its demo user
    (`settings`: in memory, the defaults unless given)."""
    from app.compose import Target, compose
    from app.config import Config
    from app.paths import AppPaths
    from app.redaction import Redactor
    from app.services.secrets import MemoryTokenStore

    lc = endpoints.legalconnect
    services = compose(
        AppPaths.under(home).ensure(),
        settings if settings is not None else Config.in_memory(),
        Target(lc.api_url),
        redactor=Redactor(),
        tokens=MemoryTokenStore(),
        transport=transport,
    )
    services.session.preset(lc.demo_user.email, lc.demo_user.password)
    assert await services.session.restore() is not None
    return services


def on_sandbox(measure: Callable[[Endpoints, Path], list[Figure]]) -> list[Figure]:
    """`measure(endpoints, home)` against a sandbox in its own process, all in a temporary folder."""
    import tempfile

    from sandbox.endpoints import Endpoints

    with (
        tempfile.TemporaryDirectory(prefix="lcd-bench-") as tmp,
        sandbox_process(Path(tmp) / "sandbox") as path,
    ):
        endpoints = Endpoints.from_json(path.read_text(encoding="utf-8"))
        return measure(endpoints, Path(tmp))


def run_to_end(loop: asyncio.AbstractEventLoop, body: Coroutine[Any, Any, T]) -> T:
    """Run `body` on `loop` (from `qt_event_loop`), then close the loop and unset it."""
    import asyncio

    try:
        return loop.run_until_complete(body)
    finally:
        loop.close()
        asyncio.set_event_loop(None)
