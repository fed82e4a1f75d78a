"""The Clio API client against the Clio emulator over real HTTP: calls, pages, fields, auth, errors."""

from __future__ import annotations

import asyncio
import datetime as dt
import math

import httpx
import pytest
import respx

from app.services import http
from app.services.clio.api import ClioClient, ClioConnectionEnded, ForeignPageUrl, PageCursor
from app.services.clio.ratelimit import RateLimiter
from tests.services.clio.helpers import FakeClock, RecordingTransport, StaticTokens, refresh_access

BRIGHTLINE_MATTER = 2002


def run(coro):
    return asyncio.run(coro)


def api_requests(transport: RecordingTransport) -> list[httpx.Request]:
    return [r for r in transport.sent if r.url.path.startswith("/api/v4")]


def test_who_am_i_names_the_firm_and_pins_version_and_fields(clio_client) -> None:
    transport = RecordingTransport()

    async def body():
        async with clio_client(transport=transport) as client:
            return await client.who_am_i()

    user = run(body())
    assert user.name == "Dana Whitfield"
    assert user.account_name == "Harbor & Vale LLP"
    (request,) = api_requests(transport)
    assert request.headers["X-API-VERSION"] == "4.0.13"
    assert request.url.params["fields"] == "id,name,email,account{id,name}"
    assert request.headers["Authorization"].startswith("Bearer ")


def test_clients_matters_and_a_matter_with_its_folder(clio_client) -> None:
    async def body():
        async with clio_client() as client:
            clients = [c async for page in client.clients() for c in page]
            found = [c async for page in client.clients(query="Brightline") for c in page]
            brightline = found[0]
            by_client = [m async for page in client.matters(client_id=brightline.id) for m in page]
            searched = [m async for page in client.matters(query="Harmon") for m in page]
            closed = [m async for page in client.matters(status="closed") for m in page]
            matter = await client.matter(BRIGHTLINE_MATTER)
            return clients, found, by_client, searched, closed, matter

    clients, found, by_client, searched, closed, matter = run(body())
    assert len(clients) >= 5 and all(c.is_client for c in clients)
    assert [c.name for c in found] == ["Brightline Logistics, Inc."]
    assert by_client and all(m.client_id == found[0].id for m in by_client)
    assert {m.status for m in by_client} <= {"Open", "Pending"}
    assert BRIGHTLINE_MATTER in {m.id for m in searched}
    assert all(m.status == "Closed" for m in closed)
    assert matter.display_number == "00002-Brightline" and matter.folder_id


def test_open_and_pending_matters_are_listed_one_status_at_a_time(clio_client) -> None:
    transport = RecordingTransport()

    async def body():
        async with clio_client(transport=transport) as client:
            return [m async for page in client.matters() for m in page]

    matters = run(body())
    statuses = [m.status for m in matters]
    assert "Open" in statuses and "Pending" in statuses and "Closed" not in statuses
    assert statuses.index("Pending") > max(i for i, s in enumerate(statuses) if s == "Open")
    assert [r.url.params["status"] for r in api_requests(transport)] == ["open", "pending"]


def test_small_pages_follow_next_until_the_end(clio_client) -> None:
    transport = RecordingTransport()

    async def body():
        async with clio_client() as client:
            whole = [c.id async for page in client.clients() for c in page]
        async with clio_client(transport=transport, page_size=3) as client:
            pages = [page async for page in client.clients()]
        return whole, pages

    whole, pages = run(body())
    assert [c.id for page in pages for c in page] == whole
    assert len(pages) == math.ceil(len(whole) / 3) >= 2
    sent = api_requests(transport)
    assert len(sent) == len(pages)
    assert all("page_token" in r.url.params and r.url.params["limit"] == "3" for r in sent[1:])


def test_expanding_a_folder_of_450_items_costs_three_requests(clio_client, faults) -> None:
    faults.update({"rate_limit_per_minute": 10_000})
    transport = RecordingTransport()

    async def body():
        async with clio_client() as client:
            matter = await client.matter(BRIGHTLINE_MATTER)
            big = await client.create_folder("Discovery (450)", matter.folder_id)
            for start in range(0, 450, 50):
                await asyncio.gather(
                    *(client.create_folder(f"Box {n:03d}", big.id) for n in range(start, start + 50))
                )
        async with clio_client(transport=transport) as client:
            pages = [page async for page in client.folder_items(big.id)]
            first = await client.folder_page(big.id)
            second = await client.folder_page(big.id, first.next)
        return big, pages, first.items, second.items

    big, pages, first, second = run(body())
    assert [len(p) for p in pages] == [200, 200, 50]
    assert len(api_requests(transport)) == 3 + 2
    assert {i.name for p in pages for i in p} == {f"Box {n:03d}" for n in range(450)}
    assert all(i.is_folder and i.parent_id == big.id for p in pages for i in p)
    assert first == pages[0] and second == pages[1]


