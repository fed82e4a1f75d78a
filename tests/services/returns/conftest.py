"""The composed service graph on the sandbox, signed in and (optionally) connected to Clio, for the
returns filer's tests: real HTTP to both emulators, every request counted."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import stamina

from app.compose import Services, Target, compose
from app.config import Config
from app.paths import AppPaths
from app.redaction import Redactor
from app.services.clio.records import Document
from app.services.legalconnect.records import Deliverable, Order
from app.services.returns.folders import DOCUMENT_KEY, OrderKeys
from app.services.secrets import MemoryTokenStore
from tests.services.clio.auth_fixtures import CountingTransport, consent


@pytest.fixture(autouse=True)
def no_backoff_sleeps() -> Iterator[None]:
    with stamina.set_testing(True, attempts=3):
        yield


@pytest.fixture(autouse=True)
def roomy_rate_limit(sandbox_world: Any) -> None:
    """Clio's 50 requests a minute would make each test wait minutes; the limiter itself is
    tested on its own and measured by the filing benchmark."""
    sandbox_world.clio_faults.update({"rate_limit_per_minute": 100_000})


@dataclass
class Desk:
    """One workstation's composed services on the sandbox, and the sandbox itself."""

    services: Services
    world: Any
    transport: CountingTransport
    tokens: MemoryTokenStore
    events: list[Any] = field(default_factory=list)

    @property
    def clio_port(self) -> int | None:
        return httpx.URL(self.world.endpoints.clio.base_url).port

    def clio_api_requests(self) -> list[tuple[str, httpx.URL]]:
        """The Clio API requests sent so far (storage transfers and OAuth left out)."""
        return [
            (method, url)
            for method, url in self.transport.requests
            if url.port == self.clio_port and url.path.startswith("/api/v4/")
        ]

    async def connect_clio(self) -> None:
        """Allow the connection on the sandbox's Clio pages, as the pop-up would."""
        clio = self.services.clio
        assert clio.auth is not None, "Clio is set up after sign-in"
        location = await asyncio.to_thread(
            consent, clio.auth.begin().url, "allow", self.world.endpoints.clio.demo_user
        )
        await clio.auth.complete(location)

    async def admin(self, server: str, path: str, body: dict[str, Any]) -> Any:
        base = (
            self.world.endpoints.legalconnect.base_url
            if server == "legalconnect"
            else self.world.endpoints.clio.base_url
        )
        async with httpx.AsyncClient(timeout=60) as admin:
            answer = await admin.post(f"{base}/_sandbox/{server}{path}", json=body)
            answer.raise_for_status()
            return answer.json()

    async def decided_orders(self, count: int, documents: int, *, with_matter: bool = True) -> list[int]:
        made = await self.admin(
            "legalconnect",
            "/decided-orders",
            {"count": count, "documents": documents, "with_matter": with_matter},
        )
        return list(made["order_ids"])

    async def orders(self) -> list[Order]:
        return await self.services.orders.refresh()

    async def deliverables(self, order_id: int) -> list[Deliverable]:
        return await self.services.legalconnect.deliverables(order_id)

    def key(self, deliverable_id: int) -> str:
        return OrderKeys(httpx.URL(self.world.endpoints.legalconnect.api_url).host).document(deliverable_id)

    async def in_clio(self, deliverable_id: int) -> list[Document]:
        """Every Clio document carrying the returned document's key (unfinished and trashed too)."""
        client = self.services.clio.client
        assert client is not None
        return await client.find_documents_by_key(DOCUMENT_KEY, self.key(deliverable_id))


Body = Callable[[Desk], Awaitable[None]]


def make_desk(world: Any, home: Path, *, transport: CountingTransport | None = None) -> Desk:
    lc = world.endpoints.legalconnect
    paths = AppPaths.under(home).ensure()
    counting = transport or CountingTransport()
    tokens = MemoryTokenStore()
    services = compose(
        paths, Config.in_memory(), Target(lc.api_url), redactor=Redactor(), tokens=tokens, transport=counting
    )
    services.session.preset(lc.demo_user.email, lc.demo_user.password)
    desk = Desk(services, world, counting, tokens)
    services.returns.events.subscribe(desk.events.append)
    services.notices.events.subscribe(desk.events.append)
    return desk


def run_desk(world: Any, home: Path, body: Body, *, connect: bool = True) -> None:
    """Sign in (and connect Clio), then run `body` on a fresh event loop; close everything after."""

    async def main() -> None:
        desk = make_desk(world, home)
        try:
            assert await desk.services.session.restore() is not None
            desk.services.clio.configure(
                desk.services.session.provider, desk.services.session.session.user_email
            )
            if connect:
                await desk.connect_clio()
            await body(desk)
        finally:
            await desk.services.aclose()

    asyncio.run(main())
