"""Work a service starts on its own (no widget asked for it): kept referenced, failures logged.

The views run their coroutines through `app.views.tasks.TaskRunner`; services that start work by
themselves (loading the Clio account after a connection appears, the sync engine's loop) use one
`Background` each. A task is referenced until it ends (asyncio keeps only weak references), a
failure is logged with its cause instead of vanishing with the task, and `aclose` cancels and
awaits whatever still runs when the app shuts down.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

from app.services.http import ServiceError

log = logging.getLogger(__name__)

T = TypeVar("T")


class Background:
    """The tasks one service started itself (see the module docstring)."""

    def __init__(self, owner: str) -> None:
        self._owner = owner
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, T], name: str) -> asyncio.Task[T]:
        """Start `coro` now on the running loop and keep it referenced until it ends."""
        task = asyncio.ensure_future(coro)
        task.set_name(f"{self._owner}: {name}")
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if isinstance(error, ServiceError):
            log.info("%s failed: %s", task.get_name(), error)
        elif error is not None:
            log.error("%s failed unexpectedly", task.get_name(), exc_info=error)

    @property
    def running(self) -> int:
        """How many tasks have not ended yet."""
        return len(self._tasks)

    async def aclose(self) -> None:
        """Cancel every task still running and wait for each to unwind."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
