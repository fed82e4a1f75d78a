"""A client-side budget for Clio's per-token rate limit (fixed 60-second windows).

Clio reports the window on every answer (`X-RateLimit-Limit`, `-Remaining`, `-Reset` as unix time)
and answers `429` with `Retry-After` once it is spent. The limiter keeps what the last answer said,
counts requests still in flight against it, and makes callers wait:

- after a `429` nobody sends anything until `Retry-After` has passed (every caller, not only the one
  that was refused: the limit belongs to the token, not to the call);
- background work (pollers, bulk filing) stops at a reserved headroom and waits for the next window,
  so the user's own browsing always has requests left; interactive calls may use the headroom.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from app.services.events import EventHub

Priority = Literal["interactive", "background"]

WINDOW_S = 60.0
"""Clio's window length; no wait for a window to reset is ever longer (the clocks may disagree)."""
NOTICE_S = 1.0
"""Waits at least this long are announced (`RateLimiter.waits`), so a face can say why nothing moves."""


@dataclass(frozen=True)
class RateWait:
    """A caller of `priority` waits about `seconds` for Clio's limit; `seconds` 0: it goes on now."""

    priority: Priority
    seconds: float


@dataclass(frozen=True)
class LimitState:
    """What the limiter currently believes (for status displays and tests)."""

    limit: int | None
    remaining: int | None
    reset_in: float | None
    blocked_for: float
    in_flight: int


class RateLimiter:
    """Shared by every request made with one access token. Not thread-safe: one event loop."""

    def __init__(
        self,
        *,
        headroom_share: float = 0.2,
        min_headroom: int = 3,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.headroom_share = headroom_share
        self.min_headroom = min_headroom
        self._clock = clock
        self._sleep = sleep
        self._limit: int | None = None
        self._remaining: int | None = None  # as last reported, minus requests sent since
        self._reset_at: float | None = None
        self._blocked_until = 0.0
        self._in_flight = 0
        self.waits: EventHub[RateWait] = EventHub()

    @property
    def headroom(self) -> int:
        """Requests per window that only interactive calls may use."""
        if self._limit is None:
            return self.min_headroom
        return max(self.min_headroom, math.ceil(self._limit * self.headroom_share))

    def state(self) -> LimitState:
        now = self._clock()
        return LimitState(
            limit=self._limit,
            remaining=self._remaining,
            reset_in=None if self._reset_at is None else max(0.0, self._reset_at - now),
            blocked_for=max(0.0, self._blocked_until - now),
            in_flight=self._in_flight,
        )

    async def acquire(self, priority: Priority = "interactive") -> None:
        """Wait until a request of this priority may be sent, and count it as sent. Waits of
        `NOTICE_S` or more are announced on `waits`, and so is the end of them."""
        announced = False
        try:
            while True:
                wait = self._wait_needed(priority)
                if wait <= 0:
                    break
                if wait >= NOTICE_S:
                    announced = True
                    self.waits.emit(RateWait(priority, wait))
                await self._sleep(wait)
        finally:
            if announced:  # going on, or cancelled: either way no longer waiting
                self.waits.emit(RateWait(priority, 0.0))
        if self._remaining is not None:
            self._remaining -= 1
        self._in_flight += 1

    def _wait_needed(self, priority: Priority) -> float:
        now = self._clock()
        if self._blocked_until > now:
            return self._blocked_until - now
        if self._reset_at is not None and now >= self._reset_at:
            # A new window: the full limit again (the next answer will say exactly).
            self._remaining, self._reset_at = self._limit, None
        if self._remaining is None:
            return 0.0
        reserve = self.headroom if priority == "background" else 0
        if self._remaining > reserve:
            return 0.0
        if self._reset_at is None:
            # Spent, and no reset time known: wait a whole window at most, then try.
            self._reset_at = now + WINDOW_S
        return min(self._reset_at - now, WINDOW_S)

    def release(
        self, status: int | None, headers: Mapping[str, str] | None, retry_after: float | None = None
    ) -> None:
        """Record the answer to a request counted by `acquire` (status None: no answer came).

        `retry_after` is the 429's `Retry-After` in seconds (the caller parses its date form)."""
        self._in_flight = max(0, self._in_flight - 1)
        if headers is None:
            return
        headers = {name.lower(): value for name, value in headers.items()}
        now = self._clock()
        limit = _int(headers.get("x-ratelimit-limit"))
        remaining = _int(headers.get("x-ratelimit-remaining"))
        reset = _int(headers.get("x-ratelimit-reset"))
        if limit is not None:
            self._limit = limit
        if remaining is not None:
            # Requests sent after this one was answered are not in the figure yet.
            self._remaining = max(0, remaining - self._in_flight)
        if reset is not None:
            self._reset_at = now + min(max(0.0, reset - now), WINDOW_S)
        if status == 429:
            if retry_after is None:
                retry_after = _float(headers.get("retry-after"))
            pause = WINDOW_S if retry_after is None else min(max(retry_after, 0.0), 2 * WINDOW_S)
            self._blocked_until = max(self._blocked_until, now + pause)
            self._remaining = 0
            self._reset_at = self._blocked_until


def _int(value: str | None) -> int | None:
    try:
        return None if value is None else int(value.strip())
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    try:
        return None if value is None else float(value.strip())
    except ValueError:
        return None
