"""The court's number for a new case written back into the Clio matter: a new-case order on the
Okafor matter (court known, no case number) is submitted and accepted by the sandbox clerk, which
gives the case its number; the decision's notice in the main window offers "Write case number into
Clio", and clicking it PATCHes the matter's case-number field (checked in the Clio emulator)."""

from __future__ import annotations

from typing import Any

import pytest

from app import config
from app.services.legalconnect.records import OrderStatus
from tests.sandbox.legalconnect.conftest import DANA, Lc, lc, ready_order, submit
from tests.views.conftest import Stack
from tests.views.test_returns_in_window import _filed_everything
from tests.views.wizard_helpers import connect_clio, main_window, sign_in

__all__ = ["lc"]  # the LegalConnect emulator fixture, shared

OKAFOR = {"client_id": 1007, "matter_id": 2010, "matter_display_number": "00010-Okafor"}
CASE_NUMBER_FIELD = 801
OFFER = "Write case number into Clio"


@pytest.fixture(autouse=True)
def roomy_rate_limit(sandbox_world: Any) -> None:
    sandbox_world.clio_faults.update({"rate_limit_per_minute": 100_000})


def _started(qtbot: Any, stack: Stack, world: Any, demo: Any) -> Any:
    """The main window signed in, Clio connected, the seeded orders' returns filed."""
    window, clio = main_window(qtbot, stack)
    window.show()
    sign_in(qtbot, window, stack, demo)
    connect_clio(qtbot, clio, world)
    qtbot.waitUntil(lambda: _filed_everything(stack), timeout=60_000)
    return window


def _clio_value(world: Any, matter_id: int, field_id: int) -> list[str]:
    conn = world._servers[0].config.app.app.state.emulator.conn
    rows = conn.execute(
        "SELECT value FROM custom_field_values WHERE matter_id = ? AND custom_field_id = ?",
        (matter_id, field_id),
    ).fetchall()
    return [r["value"] for r in rows]


def _accepted_new_case(qtbot: Any, window: Any, lc: Lc) -> dict[str, Any]:
    """A new-case order on the Okafor matter, seen submitted by the app, then accepted by the clerk
    (the app hears of it on its next refresh)."""
    client = lc.client(DANA)
    order = ready_order(
        client,
        [("Complaint.pdf", "DECL", "lead")],
        court="LA",
        new_case=True,
        case_number=None,
        case_title="Samuel Okafor v. Pacific Crest Staffing, Inc.",
        clio=OKAFOR,
    )
    submit(client, order["id"])

    def listed() -> OrderStatus | None:
        mine = [o for o in window.orders_view.visible_orders() if o.id == order["id"]]
        return mine[0].status if mine else None

    qtbot.waitUntil(lambda: not window.refreshing)
    window.refresh()
    qtbot.waitUntil(lambda: listed() is OrderStatus.SUBMITTED, timeout=15_000)
    assert lc.admin("/clerk/run", {"order_id": order["id"]}) == {"decided": [order["id"]]}
    decided = client.get(f"/orders/{order['id']}").json()
    assert decided["status"] == "accepted"
    qtbot.waitUntil(lambda: not window.refreshing)
    window.refresh()
    return decided  # type: ignore[no-any-return]


def _offer(window: Any) -> Any:
    for notice in window.notification_area.notices:
        for button in notice.buttons:
            if button.text() == OFFER:
                return notice, button
    return None


def test_the_accepted_new_cases_number_is_written_into_the_matter(
    qtbot, stack, sandbox_world, demo, lc
) -> None:
    stack.settings.set(config.CLIO_CASE_NUMBER_FIELD, CASE_NUMBER_FIELD)
    window = _started(qtbot, stack, sandbox_world, demo)
    decided = _accepted_new_case(qtbot, window, lc)
    number = decided["case_number"]
    assert number and "LACV" in number  # given by the court when it accepted the new case
    qtbot.waitUntil(lambda: _offer(window) is not None, timeout=30_000)
    notice, button = _offer(window)
    assert notice.title == f"Order {decided['order_number']} {OrderStatus.ACCEPTED.label}"
    button.click()
    written = f"Case number {number} written into Clio › 00010-Okafor."
    qtbot.waitUntil(lambda: any(n.title == written for n in window.notification_area.notices), timeout=15_000)
    assert _clio_value(sandbox_world, 2010, CASE_NUMBER_FIELD) == [number]


def test_without_a_case_number_field_in_settings_nothing_is_offered(
    qtbot, stack, sandbox_world, demo, lc
) -> None:
    window = _started(qtbot, stack, sandbox_world, demo)
    decided = _accepted_new_case(qtbot, window, lc)
    title = f"Order {decided['order_number']} {OrderStatus.ACCEPTED.label}"
    qtbot.waitUntil(lambda: any(n.title == title for n in window.notification_area.notices), timeout=30_000)
    assert _offer(window) is None
    assert _clio_value(sandbox_world, 2010, CASE_NUMBER_FIELD) == []
