"""The LegalConnect service client: sign-in, provider profile, orders, deliverables.

One long-lived `httpx.AsyncClient` for the provider's host (explicit timeouts, injectable
transport), taken from the app's shared `http.Remotes`: the Clio token broker on the same host
uses the same pool. Reads and writes
that are safe to repeat (PATCH, DELETE) are retried with jittered backoff; creating and submitting
are not (a repeated submit could file twice). Every failure leaves as
a `ServiceError` whose `user_message` comes from the service's own error body when it has one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.services import http
from app.services.filesave import Progress, Saved, save_stream
from app.services.legalconnect.filing import FilingCalls
from app.services.legalconnect.ordering import OrderingCalls
from app.services.legalconnect.records import (
    Deliverable,
    Order,
    OrderPage,
    OrderStatus,
    ProtocolError,
    Provider,
    Session,
)
from app.services.legalconnect.reference import ReferenceCalls

if TYPE_CHECKING:
    import httpx

MAX_PAGES = 2_000
"""Pages of orders one refresh may read (200,000 orders at 100 a page) before it is stopped."""


class IntegrityError(http.ServiceError):
    """A downloaded file does not match the size or checksum the service announced."""


class LegalConnectClient(ReferenceCalls, OrderingCalls, FilingCalls):
    """Talks to one Service Provider's LegalConnect API (`api_url` ends in `/api/v1`).

    Reference data (`ReferenceCalls`), placing orders (`OrderingCalls`) and the Clio filing records
    (`FilingCalls`) live in their own modules; this class holds the connection, the session and the
    orders list."""

    def __init__(
        self,
        api_url: str,
        *,
        service_name: str = "the Service Provider",
        transport: httpx.AsyncBaseTransport | None = None,
        remotes: http.Remotes | None = None,
    ) -> None:
        """`remotes`: the app's shared connection pools (without it, the client keeps its own and
        closes them in `aclose`). The pool itself is made on first use (`prepare`)."""
        self.service_name = service_name
        self.api_url = api_url.rstrip("/") + "/"
        self._owns_remotes = remotes is None
        self._remotes = remotes or http.Remotes(transport=transport)
        self._token: str | None = None

    @property
    def _http(self) -> httpx.AsyncClient:
        try:
            return self._remotes.client(self.api_url)
        except ValueError as refused:
            raise http.ServiceError(
                self.service_name,
                f"The address of {self.service_name} ({self.api_url}) cannot be used: {refused}. "
                "Correct it in Settings.",
            ) from refused

    def prepare(self) -> None:
        """Load the HTTP stack and make the connection pool now (TLS set-up reads the system's
        certificates): call it off the GUI thread before the first request. Raises ValueError for
        plain http off loopback."""
        http.preload()
        self._remotes.client(self.api_url)

    @property
    def signed_in(self) -> bool:
        return self._token is not None

    @property
    def token(self) -> str | None:
        """The session's bearer token (for the Clio token broker), or None when signed out."""
        return self._token

    def use_token(self, token: str | None) -> None:
        """Use a bearer token remembered from an earlier sign-in (or forget it with None)."""
        self._token = token

    async def aclose(self) -> None:
        """Close the connection pool when this client made it (a shared one closes with the app)."""
        if self._owns_remotes:
            await self._remotes.aclose()

    # -- plumbing -------------------------------------------------------------------------------

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        import httpx  # loaded by the first request, not at start-up (see app.services.http)

        headers = dict(kwargs.pop("headers", None) or {})
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token}"
        try:
            response = await http.bounded_request(
                self._http,
                self.service_name,
                method,
                http.join(self.api_url, path),
                headers=headers,
                **kwargs,
            )
        except httpx.TransportError as exc:
            raise await http.transport_failure(self.service_name, exc) from exc
        if response.status_code >= 400:
            raise self._error(response)
        return response

    def _error(self, response: httpx.Response) -> http.HTTPStatusError:
        code = message = ""
        details: Any = None
        try:
            body = response.json()
            code = str(body["error"]["code"])
            message = str(body["error"]["message"])
            details = body["error"].get("details")
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # not our error shape (a proxy's page, say): the status decides the message
        if response.status_code == 401 and code != "invalid_credentials":
            message = "Your session with the Service Provider has ended. Please sign in again."
        error = http.status_error(self.service_name, response, code, message)
        if isinstance(details, dict):
            error.details = details
        return error

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._send(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise http.ServiceError(
                self.service_name, f"{self.service_name} sent an answer the app cannot read.", str(exc)
            ) from exc

    async def _get(self, path: str, **kwargs: Any) -> Any:
        return await http.retrying(lambda: self._json("GET", path, **kwargs))

    def _parse(self, parse: Callable[[Any], Any], raw: Any) -> Any:
        try:
            return parse(raw)
        except (ProtocolError, KeyError, TypeError, ValueError) as exc:
            raise http.ServiceError(
                self.service_name, f"{self.service_name} sent an answer the app cannot read.", str(exc)
            ) from exc

    # -- session --------------------------------------------------------------------------------

    async def sign_in(self, email: str, password: str) -> Session:
        """Open a session; on success the client uses its token. A wrong password raises AuthRequired
        with the service's message and leaves the client signed out."""
        self._token = None
        # Safe to repeat after a network hiccup: a lost answer leaves at most an unused session.
        raw = await http.retrying(
            lambda: self._json("POST", "session", json={"email": email, "password": password})
        )
        session: Session = self._parse(Session.from_json, raw)
        self._token = session.access_token
        return session

    async def sign_out(self) -> None:
        """End the session on the service (best effort) and forget the token."""
        try:
            if self._token is not None:
                await self._send("DELETE", "session")
        except http.ServiceError:
            pass  # signing out must work offline too; the token expires on its own
        finally:
            self._token = None

    async def current_session(self) -> Session:
        """The session the current token belongs to (AuthRequired when it has ended)."""
        raw = dict(await self._get("session"))
        raw["access_token"] = self._token or ""
        session: Session = self._parse(Session.from_json, raw)
        return session

    async def provider(self) -> Provider:
        result: Provider = self._parse(Provider.from_json, await self._get("provider"))
        return result

    # -- orders ---------------------------------------------------------------------------------

    async def orders_page(
        self,
        *,
        updated_since: dt.datetime | None = None,
        statuses: tuple[OrderStatus, ...] = (),
        query: str = "",
        offset: int = 0,
        limit: int = 100,
    ) -> OrderPage:
        """One page of the firm's orders, newest change first."""
        params: list[tuple[str, str | int]] = [("limit", limit), ("offset", offset)]
        if updated_since is not None:
            params.append(("updated_since", updated_since.astimezone(dt.UTC).isoformat()))
        params.extend(("status", s.value) for s in statuses)
        if query:
            params.append(("q", query))
        raw = await self._get("orders", params=params)

        def parse(body: Any) -> OrderPage:
            time = dt.datetime.fromisoformat(str(body["server_time"]).replace("Z", "+00:00"))
            orders = tuple(Order.from_json(o) for o in body["data"])
            return OrderPage(orders, body["paging"].get("next_offset"), time)

        page: OrderPage = self._parse(parse, raw)
        return page

    async def changed_orders(self, since: dt.datetime | None) -> tuple[list[Order], dt.datetime]:
        """Every order changed at or after `since` (all orders when None), and the server time to
        pass as `since` next time (the server's clock, so local clock skew loses nothing)."""
        page = await self.orders_page(updated_since=since)
        orders, server_time, offset, pages = list(page.orders), page.server_time, 0, 1
        while page.next_offset is not None:
            if page.next_offset <= offset:
                raise http.ServiceError(
                    self.service_name,
                    f"{self.service_name} sent a page of orders that did not move on; the refresh was "
                    "stopped.",
                    f"offset {offset} → {page.next_offset}",
                )
            if pages >= MAX_PAGES:
                raise http.ServiceError(
                    self.service_name,
                    f"{self.service_name} listed more than {MAX_PAGES} pages of orders; the refresh was "
                    "stopped.",
                )
            offset = page.next_offset
            page = await self.orders_page(updated_since=since, offset=offset)
            orders.extend(page.orders)
            pages += 1
        return orders, server_time

    async def order(self, order_id: int) -> Order:
        result: Order = self._parse(Order.from_json, await self._get(f"orders/{order_id}"))
        return result

    async def deliverables(self, order_id: int) -> list[Deliverable]:
        raw = await self._get(f"orders/{order_id}/deliverables")
        result: list[Deliverable] = self._parse(lambda b: [Deliverable.from_json(d) for d in b["data"]], raw)
        return result

    async def download_deliverable(
        self, deliverable: Deliverable, destination: Path, progress: Progress | None = None
    ) -> Path:
        """Stream a returned document to `destination` (a full path). The bytes go to a private
        temporary file beside it first, and replace `destination` only once size and sha256 match
        what the service announced; a failed download leaves nothing behind."""
        return await http.retrying(lambda: self._download(deliverable, destination, progress))

    async def _download(self, item: Deliverable, destination: Path, progress: Progress | None) -> Path:
        import httpx

        def accept(saved: Saved) -> None:
            if saved.size != item.size_bytes or saved.sha256 != item.sha256:
                raise IntegrityError(
                    self.service_name,
                    f"“{item.name}” arrived damaged (its checksum does not match). Try again.",
                    f"got {saved.size} bytes",
                )

        path = f"orders/{item.order_id}/deliverables/{item.id}/content"
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        try:
            async with self._http.stream("GET", http.join(self.api_url, path), headers=headers) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise self._error(response)
                return await save_stream(
                    response.aiter_bytes(1 << 16),
                    destination,
                    expected=item.size_bytes,
                    progress=progress,
                    accept=accept,
                    digest=True,
                )
        except httpx.TransportError as exc:
            raise await http.transport_failure(self.service_name, exc) from exc