def test_create_and_find_folder_and_clio_error_text(clio_client) -> None:
    async def body():
        async with clio_client() as client:
            matter = await client.matter(BRIGHTLINE_MATTER)
            made = await client.create_folder("Order-1234567", BRIGHTLINE_MATTER, "Matter")
            found = await client.find_folder("Order-1234567", matter.folder_id)
            missing = await client.find_folder("Order-123456", matter.folder_id)
            with pytest.raises(http.BadRequest) as dup:
                await client.create_folder("Order-1234567", matter.folder_id)
            with pytest.raises(http.NotFound) as gone:
                await client.document(99_999_999)
            return matter, made, found, missing, dup.value, gone.value

    matter, made, found, missing, dup, gone = run(body())
    assert made.parent_id == matter.folder_id
    assert found == made and missing is None
    assert dup.status == 422 and "already been taken" in dup.user_message
    assert gone.code == "RecordNotFound" and "could not be found" in gone.user_message


def test_documents_of_a_folder_and_one_document(clio_client) -> None:
    async def body():
        async with clio_client() as client:
            matter = await client.matter(BRIGHTLINE_MATTER)
            items = [i async for page in client.folder_items(matter.folder_id) for i in page]
            docs = [d async for page in client.documents(matter_id=BRIGHTLINE_MATTER) for d in page]
            one = await client.document(docs[0].id)
            return items, docs, one

    items, docs, one = run(body())
    assert any(i.is_folder for i in items)
    assert docs and all(d.matter_id == BRIGHTLINE_MATTER for d in docs)
    assert one == docs[0]
    assert one.version_uuid and one.size > 0 and one.fully_uploaded


def test_expenses_create_list_and_recategorise_with_etag(clio_client) -> None:
    async def body():
        async with clio_client() as client:
            categories = await client.expense_categories()
            by_name = {c.name: c for c in categories}
            made = await client.create_expense(
                BRIGHTLINE_MATTER,
                dt.date(2026, 5, 2),
                435.0,
                "Filing fee – Complaint",
                by_name["Court Filing Fee"].id,
            )
            listed = [
                a
                async for page in client.activities(
                    BRIGHTLINE_MATTER, start_date=dt.date(2026, 5, 1), end_date=dt.date(2026, 5, 3)
                )
                for a in page
            ]
            unbilled = [a async for page in client.activities(status="unbilled") for a in page]
            changed = await client.update_activity_category(
                made.id, by_name["eFiling Service Fee"].id, made.etag
            )
            with pytest.raises(http.Conflict) as stale:
                await client.update_activity_category(made.id, by_name["Postage"].id, made.etag)
            return made, listed, unbilled, changed, stale.value

    made, listed, unbilled, changed, stale = run(body())
    assert (made.type, made.quantity, made.price, made.total) == ("ExpenseEntry", 1.0, 435.0, 435.0)
    assert made.matter_display_number == "00002-Brightline"
    assert made.expense_category_name == "Court Filing Fee" and not made.billed and made.bill is None
    assert [a.id for a in listed] == [made.id]
    assert made.id in {a.id for a in unbilled} and not any(a.billed for a in unbilled)
    assert changed.expense_category_name == "eFiling Service Fee" and changed.etag != made.etag
    assert stale.status == 412


def test_unauthorized_refreshes_once_then_retries_once(clio_client, sandbox_world, tokens) -> None:
    source = StaticTokens("revoked-or-expired", lambda: refresh_access(sandbox_world.endpoints, tokens[1]))
    transport = RecordingTransport()

    async def body():
        async with clio_client(source, transport=transport) as client:
            return await client.who_am_i()

    assert run(body()).name == "Dana Whitfield"
    assert source.refresh_calls == ["revoked-or-expired"]
    sent = api_requests(transport)
    assert [r.headers["Authorization"] for r in sent] == [
        "Bearer revoked-or-expired",
        f"Bearer {source.token}",
    ]


def test_a_second_unauthorized_ends_the_connection(clio_client) -> None:
    source = StaticTokens("bad-1", "bad-2")
    transport = RecordingTransport()

    async def body():
        async with clio_client(source, transport=transport) as client:
            with pytest.raises(ClioConnectionEnded) as ended:
                await client.who_am_i()
            return ended.value

    ended = run(body())
    assert isinstance(ended, http.AuthRequired) and "connect again" in ended.user_message
    assert source.refresh_calls == ["bad-1"] and len(api_requests(transport)) == 2


