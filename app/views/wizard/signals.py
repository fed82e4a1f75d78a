"""Turns the wizard's plain events into Qt signals, so pages and models connect the Qt way.

The wizard (`app.services.wizard`) announces every change on its `EventHub`, synchronously and on
the GUI thread. `WizardSignals` subscribes once and re-emits each event as the signal of the screen
that shows it; `detach()` unsubscribes when the window closes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.services.wizard.events import (
    DocumentAdded,
    DocumentChanged,
    DocumentRemoved,
    DocumentsReordered,
    DraftChanged,
    OrderSubmitted,
    OrderSynced,
    ServiceProblem,
    StepChanged,
    WizardEvent,
)
from app.services.wizard.flow import OrderWizard


class WizardSignals(QObject):
    """The wizard's events as signals (see the module docstring)."""

    # The window (step indicator, buttons, notices).
    sig_step_changed = Signal(object)
    """(Step) the wizard moved to this step."""
    sig_service_problem = Signal(str)
    """(message) background work with the Service Provider failed; show it as a notice."""
    sig_order_synced = Signal(int)
    """(order id) the provider's draft order now matches the draft."""
    sig_order_submitted = Signal(object)
    """(Order) the order was submitted; it carries the 7-digit order number."""

    # Case, Parties, Fees and Review pages.
    sig_draft_changed = Signal(str)
    """(field) a case, party, Clio matter or fee field of the draft changed."""

    # Documents page (the documents model).
    sig_document_added = Signal(str, int)
    """(local id, row) a document was added (or put back by Undo) at this row."""
    sig_document_removed = Signal(object, int)
    """(DraftDocument, row) the document at this row was removed; the object allows Undo."""
    sig_document_changed = Signal(str)
    """(local id) type, name, role, status, progress or facts of one document changed."""
    sig_documents_reordered = Signal(object)
    """(tuple of local ids) the documents are now in this order."""

    def __init__(self, wizard: OrderWizard, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe = wizard.events.subscribe(self._on_event)
        self.destroyed.connect(self._unsubscribe)  # the window went without closing (the app quit)

    def detach(self) -> None:
        """Stop listening (the window is closing; the wizard may outlive it in tests)."""
        self._unsubscribe()

    def _on_event(self, event: WizardEvent) -> None:
        if isinstance(event, StepChanged):
            self.sig_step_changed.emit(event.step)
        elif isinstance(event, DraftChanged):
            self.sig_draft_changed.emit(event.field)
        elif isinstance(event, DocumentAdded):
            self.sig_document_added.emit(event.local_id, event.index)
        elif isinstance(event, DocumentRemoved):
            self.sig_document_removed.emit(event.document, event.index)
        elif isinstance(event, DocumentChanged):
            self.sig_document_changed.emit(event.local_id)
        elif isinstance(event, DocumentsReordered):
            self.sig_documents_reordered.emit(event.order)
        elif isinstance(event, OrderSynced):
            self.sig_order_synced.emit(event.order_id)
        elif isinstance(event, OrderSubmitted):
            self.sig_order_submitted.emit(event.order)
        elif isinstance(event, ServiceProblem):
            self.sig_service_problem.emit(event.message)
