"""Fault knobs: `Faults.update` validation, and each shared knob taking effect on both running servers.

The server-specific knobs (rate limit, token and storage-URL lifetimes, upload timeouts, clerk delay)
are exercised by the Clio and LegalConnect suites; here they are only checked to be settable.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.common.faults import Faults
from sandbox.common.settings import ClioSettings, LegalConnectSettings
from sandbox.launcher import SandboxWorld
from sandbox.seed import firm

SERVERS = ["clio", "legalconnect"]

# A cheap API call per server that needs no sign-in state: (path, normal status).
PROBES = {
    "clio": ("/api/v4/users/who_am_i.json", 401),
    "legalconnect": ("/api/v1/openapi.json", 200),
}


# --- Faults.update, no server ---------------------------------------------------------------------


def test_update_applies_and_coerces_valid_knobs() -> None:
    faults = Faults()
    faults.update(
        {
            "latency_ms": 25,
            "jitter_ms": 5.5,
            "error_rate": 0.25,
            "rate_limit_per_minute": 7.0,
            "storage_url_lifetime_s": 30,
            "clerk_delay_s": 0,
            "sso_login": True,
            "seed": 3,
        }
    )
    knobs = faults.as_dict()
    assert knobs["sso_login"] is True
    assert knobs["latency_ms"] == 25.0
    assert isinstance(knobs["latency_ms"], float)
    assert knobs["rate_limit_per_minute"] == 7
    assert isinstance(knobs["rate_limit_per_minute"], int)
    assert (knobs["error_rate"], knobs["storage_url_lifetime_s"], knobs["seed"]) == (0.25, 30, 3)
    faults.update({"seed": None})
    assert faults.seed is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"latency": 5}, r"unknown fault knob 'latency'; known: .*latency_ms"),
        ({"latency_ms": "fast"}, "latency_ms must be a number"),
        ({"latency_ms": None}, "latency_ms must be a number"),
        ({"drop_rate": True}, "drop_rate must be a number"),
        ({"jitter_ms": -1}, "jitter_ms must not be negative"),
        ({"error_rate": 1.5}, "error_rate is a share between 0 and 1"),
        ({"drop_rate": 2}, "drop_rate is a share between 0 and 1"),
        ({"rate_limit_per_minute": 0}, "rate_limit_per_minute must be a positive whole number"),
        ({"access_token_lifetime_s": 1.5}, "access_token_lifetime_s must be a positive whole number"),
        ({"seed": "abc"}, "seed must be an integer or null"),
        ({"sso_login": 1}, "sso_login must be true or false"),
        ({"sso_login": "yes"}, "sso_login must be true or false"),
        ({"seed": 1.0}, "seed must be an integer or null"),
        ({"latency_ms": float("inf")}, "latency_ms must be a finite number"),
        ({"error_rate": float("nan")}, "error_rate must be a finite number"),
    ],
)
def test_update_refuses_bad_knobs_with_a_message(changes: dict[str, Any], message: str) -> None:
    faults = Faults()
    with pytest.raises(ValueError, match=message):
        faults.update(changes)


@pytest.mark.parametrize(
    "changes",
    [
        {"latency_ms": 500, "error_rate": 0.5, "bogus": 1},
        {"latency_ms": 500, "error_rate": 3},
        {"seed": 9, "rate_limit_per_minute": -2},
    ],
)
def test_a_bad_knob_changes_nothing(changes: dict[str, Any]) -> None:
    faults = Faults(seed=1)
    before = faults.as_dict()
    sequence = Faults(seed=1)
    with pytest.raises(ValueError, match=r"\w"):
        faults.update(changes)
    assert faults.as_dict() == before
    # Not even the random generator was reseeded.
    assert [faults.roll(0.5) for _ in range(20)] == [sequence.roll(0.5) for _ in range(20)]


def test_seed_makes_rolls_and_jitter_repeatable() -> None:
    first = Faults(seed=42, jitter_ms=100)
    rolls = [first.roll(0.5) for _ in range(50)]
    delays = [first.delay_s() for _ in range(10)]
    assert True in rolls
    assert False in rolls
    assert all(0.0 <= d <= 0.1 for d in delays)
    first.update({"seed": 42})  # setting the seed again restarts the sequence
    assert [first.roll(0.5) for _ in range(50)] == rolls
    assert [first.delay_s() for _ in range(10)] == delays


def test_shares_of_zero_and_one_are_exact() -> None:
    faults = Faults(seed=5)
    assert not any(faults.roll(0.0) for _ in range(200))
    assert all(faults.roll(1.0) for _ in range(200))


def test_upload_timeouts_count_down() -> None:
    faults = Faults(upload_verify_timeouts=2)
    assert [faults.take_upload_timeout() for _ in range(4)] == [True, True, False, False]
    assert faults.upload_verify_timeouts == 0


# --- through the running servers ------------------------------------------------------------------


def _base(world: SandboxWorld, server: str) -> str:
    return world.endpoints.clio.base_url if server == "clio" else world.endpoints.legalconnect.base_url


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


def _patch(http: httpx.Client, base: str, changes: object) -> httpx.Response:
    return http.patch(f"{base}/_sandbox/faults", json=changes)


@pytest.mark.parametrize("server", SERVERS)
def test_admin_patch_changes_a_knob_and_get_shows_it(
    sandbox_world: SandboxWorld, http: httpx.Client, server: str
) -> None:
    base = _base(sandbox_world, server)
    answer = _patch(http, base, {"jitter_ms": 0, "storage_url_lifetime_s": 42})
    assert answer.status_code == 200
    assert answer.json()["storage_url_lifetime_s"] == 42
    shown = http.get(f"{base}/_sandbox/faults")
    assert shown.status_code == 200
    assert shown.json() == answer.json()
    faults = sandbox_world.clio_faults if server == "clio" else sandbox_world.legalconnect_faults
    assert faults.storage_url_lifetime_s == 42


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "Expecting property name"),
        (b"[1, 2]", "send a JSON object"),
        (b'{"error_rate": 7}', "error_rate is a share between 0 and 1"),
        (b'{"no_such_knob": 1}', "unknown fault knob 'no_such_knob'"),
    ],
)
def test_admin_refuses_bad_requests_with_400_and_a_message(
    sandbox_world: SandboxWorld, http: httpx.Client, server: str, body: bytes, message: str
) -> None:
    base = _base(sandbox_world, server)
    before = http.get(f"{base}/_sandbox/faults").json()
    answer = http.patch(f"{base}/_sandbox/faults", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert message in answer.json()["error"]
    assert http.get(f"{base}/_sandbox/faults").json() == before


@pytest.mark.parametrize("server", SERVERS)
def test_latency_delays_api_answers(sandbox_world: SandboxWorld, http: httpx.Client, server: str) -> None:
    base = _base(sandbox_world, server)
    path, status = PROBES[server]
    http.get(f"{base}{path}")  # warm the connection so only the injected delay is measured
    assert _patch(http, base, {"latency_ms": 300, "jitter_ms": 50}).status_code == 200
    started = time.perf_counter()
    answer = http.get(f"{base}{path}")
    elapsed = time.perf_counter() - started
    assert answer.status_code == status
    assert elapsed >= 0.3


@pytest.mark.parametrize("server", SERVERS)
def test_error_rate_one_answers_503_with_the_servers_error_body(
    sandbox_world: SandboxWorld, http: httpx.Client, server: str
) -> None:
    base = _base(sandbox_world, server)
    path, status = PROBES[server]
    assert _patch(http, base, {"error_rate": 1}).status_code == 200
    for _ in range(5):
        answer = http.get(f"{base}{path}")
        assert answer.status_code == 503
        error = answer.json()["error"]
        if server == "clio":  # Clio's `Error` schema
            assert error["type"] == "ServiceUnavailable"
        else:  # LegalConnect's documented error shape
            assert error["code"] == "service_unavailable"
        assert error["message"]
    # The admin endpoint is exempt, so the knob can be turned back.
    assert http.get(f"{base}/_sandbox/faults").json()["error_rate"] == 1.0
    assert _patch(http, base, {"error_rate": 0}).status_code == 200
    assert http.get(f"{base}{path}").status_code == status


@pytest.mark.parametrize("server", SERVERS)
def test_drop_rate_one_cuts_connections(sandbox_world: SandboxWorld, http: httpx.Client, server: str) -> None:
    base = _base(sandbox_world, server)
    path, status = PROBES[server]
    assert _patch(http, base, {"drop_rate": 1}).status_code == 200
    for _ in range(3):
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            http.get(f"{base}{path}")
    assert _patch(http, base, {"drop_rate": 0}).status_code == 200
    assert http.get(f"{base}{path}").status_code == status


@pytest.mark.parametrize("server", SERVERS)
def test_throttle_rate_one_answers_429_with_retry_after(
    sandbox_world: SandboxWorld, http: httpx.Client, server: str
) -> None:
    base = _base(sandbox_world, server)
    path, status = PROBES[server]
    assert _patch(http, base, {"throttle_rate": 1}).status_code == 200
    answer = http.get(f"{base}{path}")
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "1"
    assert answer.json()["error"]
    assert _patch(http, base, {"throttle_rate": 0}).status_code == 200
    assert http.get(f"{base}{path}").status_code == status


def test_a_lost_answer_happened_all_the_same(sandbox_world: SandboxWorld, http: httpx.Client) -> None:
    """The server acts, then the connection is cut: the client cannot tell, the data can."""
    from tests.services.clio.helpers import connect_tokens

    access, _refresh = connect_tokens(sandbox_world.endpoints)
    api = sandbox_world.endpoints.clio.api_url
    headers = {"Authorization": f"Bearer {access}", "X-API-VERSION": "4.0.13"}
    body = {"data": {"name": "Made once, answer lost", "parent": {"id": 2001, "type": "Matter"}}}
    assert _patch(http, sandbox_world.endpoints.clio.base_url, {"lost_answer_rate": 1}).status_code == 200
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        http.post(f"{api}/folders.json", json=body, headers=headers)
    assert _patch(http, sandbox_world.endpoints.clio.base_url, {"lost_answer_rate": 0}).status_code == 200
    found = http.get(
        f"{api}/folders.json", params={"query": "Made once", "fields": "id,name"}, headers=headers
    ).json()["data"]
    assert [f["name"] for f in found] == ["Made once, answer lost"]


@pytest.mark.parametrize("server", SERVERS)
def test_seed_makes_injected_failures_repeatable(
    sandbox_world: SandboxWorld, http: httpx.Client, server: str
) -> None:
    base = _base(sandbox_world, server)
    path, _status = PROBES[server]

    def pattern() -> list[int]:
        assert _patch(http, base, {"seed": 2024, "error_rate": 0.5}).status_code == 200
        return [http.get(f"{base}{path}").status_code for _ in range(24)]

    first = pattern()
    assert 503 in first
    assert any(code != 503 for code in first)
    assert pattern() == first


# --- loopback only ---------------------------------------------------------------------------------


def _app(template: Path, work: Path, server: str) -> Any:
    """One server's app built over a copy of the seeded data, for in-process ASGI calls."""
    shutil.copytree(template, work, ignore=shutil.ignore_patterns("endpoints.json"))
    url = "http://127.0.0.1:9"
    if server == "clio":
        from sandbox.clio.app import create_app as create_clio

        return create_clio(ClioSettings(work / "clio", url, Faults()))
    from sandbox.legalconnect.app import create_app as create_legalconnect

    settings = LegalConnectSettings(
        work / "legalconnect",
        url,
        Faults(),
        clio_base_url="http://127.0.0.1:8",
        clio_client_secret=firm.CLIO_CLIENT_SECRET,
    )
    return create_legalconnect(settings)


