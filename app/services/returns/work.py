"""The returns filer's work: one order's returned documents claimed, found or uploaded into Clio,
and acknowledged (steps 1-5 of `app.services.returns.filer`), each step journalled first.

Loaded with the first filing run, not with the window: the first screen shows the journal's
figures (the filer's face) and needs none of this.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from app.config import Config
from app.paths import TEMP_PREFIX
from app.services import errors
from app.services.clio.tokens import ClioConnectionEnded
from app.services.legalconnect.client import LegalConnectClient
from app.services.legalconnect.filing import AlreadyClaimed, AlreadyFiled
from app.services.legalconnect.records import Claim, Deliverable, Order
from app.services.returns.filer import FilerState, FilingChanged, OrderFiled
from app.services.returns.folders import DOCUMENT_KEY, OrderKeys, OrderPlace, ReturnFolders
from app.services.returns.naming import Names
from app.services.returns.status import Blocker
from app.services.store import Store
from app.services.store_journal import ReturnStep

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.services.clio.api import ClioClient, UploadTarget
    from app.services.clio.records import Document, Matter

log = logging.getLogger(__name__)

URL_RESTARTS = 2
"""How many times an upload whose signed link expired starts a new version before giving up."""


class OrderWork:
    """Files orders' returned documents for the filer, sharing its `FilerState`."""

    def __init__(
        self,
        state: FilerState,
        legalconnect: LegalConnectClient,
        store: Store,
        settings: Config,
        *,
        temp_dir: Path,
        provider_name: Callable[[], str],
        lease_seconds: int,
    ) -> None:
        self._state = state
        self._lc = legalconnect
        self._store = store
        self._journal = store.journal
        self._settings = settings
        self._temp_dir = temp_dir
        self._provider_name = provider_name
        self._lease = lease_seconds
        self._folders = ReturnFolders(store)
        """Folders found once are remembered (here for the process, in the store across starts)."""

    async def file_order_or_note(self, client: ClioClient, order: Order) -> None:
        """File an order's returns; a failure that is the order's (its list of returned documents,
        its matter, its folders) is noted on it and tried again next run, and the run goes on."""
        try:
            await self._file_order(client, order)
        except (ClioConnectionEnded, errors.RateLimited):
            raise
        except errors.ServiceError as error:
            log.info("returns of order %s not filed now: %s", order.id, error)
            self._state.order_errors[order.id] = error.user_message
            self._state.events.emit(FilingChanged(order.id))
        else:
            if self._state.order_errors.pop(order.id, None) is not None:
                self._state.events.emit(FilingChanged(order.id))

    async def _file_order(self, client: ClioClient, order: Order) -> None:
        assert order.clio is not None
        deliverables = await self._lc.deliverables(order.id)
        pending: list[Deliverable] = []
        for deliverable in deliverables:
            state = self._journal.return_state(str(deliverable.id))
            if state is not None and state.step.final:
                continue
            if deliverable.clio_filing.filed and (state is None or state.step is ReturnStep.SEEN):
                # Filed by another workstation before this one even started on it: nothing to do.
                self._journal.record_return_step(
                    str(deliverable.id),
                    str(order.id),
                    ReturnStep.FILED_ELSEWHERE,
                    clio_document_id=deliverable.clio_filing.clio_id,
                )
                self._state.events.emit(FilingChanged(order.id))
                continue
            pending.append(deliverable)
        if not pending:
            return
        matter = await self._matter(client, order)
        if matter is None:
            return
        names = Names(self._settings, self._provider_name())
        keys = OrderKeys(urlsplit(self._lc.api_url).hostname or "provider")
        place = await self._folders.place(
            client,
            matter,
            keys.order(order.order_number or str(order.id)),
            names.returns_folder(),
            names.order_folder(order),
        )
        self._state.places[order.id] = place
        filed = 0
        for deliverable in pending:
            if await self._file_one(client, order, deliverable, place, names, keys):
                filed += 1
        if filed:
            self._state.events.emit(OrderFiled(order, filed, place.path))

    async def _matter(self, client: ClioClient, order: Order) -> Matter | None:
        assert order.clio is not None
        try:
            matter = await client.matter(order.clio.matter_id, priority="background")
        except errors.NotFound:
            self._state.block(order, Blocker.MATTER_GONE)
            return None
        if matter.status.lower() == "closed":
            self._state.block(order, Blocker.MATTER_CLOSED)
            return None
        self._state.unblock(order)
        return matter

    async def _file_one(
        self,
        client: ClioClient,
        order: Order,
        deliverable: Deliverable,
        place: OrderPlace,
        names: Names,
        keys: OrderKeys,
    ) -> bool:
        """File one returned document; True when this call filed it. Failures are journalled."""
        did, oid = str(deliverable.id), str(order.id)
        try:
            claim = await self._lc.claim_deliverable(
                order.id, deliverable.id, self._store.workstation_id(), self._lease
            )
        except AlreadyFiled as filed:
            state = self._journal.return_state(did)
            mine = state is not None and state.clio_document_id == filed.clio_id
            step = ReturnStep.ACKNOWLEDGED if mine else ReturnStep.FILED_ELSEWHERE
            self._journal.record_return_step(did, oid, step, clio_document_id=filed.clio_id)
            self._state.events.emit(FilingChanged(order.id))
            return False
        except AlreadyClaimed as claimed:
            self._state.elsewhere[deliverable.id] = str(claimed.details.get("workstation_id") or "another")
            self._state.events.emit(FilingChanged(order.id))
            return False
        self._state.elsewhere.pop(deliverable.id, None)
        self._state.filing.add(deliverable.id)
        self._state.events.emit(FilingChanged(order.id))
        temp = self._temp_dir / f"{TEMP_PREFIX}return-{deliverable.id}.pdf"
        try:
            state = self._journal.return_state(did)
            # Where it goes (kept with the journal for "Show in Clio"); the step stays where it was.
            self._journal.record_return_step(
                did,
                oid,
                state.step if state else ReturnStep.SEEN,
                matter_id=place.matter_id,
                returns_folder_id=place.returns_folder_id,
                clio_folder_id=place.order_folder_id,
                clio_path=place.path,
            )
            return await self._file_claimed(client, order, deliverable, claim, names, keys, temp, place)
        except (ClioConnectionEnded, errors.RateLimited):
            await self._release(claim)
            raise
        except errors.ServiceError as error:
            log.info("returned document %s not filed now: %s", deliverable.id, error)
            if isinstance(error, errors.NotFound):
                self._folders.forget(place)  # the folder may be gone: look again next time
                self._state.places.pop(order.id, None)
            self._journal.record_return_error(did, oid, error.user_message)
            await self._release(claim)
            return False
        finally:
            self._state.filing.discard(deliverable.id)
            temp.unlink(missing_ok=True)
            self._state.events.emit(FilingChanged(order.id))

    async def _file_claimed(
        self,
        client: ClioClient,
        order: Order,
        deliverable: Deliverable,
        claim: Claim,
        names: Names,
        keys: OrderKeys,
        temp: Path,
        place: OrderPlace,
    ) -> bool:
        did, oid = str(deliverable.id), str(order.id)
        state = self._journal.return_state(did)
        if state is not None and state.step is ReturnStep.MARKED_UPLOADED and state.clio_document_id:
            await self._acknowledge(claim, state.clio_document_id, did, oid, ReturnStep.ACKNOWLEDGED)
            return True
        key = keys.document(deliverable.id)
        found = await client.find_documents_by_key(DOCUMENT_KEY, key, priority="background")
        live = [d for d in found if not d.deleted]
        complete = next((d for d in live if d.fully_uploaded), None)
        if complete is not None:
            await self._acknowledge(claim, complete.id, did, oid, ReturnStep.ACKNOWLEDGED, complete.name)
            return True
        if found and not live:
            # Filed earlier, then deleted by someone in Clio: that decision stands.
            await self._acknowledge(claim, found[0].id, did, oid, ReturnStep.DELETED_IN_CLIO)
            return False
        await self._lc.download_deliverable(deliverable, temp)
        self._journal.record_return_step(did, oid, ReturnStep.DOWNLOADED)
        name = names.document(order, deliverable)
        unfinished: Document | None = live[0] if live else None
        target = await self._upload(client, deliverable, place, name, key, unfinished, temp, did, oid)
        self._journal.record_return_step(did, oid, ReturnStep.BYTES_STORED)
        document = await client.mark_uploaded(target.document_id, target.uuid, priority="background")
        self._journal.record_return_step(
            did, oid, ReturnStep.MARKED_UPLOADED, clio_document_id=document.id, clio_name=name
        )
        await self._acknowledge(claim, document.id, did, oid, ReturnStep.ACKNOWLEDGED, name)
        return True

    async def _upload(
        self,
        client: ClioClient,
        deliverable: Deliverable,
        place: OrderPlace,
        name: str,
        key: str,
        unfinished: Document | None,
        source: Path,
        did: str,
        oid: str,
    ) -> UploadTarget:
        """Create the document (or a new version of the unfinished one) and put its bytes there."""
        from app.services.clio.api import UploadUrlExpired

        document_id = unfinished.id if unfinished is not None else None
        for restart in range(URL_RESTARTS + 1):
            if document_id is not None:
                target = await client.start_upload(name, document_id, "Document", priority="background")
            else:
                target = await client.start_upload(
                    name,
                    place.order_folder_id,
                    "Folder",
                    external_properties={DOCUMENT_KEY: key},
                    received_at=deliverable.received_at.isoformat(),
                    priority="background",
                )
            document_id = target.document_id
            self._journal.record_return_step(
                did, oid, ReturnStep.CLIO_DOCUMENT_CREATED, clio_document_id=target.document_id
            )
            try:
                await client.put_bytes(target, source)
            except UploadUrlExpired:
                if restart == URL_RESTARTS:
                    raise
                continue
            return target
        raise AssertionError("unreachable: the last restart re-raises")  # pragma: no cover

    async def _acknowledge(
        self,
        claim: Claim,
        clio_id: int,
        did: str,
        oid: str,
        step: ReturnStep,
        name: str | None = None,
    ) -> None:
        try:
            await self._lc.acknowledge(claim.claim_id, clio_id)
        except AlreadyFiled as filed:
            if filed.clio_id != clio_id:
                step = ReturnStep.FILED_ELSEWHERE
                clio_id = filed.clio_id or clio_id
        self._journal.record_return_step(did, oid, step, clio_document_id=clio_id, clio_name=name)

    async def _release(self, claim: Claim) -> None:
        with contextlib.suppress(errors.ServiceError):
            await self._lc.release(claim.claim_id)
