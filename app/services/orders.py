"""The firm's orders: shown from the local cache at once, then brought up to date incrementally.

`refresh` asks only for orders changed since the last sync (the server's own clock marks the
point), merges them into the SQLite cache and returns the whole list, so start-up and offline use
show the last known state instantly and a refresh costs one small request when nothing changed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.services.filenames import safe_filename
from app.services.legalconnect.records import Deliverable, Order, OrderFeeLine, ProtocolError
from app.services.store import CachedOrder, Store

if TYPE_CHECKING:
    from app.services.filesave import Progress
    from app.services.legalconnect.client import LegalConnectClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OrdersRefresh:
    """What one refresh learned."""

    orders: list[Order]
    """Every order, newest first."""
    changed: list[Order]
    """The orders the provider reported changed since the last refresh (all of them the first time)."""
    before: dict[int, Order]
    """The cached version of each changed order from before this refresh (absent: new to this cache)."""
    first: bool
    """The first refresh into an empty cache: nothing "changed", it was only never seen."""


def _cached(order: Order) -> CachedOrder:
    return CachedOrder(
        id=str(order.id),
        order_number=order.order_number or "",
        status=order.status.value,
        case_title=order.case_title,
        court=order.court_name,
        submitted_at=order.submitted_at,
        updated_at=order.updated_at,
        clio_matter=order.clio.matter_display_number if order.clio else None,
        document_count=order.document_count,
        payload=order.raw,
    )


def cached_orders(store: Store) -> list[Order]:
    """The orders as last seen, newest first, from the local cache alone (what the window shows
    before anything else is loaded)."""
    orders = []
    for row in store.cached_orders():
        try:
            orders.append(Order.from_json(dict(row.payload)))
        except (ProtocolError, KeyError, TypeError, ValueError):
            log.info("dropping unreadable cached order %s", row.id)
    return orders


class OrdersService:
    """Orders, their documents and what the court returned, for the signed-in firm."""

    def __init__(self, client: LegalConnectClient, store: Store, viewing_dir: Path) -> None:
        """`viewing_dir`: where returned documents are kept for opening with the system viewer."""
        self.client = client
        self.store = store
        self.viewing_dir = viewing_dir

    def cached(self) -> list[Order]:
        """The orders as last seen, newest first, without touching the network."""
        return cached_orders(self.store)

    async def refresh(self) -> list[Order]:
        """Fetch what changed since the last sync, store it, return every order (newest first)."""
        return (await self.refresh_changes()).orders

    async def refresh_changes(self) -> OrdersRefresh:
        """Like `refresh`, and say what changed (the sync engine tells decisions apart with it)."""
        cursor = self.store.get_sync_cursor()
        since = dt.datetime.fromisoformat(cursor) if cursor else None
        changed, server_time = await self.client.changed_orders(since)
        before: dict[int, Order] = {}
        if changed:
            ids = {o.id for o in changed}
            before = {o.id: o for o in self.cached() if o.id in ids}
            self.store.save_orders(_cached(o) for o in changed)
        self.store.set_sync_cursor(server_time.isoformat())
        return OrdersRefresh(self.cached(), changed, before, first=cursor is None)

    @property
    def last_sync(self) -> str | None:
        """When the orders were last brought up to date (the server's ISO time), or None if never."""
        return self.store.get_sync_cursor()

    async def order(self, order_id: int) -> Order:
        """The order as it is now (and the cache updated with it)."""
        order = await self.client.order(order_id)
        self.store.save_orders([_cached(order)])
        return order

    async def deliverables(self, order_id: int) -> list[Deliverable]:
        return await self.client.deliverables(order_id)

    async def fee_lines(self, order_id: int) -> list[OrderFeeLine]:
        """A decided order's itemised fees and each one's Clio expense record."""
        return await self.client.fee_lines(order_id)

    async def save_deliverable(
        self, deliverable: Deliverable, destination: Path, progress: Progress | None = None
    ) -> Path:
        """Save a returned document where the user chose (verified, never half-written)."""
        return await self.client.download_deliverable(deliverable, destination, progress)

    async def viewing_copy(self, deliverable: Deliverable, progress: Progress | None = None) -> Path:
        """A local copy to open with the system viewer; downloaded once, then reused."""
        folder = self.viewing_dir / safe_filename(deliverable.order_number or str(deliverable.order_id))
        path = folder / safe_filename(f"{deliverable.id}-{deliverable.name}")
        if path.exists() and path.stat().st_size == deliverable.size_bytes:
            return path
        return await self.client.download_deliverable(deliverable, path, progress)

    def forget(self) -> None:
        """Drop the cached orders (sign-out, or another account)."""
        self.store.clear_cache()
