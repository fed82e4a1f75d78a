"""A draft survives a crash: the next start of the app offers it once; Resume or Discard it."""

from __future__ import annotations

from pathlib import Path

from app.services.wizard.draft import ComputerSource, DocumentStatus
from app.services.wizard.events import Step
from app.services.wizard.flow import OrderWizard
from sandbox.seed.files import make_pdf
from tests.views.conftest import run
from tests.views.wizard_helpers import (
    close_wizard,
    main_window,
    open_wizard,
    sign_in,
    started_order,
)


def test_the_draft_is_offered_after_a_crash_and_resumes_with_its_documents(
    qtbot,
    make_stack,
    sandbox_world,
    demo,
    tmp_path: Path,
) -> None:
    sandbox_world.legalconnect_faults.update({"clerk_delay_s": 3600})
    stack = make_stack()
    window, _clio = main_window(qtbot, stack)
    sign_in(qtbot, window, stack, demo)
    assert not any("unfinished order" in n.title for n in window.notification_area.notices)
    wiz_window = open_wizard(qtbot, window)
    wizard = wiz_window.wizard
    wiz_window.case_page.choose("LA", "civil_unlimited", "contract_06")
    wiz_window.case_page.case_title.setText("Alvarez v. Brightwater Motors")
    wizard.set_case_title("Alvarez v. Brightwater Motors")
    qtbot.waitUntil(lambda: bool(wizard.catalog.types_for("LA")))
    assert wiz_window.go_next() == {}
    wiz_window.parties_page.name.setText("Elena Alvarez")
    wiz_window.parties_page.add.click()
    assert wiz_window.go_next() == {}
    names = ["Motion to Compel.pdf", "Declaration of Counsel.pdf"]
    for name, code in zip(names, ["MOTN", "DECL"], strict=True):
        path = tmp_path / "desktop" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(make_pdf(Path(name).stem, 2))
        wizard.add_document(ComputerSource(path), code)
    qtbot.waitUntil(
        lambda: all(d.status is DocumentStatus.READY for d in wizard.draft.documents), timeout=30_000
    )

    # The crash: nothing is closed or flushed; the autosave already has it (the rows were saved as
    # they were added; the provider's order number with the next autosave).
    def autosaved() -> dict:
        rows = stack.store.load_drafts()
        return dict(rows[0].payload["draft"]) if len(rows) == 1 else {}

    qtbot.waitUntil(
        lambda: (
            len(autosaved().get("documents", ())) == 2
            and autosaved().get("remote_order_id") == wizard.draft.remote_order_id
        )
    )
    wiz_window.submission.close()
    wiz_window.signals.detach()
    wiz_window.hide()

    # The next start: one notice offers the draft.
    again = make_stack()
    window2, _ = main_window(qtbot, again)
    sign_in(qtbot, window2, again, demo)
    offers = [n for n in window2.notification_area.notices if "unfinished order" in n.title]
    assert len(offers) == 1
    assert "Alvarez v. Brightwater Motors" in offers[0].message
    assert [b.text() for b in offers[0].buttons] == ["Resume", "Discard"]
    window2.place_order.offer_saved_drafts()  # offered once per run
    assert len([n for n in window2.notification_area.notices if "unfinished order" in n.title]) == 1

    offers[0].buttons[0].click()  # Resume
    qtbot.waitUntil(lambda: window2.place_order.window is not None, timeout=15_000)
    resumed = window2.place_order.window
    assert resumed is not None
    assert resumed.wizard.current is Step.DOCUMENTS
    assert resumed.stack.currentWidget() is resumed.documents_page
    model = resumed.documents_page.model
    assert [model.index(r, 1).data() for r in range(model.rowCount())] == names
    assert resumed.wizard.draft.remote_order_id == wizard.draft.remote_order_id
    qtbot.waitUntil(
        lambda: all(d.status is DocumentStatus.READY for d in resumed.wizard.draft.documents), timeout=30_000
    )
    resumed.close()

    # A third start: Discard throws it away (with the provider's draft order).
    third = make_stack()
    window3, _ = main_window(qtbot, third)
    sign_in(qtbot, window3, third, demo)
    offer = next(n for n in window3.notification_area.notices if "unfinished order" in n.title)
    offer.buttons[1].click()
    work = tmp_path / "work" / f"lcd-order-{wizard.draft.id}"
    qtbot.waitUntil(lambda: OrderWizard.saved(third.store) == [] and not work.exists(), timeout=15_000)
    assert third.presented == []


