"""Real services against the sandbox world over HTTP, for driving the real widgets offscreen.

`make_stack()` builds the service graph through the app's own composition root (`app.compose`),
with the memory keyring standing in for the OS one; calling it a second time with the same
`tmp_path` is "the next start of the app" (same database, keyring and settings, new clients).
Everything is closed at teardown.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import stamina
from PySide6.QtCore import QEvent

from app.compose import Services, Target, compose
from app.config import Config
from app.paths import AppPaths
from app.redaction import Redactor
from app.services.keyring_store import KeyringTokenStore
from app.services.legalconnect.client import LegalConnectClient
from app.services.orders import OrdersService
from app.services.session import SessionService
from app.services.store import Store
from app.views.clio_access import ClioAccess
from app.views.main_window import Live, MainWindow
from app.views.tasks import TaskRunner
from tests.helpers.memory_keyring import MemoryKeyring


@dataclass
class Stack:
    """One start of the app: its composed services, a task runner, and what the runner showed."""

    services: Services
    tokens: KeyringTokenStore
    runner: TaskRunner
    presented: list[str] = field(default_factory=list)
    clio_access: ClioAccess | None = None

    @property
    def client(self) -> LegalConnectClient:
        return self.services.legalconnect

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def settings(self) -> Config:
        return self.services.settings

    @property
    def orders(self) -> OrdersService:
        return self.services.orders

    @property
    def session(self) -> SessionService:
        return self.services.session

    def clio(self) -> ClioAccess:
        """The window's Clio adapter over this start's connection (made once)."""
        if self.clio_access is None:
            self.clio_access = ClioAccess(self.services.clio, self.runner)
        return self.clio_access


@pytest.fixture(autouse=True)
def delete_widgets_in_gui_thread(qapp: Any) -> Iterator[None]:
    """Destroy the test's widgets here and now. Left to Python's cycle collector, a window could be
    destroyed later on a sandbox server thread, which Qt reports as a warning (timers, threads)."""
    yield
    qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(autouse=True)
def fast_retries() -> Iterator[None]:
    """Retries without backoff sleeps, so a provider that is down fails in milliseconds."""
    with stamina.set_testing(True, attempts=2):
        yield


@pytest.fixture
def settings() -> Config:
    """The settings shared by every start of the app within one test."""
    return Config.in_memory()


@pytest.fixture
def make_stack(
    sandbox_world: Any,
    qtbot: Any,
    qloop: asyncio.AbstractEventLoop,
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    settings: Config,
) -> Iterator[Callable[..., Stack]]:
    endpoint = sandbox_world.endpoints.legalconnect
    stacks: list[Stack] = []

    def make(transport: httpx.AsyncBaseTransport | None = None) -> Stack:
        paths = AppPaths.under(tmp_path / "app").ensure()
        tokens = KeyringTokenStore(memory_keyring)
        services = compose(
            paths, settings, Target(endpoint.api_url), redactor=Redactor(), tokens=tokens, transport=transport
        )
        presented: list[str] = []
        runner = TaskRunner(lambda _owner, message: presented.append(message))
        stack = Stack(services, tokens, runner, presented)
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        closing = asyncio.ensure_future(stack.runner.shutdown())
        qtbot.waitUntil(closing.done)
        closing = asyncio.ensure_future(stack.services.aclose())
        qtbot.waitUntil(closing.done)


@pytest.fixture
def stack(make_stack: Callable[..., Stack]) -> Stack:
    return make_stack()


@pytest.fixture
def make_window(qtbot: Any) -> Callable[..., MainWindow]:
    """A main window over `stack`, not started (tests call `start()` when they want the flow).
    With `clio=True` it offers Clio as the app does (when the provider enables it)."""

    def make(stack: Stack, *, clio: bool = False) -> MainWindow:
        services = stack.services
        window = MainWindow(
            settings=stack.settings,
            runner=stack.runner,
            diagnostics=lambda: "diagnostics text",
            live=Live(
                services.engine,
                services.desk,
                stack.clio() if clio else None,
                services.returns,
                services.notices,
                services.expenses,
            ),
        )
        qtbot.addWidget(window)
        return window

    return make


def run(qtbot: Any, coro: Any, timeout: int = 15_000) -> Any:
    """Run a coroutine to completion from a test (never from inside a coroutine)."""
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


@pytest.fixture
def demo(sandbox_world: Any) -> Any:
    """The sandbox's demo user (email, password)."""
    return sandbox_world.endpoints.legalconnect.demo_user
