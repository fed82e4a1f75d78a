"""Fees in the window, offscreen on the sandbox: a decided order's Fees tab itemises its fees with
the total, and shows each one as it becomes a Clio expense — Pending, Failed with Retry, Posted."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from app import config
from app.models.order_detail import FeeColumn
from app.services.expenses.status import FeeState
from tests.views.wizard_helpers import connect_clio, decided_order, main_window, sign_in


@pytest.fixture(autouse=True)
def roomy_rate_limit(sandbox_world: Any) -> None:
    sandbox_world.clio_faults.update({"rate_limit_per_minute": 100_000})


def test_the_fees_tab_itemises_the_fees_and_follows_them_into_clio(qtbot, stack, sandbox_world, demo) -> None:
    stack.settings.set(config.FEES_POSTING, "automatic")
    stack.settings.set(config.FEES_POSTING_SINCE, "2020-01-01")
    window, clio = main_window(qtbot, stack)
    window.show()
    order_id = decided_order(sandbox_world)
    sign_in(qtbot, window, stack, demo)
    qtbot.waitUntil(lambda: window.orders_view.select_order(order_id), timeout=15_000)
    panel = window.order_panel
    qtbot.waitUntil(lambda: panel.order is not None and not panel.loading, timeout=15_000)
    panel.tabs.setCurrentIndex(2)
    assert panel.tabs.tabText(2) == "Fe&es"
    model = panel.fees_model
    lines = model.rowCount()
    assert lines >= 3
    assert model.index(0, FeeColumn.AMOUNT).data().startswith("$")
    assert panel.fees_summary.text().startswith(f"Total: ${model.total_cents / 100:,.2f} in {lines} fee(s)")
    assert {s.state for s in model.states()} == {FeeState.WAITING}  # Clio is not connected yet
    why = model.index(0, FeeColumn.CLIO).data(Qt.ItemDataRole.ToolTipRole)
    assert why == "Waiting for Clio — connect to Clio to post them"
    assert model.index(0, FeeColumn.CLIO).data() == "Pending"

    stack.settings.set(config.FEES_POSTING, "off")  # while Clio connects and the returns are filed
    panel.refresh_fees(order_id)
    assert {s.state for s in model.states()} == {FeeState.NOT_POSTED}
    connect_clio(qtbot, clio, sandbox_world)
    qtbot.waitUntil(lambda: stack.services.clio.connected and not window.refreshing, timeout=30_000)

    # Clio answers nothing but errors: the fees fail, say why, and offer Retry.
    sandbox_world.clio_faults.update({"error_rate": 1.0})
    stack.settings.set(config.FEES_POSTING, "automatic")
    window.refresh_action.trigger()
    qtbot.waitUntil(lambda: {s.state for s in model.states()} == {FeeState.FAILED}, timeout=30_000)
    qtbot.waitUntil(panel.fees_retry_button.isVisible)
    assert "failed" in panel.fees_summary.text()
    assert model.index(0, FeeColumn.CLIO).data() == "Failed"
    sandbox_world.clio_faults.update({"error_rate": 0.0})
    panel.fees_retry_button.click()
    qtbot.waitUntil(lambda: {s.state for s in model.states()} == {FeeState.POSTED}, timeout=30_000)
    assert not panel.fees_retry_button.isVisible()
    assert f"{lines} of {lines} posted into Clio as expenses" in panel.fees_summary.text()
    assert model.index(0, FeeColumn.CLIO).data() == "Posted"
