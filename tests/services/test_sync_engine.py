"""The sync engine against the sandbox over real HTTP, with a fake clock: the poll schedule (fast
after a submit, idle otherwise, back-off while offline), Refresh at once, offline → online, a
session ended by the provider, sign-out, decisions announced, and one refresh in flight at a time.

No Qt: these run on plain asyncio, as the headless command does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import stamina

from app.compose import Services, Target, compose
from app.config import Config
from app.paths import AppPaths
from app.redaction import Redactor
from app.services.legalconnect.records import Order, OrderStatus
from app.services.secrets import MemoryTokenStore
from app.services.sync import engine as engine_module
from app.services.sync.events import (
    Connecting,
    Offline,
    Online,
    OrderDecided,
    OrdersChanged,
    RefreshFinished,
    RefreshStarted,
    SessionStarted,
    SignedOut,
    SignInNeeded,
    SyncEvent,
)

IDLE = 60.0


class FakeClock:
    """Time that moves only when the test says so; `sleep` returns once it has moved far enough."""

    def __init__(self) -> None:
        self.time = 0.0
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def now(self) -> float:
        return self.time

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.time + seconds, future))
        await future

    def pending(self) -> list[float]:
        """Seconds from now at which sleepers wake (cancelled ones left out)."""
        self._sleepers = [(at, f) for at, f in self._sleepers if not f.done()]
        return sorted(at - self.time for at, _ in self._sleepers)

    def advance(self, seconds: float) -> None:
        self.time += seconds
        for at, future in self._sleepers:
            if at <= self.time and not future.done():
                future.set_result(None)


@pytest.fixture(autouse=True)
def no_backoff_sleeps() -> Iterator[None]:
    with stamina.set_testing(True, attempts=1):
        yield


class Harness:
    """The composed services on the sandbox, the fake clock and every event the engine announced."""

    def __init__(self, services: Services, clock: FakeClock) -> None:
        self.services = services
        self.engine = services.engine
        self.clock = clock
        self.events: list[SyncEvent] = []
        self.engine.events.subscribe(self.events.append)

    def of(self, kind: type[Any]) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    async def until(self, condition: Callable[[], bool], limit_s: float = 20.0) -> None:
        deadline = asyncio.get_running_loop().time() + limit_s
        while not condition():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("timed out waiting; events so far: " + repr(self.events[-8:]))
            await asyncio.sleep(0.01)

    async def idle(self) -> float:
        """Wait until the engine rests between polls; return the seconds it waits for."""
        await self.until(lambda: not self.engine.refreshing and bool(self.clock.pending()))
        return self.clock.pending()[0]

    async def tick(self, seconds: float) -> float:
        """Move the clock, let the poll that falls due run, and return the next wait."""
        refreshes = self.engine.refresh_count
        self.clock.advance(seconds)
        await self.until(lambda: self.engine.refresh_count > refreshes)
        return await self.idle()


def scenario(
    sandbox_world: Any,
    tmp_path: Path,
    body: Callable[[Harness, Any], Awaitable[None]],
    *,
    sign_in: bool = True,
) -> None:
    lc = sandbox_world.endpoints.legalconnect
    paths = AppPaths.under(tmp_path / "app").ensure()

    async def run() -> None:
        clock = FakeClock()
        services = compose(
            paths,
            Config.in_memory(),
            Target(lc.api_url),
            redactor=Redactor(),
            tokens=MemoryTokenStore(),
            clock=clock,
        )
        if sign_in:  # remembered from an earlier start ("Remember me")
            services.session.preset(lc.demo_user.email, lc.demo_user.password)
        harness = Harness(services, clock)
        try:
            await body(harness, lc)
        finally:
            await services.aclose()

    asyncio.run(run())


def _admin(sandbox_world: Any, path: str, body: dict[str, Any]) -> Any:
    base = sandbox_world.endpoints.legalconnect.base_url
    answer = httpx.post(f"{base}/_sandbox/legalconnect{path}", json=body, timeout=30)
    answer.raise_for_status()
    return answer.json()


async def _end_session(lc: Any, token: str | None) -> None:
    """The provider ends the session (as an expiry or an admin would), from outside the app."""
    async with httpx.AsyncClient() as other:
        answer = await other.delete(f"{lc.api_url}/session", headers={"Authorization": f"Bearer {token}"})
        answer.raise_for_status()


def test_start_shows_the_cache_signs_in_refreshes_then_polls_at_the_idle_interval(
    sandbox_world, tmp_path
) -> None:
    async def body(h: Harness, lc: Any) -> None:
        h.engine.start()
        assert isinstance(h.events[0], OrdersChanged) and h.events[0].orders == ()  # the (empty) cache
        assert await h.idle() == IDLE
        kinds = [type(e) for e in h.events]
        assert kinds[:6] == [
            OrdersChanged,
            Connecting,
            SessionStarted,
            RefreshStarted,
            OrdersChanged,
            RefreshFinished,
        ]
        assert len(h.of(OrdersChanged)[-1].orders) >= 9
        assert h.engine.polling and h.engine.refresh_count == 1
        assert h.of(OrderDecided) == []  # a first look at the firm's orders decides nothing
        assert await h.tick(IDLE) == IDLE
        assert h.engine.refresh_count == 2

    scenario(sandbox_world, tmp_path, body)


def test_refresh_now_ends_the_wait_and_one_refresh_is_ever_in_flight(sandbox_world, tmp_path) -> None:
    async def body(h: Harness, lc: Any) -> None:
        h.engine.start()
        await h.idle()
        running = peak = 0
        gate = asyncio.Event()
        real = h.services.orders.refresh_changes

        async def counted() -> Any:
            nonlocal running, peak
            running += 1
            peak = max(peak, running)
            try:
                await gate.wait()
                return await real()
            finally:
                running -= 1

        h.services.orders.refresh_changes = counted  # type: ignore[method-assign]
        before = h.engine.refresh_count
        h.engine.refresh_now()
        await h.until(lambda: running == 1)
        for _ in range(10):
            h.engine.refresh_now()  # ten more presses of F5 while that refresh runs
            await asyncio.sleep(0.01)
        assert h.engine.refreshing and peak == 1
        gate.set()
        assert await h.idle() == IDLE
        assert peak == 1
        assert h.engine.refresh_count - before == 2  # the presses during a refresh merge into one more

    scenario(sandbox_world, tmp_path, body)


def test_fast_polling_after_a_submit_until_the_clerk_decides(sandbox_world, tmp_path) -> None:
    async def body(h: Harness, lc: Any) -> None:
        h.engine.start()
        await h.idle()
        waiting = next(o for o in h.of(OrdersChanged)[-1].orders if o.status is OrderStatus.SUBMITTED)
        h.engine.order_submitted(waiting)
        await h.until(lambda: h.engine.refresh_count == 2)
        assert await h.idle() == engine_module.FAST_POLL_S
        assert await h.tick(engine_module.FAST_POLL_S) == engine_module.FAST_POLL_S
        _admin(sandbox_world, "/clerk/run", {"order_id": waiting.id})
        assert await h.tick(engine_module.FAST_POLL_S) == IDLE  # decided: back to the idle interval
        decided = h.of(OrderDecided)
        assert [d.order.id for d in decided] == [waiting.id]
        assert decided[0].order.status.decided

    scenario(sandbox_world, tmp_path, body)


def test_fast_polling_ends_after_its_window_even_without_a_decision(sandbox_world, tmp_path) -> None:
    async def body(h: Harness, lc: Any) -> None:
        h.engine.start()
        await h.idle()
        waiting = next(o for o in h.of(OrdersChanged)[-1].orders if o.status is OrderStatus.SUBMITTED)
        h.engine.order_submitted(waiting)
        await h.until(lambda: h.engine.refresh_count == 2)
        assert await h.idle() == engine_module.FAST_POLL_S
        h.clock.advance(engine_module.FAST_WINDOW_S - engine_module.FAST_POLL_S)
        assert await h.tick(engine_module.FAST_POLL_S) == IDLE

    scenario(sandbox_world, tmp_path, body)


def test_offline_backs_off_keeps_the_cache_and_comes_back_online(sandbox_world, tmp_path) -> None:
    async def body(h: Harness, lc: Any) -> None:
        h.engine.start()
        await h.idle()
        shown = len(h.of(OrdersChanged)[-1].orders)
        sandbox_world.legalconnect_faults.update({"drop_rate": 1.0})
        try:
            assert await h.tick(IDLE) == 5.0
            assert await h.tick(5.0) == 10.0
            assert await h.tick(10.0) == 20.0
        finally:
            sandbox_world.legalconnect_faults.update({"drop_rate": 0.0})
        offline = h.of(Offline)
        assert len(offline) == 3 and "reach" in offline[0].message.lower()
        assert offline[0].last_sync is not None
        assert h.engine.offline and h.of(Online) == []
        assert len(h.of(OrdersChanged)[-1].orders) == shown  # nothing announced took the orders away
        assert await h.tick(20.0) == IDLE
        assert len(h.of(Online)) == 1 and not h.engine.offline

    scenario(sandbox_world, tmp_path, body)


def test_start_while_the_provider_is_down_retries_the_sign_in(sandbox_world, tmp_path) -> None:
    async def body(h: Harness, lc: Any) -> None:
        sandbox_world.legalconnect_faults.update({"drop_rate": 1.0})
        try:
            h.engine.start()
            await h.until(lambda: bool(h.of(Offline)) and bool(h.clock.pending()))
            assert h.clock.pending()[0] == 5.0 and not h.engine.signed_in
        finally:
            sandbox_world.legalconnect_faults.update({"drop_rate": 0.0})
        h.engine.refresh_now()  # Retry: no need to wait for the back-off
        await h.until(lambda: bool(h.of(SessionStarted)))
        assert await h.idle() == IDLE
        assert h.of(Online)

    scenario(sandbox_world, tmp_path, body)


def test_a_session_ended_by_the_provider_asks_to_sign_in_and_resumes_after(sandbox_world, tmp_path) -> None:
    async def body(h: Harness, lc: Any) -> None:
        h.engine.start()
        await h.idle()
        token = h.services.legalconnect.token
        await _end_session(lc, token)
        h.services.session.forget(lc.demo_user.email)  # nothing remembered to sign in with again
        h.clock.advance(IDLE)
        await h.until(lambda: bool(h.of(SignInNeeded)))
        assert "sign in again" in h.of(SignInNeeded)[0].message.lower()
        assert not h.engine.polling and h.clock.pending() == []  # nothing polls while signed out
        await h.services.session.sign_in(lc.demo_user.email, lc.demo_user.password, remember=True)
        before = h.engine.refresh_count
        h.engine.signed_in_interactively()
        await h.until(lambda: h.engine.refresh_count > before)
        assert await h.idle() == IDLE
        assert len(h.of(SessionStarted)) == 2

    scenario(sandbox_world, tmp_path, body)


def test_a_session_ended_by_the_provider_signs_in_again_with_the_remembered_password(
    sandbox_world, tmp_path
) -> None:
    async def body(h: Harness, lc: Any) -> None:
        h.engine.start()
        await h.idle()
        token = h.services.legalconnect.token
        await _end_session(lc, token)
        h.clock.advance(IDLE)
        await h.until(lambda: len(h.of(SessionStarted)) == 2)
        assert await h.idle() == IDLE
        assert h.of(SignInNeeded) == []
        assert h.services.legalconnect.token != token

    scenario(sandbox_world, tmp_path, body)


def test_sign_out_forgets_everything_and_asks_again(sandbox_world, tmp_path) -> None:
    async def body(h: Harness, lc: Any) -> None:
        h.engine.start()
        await h.idle()
        await h.engine.sign_out()
        await h.until(lambda: bool(h.of(SignInNeeded)))
        assert h.of(SignedOut) and h.of(OrdersChanged)[-1].orders == ()
        assert h.services.orders.cached() == []
        assert h.services.session.remembered_email == ""
        assert not h.engine.polling and not h.services.clio.enabled

    scenario(sandbox_world, tmp_path, body)


def test_first_start_without_a_remembered_sign_in_waits_for_one(sandbox_world, tmp_path) -> None:
    async def body(h: Harness, lc: Any) -> None:
        h.engine.start()
        await h.until(lambda: bool(h.of(SignInNeeded)))
        assert h.of(SignInNeeded)[0].message == ""
        h.engine.refresh_now()  # F5 while nobody is signed in changes nothing
        await asyncio.sleep(0.05)
        assert h.engine.refresh_count == 0 and not h.engine.refreshing
        await h.services.session.sign_in(lc.demo_user.email, lc.demo_user.password, remember=False)
        h.engine.signed_in_interactively()
        assert await h.idle() == IDLE
        assert h.engine.refresh_count == 1

    scenario(sandbox_world, tmp_path, body, sign_in=False)


def test_jobs_run_after_each_refresh_beside_the_polling(sandbox_world, tmp_path) -> None:
    async def body(h: Harness, lc: Any) -> None:
        runs: list[int] = []
        release = asyncio.Event()

        class SlowJob:
            name = "a slow job"

            async def run(self, orders: Any) -> None:
                runs.append(len(orders))
                await release.wait()

        h.engine.add_job(SlowJob())
        h.engine.start()
        await h.idle()
        assert len(runs) == 1
        assert await h.tick(IDLE) == IDLE  # the job still runs; polling goes on regardless
        assert await h.tick(IDLE) == IDLE
        assert len(runs) == 1
        release.set()
        await h.until(lambda: len(runs) == 2)  # one more run, with the newest orders, not one per poll
        await asyncio.sleep(0.05)
        assert len(runs) == 2

    scenario(sandbox_world, tmp_path, body)


def test_run_once_refreshes_and_finishes_the_jobs(sandbox_world, tmp_path) -> None:
    async def body(h: Harness, lc: Any) -> None:
        seen: list[Order] = []

        class Job:
            name = "collect"

            async def run(self, orders: Any) -> None:
                seen.extend(orders)

        h.engine.add_job(Job())
        assert await h.engine.run_once() is True
        assert len(seen) >= 9 and h.of(SessionStarted)
        sandbox_world.legalconnect_faults.update({"drop_rate": 1.0})
        try:
            assert await h.engine.run_once() is False
        finally:
            sandbox_world.legalconnect_faults.update({"drop_rate": 0.0})

    scenario(sandbox_world, tmp_path, body)
