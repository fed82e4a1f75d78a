"""Helpers for the Clio OAuth tests: a browser stand-in for Clio's pages, a counting transport, a clock."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx

from app.services.clio.auth import ClioApp, ClioAuth
from app.services.legalconnect.client import LegalConnectClient
from app.services.secrets import MemoryTokenStore

ACCOUNT = "dana.whitfield@harborvale.example"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class CountingTransport(httpx.AsyncBaseTransport):
    """A real HTTP transport that remembers every request (method and URL) and each answer's status."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.requests: list[tuple[str, httpx.URL]] = []
        self.statuses: list[int] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.method, request.url))
        response = await self._inner.handle_async_request(request)
        self.statuses.append(response.status_code)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()

    def count(self, path: str, host: str | None = None) -> int:
        """How many requests went to `path` (on `host`'s port when given: the two servers share one host)."""
        port = httpx.URL(host).port if host else None
        return sum(1 for _, url in self.requests if url.path == path and (port is None or url.port == port))


class Clock:
    """Wall-clock time plus a settable offset, so a test can jump past a token's expiry."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def consent(authorize_url: str, decision: str, login: Any) -> str:
    """Sign in on Clio's page and click Allow or Deny like a browser; the final redirect's Location."""
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        page = browser.get(authorize_url)
        assert page.status_code == 200 and 'id="sign-in"' in page.text
        signed_in = browser.post(
            authorize_url, data={"step": "sign_in", "email": login.email, "password": login.password}
        )
        assert signed_in.status_code == 200 and f'id="{decision}"' in signed_in.text, signed_in.text
        match = _CSRF.search(signed_in.text)
        assert match is not None
        answer = browser.post(authorize_url, data={"csrf_token": match.group(1), "decision": decision})
        assert answer.status_code == 302, answer.text
        return answer.headers["location"]


async def legalconnect_token(world: Any) -> str:
    """A LegalConnect session token of the demo user (the broker's bearer)."""
    client = LegalConnectClient(world.endpoints.legalconnect.api_url)
    try:
        login = world.endpoints.legalconnect.demo_user
        await client.sign_in(login.email, login.password)
        token = client.token
        assert token is not None
        return token
    finally:
        await client.aclose()


async def provider_app(world: Any, region: str = "US") -> ClioApp:
    """The Service Provider's Clio app for `region`, as the sandbox's provider profile describes it."""
    client = LegalConnectClient(world.endpoints.legalconnect.api_url)
    try:
        login = world.endpoints.legalconnect.demo_user
        await client.sign_in(login.email, login.password)
        return ClioApp.from_provider(await client.provider(), region)
    finally:
        await client.aclose()


class Harness:
    """A `ClioAuth` against the sandbox with everything a test wants to look at."""

    def __init__(
        self,
        world: Any,
        app: ClioApp,
        *,
        bearer: str | None = None,
        secret: str | None = None,
    ) -> None:
        self.world = world
        self.store = MemoryTokenStore()
        self.transport = CountingTransport()
        self.clock = Clock()
        self.changes = 0
        self.secrets: list[str] = []
        self.bearer = bearer
        self.auth = ClioAuth(
            app,
            self.store,
            ACCOUNT,
            broker_bearer=lambda: self.bearer,
            client_secret=lambda: secret,
            transport=self.transport,
            clock=self.clock,
            on_change=self._changed,
            add_secret=self.secrets.append,
        )

    def _changed(self) -> None:
        self.changes += 1

    async def connect(self) -> Any:
        """The whole browser dance, then `complete`: the stored tokens."""
        request = self.auth.begin()
        location = consent(request.url, "allow", self.world.endpoints.clio.demo_user)
        return await self.auth.complete(location)

    def token_requests(self) -> int:
        """Requests to the token endpoint in use (the broker's or Clio's)."""
        url = httpx.URL(self.auth.app.token_url)
        return self.transport.count(url.path, str(url))


def who_am_i_status(world: Any, access_token: str) -> int:
    """The status Clio's API answers to `access_token`."""
    response = httpx.get(
        f"{world.endpoints.clio.api_url}/users/who_am_i.json",
        params={"fields": "id"},
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=10,
    )
    return response.status_code


def revoke_everything(world: Any, user_id: int) -> None:
    """What a user removing the app inside Clio does: every token of theirs stops working."""
    response = httpx.post(f"{world.endpoints.clio.base_url}/_sandbox/clio/revoke", json={"user_id": user_id})
    response.raise_for_status()
