"""The client-side rate budget: headers, headroom for interactive calls, 429 + Retry-After for all."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import respx

from app.services.clio.api import ClioClient
from app.services.clio.ratelimit import RateLimiter
from tests.services.clio.helpers import FakeClock, StaticTokens

API = "https://app.clio.com/api/v4"
USER = {"data": {"id": 1, "name": "Dana", "email": "d@x", "account": {"id": 1, "name": "Firm"}}}


def headers(clock: FakeClock, limit: int, remaining: int, reset_in: float = 60) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(int(clock() + reset_in)),
    }


def test_headers_are_read_and_requests_in_flight_counted() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)

    async def body():
        await limiter.acquire()
        await limiter.acquire()
        limiter.release(200, headers(clock, 50, 40, 30))
        state = limiter.state()
        limiter.release(None, None)  # the other one never got an answer
        return state, limiter.state()

    during, after = asyncio.run(body())
    assert (during.limit, during.remaining, during.reset_in, during.in_flight) == (50, 39, 30, 1)
    assert after.in_flight == 0 and clock.sleeps == []


def test_background_stops_at_the_headroom_interactive_goes_on() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    order: list[str] = []

    async def body():
        await limiter.acquire("interactive")
        limiter.release(200, headers(clock, 50, 10, 25))  # headroom is 10 (20% of 50)
        background = asyncio.create_task(limiter.acquire("background"))
        background.add_done_callback(lambda _: order.append(f"background at {clock() - start:.0f}"))
        for _ in range(10):
            await limiter.acquire("interactive")
            order.append("interactive")
            limiter.release(200, None)
        await background

    start = clock()
    asyncio.run(body())
    assert order[:10] == ["interactive"] * 10
    assert order[10] == "background at 25"  # waited for the window to reset, not before
    assert clock.sleeps[0] == 25


def test_interactive_waits_only_when_nothing_is_left() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)

    async def body():
        await limiter.acquire()
        limiter.release(200, headers(clock, 50, 0, 12))
        await limiter.acquire()

    asyncio.run(body())
    assert clock.sleeps == [12]


def test_reset_times_from_a_skewed_clock_never_mean_more_than_a_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)

    async def body():
        await limiter.acquire()
        limiter.release(200, headers(clock, 50, 0, 3600))  # the server's clock is an hour ahead
        await limiter.acquire()

    asyncio.run(body())
    assert clock.sleeps == [60]


def test_headroom_has_a_minimum() -> None:
    limiter = RateLimiter()
    assert limiter.headroom == 3
    limiter.release(200, {"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "4"})
    assert limiter.headroom == 3
    limiter.release(200, {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "4"})
    assert limiter.headroom == 20


def test_a_429_holds_every_caller_until_retry_after_ends() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    router = respx.Router()
    sent_at: list[float] = []
    answers = iter(
        [
            httpx.Response(
                429,
                json={"error": {"type": "RateLimited", "message": "slow"}},
                headers={**headers(clock, 50, 0, 7), "Retry-After": "7"},
            )
        ]
    )

    def answer(request: httpx.Request) -> httpx.Response:
        sent_at.append(clock())
        return next(answers, None) or httpx.Response(200, json=USER, headers=headers(clock, 50, 40))

    router.get(f"{API}/users/who_am_i.json").mock(side_effect=answer)

    async def body():
        async with ClioClient(
            API, StaticTokens("t"), transport=httpx.MockTransport(router.async_handler), limiter=limiter
        ) as client:
            first = await client.who_am_i()  # refused once, then waits 7 s and succeeds
            rest = await asyncio.gather(*(client.who_am_i() for _ in range(5)))
            return [first, *rest]

    start = clock()
    users = asyncio.run(body())
    assert len(users) == 6 and all(u.account_name == "Firm" for u in users)
    assert sent_at[0] == start
    assert all(t >= start + 7 for t in sent_at[1:])
    assert len(sent_at) == 7


def test_concurrent_callers_all_wait_after_someone_elses_429() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    router = respx.Router()
    sent_at: list[float] = []
    refused = {"done": False}

    def answer(request: httpx.Request) -> httpx.Response:
        sent_at.append(clock())
        if not refused["done"]:
            refused["done"] = True
            return httpx.Response(429, headers={"Retry-After": "9"})
        return httpx.Response(200, json=USER)

    router.get(f"{API}/users/who_am_i.json").mock(side_effect=answer)

    async def body():
        async with ClioClient(
            API, StaticTokens("t"), transport=httpx.MockTransport(router.async_handler), limiter=limiter
        ) as client:
            first = asyncio.create_task(client.who_am_i())
            await asyncio.sleep(0.05)  # its 429 is in; the others start while it waits
            others = [asyncio.create_task(client.who_am_i()) for _ in range(4)]
            return await asyncio.gather(first, *others)

    start = clock()
    assert len(asyncio.run(body())) == 5
    assert sent_at[0] == start and all(t >= start + 9 for t in sent_at[1:])


def test_long_waits_are_announced_with_their_priority_and_their_end() -> None:
    from app.services.clio.ratelimit import RateWait

    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    heard: list[RateWait] = []
    limiter.waits.subscribe(heard.append)

    async def body():
        await limiter.acquire("background")
        limiter.release(200, headers(clock, 50, 10, 25))  # only the headroom left: background waits
        await limiter.acquire("background")
        limiter.release(200, headers(clock, 50, 49, 60))
        await limiter.acquire("interactive")  # no wait: nothing said

    asyncio.run(body())
    assert heard == [RateWait("background", 25), RateWait("background", 0.0)]


def test_a_wait_cancelled_midway_still_announces_its_end() -> None:
    from app.services.clio.ratelimit import RateWait

    limiter = RateLimiter()
    heard: list[RateWait] = []
    limiter.waits.subscribe(heard.append)

    async def body():
        await limiter.acquire("background")
        limiter.release(200, {"X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "3"})
        waiting = asyncio.create_task(limiter.acquire("background"))
        await asyncio.sleep(0.05)
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiting

    asyncio.run(body())
    assert [w.seconds > 1 for w in heard] == [True, False]
    assert heard[-1] == RateWait("background", 0.0)
