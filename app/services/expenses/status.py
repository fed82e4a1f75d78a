"""How each fee stands towards Clio, in words a paralegal (or the bookkeeper) reads at a glance.

The expense poster computes these from its ledger and what it knows right now; the views and the
headless command only render them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


def money(cents: int) -> str:
    """An amount in cents as people read it: "$1,234.50"."""
    return f"${cents / 100:,.2f}"


class FeeWait(enum.StrEnum):
    """Why an order's fees wait, when the reason is the order's (or the firm's) rather than a fee's.

    `needs_person` says whether someone must act rather than time passing."""

    NO_MATTER = "no_matter"
    NOT_CONNECTED = "not_connected"
    MATTER_CLOSED = "matter_closed"
    MATTER_GONE = "matter_gone"
    RATE_LIMITED = "rate_limited"
    CATEGORY_MISSING = "category_missing"
    AWAITING_REVIEW = "awaiting_review"

    @property
    def needs_person(self) -> bool:
        return self not in (FeeWait.NOT_CONNECTED, FeeWait.RATE_LIMITED)


BLOCKER_TEXT = {
    FeeWait.NO_MATTER: "Waiting — choose the Clio matter for this order",
    FeeWait.NOT_CONNECTED: "Waiting for Clio — connect to Clio to post them",
    FeeWait.MATTER_CLOSED: "Waiting — the Clio matter is closed; choose another matter",
    FeeWait.MATTER_GONE: "Waiting — the Clio matter no longer exists; choose another matter",
    FeeWait.RATE_LIMITED: "Waiting for Clio (rate limit) — it goes on by itself shortly",
    FeeWait.CATEGORY_MISSING: "Waiting — an expense category is missing in Clio; create it, or choose "
    "another, in Settings › Fees into Clio",
    FeeWait.AWAITING_REVIEW: "Waiting for review — approve the fees (Activities page) to post them",
}
"""Why an order's fees wait, in words."""


@dataclass(frozen=True)
class OrderFees:
    """An order's fees towards Clio at a glance (from the ledger; no network). `lines` is 0 until
    the poster first listed them (an order waiting for a matter or a connection)."""

    lines: int
    posted: int
    failed: int
    blocker: FeeWait | None

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
