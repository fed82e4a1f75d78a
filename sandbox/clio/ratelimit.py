"""Per-access-token rate limiting in fixed 60-second windows (DOC-RL); tests may shorten them."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

WINDOW_S = 60.0


@dataclass(frozen=True)
class Verdict:
    """The outcome for one request, and the header values to send with it."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: int
    retry_after: int

    def headers(self) -> dict[str, str]:
        out = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_at),
        }
        if not self.allowed:
            out["Retry-After"] = str(self.retry_after)
        return out


class RateLimiter:
    """Counts requests per token; the window starts at a token's first request in it."""

    def __init__(
        self,
        limit: Callable[[], int],
        clock: Callable[[], float] = time.time,
        window: Callable[[], float] = lambda: WINDOW_S,
    ) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}

    def check(self, token: str) -> Verdict:
        limit = self._limit()
        window = self._window()
        now = self._clock()
        with self._lock:
            start, count = self._windows.get(token, (now, 0))
            if now >= start + window:
                start, count = now, 0
            allowed = count < limit
            if allowed:
                count += 1
            self._windows[token] = (start, count)
        reset = start + window
        return Verdict(
            allowed=allowed,
            limit=limit,
            remaining=max(0, limit - count),
            reset_at=math.ceil(reset),
            retry_after=max(1, math.ceil(reset - now)),
        )
