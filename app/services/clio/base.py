"""The plumbing every Clio API call shares: auth, rate budget, typed errors, retries, cursor pages.

Requests go through the app's shared pool for Clio's host (`http.Remotes`: explicit timeouts, no
redirects followed, no default headers); each API request carries the pinned `X-API-VERSION` and
the bearer token itself, so nothing Clio-specific rides along when the same pools fetch signed
storage URLs (which refuse a second credential). Failures leave as the `app.services.http` error tree
with Clio's own error text. Idempotent requests are retried with jittered backoff after transport
errors and 5xx answers; other writes never are.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar

import httpx

from app.services import http
from app.services.clio.ratelimit import Priority, RateLimiter
from app.services.clio.records import ProtocolError
from app.services.clio.tokens import SERVICE, ClioConnectionEnded, TokenSource

API_VERSION = "4.0.13"
PAGE_SIZE = 200  # Clio's maximum: the fewest requests per listing
MAX_RATE_LIMITED_TRIES = 5
MAX_PAGES = 5_000
"""Pages one listing may take (a million records at 200 a page) before it is stopped as runaway."""

T = TypeVar("T")


@dataclass(frozen=True)
class PageCursor:
    """Where the next page of a listing starts. Opaque to callers: they hand back what they got.

    `url` is Clio's `meta.paging.next` (None: the current pass starts afresh); `stage` counts the
    passes of a listing made of several filtered requests (open matters, then pending ones)."""

    url: str | None
    stage: int = 0


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing and the cursor of the next (None: that was the last page)."""

    items: list[T]
    next: PageCursor | None


class ForeignPageUrl(http.ServiceError):
    """A `meta.paging.next` URL pointing away from the Clio API: not followed, no token sent there."""


