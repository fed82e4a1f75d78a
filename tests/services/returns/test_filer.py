"""The returns filer against the sandbox over real HTTP: every returned document of a decided order
into `Returned from <provider> › Order-#######` in its Clio matter, exactly once, and every reason
it waits. Qt-free, as the headless command runs it."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from app import config
from app.services.legalconnect.records import ClioLink, OrderStatus
from app.services.returns.filer import FilingChanged, OrderFiled, RunFinished
from app.services.returns.folders import ORDER_KEY
from app.services.returns.notices import Announcement, Offer
from app.services.returns.status import Blocker, FilingState
from app.services.store_journal import ReturnStep
from tests.services.returns.conftest import Desk, run_desk

PROVIDER = "Pacific Crest Legal Services"


async def _all_deliverables(desk: Desk) -> dict[int, list]:
    orders = await desk.orders()
    return {o.id: await desk.deliverables(o.id) for o in orders if o.deliverable_count}


async def _assert_each_in_clio_once(desk: Desk, by_order: dict[int, list]) -> None:
    journal = desk.services.store.journal
    for order_id, deliverables in by_order.items():
        for deliverable in deliverables:
            found = await desk.in_clio(deliverable.id)
            live = [d for d in found if not d.deleted]
            assert len(live) == 1, f"order {order_id} deliverable {deliverable.id}: {found}"
            assert live[0].fully_uploaded
            state = journal.return_state(str(deliverable.id))
            assert state is not None and state.step.final
        refreshed = await desk.deliverables(order_id)
        for deliverable in refreshed:
            assert deliverable.clio_filing.filed, deliverable  # the Service Provider's record agrees
            live = [d for d in await desk.in_clio(deliverable.id) if not d.deleted]
            assert deliverable.clio_filing.clio_id == live[0].id


def test_files_every_returned_document_once_into_the_order_folder(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        await desk.decided_orders(2, 2)
        assert await desk.services.engine.run_once()
        by_order = await _all_deliverables(desk)
        assert sum(len(d) for d in by_order.values()) >= 20
        await _assert_each_in_clio_once(desk, by_order)
        client = desk.services.clio.client
        assert client is not None
        order = next(o for o in await desk.orders() if o.order_number == "2417108")
        state = desk.services.store.journal.returns_of_order(str(order.id))[0]
        assert state.clio_path == f"00002-Brightline › Returned from {PROVIDER} › Order-2417108"
        docs = [d async for page in client.documents(state.clio_folder_id) for d in page]
        returned = await desk.deliverables(order.id)
        # The default pattern: the date it came back, then the name the court gave it.
        assert sorted(d.name for d in docs) == sorted(
            f"{d.received_at.astimezone().date().isoformat()} {d.name}" for d in returned
        )
        assert {d.name for d in returned} == {
            "Motion for Summary Judgment (Conformed).pdf",
            "Declaration of Counsel (Conformed).pdf",
            "Receipt - Order 2417108.pdf",
            "Notice of Partial Acceptance - Order 2417108.pdf",
        }
        folders = await client.find_folders_by_key(ORDER_KEY, f"2417108@{desk.key(0).split('@')[1]}")
        assert [f.name for f in folders] == ["Order-2417108"]
        assert any(isinstance(e, OrderFiled) and e.order.order_number == "2417108" for e in desk.events)

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_an_unchanged_poll_costs_no_clio_request_and_known_folders_little(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        # What filing returns costs, without the hearings the accepted motions also bring.
        desk.services.settings.set(config.HEARINGS_TO_CALENDAR, False)
        assert await desk.services.engine.run_once()
        before = len(desk.clio_api_requests())
        assert await desk.services.engine.run_once()
        assert len(desk.clio_api_requests()) == before  # nothing changed: Clio is not asked at all
        # A new order for a matter whose returns folder is known: ≤ 3 per document; for the order,
        # the matter's check, and its new folder: a lookup, the creation, and one more lookup that
        # settles two workstations making it at once.
        [order_id] = await desk.decided_orders(1, 3)
        start = len(desk.clio_api_requests())
        assert await desk.services.engine.run_once()
        spent = desk.clio_api_requests()[start:]
        documents = len(await desk.deliverables(order_id))
        assert documents == 4
        per_order = [u.path for _m, u in spent if "documents" not in u.path]
        per_document = [u.path for _m, u in spent if "documents" in u.path]
        assert len(per_document) <= 3 * documents, per_document
        assert len(per_order) <= 4, per_order
        # The same order's late document: its folders are known now.
        await desk.admin("legalconnect", "/late-signed-order", {"order_id": order_id})
        start = len(desk.clio_api_requests())
        assert await desk.services.engine.run_once()
        spent = desk.clio_api_requests()[start:]
        assert len([u for _m, u in spent if "documents" not in u.path]) <= 2
        assert len([u for _m, u in spent if "documents" in u.path]) <= 3

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_a_late_signed_order_after_auto_close_goes_into_the_same_folder(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        assert await desk.services.engine.run_once()
        closed = next(o for o in await desk.orders() if o.closed)
        journal = desk.services.store.journal
        folder = journal.returns_of_order(str(closed.id))[0].clio_folder_id
        made = await desk.admin("legalconnect", "/late-signed-order", {"order_id": closed.id})
        desk.events.clear()
        assert await desk.services.engine.run_once()
        state = journal.return_state(str(made["deliverable_id"]))
        assert state is not None and state.step is ReturnStep.ACKNOWLEDGED
        assert state.clio_folder_id == folder
        announced = [e for e in desk.events if isinstance(e, Announcement)]
        assert [a.title for a in announced] == [f"New document for Order {closed.order_number}"]
        assert "filed into Clio ›" in announced[0].message and announced[0].offer is Offer.OPEN_ORDER

    run_desk(sandbox_world, tmp_path / "ws1", body)


async def _one_returned_document(desk: Desk, copy: str) -> tuple[int, Any, Any, Any, Path]:
    """A new decided order with one returned document: its id, the document, the Clio client, its
    matter, and a local copy of the document's bytes named `copy`."""
    [order_id] = await desk.decided_orders(1, 1)
    deliverable = (await desk.deliverables(order_id))[0]
    client = desk.services.clio.client
    assert client is not None
    matter = await client.matter((await desk.services.legalconnect.order(order_id)).clio.matter_id)
    source = desk.services.paths.temp / copy
    await desk.services.legalconnect.download_deliverable(deliverable, source)
    return order_id, deliverable, client, matter, source


