"""Documents To Be Filed: the wizard's document rows as a table model, and drops onto it.

The model mirrors `wizard.draft.documents` row for row. The wizard changes its list first and then
announces it, so the model keeps its own list of the row objects and applies each announcement
(`document_added`, `document_removed`, `document_changed`, `documents_reordered`) with the proper
begin/end calls. Drops of local files (`text/uri-list`, from the desktop's file manager) and of
Clio documents (`CLIO_PICKS_MIME`, from the Clio window) become new rows of `default_type`.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from app.appearance import human_size
from app.services.clio.picks import CLIO_PICKS_MIME, BadPicks, ClioPick, decode_picks
from app.services.wizard.draft import (
    ClioMatter,
    ClioSource,
    ComputerSource,
    DocumentStatus,
    DraftDocument,
    Role,
)
from app.services.wizard.flow import NotAllowed, OrderWizard

ModelIndex = QModelIndex | QPersistentModelIndex
URI_LIST = "text/uri-list"
ERROR_COLOUR = QColor("#b00020")
LOCAL_ID_ROLE = Qt.ItemDataRole.UserRole + 1
CHOOSE_TYPE = "Choose a document type"


class Column(enum.IntEnum):
    TYPE = 0
    NAME = 1
    PAGES = 2
    SIZE = 3
    SOURCE = 4
    LEAD = 5
    STATUS = 6


HEADERS = ("Document Type", "Name", "Pages", "Size", "Source", "Lead", "Status")


def status_text(doc: DraftDocument) -> str:
    """ "Downloading 42 %", "Converting…", "Making searchable 40 %", "Ready", "Error: <reason>" …"""
    status = doc.status
    if status is DocumentStatus.DOWNLOADING:
        return f"Downloading {doc.progress * 100:.0f} %"
    if status is DocumentStatus.MAKING_SEARCHABLE:
        return f"Making searchable {doc.progress * 100:.0f} %"
    if status is DocumentStatus.UPLOADING:
        return f"Uploading {doc.progress * 100:.0f} %"
    if status is DocumentStatus.ERROR:
        return f"Error: {doc.error}"
    if status is DocumentStatus.READY:
        return "Ready (see the warning)" if doc.warnings or doc.ocr_problem else "Ready"
    if status is DocumentStatus.PENDING:
        return "Waiting for a document type" if not doc.filing_code else "Waiting…"
    return f"{status.label}…"


def source_of(pick: ClioPick) -> ClioSource:
    """The wizard's source for a document chosen in (or dragged from) the Clio window."""
    matter = None
    if pick.client_id is not None and pick.matter_id is not None:
        matter = ClioMatter(pick.client_id, pick.client_name, pick.matter_id, pick.matter_display_number)
    return ClioSource(pick.document_id, pick.name, pick.breadcrumb, matter, size=pick.size)


