"""Settings › Clio: the calendar hearing dates go on, chosen from the Clio calendars the connected
user may write to (their own, colleagues' they may edit, the firm's).

"My own calendar" (stored as 0) means whoever connected Clio on this computer. Nothing is saved
here: the Settings dialog saves the choice with its other fields on OK, with the calendar's name so
it reads the same while Clio is not connected.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QGroupBox, QLabel, QVBoxLayout, QWidget

from app import config
from app.config import Config
from app.services.clio.calendar_records import Calendar
from app.services.errors import ServiceError
from app.views.clio_access import ClioAccess
from app.views.tasks import TaskRunner

OWN = "My own calendar (whoever connected Clio here)"
KINDS = {"UserCalendar": "person", "AccountCalendar": "firm", "AdhocCalendar": "shared"}


class HearingCalendarBox(QGroupBox):
    """One choice: the calendar hearing dates go on."""

    def __init__(
        self, settings: Config, clio: ClioAccess, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__("Calendar for hearing dates", parent)
        self._settings = settings
        self._clio = clio
        self._runner = runner
        self.calendars: list[Calendar] | None = None
        self.combo = QComboBox()
        self.combo.setObjectName(config.HEARINGS_CALENDAR.key)
        self.combo.setAccessibleName("Clio calendar for hearing dates")
        self.combo.setToolTip(config.HEARINGS_CALENDAR.help)
        self.note = QLabel()
        self.note.setObjectName("panelMessage")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.combo)
        layout.addWidget(self.note)
        self.restore(from_defaults=False)
        clio.sig_changed.connect(self.load)
        self.load()

    def restore(self, *, from_defaults: bool) -> None:
        """Show the saved choice (or the default: the user's own calendar)."""
        chosen = 0 if from_defaults else self._settings.get(config.HEARINGS_CALENDAR)
        name = "" if from_defaults else self._settings.get(config.HEARINGS_CALENDAR_NAME)
        self._fill(self.calendars or [], chosen, name)

    def value(self) -> tuple[int, str]:
        """The chosen calendar's id (0: the user's own) and name."""
        ident = self.combo.currentData()
        chosen = int(ident) if isinstance(ident, int) else 0
        return chosen, "" if chosen == 0 else self.combo.currentText()

    def _fill(self, calendars: list[Calendar], chosen: int, name: str) -> None:
        self.combo.clear()
        self.combo.addItem(OWN, 0)
        for calendar in calendars:
            kind = KINDS.get(calendar.type)
            self.combo.addItem(f"{calendar.name} ({kind})" if kind else calendar.name, calendar.id)
        if chosen and self.combo.findData(chosen) < 0:
            self.combo.addItem(name or f"Calendar {chosen}", chosen)  # saved, not (yet) listed
        self.combo.setCurrentIndex(max(0, self.combo.findData(chosen)))

    def load(self) -> None:
        """Read the calendars the connected user may write to."""
        client = self._clio.client if self._clio.connected else None
        if client is None:
            self.calendars = None
            self.note.setText("Connect to Clio to choose from the firm's calendars.")
            return
        self.note.setText("Reading the calendars from Clio…")
        self._runner.run(self, client.calendars(), on_success=self._got, on_error=self._failed, key="load")

    def _got(self, calendars: list[Calendar]) -> None:
        chosen, name = self.value()
        self.calendars = calendars
        self._fill(calendars, chosen, name)
        if chosen and not any(c.id == chosen for c in calendars):
            self.note.setText(
                f"“{name}” is not among the Clio calendars you may write to any more; choose another."
            )
        else:
            self.note.setText("")

    def _failed(self, error: ServiceError) -> bool:
        self.note.setText(f"Could not read the calendars from Clio: {error.user_message}")
        return True
