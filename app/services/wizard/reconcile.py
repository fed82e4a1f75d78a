"""Draft orders this workstation created at the Service Provider and lost track of.

Every draft order is created with an Idempotency-Key naming this workstation and the local draft
(`order_key`): a lost answer is retried and answers the same order. What can still go astray — a
crash between the provider creating the order and the draft recording its number, a draft
discarded while offline, a Submit the provider took just before the app stopped — is settled
here once per run, after the first refresh: a draft order whose key names a local draft with no
order yet is adopted by it; one whose draft no longer exists here is deleted; a local draft whose
order the provider already took is dropped (the order is in the list with its number). Orders
of other workstations, and any made in the last `GRACE` (a wizard may be creating one right
now), are never touched.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from app.services import http
from app.services.legalconnect.client import LegalConnectClient
from app.services.legalconnect.records import Order, OrderStatus
from app.services.store import Store

log = logging.getLogger(__name__)

GRACE = dt.timedelta(minutes=10)


def order_key(workstation_id: str, draft_id: str) -> str:
    """The Idempotency-Key of a draft's order: this workstation and the local draft."""
    return f"lcd:{workstation_id}:{draft_id}"


def document_key(workstation_id: str, draft_id: str, local_id: str, part: str = "pdf") -> str:
    """The Idempotency-Key of one document of a draft (`part`: its PDF or its Word copy)."""
    return f"{order_key(workstation_id, draft_id)}:{local_id}:{part}"


@dataclass
class Reconciled:
    adopted: list[int] = field(default_factory=list)
    """Orders a local draft took up."""
    deleted: list[int] = field(default_factory=list)
    """Stray draft orders deleted at the provider."""
    dropped: list[str] = field(default_factory=list)
    """Local drafts whose order the provider had already taken (submitted before the app stopped)."""
    cleaned: list[str] = field(default_factory=list)
    """Drafts gone from this workstation whose working directories were removed."""


class DraftOrderReconciler:
    """A sync job that runs once per run of the app (see the module docstring)."""

    name = "draft orders"

    def __init__(
        self,
        client: LegalConnectClient,
        store: Store,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        remove_unused_work: Callable[[], Awaitable[list[str]]] | None = None,
    ) -> None:
        """`remove_unused_work` removes the working directories of drafts that are gone
        (`OrderDesk.remove_unused_work`); it runs after the drafts are settled."""
        self._client, self._store, self._clock = client, store, clock
        self._remove_unused_work = remove_unused_work
        self.done = False
        self.last = Reconciled()

    async def run(self, orders: Sequence[Order]) -> None:
        if self.done:
            return
        self.last = await self.reconcile(orders)
        self.done = True

    async def reconcile(self, orders: Sequence[Order]) -> Reconciled:
        result = Reconciled()
        prefix = order_key(self._store.workstation_id(), "")
        drafts = {row.id: row for row in self._store.load_drafts()}
        settled_before = self._clock() - GRACE
        for order in orders:
            if order.status is not OrderStatus.DRAFT or not order.client_key.startswith(prefix):
                continue
            draft_id = order.client_key[len(prefix) :]
            row = drafts.get(draft_id)
            draft = row.payload.get("draft") if row is not None else None
            if row is not None and isinstance(draft, dict) and draft.get("remote_order_id") is None:
                draft["remote_order_id"] = order.id  # the crash came before the draft noted its order
                self._store.save_draft(row.id, row.payload, title=row.title)
                result.adopted.append(order.id)
                log.info("draft %s adopted its order %s", draft_id, order.id)
                continue
            known = isinstance(draft, dict) and draft.get("remote_order_id") == order.id
            if known or order.created_at > settled_before:
                continue
            try:
                await self._client.delete_order(order.id)
            except http.ServiceError as exc:
                log.info("could not delete the stray draft order %s: %s", order.id, exc)
                continue
            result.deleted.append(order.id)
            log.info("deleted draft order %s: no draft on this workstation holds it", order.id)
        if result.deleted:
            self._store.forget_orders(result.deleted)
        by_id = {order.id: order for order in orders}
        for row in drafts.values():
            draft = row.payload.get("draft")
            remote_id = draft.get("remote_order_id") if isinstance(draft, dict) else None
            taken = by_id.get(remote_id) if isinstance(remote_id, int) else None
            if taken is not None and taken.status is not OrderStatus.DRAFT:
                self._store.delete_draft(row.id)  # it is an order now, in the list with its number
                result.dropped.append(row.id)
                log.info("draft %s was submitted as order %s", row.id, taken.order_number)
        if self._remove_unused_work is not None:  # a dropped draft's papers, and any a crash left
            result.cleaned = await self._remove_unused_work()
        return result
