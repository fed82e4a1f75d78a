"""How each returned document stands towards Clio, in words a paralegal reads at a glance.

The filer computes these from the journal (what is done survives restarts) and from what it knows
right now (filing, waiting for a matter or a connection, another workstation on it); the views only
render them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class FilingState(enum.StrEnum):
    FILED = "filed"
    """In Clio (filed here, or by another workstation of the firm)."""
    FILING = "filing"
    """Being filed now."""
    WAITING = "waiting"
    """Not filed yet, for a reason that resolves itself or that the user can fix (`text` says which)."""
    FAILED = "failed"
    """The last attempt failed (`text` says why); tried again at the next poll, or on Retry."""
    NOT_FILED = "not_filed"
    """Deliberately left out: it was deleted in Clio after filing, so it is never filed again."""
    NOT_OFFERED = "not_offered"
    """Clio is not offered by the Service Provider: nothing to show."""


class Blocker(enum.StrEnum):
    """Why an order's returns wait, when the reason is the order's rather than a document's.

    `needs_person` says whether a person must act (choose a matter) rather than time passing."""

    NO_MATTER = "no_matter"
    NOT_CONNECTED = "not_connected"
    MATTER_CLOSED = "matter_closed"
    MATTER_GONE = "matter_gone"
    RATE_LIMITED = "rate_limited"

    @property
    def needs_person(self) -> bool:
        return self in (Blocker.NO_MATTER, Blocker.MATTER_CLOSED, Blocker.MATTER_GONE)


BLOCKER_TEXT = {
    Blocker.NO_MATTER: "Waiting — choose the Clio matter for this order",
    Blocker.NOT_CONNECTED: "Waiting for Clio — connect to Clio to file it",
    Blocker.MATTER_CLOSED: "Waiting — the Clio matter is closed; choose another matter",
    Blocker.MATTER_GONE: "Waiting — the Clio matter no longer exists; choose another matter",
    Blocker.RATE_LIMITED: "Waiting for Clio (rate limit) — it goes on by itself shortly",
}


@dataclass(frozen=True)
class ClioPlace:
    """Where a filed document is, for "Show in Clio": the path of ids the Clio window opens."""

    client_id: int
    matter_id: int
    folder_ids: tuple[int, ...]


@dataclass(frozen=True)
class DeliverableFiling:
    """One returned document's state towards Clio, with the words to show."""

    state: FilingState
    text: str
    clio_document_id: int | None = None
    place: ClioPlace | None = None


@dataclass(frozen=True)
class OrderFiling:
    """An order's returns at a glance (the orders list and the order panel)."""

    total: int
    filed: int
    failed: int
    blocker: Blocker | None

    @property
    def waiting(self) -> int:
        return self.total - self.filed - self.failed

    @property
    def text(self) -> str:
        """ "All 4 in Clio", "2 of 4 in Clio", "1 failed", "Choose matter", "" (nothing returned)."""
        if self.total == 0:
            return ""
        if self.filed >= self.total:
            return f"All {self.total} in Clio" if self.total > 1 else "In Clio"
        if self.blocker is Blocker.NO_MATTER:
            return "Choose Clio matter"
        if self.blocker in (Blocker.MATTER_CLOSED, Blocker.MATTER_GONE):
            return "Choose another matter"
        if self.failed:
            return f"{self.failed} failed"
        if self.blocker in (Blocker.NOT_CONNECTED, Blocker.RATE_LIMITED):
            return f"{self.waiting} waiting for Clio"
        return f"{self.filed} of {self.total} in Clio"

    @classmethod
    def widest_texts(cls) -> list[str]:
        """Every shape `text` takes, with two-digit counts (to size a column once)."""
        shapes = [cls(10, 10, 0, None), cls(10, 9, 0, None), cls(10, 0, 10, None)]
        shapes += [cls(10, 0, 0, blocker) for blocker in Blocker]
        return [shape.text for shape in shapes]
