"""What the order wizard and its submission service tell the screen, as plain event objects.

One `EventHub` (`app.services.events`) per wizard; a Qt adapter subscribes once and turns each
event into a signal. Events are delivered synchronously, in order, on the thread that made the
change (the GUI thread).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass

from app.services.events import EventHub
from app.services.legalconnect.records import Order
from app.services.wizard.draft import DraftDocument

log = logging.getLogger(__name__)


class Step(enum.StrEnum):
    CASE = "case"
    PARTIES = "parties"
    DOCUMENTS = "documents"
    FEES = "fees"
    REVIEW = "review"

    @property
    def label(self) -> str:
        return "Review & Submit" if self is Step.REVIEW else self.value.capitalize()


@dataclass(frozen=True)
class StepChanged:
    step: Step


@dataclass(frozen=True)
class DraftChanged:
    """A case, party, Clio or fee field changed (`field` is the draft attribute's name)."""

    field: str


@dataclass(frozen=True)
class DocumentAdded:
    local_id: str
    index: int


@dataclass(frozen=True)
class DocumentRemoved:
    """The row at `index` is gone; `document` is kept so the screen can offer Undo."""

    document: DraftDocument
    index: int


@dataclass(frozen=True)
class DocumentChanged:
    """Type, name, role, status, progress or facts of one row changed."""

    local_id: str


@dataclass(frozen=True)
class DocumentsReordered:
    order: tuple[str, ...]


@dataclass(frozen=True)
class OrderSynced:
    """The Service Provider's draft order now matches the wizard's draft."""

    order_id: int


@dataclass(frozen=True)
class OrderSubmitted:
    order: Order


@dataclass(frozen=True)
class ServiceProblem:
    """Background work with the Service Provider failed; `message` is for the user."""

    message: str


WizardEvent = (
    StepChanged
    | DraftChanged
    | DocumentAdded
    | DocumentRemoved
    | DocumentChanged
    | DocumentsReordered
    | OrderSynced
    | OrderSubmitted
    | ServiceProblem
)
Listener = Callable[[WizardEvent], None]
WizardEvents = EventHub[WizardEvent]
