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
from app.views.settings_dialog import SettingsDialog
from tests.services.clio.auth_fixtures import CountingTransport
from tests.views.conftest import Stack, run
from tests.views.wizard_helpers import connect_clio, decided_order, main_window, sign_in

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


EFILING = (
    # (matter, date, amount, note, category, entry type) as the poster makes them
    (
        2001,
        "2026-11-02",
        435.0,
        "Court filing fee - Complaint — Order 2417108 [LC 2417108/F1]",
        501,
        "ExpenseEntry",
    ),
    (2001, "2026-11-02", 15.0, "EFM envelope fee — Order 2417108 [LC 2417108/F2]", 502, "ExpenseEntry"),
    (2001, "2026-11-02", 13.5, "Card convenience fee — Order 2417108 [LC 2417108/F3]", 503, "ExpenseEntry"),
    (
        2002,
        "2026-10-20",
        60.0,
        "Court filing fee - Answer — Order 2416954 [LC 2416954/F7]",
        501,
        "ExpenseEntry",
    ),
    (2002, "2026-10-20", 25.0, "Provider service fee — Order 2416954 [LC 2416954/F8]", None, "HardCostEntry"),
)


def _efiling_expenses(qtbot: Any, client: ClioClient) -> list[Activity]:
    """Five expenses as the poster makes them (two orders, two matters, one a hard cost)."""
    return [
        _post(qtbot, client, matter, day, amount, note, category=category, entry_type=kind)
        for matter, day, amount, note, category, kind in EFILING
    ]


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

    # Posting is off until the firm turns it on: the page says so and offers the setting.
    assert page.posting_button.isVisible() and "is off" in page.clio_notice.text()
    page.posting_button.click()
    qtbot.waitUntil(lambda: window.findChild(SettingsDialog) is not None)
    stack.settings.set(config.FEES_POSTING, "automatic")
    page.settings_changed()
    assert not page.posting_button.isVisible() and not page.clio_notice.isVisible()

    model = page.model
    assert model.rowCount() == len(ours)  # the eFiling ones only, hard cost included
    assert {r.id for r in model.rows()} == {a.id for a in ours}
    newest = page.proxy.shown()[0]
    assert newest.activity.date == "2026-11-02"  # newest first
    top = page.proxy.index(0, ExpenseColumn.ORDER)
    assert top.data() == "2417108"
    assert not page.proxy.index(0, ExpenseColumn.DESCRIPTION).data().endswith("]")  # the marker is hidden
    assert {page.proxy.index(r, ExpenseColumn.INVOICE).data() for r in range(5)} == {"Unbilled"}
    assert page.totals.text() == "5 expenses shown — total $548.50"

    # Matter, type and text narrow what is loaded, without asking Clio again.
    matters = [page.matter.itemText(i) for i in range(page.matter.count())]
    assert matters[0] == "All matters" and len(matters) == 3
    page.matter.setCurrentIndex(matters.index(ours[3].matter_display_number))
    assert page.proxy.rowCount() == 2
    assert page.totals.text() == "2 of 5 expenses shown — total $85.00"
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


def _edit(qtbot: Any, page: ActivitiesPage, activity_id: int) -> ExpenseEditDialog:
    assert page.select_expense(activity_id)
    page.edit_button.click()
    qtbot.waitUntil(lambda: page.edit_dialog is not None and page.edit_dialog.isVisible(), timeout=15_000)
    dialog = page.edit_dialog
    assert dialog is not None
    return dialog


def _row(page: ActivitiesPage, activity_id: int) -> ExpenseRow:
    return next(r for r in page.model.rows() if r.id == activity_id)


