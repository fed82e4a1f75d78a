"""Helpers for the order-wizard window tests: a signed-in main window with Clio, Clio browsing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import shiboken6
from PySide6.QtCore import QItemSelectionModel, QModelIndex

from app.models.clio_tree import ClioNode
from app.services.wizard.draft import ComputerSource, DocumentStatus, DraftDocument
from app.views.clio_access import ClioAccess
from app.views.clio_browser import ClioBrowser
from app.views.main_window import Live, MainWindow
from app.views.wizard.window import WizardWindow
from tests.services.clio.auth_fixtures import consent
from tests.views.conftest import Stack, run
from tests.views.test_clio_tree import expand_path


def main_window(qtbot: Any, stack: Stack) -> tuple[MainWindow, ClioAccess]:
    """A main window over `stack` that offers Clio (when the provider enables it), not started."""
    clio = stack.clio()
    services = stack.services
    window = MainWindow(
        settings=stack.settings,
        runner=stack.runner,
        diagnostics=lambda: "",
        live=Live(
            services.engine,
            services.desk,
            clio,
            services.returns,
            services.notices,
            services.expenses,
            hearings=services.hearings,
        ),
    )
    qtbot.addWidget(window)
    return window, clio


def sign_in(qtbot: Any, window: MainWindow, stack: Stack, demo: Any) -> None:
    stack.session.preset(demo.email, demo.password)
    window.start()
    qtbot.waitUntil(
        lambda: stack.session.provider is not None and not window.refreshing and window.engine.polling,
        timeout=15_000,
    )


def decided_order(world: Any) -> int:
    """A new order the court has decided, on one of the firm's Clio matters: its id."""
    base = world.endpoints.legalconnect.base_url
    made = httpx.post(
        f"{base}/_sandbox/legalconnect/decided-orders", json={"count": 1, "documents": 2, "with_matter": True}
    )
    made.raise_for_status()
    return int(made.json()["order_ids"][0])


def connect_clio(qtbot: Any, clio: ClioAccess, world: Any) -> None:
    qtbot.waitUntil(lambda: clio.enabled)
    auth = clio.connection.auth
    assert auth is not None
    location = consent(auth.begin().url, "allow", world.endpoints.clio.demo_user)
    run(qtbot, auth.complete(location))
    qtbot.waitUntil(lambda: clio.user is not None)


def open_wizard(qtbot: Any, window: MainWindow) -> WizardWindow:
    window.place_order_action.trigger()
    qtbot.waitUntil(lambda: window.place_order.window is not None, timeout=15_000)
    wizard_window = window.place_order.window
    assert wizard_window is not None
    return wizard_window


def open_folder(qtbot: Any, browser: ClioBrowser, *names: str) -> ClioNode:
    """Expand Cabinet › names… (each the start of a node's name) and select the last one."""
    return expand_path(qtbot, browser.tree_model, browser.tree, *names)


def file_indexes(qtbot: Any, browser: ClioBrowser, *names: str) -> list[QModelIndex]:
    """The file list's rows for `names` once the selected folder's documents are listed."""
    files = browser.files_model

    def rows() -> dict[str, int]:
        return {str(files.index(r, 0).data()): r for r in range(files.rowCount())}

    qtbot.waitUntil(lambda: set(names) <= set(rows()), timeout=15_000)
    return [files.index(rows()[n], 0) for n in names]


def choose_files(qtbot: Any, browser: ClioBrowser, *names: str) -> None:
    """Select `names` in the file list and press Upload File."""
    selection = browser.table.selectionModel()
    selection.clearSelection()
    for index in file_indexes(qtbot, browser, *names):
        selection.select(
            index, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        )
    assert browser.upload.isEnabled()
    browser.upload.click()


def by_name(docs: list[DraftDocument], name: str) -> DraftDocument:
    return next(d for d in docs if d.display_name == name or d.display_name.startswith(Path(name).stem))


def settled(docs: list[DraftDocument]) -> bool:
    return all(d.status in (DocumentStatus.READY, DocumentStatus.ERROR) for d in docs)


def close_wizard(qtbot: Any, wizard_window: WizardWindow, answer: str = "&Keep as Draft") -> None:
    """Close the wizard as a user does; when it asks (changes were made), press `answer`."""
    wizard_window.close()
    prompt = wizard_window.close_prompt
    if prompt is not None and prompt.isVisible():
        button = next(b for b in prompt.buttons() if b.text() == answer)
        button.click()
    qtbot.waitUntil(
        lambda: not shiboken6.isValid(wizard_window) or not wizard_window.isVisible(), timeout=15_000
    )


def started_order(qtbot: Any, window: MainWindow, title: str, folder: Path | None = None) -> WizardWindow:
    """Place Order with a Los Angeles civil case titled `title` typed in; with `folder`, one motion
    from the computer, Ready (the provider's draft order made), all autosaved."""
    from sandbox.seed.files import make_pdf

    wiz_window = open_wizard(qtbot, window)
    wizard = wiz_window.wizard
    wiz_window.case_page.choose("LA", "civil_unlimited", "contract_06")
    qtbot.keyClicks(wiz_window.case_page.case_title, title)
    if folder is not None:
        qtbot.waitUntil(lambda: bool(wizard.catalog.types_for("LA")))
        path = folder / f"Motion of {title}.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(make_pdf(path.stem, 1))
        wizard.add_document(ComputerSource(path), "MOTN")
        qtbot.waitUntil(lambda: wizard.draft.documents[0].status is DocumentStatus.READY, timeout=30_000)
    wizard.flush()
    return wiz_window
