"""The expense poster against the sandbox over real HTTP: every fee line of a decided order becomes
one expense on its Clio matter, exactly once across reruns, lost answers and workstations, and
every reason it waits. Qt-free, as the headless command runs it."""

from __future__ import annotations

import datetime as dt

from app import config
from app.services.clio.records import Activity
from app.services.expenses.poster import (
    ExpensePoster,
    FeesPosted,
    PostingFinished,
    decision_date,
    expense_note,
    marker,
)
from app.services.expenses.status import FeeState, FeeWait
from app.services.legalconnect.records import ClioLink, Order, OrderFeeLine
from app.services.store_journal import ExpenseStep
from tests.services.returns.conftest import Desk, make_desk, run_desk


def _poster(desk: Desk) -> tuple[ExpensePoster, list[object]]:
    """The composed poster, turned on for every order decided from 2020 on."""
    s = desk.services
    s.settings.set(config.FEES_POSTING, "automatic")
    s.settings.set(config.FEES_POSTING_SINCE, "2020-01-01")
    events: list[object] = []
    s.expenses.events.subscribe(events.append)
    return s.expenses, events


async def _expenses_of(desk: Desk, order: Order, line: OrderFeeLine) -> list[Activity]:
    client = desk.services.clio.client
    assert client is not None and order.clio is not None
    return await client.find_expenses_by_marker(order.clio.matter_id, marker(order, line))


async def _decided_with_matter(desk: Desk, count: int) -> list[Order]:
    ids = set(await desk.decided_orders(count, 2))
    return [o for o in await desk.orders() if o.id in ids]


