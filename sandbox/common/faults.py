"""Fault knobs: make a sandbox server slow, flaky or strict on purpose, or take a rarer path.

Each server owns one `Faults` instance. Knobs are set at start (command line, launcher arguments)
and at run time through the loopback-only admin endpoint `/_sandbox/faults` (see `admin_routes`).
Latency, 5xx answers and dropped connections are applied by `FaultMiddleware` to every route
except the admin ones; the other knobs are read by the server code that needs them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import json
import math
import random
import threading
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ADMIN_PREFIX = "/_sandbox"


@dataclasses.dataclass
class Faults:
    """The knobs of one server. All fields are safe to change while the server runs."""

    latency_ms: float = 0.0
    """Fixed delay added before every answer."""
    jitter_ms: float = 0.0
    """Extra random delay, uniform in [0, jitter_ms]."""
    error_rate: float = 0.0
    """Share of requests (0..1) answered with a 503 instead of being handled."""
    drop_rate: float = 0.0
    """Share of requests (0..1) whose connection is cut mid-answer, before the server acts on them."""
    lost_answer_rate: float = 0.0
    """Share of requests (0..1) the server carries out whose answer is then lost (connection cut):
    the client cannot know whether it happened."""
    throttle_rate: float = 0.0
    """Share of requests (0..1) answered 429 with `Retry-After: 1` (a storm of rate limiting)."""
    rate_limit_per_minute: int = 50
    """Clio: requests allowed per access token per window (60 seconds, as in Clio)."""
    rate_window_s: int = 60
    """Clio: the rate-limit window's length. Clio's is 60 s; tests shorten it to see waits quickly."""
    access_token_lifetime_s: int = 30 * 24 * 3600
    """Clio: `expires_in` of new access tokens (Clio documents 30 days)."""
    storage_url_lifetime_s: int = 600
    """Clio: lifetime of signed storage URLs for upload and download (Clio documents 10 minutes)."""
    upload_verify_timeouts: int = 0
    """Clio: the next N ``fully_uploaded`` PATCHes answer ``UploadTimeoutError`` (counts down)."""
    sso_login: bool = False
    """Clio: sign-ins go through the firm's identity provider (single sign-on, on a second loopback
    origin) instead of Clio's own password form."""
    clerk_delay_s: float = 3.0
    """LegalConnect: seconds between submission and the court clerk's decision."""
    seed: int | None = None
    """Seed for the random choices above, for repeatable fault runs."""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(self.seed)

    def update(self, changes: Mapping[str, Any]) -> None:
        """Apply `changes` atomically; raise ValueError naming the first bad knob, changing nothing."""
        fields = {f.name: f for f in dataclasses.fields(self)}
        checked: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in fields:
                raise ValueError(f"unknown fault knob {name!r}; known: {', '.join(sorted(fields))}")
            checked[name] = _coerce(name, value)
        with self._lock:
            for name, value in checked.items():
                setattr(self, name, value)
            if "seed" in checked:
                self._rng = random.Random(self.seed)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def roll(self, share: float) -> bool:
        """True with probability `share` (thread-safe, repeatable under `seed`)."""
        if share <= 0:
            return False
        with self._lock:
            return self._rng.random() < share

    def take_upload_timeout(self) -> bool:
        """True (and one fewer left) while forced ``UploadTimeoutError`` answers remain."""
        with self._lock:
            if self.upload_verify_timeouts > 0:
                self.upload_verify_timeouts -= 1
                return True
            return False

    def delay_s(self) -> float:
        with self._lock:
            jitter = self._rng.uniform(0, self.jitter_ms) if self.jitter_ms > 0 else 0.0
        return max(0.0, self.latency_ms + jitter) / 1000.0


_SHARES = {"error_rate", "drop_rate", "lost_answer_rate", "throttle_rate"}
_INTS = {
    "rate_limit_per_minute",
    "rate_window_s",
    "access_token_lifetime_s",
    "storage_url_lifetime_s",
    "upload_verify_timeouts",
}


_FLAGS = {"sso_login"}


def _coerce(name: str, value: Any) -> Any:
    if name in _FLAGS:
        if isinstance(value, bool):
            return value
        raise ValueError(f"{name} must be true or false")
    if name == "seed":
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        raise ValueError("seed must be an integer or null")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number")
    if not math.isfinite(value):  # JSON allows NaN and Infinity; an infinite latency would hang every call
        raise ValueError(f"{name} must be a finite number")
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    if name in _SHARES and value > 1:
        raise ValueError(f"{name} is a share between 0 and 1")
    if name in _INTS:
        if value != int(value) or (name in ("rate_limit_per_minute", "rate_window_s") and value < 1):
            raise ValueError(f"{name} must be a positive whole number")
        return int(value)
    return float(value)


ErrorBody = Callable[[int], Response]
"""Builds the server's own error answer for an injected failure (Clio and LegalConnect differ)."""


class FaultMiddleware:
    """Applies latency, injected 5xx answers and dropped connections to non-admin HTTP routes."""

    def __init__(self, app: ASGIApp, faults: Faults, error_response: ErrorBody) -> None:
        self.app = app
        self.faults = faults
        self.error_response = error_response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        delay = self.faults.delay_s()
        if delay:
            await asyncio.sleep(delay)
        if self.faults.roll(self.faults.drop_rate):
            await _drop(send)
            return
        if self.faults.roll(self.faults.error_rate):
            await self.error_response(503)(scope, receive, send)
            return
        if self.faults.roll(self.faults.throttle_rate):
            throttled = self.error_response(429)
            throttled.headers["Retry-After"] = "1"
            await throttled(scope, receive, send)
            return
        if self.faults.roll(self.faults.lost_answer_rate):
            await self.app(scope, receive, _swallow)  # done, but the answer never arrives
            await _drop(send)
            return
        await self.app(scope, receive, send)


async def _swallow(_message: Message) -> None:
    return None


async def _drop(send: Send) -> None:
    # Promise a body, send part of it, then return: uvicorn closes the socket, and the client sees
    # the connection cut mid-answer, as it would when a proxy or Wi-Fi drops it.
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"4096")]})
    await send({"type": "http.response.body", "body": b'{"data": ', "more_body": True})


def is_loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def admin_routes(
    faults: Faults, extra: Mapping[str, Callable[[Request], Awaitable[Response]]] | None = None
) -> list[Route]:
    """`GET|PATCH /_sandbox/faults` plus any server-specific admin routes (`extra`: path -> handler).

    Every admin route answers 403 to anything but a loopback client.
    """

    async def faults_endpoint(request: Request) -> Response:
        if not is_loopback(request):
            return JSONResponse({"error": "admin endpoint is loopback-only"}, status_code=403)
        if request.method == "PATCH":
            try:
                changes = json.loads(await request.body() or b"{}")
                if not isinstance(changes, dict):
                    raise ValueError("send a JSON object of knob names to values")
                faults.update(changes)
            except (ValueError, json.JSONDecodeError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(faults.as_dict())

    def guarded(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            if not is_loopback(request):
                return JSONResponse({"error": "admin endpoint is loopback-only"}, status_code=403)
            return await handler(request)

        return endpoint

    routes = [Route(f"{ADMIN_PREFIX}/faults", faults_endpoint, methods=["GET", "PATCH"])]
    for path, handler in (extra or {}).items():
        routes.append(Route(f"{ADMIN_PREFIX}{path}", guarded(handler), methods=["GET", "POST"]))
    return routes