def test_edit_saves_the_category_in_clio_with_the_etag(qtbot, stack, sandbox_world, demo) -> None:
    window, client = _connected_window(qtbot, stack, sandbox_world, demo)
    ours = _efiling_expenses(qtbot, client)
    page = _open_page(qtbot, window)
    messages: list[str] = []
    page.sig_message.connect(messages.append)
    dialog = _edit(qtbot, page, ours[2].id)
    assert dialog.category.currentText() == "Card Convenience Fee"
    assert dialog.facts["description"].text() == "Card convenience fee — Order 2417108"
    assert dialog.facts["invoice"].text() == "Unbilled" and dialog.save_button.isEnabled()
    dialog.category.setCurrentIndex(dialog.category.findText("eFiling Service Fee"))
    dialog.save_button.click()
    qtbot.waitUntil(lambda: page.edit_dialog is None, timeout=15_000)
    assert _row(page, ours[2].id).activity.expense_category_name == "eFiling Service Fee"
    assert messages == ["Saved in Clio: Card convenience fee — Order 2417108 — eFiling Service Fee."]
    in_clio = run(qtbot, client.activity(ours[2].id))
    assert in_clio.expense_category_id == 502 and in_clio.etag != ours[2].etag

    # Choosing "(No category)" clears it; the row's type then reads so.
    dialog = _edit(qtbot, page, ours[0].id)
    dialog.category.setCurrentIndex(0)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: page.edit_dialog is None, timeout=15_000)
    assert run(qtbot, client.activity(ours[0].id)).expense_category_id is None
    assert page.kind.findText("(no category)") >= 0


def test_a_change_made_meanwhile_in_clio_is_reloaded_and_explained_not_overwritten(
    qtbot, stack, sandbox_world, demo
) -> None:
    window, client = _connected_window(qtbot, stack, sandbox_world, demo)
    ours = _efiling_expenses(qtbot, client)
    page = _open_page(qtbot, window)
    messages: list[str] = []
    page.sig_message.connect(messages.append)
    dialog = _edit(qtbot, page, ours[0].id)
    dialog.category.setCurrentIndex(dialog.category.findText("Postage"))
    run(qtbot, client.update_activity_category(ours[0].id, 505))  # the bookkeeper, in Clio, meanwhile

    dialog.save_button.click()
    qtbot.waitUntil(lambda: "Save again" in dialog.message.text(), timeout=15_000)
    text = dialog.message.text()
    assert text.startswith("Someone changed this expense in Clio while it was open")
    assert "category Court Filing Fee → Courier and Messenger" in text
    assert dialog.isVisible() and dialog.category.currentText() == "Postage"  # the choice is kept
    assert run(qtbot, client.activity(ours[0].id)).expense_category_id == 505  # nothing overwritten
    assert _row(page, ours[0].id).activity.expense_category_name == "Courier and Messenger"  # the row too
    assert messages == []  # nothing was saved

    dialog.save_button.click()  # now with Clio's etag
    qtbot.waitUntil(lambda: page.edit_dialog is None, timeout=15_000)
    assert run(qtbot, client.activity(ours[0].id)).expense_category_name == "Postage"


def test_a_billed_expense_cannot_be_edited_and_says_which_bill(qtbot, stack, sandbox_world, demo) -> None:
    window, client = _connected_window(qtbot, stack, sandbox_world, demo)
    page = _open_page(qtbot, window)
    page.efiling_only.setChecked(False)
    _wait_loaded(qtbot, page)
    assert page.select_expense(7003)
    assert "bill 1002 (awaiting payment)" in page.edit_button.toolTip()
    dialog = _edit(qtbot, page, 7003)
    assert "bill 1002 (awaiting payment)" in dialog.message.text() and dialog.message.isVisible()
    assert not dialog.save_button.isEnabled() and not dialog.category.isEnabled()
    dialog.save()  # Enter pressed anyway: nothing is sent
    assert run(qtbot, client.activity(7003)).expense_category_id == 501
    dialog.reject()

    # Loaded while unbilled, billed in Clio since: Clio refuses, the dialog reloads and says why.
    stale = ExpenseRow.of(_activity(7001, "00001-Alvarez", "Court Filing Fee", 435.0, "Filing fee"))
    fresh = run(qtbot, client.activity(7001))
    stale = ExpenseRow.of(
        Activity(
            **{
                **stale.activity.__dict__,
                "bill": None,
                "billed": False,
                "etag": fresh.etag,
                "matter_id": 2001,
            }
        )
    )
    dialog = ExpenseEditDialog(stale, [], client, stack.runner, page)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.category.addItem("Postage", 507)
    dialog.category.setCurrentIndex(dialog.category.count() - 1)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "bill 1001 (paid)" in dialog.message.text(), timeout=15_000)
    assert dialog.message.text().startswith("Clio did not save the category")
    assert not dialog.save_button.isEnabled()
    assert run(qtbot, client.activity(7001)).expense_category_id == 501


