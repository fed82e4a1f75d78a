"""The Activities page offscreen, against the sandbox's Clio: the firm's expenses from eFiling
orders (or all of them), narrowed by dates, matter, type and text, with totals; Edit saves a
category with the expense's etag, reloads and explains on a 412, refuses billed expenses naming
the bill; Export CSV writes what is shown; the fees waiting for Clio are listed with why."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app import config
from app.models.activities import ExpenseColumn, ExpensesFilter, ExpensesModel
from app.services.clio.api import ClioClient
from app.services.clio.records import Activity, Bill
from app.services.expenses.activities import CSV_HEADER, ExpenseRow, csv_fields, invoice_status
from app.views.activities import ActivitiesPage
from app.views.expense_edit import ExpenseEditDialog
from app.views.main_window import MainWindow
from tests.services.clio.auth_fixtures import CountingTransport
from tests.views.conftest import Stack, run
from tests.views.wizard_helpers import connect_clio, main_window, sign_in

SEEDED = 11
"""Expenses the sandbox firm has in Clio before the app posts any (none from eFiling orders)."""


@pytest.fixture(autouse=True)
def roomy_rate_limit(sandbox_world: Any) -> None:
    sandbox_world.clio_faults.update({"rate_limit_per_minute": 100_000})


def _activity(
    ident: int, matter: str, category: str, total: float, note: str, bill: Bill | None = None
) -> Activity:
    return Activity(
        id=ident,
        type="ExpenseEntry",
        date=f"2026-11-{ident % 28 + 1:02d}",
        quantity=1,
        price=total,
        total=total,
        note=note,
        matter_id=ident % 3 + 1,
        matter_display_number=matter,
        expense_category_id=None,
        expense_category_name=category,
        billed=bill is not None and bill.state == "paid",
        bill=bill,
        etag=f'"{ident}"',
    )


def test_the_expenses_models_pass_the_model_tester(qtmodeltester: Any) -> None:
    model = ExpensesModel()
    proxy = ExpensesFilter(model)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    first = [
        ExpenseRow.of(
            _activity(
                i, f"0000{i % 2}-Alvarez", "Court Filing Fee", 10.0 * i, f"Fee {i} [LC 24171{i:02d}/F{i}]"
            )
        )
        for i in range(1, 6)
    ]
    model.append(first)
    model.append([ExpenseRow.of(_activity(9, "00002-Nguyen", "", 4.5, "Photocopies"))])
    model.append(
        [ExpenseRow.of(_activity(3, "00001-Alvarez", "Postage", 99.0, "Fee 3 [LC 2417103/F3]"))]
    )  # again
    assert model.rowCount() == 6
    assert model.index(2, ExpenseColumn.AMOUNT).data() == "$99.00"  # replaced, not repeated
    assert model.index(5, ExpenseColumn.ORDER).data() == ""
    assert model.index(0, ExpenseColumn.DESCRIPTION).data() == "Fee 1"
    proxy.sort(ExpenseColumn.AMOUNT, Qt.SortOrder.DescendingOrder)
    assert [r.id for r in proxy.shown()][:2] == [3, 5]
    proxy.set_matter("00002-Nguyen")
    assert [r.id for r in proxy.shown()] == [9]
    proxy.set_matter(None)
    proxy.set_text("postage alvarez")
    assert [r.id for r in proxy.shown()] == [3]
    assert proxy.total_cents() == 9900
    model.clear()
    assert proxy.rowCount() == 0


def test_invoice_status_and_what_may_be_edited() -> None:
    assert invoice_status(None) == "Unbilled"
    paid = ExpenseRow.of(_activity(1, "m", "c", 1, "n", Bill(9001, "paid", "1001")))
    assert paid.invoice_status == "Bill 1001 · Paid"
    assert paid.frozen_reason is not None and "bill 1001 (paid)" in paid.frozen_reason
    for state in ("draft", "awaiting_approval", "void"):
        assert ExpenseRow.of(_activity(1, "m", "c", 1, "n", Bill(9, state, "7"))).frozen_reason is None
    owed = ExpenseRow.of(_activity(1, "m", "c", 1, "n", Bill(9002, "awaiting_payment", "1002")))
    assert owed.invoice_status == "Bill 1002 · Awaiting payment" and owed.frozen_reason is not None


# -- the page over the sandbox ----------------------------------------------------------------------


def _connected_window(qtbot: Any, stack: Stack, world: Any, demo: Any) -> tuple[MainWindow, ClioClient]:
    window, clio = main_window(qtbot, stack)
    window.show()
    sign_in(qtbot, window, stack, demo)
    connect_clio(qtbot, clio, world)
    client = stack.services.clio.client
    assert client is not None
    return window, client


def _post(
    qtbot: Any, client: ClioClient, matter: int, day: str, amount: float, note: str, **kw: Any
) -> Activity:
    made: Activity = run(
        qtbot,
        client.create_expense(
            matter, dt.date.fromisoformat(day), amount, note, kw.pop("category", None), **kw
        ),
    )
    return made


def _efiling_expenses(qtbot: Any, client: ClioClient) -> list[Activity]:
    """Five expenses as the poster makes them (two orders, two matters, one a hard cost)."""
    return [
        _post(qtbot, client, 2001, "2026-11-02", 435.0, "Court filing fee - Complaint — Order 2417108 [LC 2417108/F1]", category=501),
        _post(qtbot, client, 2001, "2026-11-02", 15.0, "EFM envelope fee — Order 2417108 [LC 2417108/F2]", category=502),
        _post(qtbot, client, 2001, "2026-11-02", 13.5, "Card convenience fee — Order 2417108 [LC 2417108/F3]", category=503),
        _post(qtbot, client, 2002, "2026-10-20", 60.0, "Court filing fee - Answer — Order 2416954 [LC 2416954/F7]", category=501),
        _post(
            qtbot, client, 2002, "2026-10-20", 25.0, "Provider service fee — Order 2416954 [LC 2416954/F8]",
            entry_type="HardCostEntry",
        ),
    ]  # fmt: skip


def _open_page(qtbot: Any, window: MainWindow) -> ActivitiesPage:
    window.activities_action.trigger()
    page = window.activities
    assert page is not None and window.pages.currentWidget() is page
    _wait_loaded(qtbot, page)
    return page


def _wait_loaded(qtbot: Any, page: ActivitiesPage) -> None:
    qtbot.waitUntil(lambda: not page.loading and "finished" in page.timings, timeout=20_000)


def test_the_page_lists_efiling_expenses_narrows_them_and_totals_what_is_shown(
    qtbot, stack, sandbox_world, demo
) -> None:
    window, client = _connected_window(qtbot, stack, sandbox_world, demo)
    ours = _efiling_expenses(qtbot, client)
    _post(qtbot, client, 2001, "2026-11-03", 9.0, "Parking at the courthouse")  # not from an order
    page = _open_page(qtbot, window)

    model = page.model
    assert model.rowCount() == len(ours)  # the eFiling ones only, hard cost included
    assert {r.id for r in model.rows()} == {a.id for a in ours}
    newest = page.proxy.shown()[0]
    assert newest.activity.date == "2026-11-02"  # newest first
    top = page.proxy.index(0, ExpenseColumn.ORDER)
    assert top.data() == "2417108"
    assert not page.proxy.index(0, ExpenseColumn.DESCRIPTION).data().endswith("]")  # the marker is hidden
    assert {page.proxy.index(r, ExpenseColumn.INVOICE).data() for r in range(5)} == {"Unbilled"}
    assert page.totals.text() == "5 expense(s) shown — total $548.50"

    # Matter, type and text narrow what is loaded, without asking Clio again.
    matters = [page.matter.itemText(i) for i in range(page.matter.count())]
    assert matters[0] == "All matters" and len(matters) == 3
    page.matter.setCurrentIndex(matters.index(ours[3].matter_display_number))
    assert page.proxy.rowCount() == 2
    assert page.totals.text() == "2 of 5 expense(s) shown — total $85.00"
    page.matter.setCurrentIndex(0)
    page.kind.setCurrentIndex(page.kind.findText("Court Filing Fee"))
    assert sorted(r.amount_cents for r in page.proxy.shown()) == [6000, 43500]
    page.kind.setCurrentIndex(page.kind.findText("(no category)"))
    assert [r.id for r in page.proxy.shown()] == [ours[4].id]
    page.kind.setCurrentIndex(0)
    page.search.setText("envelope 2417108")
    assert [r.id for r in page.proxy.shown()] == [ours[1].id]
    page.search.clear()

    # Sortable by any column: by amount, largest first.
    page.table.sortByColumn(ExpenseColumn.AMOUNT, Qt.SortOrder.DescendingOrder)
    assert [r.amount_cents for r in page.proxy.shown()] == [43500, 6000, 2500, 1500, 1350]

    # The date range is asked of Clio.
    page.range.setCurrentText("Custom range")
    page.start.setDate(dt.date(2026, 10, 1))
    page.end.setDate(dt.date(2026, 10, 31))
    _wait_loaded(qtbot, page)
    assert {r.id for r in model.rows()} == {ours[3].id, ours[4].id}

    # The toggle shows every expense of the firm, with each one's invoice status.
    page.range.setCurrentText("Any date")
    page.efiling_only.setChecked(False)
    _wait_loaded(qtbot, page)
    assert model.rowCount() == SEEDED + len(ours) + 1
    by_id = {r.id: r for r in model.rows()}
    assert by_id[7001].invoice_status == "Bill 1001 · Paid"
    assert by_id[7003].invoice_status == "Bill 1002 · Awaiting payment"
    assert by_id[7004].invoice_status == "Bill 1003 · Draft"
    assert by_id[7010].invoice_status == "Bill 1004 · Awaiting approval"
    assert by_id[7011].invoice_status == "Bill 1005 · Void"
    assert by_id[7006].invoice_status == "Unbilled"
    assert by_id[7001].order_number is None


def test_loading_is_paged_per_expense_type(qtbot, make_stack, sandbox_world, demo) -> None:
    """⌈N/200⌉ listing requests per expense type: 205 expenses → 2 + 1 + 1, first rows before all."""
    counting = CountingTransport()
    stack = make_stack(counting)
    window, client = _connected_window(qtbot, stack, sandbox_world, demo)
    for n in range(205):
        _post(
            qtbot, client, 2001, "2026-09-01", 1.0 + n, f"Fee {n} — Order 2400{n:03d} [LC 2400{n:03d}/F{n}]"
        )
    before = counting.count("/api/v4/activities.json")
    page = _open_page(qtbot, window)
    assert page.model.rowCount() == 205
    assert counting.count("/api/v4/activities.json") - before == 4
    assert page.timings["started"] < page.timings["first_rows"] < page.timings["finished"]
