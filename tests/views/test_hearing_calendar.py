"""Settings › Hearing dates to Clio's calendar, offscreen against the sandbox: the on/off choice and
the calendar, chosen from the Clio calendars the connected user may write to, saved on OK."""

from __future__ import annotations

from typing import Any

import pytest

from app import config
from app.services.calendar.ledger import HearingStep
from app.services.calendar.scheduler import when_words
from app.views.hearing_calendar import OWN
from app.views.settings_dialog import SettingsDialog
from tests.views.conftest import Stack
from tests.views.wizard_helpers import connect_clio, main_window, sign_in


@pytest.fixture(autouse=True)
def roomy_rate_limit(sandbox_world: Any) -> None:
    sandbox_world.clio_faults.update({"rate_limit_per_minute": 100_000})


def test_settings_turn_hearings_off_and_choose_the_calendar(qtbot, stack: Stack, sandbox_world, demo) -> None:
    window, clio = main_window(qtbot, stack)
    window.show()
    sign_in(qtbot, window, stack, demo)
    dialog = SettingsDialog(stack.settings, window, window.clio, stack.runner)
    qtbot.addWidget(dialog)
    box = dialog.hearing_calendar
    assert box is not None
    assert box.combo.itemText(0) == OWN and box.combo.count() == 1
    assert "Connect to Clio" in box.note.text()
    connect_clio(qtbot, clio, sandbox_world)
    qtbot.waitUntil(lambda: box.calendars is not None, timeout=15_000)
    names = [box.combo.itemText(i) for i in range(box.combo.count())]
    assert names[0] == OWN and len(names) >= 4  # the firm's calendar and the people's
    firm = next(i for i, name in enumerate(names) if name.endswith("(firm)"))
    box.combo.setCurrentIndex(firm)
    switch = dialog.fields[config.HEARINGS_TO_CALENDAR.key]
    assert switch.value() is True  # on unless someone turns it off
    switch.set_value(False)
    dialog.accept()
    assert stack.settings.get(config.HEARINGS_TO_CALENDAR) is False
    assert stack.settings.get(config.HEARINGS_CALENDAR) == box.combo.itemData(firm) == 50000
    assert stack.settings.get(config.HEARINGS_CALENDAR_NAME) == names[firm]

    again = SettingsDialog(stack.settings, window, window.clio, stack.runner)
    qtbot.addWidget(again)
    assert again.hearing_calendar is not None
    assert again.hearing_calendar.value() == (50000, names[firm])  # shown before Clio answers, too
    again.restore_defaults()
    assert again.hearing_calendar.value() == (0, "")


def test_the_order_shows_its_hearing_in_clios_calendar_and_the_notice_names_the_date(
    qtbot, stack: Stack, sandbox_world, demo
) -> None:
    window, clio = main_window(qtbot, stack)
    window.show()
    sign_in(qtbot, window, stack, demo)
    connect_clio(qtbot, clio, sandbox_world)
    motion = next(o for o in window.orders_view.model.orders() if o.order_number == "2417108")
    hearing = motion.hearing
    assert hearing is not None and hearing.motion == "Motion for Summary Judgment"

    def entered() -> bool:
        state = stack.services.store.hearings.state(str(motion.id))
        return state is not None and state.step is HearingStep.ENTERED

    qtbot.waitUntil(entered, timeout=60_000)
    when = when_words(hearing.starts_at())
    qtbot.waitUntil(
        lambda: any(n.title == "Hearing added to Clio's calendar" for n in window.notification_area.notices),
        timeout=15_000,
    )
    notice = next(
        n for n in window.notification_area.notices if n.title == "Hearing added to Clio's calendar"
    )
    assert "Order 2417108, Motion for Summary Judgment" in notice.message and when in notice.message
    panel = window.order_panel
    panel.show_order(motion)
    assert panel.hearing.text() == f"{when}, Dept. 34 — in Clio's calendar"  # beside "Hearing:"
    assert panel.hearing.isVisibleTo(panel)
    other = next(o for o in window.orders_view.model.orders() if o.hearing is None)
    panel.show_order(other)
    assert not panel.hearing.isVisibleTo(panel)  # no hearing, no row
