"""The Clio file-selection window: browse Cabinet › Client › Matter › folders, pick documents.

The tree and the file list load lazily (see `app.models.clio_tree`); every request goes through the
`TaskRunner`, one Clio list request per page, so the GUI thread only ever builds rows. Search uses
Clio's `query` over documents: within the matter selected in the tree (any of its folders), or the
whole account when no matter is selected. The window reopens where it was last left
(`config.CLIO_LAST_LOCATION`, a small JSON path of ids), opening that path one page at a time.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app import config
from app.config import Config
from app.models.clio_files import ClioFilesModel, DocumentContext
from app.models.clio_tree import LOADING_TEXT, SEPARATOR, ClioNode, ClioTreeModel, NodeKind, Record, Status
from app.services.clio.api import ClioClient, Page, PageCursor
from app.services.clio.picks import ClioPick
from app.services.clio.ratelimit import RateWait
from app.services.clio.records import Contact, Item, Matter, SearchHit
from app.services.http import ServiceError
from app.views.tasks import TaskRunner

if TYPE_CHECKING:
    from app.views.clio_access import ClioAccess

SEARCH_DELAY_MS = 300
"""Typing pause before a search is sent (each keystroke would otherwise cost a request)."""
Hit = tuple[Item, DocumentContext]


@dataclass(frozen=True)
class ShowInClio:
    """Where "Show in Clio" opens the window: a client, a matter, the folders down, a document."""

    client_id: int
    matter_id: int
    folder_ids: tuple[int, ...]
    document_id: int | None
    path: str

    def location(self) -> str:
        """In the form the window remembers its last location in."""
        return json.dumps(
            {"client": self.client_id, "matter": self.matter_id, "folders": list(self.folder_ids)}
        )


class ClioLoader:
    """Runs the tree's and the file list's page requests on the runner (one list request each).

    Every Clio path, field list and paging rule is the Clio client's; the loader only maps a node
    to the client's page call and hands the answer to the model that asked."""

    def __init__(self, owner: ClioBrowser, client: ClioClient, runner: TaskRunner) -> None:
        self._owner, self._client, self._runner = owner, client, runner
        self.in_flight = 0

    def request(self, node: ClioNode, cursor: PageCursor | None) -> None:
        generation, tree = node.generation, self._owner.tree_model
        self._run(
            self._children(node, cursor),
            lambda page: tree.page_loaded(node, generation, page.items, page.next),
            lambda message: tree.page_failed(node, generation, message),
        )

    def search(self, query: str, scope: ClioNode | None, cursor: PageCursor | None, generation: int) -> None:
        files = self._owner.files_model
        self._run(
            self._hits(query, scope, cursor),
            lambda page: files.search_loaded(generation, page.items, page.next),
            lambda message: files.search_failed(generation, message),
            key="search",
        )

    def _run(self, coro: Any, done: Any, failed: Any, key: str | None = None) -> None:
        self.in_flight += 1
        self._owner.loading_changed()

        def success(page: Any) -> None:
            self._finish()
            done(page)

        def error(exc: ServiceError) -> bool:
            self._finish()
            failed(exc.user_message)
            self._owner.show_error(exc.user_message)
            return True

        task = self._runner.run(self._owner, coro, on_success=success, on_error=error, key=key)
        # A superseded search is cancelled without either callback: still count it as finished.
        task.add_done_callback(lambda t: self._finish() if t.cancelled() else None)

    def _finish(self) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        if shiboken6.isValid(self._owner):
            self._owner.loading_changed()

    async def _children(self, node: ClioNode, cursor: PageCursor | None) -> Page[Record]:
        """One page of `node`'s children: clients, matters (open, then pending) or a folder listing."""
        page: Page[Contact] | Page[Matter] | Page[Item]
        if node.kind == NodeKind.CABINET:
            page = await self._client.client_page(cursor)
        elif node.kind == NodeKind.CLIENT:
            page = await self._client.matter_page(node.id, cursor)
        elif node.folder_id is None:
            return Page([], None)
        else:
            page = await self._client.folder_page(node.folder_id, cursor)
        return Page(list[Record](page.items), page.next)

    async def _hits(self, query: str, scope: ClioNode | None, cursor: PageCursor | None) -> Page[Hit]:
        """One page of documents matching `query` in matter `scope` (None: the whole account)."""
        page = await self._client.search_page(query, scope.id if scope is not None else None, cursor)

        def hit(found: SearchHit) -> Hit:
            if scope is not None:
                base = DocumentContext.of(scope)
            else:
                number = found.matter_display_number
                base = DocumentContext(number, matter_id=found.matter_id, matter_display_number=number)
            inner = (
                found.folder_name if found.folder_id not in (None, scope.folder_id if scope else None) else ""
            )
            crumb = SEPARATOR.join(p for p in (base.breadcrumb, inner) if p)
            return found.item, DocumentContext(
                crumb, base.client_id, base.client_name, base.matter_id, base.matter_display_number
            )

        return Page([hit(found) for found in page.items], page.next)


