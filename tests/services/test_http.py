"""The shared HTTP layer: error mapping, Retry-After, loopback-only http, retries."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils

import httpx
import pytest
import respx
import stamina

from app.services import http


@pytest.fixture(autouse=True)
def fast_retries():
    stamina.set_testing(True, attempts=4)  # no backoff sleeps, same attempt counting
    yield
    stamina.set_testing(False)


def _response(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, headers=headers, request=httpx.Request("GET", "https://x.example/"))


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, http.BadRequest),
        (401, http.AuthRequired),
        (403, http.Forbidden),
        (404, http.NotFound),
        (409, http.Conflict),
        (410, http.NotFound),
        (412, http.Conflict),
        (422, http.BadRequest),
        (429, http.RateLimited),
        (500, http.ServerError),
        (503, http.ServerError),
        (418, http.BadRequest),
    ],
)
def test_status_maps_to_one_error_class(status: int, cls: type) -> None:
    err = http.status_error("Clio", _response(status, {"Retry-After": "3"}), "code", "")
    assert type(err) is cls
    assert err.status == status
    assert err.user_message  # always something a person can read
    assert "Clio" in err.user_message or status < 500


def test_service_message_is_kept() -> None:
    err = http.status_error("LegalConnect", _response(404), "order_not_found", "No order 1234567.")
    assert err.user_message == "No order 1234567."
    assert err.code == "order_not_found"


def test_retry_after_seconds_and_http_dates() -> None:
    assert http.retry_after_seconds(_response(429, {"Retry-After": "17"})) == 17
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    value = http.retry_after_seconds(_response(429, {"Retry-After": email.utils.format_datetime(later)}))
    assert 25 <= value <= 31
    assert http.retry_after_seconds(_response(429, {"Retry-After": "soon"}), default=5) == 5
    assert http.retry_after_seconds(_response(429), default=9) == 9


def test_transport_errors_become_unreachable_or_timed_out() -> None:
    timed = http.transport_error("Clio", httpx.ReadTimeout("slow"))
    cut = http.transport_error("Clio", httpx.RemoteProtocolError("peer closed"))
    assert isinstance(timed, http.TimedOut)
    assert isinstance(cut, http.Unreachable)
    assert "Clio" in cut.user_message


def test_plain_http_only_to_loopback() -> None:
    http.make_client("http://127.0.0.1:9/")
    http.make_client("http://localhost:9/")
    http.make_client("https://app.clio.com/")
    with pytest.raises(ValueError, match="only https"):
        http.make_client("http://app.clio.com/")


def test_retry_hook_decides_what_is_transient() -> None:
    assert http.retry_hook(http.Unreachable("x", "down")) is True
    assert http.retry_hook(http.TimedOut("x", "slow")) is True
    assert http.retry_hook(http.ServerError("x", "oops", 503)) is True
    assert http.retry_hook(http.ServerError("x", "oops", 501)) is False
    assert http.retry_hook(http.BadRequest("x", "no", 400)) is False
    assert http.retry_hook(http.AuthRequired("x", "no", 401)) is False
    assert http.retry_hook(http.RateLimited("x", "slow down", 12.5)) == 12.5
    assert http.retry_hook(KeyError("bug")) is False


async def _get(client: httpx.AsyncClient) -> int:
    try:
        response = await client.get("/thing")
    except httpx.TransportError as exc:
        raise http.transport_error("Svc", exc) from exc
    if response.status_code >= 400:
        raise http.status_error("Svc", response, "", "")
    return response.status_code


@respx.mock(assert_all_called=True)
def test_retrying_recovers_from_transient_failures(respx_mock) -> None:
    route = respx_mock.get("http://127.0.0.1:1/thing").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(503), httpx.Response(200)]
    )

    async def run() -> int:
        async with http.make_client("http://127.0.0.1:1") as client:
            return await http.retrying(lambda: _get(client))

    assert asyncio.run(run()) == 200
    assert route.call_count == 3


@respx.mock(assert_all_called=True)
def test_retrying_does_not_repeat_a_refusal(respx_mock) -> None:
    route = respx_mock.get("http://127.0.0.1:1/thing").mock(return_value=httpx.Response(422))

    async def run() -> int:
        async with http.make_client("http://127.0.0.1:1") as client:
            return await http.retrying(lambda: _get(client))

    with pytest.raises(http.BadRequest):
        asyncio.run(run())
    assert route.call_count == 1


@respx.mock(assert_all_called=True)
def test_retrying_gives_up_after_the_attempts(respx_mock) -> None:
    route = respx_mock.get("http://127.0.0.1:1/thing").mock(side_effect=httpx.ConnectError("refused"))

    async def run() -> int:
        async with http.make_client("http://127.0.0.1:1") as client:
            return await http.retrying(lambda: _get(client), attempts=3)

    with pytest.raises(http.Unreachable):
        asyncio.run(run())
    assert route.call_count == 4  # stamina's testing mode fixes the count at 4 here