def test_export_csv_writes_what_is_shown_line_by_line(
    qtbot, stack, sandbox_world, demo, tmp_path: Path
) -> None:
    window, client = _connected_window(qtbot, stack, sandbox_world, demo)
    ours = _efiling_expenses(qtbot, client)
    page = _open_page(qtbot, window)
    page.search.setText("2417108")
    page.table.sortByColumn(ExpenseColumn.AMOUNT, Qt.SortOrder.AscendingOrder)
    messages: list[str] = []
    page.sig_message.connect(messages.append)
    target = tmp_path / "fees.csv"
    assert page.export_csv(target)
    assert messages[-1] == "Saved 3 expenses to fees.csv."
    raw = target.read_bytes()
    assert raw.startswith("\ufeff".encode())  # spreadsheet programs read the dashes right
    with target.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == list(CSV_HEADER)
    assert len(lines) == 4
    expected = sorted(ours[:3], key=lambda a: a.total)
    for line, activity in zip(lines[1:], expected, strict=True):
        assert line == list(csv_fields(ExpenseRow.of(activity)))
        assert line[2] == "2417108" and line[6] == "Unbilled" and line[8] == str(activity.id)
        assert "[LC" not in line[3]
    assert [line[5] for line in lines[1:]] == ["13.50", "15.00", "435.00"]

    # A place that cannot be written: said, and nothing half-written left behind.
    missing = tmp_path / "no such folder" / "fees.csv"
    assert not page.export_csv(missing)
    assert messages[-1].startswith("Could not save fees.csv:")
    assert not missing.parent.exists()
    target.write_text("older export")
    assert page.export_csv(target) and target.read_text(encoding="utf-8-sig").startswith("Date,")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_posted_fees_appear_and_open_their_order_and_waiting_ones_say_why(
    qtbot, stack, sandbox_world, demo
) -> None:
    stack.settings.set(config.FEES_POSTING, "automatic")
    stack.settings.set(config.FEES_POSTING_SINCE, "2020-01-01")
    window, clio = main_window(qtbot, stack)
    window.show()
    order_id = decided_order(sandbox_world)
    sign_in(qtbot, window, stack, demo)
    assert window.activities_action.isEnabled()
    window.activities_action.trigger()
    page = window.activities
    assert page is not None
    assert page.connect_button.isVisible() and "Connect to Clio" in page.clio_notice.text()
    qtbot.waitUntil(lambda: page.waiting_box.isVisible(), timeout=15_000)
    order = next(o for o in window.orders_view.model.orders() if o.id == order_id)
    items = [page.waiting.topLevelItem(i) for i in range(page.waiting.topLevelItemCount())]
    mine = next(i for i in items if i is not None and i.text(0) == order.display_number)
    assert mine.text(2) == "Waiting for Clio — connect to Clio to post them"

    connect_clio(qtbot, clio, sandbox_world)
    window.refresh_action.trigger()  # the next poll posts them; the page shows them as they land
    qtbot.waitUntil(
        lambda: any(r.order_number == order.order_number for r in page.model.rows()), timeout=30_000
    )
    qtbot.waitUntil(lambda: not page.loading, timeout=15_000)
    ours = [r for r in page.model.rows() if r.order_number == order.order_number]
    lines = run(qtbot, stack.services.legalconnect.fee_lines(order_id))
    assert len(ours) == len(lines) and sum(r.amount_cents for r in ours) == sum(x.amount_cents for x in lines)
    qtbot.waitUntil(lambda: not any(
        (i := page.waiting.topLevelItem(n)) is not None and i.text(0) == order.display_number
        for n in range(page.waiting.topLevelItemCount())
    ), timeout=15_000)  # fmt: skip

    # Double-clicking the order number opens the order on its Fees tab.
    at = next(
        r
        for r in range(page.proxy.rowCount())
        if page.proxy.index(r, ExpenseColumn.ORDER).data() == order.order_number
    )
    page.table.doubleClicked.emit(page.proxy.index(at, ExpenseColumn.ORDER))
    assert window.pages.currentWidget() is window.splitter and window.orders_page_action.isChecked()
    selected = window.orders_view.selected_order()
    assert selected is not None and selected.id == order_id
    assert window.order_panel.tabs.currentIndex() == 2


