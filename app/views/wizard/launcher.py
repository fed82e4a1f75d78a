"""Place Order for the main window: open the wizard, resume or discard a saved draft.

`PlaceOrder` builds each wizard's services (the catalog, the intake and Clio adapters, the
`OrderSubmission` with its private work directory) so the main window only wires an action to it.
At sign-in it offers the most recent unfinished draft once, in the window's notification area.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget

from app import config
from app.config import Config
from app.paths import TEMP_PREFIX
from app.services.clio.api import ClioClient
from app.services.legalconnect.client import LegalConnectClient
from app.services.legalconnect.records import Order
from app.services.store import Store
from app.services.wizard.autosave import SavedDraft
from app.services.wizard.flow import OrderWizard
from app.services.wizard.rules import Catalog
from app.views.clio_access import ClioAccess
from app.views.notify import Action, Level, NotificationArea
from app.views.tasks import TaskRunner

if TYPE_CHECKING:
    # Checking and converting documents pulls in pypdf, cryptography and Pillow: they load when the
    # first wizard opens, not at start-up (see benchmarks/startup.py).
    from app.services.intake import DocumentConverter
    from app.services.wizard.submission import OrderSubmission
    from app.views.wizard.window import WizardWindow


class PlaceOrder(QObject):
    """Opens "Place eFiling Order" windows for the main window (see the module docstring)."""

    def __init__(
        self,
        parent: QWidget,
        *,
        client: LegalConnectClient,
        store: Store,
        runner: TaskRunner,
        settings: Config,
        clio: ClioAccess | None,
        notices: NotificationArea,
        provider_name: Callable[[], str],
        work_root: Path,
        on_submitted: Callable[[Order], None],
    ) -> None:
        super().__init__(parent)
        self._parent, self.client, self.store, self.runner = parent, client, store, runner
        self.settings, self.clio, self.notices = settings, clio, notices
        self._provider_name, self.work_root, self._on_submitted = provider_name, work_root, on_submitted
        self.window: WizardWindow | None = None
        """The open wizard window (one at a time)."""
        self._converter: DocumentConverter | None = None
        self._offered = False

    # -- building -------------------------------------------------------------------------------

    def _clio_client(self) -> ClioClient | None:
        clio = self.clio
        return clio.client if clio is not None and clio.connected else None

    def submission_for(self, wizard: OrderWizard) -> OrderSubmission:
        """The submission service of `wizard`, over the real intake and the current Clio client."""
        from app.services.intake import DocumentConverter
        from app.services.wizard.adapters import ClioDownloads, IntakePreparer
        from app.services.wizard.submission import OrderSubmission

        if self._converter is None:
            self._converter = DocumentConverter.detect(self.settings.get(config.LIBREOFFICE_PATH) or None)

        def court_name() -> str:
            court = wizard.catalog.court(wizard.draft.court_id)
            return court.name if court else "the court"

        work_dir = self.work_root / f"{TEMP_PREFIX}order-{wizard.draft.id}"
        work_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # downloaded court papers: private
        return OrderSubmission(
            wizard,
            self.client,
            preparer=IntakePreparer(self._converter, court_name),
            work_dir=work_dir,
            clio=ClioDownloads(self._clio_client),
        )

    async def _catalog(self) -> Catalog:
        """Courts and case categories (the chosen court's document types load with the window)."""
        return await Catalog.load(self.client)

    def _show(self, wizard: OrderWizard) -> WizardWindow:
        from app.views.wizard.window import WizardWindow

        submission = self.submission_for(wizard)
        window = WizardWindow(
            wizard,
            submission,
            client=self.client,
            runner=self.runner,
            settings=self.settings,
            clio=self.clio,
            on_submitted=self._on_submitted,
            parent=self._parent,
        )
        window.setWindowFlag(Qt.WindowType.Window)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.finished.connect(lambda _result: self._closed(window))
        self.window = window
        window.show()
        submission.start()
        return window

    def _open(self, wizard: OrderWizard) -> None:
        self._show(wizard)

    def _closed(self, window: WizardWindow) -> None:
        if self.window is window:
            self.window = None

    def _bring_forward(self) -> bool:
        if self.window is not None and shiboken6.isValid(self.window):
            self.window.raise_()
            self.window.activateWindow()
            return True
        return False

    # -- what the user asks for ------------------------------------------------------------------

    def open_new(self) -> None:
        """Place Order (Ctrl+N): a new wizard, or the open one brought forward."""
        if self._bring_forward():
            return
        self.runner.run(
            self._parent,
            self._catalog(),
            on_success=lambda catalog: self._open(
                OrderWizard(catalog, store=self.store, provider_name=self._provider_name())
            ),
        )

    def resume(self, draft_id: str) -> None:
        """Open the saved draft `draft_id` where it was left; unfinished work starts again."""
        if self._bring_forward():
            return
        self.runner.run(
            self._parent,
            self._catalog(),
            on_success=lambda catalog: self._open(
                OrderWizard.restore(self.store, draft_id, catalog, provider_name=self._provider_name())
            ),
        )

    def discard(self, draft_id: str) -> None:
        """Throw a saved draft away, with the provider's draft order and the local files."""

        async def discard() -> None:
            catalog = await self._catalog()
            wizard = OrderWizard.restore(self.store, draft_id, catalog, provider_name=self._provider_name())
            await self.submission_for(wizard).discard()

        self.runner.run(self._parent, discard())

    def offer_saved_drafts(self) -> None:
        """Once per run (after sign-in): offer the most recent unfinished order, Resume or Discard."""
        if self._offered:
            return
        self._offered = True
        drafts = OrderWizard.saved(self.store)
        if drafts:
            self._offer(drafts[0], len(drafts) - 1)

    def _offer(self, draft: SavedDraft, others: int) -> None:
        when = draft.updated_at.astimezone()
        today = dt.datetime.now().astimezone().date()
        moment = when.strftime("%H:%M") if when.date() == today else when.strftime("%d %b %Y %H:%M")
        more = f" ({others} more saved)" if others else ""
        self.notices.show_notice(
            f"You have an unfinished order from {moment}:",
            f"“{draft.title}”, {draft.document_count} document(s){more}.",
            Level.INFO,
            [
                Action("Resume", lambda: self.resume(draft.id)),
                Action("Discard", lambda: self.discard(draft.id)),
            ],
        )

    def flush(self) -> None:
        """Save the open wizard's draft now (the app is quitting)."""
        if self.window is not None and shiboken6.isValid(self.window):
            self.window.wizard.flush()
