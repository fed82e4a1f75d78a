"""The one way a widget runs background work: `TaskRunner.run(owner, coroutine, ...)`.

It keeps every task referenced until it ends, calls `on_success` / `on_error` on the GUI thread
(qasync runs asyncio on Qt's loop), drops results when the owning widget is gone, and routes any
failure nobody handled to one error presenter: service failures with their own message, bugs as a
short notice while the traceback goes to the log. Never a traceback in a dialog.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject

from app.services.http import ServiceError

log = logging.getLogger(__name__)

T = TypeVar("T")
ErrorPresenter = Callable[[QObject | None, str], None]
"""Shows a message for a failure nobody else handled (the main window's notification area)."""


class TaskRunner:
    """Runs coroutines for widgets; see the module docstring."""

    def __init__(self, present_error: ErrorPresenter) -> None:
        self._present_error = present_error
        self._tasks: set[asyncio.Task[Any]] = set()
        self._keyed: dict[tuple[int, str], asyncio.Task[Any]] = {}

    def run(
        self,
        owner: QObject | None,
        coro: Coroutine[Any, Any, T],
        *,
        on_success: Callable[[T], None] | None = None,
        on_error: Callable[[ServiceError], bool | None] | None = None,
        key: str | None = None,
    ) -> asyncio.Task[T]:
        """Start `coro` now. With `key`, an earlier unfinished task of the same owner and key is
        cancelled first (a new search replaces the old one). `on_error` returns True when it has
        shown the failure itself; otherwise the shared presenter shows it."""
        task: asyncio.Task[T] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        slot = (id(owner), key) if key is not None else None
        if slot is not None:
            previous = self._keyed.get(slot)
            if previous is not None and not previous.done():
                previous.cancel()
            self._keyed[slot] = task

        def finished(done: asyncio.Task[T]) -> None:
            self._tasks.discard(done)
            if slot is not None and self._keyed.get(slot) is done:
                del self._keyed[slot]
            if done.cancelled():
                return
            alive = owner is None or shiboken6.isValid(owner)
            exc = done.exception()
            if exc is None:
                if alive and on_success is not None:
                    on_success(done.result())
                return
            if isinstance(exc, ServiceError):
                log.info("background work failed: %s", exc)
                handled = bool(on_error(exc)) if (alive and on_error is not None) else False
                if not handled and alive:
                    self._present_error(owner, exc.user_message)
                return
            log.error("unexpected error in background work", exc_info=exc)
            self._present_error(
                owner if alive else None,
                "Something went wrong. The details are in the log (Help › Copy diagnostics).",
            )

        task.add_done_callback(finished)
        return task

    @property
    def running(self) -> int:
        """How many tasks have not finished yet."""
        return len(self._tasks)

    async def shutdown(self) -> None:
        """Cancel everything still running and wait for it to unwind (used when the app quits)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
