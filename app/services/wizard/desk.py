"""The order desk: everything placing an order needs, built once by the composition root.

It loads the reference data (`Catalog`), starts a new order or restores a saved draft, and builds
each draft's `OrderSubmission` over the real intake (one document converter for the whole app,
found on first use) and whichever Clio client is current. Each draft works in a private directory
of its own under the app's temp dir. The window's launcher only asks the desk for these.

Checking and converting documents pulls in pypdf, cryptography and Pillow: they are imported when
the first submission is built, not at start-up.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app import config
from app.config import Config
from app.paths import TEMP_PREFIX
from app.services.legalconnect.client import LegalConnectClient
from app.services.legalconnect.records import Order, OrderStatus
from app.services.store import Store

if TYPE_CHECKING:
    # The order flow loads when the first order opens, not at start-up.
    from app.services.clio.api import ClioClient
    from app.services.intake import DocumentConverter
    from app.services.wizard.autosave import SavedDraft
    from app.services.wizard.flow import OrderWizard
    from app.services.wizard.rules import Catalog
    from app.services.wizard.submission import OrderSubmission


class OrderDesk:
    """Builds order wizards and their submission services (see the module docstring)."""

    def __init__(
        self,
        client: LegalConnectClient,
        store: Store,
        settings: Config,
        *,
        work_root: Path,
        clio_client: Callable[[], ClioClient | None],
        provider_name: Callable[[], str],
    ) -> None:
        """`clio_client` returns the connected Clio client at the moment it is asked (None when not
        connected); `provider_name` the Service Provider's name for messages."""
        self.client = client
        self.store = store
        self.settings = settings
        self.work_root = work_root
        self._clio_client = clio_client
        self._provider_name = provider_name
        self._converter: DocumentConverter | None = None
        self._in_use: set[str] = set()
        """Drafts whose wizards were opened in this run (their working directories stay)."""

    async def catalog(self) -> Catalog:
        """Courts and case categories (a court's document types load when it is chosen)."""
        from app.services.wizard.rules import Catalog

        return await Catalog.load(self.client)

    def new(self, catalog: Catalog) -> OrderWizard:
        """A new, empty order."""
        from app.services.wizard.flow import OrderWizard

        return OrderWizard(catalog, store=self.store, provider_name=self._provider_name())

    def restore(self, draft_id: str, catalog: Catalog) -> OrderWizard:
        """The saved draft `draft_id`, on the step where it was left. Raises KeyError when gone."""
        from app.services.wizard.flow import OrderWizard

        return OrderWizard.restore(self.store, draft_id, catalog, provider_name=self._provider_name())

    def saved(self) -> list[SavedDraft]:
        """The drafts saved on this workstation, most recently changed first."""
        from app.services.wizard.autosave import saved_drafts

        return saved_drafts(self.store)

    def work_dir(self, draft_id: str) -> Path:
        """The private directory of draft `draft_id`'s downloads and converted files."""
        return self.work_root / f"{TEMP_PREFIX}order-{draft_id}"

    def submission_for(self, wizard: OrderWizard) -> OrderSubmission:
        """The submission service of `wizard`, over the real intake and the current Clio client."""
        from app.services.intake import DocumentConverter
        from app.services.wizard.intake_and_clio import ClioDownloads, IntakePreparer, SearchableScans
        from app.services.wizard.submission import OrderSubmission

        if self._converter is None:
            self._converter = DocumentConverter.detect(self.settings.get(config.LIBREOFFICE_PATH) or None)

        def court_name() -> str:
            court = wizard.catalog.court(wizard.draft.court_id)
            return court.name if court else "the court"

        work_dir = self.work_dir(wizard.draft.id)
        self._in_use.add(wizard.draft.id)
        work_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # downloaded court papers: private
        return OrderSubmission(
            wizard,
            self.client,
            preparer=IntakePreparer(self._converter, court_name),
            work_dir=work_dir,
            clio=ClioDownloads(self._clio_client),
            workstation_id=self.store.workstation_id(),
            ocr=SearchableScans(lambda: self.settings.get(config.TESSERACT_PATH)),
            auto_searchable=lambda: self.settings.get(config.OCR_AUTOMATIC),
        )

    def draft_of_order(self, order_id: int) -> str | None:
        """The saved draft whose order at the provider is `order_id` (None: it was not started
        here, or its draft is gone)."""
        for row in self.store.load_drafts():
            draft = row.payload.get("draft")
            if isinstance(draft, dict) and draft.get("remote_order_id") == order_id:
                return row.id
        return None

    def submitted_as(self, draft_id: str) -> Order | None:
        """The order draft `draft_id` became, when the provider took it (as the orders list last
        saw it); None while it is a draft, or when it is not in the list."""
        from app.services.orders import cached_orders
        from app.services.wizard.reconcile import order_key

        key = order_key(self.store.workstation_id(), draft_id)
        found = (o for o in cached_orders(self.store) if o.client_key == key)
        return next((o for o in found if o.status is not OrderStatus.DRAFT), None)

    async def remove_unused_work(self) -> list[str]:
        """Remove the working directories (downloaded court papers, converted files) of drafts that
        no longer exist here — submitted or discarded while the app was stopping — except those of
        wizards opened in this run. Returns the drafts whose directories went."""
        saved = {row.id for row in self.store.load_drafts()}
        prefix = f"{TEMP_PREFIX}order-"
        unused = [
            entry
            for entry in sorted(self.work_root.glob(f"{prefix}*"))
            if entry.name.removeprefix(prefix) not in saved | self._in_use
            and entry.is_dir()
            and not entry.is_symlink()
        ]
        for entry in unused:
            await asyncio.to_thread(shutil.rmtree, entry, ignore_errors=True)
        return [entry.name.removeprefix(prefix) for entry in unused]

    async def discard(self, draft_id: str) -> None:
        """Throw a saved draft away, with the provider's draft order and the local files."""
        try:
            wizard = self.restore(draft_id, await self.catalog())
        except KeyError:
            return  # gone already (submitted, or discarded elsewhere): nothing left to throw away
        await self.submission_for(wizard).discard()