class ClioBrowser(QDialog):
    """ "Select documents from Clio": tree, file list, search, Upload File (see module docstring)."""

    sig_documents_chosen = Signal(list)
    """(list[ClioPick]) the documents the user chose with Upload File, Enter or a double-click; the
    window closes right after."""

    def __init__(
        self,
        client: ClioClient,
        runner: TaskRunner,
        settings: Config,
        account_label: str,
        parent: QWidget | None = None,
        *,
        show: ShowInClio | None = None,
        on_matter_order: Callable[[int], None] | None = None,
    ) -> None:
        """With `show`, the window opens at that folder with that document selected, to look at
        (Show in Clio): nothing is chosen for an order, and the last location stays as it was.
        With `on_matter_order`, a matter's context menu offers "Start an order from this matter"
        (called with the matter's id)."""
        super().__init__(parent)
        self.setWindowTitle("Select documents from Clio" if show is None else f"Clio — {show.path}")
        self.resize(900, 560)
        self._settings = settings
        self._show = show
        self.loader = ClioLoader(self, client, runner)
        self.tree_model = ClioTreeModel(self.loader, account_label, self)
        self.files_model = ClioFilesModel(self.tree_model, self.loader, self)
        self._restore: list[tuple[NodeKind, int]] = []
        self._restore_at: ClioNode | None = None
        self._access: ClioAccess | None = None

        self.search = QLineEdit(placeholderText="Search documents in Clio (Ctrl+F)", clearButtonEnabled=True)
        self.search.setAccessibleName("Search documents")
        self.busy = QProgressBar(maximum=0, textVisible=False)
        self.busy.setMaximumWidth(120)
        self.busy.setVisible(False)
        self.busy.setAccessibleName("Loading")
        self.error = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)  # Clio's words, never markup
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setVisible(False)
        self.tree = QTreeView(headerHidden=True, uniformRowHeights=True)
        self.tree.setModel(self.tree_model)
        self._on_matter_order = on_matter_order
        self.matter_menu: QMenu | None = None
        """The last context menu shown on a matter (tests trigger its action)."""
        if on_matter_order is not None:
            self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            self.tree.customContextMenuRequested.connect(self._tree_menu)
        self.table = QTableView(showGrid=False, sortingEnabled=False)
        self.table.setModel(self.files_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setDragEnabled(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.breadcrumb = QLabel(
            textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse,
            textFormat=Qt.TextFormat.PlainText,
        )
        closing = (
            QDialogButtonBox.StandardButton.Cancel if show is None else QDialogButtonBox.StandardButton.Close
        )
        self.buttons = QDialogButtonBox(closing)
        self.upload = QPushButton("Upload File", default=True)
        self.upload.setEnabled(False)
        self.buttons.addButton(self.upload, QDialogButtonBox.ButtonRole.AcceptRole)
        self.upload.setVisible(show is None)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.busy)
        splitter = QSplitter()
        splitter.addWidget(self.tree)
        splitter.addWidget(self.table)
        splitter.setSizes([320, 580])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.breadcrumb)
        layout.addWidget(self.buttons)
        QWidget.setTabOrder(self.search, self.tree)
        QWidget.setTabOrder(self.tree, self.table)
        QWidget.setTabOrder(self.table, self.upload)

        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        QShortcut(QKeySequence.StandardKey.Find, self, self._focus_search)
        self.upload.clicked.connect(self.choose_selected)
        self.buttons.rejected.connect(self.reject)
        self.tree.selectionModel().currentChanged.connect(self._on_tree_current)
        self.tree.expanded.connect(self._fetch)
        self.tree.activated.connect(self.tree_model.activate)
        self.table.activated.connect(self.files_model.activate)
        self.table.doubleClicked.connect(self._on_double_click)
        self.table.selectionModel().selectionChanged.connect(self._update_upload)
        self.files_model.modelReset.connect(self._update_upload)
        self.tree_model.sig_page_loaded.connect(lambda node, _docs: self._continue_restore(node))
        self.tree_model.sig_load_failed.connect(lambda node, _msg: self._continue_restore(node, failed=True))
        # A wait for Clio's rate limit shows on the "Loading…" rows, counting down, not as a hang.
        self._rate_wait_until = 0.0
        self._rate_timer = QTimer(self, interval=1000)
        self._rate_timer.timeout.connect(self._show_rate_wait)
        self._stop_listening = stop = client.limiter.waits.subscribe(self._rate_wait)
        self.destroyed.connect(lambda *_: stop())

        self._begin_restore()

    def follow_account(self, access: ClioAccess) -> None:
        """Name the tree's root after the firm once Clio has said who it is (the first window
        opened right after connecting would otherwise say "Clio (US)")."""
        self._access = access
        access.sig_changed.connect(self._account_changed)
        self._account_changed()

    def _account_changed(self) -> None:
        if self._access is not None and shiboken6.isValid(self):
            self.tree_model.set_account_label(self._access.account_label)

    # -- Clio's rate limit ----------------------------------------------------------------------

    def _rate_wait(self, wait: RateWait) -> None:
        if wait.priority != "interactive" or not shiboken6.isValid(self):
            return
        self._rate_wait_until = time.monotonic() + wait.seconds if wait.seconds > 0 else 0.0
        self._show_rate_wait()

    def _show_rate_wait(self) -> None:
        left = math.ceil(self._rate_wait_until - time.monotonic())
        if left > 0:
            text = f"Waiting for Clio (rate limit) — about {left} s"
            self._rate_timer.start()
        else:
            text = LOADING_TEXT
            self._rate_timer.stop()
        self.tree_model.set_loading_text(text)
        self.files_model.loading_text_changed()

    # -- choosing -------------------------------------------------------------------------------

    def selected_picks(self) -> list[ClioPick]:
        """The documents selected in the file list, in list order."""
        return self.files_model.picks(self.table.selectionModel().selectedRows())

    def choose_selected(self) -> None:
        """Upload File / Enter: emit the selected documents and close (nothing selected: nothing)."""
        if self.tree.hasFocus() and self.tree_model.activate(self.tree.currentIndex()):
            return  # Enter on "Retry" / "Show more…" in the tree did that instead
        picks = self.selected_picks()
        if picks:
            self.sig_documents_chosen.emit(picks)
            self.accept()

    def _on_double_click(self, index: QModelIndex) -> None:
        picks = self.files_model.picks([index])
        if picks:
            self.sig_documents_chosen.emit(picks)
            self.accept()

    def _update_upload(self, *_args: Any) -> None:
        self.upload.setEnabled(bool(self.selected_picks()))

    # -- status ---------------------------------------------------------------------------------

    def loading_changed(self) -> None:
        """The loader started or finished a request: show or hide the busy indicator."""
        self.busy.setVisible(self.loader.in_flight > 0)

    def show_error(self, message: str) -> None:
        """Show a failure inside the window (the failed row also offers a retry)."""
        self.error.setText(message)
        self.error.setVisible(True)

    # -- navigation -----------------------------------------------------------------------------

    def _focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def run_search(self) -> None:
        """Search now for the box's text (an empty box shows the selected folder again)."""
        self._search_timer.stop()
        query = self.search.text().strip()
        if not query:
            self._show_node(self.tree_model.node(self.tree.currentIndex()))
            return
        current = self.tree_model.node(self.tree.currentIndex())
        self.files_model.show_search(query, current.ancestor(NodeKind.MATTER))
        self.breadcrumb.setText(f"Search results for “{query}”")
        self.files_model.fetchMore(QModelIndex())

    def menu_for(self, index: QModelIndex) -> QMenu | None:
        """The context menu of a matter row (None for other rows)."""
        node = self.tree_model.node(index)
        if node.kind != NodeKind.MATTER or self._on_matter_order is None:
            return None
        menu = QMenu(self)
        start = menu.addAction("Start an order from this matter")
        on_matter_order, matter_id = self._on_matter_order, node.id
        start.triggered.connect(lambda: on_matter_order(matter_id))
        self.matter_menu = menu
        return menu

    def _tree_menu(self, point: QPoint) -> None:
        menu = self.menu_for(self.tree.indexAt(point))
        if menu is not None:
            menu.popup(self.tree.viewport().mapToGlobal(point))

    def _fetch(self, index: QModelIndex) -> None:
        if self.tree_model.canFetchMore(index):
            self.tree_model.fetchMore(index)

    def _on_tree_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        node = self.tree_model.node(current)
        if node.kind not in (NodeKind.LOADING, NodeKind.ERROR, NodeKind.MORE):
            if self._restore and self._restore_at is not None and node not in self._restore_at.path():
                # The user went elsewhere while the last location was opening: stop, and forget the
                # node too, or a page arriving later would jump the selection back to it.
                self._restore, self._restore_at = [], None
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self._show_node(node)

    def _show_node(self, node: ClioNode) -> None:
        self.breadcrumb.setText(node.breadcrumb())
        self.files_model.show_folder(node if node.kind in (NodeKind.MATTER, NodeKind.FOLDER) else None)
        self.files_model.fetchMore(QModelIndex())

    # -- last location --------------------------------------------------------------------------

    def location(self) -> str:
        """The JSON path of the selected node: {"client": id, "matter": id, "folders": [ids]}."""
        path = self.tree_model.node(self.tree.currentIndex()).path()
        ids: dict[str, Any] = {"folders": []}
        for node in path:
            if node.kind in (NodeKind.CLIENT, NodeKind.MATTER):
                ids[node.kind.value] = node.id
            elif node.kind == NodeKind.FOLDER:
                ids["folders"].append(node.id)
        return json.dumps(ids) if "client" in ids else ""

    def done(self, result: int) -> None:
        """Remember where the user was (when choosing documents), then close."""
        self._stop_listening()
        self._rate_timer.stop()
        if self._show is None and self.tree.currentIndex().isValid():
            self._settings.set(config.CLIO_LAST_LOCATION, self.location())
        super().done(result)

    def _begin_restore(self) -> None:
        try:
            where = self._show.location() if self._show else self._settings.get(config.CLIO_LAST_LOCATION)
            saved = json.loads(where or "{}")
            steps = [(NodeKind.CLIENT, int(saved["client"]))] if "client" in saved else []
            steps += [(NodeKind.MATTER, int(saved["matter"]))] if steps and "matter" in saved else []
            steps += [(NodeKind.FOLDER, int(f)) for f in saved.get("folders", [])] if len(steps) == 2 else []
        except (ValueError, TypeError, KeyError, AttributeError):
            steps = []  # an unreadable location just opens at the top
        self._restore, self._restore_at = steps, self.tree_model.cabinet
        cabinet = self.tree_model.index_of(self.tree_model.cabinet)
        self.tree.setCurrentIndex(cabinet)
        self.tree.expand(cabinet)
        self._fetch(cabinet)
        self._continue_restore(self.tree_model.cabinet)

    def _continue_restore(self, loaded: ClioNode, failed: bool = False) -> None:
        node = self._restore_at
        if node is None or loaded is not node:
            return
        while self._restore and not failed:
            kind, ident = self._restore[0]
            child = next((c for c in node.children if c.kind == kind and c.id == ident), None)
            if child is None:
                if node.status == Status.LOADING or self.tree_model.load_more(node):
                    return  # look again when the next page is in
                break
            self._restore.pop(0)
            node = self._restore_at = child
            if self._restore:
                index = self.tree_model.index_of(child)
                self.tree.expand(index)
                self._fetch(index)
                if child.status == Status.LOADING:
                    return
        self._restore, self._restore_at = [], None
        if node is not self.tree_model.cabinet:
            self.tree.setCurrentIndex(self.tree_model.index_of(node))
            self.tree.scrollTo(self.tree.currentIndex())
        if self._show is not None and self._show.document_id is not None:
            self._select_when_listed(self._show.document_id)

    def _select_when_listed(self, document_id: int) -> None:
        """Select the shown document as soon as the file list has it (pages arrive later)."""

        def look(*_args: Any) -> None:
            row = self.files_model.row_of_document(document_id)
            if row is None:
                return
            self.files_model.rowsInserted.disconnect(look)
            self.table.selectRow(row)
            self.table.scrollTo(self.files_model.index(row, 0))
            self.table.setFocus()

        self.files_model.rowsInserted.connect(look)
        look()
