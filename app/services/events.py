"""The one observer the services use to tell their faces (a window, the tray, the terminal) what happened.

A service owns an `EventHub` of its own event types and emits plain, frozen event objects,
synchronously and in order, on the thread that made the change (the event loop's). A screen's Qt
adapter subscribes once and turns each event into a signal; the headless command prints them. A
listener that raises is logged and skipped, so one broken face never stops the service or the
other faces.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

E = TypeVar("E")


class EventHub(Generic[E]):
    """A minimal observer: `subscribe` returns the function that unsubscribes."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[E], None]] = []

    def subscribe(self, listener: Callable[[E], None]) -> Callable[[], None]:
        """Call `listener(event)` for every event from now on; the result unsubscribes it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def emit(self, event: E) -> None:
        """Deliver `event` to every listener, in subscription order."""
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("a listener failed on %s", type(event).__name__)

    @property
    def listener_count(self) -> int:
        return len(self._listeners)
