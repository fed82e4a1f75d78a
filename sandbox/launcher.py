"""Start both sandbox servers in a background thread, for the app's `--sandbox` and for tests.

Beside them runs the firm's identity provider, on a port of its own: Clio sends sign-ins there
when its `sso_login` knob is on.

    with SandboxWorld(data_dir) as world:
        world.endpoints.clio.base_url  # http://127.0.0.1:<port>

Ports are bound before the apps are built, so each server knows its own URL and the other's.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from pathlib import Path
from typing import Any

import uvicorn

from sandbox.common.faults import Faults
from sandbox.common.settings import ClioSettings, LegalConnectSettings
from sandbox.endpoints import Endpoints, for_servers
from sandbox.seed import firm


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _origin(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class SandboxWorld:
    """Both sandbox servers, running on loopback in one background thread."""

    def __init__(
        self,
        data_dir: Path,
        *,
        host: str = "127.0.0.1",
        clio_port: int = 0,
        legalconnect_port: int = 0,
        scale: str = "demo",
        clio_faults: Faults | None = None,
        legalconnect_faults: Faults | None = None,
        log_level: str = "warning",
    ) -> None:
        self.data_dir = Path(data_dir)
        self.host = host
        self.clio_port = clio_port
        self.legalconnect_port = legalconnect_port
        self.scale = scale
        self.clio_faults = clio_faults or Faults()
        self.legalconnect_faults = legalconnect_faults or Faults()
        self.log_level = log_level
        self._servers: list[uvicorn.Server] = []
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._error: BaseException | None = None
        self._endpoints: Endpoints | None = None

    @property
    def endpoints(self) -> Endpoints:
        if self._endpoints is None:
            raise RuntimeError("the sandbox world is not running")
        return self._endpoints

    def start(self, timeout: float = 60.0) -> Endpoints:
        """Seed (first run only), bind, serve; return once every server accepts connections."""
        # Imported here so that `import sandbox.launcher` stays cheap for the app's start-up.
        from sandbox.clio.app import create_app as create_clio
        from sandbox.clio.app import create_identity_provider
        from sandbox.legalconnect.app import create_app as create_legalconnect

        sockets: list[socket.socket] = []
        try:
            for port in (self.clio_port, self.legalconnect_port, 0):
                sockets.append(_bind(self.host, port))
        except BaseException:
            for sock in sockets:
                sock.close()
            raise
        clio_url, lc_url, idp_url = (_origin(self.host, sock) for sock in sockets)
        try:
            clio_settings = ClioSettings(
                self.data_dir / "clio", clio_url, self.clio_faults, self.scale, identity_provider_url=idp_url
            )
            clio_app = create_clio(clio_settings)
            idp_app = create_identity_provider(clio_settings)
            lc_app = create_legalconnect(
                LegalConnectSettings(
                    self.data_dir / "legalconnect",
                    lc_url,
                    self.legalconnect_faults,
                    self.scale,
                    clio_base_url=clio_url,
                    clio_client_secret=firm.CLIO_CLIENT_SECRET,
                )
            )
        except BaseException:  # seeding or app assembly failed: free the ports before reporting it
            for sock in sockets:
                sock.close()
            raise
        # The Clio emulator first: tests find its app at index 0.
        self._servers = [uvicorn.Server(self._config(app)) for app in (clio_app, lc_app, idp_app)]
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(sockets, ready), name="sandbox-world", daemon=True
        )
        self._thread.start()
        # `ready` is also set when a server task ends early (its error reaches `_error` only later,
        # through gather), so success means every server reports `started`.
        started = ready.wait(timeout) and all(s.started for s in self._servers)
        if not started or self._error is not None:
            self.stop()
            raise RuntimeError(f"the sandbox servers did not start: {self._error!r}")
        self._endpoints = for_servers(clio_url, lc_url, idp_url)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "endpoints.json").write_text(self._endpoints.to_json(), encoding="utf-8")
        return self._endpoints

    def _config(self, app: Any) -> uvicorn.Config:
        return uvicorn.Config(
            app, log_level=self.log_level, lifespan="on", access_log=False, timeout_graceful_shutdown=2
        )

    def _run(self, sockets: list[socket.socket], ready: threading.Event) -> None:
        async def serve() -> None:
            self._loop = asyncio.get_running_loop()
            tasks = [
                asyncio.create_task(server.serve(sockets=[sock]))
                for server, sock in zip(self._servers, sockets, strict=True)
            ]
            while not all(s.started for s in self._servers):
                if any(t.done() for t in tasks):
                    break
                await asyncio.sleep(0.01)
            ready.set()
            await asyncio.gather(*tasks)

        try:
            asyncio.run(serve())
        except BaseException as exc:  # reported to start() / stop() callers, never swallowed
            self._error = exc
            ready.set()
        finally:
            for sock in sockets:
                sock.close()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the servers to finish, wait for the thread. Safe to call twice."""
        for server in self._servers:
            server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._endpoints = None

    def __enter__(self) -> SandboxWorld:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
