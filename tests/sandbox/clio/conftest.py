"""Fixtures for the Clio emulator tests: a running server over real HTTP, tokens, clients.

`clio` uses the shared `sandbox_world` (both servers) when the LegalConnect emulator is importable,
otherwise it runs the Clio app alone on uvicorn in a thread over a fresh seeded data directory.
`clio_bench` always runs its own server seeded at bench scale.
"""

from __future__ import annotations

import asyncio
import importlib.util
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from sandbox.clio.api import Emulator
from sandbox.common.faults import Faults
from sandbox.common.settings import ClioSettings


@dataclass
class ClioServer:
    """A running Clio emulator as the tests see it."""

    base_url: str
    faults: Faults
    emulator: Emulator

    @property
    def api(self) -> str:
        return f"{self.base_url}/api/v4"

    def token(self, user_id: int = 1) -> str:
        return self.emulator.oauth.issue_token_for_tests(user_id)  # type: ignore[attr-defined,no-any-return]

    def client(self, token: str | None = None, **kwargs: Any) -> httpx.Client:
        """An API client carrying a fresh bearer token (not following redirects)."""
        headers = {"Authorization": f"Bearer {token or self.token()}"}
        return httpx.Client(base_url=self.api, headers=headers, timeout=30, **kwargs)


def _emulator_of(app: Any) -> Emulator:
    # The launcher hands uvicorn FaultMiddleware(Starlette); the emulator sits on the Starlette state.
    return app.app.state.emulator  # type: ignore[no-any-return]


class _OwnServer:
    def __init__(self, data_dir: Path, scale: str) -> None:
        from sandbox.clio.app import create_app

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        port = self.sock.getsockname()[1]
        self.faults = Faults()
        self.base_url = f"http://127.0.0.1:{port}"
        self.app = create_app(ClioSettings(data_dir, self.base_url, self.faults, scale))
        config = uvicorn.Config(self.app, log_level="warning", lifespan="on", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=lambda: asyncio.run(self.server.serve([self.sock])), daemon=True
        )

    def __enter__(self) -> ClioServer:
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the Clio emulator did not start")
            threading.Event().wait(0.01)
        return ClioServer(self.base_url, self.faults, _emulator_of(self.app))

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@pytest.fixture(scope="session")
def clio_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded demo data directory, made once per session (seed files are generated only once)."""
    from sandbox.clio.app import open_database

    template = tmp_path_factory.mktemp("clio-template") / "clio"
    open_database(ClioSettings(template, "http://127.0.0.1:9", Faults(), "demo")).close()
    return template


@pytest.fixture
def clio(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ClioServer]:
    """The Clio emulator over HTTP with a generous rate limit (tests that need it lower set it)."""
    if importlib.util.find_spec("sandbox.legalconnect.app") is not None:
        world = request.getfixturevalue("sandbox_world")
        faults = world.clio_faults
        faults.update({"rate_limit_per_minute": 100_000})
        app = world._servers[0].config.app
        yield ClioServer(world.endpoints.clio.base_url, faults, _emulator_of(app))
        return
    data = tmp_path / "clio"
    shutil.copytree(request.getfixturevalue("clio_template"), data)
    with _OwnServer(data, "demo") as server:
        server.faults.update({"rate_limit_per_minute": 100_000})
        yield server


@pytest.fixture
def clio_bench(tmp_path: Path) -> Iterator[ClioServer]:
    """A Clio emulator seeded at bench scale (2,000 more matters, a folder of 2,000 documents)."""
    with _OwnServer(tmp_path / "clio-bench", "bench") as server:
        server.faults.update({"rate_limit_per_minute": 100_000})
        yield server
