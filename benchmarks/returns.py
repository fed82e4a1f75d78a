"""Filing court returns into Clio: what it costs in Clio requests, how close it runs to Clio's rate
limit, and whether the window stays responsive meanwhile.

The sandbox runs in its own process. The service graph is the app's own (`app.compose`), signed in
as the demo user and connected to the sandbox's Clio through its consent pages; every request is
counted at the transport.

1. Requests: a poll when nothing changed; a new order on a matter whose returns folder is known
   (per returned document, and for the order: its matter and new folder); a late document of an
   order whose folders are known.
2. Rate limit: 40 returned documents (10 orders) under Clio's limit of 50 requests a minute, with a
   fresh token. The filer uses the limiter's background share (the interactive headroom is kept for
   the user), and Clio's windows are fixed 60-second ones, so the floor for N requests is
   ⌈N / share⌉ − 1 whole windows. Budget: wall time ≤ 1.15x that floor, and no 429 answer.
3. Responsiveness: the real main window offscreen on a qasync loop, its orders list holding a firm's
   history (200 orders waiting for a Clio matter), filing 40 returned documents (the rate limit
   lifted) while a 5 ms heartbeat records the longest gap between its ticks.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import Figure, Heartbeat, demo_services, main_window, qt_event_loop, sandbox_process
from sandbox.endpoints import Endpoints
from tests.services.clio.auth_fixtures import CountingTransport

HEARTBEAT_MS = 5
HISTORY = 200  # orders already in the list when the window opens
LIMIT = 50


def _faults(endpoints: Endpoints, changes: dict[str, Any]) -> None:
    httpx.patch(f"{endpoints.clio.base_url}/_sandbox/faults", json=changes, timeout=10).raise_for_status()


def _decided_orders(
    endpoints: Endpoints, count: int, documents: int, *, with_matter: bool = True
) -> list[int]:
    answer = httpx.post(
        f"{endpoints.legalconnect.base_url}/_sandbox/legalconnect/decided-orders",
        json={"count": count, "documents": documents, "with_matter": with_matter},
        timeout=120,
    )
    answer.raise_for_status()
    return list(answer.json()["order_ids"])


def _late(endpoints: Endpoints, order_id: int) -> None:
    httpx.post(
        f"{endpoints.legalconnect.base_url}/_sandbox/legalconnect/late-signed-order",
        json={"order_id": order_id},
        timeout=60,
    ).raise_for_status()


async def _services(endpoints: Endpoints, home: Path, transport: Any) -> Any:
    from app import config
    from app.config import Config
    from tests.services.clio.auth_fixtures import consent

    settings = Config.in_memory()
    settings.set(config.HEARINGS_TO_CALENDAR, False)  # filing returns alone (the orders are motions)
    services = await demo_services(endpoints, home, transport, settings)
    session = services.session.session
    assert session is not None
    services.clio.configure(services.session.provider, session.user_email)
    assert services.clio.auth is not None
    login = endpoints.clio.demo_user
    location = await asyncio.to_thread(consent, services.clio.auth.begin().url, "allow", login)
    await services.clio.auth.complete(location)
    return services


def _api(transport: Any, endpoints: Endpoints, start: int) -> list[tuple[str, httpx.URL]]:
    port = httpx.URL(endpoints.clio.base_url).port
    sent = transport.requests[start:]
    return [(m, u) for m, u in sent if u.port == port and u.path.startswith("/api/v4/")]


def _costs(endpoints: Endpoints, home: Path) -> list[Figure]:
    transport = CountingTransport()

    async def body() -> list[Figure]:
        services = await _services(endpoints, home, transport)
        try:
            assert await services.engine.run_once()  # the seeded orders' returns
            start = len(transport.requests)
            assert await services.engine.run_once()
            idle = transport.requests[start:]
            idle_clio = len(_api(transport, endpoints, start))
            [order_id] = _decided_orders(endpoints, 1, 3)
            start = len(transport.requests)
            assert await services.engine.run_once()
            spent = _api(transport, endpoints, start)
            documents = len(await services.legalconnect.deliverables(order_id))
            per_document = sum(1 for _m, u in spent if "/documents" in u.path) / documents
            per_order = sum(1 for _m, u in spent if "/documents" not in u.path)
            _late(endpoints, order_id)
            start = len(transport.requests)
            assert await services.engine.run_once()
            late = _api(transport, endpoints, start)
            late_order = sum(1 for _m, u in late if "/documents" not in u.path)
            late_document = sum(1 for _m, u in late if "/documents" in u.path)
        finally:
            await services.aclose()
        return [
            Figure("requests per poll, nothing changed: provider", len(idle) - idle_clio, "req"),
            Figure("requests per poll, nothing changed: Clio", idle_clio, "req", budget="0"),
            Figure("Clio requests per returned document", per_document, "req", budget="<= 3"),
            Figure("Clio requests per new order (folder made)", per_order, "req", note="matter, folder"),
            Figure("Clio requests per order, folders known", late_order, "req", budget="<= 2"),
            Figure("Clio requests, one late document", late_document, "req", budget="<= 3"),
        ]

    return asyncio.run(body())


def _rate_limited(endpoints: Endpoints, home: Path) -> list[Figure]:
    from app.services.clio.ratelimit import RateLimiter

    transport = CountingTransport()
    _decided_orders(endpoints, 10, 3)  # 40 returned documents
    _faults(endpoints, {"rate_limit_per_minute": LIMIT})

    async def body() -> list[Figure]:
        services = await _services(endpoints, home, transport)
        try:
            refreshed = await services.orders.refresh()
            start, answered = len(transport.requests), len(transport.statuses)
            started = time.monotonic()
            await services.returns.run(refreshed)
            seconds = time.monotonic() - started
        finally:
            await services.aclose()
        sent = _api(transport, endpoints, start)
        limiter = RateLimiter()
        limiter.release(200, {"X-RateLimit-Limit": str(LIMIT)})
        share = LIMIT - limiter.headroom
        floor = (math.ceil(len(sent) / share) - 1) * 60.0
        throttled = transport.statuses[answered:].count(429)
        return [
            Figure("40 documents at 50 req/min: Clio requests", len(sent), "req"),
            Figure("40 documents at 50 req/min: wall time", seconds, "s"),
            Figure("rate-limit floor for those requests", floor, "s", note=f"background share {share}/min"),
            Figure("wall time / floor", seconds / floor if floor else float("nan"), "x", budget="<= 1.15x"),
            Figure("429 answers", throttled, "", budget="0"),
        ]

    figures = asyncio.run(body())
    _faults(endpoints, {"rate_limit_per_minute": 100_000})
    return figures


def _gui_stall(endpoints: Endpoints, home: Path) -> list[Figure]:
    from app.views.tasks import TaskRunner

    loop = qt_event_loop()
    # A firm's history fills the orders list (these have no Clio matter, so they wait for one),
    # then 10 new orders come back to file.
    _decided_orders(endpoints, HISTORY, 1, with_matter=False)
    _decided_orders(endpoints, 10, 3)

    async def body() -> list[Figure]:
        services = await _services(endpoints, home, CountingTransport())
        runner = TaskRunner(lambda _owner, message: print("error:", message))
        window = main_window(services, runner)
        heartbeat = Heartbeat(HEARTBEAT_MS)
        try:
            refreshed = await services.orders.refresh()
            window.orders_view.set_orders(refreshed)
            heartbeat.start()
            started = time.monotonic()
            await services.returns.run(refreshed)
            seconds = time.monotonic() - started
            stall = heartbeat.stop()
        finally:
            window.close()
            await runner.shutdown()
            await services.aclose()
        return [
            Figure(
                "longest GUI stall while filing 40 documents",
                stall,
                "ms",
                budget="<= 50 ms",
                note=f"{HISTORY + 20}+ orders in the list",
            ),
            Figure("filing them, rate limit lifted", seconds, "s"),
        ]

    try:
        return loop.run_until_complete(body())
    finally:
        loop.close()  # and its worker threads
        asyncio.set_event_loop(None)


def run() -> list[Figure]:
    with (
        tempfile.TemporaryDirectory(prefix="lcd-bench-") as tmp,
        sandbox_process(Path(tmp) / "sandbox", "--rate-limit", "100000") as path,
    ):
        endpoints = Endpoints.from_json(path.read_text(encoding="utf-8"))
        figures = _costs(endpoints, Path(tmp) / "costs")
        figures += _gui_stall(endpoints, Path(tmp) / "gui")
        figures += _rate_limited(endpoints, Path(tmp) / "limited")
        return figures


if __name__ == "__main__":
    for figure in run():
        print(f"{figure.name:<48} {figure.text:>12}  {figure.budget:<10} {figure.note}")
