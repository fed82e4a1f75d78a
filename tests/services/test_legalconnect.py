"""The LegalConnect client, session and orders services against the sandbox over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from pathlib import Path

import httpx
import pytest
import respx
import stamina

from app import config
from app.config import Config
from app.services import http
from app.services.legalconnect.client import IntegrityError, LegalConnectClient
from app.services.legalconnect.records import Deliverable, OrderStatus
from app.services.orders import OrdersService
from app.services.secrets import MemoryTokenStore, SecretKey, SecretKind
from app.services.session import SessionService
from app.services.store import Store


@pytest.fixture(autouse=True)
def fast_retries():
    stamina.set_testing(True, attempts=2)
    yield
    stamina.set_testing(False)


@pytest.fixture
def lc(sandbox_world):
    return sandbox_world.endpoints.legalconnect


def run(coro):
    return asyncio.run(coro)


async def _with_client(api_url: str, body):
    client = LegalConnectClient(api_url, service_name="Pacific Crest")
    try:
        return await body(client)
    finally:
        await client.aclose()


def test_sign_in_provider_and_orders_in_every_status(lc) -> None:
    async def body(client: LegalConnectClient):
        session = await client.sign_in(lc.demo_user.email, lc.demo_user.password)
        provider = await client.provider()
        orders, _ = await client.changed_orders(None)
        return session, provider, orders

    session, provider, orders = run(_with_client(lc.api_url, body))
    assert session.user_email == lc.demo_user.email
    assert session.firm_name == "Harbor & Vale LLP"
    assert provider.name == lc.provider_name
    assert provider.clio.enabled
    assert set(provider.clio.client_ids) == {"US", "CA", "EU", "AU"}
    assert {o.status for o in orders} == set(OrderStatus)
    assert all(len(o.order_number) == 7 for o in orders if o.order_number)


def test_wrong_password_says_so_and_stays_signed_out(lc) -> None:
    async def body(client: LegalConnectClient):
        with pytest.raises(http.AuthRequired) as caught:
            await client.sign_in(lc.demo_user.email, "not-the-password")
        return client.signed_in, caught.value

    signed_in, error = run(_with_client(lc.api_url, body))
    assert not signed_in
    assert "password" in error.user_message.lower()


def test_ended_session_asks_to_sign_in_again(lc) -> None:
    async def body(client: LegalConnectClient):
        client.use_token("expired-or-made-up")
        with pytest.raises(http.AuthRequired) as caught:
            await client.order(1)
        return caught.value

    assert "sign in again" in run(_with_client(lc.api_url, body)).user_message


def test_provider_down_is_a_server_error_after_retries(sandbox_world, lc) -> None:
    sandbox_world.legalconnect_faults.update({"error_rate": 1.0})

    async def body(client: LegalConnectClient):
        with pytest.raises(http.ServerError) as caught:
            await client.provider()
        return caught.value

    error = run(_with_client(lc.api_url, body))
    assert error.status == 503
    assert error.user_message


def test_dropped_connections_are_unreachable(sandbox_world, lc) -> None:
    sandbox_world.legalconnect_faults.update({"drop_rate": 1.0})

    async def body(client: LegalConnectClient):
        with pytest.raises(http.Unreachable):
            await client.provider()

    run(_with_client(lc.api_url, body))


def _decided_with_deliverables(orders) -> tuple[int, int]:
    order = next(o for o in orders if o.status is OrderStatus.PARTIALLY_ACCEPTED and o.deliverable_count)
    return order.id, order.deliverable_count


def test_deliverable_download_is_verified_and_streamed(lc, tmp_path: Path) -> None:
    progress: list[tuple[int, int]] = []

    async def body(client: LegalConnectClient):
        await client.sign_in(lc.demo_user.email, lc.demo_user.password)
        orders, _ = await client.changed_orders(None)
        order_id, count = _decided_with_deliverables(orders)
        order = await client.order(order_id)
        items = await client.deliverables(order_id)
        assert len(items) == count
        target = tmp_path / "saved" / "copy.pdf"
        saved = await client.download_deliverable(items[0], target, lambda d, t: progress.append((d, t)))
        return order, items[0], saved

    order, item, saved = run(_with_client(lc.api_url, body))
    assert order.rejected_documents
    assert all(d.reject_reason for d in order.rejected_documents)
    data = saved.read_bytes()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == item.sha256
    assert progress[-1] == (item.size_bytes, item.size_bytes)
    assert [p.name for p in saved.parent.iterdir()] == ["copy.pdf"]  # no temp file left behind


@respx.mock
def test_damaged_download_leaves_nothing(tmp_path: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    item = Deliverable(7, 3, "1234567", "receipt", "Receipt.pdf", "application/pdf", 4, "0" * 64, now)
    folder = tmp_path / "returned"
    respx.get("http://127.0.0.1:9/api/v1/orders/3/deliverables/7/content").mock(
        return_value=httpx.Response(200, content=b"%PDF")
    )

    async def body(client: LegalConnectClient):
        with pytest.raises(IntegrityError) as caught:
            await client.download_deliverable(item, folder / "Receipt.pdf")
        return caught.value

    error = run(_with_client("http://127.0.0.1:9/api/v1", body))
    assert "Receipt.pdf" in error.user_message
    assert list(folder.iterdir()) == []


def _services(api_url: str, tmp_path: Path, tokens: MemoryTokenStore, settings: Config):
    client = LegalConnectClient(api_url)
    store = Store.open(tmp_path / "db.sqlite3")
    session = SessionService(client, tokens, settings)
    return client, store, session, OrdersService(client, store, tmp_path / "v")


def test_remember_me_restores_without_asking(lc, tmp_path: Path) -> None:
    tokens, settings = MemoryTokenStore(), Config.in_memory()

    async def first():
        client, store, session, _ = _services(lc.api_url, tmp_path, tokens, settings)
        await session.sign_in(lc.demo_user.email, lc.demo_user.password, remember=True)
        await client.aclose()
        store.close()

    async def second():
        client, store, session, _ = _services(lc.api_url, tmp_path, tokens, settings)
        restored = await session.restore()
        await client.aclose()
        store.close()
        return restored, session.provider

    run(first())
    assert settings.get(config.REMEMBERED_EMAIL) == lc.demo_user.email
    restored, provider = run(second())
    assert restored is not None
    assert restored.user_email == lc.demo_user.email
    assert provider is not None


def test_stale_remembered_session_signs_in_again_with_the_stored_password(lc, tmp_path: Path) -> None:
    tokens, settings = MemoryTokenStore(), Config.in_memory()
    email = lc.demo_user.email
    tokens.set(SecretKey(SecretKind.LEGALCONNECT_SESSION, email), "ended-session-token")
    tokens.set(SecretKey(SecretKind.LEGALCONNECT_PASSWORD, email), lc.demo_user.password)
    settings.set(config.REMEMBERED_EMAIL, email)

    async def body():
        client, store, session, _ = _services(lc.api_url, tmp_path, tokens, settings)
        try:
            return await session.restore()
        finally:
            await client.aclose()
            store.close()

    assert run(body()) is not None
    assert tokens.get(SecretKey(SecretKind.LEGALCONNECT_SESSION, email)) != "ended-session-token"


def test_wrong_remembered_password_is_forgotten(lc, tmp_path: Path) -> None:
    tokens, settings = MemoryTokenStore(), Config.in_memory()
    email = lc.demo_user.email
    tokens.set(SecretKey(SecretKind.LEGALCONNECT_PASSWORD, email), "changed-since")
    settings.set(config.REMEMBERED_EMAIL, email)

    async def body():
        client, store, session, _ = _services(lc.api_url, tmp_path, tokens, settings)
        try:
            return await session.restore()
        finally:
            await client.aclose()
            store.close()

    assert run(body()) is None
    assert tokens.get(SecretKey(SecretKind.LEGALCONNECT_PASSWORD, email)) is None
    assert settings.get(config.REMEMBERED_EMAIL) == ""


def test_sign_in_without_remember_stores_nothing(lc, tmp_path: Path) -> None:
    tokens, settings = MemoryTokenStore(), Config.in_memory()

    async def body():
        client, store, session, _ = _services(lc.api_url, tmp_path, tokens, settings)
        await session.sign_in(lc.demo_user.email, lc.demo_user.password, remember=False)
        await client.aclose()
        store.close()

    run(body())
    assert tokens._entries == {}
    assert settings.get(config.REMEMBERED_EMAIL) == ""


def test_orders_cache_then_incremental_refresh(sandbox_world, lc, tmp_path: Path) -> None:
    tokens, settings = MemoryTokenStore(), Config.in_memory()
    requests: list[httpx.URL] = []

    async def body():
        client, store, session, orders = _services(lc.api_url, tmp_path, tokens, settings)
        client._http.event_hooks["request"].append(lambda r: _record(requests, r))
        await session.sign_in(lc.demo_user.email, lc.demo_user.password, remember=False)
        first = await orders.refresh()
        requests.clear()
        second = await orders.refresh()
        cached = orders.cached()
        await client.aclose()
        store.close()
        return first, second, cached

    first, second, cached = run(body())
    assert len(first) >= 8
    assert [o.id for o in second] == [o.id for o in first]
    assert [o.id for o in cached] == [o.id for o in first]
    order_calls = [u for u in requests if u.path.endswith("/orders")]
    assert len(order_calls) == 1
    assert "updated_since" in order_calls[0].params  # only changes were asked for


async def _record(requests: list[httpx.URL], request: httpx.Request) -> None:
    requests.append(request.url)


@respx.mock
def test_an_offset_that_does_not_move_stops_the_refresh_with_an_error() -> None:
    """A server whose `next_offset` does not move past the page just read would loop forever."""
    route = respx.get("http://127.0.0.1:9/api/v1/orders").mock(
        return_value=httpx.Response(
            200, json={"data": [], "paging": {"next_offset": 0}, "server_time": "2026-11-27T10:00:00Z"}
        )
    )

    async def body(client: LegalConnectClient):
        with pytest.raises(http.ServiceError) as caught:
            await client.changed_orders(None)
        return caught.value

    error = run(_with_client("http://127.0.0.1:9/api/v1", body))
    assert route.call_count == 1  # the first page said "next: offset 0" again: not read twice
    assert "did not move on" in error.user_message and "Pacific Crest" in error.user_message


@respx.mock
def test_orders_pages_are_capped(monkeypatch) -> None:
    from app.services.legalconnect import client as client_module

    monkeypatch.setattr(client_module, "MAX_PAGES", 4)
    calls = {"n": 0}

    def page(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        offset = int(request.url.params["offset"])
        body = {"data": [], "paging": {"next_offset": offset + 100}, "server_time": "2026-11-27T10:00:00Z"}
        return httpx.Response(200, json=body)

    respx.get("http://127.0.0.1:9/api/v1/orders").mock(side_effect=page)

    async def body(client: LegalConnectClient):
        with pytest.raises(http.ServiceError) as caught:
            await client.changed_orders(None)
        return caught.value

    error = run(_with_client("http://127.0.0.1:9/api/v1", body))
    assert calls["n"] == 4
    assert "more than 4 pages" in error.user_message


@respx.mock
def test_an_oversized_answer_from_the_provider_is_refused_not_read_whole() -> None:
    from tests.services.test_http import MB, _Counted

    huge = _Counted(100)
    respx.get("http://127.0.0.1:9/api/v1/orders/5").mock(return_value=httpx.Response(200, stream=huge))

    async def body(client: LegalConnectClient):
        with pytest.raises(http.AnswerTooLarge) as caught:
            await client.order(5)
        return caught.value

    error = run(_with_client("http://127.0.0.1:9/api/v1", body))
    assert error.user_message.startswith("Pacific Crest sent an answer larger than the app accepts")
    assert huge.read <= http.MAX_ANSWER_BYTES // MB + 1