def test_posts_each_fee_line_once_and_a_rerun_asks_clio_nothing(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        orders = await _decided_with_matter(desk, 2)
        poster, events = _poster(desk)
        await poster.run(orders)
        ledger = desk.services.store.journal
        categories = {c.id: c.name for c in await desk.services.clio.client.expense_categories()}
        for order in orders:
            lines = await desk.services.legalconnect.fee_lines(order.id)
            assert len(lines) >= 3
            for line in lines:
                found = await _expenses_of(desk, order, line)
                assert len(found) == 1, (order.id, line)
                expense = found[0]
                assert expense.price == line.amount_cents / 100 and expense.quantity == 1
                assert expense.note == expense_note(order, line)
                assert expense.note.startswith(line.description + " — Order ")
                assert expense.date == decision_date(order).isoformat()
                assert expense.matter_id == order.clio.matter_id
                assert categories.get(expense.expense_category_id) == line.clio_expense_category
                state = ledger.expense_state(str(order.id), str(line.id))
                assert state is not None and state.step is ExpenseStep.ACKNOWLEDGED
                assert state.clio_activity_id == expense.id
                assert line.clio.filed and line.clio.clio_id == expense.id  # the provider's record
            assert poster.order_fees(order).posted == len(lines)
        posted = [e for e in events if isinstance(e, FeesPosted)]
        assert sorted(e.order.id for e in posted) == sorted(o.id for o in orders)
        before = len(desk.clio_api_requests())
        await poster.run(orders)
        assert len(desk.clio_api_requests()) == before  # all acknowledged: Clio is not asked at all
        assert [e for e in events if isinstance(e, PostingFinished)][-1].pending == ()

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_an_expense_posted_before_the_answer_was_lost_is_not_posted_again(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        [order] = await _decided_with_matter(desk, 1)
        [first, *_rest] = await desk.services.legalconnect.fee_lines(order.id)
        client = desk.services.clio.client
        # As if a run created the expense and died before it could record or acknowledge it.
        made = await client.create_expense(
            order.clio.matter_id,
            decision_date(order),
            first.amount_cents / 100,
            expense_note(order, first),
            None,
        )
        poster, _events = _poster(desk)
        await poster.run([order])
        assert [a.id for a in await _expenses_of(desk, order, first)] == [made.id]
        state = desk.services.store.journal.expense_state(str(order.id), str(first.id))
        assert state is not None and state.clio_activity_id == made.id
        refreshed = await desk.services.legalconnect.fee_lines(order.id)
        assert next(line for line in refreshed if line.id == first.id).clio.clio_id == made.id

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_a_second_workstation_posts_nothing_again(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        orders = await _decided_with_matter(desk, 1)
        poster, _events = _poster(desk)
        await poster.run(orders)
        other = make_desk(desk.world, tmp_path / "ws2")
        try:
            assert await other.services.session.restore() is not None
            other.services.clio.configure(
                other.services.session.provider, other.services.session.session.user_email
            )
            await other.connect_clio()
            second, events = _poster(other)
            await second.run(orders)
            assert not [e for e in events if isinstance(e, FeesPosted)]
            for order in orders:
                for line in await desk.services.legalconnect.fee_lines(order.id):
                    assert len(await _expenses_of(desk, order, line)) == 1
                    mine = desk.services.store.journal.expense_state(str(order.id), str(line.id))
                    theirs = other.services.store.journal.expense_state(str(order.id), str(line.id))
                    assert theirs is not None and theirs.step is ExpenseStep.ACKNOWLEDGED
                    assert mine is not None and theirs.clio_activity_id == mine.clio_activity_id
        finally:
            await other.services.aclose()

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_waits_for_a_matter_then_posts_once_one_is_chosen(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        ids = set(await desk.decided_orders(1, 2, with_matter=False))
        [order] = [o for o in await desk.orders() if o.id in ids]
        poster, _events = _poster(desk)
        await poster.run([order])
        assert poster.order_fees(order).blocker is FeeWait.NO_MATTER
        assert desk.services.store.journal.expenses_of_order(str(order.id)) == []
        link = ClioLink(client_id=1001, matter_id=2001, matter_display_number="00001-Harmon")
        chosen = await desk.services.legalconnect.set_clio_matter(order.id, link)
        await poster.run([chosen])
        fees = poster.order_fees(chosen)
        assert fees.blocker is None and fees.lines >= 3 and fees.posted == fees.lines
        for line in await desk.services.legalconnect.fee_lines(order.id):
            assert len(await _expenses_of(desk, chosen, line)) == 1

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_without_a_clio_connection_it_waits_and_posts_nothing(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        orders = await _decided_with_matter(desk, 1)
        poster, events = _poster(desk)
        await poster.run(orders)
        assert poster.order_fees(orders[0]).blocker is FeeWait.NOT_CONNECTED
        assert desk.services.store.journal.expenses_of_order(str(orders[0].id)) == []
        assert [o.id for o, _f in events[-1].pending] == [orders[0].id]

    run_desk(sandbox_world, tmp_path / "ws1", body, connect=False)


def test_off_by_default_and_never_for_orders_decided_before_posting_began(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        s = desk.services
        events: list[object] = []
        s.expenses.events.subscribe(events.append)
        assert await s.engine.run_once()  # the returns are filed; fees stay where they are (off)
        assert not s.expenses.posting and events == []
        assert all(not p.path.endswith("activities.json") for _m, p in desk.clio_api_requests())

        s.settings.set(config.FEES_POSTING, "automatic")
        assert await s.engine.run_once()  # on since today: the seeded orders were decided before
        assert s.settings.get(config.FEES_POSTING_SINCE) == dt.date.today().isoformat()
        assert s.store.journal.expense_counts() == {}

        fresh = await _decided_with_matter(desk, 1)  # decided now: its fees go to Clio
        decided = decision_date(fresh[0]).isoformat()
        if decided < s.settings.get(config.FEES_POSTING_SINCE):  # minutes ago, just before midnight
            s.settings.set(config.FEES_POSTING_SINCE, decided)
        assert await s.engine.run_once()
        assert set(s.store.journal.expense_counts()) == {str(fresh[0].id)}
        assert any(isinstance(e, FeesPosted) and e.order.id == fresh[0].id for e in events)

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_after_review_the_fees_wait_until_approved(sandbox_world, tmp_path) -> None:
    async def body(desk: Desk) -> None:
        [order] = await _decided_with_matter(desk, 1)
        poster, events = _poster(desk)
        desk.services.settings.set(config.FEES_POSTING, "review")
        await poster.run([order])
        assert poster.order_fees(order).blocker is FeeWait.AWAITING_REVIEW
        assert poster.why_waiting(order).startswith("Waiting for review")
        assert [o.id for o, _f in [e for e in events if isinstance(e, PostingFinished)][-1].pending] == [
            order.id
        ]
        assert not [p for _m, p in desk.clio_api_requests() if p.path.endswith("activities.json")]
        lines = await desk.services.legalconnect.fee_lines(order.id)
        assert poster.line_state(order, lines[0]).state is FeeState.WAITING

        poster.approve(order)
        await poster.run([order])
        fees = poster.order_fees(order)
        assert fees.blocker is None and fees.posted == fees.lines == len(lines)
        assert desk.services.store.journal.fees_approved(str(order.id))

    run_desk(sandbox_world, tmp_path / "ws1", body)


def test_the_firms_categories_and_billing_choice_are_used_and_a_missing_category_waits(
    sandbox_world, tmp_path
) -> None:
    async def body(desk: Desk) -> None:
        [order] = await _decided_with_matter(desk, 1)
        poster, _events = _poster(desk)
        settings = desk.services.settings
        settings.set(config.FEES_CATEGORY["efm_envelope_fee"], "Court Runner Costs")  # not in Clio yet
        settings.set(config.FEES_CATEGORY["card_convenience_fee"], "postage")  # any case
        settings.set(config.FEES_BILLABLE, False)
        await poster.run([order])
        assert poster.order_fees(order).blocker is FeeWait.CATEGORY_MISSING
        assert "“Court Runner Costs”" in poster.why_waiting(order)
        assert not [
            p for m, p in desk.clio_api_requests() if m == "POST" and p.path.endswith("activities.json")
        ]

        client = desk.services.clio.client
        await client.create_expense_category("Court Runner Costs", "hard_cost")
        await poster.run([order])  # it looks again, finds it and posts
        fees = poster.order_fees(order)
        assert fees.blocker is None and fees.posted == fees.lines
        names = {c.id: c.name for c in await client.expense_categories()}
        for line in await desk.services.legalconnect.fee_lines(order.id):
            [expense] = await _expenses_of(desk, order, line)
            expected = {"efm_envelope_fee": "Court Runner Costs", "card_convenience_fee": "Postage"}.get(
                line.code, line.clio_expense_category
            )
            assert names[expense.expense_category_id] == expected
            raw = await client.request_json(
                "GET", f"activities/{expense.id}.json", params={"fields": "id,no_charge"}
            )
            assert raw["data"]["no_charge"] is True

    run_desk(sandbox_world, tmp_path / "ws1", body)
