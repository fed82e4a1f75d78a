"""The file list beside the Clio tree: the selected folder's documents, or search results.

Folder mode pages through the tree's own listing of that folder (`ClioTreeModel.load_more`), so a
folder is listed once whether it is expanded in the tree, shown here, or both. Search mode runs
Clio's `query` over documents through an injected `SearchLoader`, paged the same lazy way: the first
page shows at once, `fetchMore` asks for the next, one "Loading…" row while a page is on its way,
"Couldn't load — Retry" when it failed, and a generation counter that drops answers to an earlier
search or folder. Rows are drag sources carrying `ClioPick` JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QByteArray, QMimeData, QModelIndex, Qt

from app.appearance import human_size, icon
from app.models.clio_tree import (
    ERROR_TEXT,
    ClioNode,
    ClioTreeModel,
    ModelIndex,
    NodeKind,
    Status,
)
from app.services.clio.base import PageCursor
from app.services.clio.picks import CLIO_PICKS_MIME, ClioPick, encode_picks
from app.services.clio.records import Item

PICK_ROLE = Qt.ItemDataRole.UserRole + 11
"""Data role: the row's `ClioPick` (None on a placeholder row)."""
HEADERS = ("Name", "Type", "Size", "Modified")
_TYPES = {
    "application/pdf": "PDF",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/rtf": "RTF",
    "text/rtf": "RTF",
    "application/vnd.oasis.opendocument.text": "OpenDocument",
    "text/plain": "Text",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/tiff": "TIFF image",
}


@dataclass(frozen=True)
class DocumentContext:
    """Where a document lives: what a `ClioPick` records beside the document itself."""

    breadcrumb: str
    client_id: int | None = None
    client_name: str = ""
    matter_id: int | None = None
    matter_display_number: str = ""

    @classmethod
    def of(cls, node: ClioNode) -> DocumentContext:
        """The context of documents listed in tree node `node`."""
        client, matter = node.ancestor(NodeKind.CLIENT), node.ancestor(NodeKind.MATTER)
        return cls(
            breadcrumb=node.breadcrumb(NodeKind.CLIENT),
            client_id=matter.client_id if matter else client.id if client else None,
            client_name=matter.client_name if matter else client.name if client else "",
            matter_id=matter.id if matter else None,
            matter_display_number=matter.display_number if matter else "",
        )


@dataclass(frozen=True)
class FileRow:
    """One document row, its display texts computed once (a 200-row page takes well under 50 ms)."""

    pick: ClioPick
    type_text: str
    size_text: str
    modified_text: str

    @classmethod
    def build(cls, item: Item, context: DocumentContext) -> FileRow:
        pick = ClioPick(
            item.id,
            item.name,
            item.size,
            item.content_type,
            context.breadcrumb,
            context.client_id,
            context.client_name,
            context.matter_id,
            context.matter_display_number,
        )
        return cls(pick, type_label(item), human_size(item.size), modified_label(item.updated_at))


class SearchLoader(Protocol):
    """Fetches one page of search hits; must return at once and answer later, exactly once, with
    `model.search_loaded(generation, hits, cursor)` or `model.search_failed(generation, message)`.
    `scope` is the matter node to search in, or None for the whole account."""

    def search(
        self, query: str, scope: ClioNode | None, cursor: PageCursor | None, generation: int
    ) -> None: ...


