"""What the user is told about hearings: entered into Clio's calendar (naming the date), moved, or
refused (naming the order and why). Announced through the decision notices' hub, so the tray, the
window's notice area and the terminal of `legalconnect sync` show them like the other notices."""

from __future__ import annotations

from collections.abc import Callable

from app.services.calendar.scheduler import (
    HearingEntered,
    HearingEvent,
    HearingRefused,
    HearingScheduler,
    when_words,
)
from app.services.events import EventHub
from app.services.returns.notices import Announcement, Offer, Tone


def announcement(event: HearingEvent) -> Announcement | None:
    """The notice for a scheduler event (None: not one to announce)."""
    if isinstance(event, HearingEntered):
        order = event.order
        hearing = order.hearing
        what = hearing.motion if hearing is not None and hearing.motion else "Hearing"
        title = "Hearing moved in Clio's calendar" if event.moved else "Hearing added to Clio's calendar"
        where = f" — {event.location}" if event.location else ""
        about = f"Order {order.display_number}, {what} ({order.case_title})"
        return Announcement(
            title,
            f"{about}: {when_words(event.starts_at)}{where}",
            Tone.SUCCESS,
            order.id,
            Offer.OPEN_ORDER,
        )
    if isinstance(event, HearingRefused):
        return Announcement(
            "Hearing not added to Clio's calendar",
            f"Order {event.order.display_number} ({event.order.case_title}): {event.reason}. "
            "Add it in Clio by hand if the court confirms it.",
            Tone.WARNING,
            event.order.id,
            Offer.OPEN_ORDER,
        )
    return None


def announce_hearings(scheduler: HearingScheduler, hub: EventHub[Announcement]) -> Callable[[], None]:
    """Announce the scheduler's hearings on `hub`; returns the unsubscriber."""

    def forward(event: HearingEvent) -> None:
        notice = announcement(event)
        if notice is not None:
            hub.emit(notice)

    return scheduler.events.subscribe(forward)
