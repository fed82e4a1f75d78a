"""Where an order's returned documents go in Clio: `<matter> › Returned from <provider> › Order-#######`.

The order's folder carries an external property naming the order (`lc_order`), so it is found
again wherever it is and whatever the naming settings say now; the matter's returns folder is found
by exact name among the matter folder's children (Clio's `query` is a wildcard, so names are
compared here). Both are remembered in the local store once found or made, so an order whose
folders are known costs no folder request. Nothing is ever created without looking first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.services import errors
from app.services.clio.tokens import SERVICE
from app.services.store import Store

if TYPE_CHECKING:
    from app.services.clio.api import ClioClient
    from app.services.clio.records import Folder, Matter

log = logging.getLogger(__name__)

ORDER_KEY = "lc_order"
"""External property on an order's Clio folder; its value is `OrderKeys.order`."""
DOCUMENT_KEY = "lc_rdoc"
"""External property on each returned document filed into Clio; its value is `OrderKeys.document`."""
SEPARATOR = " › "


@dataclass(frozen=True)
class OrderKeys:
    """The lookup keys of one Service Provider's items (ids are unique per provider only)."""

    provider_host: str

    def order(self, order_number: str) -> str:
        return f"{order_number}@{self.provider_host}"

    def document(self, deliverable_id: int) -> str:
        return f"{deliverable_id}@{self.provider_host}"


@dataclass(frozen=True)
class OrderPlace:
    """An order's folder in Clio, and how to show and reach it."""

    matter_id: int
    order_folder_id: int
    returns_folder_id: int | None
    path: str
    """ "00002-Brightline › Returned from Pacific Crest Legal Services › Order-2417108"."""


class ReturnFolders:
    """Finds or makes the returns folders (see the module docstring)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def forget(self, place: OrderPlace) -> None:
        """The folders were not where remembered (deleted or moved in Clio): look again next time."""
        self._store.forget_clio_folder(place.order_folder_id)
        if place.returns_folder_id is not None:
            self._store.forget_clio_folder(place.returns_folder_id)

    async def place(
        self, client: ClioClient, matter: Matter, order_key: str, returns_name: str, order_name: str
    ) -> OrderPlace:
        """The order's folder in `matter`, found or made (at most a lookup and a create per folder)."""
        returns_id = self._store.clio_folder(matter.id, "returns", returns_name)
        order_id = self._store.clio_folder(matter.id, "order", order_key)
        if order_id is not None:
            return self._place(matter, order_id, returns_id, returns_name, order_name)
        found = await self._by_key(client, order_key)
        if found is not None:
            self._store.remember_clio_folder(matter.id, "order", order_key, found.id)
            parent = found.parent_id if found.parent_id is not None else returns_id
            return self._place(matter, found.id, parent, returns_name, found.name)
        if returns_id is None:
            returns_id = await self._returns_folder(client, matter, returns_name)
        folder = await self._create_order_folder(client, returns_id, order_key, order_name)
        self._store.remember_clio_folder(matter.id, "order", order_key, folder.id)
        return self._place(matter, folder.id, returns_id, returns_name, folder.name)

    def _place(
        self, matter: Matter, order_id: int, returns_id: int | None, returns_name: str, order_name: str
    ) -> OrderPlace:
        path = SEPARATOR.join(p for p in (matter.display_number, returns_name, order_name) if p)
        return OrderPlace(matter.id, order_id, returns_id, path)

    async def _by_key(self, client: ClioClient, order_key: str) -> Folder | None:
        found = await client.find_folders_by_key(ORDER_KEY, order_key, priority="background")
        return min(found, key=lambda f: f.id) if found else None

    async def _returns_folder(self, client: ClioClient, matter: Matter, name: str) -> int:
        if matter.folder_id is None:
            raise errors.ServiceError(
                SERVICE,
                f"Clio matter {matter.display_number} has no documents folder to file into.",
                "matter without folder",
            )
        folder = await client.find_folder(name, matter.folder_id, priority="background")
        if folder is None:
            try:
                folder = await client.create_folder(name, matter.folder_id, priority="background")
            except errors.BadRequest:
                # Made meanwhile by another workstation (Clio refused the same name twice).
                folder = await client.find_folder(name, matter.folder_id, priority="background")
                if folder is None:
                    raise
        self._store.remember_clio_folder(matter.id, "returns", name, folder.id)
        return folder.id

    async def _create_order_folder(
        self, client: ClioClient, returns_id: int, order_key: str, name: str
    ) -> Folder:
        try:
            made = await client.create_folder(
                name, returns_id, external_properties={ORDER_KEY: order_key}, priority="background"
            )
        except errors.BadRequest:
            # Another workstation made it between our lookup and our create.
            found = await self._by_key(client, order_key)
            if found is None:
                raise
            return found
        # Two workstations may each have made one: both settle on the oldest, so documents meet.
        oldest = await self._by_key(client, order_key)
        if oldest is not None and oldest.id != made.id:
            log.info("order folder %s made twice; using the older one", order_key)
            return oldest
        return made
