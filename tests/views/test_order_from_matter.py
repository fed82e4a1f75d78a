"""Starting an order from a Clio matter, through the real widgets against the sandbox: the Case
page's "From Clio matter…", a matter's context menu in the Clio window, and File › Place Order from
Clio Matter…. Each fills court, case number, title, parties (roles confirmed in a dialog) and the
matter for returns; an incomplete matter fills what it can and says what is missing."""

from __future__ import annotations

from typing import Any

from app import config
from app.services.wizard.events import Step
from app.services.wizard.prefill import NOT_A_PARTY
from app.views.notify import NotificationArea
from app.views.wizard.window import WizardWindow
from tests.views.conftest import Stack
from tests.views.test_clio_tree import expand_path
from tests.views.wizard_helpers import connect_clio, main_window, open_wizard, sign_in

CASE_NUMBER_FIELD, COURT_FIELD = 801, 802


def _ready(qtbot: Any, stack: Stack, world: Any, demo: Any) -> Any:
    stack.settings.set(config.CLIO_CASE_NUMBER_FIELD, CASE_NUMBER_FIELD)
    stack.settings.set(config.CLIO_COURT_FIELD, COURT_FIELD)
    window, clio = main_window(qtbot, stack)
    sign_in(qtbot, window, stack, demo)
    connect_clio(qtbot, clio, world)
    return window


def _pick(qtbot: Any, picker: Any, query: str, text: str) -> None:
    picker.search.setText(query)
    picker.run_search()

    def listed() -> bool:
        return any(text in picker.list.item(i).text() for i in range(picker.list.count()))

    qtbot.waitUntil(listed, timeout=15_000)
    row = next(i for i in range(picker.list.count()) if text in picker.list.item(i).text())
    picker.list.setCurrentRow(row)
    picker.accept()


def _notices(area: NotificationArea) -> str:
    return " ".join(f"{n.title} {n.message}" for n in area.notices)


def _roles(dialog: Any) -> list[tuple[str, str]]:
    return [(p.name, str(c.currentData())) for p, c in zip(dialog.prefill.parties, dialog.roles, strict=True)]


def test_from_clio_matter_on_the_case_page_fills_the_whole_case(qtbot, stack, sandbox_world, demo) -> None:
    window = _ready(qtbot, stack, sandbox_world, demo)
    wizard_window: WizardWindow = open_wizard(qtbot, window)
    page = wizard_window.case_page
    assert page.from_matter.isVisibleTo(wizard_window)
    page.from_matter.click()
    qtbot.waitUntil(lambda: getattr(wizard_window, "matter_picker", None) is not None)
    _pick(qtbot, wizard_window.matter_picker, "Brightline", "Brightline Logistics v. Harmon Freight")
    qtbot.waitUntil(lambda: wizard_window.matter_fill.dialog is not None, timeout=15_000)
    dialog = wizard_window.matter_fill.dialog
    assert _roles(dialog) == [
        ("Brightline Logistics, Inc.", "plaintiff"),
        ("Harmon Freight Co.", "defendant"),
        ("Ray Harmon", "defendant"),
        ("Morgan Pryce", NOT_A_PARTY),
    ]
    assert [dialog.table.item(r, 1).text() for r in range(4)] == [
        "Client",
        "Opposing Party",
        "Co-Defendant",
        "Opposing Counsel",
    ]
    assert not dialog.missing.isVisibleTo(dialog)
    dialog.set_role("Ray Harmon", "real party in interest")  # the user corrects one mapping
    dialog.accept()

    draft = wizard_window.wizard.draft
    assert page.court.currentData() == "OR" and draft.court_id == "OR"
    assert page.existing_case.isChecked() and page.case_number.text() == "30-2025-01423987"
    assert page.case_title.text() == "Brightline Logistics v. Harmon Freight"
    assert [(p.role, p.name, p.kind, p.is_client) for p in draft.parties] == [
        ("plaintiff", "Brightline Logistics, Inc.", "organization", True),
        ("defendant", "Harmon Freight Co.", "organization", False),
        ("real party in interest", "Ray Harmon", "person", False),
    ]
    table = wizard_window.parties_page.table
    assert [table.item(r, 2).text() for r in range(table.rowCount())] == [p.name for p in draft.parties]
    assert draft.clio is not None and (draft.clio.matter_id, draft.clio.client_id) == (2002, 1002)
    assert "Filled from Clio › Brightline Logistics, Inc. › 00002-Brightline." in _notices(
        wizard_window.notices
    )
    # The case is complete: the category and type are the user's, then Next passes to Parties.
    page.category.setCurrentIndex(page.category.findData("civil_unlimited"))
    page.case_type.setCurrentIndex(1)
    assert wizard_window.go_next() == {}
    assert wizard_window.wizard.current is Step.PARTIES


