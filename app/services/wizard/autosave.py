"""Debounced autosave of the order draft to the local Store, and the list of saved drafts.

A burst of changes (typing a title, a file's progress) becomes one write shortly after the last
change. With no running event loop (a plain script, a headless test) every change saves at once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.services.store import Store

Snapshot = Callable[[], tuple[str, str, Mapping[str, Any]]]
"""Returns (draft id, title, payload) of the draft as it is now."""


@dataclass(frozen=True)
class SavedDraft:
    """One entry of "Continue where you left off"."""

    id: str
    title: str
    document_count: int
    created_at: dt.datetime
    updated_at: dt.datetime


def saved_drafts(store: Store) -> list[SavedDraft]:
    """The order drafts saved in `store`, most recently changed first."""
    result = []
    for row in store.load_drafts():
        draft = row.payload.get("draft")
        if not isinstance(draft, Mapping):
            continue  # not a draft of this wizard (or from an incompatible version)
        documents = draft.get("documents") or ()
        result.append(SavedDraft(row.id, row.title, len(documents), row.created_at, row.updated_at))
    return result


class Autosaver:
    """Writes the draft `delay` seconds after the latest change (at once without a running loop)."""

    def __init__(self, store: Store, snapshot: Snapshot, delay: float = 0.5) -> None:
        self.store = store
        self._snapshot = snapshot
        self.delay = delay
        self._pending: asyncio.TimerHandle | None = None
        self._dirty = False
        self._stopped = False

    def changed(self) -> None:
        """Note a change; save soon."""
        if self._stopped:
            return
        self._dirty = True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None or self.delay <= 0:
            self.flush()
        elif self._pending is None:
            self._pending = loop.call_later(self.delay, self.flush)

    def flush(self) -> None:
        """Save now if anything changed since the last save."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        if self._dirty and not self._stopped:
            draft_id, title, payload = self._snapshot()
            self.store.save_draft(draft_id, payload, title=title)
            self._dirty = False

    def stop(self) -> None:
        """No more saves (the draft was submitted or discarded)."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        self._stopped = True