class ClioFilesModel(QAbstractTableModel):
    """Documents of one tree folder or of one search; see the module docstring."""

    def __init__(self, tree: ClioTreeModel, searcher: SearchLoader, parent: Any = None) -> None:
        super().__init__(parent)
        self._tree, self._searcher = tree, searcher
        self._rows: list[FileRow] = []
        self._placeholder: NodeKind | None = None
        self._message = ""
        self._node: ClioNode | None = None
        self._query = ""
        self._scope: ClioNode | None = None
        self._search_status = Status.NOT_LOADED
        self._search_next: PageCursor | None = None
        self.generation = 0
        tree.sig_loading_started.connect(self._on_loading)
        tree.sig_page_loaded.connect(self._on_page)
        tree.sig_load_failed.connect(self._on_failed)
        tree.sig_node_reset.connect(self._on_reset)

    def loading_text_changed(self) -> None:
        """The tree's loading text changed (a rate-limit wait): repaint this list's "Loading…" row."""
        if self._placeholder == NodeKind.LOADING:
            index = self.index(len(self._rows), 0)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole])

    # -- what is shown --------------------------------------------------------------------------

    @property
    def folder(self) -> ClioNode | None:
        """The tree node whose documents are shown (None in search mode or when empty)."""
        return self._node

    @property
    def query(self) -> str:
        return self._query

    def show_folder(self, node: ClioNode | None) -> None:
        """Show `node`'s documents seen so far; `fetchMore` continues its listing."""
        self._reset(node, "", None)
        if node is None:
            return
        context = DocumentContext.of(node)
        rows = [FileRow.build(item, context) for item in node.documents]
        placeholder = {Status.LOADING: NodeKind.LOADING, Status.ERROR: NodeKind.ERROR}.get(node.status)
        self._fill(rows, placeholder, node.message)

    def show_search(self, query: str, scope: ClioNode | None) -> None:
        """Show the hits of Clio's `query` in matter `scope` (None: the whole account)."""
        self._reset(None, query, scope)

    def picks(self, indexes: Sequence[ModelIndex]) -> list[ClioPick]:
        """The picks of the document rows among `indexes`, in row order, each once."""
        rows = sorted({i.row() for i in indexes if i.isValid() and i.row() < len(self._rows)})
        return [self._rows[r].pick for r in rows]

    def row_of_document(self, document_id: int) -> int | None:
        """The row showing Clio document `document_id`, when it is listed."""
        return next((r for r, row in enumerate(self._rows) if row.pick.document_id == document_id), None)

    def is_placeholder(self, index: ModelIndex) -> bool:
        return index.isValid() and index.row() >= len(self._rows)

    def activate(self, index: ModelIndex) -> bool:
        """Retry when `index` is the error row; True when it did."""
        if not self.is_placeholder(index) or self._placeholder != NodeKind.ERROR:
            return False
        if self._node is not None:
            return self._tree.activate(self._tree.index_of(self._node.children[-1]))
        self._search_status = Status.NOT_LOADED if not self._rows else Status.LOADED
        self._start_search()
        return True

    # -- Qt model -------------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows) + (self._placeholder is not None)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.row() >= len(self._rows):
            if index.column() != 0:
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                if self._placeholder == NodeKind.EMPTY:
                    where = "in this matter" if self._scope is not None else "in Clio"
                    return f"No documents {where} match “{self._query}”."
                return ERROR_TEXT if self._placeholder == NodeKind.ERROR else self._tree.loading_text
            if role == Qt.ItemDataRole.ToolTipRole:
                return self._message or None
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.pick.name, row.type_text, row.size_text, row.modified_text)[column]
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return icon("document")
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.pick.breadcrumb} › {row.pick.name}" if row.pick.breadcrumb else row.pick.name
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == PICK_ROLE:
            return row.pick
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.row() >= len(self._rows):
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def mimeTypes(self) -> list[str]:
        return [CLIO_PICKS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        mime = QMimeData()
        mime.setData(CLIO_PICKS_MIME, QByteArray(encode_picks(self.picks(indexes))))
        return mime

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def canFetchMore(self, parent: ModelIndex) -> bool:
        if parent.isValid():
            return False
        if self._node is not None:
            return self._tree.canFetchMore(self._tree.index_of(self._node))
        if not self._query:
            return False
        status = self._search_status
        return status == Status.NOT_LOADED or (status == Status.LOADED and self._search_next is not None)

    def fetchMore(self, parent: ModelIndex) -> None:
        if not self.canFetchMore(parent):
            return
        if self._node is not None:
            self._tree.load_more(self._node)
        else:
            self._start_search()

    # -- answers --------------------------------------------------------------------------------

    def search_loaded(
        self, generation: int, hits: Sequence[tuple[Item, DocumentContext]], cursor: PageCursor | None
    ) -> None:
        """A page of search hits arrived (dropped when it answers an earlier search)."""
        if generation != self.generation or self._search_status != Status.LOADING:
            return
        self._search_status, self._search_next = Status.LOADED, cursor
        self._set_placeholder(None)
        self._append([FileRow.build(item, context) for item, context in hits])
        if not self._rows and cursor is None:
            self._set_placeholder(NodeKind.EMPTY)  # say so, rather than show an empty list

    def search_failed(self, generation: int, message: str) -> None:
        """A search page failed: the "Loading…" row becomes the error row."""
        if generation != self.generation or self._search_status != Status.LOADING:
            return
        self._search_status, self._message = Status.ERROR, message
        self._set_placeholder(NodeKind.ERROR)

    def _start_search(self) -> None:
        self._search_status = Status.LOADING
        self._message = ""
        self._set_placeholder(NodeKind.LOADING)
        self._searcher.search(self._query, self._scope, self._search_next, self.generation)

    def _on_loading(self, node: ClioNode) -> None:
        if node is self._node:
            self._message = ""
            self._set_placeholder(NodeKind.LOADING)

    def _on_page(self, node: ClioNode, documents: list[Item]) -> None:
        if node is not self._node:
            return
        self._set_placeholder(None)
        context = DocumentContext.of(node)
        self._append([FileRow.build(item, context) for item in documents])

    def _on_failed(self, node: ClioNode, message: str) -> None:
        if node is self._node:
            self._message = message
            self._set_placeholder(NodeKind.ERROR)

    def _on_reset(self, node: ClioNode) -> None:
        if self._node is not None and (self._node is node or not self._node.attached):
            self.show_folder(node if self._node is node else None)

    # -- row changes ----------------------------------------------------------------------------

    def _reset(self, node: ClioNode | None, query: str, scope: ClioNode | None) -> None:
        self.beginResetModel()
        self.generation += 1
        self._rows, self._placeholder, self._message = [], None, ""
        self._node, self._query, self._scope = node, query, scope
        self._search_status, self._search_next = Status.NOT_LOADED, None
        self.endResetModel()

    def _fill(self, rows: list[FileRow], placeholder: NodeKind | None, message: str) -> None:
        self._message = message
        self._append(rows)
        self._set_placeholder(placeholder)

    def _append(self, rows: list[FileRow]) -> None:
        if not rows:
            return
        first = len(self._rows)
        if self._placeholder is not None:
            self._set_placeholder(None)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    def _set_placeholder(self, kind: NodeKind | None) -> None:
        row = len(self._rows)
        if kind == self._placeholder:
            return
        if self._placeholder is None:
            self.beginInsertRows(QModelIndex(), row, row)
            self._placeholder = kind
            self.endInsertRows()
        elif kind is None:
            self.beginRemoveRows(QModelIndex(), row, row)
            self._placeholder = None
            self.endRemoveRows()
        else:
            self._placeholder = kind
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))


def type_label(item: Item) -> str:
    """A short type name from the content type, else the file extension."""
    known = _TYPES.get(item.content_type.split(";")[0].strip().lower())
    if known:
        return known
    suffix = item.name.rpartition(".")[2] if "." in item.name else ""
    return suffix.upper() or "File"


def modified_label(updated_at: str) -> str:
    """Clio's ISO timestamp as local "YYYY-MM-DD HH:MM" ("" when absent or unreadable)."""
    try:
        stamp = dt.datetime.fromisoformat(updated_at)
    except ValueError:
        return ""
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone()
    return stamp.strftime("%Y-%m-%d %H:%M")
