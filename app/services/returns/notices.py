"""What the user is told when the court decides, and when returned documents reach (or wait for) Clio.

`DecisionNotices` listens to the sync engine (an order decided) and the returns filer (documents
filed, a run finished) and announces, once per event, in words a paralegal reads at a glance:
"Order 2417108 Partially Accepted — 3 documents filed into Clio › 00002-Brightline". A decision is
announced after the filing run that follows it, so the message says where the documents went (or
why they wait). Late documents (a signed order after the order closed) get their own notice. The
settings decide which are announced. Faces show `Announcement`s: the window's notifier (the tray
where one exists, the in-window area otherwise), the terminal of `legalconnect sync`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from app import config
from app.config import Config
from app.services.events import EventHub
from app.services.legalconnect.records import Order, OrderStatus
from app.services.returns.filer import OrderFiled, ReturnsEvent, ReturnsFiler, RunFinished
from app.services.returns.status import Blocker
from app.services.sync.engine import SyncEngine
from app.services.sync.events import DocumentsArrived, OrderDecided, SyncEvent


class Tone(enum.StrEnum):
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


class Offer(enum.StrEnum):
    """The action an announcement offers."""

    OPEN_ORDER = "open_order"
    CONNECT_CLIO = "connect_clio"


@dataclass(frozen=True)
class Announcement:
    """One notification: clicking it (or its button) does `offer` (for `order_id` when it names one)."""

    title: str
    message: str
    tone: Tone
    order_id: int | None
    offer: Offer
    new_case_number: str = ""
    """The number the court gave a new case it accepted, when its Clio matter is known (the window
    offers to write it into the matter's case-number field)."""
    matter_id: int | None = None
    matter_label: str = ""


def _documents(count: int) -> str:
    return f"{count} document{'s' if count != 1 else ''}"


class DecisionNotices:
    """Announces decisions and filings (see the module docstring)."""

    def __init__(self, engine: SyncEngine, filer: ReturnsFiler, settings: Config) -> None:
        self._filer = filer
        self._settings = settings
        self.events: EventHub[Announcement] = EventHub()
        self._decided: dict[int, Order] = {}
        self._arrived: dict[int, tuple[Order, int]] = {}
        self._filed: dict[int, tuple[int, str]] = {}
        self._waiting_for_clio = 0
        engine.events.subscribe(self._engine_event)
        filer.events.subscribe(self._filer_event)

    def _engine_event(self, event: SyncEvent) -> None:
        if isinstance(event, OrderDecided):
            self._decided[event.order.id] = event.order
        elif isinstance(event, DocumentsArrived):
            _order, earlier = self._arrived.get(event.order.id, (event.order, 0))
            self._arrived[event.order.id] = (event.order, earlier + event.count)

    def _filer_event(self, event: ReturnsEvent) -> None:
        if isinstance(event, OrderFiled):
            count, _path = self._filed.get(event.order.id, (0, ""))
            self._filed[event.order.id] = (count + event.count, event.path)
        elif isinstance(event, RunFinished):
            self._run_finished(event)

    def _run_finished(self, event: RunFinished) -> None:
        decided, self._decided = self._decided, {}
        arrived, self._arrived = self._arrived, {}
        filed, self._filed = self._filed, {}
        if self._settings.get(config.NOTIFY_DECISIONS):
            for order in decided.values():
                self.events.emit(self._decision(order, filed.get(order.id)))
        if self._settings.get(config.NOTIFY_LATE_DOCUMENTS):
            for order, count in arrived.values():
                if order.id not in decided:
                    self.events.emit(self._late(order, count, filed.get(order.id)))
        if event.waiting_for_clio and event.waiting_for_clio != self._waiting_for_clio:
            self.events.emit(
                Announcement(
                    "Returned documents are waiting for Clio.",
                    f"{_documents(event.waiting_for_clio)} will be filed into Clio once you connect.",
                    Tone.WARNING,
                    None,
                    Offer.CONNECT_CLIO,
                )
            )
        self._waiting_for_clio = event.waiting_for_clio

    def _decision(self, order: Order, filed: tuple[int, str] | None) -> Announcement:
        title = f"Order {order.display_number} {order.status.label}"
        tone = Tone.SUCCESS if order.status is OrderStatus.ACCEPTED else Tone.WARNING
        summary = self._filer.order_filing(order)
        where = order.clio.matter_display_number if order.clio else ""
        if filed is not None and summary.waiting == 0 and summary.failed == 0:
            outcome = f"{_documents(summary.total)} filed into Clio › {where}"
        elif not self._filer.offered or summary.total == 0:
            outcome = f"{_documents(order.deliverable_count)} returned" if order.deliverable_count else ""
        elif summary.blocker is Blocker.NO_MATTER:
            outcome = f"{_documents(summary.total)} returned — choose the Clio matter to file them"
        elif summary.blocker is Blocker.NOT_CONNECTED:
            outcome = f"{_documents(summary.total)} returned — waiting for Clio; connect to file them"
        elif summary.blocker in (Blocker.MATTER_CLOSED, Blocker.MATTER_GONE):
            outcome = (
                f"{_documents(summary.total)} returned — the Clio matter can't take them; choose another"
            )
        elif summary.failed:
            outcome = (
                f"{_documents(summary.filed)} filed into Clio › {where}; {summary.failed} not yet "
                "(retried on its own)"
            )
        else:
            outcome = f"{_documents(summary.filed)} of {summary.total} filed into Clio › {where} so far"
        message = " — ".join(p for p in (order.case_title, outcome) if p)
        if order.new_case and order.case_number and order.clio and order.status is not OrderStatus.REJECTED:
            number, clio = order.case_number, order.clio
            return Announcement(
                title,
                message,
                tone,
                order.id,
                Offer.OPEN_ORDER,
                number,
                clio.matter_id,
                clio.matter_display_number,
            )
        return Announcement(title, message, tone, order.id, Offer.OPEN_ORDER)

    def _late(self, order: Order, count: int, filed: tuple[int, str] | None) -> Announcement:
        summary = self._filer.order_filing(order)
        if filed is not None and summary.waiting == 0 and summary.failed == 0:
            outcome = f"filed into Clio › {filed[1]}"
        elif not self._filer.offered:
            outcome = "see the order's Deliverables"
        else:
            outcome = "not in Clio yet — see the order's Deliverables"
        return Announcement(
            f"New document for Order {order.display_number}",
            f"The court sent {_documents(count)} more ({order.case_title}); {outcome}",
            Tone.INFO,
            order.id,
            Offer.OPEN_ORDER,
        )