@contextlib.asynccontextmanager
async def _lifespan(app: Any) -> AsyncIterator[None]:
    """Run the app's ASGI lifespan around the calls, as uvicorn would (opens and closes its database)."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def send(message: dict[str, Any]) -> None:
        await outbox.put(message)

    task = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, send)
    )
    await inbox.put({"type": "lifespan.startup"})
    assert (await outbox.get())["type"] == "lifespan.startup.complete"
    try:
        yield
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        assert (await outbox.get())["type"] == "lifespan.shutdown.complete"
        await task


async def _admin_calls(app: Any) -> dict[str, list[int | float]]:
    def client(host: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(host, 1234))
        return httpx.AsyncClient(transport=transport, base_url="http://sandbox.test")

    seen: dict[str, list[int | float]] = {}
    async with _lifespan(app):
        async with client("203.0.113.5") as outsider:
            get = await outsider.get("/_sandbox/faults")
            patch = await outsider.patch("/_sandbox/faults", json={"error_rate": 1})
            assert "loopback" in get.json()["error"]
            seen["outsider"] = [get.status_code, patch.status_code]
        for host in ("127.0.0.1", "::1"):
            async with client(host) as local:
                answer = await local.get("/_sandbox/faults")
                seen[host] = [answer.status_code, answer.json()["error_rate"]]
    return seen


@pytest.mark.parametrize("server", SERVERS)
def test_admin_endpoint_refuses_non_loopback_clients(
    sandbox_template: Path, tmp_path: Path, server: str
) -> None:
    app = _app(sandbox_template, tmp_path / "data", server)
    seen = asyncio.run(_admin_calls(app))
    assert seen["outsider"] == [403, 403]
    # Loopback clients (IPv4 and IPv6) are served, and see that the refused PATCH changed nothing.
    assert seen["127.0.0.1"] == [200, 0.0]
    assert seen["::1"] == [200, 0.0]