def test_an_incomplete_matter_from_the_clio_windows_context_menu(qtbot, stack, sandbox_world, demo) -> None:
    window = _ready(qtbot, stack, sandbox_world, demo)
    wizard_window = open_wizard(qtbot, window)
    documents = wizard_window.documents_page
    client = stack.clio().client
    assert client is not None
    documents.open_clio_browser(client)
    browser = documents.clio_browser
    assert browser is not None
    node = expand_path(
        qtbot, browser.tree_model, browser.tree, "Sierra Vista Homeowners Association", "00005-", select=True
    )
    assert node.parent is not None
    assert browser.menu_for(browser.tree_model.index_of(node.parent)) is None  # a client: no such menu
    menu = browser.menu_for(browser.tree_model.index_of(node))
    assert menu is not None
    (start,) = menu.actions()
    assert start.text() == "Start an order from this matter"
    start.trigger()
    qtbot.waitUntil(lambda: wizard_window.matter_fill.dialog is not None, timeout=15_000)
    dialog = wizard_window.matter_fill.dialog
    assert _roles(dialog) == [("Sierra Vista Homeowners Association", "plaintiff")]
    said = dialog.missing.text()
    assert "no related contacts" in said
    assert "case-number field is empty" in said
    assert "court field is empty" in said
    assert dialog.missing.isVisibleTo(dialog)
    dialog.accept()

    page, draft = wizard_window.case_page, wizard_window.wizard.draft
    assert page.case_title.text() == "Sierra Vista HOA - Collections"
    assert page.new_case.isChecked() and page.case_number.text() == ""
    assert page.court.currentData() is None and draft.court_id is None
    assert [p.name for p in draft.parties] == ["Sierra Vista Homeowners Association"]
    assert draft.clio is not None and draft.clio.matter_id == 2005
    notices = _notices(wizard_window.notices)
    assert "some of it was not in Clio" in notices and "court field is empty" in notices
    assert wizard_window.go_next().get("court_id") == "Choose the court."


def test_place_order_from_clio_matter_opens_a_filled_wizard(qtbot, stack, sandbox_world, demo) -> None:
    window = _ready(qtbot, stack, sandbox_world, demo)
    assert window.order_from_matter_action.isVisible()
    window.order_from_matter_action.trigger()
    qtbot.waitUntil(lambda: getattr(window.place_order, "matter_picker", None) is not None, timeout=15_000)
    # "Okafor" matches an open matter and a pending one: the pending one is listed after it.
    _pick(qtbot, window.place_order.matter_picker, "Okafor", "Okafor - Employment Claim")
    qtbot.waitUntil(lambda: window.place_order.window is not None, timeout=15_000)
    wizard_window = window.place_order.window
    qtbot.waitUntil(lambda: wizard_window.matter_fill.dialog is not None, timeout=15_000)
    dialog = wizard_window.matter_fill.dialog
    assert _roles(dialog) == [("Samuel Okafor", "plaintiff"), ("Pacific Crest Staffing, Inc.", "defendant")]
    assert "case-number field is empty" in dialog.missing.text()
    dialog.accept()
    draft = wizard_window.wizard.draft
    assert (draft.court_id, draft.new_case, draft.case_number) == ("LA", True, "")
    assert draft.case_title == "Samuel Okafor v. Pacific Crest Staffing, Inc."  # no caption in Clio
    assert [(p.role, p.name) for p in draft.parties] == [
        ("plaintiff", "Samuel Okafor"),
        ("defendant", "Pacific Crest Staffing, Inc."),
    ]
    assert draft.clio is not None and draft.clio.matter_id == 2010


def test_without_clio_the_case_page_offers_no_matter(qtbot, stack, make_window, demo) -> None:
    window = make_window(stack)  # the provider does not offer Clio
    sign_in(qtbot, window, stack, demo)
    wizard_window = open_wizard(qtbot, window)
    assert not wizard_window.case_page.from_matter.isVisibleTo(wizard_window)
    assert not window.order_from_matter_action.isVisible()