def _waiting_rows(page: ActivitiesPage) -> dict[str, str]:
    items = [page.waiting.topLevelItem(i) for i in range(page.waiting.topLevelItemCount())]
    return {i.text(0): i.text(2) for i in items if i is not None}


def test_after_review_an_order_waits_until_approved_on_the_page(qtbot, stack, sandbox_world, demo) -> None:
    stack.settings.set(config.FEES_POSTING, "review")
    stack.settings.set(config.FEES_POSTING_SINCE, "2020-01-01")
    order_id = decided_order(sandbox_world)
    window, _client = _connected_window(qtbot, stack, sandbox_world, demo)
    page = _open_page(qtbot, window)
    order = next(o for o in window.orders_view.model.orders() if o.id == order_id)
    qtbot.waitUntil(lambda: order.display_number in _waiting_rows(page), timeout=15_000)
    assert _waiting_rows(page)[order.display_number].startswith("Waiting for review")
    assert page.approve_button.isVisible()
    item = next(
        i for n in range(page.waiting.topLevelItemCount())
        if (i := page.waiting.topLevelItem(n)) is not None and i.text(0) == order.display_number
    )  # fmt: skip
    page.waiting.clearSelection()
    item.setSelected(True)
    assert page.approve_button.isEnabled()
    page.approve_button.click()
    qtbot.waitUntil(
        lambda: any(r.order_number == order.order_number for r in page.model.rows()), timeout=30_000
    )
    qtbot.waitUntil(lambda: order.display_number not in _waiting_rows(page), timeout=15_000)
    assert stack.store.journal.fees_approved(str(order_id))


def test_settings_choose_each_fees_category_and_create_the_missing_ones(
    qtbot, stack, sandbox_world, demo
) -> None:
    window, client = _connected_window(qtbot, stack, sandbox_world, demo)
    dialog = SettingsDialog(stack.settings, window, window.clio, stack.runner)
    qtbot.addWidget(dialog)
    box = dialog.fee_categories
    assert box is not None
    qtbot.waitUntil(lambda: box.categories is not None, timeout=15_000)
    combo = box.combos["court_filing_fee"]
    assert combo.findText("Court Filing Fee") >= 0 and combo.findText("Postage") >= 0
    assert box.missing() == [] and not box.create_button.isVisibleTo(box)
    assert box.note.text() == "Every category chosen is in the firm's Clio."

    combo.setEditText("Filing Fees (Court)")
    box.combos["expert_review"].setEditText("Attorney Review")
    assert box.missing() == ["Filing Fees (Court)", "Attorney Review"]
    assert "Not in the firm's Clio yet: Filing Fees (Court), Attorney Review" in box.note.text()
    assert box.create_button.isVisibleTo(box)
    box.create_button.click()
    qtbot.waitUntil(lambda: box.missing() == [] and box.create_button.isEnabled(), timeout=15_000)
    names = {c.name: c.entry_type for c in run(qtbot, client.expense_categories())}
    assert names["Filing Fees (Court)"] == names["Attorney Review"] == "unassociated"

    # Saved with the rest on OK; a name Clio could not hold is refused and nothing is saved.
    box.combos["card_convenience_fee"].setEditText("x" * 300)
    dialog.accept()
    assert "Card convenience fee: " in box.note.text()
    assert stack.settings.get(config.FEES_CATEGORY["court_filing_fee"]) == ""
    box.combos["card_convenience_fee"].setEditText("")
    dialog.accept()
    assert stack.settings.get(config.FEES_CATEGORY["court_filing_fee"]) == "Filing Fees (Court)"
    assert stack.settings.get(config.FEES_CATEGORY["expert_review"]) == "Attorney Review"
    assert stack.settings.get(config.FEES_CATEGORY["card_convenience_fee"]) == ""
