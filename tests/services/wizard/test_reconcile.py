"""Draft orders this workstation created and lost track of are adopted or deleted, once, and
nothing of another workstation's is touched — against the sandbox over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

from app.config import Config
from app.services.legalconnect.client import LegalConnectClient
from app.services.legalconnect.records import Order, OrderStatus
from app.services.orders import OrdersService
from app.services.store import Store
from app.services.wizard.desk import OrderDesk
from app.services.wizard.reconcile import DraftOrderReconciler, order_key
from app.services.wizard.rules import Catalog


def test_stray_draft_orders_are_adopted_or_deleted_and_others_left_alone(
    sandbox_world: Any, tmp_path: Path
) -> None:
    ep = sandbox_world.endpoints.legalconnect

    async def body() -> None:
        store = Store.open(tmp_path / "app.sqlite3")
        me = store.workstation_id()
        client = LegalConnectClient(ep.api_url, service_name="Pacific Crest")
        try:
            await client.sign_in(ep.demo_user.email, ep.demo_user.password)

            async def made(draft_id: str, workstation: str = me) -> int:
                order = await client.create_order({"court_id": "LA"}, key=order_key(workstation, draft_id))
                return order.id

            # A: the provider made the order; the crash came before the draft noted it.
            store.save_draft("A", {"draft": {"id": "A", "remote_order_id": None, "documents": []}}, title="A")
            adopted = await made("A")
            # B: the draft was discarded here while offline; its order stayed behind.
            orphan = await made("B")
            # E: a draft with its order, as it should be.
            kept = await made("E")
            store.save_draft("E", {"draft": {"id": "E", "remote_order_id": kept, "documents": []}}, title="E")
            # Another workstation's orphan: not ours to judge.
            theirs = await made("C", workstation="someone-else")
            orders = OrdersService(client, store, tmp_path / "viewing")
            everything = await orders.refresh()  # the orders list has them all
            # S: the provider took its Submit just before the app stopped.
            submitted = next(o for o in everything if o.status is OrderStatus.SUBMITTED)
            store.save_draft("S", {"draft": {"id": "S", "remote_order_id": submitted.id, "documents": []}})
            # Working directories: the three drafts'; one of a draft a crash took after it was
            # submitted ("Z"); one of a new order open in this run, not saved yet ("open").
            desk = OrderDesk(
                client,
                store,
                Config.open(tmp_path / "settings.json"),
                work_root=tmp_path / "tmp",
                clio_client=lambda: None,
                provider_name=lambda: "Pacific Crest",
            )
            opened = desk.new(Catalog(courts=(), categories=(), document_types={}))
            desk.submission_for(opened).close()
            work = {draft: desk.work_dir(draft) for draft in ("A", "E", "S", "Z", opened.draft.id)}
            for folder in work.values():
                folder.mkdir(parents=True, exist_ok=True)
                (folder / "Motion.pdf").write_bytes(b"%PDF-1.7 court papers")

            now = dt.datetime.now(dt.UTC)
            soon = DraftOrderReconciler(
                client, store, clock=lambda: now, remove_unused_work=desk.remove_unused_work
            )
            first = await soon.reconcile(await orders.refresh())
            assert first.adopted == [adopted]
            assert first.dropped == ["S"] and "S" not in {r.id for r in store.load_drafts()}
            # The papers of drafts that are gone go too; the live drafts and the open one keep theirs.
            assert sorted(first.cleaned) == ["S", "Z"]
            assert [d for d, folder in work.items() if folder.exists()] == ["A", "E", opened.draft.id]
            assert first.deleted == []  # made minutes ago: a wizard may be making them right now
            row = next(r for r in store.load_drafts() if r.id == "A")
            assert row.payload["draft"]["remote_order_id"] == adopted

            later = DraftOrderReconciler(client, store, clock=lambda: now + dt.timedelta(hours=1))
            second = await later.reconcile(await _drafts(client))
            assert second.deleted == [orphan]
            remaining = {o.id for o in await _drafts(client)}
            assert {adopted, kept, theirs} <= remaining and orphan not in remaining
            assert orphan not in {o.id for o in orders.cached()}  # gone from the list too
            again = await later.reconcile(await _drafts(client))
            assert again.adopted == [] and again.deleted == []  # settled: nothing left to do
            await later.run(await _drafts(client))
            assert later.done
        finally:
            await client.aclose()
            store.close()

    asyncio.run(body())


async def _drafts(client: LegalConnectClient) -> list[Order]:
    """The firm's orders still in draft at the provider."""
    orders, _time = await client.changed_orders(None)
    return [o for o in orders if o.status is OrderStatus.DRAFT]
