"""The Documents step: pick a Document Type, add files (computer, Clio, drops), watch them get ready.

Every row shows its own progress and its own refusal; nothing here opens a message box. Adding
never waits: the submission service downloads, checks, converts and uploads in the background and
reports back through the wizard's events.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.config import Config
from app.models.order_documents import LOCAL_ID_ROLE, Column, OrderDocumentsModel, source_of
from app.services.clio.api import ClioClient
from app.services.clio.picks import ClioPick
from app.services.wizard.draft import ComputerSource, DocumentStatus
from app.services.wizard.events import Step
from app.services.wizard.flow import NotAllowed, OrderWizard
from app.services.wizard.rules import Problems
from app.services.wizard.submission import OrderSubmission
from app.views.clio_access import ClioAccess
from app.views.notify import Action, Level, NotificationArea
from app.views.tasks import TaskRunner
from app.views.wizard.fields import problem_label
from app.views.wizard.signals import WizardSignals

FILE_FILTER = (
    "Documents (*.pdf *.docx *.doc *.rtf *.odt *.txt *.png *.jpg *.jpeg *.tif *.tiff);;All files (*)"
)


def place_beside(window: QWidget, anchor: QWidget) -> None:
    """Move `window` next to `anchor` (right of it, else left of it) where the screen has room,
    so that both can be seen and dragged between; otherwise leave it where Qt would put it."""
    room = anchor.screen().availableGeometry()
    frame = anchor.frameGeometry()
    size = window.frameGeometry().size().expandedTo(window.sizeHint())
    top = max(room.top(), min(frame.top(), room.bottom() - size.height()))
    if frame.right() + size.width() <= room.right():
        window.move(QPoint(frame.right() + 1, top))
    elif frame.left() - size.width() >= room.left():
        window.move(QPoint(frame.left() - size.width(), top))


def _naming(name: str, message: str) -> str:
    """`message` about document `name`, with its name in front unless it names it already."""
    return message if f"“{name}”" in message else f"“{name}”: {message}"


class DocumentsPage(QWidget):
    """Documents To Be Filed, with the type picker and Browse ▾ (see the module docstring)."""

    def __init__(
        self,
        wizard: OrderWizard,
        signals: WizardSignals,
        submission: OrderSubmission,
        runner: TaskRunner,
        settings: Config,
        clio: ClioAccess | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.wizard, self.submission, self.runner = wizard, submission, runner
        self.settings, self.clio = settings, clio
        self.on_matter_order: Callable[[int], None] | None = None
        """Fills the order from a Clio matter (the Clio window's "Start an order from this matter")."""
        self.notices = NotificationArea()
        """This page's own notices (Undo of a removal): they stay with the page, never follow the
        user onto Fees, Review or the submitted page."""
        self.clio_browser: QWidget | None = None
        """The Clio file-selection window while it is open."""

        self.type_picker = QComboBox(editable=True)
        self.type_picker.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        editor = self.type_picker.lineEdit()
        assert editor is not None  # an editable combo box always has one
        editor.setPlaceholderText("Search for a Document Type")
        self.type_picker.setAccessibleName("Document Type")
        completer = QCompleter(self.type_picker.model(), self.type_picker)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.type_picker.setCompleter(completer)
        self.apply_type = QPushButton("Set Type of Selected")
        self.apply_type.setToolTip("Give the selected documents the chosen Document Type")

        self.browse = QToolButton()
        self.browse.setText("Browse ▾")
        self.browse.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.browse.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        menu = QMenu(self.browse)
        self.computer_action = QAction("Computer…", menu)
        self.clio_action = QAction("Clio…", menu)
        menu.addActions([self.computer_action, self.clio_action])
        self.browse.setMenu(menu)
        self.clio_action.setVisible(clio is not None and clio.enabled)

        self.model = OrderDocumentsModel(wizard, self)
        self.table = QTableView(showGrid=False)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.table.setAcceptDrops(True)
        self.table.setDropIndicatorShown(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        # Long sources and messages are cut short in their cells and read in full on the detail
        # line under the list (and in the tooltip): the list never scrolls sideways.
        for column, width in ((Column.SOURCE, 190), (Column.STATUS, 200)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        self.table.setAccessibleName("Documents To Be Filed")
        self.detail = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.detail.setObjectName("detail")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAccessibleName("Selected document's status")
        self.detail.setVisible(False)

        self.up = QPushButton("Move Up")
        self.up.setToolTip("Move the document up (Ctrl+Up)")
        self.down = QPushButton("Move Down")
        self.down.setToolTip("Move the document down (Ctrl+Down)")
        self.retry = QPushButton("Retry")
        self.searchable = QPushButton("Make Searchable")
        self.searchable.setToolTip(
            "Add searchable text to the selected scanned PDF with OCR (Ctrl+Shift+S); "
            "its pages stay as they are"
        )
        self.remove = QPushButton("Remove")
        self.remove.setToolTip("Remove the selected documents (Delete)")
        self.problem = problem_label()

        top = QHBoxLayout()
        top.addWidget(QLabel("Document Type:"))
        top.addWidget(self.type_picker, 1)
        top.addWidget(self.apply_type)
        top.addWidget(self.browse)
        buttons = QHBoxLayout()
        for button in (self.up, self.down, self.retry, self.searchable):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(QLabel("<b>Documents To Be Filed</b> — drop files or Clio documents here"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.problem)
        layout.addWidget(self.notices)
        layout.addLayout(buttons)

        signals.sig_document_added.connect(self.model.document_added)
        signals.sig_document_removed.connect(self.model.document_removed)
        signals.sig_document_changed.connect(self.model.document_changed)
        signals.sig_documents_reordered.connect(self.model.documents_reordered)
        for changed in (self.model.rowsInserted, self.model.rowsRemoved, self.model.dataChanged):
            changed.connect(self._update_buttons)
            changed.connect(self._update_detail)
            changed.connect(self._recheck)
        self._checking = False
        """True after Next was refused here: the page's message follows the list until it passes."""
        self._rechecking = False
        self.model.sig_dropped.connect(self._select)
        self.type_picker.currentIndexChanged.connect(self._type_chosen)
        self.apply_type.clicked.connect(self.apply_type_to_selected)
        self.computer_action.triggered.connect(self.browse_computer)
        self.clio_action.triggered.connect(self.browse_clio)
        self.up.clicked.connect(lambda: self._move(-1))
        self.down.clicked.connect(lambda: self._move(+1))
        self.retry.clicked.connect(self.retry_selected)
        self.searchable.clicked.connect(self.make_selected_searchable)
        self.remove.clicked.connect(self.remove_selected)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.selectionModel().currentRowChanged.connect(self._update_detail)
        self.table.installEventFilter(self)
        self.refresh_types()
        self._update_buttons()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The list's keys: Delete removes, Ctrl+Up / Ctrl+Down move the selected document,
        Ctrl+Shift+S makes it searchable."""
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
            if event.matches(QKeySequence.StandardKey.Delete) or event.key() == Qt.Key.Key_Delete:
                self.remove_selected()
                return True
            if ctrl and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self._move(-1 if event.key() == Qt.Key.Key_Up else +1)
                return True
            shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            if ctrl and shift and event.key() == Qt.Key.Key_S:
                self.make_selected_searchable()
                return True
        return super().eventFilter(watched, event)

    # -- the Document Type picker ---------------------------------------------------------------

    def refresh_types(self) -> None:
        """Fill the picker with the chosen court's filing codes (call once they are loaded)."""
        chosen = self.current_type()
        self.type_picker.blockSignals(True)
        self.type_picker.clear()
        for doc_type in self.wizard.catalog.types_for(self.wizard.draft.court_id):
            self.type_picker.addItem(doc_type.label, doc_type.code)
        self.type_picker.setCurrentIndex(self.type_picker.findData(chosen) if chosen else -1)
        self.type_picker.blockSignals(False)
        self.model.default_type = self.current_type()

    def current_type(self) -> str:
        """The filing code chosen in the picker ("" when none is, or the text matches none)."""
        index = self.type_picker.currentIndex()
        if index < 0 or self.type_picker.currentText() != self.type_picker.itemText(index):
            return ""
        return str(self.type_picker.itemData(index) or "")

    def choose_type(self, code: str) -> None:
        """Select `code` in the picker (as if the user had searched and picked it)."""
        self.type_picker.setCurrentIndex(self.type_picker.findData(code))

    def _type_chosen(self, _index: int) -> None:
        self.model.default_type = self.current_type()

    def apply_type_to_selected(self) -> None:
        code = self.current_type()
        if not code:
            self.problem.show_text("Choose a Document Type first, then set it on the selected documents.")
            return
        for local_id in self.selected_ids():
            self.wizard.set_document_type(local_id, code)

    # -- adding ---------------------------------------------------------------------------------

    def browse_computer(self) -> None:
        """Browse ▾ › Computer…: add one or several files from this computer."""
        paths, _filter = QFileDialog.getOpenFileNames(
            self, "Add documents from this computer", "", FILE_FILTER
        )
        self._select([self.wizard.add_document(ComputerSource(Path(p)), self.current_type()) for p in paths])

    def browse_clio(self) -> None:
        """Browse ▾ › Clio…: the Clio pop-up first when not connected, then the file-selection window."""
        if self.clio is not None:
            self.clio.ensure_connected(self, self.open_clio_browser)

    def open_clio_browser(self, client: ClioClient) -> None:
        """The Clio file-selection window, beside the wizard and not blocking it: documents can be
        dragged from it onto the list while it stays open (Upload File adds and closes it)."""
        from app.views.clio_browser import ClioBrowser

        assert self.clio is not None
        if self.clio_browser is not None and shiboken6.isValid(self.clio_browser):
            self.clio_browser.raise_()
            self.clio_browser.activateWindow()
            return
        browser = ClioBrowser(
            client,
            self.runner,
            self.settings,
            self.clio.account_label,
            self,
            on_matter_order=self.on_matter_order,
        )
        browser.follow_account(self.clio)
        browser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        browser.setWindowModality(Qt.WindowModality.NonModal)
        browser.sig_documents_chosen.connect(self.add_picks)
        browser.finished.connect(lambda _result: setattr(self, "clio_browser", None))
        self.clio_browser = browser
        place_beside(browser, self.window())
        browser.show()

    def add_picks(self, picks: list[ClioPick]) -> None:
        """Add documents chosen in the Clio window, with the picker's type."""
        self._select([self.wizard.add_document(source_of(p), self.current_type()) for p in picks])

    def _select(self, local_ids: list[str]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        first = True
        for row in range(self.model.rowCount()):
            if self.model.document(row).local_id in local_ids:
                index = self.model.index(row, 0)
                if first:  # the detail line follows the first of them
                    selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
                    first = False
                selection.select(
                    index, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
                )

    # -- rows -----------------------------------------------------------------------------------

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [str(self.model.index(r, 0).data(LOCAL_ID_ROLE)) for r in rows]

    def remove_selected(self) -> None:
        """Remove the selected documents; the last one can be put back with Undo."""
        for local_id in self.selected_ids():
            doc = self.wizard.remove_document(local_id)
            self.notices.show_notice(
                "", f"Removed “{doc.display_name}”.", Level.INFO, [Action("Undo", self.undo_remove)]
            )

    def undo_remove(self) -> None:
        try:
            local_id = self.wizard.undo_remove()
        except NotAllowed as refused:
            self.problem.show_text(refused.message)
            return
        if local_id is not None:
            self._select([local_id])

    def retry_selected(self) -> None:
        for local_id in self.selected_ids():
            if self.wizard.document(local_id).status is DocumentStatus.ERROR:
                self.submission.retry(local_id)

    def make_selected_searchable(self) -> None:
        """Make Searchable: OCR on each selected ready, scanned PDF (progress on its row)."""
        for local_id in self.selected_ids():
            self.submission.make_searchable(local_id)

    def _move(self, step: int) -> None:
        ids = self.selected_ids()
        if len(ids) != 1:
            return
        try:
            (self.wizard.move_up if step < 0 else self.wizard.move_down)(ids[0])
        except NotAllowed as refused:
            self.model.show_refusal(ids[0], refused.message)
        self._select(ids)

    def _update_buttons(self, *_args: object) -> None:
        ids = self.selected_ids()
        self.remove.setEnabled(bool(ids))
        self.up.setEnabled(len(ids) == 1)
        self.down.setEnabled(len(ids) == 1)
        self.apply_type.setEnabled(bool(ids))
        self.retry.setEnabled(
            any(self.wizard.document(i).status is DocumentStatus.ERROR for i in ids if self._has(i))
        )
        self.searchable.setEnabled(any(self.submission.can_make_searchable(i) for i in ids if self._has(i)))

    def _has(self, local_id: str) -> bool:
        return any(d.local_id == local_id for d in self.wizard.draft.documents)

    # -- validation -----------------------------------------------------------------------------

    def show_problems(self, problems: Problems) -> None:
        """What stops Next, in words under the list: the list's own problem, else the first
        document's (its row is selected and scrolled to, its full message on the detail line).
        Until the step passes, the message follows the list as it changes."""
        self._checking = bool(problems)
        self._show(problems, select=True)

    def _show(self, problems: Problems, *, select: bool) -> None:
        self.model.set_problems(problems)
        rows = [
            (row, problems[key])
            for row in range(self.model.rowCount())
            if (key := f"documents.{self.model.document(row).local_id}") in problems
        ]
        message = problems.get("documents", "")
        if not message and rows:
            first = self.model.document(rows[0][0])
            others = len(rows) - 1
            more = {0: "", 1: " (1 more document needs attention.)"}.get(
                others, f" ({others} more documents need attention.)"
            )
            message = f"{_naming(first.display_name, rows[0][1])}{more}"
        self.problem.show_text(message)
        if select and rows:
            row = rows[0][0]
            self.table.selectRow(row)
            self.table.setCurrentIndex(self.model.index(row, Column.NAME))
            self.table.scrollTo(self.model.index(row, Column.NAME))
        self._update_detail()

    def _recheck(self, *_args: object) -> None:
        """After a refused Next: say what is true now (a message that no longer holds goes)."""
        if not self._checking or self._rechecking or not self.isVisible():
            return
        self._rechecking = True  # showing the problems changes the rows, which would come back here
        try:
            problems = self.wizard.validate(Step.DOCUMENTS)
            self._checking = bool(problems)
            self._show(problems, select=False)
        finally:
            self._rechecking = False

    def _update_detail(self, *_args: object) -> None:
        """The current document's status in full (errors, the step's problems, warnings)."""
        current = self.table.currentIndex()
        selected = self.table.selectionModel().selectedRows()
        row = current.row() if current.isValid() else min((i.row() for i in selected), default=-1)
        text = self.model.details(row) if 0 <= row < self.model.rowCount() else ""
        text = _naming(self.model.document(row).display_name, text) if text else ""
        self.detail.setText(text)
        # Shown unless the message under the list says the same already.
        self.detail.setVisible(bool(text) and not self.problem.text().startswith(text))

    def entered(self) -> None:
        self.refresh_types()
        self.clio_action.setVisible(self.clio is not None and self.clio.enabled)
