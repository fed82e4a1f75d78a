"""The item models on hand-made records: Qt's model contract, in-place updates, filter and search."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QDate, QItemSelectionModel, QLocale, Qt
from PySide6.QtGui import QColor, QIcon

from app.appearance import display_locale, human_size
from app.models.order_detail import (
    DELIVERABLE_ROLE,
    DeliverableColumn,
    DeliverablesModel,
    DocumentColumn,
    DocumentsModel,
)
from app.models.orders import (
    ORDER_ROLE,
    RETURNS_REPAINT_MS,
    Column,
    OrdersFilterModel,
    OrdersModel,
    StatusFilter,
)
from app.services.legalconnect.records import Deliverable, Order, OrderDocument, OrderStatus
from app.services.returns.status import OrderFiling
from app.views.orders_view import OrdersView

NOW = dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.UTC)


def order(order_id: int, status: str, **extra: Any) -> Order:
    raw: dict[str, Any] = {
        "id": order_id,
        "order_number": None if status == "draft" else f"24{order_id:05d}",
        "status": status,
        "court_name": extra.pop("court", "Superior Court of California, County of Orange"),
        "case_title": extra.pop("title", f"Case {order_id}"),
        "case_number": extra.pop("case_number", f"25CV{order_id:04d}"),
        "clio": {"client_id": 1, "matter_id": order_id, "matter_display_number": f"000{order_id}-Matter"},
        "documents": [],
        "document_count": order_id % 4,
        "created_at": NOW.isoformat(),
        "updated_at": NOW.isoformat(),
        "submitted_at": None if status == "draft" else (NOW - dt.timedelta(days=order_id)).isoformat(),
    }
    raw.update(extra)
    return Order.from_json(raw)


ALL_STATUSES = [s.value for s in OrderStatus]


@pytest.fixture
def orders() -> list[Order]:
    made = [order(i + 1, status) for i, status in enumerate(ALL_STATUSES)]
    made.append(order(20, "accepted", title="Brightline Logistics v. Harmon", closed=True))
    made.append(order(21, "submitted", court="Superior Court of California, County of Los Angeles"))
    return made


def test_orders_model_contract(qtmodeltester, orders) -> None:
    model = OrdersModel()
    model.set_orders(orders)
    qtmodeltester.check(model)
    assert model.rowCount() == len(orders)
    assert model.columnCount() == len(Column)


def test_proxy_contract_with_filter_and_sort(qtmodeltester, orders) -> None:
    model = OrdersModel()
    model.set_orders(orders)
    proxy = OrdersFilterModel()
    proxy.setSourceModel(model)
    proxy.sort(Column.SUBMITTED, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(proxy)
    proxy.set_status_filter(StatusFilter.PENDING)
    proxy.set_search_text("orange")
    qtmodeltester.check(proxy)


def test_status_column_has_words_icon_and_colour(orders) -> None:
    model = OrdersModel()
    model.set_orders(orders)
    for row in range(model.rowCount()):
        index = model.index(row, Column.STATUS)
        shown = model.data(index, ORDER_ROLE)
        assert model.data(index) == (f"{shown.status.label} (closed)" if shown.closed else shown.status.label)
        assert isinstance(model.data(index, Qt.ItemDataRole.DecorationRole), QIcon)
        assert not model.data(index, Qt.ItemDataRole.DecorationRole).isNull()
        assert isinstance(model.data(index, Qt.ItemDataRole.ForegroundRole), QColor)
    draft_row = next(r for r in range(model.rowCount()) if model.order_at(r).status == OrderStatus.DRAFT)
    assert model.data(model.index(draft_row, Column.NUMBER)) == "Draft"
    assert model.data(model.index(draft_row, Column.SUBMITTED)) == ""


def test_set_orders_updates_in_place_and_keeps_the_selection(qtbot, orders) -> None:
    model = OrdersModel()
    model.set_orders(orders)
    selection = QItemSelectionModel(model)
    target = orders[3]
    row = model.row_of(target.id)
    assert row is not None
    selection.select(
        model.index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    changed = order(target.id, "accepted", title="Renamed case")
    newcomer = order(99, "draft")
    gone = orders[0]
    update = [changed if o.id == target.id else o for o in orders if o.id != gone.id] + [newcomer]
    with (
        qtbot.waitSignal(model.dataChanged),
        qtbot.waitSignal(model.rowsInserted),
        qtbot.waitSignal(model.rowsRemoved),
    ):
        model.set_orders(update)
    assert model.rowCount() == len(update)
    selected = selection.selectedRows()
    assert len(selected) == 1
    assert model.data(selected[0], ORDER_ROLE) == changed
    assert model.row_of(gone.id) is None
    assert model.row_of(newcomer.id) is not None


@pytest.mark.parametrize(
    ("choice", "statuses"),
    [
        (StatusFilter.ALL, set(OrderStatus)),
        (StatusFilter.DRAFTS, {OrderStatus.DRAFT}),
        (StatusFilter.PENDING, {OrderStatus.SUBMITTED, OrderStatus.UNDER_REVIEW}),
        (StatusFilter.ACCEPTED, {OrderStatus.ACCEPTED}),
        (StatusFilter.REJECTED, {OrderStatus.REJECTED}),
        (StatusFilter.PARTIALLY_ACCEPTED, {OrderStatus.PARTIALLY_ACCEPTED}),
        (StatusFilter.CANCELLED, {OrderStatus.CANCELLED}),
    ],
)
def test_status_filter(orders, choice, statuses) -> None:
    model = OrdersModel()
    model.set_orders(orders)
    proxy = OrdersFilterModel()
    proxy.setSourceModel(model)
    proxy.set_status_filter(choice)
    shown = [proxy.order_at(r) for r in range(proxy.rowCount())]
    assert len(shown) == sum(1 for o in orders if o.status in statuses)
    assert all(o is not None and o.status in statuses for o in shown)


def test_search_covers_number_title_case_court_and_matter(orders) -> None:
    model = OrdersModel()
    model.set_orders(orders)
    proxy = OrdersFilterModel()
    proxy.setSourceModel(model)
    cases = {
        "2400003": 1,  # order number
        "brightline": 1,  # case title, case-insensitive
        "25CV0021": 1,  # case number
        "los angeles": 1,  # court, every word must match somewhere
        "0005-Matter": 1,  # Clio matter
        "orange case": len(orders) - 2,  # words may match different fields; skips the LA order and Brightline
        "nothing-like-this": 0,
    }
    for text, expected in cases.items():
        proxy.set_search_text(text)
        assert proxy.rowCount() == expected, text
    proxy.set_search_text("")
    assert proxy.rowCount() == len(orders)


def _document(doc_id: int, result: str | None, reason: str | None = None) -> OrderDocument:
    return OrderDocument.from_json(
        {
            "id": doc_id,
            "name": f"Document {doc_id}.pdf",
            "filing_code": "MSJ",
            "filing_code_name": "Motion for Summary Judgment",
            "role": "lead" if doc_id == 1 else "attachment",
            "size_bytes": 44662,
            "page_count": 20,
            "review_result": result,
            "reject_reason": reason,
        }
    )


def test_documents_model(qtmodeltester) -> None:
    model = DocumentsModel()
    model.set_documents(
        [
            _document(1, "accepted"),
            _document(2, "rejected", "Missing required attachment."),
            _document(3, None),
        ]
    )
    qtmodeltester.check(model)
    assert model.data(model.index(0, DocumentColumn.ROLE)) == "Lead"
    assert model.data(model.index(1, DocumentColumn.RESULT)) == "Rejected"
    assert model.data(model.index(1, DocumentColumn.REASON)) == "Missing required attachment."
    assert "Missing required attachment." in model.data(model.index(1, 0), Qt.ItemDataRole.ToolTipRole)
    assert isinstance(
        model.data(model.index(1, DocumentColumn.RESULT), Qt.ItemDataRole.DecorationRole), QIcon
    )
    assert model.data(model.index(2, DocumentColumn.RESULT)) == "Not reviewed"
    assert model.data(model.index(0, DocumentColumn.SIZE)) == "43.6 KB"


def test_deliverables_model(qtmodeltester) -> None:
    model = DeliverablesModel()
    item = Deliverable.from_json(
        {
            "id": 7,
            "order_id": 6,
            "order_number": "2417108",
            "kind": "conformed_copy",
            "name": "Motion (Conformed).pdf",
            "size_bytes": 48390,
            "sha256": "0" * 64,
            "received_at": NOW.isoformat(),
        }
    )
    model.set_deliverables([item])
    qtmodeltester.check(model)
    assert model.data(model.index(0, DeliverableColumn.KIND)) == "Conformed copy"
    assert model.data(model.index(0, DeliverableColumn.SIZE)) == "47.3 KB"
    assert model.data(model.index(0, 0), DELIVERABLE_ROLE) == item
    assert model.data(model.index(0, DeliverableColumn.RECEIVED))


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (None, ""),
        (0, "0 bytes"),
        (1023, "1023 bytes"),
        (1536, "1.5 KB"),
        (5 * 1024**2, "5.0 MB"),
        (3 * 1024**3, "3.0 GB"),
    ],
)
def test_human_size(size, text) -> None:
    assert human_size(size) == text


def test_court_column_shows_the_county_and_keeps_the_full_name() -> None:
    full = "Superior Court of California, County of San Diego"
    model = OrdersModel()
    model.set_orders([order(41, "accepted", court=full), order(42, "accepted", court="Court of Appeal")])
    shown = {model.data(model.index(r, Column.COURT)) for r in range(2)}
    assert shown == {"San Diego Superior Court", "Court of Appeal"}
    tips = {model.data(model.index(r, Column.COURT), Qt.ItemDataRole.ToolTipRole) for r in range(2)}
    assert full in tips
    proxy = OrdersFilterModel()
    proxy.setSourceModel(model)
    proxy.set_search_text("County of San Diego")  # the full name stays searchable
    assert proxy.rowCount() == 1


def test_returns_changes_reach_the_view_once_per_interval_and_read_fresh_at_once(qtbot) -> None:
    filed: dict[int, int] = {}
    model = OrdersModel(returns=lambda o: OrderFiling(4, filed.get(o.id, 0), 0, None))
    model.set_orders([order(i, "accepted") for i in range(1, 40)])
    index = model.index(model.row_of(7) or 0, Column.RETURNS)
    assert model.data(index) == "0 of 4 in Clio"
    changes: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom, _roles=(): changes.append((top.row(), bottom.row())))
    for step in range(1, 5):  # the filer reports every step of every document
        filed[7] = step
        model.refresh_returns(7)
        filed[9] = step
        model.refresh_returns(9)
    assert model.data(index) == "All 4 in Clio"  # read again at once...
    assert changes == []  # ...while the view hears of it once, shortly
    qtbot.waitUntil(lambda: bool(changes), timeout=2000)
    assert changes == [(model.row_of(7), model.row_of(9))]
    qtbot.wait(2 * RETURNS_REPAINT_MS)
    assert len(changes) == 1


def test_the_narrow_columns_fit_what_they_show_and_in_clio_its_widest_text(qtbot) -> None:
    view = OrdersView(returns=lambda o: OrderFiling(1, 0, 0, None))
    qtbot.addWidget(view)
    header = view.table.horizontalHeader()
    metrics = view.table.fontMetrics()

    def fits(column: Column, text: str) -> bool:
        return header.sectionSize(column) > metrics.horizontalAdvance(text)

    assert fits(Column.RETURNS, "Choose another matter")  # sized once for every shape its text takes
    view.model.set_orders([order(1, "accepted"), order(2, "submitted")])
    qtbot.waitUntil(lambda: fits(Column.STATUS, "Accepted"))
    narrow = header.sectionSize(Column.STATUS)
    assert not fits(Column.STATUS, "Partially Accepted (closed)")  # room left for the case and court
    view.model.set_orders([order(1, "partially_accepted", closed=True), order(2, "submitted")])
    qtbot.waitUntil(lambda: fits(Column.STATUS, "Partially Accepted (closed)"))
    assert header.sectionSize(Column.STATUS) > narrow
    # A filed document changes only the In Clio cell: nothing is measured again.
    widths = [header.sectionSize(c) for c in Column]
    view.model.refresh_returns(1)
    qtbot.wait(2 * RETURNS_REPAINT_MS)
    assert [header.sectionSize(c) for c in Column] == widths


def test_case_and_court_never_shrink_below_reading_width_the_table_scrolls_instead(qtbot) -> None:
    from PySide6.QtWidgets import QHeaderView

    from app.views.orders_view import CELL_PADDING, WIDE_MINIMUM_CHARS

    view = OrdersView(returns=lambda o: OrderFiling(1, 0, 0, None))
    qtbot.addWidget(view)
    view.model.set_orders([order(n, "accepted") for n in range(1, 6)])
    view.show()
    header = view.table.horizontalHeader()
    char = view.table.fontMetrics().averageCharWidth()
    minimum = {c: n * char + CELL_PADDING for c, n in WIDE_MINIMUM_CHARS.items()}
    scroll = view.table.horizontalScrollBar()

    view.resize(600, 400)  # far too narrow for every column
    qtbot.waitUntil(lambda: header.sectionResizeMode(Column.CASE_TITLE) == QHeaderView.ResizeMode.Interactive)
    for column, width in minimum.items():
        assert header.sectionSize(column) >= width
    qtbot.waitUntil(lambda: scroll.maximum() > 0)  # the rest is reached by scrolling sideways

    view.resize(1600, 400)  # room to spare: the wide columns share it
    qtbot.waitUntil(lambda: header.sectionResizeMode(Column.CASE_TITLE) == QHeaderView.ResizeMode.Stretch)
    assert header.sectionResizeMode(Column.COURT) == QHeaderView.ResizeMode.Stretch
    qtbot.waitUntil(lambda: scroll.maximum() == 0)
    assert header.sectionSize(Column.CASE_TITLE) > minimum[Column.CASE_TITLE]

    view.show_returns_column(False)
    assert view.table.isColumnHidden(Column.RETURNS)


def test_fees_model(qtmodeltester) -> None:
    from app.models.order_detail import FeeColumn, FeesModel
    from app.services.expenses.status import FeeLineState, FeeState
    from app.services.legalconnect.records import OrderFeeLine

    model = FeesModel()
    lines = [
        OrderFeeLine(1, 7, "court_filing_fee", "Court filing fee - Motion", 43_500, "Court Filing Fee"),
        OrderFeeLine(2, 7, "efm_envelope_fee", "EFM envelope fee", 395, "eFiling Service Fee"),
    ]
    states = {1: FeeLineState(FeeState.POSTED, "Posted to Clio as an expense", 55), 2: None}
    model.set_lines(
        lines, lambda line: states[line.id] or FeeLineState(FeeState.FAILED, "Not posted yet: 503")
    )
    qtmodeltester.check(model)
    assert model.total_cents == 43_895
    assert model.index(0, FeeColumn.AMOUNT).data() == "$435.00"
    assert [model.index(r, FeeColumn.CLIO).data() for r in range(2)] == ["Posted", "Failed"]
    assert model.index(1, FeeColumn.CLIO).data(Qt.ItemDataRole.ToolTipRole) == "Not posted yet: 503"
    model.set_lines(lines)  # Clio not part of the picture: no In Clio words
    assert model.index(0, FeeColumn.CLIO).data() is None and model.states() == []


def test_dates_read_as_a_us_workstation_shows_them_where_no_locale_is_chosen() -> None:
    """LANG unset or C (a bare Linux machine): "11/27/26", not the C locale's "27 11 2026"."""
    day = QDate(2026, 11, 27)
    chosen = display_locale(QLocale.c())
    assert chosen.toString(day, QLocale.FormatType.ShortFormat) == "11/27/26"
    german = QLocale(QLocale.Language.German, QLocale.Country.Germany)
    assert display_locale(german).toString(day, QLocale.FormatType.ShortFormat) == "27.11.26"