def test_rate_limit_headers_feed_the_limiter(clio_client) -> None:
    async def body():
        async with clio_client() as client:
            await client.who_am_i()
            first = client.limiter.state()
            await client.who_am_i()
            return first, client.limiter.state()

    first, second = run(body())
    assert first.limit == 50 and second.limit == 50
    assert second.remaining == first.remaining - 1
    assert 0 < (second.reset_in or 0) <= 60 and second.in_flight == 0


def test_429_over_http_waits_out_retry_after_for_every_caller(clio_client, faults) -> None:
    faults.update({"rate_limit_per_minute": 3})
    clock = FakeClock(start=__import__("time").time())
    sent_at: list[tuple[float, int]] = []

    async def sleep(seconds: float) -> None:
        await clock.sleep(seconds)
        faults.update({"rate_limit_per_minute": 1000})  # the emulator's window "ends" with the wait

    transport = RecordingTransport(
        on_response=lambda request, response: sent_at.append((clock(), response.status_code))
    )
    limiter = RateLimiter(clock=clock, sleep=sleep)

    async def body():
        async with clio_client(transport=transport, limiter=limiter) as client:
            return await asyncio.gather(*(client.who_am_i() for _ in range(6)))

    users = run(body())
    assert len(users) == 6
    refused = [t for t, status in sent_at if status == 429]
    assert refused, "the emulator never said 429"
    first_429 = min(refused)
    retry_after = clock.sleeps[0]
    assert 1 <= retry_after <= 60
    later = [t for t, status in sent_at if t > first_429]
    assert all(t >= first_429 + retry_after for t in later)
    assert sum(1 for _, status in sent_at if status == 200) == 6


def test_next_page_on_another_host_is_refused_and_gets_no_token() -> None:
    api = "https://app.clio.com/api/v4"
    router = respx.Router(assert_all_called=False)
    router.get("https://app.clio.com/api/v4/contacts.json").respond(
        json={
            "data": [{"id": 1, "name": "A", "type": "Person", "is_client": True}],
            "meta": {"paging": {"next": "https://evil.example/api/v4/contacts.json?page_token=x"}},
        }
    )
    stolen = router.get(host="evil.example").respond(json={"data": []})

    async def body():
        async with ClioClient(
            api, StaticTokens("t"), transport=httpx.MockTransport(router.async_handler)
        ) as client:
            with pytest.raises(ForeignPageUrl):
                async for _ in client.clients():
                    pass
            for bad in (
                "http://app.clio.com/api/v4/x",
                "https://app.clio.com:8443/api/v4/x",
                "https://app.clio.com/other",
            ):
                with pytest.raises(ForeignPageUrl):
                    await client.folder_page(1, PageCursor(bad))

    run(body())
    assert not stolen.called


def test_transport_errors_on_reads_are_retried_writes_are_not() -> None:
    api = "https://app.clio.com/api/v4"
    router = respx.Router()
    who = router.get(f"{api}/users/who_am_i.json").mock(
        side_effect=[httpx.ConnectError("down"), httpx.Response(200, json={"data": {"id": 1, "name": "D"}})]
    )
    create = router.post(f"{api}/folders.json").mock(side_effect=httpx.ReadTimeout("slow"))

    async def body():
        async with ClioClient(
            api, StaticTokens("t"), transport=httpx.MockTransport(router.async_handler)
        ) as client:
            user = await client.who_am_i()
            with pytest.raises(http.TimedOut):
                await client.create_folder("x", 1)
            return user

    assert run(body()).name == "D"
    assert who.call_count == 2 and create.call_count == 1


def test_not_connected_raises_before_any_request() -> None:
    class NoConnection:
        async def access_token(self) -> str:
            raise ClioConnectionEnded()

        async def refresh_after_unauthorized(self, rejected_token: str) -> str:
            raise AssertionError("never asked")

    router = respx.Router()

    async def body():
        async with ClioClient(
            "https://app.clio.com/api/v4", NoConnection(), transport=httpx.MockTransport(router.async_handler)
        ) as client:
            with pytest.raises(ClioConnectionEnded):
                await client.who_am_i()

    run(body())


