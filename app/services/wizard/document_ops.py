"""The document list of the order wizard: add, remove (with one undo), lead, type, order.

Kept apart from the navigation in `flow.py`; `OrderWizard` is the only class that uses it.
"""

from __future__ import annotations

from pathlib import Path

from app.services.wizard.draft import (
    ClioSource,
    ComputerSource,
    DocumentStatus,
    DraftDocument,
    OrderDraft,
    Role,
    Source,
    new_id,
)
from app.services.wizard.events import DocumentAdded, DocumentRemoved, DocumentsReordered, WizardEvents
from app.services.wizard.rules import Catalog


class NotAllowed(ValueError):
    """The user asked for something the rules forbid; `message` says why, for the screen."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DocumentListOps:
    """Operations on Documents To Be Filed; each announces itself on `events` and autosaves."""

    draft: OrderDraft
    catalog: Catalog
    events: WizardEvents
    _removed: tuple[DraftDocument, int] | None = None

    def _changed(self, field: str, *, persist: bool = True) -> None:
        raise NotImplementedError  # provided by OrderWizard

    def _doc_changed(self, local_id: str, *, persist: bool = True) -> None:
        raise NotImplementedError  # provided by OrderWizard

    def _set(self, field: str, value: object) -> None:
        raise NotImplementedError  # provided by OrderWizard

    def _save_now(self) -> None:
        raise NotImplementedError  # provided by OrderWizard

    def add_document(self, source: Source, filing_code: str, display_name: str | None = None) -> str:
        """Add a row to Documents To Be Filed; returns its local id. The first document that may
        be the lead becomes the lead. A Clio document pre-selects its matter for returns until
        the user picks one."""
        if display_name is None:
            display_name = source.path.name if isinstance(source, ComputerSource) else source.name
        doc_type = self.catalog.document_type(self.draft.court_id, filing_code)
        may_lead = doc_type is None or not doc_type.attachment_only
        has_lead = any(d.role is Role.LEAD for d in self.draft.documents)
        role = Role.LEAD if may_lead and not has_lead else Role.ATTACHMENT
        doc = DraftDocument(new_id(), display_name, filing_code, role, source)
        self.draft.documents.append(doc)
        self._save_now()  # before its work starts: a crash a moment later still finds the row
        self.events.emit(DocumentAdded(doc.local_id, len(self.draft.documents) - 1))
        clio_matter = source.matter if isinstance(source, ClioSource) else None
        if clio_matter and not self.draft.clio_chosen_by_user and self.draft.clio is None:
            self._set("clio", clio_matter)
        self._changed("documents")
        return doc.local_id

    def document(self, local_id: str) -> DraftDocument:
        return self.draft.document(local_id)

    def index_of(self, local_id: str) -> int:
        return self.draft.documents.index(self.draft.document(local_id))

    def remove_document(self, local_id: str) -> DraftDocument:
        """Remove a row (the submission service removes it from the Service Provider too).
        The last removed row comes back with `undo_remove`."""
        index = self.index_of(local_id)
        doc = self.draft.documents.pop(index)
        self._removed = (doc, index)
        self.events.emit(DocumentRemoved(doc, index))
        self._changed("documents")
        return doc

    @property
    def can_undo_remove(self) -> bool:
        return self._removed is not None

    def undo_remove(self) -> str | None:
        """Put the last removed row back where it was; returns its local id (None: nothing to undo).
        It is uploaded again; it comes back as an attachment if another document took the lead."""
        if self.draft.order_number:
            raise NotAllowed("The order is submitted: nothing can be put back into it.")
        if self._removed is None:
            return None
        doc, index = self._removed
        self._removed = None
        if doc.role is Role.LEAD and any(d.role is Role.LEAD for d in self.draft.documents):
            doc.role = Role.ATTACHMENT
        if doc.status is not DocumentStatus.ERROR:
            doc.status, doc.progress = DocumentStatus.PENDING, 0.0
        index = min(index, len(self.draft.documents))
        self.draft.documents.insert(index, doc)
        self._save_now()
        self.events.emit(DocumentAdded(doc.local_id, index))
        self._changed("documents")
        return doc.local_id

    def set_lead(self, local_id: str) -> None:
        """Make this document the lead and every other one an attachment."""
        doc = self.document(local_id)
        doc_type = self.catalog.document_type(self.draft.court_id, doc.filing_code)
        if doc_type is not None and doc_type.attachment_only:
            raise NotAllowed(f"A {doc_type.name} can only be an attachment, not the lead document.")
        for other in self.draft.documents:
            role = Role.LEAD if other is doc else Role.ATTACHMENT
            if other.role is not role:
                other.role = role
                self._doc_changed(other.local_id)

    def set_document_type(self, local_id: str, filing_code: str) -> None:
        doc = self.document(local_id)
        if doc.filing_code != filing_code:
            doc.filing_code = filing_code
            self._doc_changed(local_id)

    def rename_document(self, local_id: str, name: str) -> None:
        doc = self.document(local_id)
        if doc.display_name != name:
            doc.display_name = name
            self._doc_changed(local_id)

    def set_word_copy(self, local_id: str, path: Path | None) -> None:
        """Attach (or with None, drop) the editable Word copy the court wants beside the PDF."""
        doc = self.document(local_id)
        doc.word_copy_path, doc.word_copy_uploaded = path, False
        if doc.status is DocumentStatus.READY:
            doc.status = DocumentStatus.PENDING  # the copy still has to reach the Service Provider
        self._doc_changed(local_id)

    def move(self, local_id: str, index: int) -> None:
        """Move a row to position `index` (clamped to the list)."""
        docs = self.draft.documents
        old = self.index_of(local_id)
        index = max(0, min(index, len(docs) - 1))
        if old != index:
            docs.insert(index, docs.pop(old))
            self.events.emit(DocumentsReordered(tuple(d.local_id for d in docs)))
            self._changed("documents")

    def move_up(self, local_id: str) -> None:
        self.move(local_id, self.index_of(local_id) - 1)

    def move_down(self, local_id: str) -> None:
        self.move(local_id, self.index_of(local_id) + 1)
