"""Place Order for the main window: open the wizard, resume or discard a saved draft.

The order desk (`app.services.wizard.desk.OrderDesk`, from the composition root) builds each
wizard and its submission service; `PlaceOrder` only opens windows over them, one at a time, so
the main window wires an action to it. At sign-in it offers the most recent unfinished draft
once, in the window's notification area.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from app.config import Config
from app.services.legalconnect.records import Order
from app.services.wizard.desk import OrderDesk
from app.views.clio_access import ClioAccess
from app.views.notify import Action, Level, NotificationArea
from app.views.tasks import TaskRunner

if TYPE_CHECKING:
    from app.services.clio.api import ClioClient

    # The wizard (its window, flow and the intake behind its submission) loads when it first opens.
    from app.services.wizard.autosave import SavedDraft
    from app.services.wizard.flow import OrderWizard
    from app.services.wizard.rules import Catalog
    from app.views.wizard.window import WizardWindow


class PlaceOrder(QObject):
    """Opens "Place eFiling Order" windows for the main window (see the module docstring)."""

    def __init__(
        self,
        parent: QWidget,
        *,
        desk: OrderDesk,
        runner: TaskRunner,
        settings: Config,
        clio: ClioAccess | None,
        notices: NotificationArea,
        on_submitted: Callable[[Order], None],
        open_order: Callable[[int], None] = lambda _order_id: None,
        on_deleted: Callable[[int], None] = lambda _order_id: None,
    ) -> None:
        """`on_submitted` hears of each order a wizard submits; `open_order` shows one in the
        list; `on_deleted` hears of each draft order deleted from the list."""
        super().__init__(parent)
        self._parent, self.desk, self.runner = parent, desk, runner
        self.settings, self.clio, self.notices = settings, clio, notices
        self._on_submitted = on_submitted
        self._open_order = open_order
        self._on_deleted = on_deleted
        self.confirm: QMessageBox | None = None
        """The last "Delete draft" confirmation shown (tests answer it)."""
        self.window: WizardWindow | None = None
        """The open wizard window (one at a time)."""
        self._offered = False

    def _show(self, wizard: OrderWizard) -> WizardWindow:
        from app.views.wizard.window import WizardWindow

        submission = self.desk.submission_for(wizard)
        window = WizardWindow(
            wizard,
            submission,
            client=self.desk.client,
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
        if wizard.draft.remote_order_id is not None:
            # Submitted already (the app stopped right after Submit)? Then show it as submitted.
            self.runner.run(
                window,
                submission.settle_if_submitted(),
                on_success=lambda order: window.show_submitted(order) if order is not None else None,
            )
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
            self._parent, self.desk.catalog(), on_success=lambda catalog: self._open(self.desk.new(catalog))
        )

    def open_from_matter(self, matter_id: int) -> None:
        """A new wizard filled from the Clio matter `matter_id` (or the open one, brought forward
        and filled: the user confirms the parties' roles before anything changes)."""
        if self._bring_forward():
            assert self.window is not None
            self.window.fill_from_matter(matter_id)
            return
        self.runner.run(
            self._parent,
            self.desk.catalog(),
            on_success=lambda catalog: self._show(self.desk.new(catalog)).fill_from_matter(matter_id),
        )

    def choose_matter(self) -> None:
        """Place Order from Clio Matter…: pick a matter (connecting first if needed), then open the
        wizard filled from it."""
        if self.clio is None:
            return

        def pick(client: ClioClient) -> None:
            from app.views.matter_picker import MatterPicker

            picker = MatterPicker(
                client, self.runner, self._parent, title="Start an order from a Clio matter"
            )
            picker.sig_chosen.connect(lambda matter: self.open_from_matter(matter.id))
            self.matter_picker = picker
            picker.open()

        self.clio.ensure_connected(self._parent, pick)

    def resume(self, draft_id: str) -> None:
        """Open the saved draft `draft_id` where it was left; unfinished work starts again."""
        if self._bring_forward():
            return
        self.runner.run(
            self._parent, self.desk.catalog(), on_success=lambda catalog: self._restore(draft_id, catalog)
        )

    def _restore(self, draft_id: str, catalog: Catalog) -> None:
        try:
            wizard = self.desk.restore(draft_id, catalog)
        except KeyError:  # settled meanwhile: submitted (see the orders list) or discarded
            taken = self.desk.submitted_as(draft_id)
            if taken is not None:  # the provider took its Submit just before the app stopped
                self.notices.show_notice(
                    "That unfinished order was submitted before the app stopped.",
                    f"It is order {taken.order_number}, in the orders list.",
                    Level.INFO,
                    [Action("Open order", lambda: self._open_order(taken.id))],
                )
                return
            self.notices.show_notice(
                "That unfinished order is no longer a draft.",
                "It was submitted or discarded meanwhile; the orders list shows it as the Service "
                "Provider has it.",
                Level.INFO,
            )
            return
        self._open(wizard)

    def discard(self, draft_id: str) -> None:
        """Throw a saved draft away, with the provider's draft order and the local files."""
        self.runner.run(self._parent, self.desk.discard(draft_id))

    def offer_saved_drafts(self) -> None:
        """Once per run (after sign-in): offer the most recent unfinished order, Resume or Discard."""
        if self._offered:
            return
        self._offered = True
        drafts = self.desk.saved()
        if drafts:
            self._offer(drafts[0], len(drafts) - 1)

    def fill_resume_menu(self, menu: QMenu) -> None:
        """File › Resume Unfinished Order: every draft saved here, newest first (shown each time
        the menu opens, so it is never stale)."""
        menu.clear()
        drafts = self.desk.saved()
        for draft in drafts:
            title = draft.title or "Untitled order"
            text = f"{title} — {draft.document_count} document(s), {_moment(draft)}"
            menu.addAction(text.replace("&", "&&"), self._resumer(draft.id))
        if not drafts:
            menu.addAction("No unfinished orders").setEnabled(False)

    def _resumer(self, draft_id: str) -> Callable[[], None]:
        return lambda: self.resume(draft_id)

    def open_draft_order(self, order: Order) -> None:
        """A Draft row of the orders list opened: its wizard, when the draft was started here."""
        draft_id = self.desk.draft_of_order(order.id)
        if draft_id is not None:
            self.resume(draft_id)
            return
        title = order.case_title or f"Draft order {order.id}"
        self.notices.show_notice(
            f"“{title}” was not started on this computer.",
            "Its files are where it was started (another workstation, or the Service Provider's "
            "website); continue it there, or delete the draft.",
            Level.INFO,
            [Action("Delete Draft…", lambda: self.delete_draft_order(order))],
        )

    def delete_draft_order(self, order: Order) -> None:
        """Delete Draft… on a Draft row: after a confirmation, the provider's draft order (and
        this computer's draft and working files, when it was started here) are deleted."""
        draft_id = self.desk.draft_of_order(order.id)
        open_now = self.window is not None and shiboken6.isValid(self.window)
        if (
            open_now
            and draft_id is not None
            and self.window is not None
            and self.window.wizard.draft.id == draft_id
        ):
            self._bring_forward()  # it is open: Close › Discard in its window deletes it
            self.notices.show_notice(
                "That draft is open.", "To delete it, close its window and choose Discard.", Level.INFO
            )
            return
        title = order.case_title or f"Draft order {order.id}"
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Delete draft",
            f"Delete the draft “{title}”?",
            QMessageBox.StandardButton.Cancel,
            self._parent,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(
            "The documents uploaded for it are deleted at the Service Provider. The files on this "
            "computer and in Clio stay."
        )
        delete = box.addButton("Delete Draft", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.confirm = box

        def answered(_result: int) -> None:
            if box.clickedButton() is delete:
                self.runner.run(
                    self._parent,
                    self._delete(order.id, draft_id),
                    on_success=lambda _r: self._on_deleted(order.id),
                )

        box.finished.connect(answered)
        box.open()

    async def _delete(self, order_id: int, draft_id: str | None) -> None:
        if draft_id is not None:
            await self.desk.discard(draft_id)
        else:
            await self.desk.client.delete_order(order_id)

    def _offer(self, draft: SavedDraft, others: int) -> None:
        moment = _moment(draft)
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
        """Save the open wizard's draft now (the app is quitting): it is kept as a draft, and
        closing its window on the way out asks nothing."""
        if self.window is not None and shiboken6.isValid(self.window):
            self.window.keep_as_draft()


def _moment(draft: SavedDraft) -> str:
    """When the draft was last changed: the time today, else the date and time."""
    when = draft.updated_at.astimezone()
    today = dt.datetime.now().astimezone().date()
    return when.strftime("%H:%M") if when.date() == today else when.strftime("%d %b %Y %H:%M")
