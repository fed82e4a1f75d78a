"""Running the sandbox: `python -m sandbox` as a real process, and the embedded `SandboxWorld`."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from sandbox.launcher import Endpoints, SandboxWorld
from sandbox.seed import firm

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 300.0  # first seeding generates every seed file (a 2,000-page PDF among them)


@pytest.fixture(scope="module")
def seed_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seed-file cache for every sandbox process of this module, so files are generated once."""
    return tmp_path_factory.mktemp("seed-cache")


@dataclass
class Running:
    """A `python -m sandbox` process and what it printed so far."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    _queue: queue.Queue[str | None] = field(default_factory=queue.Queue)

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, text: str, timeout: float) -> None:
        """Collect output until a line contains `text`; fail with everything printed if it never does."""
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no {text!r} within {timeout} s; output so far:\n" + "\n".join(self.lines))
            if line is None:
                pytest.fail(f"the sandbox exited with {self.process.wait()}:\n" + "\n".join(self.lines))
            self.lines.append(line)

    def value(self, label: str) -> str:
        """The first word after `label` at the start of a printed line."""
        for line in self.lines:
            match = re.match(rf"\s*{re.escape(label)}\s+(\S+)", line)
            if match:
                return match.group(1)
        raise AssertionError(f"{label!r} not printed:\n" + "\n".join(self.lines))

    def stop(self, sig: signal.Signals) -> int:
        self.process.send_signal(sig)
        code = self.process.wait(timeout=30)
        self.wait_for("Sandbox stopped.", timeout=5)
        return code


@contextmanager
def sandbox_process(data_dir: Path, seed_cache: Path, *args: str) -> Iterator[Running]:
    """Start `python -m sandbox` on free ports over `data_dir`; kill it if the test did not stop it."""
    env = {**os.environ, "LCSANDBOX_CACHE_DIR": str(seed_cache), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--data-dir", str(data_dir), *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    running = Running(process)
    threading.Thread(target=running._pump, daemon=True).start()
    try:
        running.wait_for("Press Ctrl+C to stop.", START_TIMEOUT)
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        assert process.stdout is not None
        process.stdout.close()


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _assert_port_free(port: int) -> None:
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))
    # And it can be bound again the way the launcher binds (no listener left behind).
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _assert_both_answer(endpoints: Endpoints) -> None:
    clio, lc = endpoints.clio, endpoints.legalconnect
    with httpx.Client(timeout=30) as http:
        authorize = http.get(
            f"{clio.base_url}/oauth/authorize",
            params={
                "response_type": "code",
                "client_id": clio.client_id,
                "redirect_uri": clio.redirect_uri,
                "state": "launcher-test",
            },
        )
        assert authorize.status_code == 200
        assert "text/html" in authorize.headers["content-type"]
        who = http.get(f"{clio.api_url}/users/who_am_i.json")
        assert who.status_code == 401
        assert "error" in who.json()
        openapi = http.get(lc.openapi_url)
        assert openapi.status_code == 200
        assert openapi.json()["openapi"].startswith("3.")


def test_python_m_sandbox_serves_both_prints_endpoints_and_stops_on_sigint(
    tmp_path: Path, seed_cache: Path
) -> None:
    data = tmp_path / "fresh"
    with sandbox_process(data, seed_cache, "--clio-port", "0", "--legalconnect-port", "0") as run:
        endpoints = Endpoints.from_json((data / "endpoints.json").read_text(encoding="utf-8"))
        assert run.value("Clio emulator") == endpoints.clio.base_url
        assert run.value("LegalConnect") == endpoints.legalconnect.base_url
        assert run.value("OAuth client id") == endpoints.clio.client_id == firm.CLIO_CLIENT_ID
        assert run.value("redirect URI") == endpoints.clio.redirect_uri
        assert run.value("OpenAPI document") == endpoints.legalconnect.openapi_url
        signs = [line.split(None, 3)[-1] for line in run.lines if line.strip().startswith("sign in as")]
        assert signs == [
            f"{firm.CLIO_DEMO_USER.email} / {firm.CLIO_DEMO_USER.password}",
            f"{firm.LC_DEMO_USER.email} / {firm.LC_DEMO_USER.password}",
        ]
        assert endpoints.clio.demo_user.password == firm.CLIO_DEMO_USER.password
        assert endpoints.legalconnect.demo_user.email == firm.LC_DEMO_USER.email
        for url in (endpoints.clio.base_url, endpoints.legalconnect.base_url):
            assert url.startswith("http://127.0.0.1:")
            assert _port(url) > 0
        _assert_both_answer(endpoints)
        assert run.stop(signal.SIGINT) == 0
    for url in (endpoints.clio.base_url, endpoints.legalconnect.base_url):
        _assert_port_free(_port(url))


def _snapshot(data: Path) -> dict[str, object]:
    """Row counts of every table of every database, the Clio secret, and the stored files' mtimes."""
    state: dict[str, object] = {}
    for db in sorted(data.rglob("*.sqlite3")):
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                count = conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
                state[f"{db.relative_to(data)}:{table}"] = count
        finally:
            conn.close()
    skip = (".sqlite3", ".sqlite3-wal", ".sqlite3-shm", "endpoints.json")
    for path in sorted(data.rglob("*")):
        if path.is_file() and not path.name.endswith(skip):
            state[str(path.relative_to(data))] = path.stat().st_mtime_ns
    return state