def test_an_expense_marker_is_compared_exactly_not_as_clio_s_wildcard() -> None:
    """`query` is a wildcard over the note: what it brings back is kept only if the note carries the
    marker itself (a longer order or fee-line number must not count as posted)."""
    api = "https://app.clio.com/api/v4"
    router = respx.Router()

    def activity(ident: int, note: str) -> dict[str, object]:
        return {"id": ident, "type": "ExpenseEntry", "date": "2026-05-02", "quantity": 1.0, "price": 3.95,
                "total": 3.95, "note": note, "billed": False, "etag": f'"{ident}"'}  # fmt: skip

    listing = router.get(f"{api}/activities.json").respond(
        json={
            "data": [
                activity(1, "EFM envelope fee — Order 2417108 [LC 2417108/F31]"),
                activity(2, "EFM envelope fee — Order 2417108 [LC 2417108/F3]"),
                activity(3, "EFM envelope fee — [lc 2417108/f3]"),
            ],
            "meta": {"paging": {}},
        }
    )

    async def body():
        async with ClioClient(
            api, StaticTokens("t"), transport=httpx.MockTransport(router.async_handler)
        ) as client:
            return await client.find_expenses_by_marker(2002, "[LC 2417108/F3]")

    found = run(body())
    assert [a.id for a in found] == [2]
    sent = listing.calls.last.request.url.params
    assert (
        sent["query"] == "[LC 2417108/F3]" and sent["matter_id"] == "2002" and sent["type"] == "ExpenseEntry"
    )


def test_a_next_page_that_repeats_stops_the_listing_with_an_error() -> None:
    """A `next` that leads back to a page already read would loop forever: the listing stops with
    a clear error after reading each page once."""
    api = "https://app.clio.com/api/v4"
    router = respx.Router(assert_all_called=False)
    loop = "https://app.clio.com/api/v4/contacts.json?page_token=again"
    first = router.get("https://app.clio.com/api/v4/contacts.json", params={"page_token": "again"}).respond(
        json={
            "data": [{"id": 2, "name": "B", "type": "Person", "is_client": True}],
            "meta": {"paging": {"next": loop}},
        }
    )
    router.get("https://app.clio.com/api/v4/contacts.json").respond(
        json={
            "data": [{"id": 1, "name": "A", "type": "Person", "is_client": True}],
            "meta": {"paging": {"next": loop}},
        }
    )

    async def body():
        async with ClioClient(
            api, StaticTokens("t"), transport=httpx.MockTransport(router.async_handler)
        ) as client:
            seen: list[int] = []

            async def listing() -> None:
                async for page in client.clients():
                    seen.extend(c.id for c in page)

            with pytest.raises(http.ServiceError) as raised:
                await listing()
            # Browsing a page at a time: a cursor whose next page is itself ends there.
            with pytest.raises(http.ServiceError):
                await client.client_page(PageCursor(loop))
            return seen, raised.value

    seen, error = run(body())
    assert seen == [1]  # the page that points at itself is refused, not handed on
    assert first.call_count == 2  # once in the listing, once by the cursor: never again
    assert "same page" in error.user_message


def test_a_listing_is_capped_in_pages(monkeypatch) -> None:
    """Pages that keep coming, each new, stop at the cap with an error rather than running on."""
    from app.services.clio import base

    monkeypatch.setattr(base, "MAX_PAGES", 5)
    api = "https://app.clio.com/api/v4"
    counter = {"n": 0}

    def endless(request: httpx.Request) -> httpx.Response:
        counter["n"] += 1
        nxt = f"https://app.clio.com/api/v4/contacts.json?page_token=p{counter['n']}"
        return httpx.Response(
            200,
            json={
                "data": [{"id": counter["n"], "name": "A", "type": "Person", "is_client": True}],
                "meta": {"paging": {"next": nxt}},
            },
        )

    async def body():
        async with ClioClient(api, StaticTokens("t"), transport=httpx.MockTransport(endless)) as client:
            with pytest.raises(http.ServiceError) as raised:
                async for _ in client.clients():
                    pass
            return raised.value

    error = run(body())
    assert counter["n"] == 5
    assert "more than 5 pages" in error.user_message


def test_an_oversized_answer_from_clio_is_refused_not_read_whole() -> None:
    from tests.services.test_http import MB, _Counted

    huge = _Counted(100)

    async def body():
        transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=huge))
        async with ClioClient(
            "https://app.clio.com/api/v4", StaticTokens("t"), transport=transport
        ) as client:
            with pytest.raises(http.AnswerTooLarge) as raised:
                await client.who_am_i()
            return raised.value, client.limiter

    error, limiter = run(body())
    assert "larger than the app accepts" in error.user_message
    assert huge.read <= http.MAX_ANSWER_BYTES // MB + 1
    assert limiter._in_flight == 0  # the request's slot was given back
