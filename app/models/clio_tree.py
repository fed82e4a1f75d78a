"""The lazy Clio tree: Cabinet (the connected account) › Clients › Matters › folders.

Built on the lazy tree recipe: plain `ClioNode` objects (kind, id, status, cached row, next-page
cursor); containers say they have children until loaded; `fetchMore` appends one "Loading…" row
(on the next event-loop turn) and asks the injected `TreeLoader` for one page; the answer swaps the
placeholder for the page (plus a "Show more…" row while Clio has more); a failure turns the
placeholder into "Couldn't load — Retry".
Every request carries the node's generation, so answers that arrive after `refresh` are dropped.

The model does no I/O and knows nothing of asyncio. A folder listing holds documents too: the tree
keeps only the sub-folders as rows and hands the documents on through `sig_page_loaded`, so the file
list shows them without listing the folder a second time (a folder of N items costs ⌈N/200⌉ list
requests however both views page through it).
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal

from app.appearance import icon
from app.services.clio.base import PageCursor
from app.services.clio.records import Contact, Item, Matter

ModelIndex = QModelIndex | QPersistentModelIndex
Record = Contact | Matter | Item

KIND_ROLE = Qt.ItemDataRole.UserRole + 1
"""Data role: the row's `NodeKind`."""
ID_ROLE = Qt.ItemDataRole.UserRole + 2
"""Data role: the Clio id of the row's client, matter or folder (0 for placeholders)."""
BREADCRUMB_ROLE = Qt.ItemDataRole.UserRole + 3
"""Data role: the path from the cabinet to the row, "Firm › Client › Matter › Folder"."""
NODE_ROLE = Qt.ItemDataRole.UserRole + 4
"""Data role: the row's `ClioNode` itself."""

LOADING_TEXT = "Loading…"
ERROR_TEXT = "Couldn't load — Retry"
MORE_TEXT = "Show more…"
SEPARATOR = " › "


class NodeKind(enum.StrEnum):
    CABINET = "cabinet"
    CLIENT = "client"
    MATTER = "matter"
    FOLDER = "folder"
    LOADING = "loading"
    ERROR = "error"
    MORE = "more"
    EMPTY = "empty"
    """The file list's row saying a search found nothing (never a tree node)."""


class Status(enum.StrEnum):
    NOT_LOADED = "not-loaded"
    LOADING = "loading"
    LOADED = "loaded"
    ERROR = "error"


CONTAINERS = frozenset({NodeKind.CABINET, NodeKind.CLIENT, NodeKind.MATTER, NodeKind.FOLDER})
PLACEHOLDERS = frozenset({NodeKind.LOADING, NodeKind.ERROR, NodeKind.MORE})
_ICONS = {
    NodeKind.CABINET: "cabinet",
    NodeKind.CLIENT: "client",
    NodeKind.MATTER: "matter",
    NodeKind.FOLDER: "folder",
    NodeKind.ERROR: "refresh",
}
_uids = itertools.count(1)


@dataclass(eq=False)
class ClioNode:
    """One row of the tree (or the invisible root). Plain data; only the model changes it.

    `folder_id` is the Clio folder a matter or folder lists (a matter lists its document folder);
    `documents` are the documents seen so far in that listing; `message` is an error row's cause."""

    kind: NodeKind
    id: int = 0
    name: str = ""
    parent: ClioNode | None = None
    row: int = 0
    status: Status = Status.NOT_LOADED
    cursor: PageCursor | None = None
    generation: int = 0
    children: list[ClioNode] = field(default_factory=list)
    documents: list[Item] = field(default_factory=list)
    folder_id: int | None = None
    client_id: int | None = None
    client_name: str = ""
    display_number: str = ""
    message: str = ""
    attached: bool = True
    uid: int = field(default_factory=lambda: next(_uids))

    @property
    def is_container(self) -> bool:
        return self.kind in CONTAINERS

    def path(self) -> list[ClioNode]:
        """The visible nodes from the cabinet down to this one."""
        nodes: list[ClioNode] = []
        node: ClioNode | None = self
        while node is not None and node.parent is not None:
            nodes.append(node)
            node = node.parent
        return nodes[::-1]

    def breadcrumb(self, from_kind: NodeKind = NodeKind.CABINET) -> str:
        """Names along the path, starting at the first node of kind `from_kind`."""
        names = [n.name for n in self.path() if n.kind in CONTAINERS]
        kinds = [n.kind for n in self.path() if n.kind in CONTAINERS]
        start = kinds.index(from_kind) if from_kind in kinds else len(kinds)
        return SEPARATOR.join(names[start:])

    def ancestor(self, kind: NodeKind) -> ClioNode | None:
        """This node or its nearest ancestor of `kind`."""
        return next((n for n in reversed(self.path()) if n.kind == kind), None)


