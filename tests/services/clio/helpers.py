"""Helpers for the Clio client tests: real tokens from the emulator, token doubles, a request recorder."""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from sandbox.endpoints import Endpoints
from sandbox.seed import firm


def connect_tokens(
    endpoints: Endpoints, email: str | None = None, password: str | None = None
) -> tuple[str, str]:
    """(access, refresh) tokens, got the way a browser would: sign in, Allow, exchange the code."""
    clio = endpoints.clio
    params = {
        "response_type": "code",
        "client_id": clio.client_id,
        "redirect_uri": clio.redirect_uri,
        "state": "x",
    }
    authorize = f"{clio.base_url}/oauth/authorize?{urlencode(params)}"
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        assert browser.get(authorize).status_code == 200
        consent = browser.post(
            authorize,
            data={
                "step": "sign_in",
                "email": email or clio.demo_user.email,
                "password": password or clio.demo_user.password,
            },
        )
        assert consent.status_code == 200, consent.text
        forms = re.findall(r"<form[^>]*>(.*?)</form>", consent.text, re.S)
        allow = next(f for f in forms if 'value="allow"' in f)
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', allow))
        redirect = browser.post(authorize, data={k: html.unescape(v) for k, v in hidden.items()})
        assert redirect.status_code == 302, redirect.text
        code = parse_qs(urlsplit(redirect.headers["location"]).query)["code"][0]
        token = browser.post(
            f"{clio.base_url}/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": clio.redirect_uri,
                "client_id": clio.client_id,
                "client_secret": firm.CLIO_CLIENT_SECRET,
            },
        )
        assert token.status_code == 200, token.text
        body = token.json()
        return body["access_token"], body["refresh_token"]


def refresh_access(endpoints: Endpoints, refresh_token: str) -> str:
    """A new access token for `refresh_token` (the token endpoint, as the OAuth side would call it)."""
    clio = endpoints.clio
    answer = httpx.post(
        f"{clio.base_url}/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": clio.client_id,
            "client_secret": firm.CLIO_CLIENT_SECRET,
        },
        timeout=10,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


class StaticTokens:
    """A TokenSource double: always the same token; a refresh hands out `refreshed` (or the same)."""

    def __init__(self, token: str, refreshed: str | Callable[[], str] | None = None) -> None:
        self.token = token
        self.refreshed = refreshed
        self.access_calls = 0
        self.refresh_calls: list[str] = []

    async def access_token(self) -> str:
        self.access_calls += 1
        return self.token

    async def refresh_after_unauthorized(self, rejected_token: str) -> str:
        self.refresh_calls.append(rejected_token)
        if self.refreshed is not None:
            self.token = self.refreshed() if callable(self.refreshed) else self.refreshed
        return self.token


@dataclass(frozen=True)
class Recorded:
    """One API request as it left the client."""

    method: str
    url: str
    headers: list[tuple[str, str]]
    json_body: Any | None
    test: str = ""


@dataclass
class Recorder:
    """Every Clio API request made by clients built through the test fixtures (the whole session)."""

    requests: list[Recorded] = field(default_factory=list)
    current_test: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, request: httpx.Request) -> None:
        if not request.url.path.startswith("/api/v4"):
            return  # the storage host and the OAuth pages are not part of the API spec
        body = None
        if request.method in ("POST", "PATCH", "PUT") and request.content:
            body = json.loads(request.content)
        entry = Recorded(
            request.method, str(request.url), list(request.headers.items()), body, self.current_test
        )
        with self._lock:
            self.requests.append(entry)


RECORDER = Recorder()


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes requests to a real transport; records API requests; calls `on_response` hooks."""

    def __init__(
        self,
        recorder: Recorder = RECORDER,
        inner: httpx.AsyncBaseTransport | None = None,
        on_response: Callable[[httpx.Request, httpx.Response], None] | None = None,
        on_request: Callable[[httpx.Request], None] | None = None,
    ) -> None:
        self.recorder = recorder
        self.inner = inner or httpx.AsyncHTTPTransport()
        self.on_response = on_response
        self.on_request = on_request
        self.sent: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.recorder.add(request)
        self.sent.append(request)
        if self.on_request is not None:
            self.on_request(request)
        response = await self.inner.handle_async_request(request)
        if self.on_response is not None:
            self.on_response(request, response)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


class FakeClock:
    """Time that only moves when someone sleeps on it (for the rate limiter)."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        import asyncio

        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)
