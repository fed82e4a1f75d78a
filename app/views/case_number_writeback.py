"""The offer on a decision's notice to write the court's new case number back into the Clio matter.

When the court accepts a new case and gives it a number, and the order's Clio matter is known and
Settings names the matter's case-number field, the notice gets "Write case number into Clio": it
connects to Clio if needed, writes the number (PATCH of the matter's custom field value) and says
what it did, or why not, in the window's notification area.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from app import config
from app.config import Config
from app.services.clio.matter_details import write_case_number
from app.services.errors import ServiceError
from app.views.notify import Action, Level
from app.views.tasks import TaskRunner

if TYPE_CHECKING:
    from app.services.clio.api import ClioClient
    from app.services.returns.notices import Announcement
    from app.views.clio_access import ClioAccess

Tell = Callable[[str, str, Level], object]


def writeback_actions(
    announcement: Announcement,
    *,
    owner: QWidget,
    clio: ClioAccess | None,
    settings: Config,
    runner: TaskRunner,
    tell: Tell,
) -> list[Action]:
    """The write-back action for `announcement`, when it offers one (else none)."""
    field_id = settings.get(config.CLIO_CASE_NUMBER_FIELD)
    number, matter_id = announcement.new_case_number, announcement.matter_id
    if not number or matter_id is None or not field_id or clio is None or not clio.enabled:
        return []
    where = announcement.matter_label or f"matter {matter_id}"

    def failed(error: ServiceError) -> bool:
        tell(f"Case number {number} was not written into Clio › {where}.", error.user_message, Level.ERROR)
        return True

    def written(said: str) -> None:
        tell(said, "", Level.SUCCESS)

    def write(client: ClioClient) -> None:
        runner.run(
            owner,
            write_case_number(client, matter_id, field_id, number),
            on_success=written,
            on_error=failed,
        )

    return [Action("Write case number into Clio", lambda: clio.ensure_connected(owner, write))]