class TreeLoader(Protocol):
    """Fetches one page of a node's children; implemented by the window with the Clio client.

    `request` must return at once and must read `node.generation` before it returns; it later calls
    `model.page_loaded(node, that_generation, records, cursor)` or `page_failed(...)` once."""

    def request(self, node: ClioNode, cursor: PageCursor | None) -> None: ...


class ClioTreeModel(QAbstractItemModel):
    """The Clio tree as one column; see the module docstring for how it loads."""

    sig_loading_started = Signal(object)
    """(node) a page request for this matter or folder went out."""
    sig_page_loaded = Signal(object, object)
    """(node, documents: list[Item]) a page arrived; these are its documents (may be empty)."""
    sig_load_failed = Signal(object, str)
    """(node, message) a page request failed; the node now ends in an error row."""
    sig_node_reset = Signal(object)
    """(node) the node's children and documents were dropped by `refresh`."""

    def __init__(self, loader: TreeLoader, account_label: str, parent: Any = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self._root = ClioNode(NodeKind.FOLDER, name="")
        self.cabinet = ClioNode(NodeKind.CABINET, name=account_label, parent=self._root)
        self._root.children.append(self.cabinet)
        self._root.status = Status.LOADED
        self._nodes: dict[int, ClioNode] = {self.cabinet.uid: self.cabinet}
        self.loading_text = LOADING_TEXT

    def set_account_label(self, label: str) -> None:
        """Rename the tree's root ("Harbor & Vale LLP (US)") once the firm's name is known."""
        if label and label != self.cabinet.name:
            self.cabinet.name = label
            index = self.index_of(self.cabinet)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole])

    # -- lookups --------------------------------------------------------------------------------

    def node(self, index: ModelIndex) -> ClioNode:
        """The node of `index` (the invisible root for an invalid index)."""
        if not index.isValid():
            return self._root
        return self._nodes.get(index.internalId(), self._root)

    def index_of(self, node: ClioNode, column: int = 0) -> QModelIndex:
        """The index of `node` (invalid for the root or a node no longer in the tree)."""
        if node is self._root or not node.attached or node.uid not in self._nodes:
            return QModelIndex()
        return self.createIndex(node.row, column, node.uid)

    # -- QAbstractItemModel ---------------------------------------------------------------------

    def index(self, row: int, column: int, parent: ModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, self.node(parent).children[row].uid)

    def parent(self, index: ModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        up = self.node(index).parent
        return QModelIndex() if up is None or up is self._root else self.createIndex(up.row, 0, up.uid)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.column() > 0 else len(self.node(parent).children)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def hasChildren(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        node = self.node(parent)
        if parent.column() > 0:
            return False
        if node.is_container and node.status != Status.LOADED:
            return True
        return bool(node.children)

    def canFetchMore(self, parent: ModelIndex) -> bool:
        node = self.node(parent)
        if not node.is_container or node is self._root:
            return False
        return node.status == Status.NOT_LOADED or (node.status == Status.LOADED and node.cursor is not None)

    def fetchMore(self, parent: ModelIndex) -> None:
        if self.canFetchMore(parent):
            self._start(self.node(parent))

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.column() != 0:
            return None
        node = self.node(index)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(node)
        if role == Qt.ItemDataRole.DecorationRole:
            name = _ICONS.get(node.kind)
            return icon(name) if name else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return node.message if node.kind == NodeKind.ERROR else node.breadcrumb()
        if role == KIND_ROLE:
            return node.kind
        if role == ID_ROLE:
            return node.id
        if role == BREADCRUMB_ROLE:
            return node.breadcrumb()
        if role == NODE_ROLE:
            return node
        return None

    def set_loading_text(self, text: str) -> None:
        """What the "Loading…" rows say (a wait for Clio's rate limit says so, and for how long)."""
        if text == self.loading_text:
            return
        self.loading_text = text
        for node in self._nodes.values():
            if node.kind == NodeKind.LOADING and node.attached:
                index = self.index_of(node)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole])

    def _text(self, node: ClioNode) -> str:
        if node.kind == NodeKind.LOADING:
            return self.loading_text
        if node.kind == NodeKind.ERROR:
            return ERROR_TEXT
        if node.kind == NodeKind.MORE:
            return MORE_TEXT
        return node.name

    # -- loading --------------------------------------------------------------------------------

    def load_more(self, node: ClioNode) -> bool:
        """Fetch the next page of `node` if one is due (the file list pages through folders here)."""
        index = self.index_of(node)
        if not index.isValid() or not self.canFetchMore(index):
            return False
        self._start(node)
        return True

    def activate(self, index: ModelIndex) -> bool:
        """An error row retries, a "Show more…" row loads the next page; True when it did."""
        node = self.node(index)
        owner = node.parent
        if owner is None or node.kind not in (NodeKind.ERROR, NodeKind.MORE):
            return False
        if node.kind == NodeKind.ERROR and owner.status == Status.ERROR:
            owner.status = Status.NOT_LOADED if not owner.children[:-1] else Status.LOADED
        return self.load_more(owner)

    def refresh(self, node: ClioNode) -> None:
        """Forget `node`'s children (late answers for them are dropped) and load it again."""
        if not node.is_container or not node.attached:
            return
        node.generation += 1
        if node.children:
            self.beginRemoveRows(self.index_of(node), 0, len(node.children) - 1)
            gone, node.children = node.children, []
            for child in gone:
                self._detach(child)
            self.endRemoveRows()
        node.documents = []
        node.status, node.cursor, node.message = Status.NOT_LOADED, None, ""
        self._start(node)
        self.sig_node_reset.emit(node)

    def page_loaded(
        self, node: ClioNode, generation: int, records: Sequence[Record], cursor: PageCursor | None
    ) -> None:
        """One page arrived for `node` (dropped when stale: refreshed, removed or not loading)."""
        if not self._current(node, generation):
            return
        self._drop_placeholder(node)
        added = [self._child(node, record) for record in records]
        rows = [n for n in added if n is not None]
        if cursor is not None:
            rows.append(ClioNode(NodeKind.MORE, parent=node))
        node.status, node.cursor, node.message = Status.LOADED, cursor, ""
        if rows:
            first = len(node.children)
            self.beginInsertRows(self.index_of(node), first, first + len(rows) - 1)
            for offset, child in enumerate(rows):
                child.row = first + offset
                self._nodes[child.uid] = child
            node.children.extend(rows)
            self.endInsertRows()
        documents = [r for r in records if isinstance(r, Item) and not r.is_folder]
        node.documents.extend(documents)
        self.sig_page_loaded.emit(node, documents)

    def page_failed(self, node: ClioNode, generation: int, message: str) -> None:
        """The page request for `node` failed: its "Loading…" row becomes the error row."""
        if not self._current(node, generation):
            return
        placeholder = node.children[-1]
        placeholder.kind, placeholder.message = NodeKind.ERROR, message
        node.status, node.message = Status.ERROR, message
        index = self.index_of(placeholder)
        self.dataChanged.emit(index, index)
        self.sig_load_failed.emit(node, message)

    # -- internals ------------------------------------------------------------------------------

    def _start(self, node: ClioNode) -> None:
        # The "Loading…" row goes in on the next turn of the event loop, not inside fetchMore:
        # views and model testers call fetchMore from their own rowsInserted handlers, where a
        # nested insertion would break their bookkeeping. canFetchMore is false from here on.
        if node.status == Status.LOADING:
            return  # one request per node at a time
        node.status = Status.LOADING
        generation = node.generation
        QTimer.singleShot(0, self, lambda: self._send(node, generation))

    def _send(self, node: ClioNode, generation: int) -> None:
        if not self._current(node, generation):
            return  # refreshed or removed before the request went out
        last = node.children[-1] if node.children else None
        if last is not None and last.kind in (NodeKind.MORE, NodeKind.ERROR):
            # Reuse the trailing row as the "Loading…" row: one placeholder at a time.
            last.kind, last.message = NodeKind.LOADING, ""
            index = self.index_of(last)
            self.dataChanged.emit(index, index)
        else:
            row = len(node.children)
            self.beginInsertRows(self.index_of(node), row, row)
            placeholder = ClioNode(NodeKind.LOADING, parent=node, row=row)
            self._nodes[placeholder.uid] = placeholder
            node.children.append(placeholder)
            self.endInsertRows()
        self.sig_loading_started.emit(node)
        self._loader.request(node, node.cursor)

    def _current(self, node: ClioNode, generation: int) -> bool:
        return node.attached and node.generation == generation and node.status == Status.LOADING

    def _drop_placeholder(self, node: ClioNode) -> None:
        if node.children and node.children[-1].kind in PLACEHOLDERS:
            row = len(node.children) - 1
            self.beginRemoveRows(self.index_of(node), row, row)
            self._detach(node.children.pop())
            self.endRemoveRows()

    def _detach(self, node: ClioNode) -> None:
        node.attached = False
        self._nodes.pop(node.uid, None)
        for child in node.children:
            self._detach(child)

    @staticmethod
    def _child(parent: ClioNode, record: Record) -> ClioNode | None:
        if isinstance(record, Contact):
            return ClioNode(NodeKind.CLIENT, record.id, record.name, parent, client_id=record.id)
        if isinstance(record, Matter):
            title = f"{record.display_number} {record.description}".strip()
            return ClioNode(
                NodeKind.MATTER,
                record.id,
                title,
                parent,
                folder_id=record.folder_id,
                client_id=record.client_id if record.client_id is not None else parent.client_id,
                client_name=record.client_name or parent.name,
                display_number=record.display_number,
            )
        if record.is_folder:
            return ClioNode(NodeKind.FOLDER, record.id, record.name, parent, folder_id=record.id)
        return None