def test_a_document_deleted_in_clio_is_never_filed_again(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        # Filed before (by an installation whose record the Service Provider never got), then
        # deleted by someone in Clio.
        order_id, deliverable, client, matter, source = await _one_returned_document(desk, "earlier.pdf")
        earlier = await client.upload(
            source,
            "Filed earlier.pdf",
            matter.folder_id,
            external_properties={"lc_rdoc": desk.key(deliverable.id)},
        )
        await client.send("DELETE", f"documents/{earlier.id}.json")  # the user puts it in the trash
        assert await desk.services.engine.run_once()
        found = await desk.in_clio(deliverable.id)
        assert [(d.id, d.deleted) for d in found] == [(earlier.id, True)]  # nothing new was made
        state = desk.services.store.journal.return_state(str(deliverable.id))
        assert state is not None and state.step is ReturnStep.DELETED_IN_CLIO
        order = next(o for o in await desk.orders() if o.id == order_id)
        assert desk.services.returns.deliverable_filing(order, deliverable).state is FilingState.NOT_FILED
        assert (await desk.deliverables(order_id))[0].clio_filing.clio_id == earlier.id
        assert await desk.services.engine.run_once()
        assert len(await desk.in_clio(deliverable.id)) == 1

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_an_unfinished_upload_is_finished_not_duplicated(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        # A crash after the document was created and its bytes sent, before it was marked uploaded.
        _order_id, deliverable, client, matter, source = await _one_returned_document(desk, "half.pdf")
        target = await client.start_upload(
            "Half done.pdf", matter.folder_id, external_properties={"lc_rdoc": desk.key(deliverable.id)}
        )
        await client.put_bytes(target, source)
        assert await desk.services.engine.run_once()
        found = await desk.in_clio(deliverable.id)
        assert [d.id for d in found] == [target.document_id]
        assert found[0].fully_uploaded and not found[0].deleted

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_an_order_without_a_matter_waits_until_one_is_chosen(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        [order_id] = await desk.decided_orders(1, 2, with_matter=False)
        assert await desk.services.engine.run_once()
        order = next(o for o in await desk.orders() if o.id == order_id)
        returns = desk.services.returns
        summary = returns.order_filing(order)
        assert (summary.total, summary.filed, summary.blocker) == (3, 0, Blocker.NO_MATTER)
        assert summary.text == "Choose Clio matter"
        deliverables = await desk.deliverables(order_id)
        filing = returns.deliverable_filing(order, deliverables[0])
        assert filing.state is FilingState.WAITING and "choose the Clio matter" in filing.text
        runs = [e for e in desk.events if isinstance(e, RunFinished)]
        assert [(o.id, f.blocker) for o, f in runs[-1].pending] == [(order_id, Blocker.NO_MATTER)]
        for deliverable in deliverables:
            assert await desk.in_clio(deliverable.id) == []
        changed = await returns.choose_matter(order, ClioLink(1001, 2001, "00001-Alvarez"))
        assert changed.clio is not None and changed.clio.matter_id == 2001
        assert await desk.services.engine.run_once()
        await _assert_each_in_clio_once(desk, {order_id: deliverables})
        order = next(o for o in await desk.orders() if o.id == order_id)
        assert returns.order_filing(order).text == "All 3 in Clio"

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_a_closed_matter_waits_with_a_reason_and_files_once_reopened(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        [order_id] = await desk.decided_orders(1, 1)
        order = next(o for o in await desk.orders() if o.id == order_id)
        assert order.clio is not None
        await desk.admin("clio", "/matter-status", {"matter_id": order.clio.matter_id, "status": "Closed"})
        assert await desk.services.engine.run_once()
        assert desk.services.returns.order_filing(order).blocker is Blocker.MATTER_CLOSED
        deliverables = await desk.deliverables(order_id)
        assert [await desk.in_clio(d.id) for d in deliverables] == [[] for _ in deliverables]
        await desk.admin("clio", "/matter-status", {"matter_id": order.clio.matter_id, "status": "Open"})
        assert await desk.services.engine.run_once()
        assert desk.services.returns.order_filing(order).filed == len(deliverables)

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_without_clio_returns_wait_and_connecting_files_them(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        engine = desk.services.engine
        assert await engine.run_once()
        runs = [e for e in desk.events if isinstance(e, RunFinished)]
        assert runs[-1].waiting_for_clio >= 16
        waiting = [e for e in desk.events if isinstance(e, Announcement) and e.offer is Offer.CONNECT_CLIO]
        assert len(waiting) == 1 and f"{runs[-1].waiting_for_clio} documents" in waiting[0].message
        assert desk.clio_api_requests() == []  # nothing was tried without a connection
        await desk.connect_clio()
        filer = desk.services.returns
        orders = {o.id: o for o in await desk.orders()}
        blockers_once_running: list[Blocker | None] = []

        def on_change(event: object) -> None:
            if isinstance(event, FilingChanged) and not blockers_once_running:
                blockers_once_running.extend(filer.order_filing(o).blocker for o in orders.values())

        filer.events.subscribe(on_change)
        assert await engine.run_once()
        # The first change the next run reports no longer says "connect to Clio", even for orders
        # whose turn comes later (or after a wait for Clio's rate limit).
        assert blockers_once_running and Blocker.NOT_CONNECTED not in blockers_once_running
        assert [e for e in desk.events if isinstance(e, RunFinished)][-1].waiting_for_clio == 0
        await _assert_each_in_clio_once(desk, await _all_deliverables(desk))

    run_desk(sandbox_world, tmp_path / "ws1", body, connect=False)


def test_the_court_deciding_is_announced_with_where_the_documents_went(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        engine = desk.services.engine
        assert await engine.run_once()
        waiting = next(o for o in await desk.orders() if o.status is OrderStatus.SUBMITTED)
        await desk.admin("legalconnect", "/clerk/run", {"order_id": waiting.id})
        desk.events.clear()
        assert await engine.run_once()
        [announced] = [e for e in desk.events if isinstance(e, Announcement)]
        assert announced.title == f"Order {waiting.order_number} Accepted"
        assert announced.message == f"{waiting.case_title} — 2 documents filed into Clio › 00003-Nguyen"
        assert announced.order_id == waiting.id and announced.offer is Offer.OPEN_ORDER

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_decision_notices_follow_the_settings(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        desk.services.settings.set(config.NOTIFY_DECISIONS, False)
        engine = desk.services.engine
        assert await engine.run_once()
        waiting = next(o for o in await desk.orders() if o.status is OrderStatus.SUBMITTED)
        await desk.admin("legalconnect", "/clerk/run", {"order_id": waiting.id})
        desk.events.clear()
        assert await engine.run_once()
        assert [e for e in desk.events if isinstance(e, Announcement)] == []
        assert any(isinstance(e, OrderFiled) for e in desk.events)  # filed all the same

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_the_naming_settings_name_the_documents_and_folders(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        settings = desk.services.settings
        settings.set(config.RETURNED_DOCUMENT_NAME, "{order_number} {kind} - {document} <{court}>")
        settings.set(config.RETURNS_FOLDER, "eFiling returns ({provider})")
        [order_id] = await desk.decided_orders(1, 1)
        assert await desk.services.engine.run_once()
        states = desk.services.store.journal.returns_of_order(str(order_id))
        order = next(o for o in await desk.orders() if o.id == order_id)
        names = Counter(s.clio_name for s in states)
        number = order.order_number
        assert f"{number} Conformed copy - Motion to Compel _{order.court_name}_.pdf" in names
        assert all(s.clio_path and f"eFiling returns ({PROVIDER})" in s.clio_path for s in states)

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_a_run_stopped_midway_reports_nothing_and_the_next_run_finishes_it(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        await desk.decided_orders(2, 2)
        orders = await desk.services.orders.refresh()
        first_filed = asyncio.Event()
        desk.services.returns.events.subscribe(
            lambda e: first_filed.set() if isinstance(e, OrderFiled) else None
        )
        run = asyncio.create_task(desk.services.returns.run(orders))
        await asyncio.wait_for(first_filed.wait(), 60)
        run.cancel()  # quitting, or `legalconnect sync` stopped
        with pytest.raises(asyncio.CancelledError):
            await run
        assert not any(isinstance(e, RunFinished) for e in desk.events)  # nothing to call "failed"
        journal = desk.services.store.journal
        assert journal.finished_returns(), "the run had filed something before it stopped"
        assert await desk.services.engine.run_once()
        await _assert_each_in_clio_once(desk, await _all_deliverables(desk))
        [finished] = [e for e in desk.events if isinstance(e, RunFinished)]
        assert finished.pending == ()

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_clios_rate_limit_holds_filing_as_waiting_not_failed_and_it_goes_on(sandbox_world, tmp_path) -> None:
    from app.services.returns.filer import RatePaused

    async def body(desk: Desk) -> None:
        assert await desk.services.engine.run_once()  # the seeded returns, with room to spare
        [order_id] = await desk.decided_orders(1, 3)  # 4 returned documents
        # A tight limit with short windows (Clio's are 60 s): the background share is 9 a window.
        sandbox_world.clio_faults.update({"rate_limit_per_minute": 12, "rate_window_s": 4})
        filer = desk.services.returns
        seen: list[tuple[float, Blocker | None, str, str]] = []

        def on_pause(event: object) -> None:
            if isinstance(event, RatePaused) and event.seconds > 0:
                order = next(o for o in filer_orders if o.id == order_id)
                texts = [filer.deliverable_filing(order, d).text for d in returned]
                filing = filer.order_filing(order)
                seen.append((event.seconds, filing.blocker, filing.text, " | ".join(texts)))

        filer_orders = await desk.services.orders.refresh()
        returned = await desk.deliverables(order_id)
        filer.events.subscribe(on_pause)
        answered = len(desk.transport.statuses)
        await filer.run(filer_orders)
        assert seen, "the limit was reached, so the wait was announced"
        seconds, blocker, order_text, documents = seen[0]
        assert 0 < seconds <= 5  # the reset time comes in whole seconds
        assert blocker is Blocker.RATE_LIMITED
        assert order_text.endswith("waiting for Clio")
        assert "Waiting for Clio (rate limit)" in documents
        pauses = [e.seconds for e in desk.events if isinstance(e, RatePaused)]
        assert pauses[-1] == 0.0  # and that it went on
        assert 429 not in desk.transport.statuses[answered:]  # the limiter waited; Clio never refused
        await _assert_each_in_clio_once(desk, {order_id: returned})
        assert filer.order_filing(next(o for o in filer_orders if o.id == order_id)).text == "All 4 in Clio"
        [*_, finished] = [e for e in desk.events if isinstance(e, RunFinished)]
        assert finished.pending == ()

    run_desk(sandbox_world, tmp_path / "ws1", body)