class OrderDocumentsModel(QAbstractTableModel):
    """The Documents To Be Filed list (see the module docstring)."""

    sig_dropped = Signal(list)
    """(list of local ids) documents added by a drop, so the view can select them."""

    def __init__(self, wizard: OrderWizard, parent: Any = None) -> None:
        super().__init__(parent)
        self.wizard = wizard
        self.default_type = ""
        """The filing code new rows get from a drop ("" leaves the type to choose on the row)."""
        self._docs: list[DraftDocument] = list(wizard.draft.documents)
        self._problems: dict[str, str] = {}

    # -- keeping in step with the wizard -------------------------------------------------------

    def document_added(self, local_id: str, index: int) -> None:
        doc = self.wizard.document(local_id)
        index = max(0, min(index, len(self._docs)))
        self.beginInsertRows(QModelIndex(), index, index)
        self._docs.insert(index, doc)
        self.endInsertRows()

    def document_removed(self, doc: DraftDocument, _index: int) -> None:
        row = self._row_of(doc.local_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._docs[row]
        self._problems.pop(doc.local_id, None)
        self.endRemoveRows()

    def document_changed(self, local_id: str) -> None:
        row = self._row_of(local_id)
        if row is None:
            return
        self._problems.pop(local_id, None)  # the user acted on it: the old message may no longer hold
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def documents_reordered(self, order: Sequence[str]) -> None:
        by_id = {d.local_id: d for d in self._docs}
        if set(by_id) != set(order):
            return
        self.layoutAboutToBeChanged.emit()
        old_rows = {d.local_id: row for row, d in enumerate(self._docs)}
        self._docs = [by_id[i] for i in order]
        new_rows = {d.local_id: row for row, d in enumerate(self._docs)}
        moved = {old_rows[i]: new_rows[i] for i in order}
        for persistent in self.persistentIndexList():
            if persistent.isValid():
                target = self.index(moved[persistent.row()], persistent.column())
                self.changePersistentIndex(persistent, target)
        self.layoutChanged.emit()

    def set_problems(self, problems: dict[str, str]) -> None:
        """Show per-document messages from the step's validation on their rows."""
        self._problems = {
            key.removeprefix("documents."): text
            for key, text in problems.items()
            if key.startswith("documents.")
        }
        if self._docs:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._docs) - 1, len(HEADERS) - 1))

    def show_refusal(self, local_id: str, message: str) -> None:
        """Show a refused action (making an exhibit the lead, say) on that document's row."""
        row = self._row_of(local_id)
        if row is not None:
            self._problems[local_id] = message
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def details(self, row: int) -> str:
        """Everything row `row`'s status has to say, in full (its cell may be cut short)."""
        return (self._tooltip(self._docs[row], Column.STATUS) or "").replace("\n", " ")

    def problem(self, local_id: str) -> str:
        return self._problems.get(local_id, "")

    def _row_of(self, local_id: str) -> int | None:
        return next((row for row, d in enumerate(self._docs) if d.local_id == local_id), None)

    def document(self, row: int) -> DraftDocument:
        return self._docs[row]

    # -- Qt model -------------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._docs)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._docs):
            return None
        doc = self._docs[index.row()]
        column = Column(index.column())
        if role == LOCAL_ID_ROLE:
            return doc.local_id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(doc, column, edit=role == Qt.ItemDataRole.EditRole)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(doc, column)
        if role == Qt.ItemDataRole.ForegroundRole and self._is_bad(doc, column):
            return ERROR_COLOUR
        if role == Qt.ItemDataRole.CheckStateRole and column is Column.LEAD:
            return Qt.CheckState.Checked if doc.role is Role.LEAD else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (Column.PAGES, Column.SIZE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, doc: DraftDocument, column: Column, *, edit: bool) -> str | None:
        if column is Column.TYPE:
            if edit:
                return doc.filing_code
            doc_type = self.wizard.catalog.document_type(self.wizard.draft.court_id, doc.filing_code)
            if not doc.filing_code:
                return CHOOSE_TYPE
            return f"{doc_type.name} ({doc_type.code})" if doc_type else doc.filing_code
        if column is Column.NAME:
            return doc.display_name
        if column is Column.PAGES:
            return "" if doc.pages is None else str(doc.pages)
        if column is Column.SIZE:
            return human_size(doc.size)
        if column is Column.SOURCE:
            return doc.source.description
        if column is Column.LEAD:
            return "Lead" if doc.role is Role.LEAD else "Attachment"
        problem = self._problems.get(doc.local_id)
        text = status_text(doc)
        return f"{text} — {problem}" if problem and doc.status is not DocumentStatus.ERROR else text

    def _tooltip(self, doc: DraftDocument, column: Column) -> str | None:
        if column is Column.STATUS:
            lines = [doc.error] if doc.status is DocumentStatus.ERROR else []
            lines += [p for p in (self._problems.get(doc.local_id), doc.ocr_problem) if p]
            lines += list(doc.warnings)
            return "\n".join(dict.fromkeys(lines)) or None  # an error is often the row's problem too
        if column is Column.SOURCE:
            return doc.source.description
        if column is Column.TYPE and not doc.filing_code:
            return f"Choose a document type for “{doc.display_name}”."
        return None

    def _is_bad(self, doc: DraftDocument, column: Column) -> bool:
        if column is Column.TYPE:
            return not doc.filing_code
        if column is Column.STATUS:
            return doc.status is DocumentStatus.ERROR or bool(self._problems.get(doc.local_id))
        return False

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDropEnabled
        if index.column() == Column.LEAD:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        elif index.column() == Column.NAME:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or not 0 <= index.row() < len(self._docs):
            return False
        doc = self._docs[index.row()]
        try:
            if index.column() == Column.LEAD and role == Qt.ItemDataRole.CheckStateRole:
                if Qt.CheckState(value) == Qt.CheckState.Checked:
                    self.wizard.set_lead(doc.local_id)
                return True  # unticking the lead does nothing: exactly one lead, always
            if index.column() == Column.NAME and role == Qt.ItemDataRole.EditRole:
                name = str(value).strip()
                if not name:
                    return False
                self.wizard.rename_document(doc.local_id, name)
                return True
            if index.column() == Column.TYPE and role == Qt.ItemDataRole.EditRole:
                self.wizard.set_document_type(doc.local_id, str(value))
                return True
        except NotAllowed as refused:
            self.show_refusal(doc.local_id, refused.message)
        return False

    # -- drops ----------------------------------------------------------------------------------

    def mimeTypes(self) -> list[str]:
        return [URI_LIST, CLIO_PICKS_MIME]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction | Qt.DropAction.LinkAction

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: ModelIndex
    ) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        if data.hasFormat(CLIO_PICKS_MIME):
            return True
        return any(url.isLocalFile() for url in data.urls())

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: ModelIndex
    ) -> bool:
        """Add the dropped documents (with `default_type`) at the end of the list."""
        if action == Qt.DropAction.IgnoreAction:
            return True
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        added: list[str] = []
        if data.hasFormat(CLIO_PICKS_MIME):
            try:
                picks = decode_picks(bytes(data.data(CLIO_PICKS_MIME).data()))
            except BadPicks:
                return False
            added += [self.wizard.add_document(source_of(p), self.default_type) for p in picks]
        else:
            paths = [Path(url.toLocalFile()) for url in data.urls() if url.isLocalFile()]
            added += [self.wizard.add_document(ComputerSource(p), self.default_type) for p in paths]
        if added:
            self.sig_dropped.emit(added)
        return bool(added)