def test_a_draft_the_provider_took_before_the_app_stopped_ends_as_the_submitted_order(
    qtbot, make_stack, sandbox_world, demo, tmp_path: Path
) -> None:
    """Submit reached the provider, the answer did not reach the app. Resuming that draft opens
    the wizard on its submitted page with the order's number; when the next start has already
    found the order taken (and dropped the draft), Resume says which order it became."""
    sandbox_world.legalconnect_faults.update({"clerk_delay_s": 3600})
    stack = make_stack()
    window, _clio = main_window(qtbot, stack)
    sign_in(qtbot, window, stack, demo)
    client = stack.services.legalconnect

    # In this run: the wizard was closed (the draft kept); the provider took its Submit.
    first = started_order(qtbot, window, "Alvarez v. Brightwater Motors", tmp_path / "desktop")
    first_id, first_order = first.wizard.draft.id, first.wizard.draft.remote_order_id
    close_wizard(qtbot, first)
    qtbot.waitUntil(lambda: window.place_order.window is None)
    taken = run(qtbot, client.submit(first_order, authorize_payment=True))
    window.place_order.resume(first_id)
    qtbot.waitUntil(lambda: window.place_order.window is not None, timeout=15_000)
    resumed = window.place_order.window
    qtbot.waitUntil(lambda: resumed.stack.currentWidget() is resumed.done_page, timeout=15_000)
    assert resumed.order_number.text() == f"Order {taken.order_number}"
    assert not resumed.next_button.isVisible() and not resumed.submit_button.isVisible()
    assert OrderWizard.saved(stack.store) == []
    qtbot.waitUntil(lambda: window.orders_view.select_order(taken.id))  # listed at once
    resumed.close()
    qtbot.waitUntil(lambda: window.place_order.window is None)

    # The app stops right after a Submit the provider took; the next start finds the order taken.
    second = started_order(qtbot, window, "Okafor v. Lindqvist", tmp_path / "desktop")
    second_id, second_order = second.wizard.draft.id, second.wizard.draft.remote_order_id
    second.submission.close()
    second.signals.detach()
    second.hide()
    taken = run(qtbot, client.submit(second_order, authorize_payment=True))
    work = tmp_path / "app" / "tmp" / f"lcd-order-{second_id}"
    assert work.exists()

    again = make_stack()
    window2, _ = main_window(qtbot, again)
    sign_in(qtbot, window2, again, demo)
    qtbot.waitUntil(lambda: OrderWizard.saved(again.store) == [] and not work.exists(), timeout=15_000)
    offer = next((n for n in window2.notification_area.notices if "unfinished order" in n.title), None)
    if offer is not None:  # offered before the order was found taken: Resume still tells the truth
        offer.buttons[0].click()
    else:
        window2.place_order.resume(second_id)
    qtbot.waitUntil(lambda: any("was submitted before" in n.title for n in window2.notification_area.notices))
    told = next(n for n in window2.notification_area.notices if "was submitted before" in n.title)
    assert told.message == f"It is order {taken.order_number}, in the orders list."
    assert window2.place_order.window is None  # no wizard for an order that is not a draft
    [open_order] = told.buttons
    open_order.click()
    assert window2.orders_view.selected_order().id == taken.id
    assert again.presented == []
