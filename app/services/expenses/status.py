"""How each fee stands towards Clio, in words a paralegal (or the bookkeeper) reads at a glance.

The expense poster computes these from its ledger and what it knows right now; the views and the
headless command only render them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from app.services.returns.status import Blocker


def money(cents: int) -> str:
    """An amount in cents as people read it: "$1,234.50"."""
    return f"${cents / 100:,.2f}"


BLOCKER_TEXT = {
    Blocker.NO_MATTER: "Waiting — choose the Clio matter for this order",
    Blocker.NOT_CONNECTED: "Waiting for Clio — connect to Clio to post them",
    Blocker.MATTER_CLOSED: "Waiting — the Clio matter is closed; choose another matter",
    Blocker.MATTER_GONE: "Waiting — the Clio matter no longer exists; choose another matter",
    Blocker.RATE_LIMITED: "Waiting for Clio (rate limit) — it goes on by itself shortly",
}
"""Why an order's fees wait, in words."""


@dataclass(frozen=True)
class OrderFees:
    """An order's fees towards Clio at a glance (from the ledger; no network). `lines` is 0 until
    the poster first listed them (an order waiting for a matter or a connection)."""

    lines: int
    posted: int
    failed: int
    blocker: Blocker | None

    @property
    def waiting(self) -> int:
        return self.lines - self.posted

    @property
    def all_posted(self) -> bool:
        return self.lines > 0 and self.posted == self.lines


class FeeState(enum.StrEnum):
    POSTED = "posted"
    """In Clio as an expense (posted here, or by another workstation of the firm)."""
    POSTING = "posting"
    WAITING = "waiting"
    """Not posted yet, for a reason that resolves itself or that the user can fix (`text` says which)."""
    FAILED = "failed"
    """The last attempt failed (`text` says why); tried again at the next poll, or on Retry."""
    NOT_POSTED = "not_posted"
    """Left alone on purpose: fee posting is off, or the order was decided before it began."""


@dataclass(frozen=True)
class FeeLineState:
    """One fee line's state towards Clio, with the words to show."""

    state: FeeState
    text: str
    clio_activity_id: int | None = None
