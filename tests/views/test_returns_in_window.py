"""Court returns in the window, offscreen on the sandbox: the court decides → a notice names the
order, the outcome and where the documents went → Open order shows its Deliverables, each Filed
with its Clio path → Show in Clio opens the Clio window at that folder with the document selected.
Also: the In Clio column, the quiet count, and an order without a matter."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.models.order_detail import DeliverableColumn
from app.models.orders import Column
from app.services.legalconnect.records import OrderStatus
from app.services.returns.filer import RatePaused
from app.services.returns.status import FilingState
from app.views.clio_browser import ClioBrowser
from app.views.notify import Level
from tests.views.conftest import Stack
from tests.views.wizard_helpers import connect_clio, main_window, sign_in


@pytest.fixture(autouse=True)
def roomy_rate_limit(sandbox_world: Any) -> None:
    sandbox_world.clio_faults.update({"rate_limit_per_minute": 100_000})


def _admin(world: Any, path: str, body: dict[str, Any]) -> Any:
    answer = httpx.post(f"{world.endpoints.legalconnect.base_url}/_sandbox/legalconnect{path}", json=body)
    answer.raise_for_status()
    return answer.json()


def _filed_everything(stack: Stack) -> bool:
    return (
        not stack.services.engine.refreshing
        and stack.services.returns.offered
        and all(
            stack.services.returns.order_filing(o).waiting == 0
            for o in stack.services.orders.cached()
            if o.deliverable_count
        )
    )


def test_a_decision_is_announced_and_its_returns_shown_in_clio(qtbot, stack, sandbox_world, demo) -> None:
    window, clio = main_window(qtbot, stack)
    window.show()
    sign_in(qtbot, window, stack, demo)
    connect_clio(qtbot, clio, sandbox_world)
    qtbot.waitUntil(lambda: _filed_everything(stack), timeout=60_000)  # the seeded orders' returns
    waiting = next(o for o in window.orders_view.model.orders() if o.status is OrderStatus.SUBMITTED)
    _admin(sandbox_world, "/clerk/run", {"order_id": waiting.id})
    window.refresh_action.trigger()

    def announced() -> Any:
        return next((n for n in window.notification_area.notices if waiting.order_number in n.title), None)

    qtbot.waitUntil(lambda: announced() is not None, timeout=30_000)
    notice = announced()
    assert notice.title == f"Order {waiting.order_number} Accepted"
    assert notice.message == f"{waiting.case_title} — 2 documents filed into Clio › 00003-Nguyen"
    assert notice.level is Level.SUCCESS
    model = window.orders_view.model
    row = model.row_of(waiting.id)
    assert model.index(row, Column.RETURNS).data() == "All 2 in Clio"
    assert not window.connection.returns.isVisible()  # nothing waits: the quiet count is gone

    [open_order] = [b for b in notice.buttons if b.text() == "Open order"]
    open_order.click()
    panel = window.order_panel
    qtbot.waitUntil(
        lambda: panel.order is not None and panel.order.id == waiting.id and not panel.loading, timeout=15_000
    )
    assert panel.tabs.currentIndex() == 1
    deliverables = panel.deliverables_model
    assert deliverables.rowCount() == 2
    for row in range(2):
        filing = deliverables.filing_at(row)
        assert filing.state is FilingState.FILED
        assert "00003-Nguyen › Returned from Pacific Crest Legal Services › Order-" in filing.text
        assert deliverables.index(row, DeliverableColumn.CLIO).data() == "Filed"
    assert "All 2 returned documents are in Clio" in panel.filing_summary.text()

    panel.deliverables.selectRow(1)
    assert panel.show_in_clio_button.isEnabled()
    panel.show_in_clio_button.click()
    qtbot.waitUntil(lambda: isinstance(panel.clio_browser, ClioBrowser), timeout=15_000)
    browser = panel.clio_browser
    assert isinstance(browser, ClioBrowser)
    document_id = deliverables.filing_at(1).clio_document_id
    qtbot.waitUntil(lambda: bool(browser.selected_picks()), timeout=30_000)
    [picked] = browser.selected_picks()
    assert picked.document_id == document_id
    assert browser.breadcrumb.text().endswith(
        f"Returned from Pacific Crest Legal Services › Order-{waiting.order_number}"
    )
    assert not browser.upload.isVisible()  # looking, not choosing documents for an order
    browser.reject()


def test_an_order_without_a_matter_asks_for_one_and_files_into_it(qtbot, stack, sandbox_world, demo) -> None:
    made = _admin(sandbox_world, "/decided-orders", {"count": 1, "documents": 1, "with_matter": False})
    [order_id] = made["order_ids"]
    window, clio = main_window(qtbot, stack)
    window.show()
    sign_in(qtbot, window, stack, demo)
    connect_clio(qtbot, clio, sandbox_world)
    model = window.orders_view.model
    qtbot.waitUntil(lambda: model.row_of(order_id) is not None, timeout=15_000)

    def in_clio() -> str:
        return str(model.index(model.row_of(order_id), Column.RETURNS).data())

    qtbot.waitUntil(lambda: in_clio() == "Choose Clio matter", timeout=60_000)
    qtbot.waitUntil(lambda: window.connection.returns.isVisible(), timeout=60_000)
    count = window.connection.returns.text
    assert "waiting" in count
    # While Clio's rate limit holds the filer, the quiet count says so, and comes back after.
    stack.services.returns.events.emit(RatePaused(42.0))
    assert window.connection.returns.text == "Returns: waiting for Clio's rate limit — going on in about 42 s"
    stack.services.returns.events.emit(RatePaused(0.0))
    assert window.connection.returns.text == count
    window.open_order(order_id)
    panel = window.order_panel
    qtbot.waitUntil(lambda: panel.order is not None and panel.order.id == order_id and not panel.loading)
    assert panel.choose_matter_button.isVisible()
    assert panel.filing_summary.text() == "Waiting — choose the Clio matter for this order"
    panel.choose_matter_button.click()
    qtbot.waitUntil(lambda: panel.matter_picker is not None, timeout=15_000)
    picker = panel.matter_picker
    qtbot.waitUntil(lambda: picker.list.count() > 0, timeout=15_000)
    picker.search.setText("Alvarez")
    picker.run_search()
    qtbot.waitUntil(
        lambda: picker.list.count() == 1 and "Alvarez" in picker.list.item(0).text(), timeout=15_000
    )
    picker.accept()
    qtbot.waitUntil(lambda: in_clio() == "All 2 in Clio", timeout=60_000)
    qtbot.waitUntil(lambda: panel.order is not None and panel.order.clio is not None and not panel.loading)
    assert panel.order.clio.matter_display_number == "00001-Alvarez"
    qtbot.waitUntil(lambda: panel.deliverables_model.filing_at(0).state is FilingState.FILED, timeout=15_000)