def test_second_start_reuses_the_seeded_data(
    tmp_path: Path, seed_cache: Path, sandbox_template: Path
) -> None:
    data = tmp_path / "again"
    shutil.copytree(sandbox_template, data, ignore=shutil.ignore_patterns("endpoints.json"))
    before = _snapshot(data)
    assert any(key.endswith(":items") for key in before)  # the Clio database really is there
    assert sum(1 for key in before if key.startswith("clio/blobs/")) >= 20  # and its stored files
    with sandbox_process(data, seed_cache) as run:
        assert run.stop(signal.SIGTERM) == 0
    assert _snapshot(data) == before


def test_fixed_ports_and_knobs_set_at_start_then_sigterm(
    tmp_path: Path, seed_cache: Path, sandbox_template: Path
) -> None:
    data = tmp_path / "fixed"
    shutil.copytree(sandbox_template, data, ignore=shutil.ignore_patterns("endpoints.json"))
    clio_port, lc_port = _free_port(), _free_port()
    knobs = [
        "--rate-limit",
        "7",
        "--token-lifetime",
        "120",
        "--storage-url-lifetime",
        "30",
        "--clerk-delay",
        "0.5",
        "--latency-ms",
        "1",
        "--seed",
        "11",
    ]
    args = ["--clio-port", str(clio_port), "--legalconnect-port", str(lc_port), *knobs]
    with sandbox_process(data, seed_cache, *args) as run:
        endpoints = Endpoints.from_json((data / "endpoints.json").read_text(encoding="utf-8"))
        assert endpoints.clio.base_url == f"http://127.0.0.1:{clio_port}"
        assert endpoints.legalconnect.base_url == f"http://127.0.0.1:{lc_port}"
        for base in (endpoints.clio.base_url, endpoints.legalconnect.base_url):
            shown = httpx.get(f"{base}/_sandbox/faults", timeout=30).json()
            assert shown["rate_limit_per_minute"] == 7
            assert shown["access_token_lifetime_s"] == 120
            assert shown["storage_url_lifetime_s"] == 30
            assert shown["clerk_delay_s"] == 0.5
            assert shown["latency_ms"] == 1.0
            assert shown["seed"] == 11
        assert run.stop(signal.SIGTERM) == 0
    _assert_port_free(clio_port)
    _assert_port_free(lc_port)


def _open_sockets() -> int:
    fds = Path("/proc/self/fd")
    count = 0
    for fd in fds.iterdir():
        try:
            count += os.readlink(fd).startswith("socket:")
        except OSError:  # the fd of the directory listing itself is gone by now
            continue
    return count


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts sockets through /proc")
def test_embedded_world_starts_and_stops_twice_without_leaks(sandbox_template: Path, tmp_path: Path) -> None:
    data = tmp_path / "embedded"
    shutil.copytree(sandbox_template, data, ignore=shutil.ignore_patterns("endpoints.json"))
    threads_before = set(threading.enumerate())
    sockets_before = _open_sockets()
    world = SandboxWorld(data)
    for _ in range(2):
        endpoints = world.start()
        assert Endpoints.from_json((data / "endpoints.json").read_text(encoding="utf-8")) == endpoints
        _assert_both_answer(endpoints)
        world.stop()
        with pytest.raises(RuntimeError, match="not running"):
            _ = world.endpoints
        _assert_port_free(_port(endpoints.clio.base_url))
        _assert_port_free(_port(endpoints.legalconnect.base_url))
    with SandboxWorld(data) as again:  # and as a context manager, on a new instance
        _assert_both_answer(again.endpoints)
    # Worker threads of the servers' event loop are told to stop when it ends; give them a moment.
    deadline = time.monotonic() + 5
    while set(threading.enumerate()) - threads_before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert set(threading.enumerate()) - threads_before == set()
    assert _open_sockets() == sockets_before
    world.stop()  # a second stop is harmless