class ClioBase:
    """Requests to one Clio region's API (`api_url` ends in `/api/v4`) for one connection."""

    def __init__(
        self,
        api_url: str,
        tokens: TokenSource,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        api_version: str = API_VERSION,
        limiter: RateLimiter | None = None,
        page_size: int = PAGE_SIZE,
        timeout: httpx.Timeout | None = None,
        remotes: http.Remotes | None = None,
    ) -> None:
        """`remotes`: the app's shared connection pools (without it, the client keeps its own and
        closes them in `aclose`)."""
        self.api_url = api_url.rstrip("/") + "/"
        self._owns_remotes = remotes is None
        self.remotes = remotes or http.Remotes(transport=transport, timeout=timeout)
        self._api = self.remotes.client(self.api_url)
        self._headers = {"X-API-VERSION": api_version, "Accept": "application/json"}
        self._base = httpx.URL(self.api_url)
        self._tokens = tokens
        self.limiter = limiter or RateLimiter()
        self.page_size = page_size
        self.api_version = api_version

    def storage(self, url: str) -> httpx.AsyncClient:
        """The pool for a signed storage URL. Raises `http.ServiceError` for a URL this app must not
        follow (plain http off loopback, not a web address): the bytes are never sent there."""
        try:
            return self.remotes.client(url)
        except ValueError as exc:
            raise http.ServiceError(SERVICE, "Clio sent a file link this app cannot use.", str(exc)) from exc

    async def aclose(self) -> None:
        """Close the connection pools when this client made them (shared ones close with the app)."""
        if self._owns_remotes:
            await self.remotes.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- plumbing -------------------------------------------------------------------------------

    async def send(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        priority: Priority = "interactive",
    ) -> httpx.Response:
        """One API request with the bearer token, within the rate budget.

        A 401 refreshes the token once and sends again once; a 429 waits out `Retry-After` (every
        caller waits, through the shared limiter) and sends again. Error answers raise."""
        token = await self._tokens.access_token()
        refreshed, rate_limited = False, 0
        while True:
            await self.limiter.acquire(priority)
            try:
                response = await http.bounded_request(
                    self._api,
                    SERVICE,
                    method,
                    http.join(self.api_url, url),
                    params=params,
                    json=json,
                    headers={**self._headers, **(headers or {}), "Authorization": f"Bearer {token}"},
                )
            except httpx.TransportError as exc:
                self.limiter.release(None, None)
                raise await http.transport_failure(SERVICE, exc) from exc
            except http.AnswerTooLarge:
                self.limiter.release(None, None)
                raise
            status = response.status_code
            retry_after = http.retry_after_seconds(response) if status == 429 else None
            self.limiter.release(status, response.headers, retry_after)
            if status == 401 and not refreshed:
                refreshed = True
                token = await self._tokens.refresh_after_unauthorized(token)
                continue
            if status == 429 and rate_limited < MAX_RATE_LIMITED_TRIES:
                rate_limited += 1
                continue
            if status >= 400:
                raise self.error(response)
            return response

    def error(self, response: httpx.Response) -> http.HTTPStatusError:
        """The typed error for an API error answer, carrying Clio's own message."""
        code = message = ""
        try:
            detail = response.json()["error"]
            code, message = str(detail.get("type", "")), str(detail.get("message", ""))
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # not Clio's error shape (a proxy's page, say): the status decides the message
        if response.status_code == 401:
            return ClioConnectionEnded(code or "unauthorized")
        return http.status_error(SERVICE, response, code, message)

    async def request_json(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        priority: Priority = "interactive",
        idempotent: bool | None = None,
    ) -> Any:
        """The decoded JSON answer; idempotent requests (default: GET) are retried when transient."""

        async def once() -> Any:
            response = await self.send(
                method, url, params=params, json=json, headers=headers, priority=priority
            )
            try:
                return response.json()
            except ValueError as exc:
                raise http.ServiceError(
                    SERVICE, "Clio sent an answer the app cannot read.", str(exc)
                ) from exc

        if idempotent if idempotent is not None else method == "GET":
            return await http.retrying(once)
        return await once()

    async def data(self, method: str, url: str, parse: Callable[[Any], T], **kwargs: Any) -> T:
        """`parse(body["data"])`, with a malformed answer reported as a ServiceError."""
        body = await self.request_json(method, url, **kwargs)
        return self.parse(parse, body)

    @staticmethod
    def parse(parse: Callable[[Any], T], body: Any) -> T:
        try:
            return parse(body["data"])
        except (ProtocolError, KeyError, TypeError, ValueError) as exc:
            raise http.ServiceError(SERVICE, "Clio sent an answer the app cannot read.", str(exc)) from exc

    def check_page_url(self, url: str) -> str:
        """`url` when it is on this API's own scheme, host, port and path; ForeignPageUrl otherwise."""
        try:
            target = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise ForeignPageUrl(SERVICE, "Clio sent a page link the app cannot use.", str(exc)) from exc
        same = (
            target.scheme == self._base.scheme
            and target.host == self._base.host
            and target.port == self._base.port
            and target.path.startswith(self._base.path)
        )
        if not same:
            raise ForeignPageUrl(
                SERVICE, "Clio sent a page link to another server; it was not followed.", f"{target.host}"
            )
        return url

    async def page(
        self,
        path_or_next: str,
        params: dict[str, Any] | None,
        fields: str,
        priority: Priority = "interactive",
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a listing: its records and the next page's URL (None on the last page).

        `path_or_next` is an API path (then `params` and `fields` apply) or a `next` URL from an
        earlier page (used exactly as given, after checking where it points)."""
        if path_or_next.startswith(("http://", "https://")):
            url, query = self.check_page_url(path_or_next), None
        else:
            url = path_or_next
            query = {**(params or {}), "fields": fields, "limit": self.page_size}
        body = await self.request_json("GET", url, params=query, priority=priority)
        try:
            records = body["data"]
            meta = body.get("meta") or {}
            next_url = (meta.get("paging") or {}).get("next") or None
            if not isinstance(records, list) or not (next_url is None or isinstance(next_url, str)):
                raise TypeError("data is not a list or paging.next is not a URL")
        except (KeyError, TypeError, AttributeError) as exc:
            raise http.ServiceError(SERVICE, "Clio sent an answer the app cannot read.", str(exc)) from exc
        if next_url is not None:
            self.check_page_url(next_url)
            if next_url == path_or_next:
                raise _same_page(next_url)
        return records, next_url

    async def pages(
        self, path: str, params: dict[str, Any] | None, fields: str, priority: Priority = "interactive"
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Every page of a listing, following `meta.paging.next` (checked to stay on this API). A
        `next` leading back to a page already read, or more than `MAX_PAGES` pages, stops it with
        an error rather than looping."""
        records, next_url = await self.page(path, params, fields, priority)
        yield records
        read: set[str] = set()
        while next_url is not None:
            if next_url in read:
                raise _same_page(next_url)
            if len(read) + 1 >= MAX_PAGES:
                raise http.ServiceError(
                    SERVICE, f"A Clio listing ran to more than {MAX_PAGES} pages; it was stopped.", path
                )
            read.add(next_url)
            records, next_url = await self.page(next_url, None, fields, priority)
            yield records

    async def _all(
        self, path: str, params: dict[str, Any], fields: str, parse: Callable[[Any], T], priority: Priority
    ) -> list[T]:
        out: list[T] = []
        async for records in self.pages(path, params, fields, priority):
            out.extend(self.parse(lambda raw: [parse(r) for r in raw], {"data": records}))
        return out


def _same_page(url: str) -> http.ServiceError:
    return http.ServiceError(
        SERVICE, "Clio sent the same page of a listing again; the listing was stopped.", url
    )
