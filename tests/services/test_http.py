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
    remotes = http.Remotes()
    remotes.client("http://127.0.0.1:9/")
    remotes.client("http://localhost:9/")
    remotes.client("https://app.clio.com/")
    remotes.client("https://[2001:db8::1]:8443/")
    remotes.client("https://bücher.example/")  # an international name, sent as xn--
    for refused in (
        "http://app.clio.com/",
        "http://169.254.169.254/latest",
        "ftp://127.0.0.1/",
        "/relative",
        "https://exa mple.com/x",  # not a host name: said to be a bad link, not "check your connection"
        "https://storage.example%00.com/x",
        "http://[::1",
    ):
        with pytest.raises(ValueError, match=r"only https|not a web address"):
            remotes.client(refused)
    asyncio.run(remotes.aclose())


def test_one_pool_per_remote_shared_by_every_caller() -> None:
    remotes = http.Remotes()
    api = remotes.client("https://app.clio.com/api/v4/users/who_am_i.json")
    assert remotes.client("https://app.clio.com/oauth/token") is api
    assert remotes.client("https://app.clio.com:443/storage/x") is api  # the default port spelled out
    assert remotes.client("https://app.clio.com:8443/storage/x") is not api
    assert remotes.client("https://eu.app.clio.com/api/v4/") is not api
    assert remotes.open_count == 3
    assert not api.headers.get("Authorization") and not api.follow_redirects
    asyncio.run(remotes.aclose())
    with pytest.raises(RuntimeError):
        remotes.client("https://app.clio.com/")


@respx.mock(assert_all_called=True)
def test_pools_keep_no_cookies(respx_mock) -> None:
    respx_mock.get("https://app.clio.com/a").mock(
        return_value=httpx.Response(200, headers={"Set-Cookie": "session=abc; Path=/"})
    )
    seen = respx_mock.get("https://app.clio.com/b").mock(return_value=httpx.Response(200))

    async def run() -> None:
        remotes = http.Remotes()
        client = remotes.client("https://app.clio.com/")
        await client.get("https://app.clio.com/a")
        await client.get("https://app.clio.com/b")
        await remotes.aclose()

    asyncio.run(run())
    assert "cookie" not in seen.calls.last.request.headers


def test_join_extends_a_base_url() -> None:
    assert http.join("https://x.example/api/v1/", "orders/1") == "https://x.example/api/v1/orders/1"
    assert http.join("https://x.example/api/v1", "/orders") == "https://x.example/api/v1/orders"
    assert http.join("https://x.example/api/v1/", "https://x.example/next") == "https://x.example/next"


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
        response = await client.get("http://127.0.0.1:1/thing")
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
        remotes = http.Remotes()
        try:
            return await http.retrying(lambda: _get(remotes.client("http://127.0.0.1:1")))
        finally:
            await remotes.aclose()

    assert asyncio.run(run()) == 200
    assert route.call_count == 3


@respx.mock(assert_all_called=True)
def test_retrying_does_not_repeat_a_refusal(respx_mock) -> None:
    route = respx_mock.get("http://127.0.0.1:1/thing").mock(return_value=httpx.Response(422))

    async def run() -> int:
        remotes = http.Remotes()
        try:
            return await http.retrying(lambda: _get(remotes.client("http://127.0.0.1:1")))
        finally:
            await remotes.aclose()

    with pytest.raises(http.BadRequest):
        asyncio.run(run())
    assert route.call_count == 1


@respx.mock(assert_all_called=True)
def test_retrying_gives_up_after_the_attempts(respx_mock) -> None:
    route = respx_mock.get("http://127.0.0.1:1/thing").mock(side_effect=httpx.ConnectError("refused"))

    async def run() -> int:
        remotes = http.Remotes()
        try:
            return await http.retrying(lambda: _get(remotes.client("http://127.0.0.1:1")), attempts=3)
        finally:
            await remotes.aclose()

    with pytest.raises(http.Unreachable):
        asyncio.run(run())
    assert route.call_count == 4  # stamina's testing mode fixes the count at 4 here


MB = 1024 * 1024


class _Counted(httpx.AsyncByteStream):
    """An answer of `chunks` chunks of 1 MB that counts how many were read."""

    def __init__(self, chunks: int, data: bytes = b" " * MB) -> None:
        self.chunks, self.data, self.read = chunks, data, 0

    async def __aiter__(self):
        for _ in range(self.chunks):
            self.read += 1
            yield self.data


def _bounded(handler) -> httpx.Response:
    async def body() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return await http.bounded_request(client, "Clio", "GET", "https://app.clio.com/api/v4/x.json")

    return asyncio.run(body())


def test_an_answer_past_the_cap_is_refused_after_reading_no_more_than_the_cap() -> None:
    huge = _Counted(120)  # a 120 MB JSON answer, no Content-Length
    with pytest.raises(http.AnswerTooLarge) as raised:
        _bounded(lambda request: httpx.Response(200, stream=huge))
    assert huge.read <= http.MAX_ANSWER_BYTES // MB + 1  # stopped at the cap, not read whole
    assert (
        raised.value.user_message
        == "Clio sent an answer larger than the app accepts (32 MB); it was not read."
    )


def test_an_announced_length_past_the_cap_is_refused_unread() -> None:
    huge = _Counted(120)
    headers = {"content-length": str(120 * MB)}
    with pytest.raises(http.AnswerTooLarge):
        _bounded(lambda request: httpx.Response(200, headers=headers, stream=huge))
    assert huge.read == 0


def test_a_compressed_answer_is_capped_by_its_decoded_size() -> None:
    import gzip

    bomb = gzip.compress(b"0" * (40 * MB))  # about 40 KB on the wire
    assert len(bomb) < MB
    with pytest.raises(http.AnswerTooLarge):
        _bounded(lambda request: httpx.Response(200, headers={"content-encoding": "gzip"}, content=bomb))


def test_an_answer_under_the_cap_reads_as_usual() -> None:
    payload = b'{"data": [1, 2, 3]}'
    answer = _bounded(
        lambda request: httpx.Response(
            201,
            headers={"x-ratelimit-remaining": "7", "content-encoding": "gzip"},
            content=__import__("gzip").compress(payload),
        )
    )
    assert answer.status_code == 201 and answer.json() == {"data": [1, 2, 3]}
    assert answer.headers["x-ratelimit-remaining"] == "7" and "content-encoding" not in answer.headers
    assert answer.request.url == "https://app.clio.com/api/v4/x.json"


def test_a_request_on_a_pool_closed_meanwhile_is_the_app_shutting_down() -> None:
    """A retry that wakes after the app closed its connections meets a closed pool: that is the
    app quitting (quiet, the row resumes next time), not an unexpected failure."""

    async def main() -> None:
        client = httpx.AsyncClient()
        await client.aclose()
        with pytest.raises(http.ConnectionsClosed):
            await http.bounded_request(
                client, "Clio", "GET", "https://app.clio.com/api/v4/users/who_am_i.json"
            )

    asyncio.run(main())
