"""Uploading and submitting an order against the LegalConnect sandbox over real HTTP."""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.services import http
from app.services.legalconnect.client import LegalConnectClient
from app.services.legalconnect.records import Order, OrderStatus
from app.services.store import Store
from app.services.wizard.draft import ClioMatter, ClioSource, ComputerSource, DocumentStatus, Party
from app.services.wizard.events import Step
from app.services.wizard.flow import OrderWizard
from app.services.wizard.rules import Catalog
from app.services.wizard.submission import OrderIncomplete, OrderSubmission
from sandbox.seed.files import make_big_pdf_file, make_encrypted_pdf
from tests.services.wizard.conftest import (
    FakeClio,
    FakePreparer,
    Tripwire,
    fill_case,
    until,
    write_docx,
    write_pdf,
)


@pytest.fixture
def lc(sandbox_world: Any) -> Any:
    sandbox_world.legalconnect_faults.update({"clerk_delay_s": 3600})
    return sandbox_world


class Harness:
    def __init__(self, world: Any, tmp: Path, client: LegalConnectClient, catalog: Catalog) -> None:
        self.world, self.tmp, self.client, self.catalog = world, tmp, client, catalog
        self.store = Store.open(tmp / "app.sqlite3")
        self.preparer = FakePreparer()
        self.wizard = OrderWizard(catalog, store=self.store, provider_name="Pacific Crest")
        self.submission = OrderSubmission(
            self.wizard, client, preparer=self.preparer, work_dir=tmp / "work", clio=FakeClio({})
        )

    def file(self, name: str) -> ComputerSource:
        return ComputerSource(write_pdf(self.tmp / "files", name))

    def admin(self, path: str, body: dict[str, Any]) -> Any:
        base = self.world.endpoints.legalconnect.base_url
        r = httpx.post(f"{base}/_sandbox/legalconnect{path}", json=body, timeout=60)
        assert r.status_code == 200, r.text
        return r.json()

    def to_review(self) -> None:
        w = self.wizard
        w.add_party(Party("plaintiff", "Elena Alvarez", is_client=True))
        w.set_authorize_payment(True)
        while w.current is not Step.REVIEW:
            assert w.next() == {}


def run(world: Any, tmp: Path, body: Callable[[Harness], Awaitable[None]], transport: Any = None) -> None:
    async def main() -> None:
        ep = world.endpoints.legalconnect
        client = LegalConnectClient(ep.api_url, service_name="Pacific Crest", transport=transport)
        try:
            await client.sign_in(ep.demo_user.email, ep.demo_user.password)
            catalog = await Catalog.load(client, ["LA"])
            harness = Harness(world, tmp, client, catalog)
            fill_case(harness.wizard, "LA")
            try:
                await body(harness)
            finally:
                harness.submission.close()
                harness.store.close()
        finally:
            await client.aclose()

    asyncio.run(main())


def test_catalog_comes_from_the_service(lc: Any, tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        la = h.catalog.court("LA")
        assert la is not None and la.word_copy_for_proposed_orders and la.max_order_bytes == 100 * 2**20
        pord = h.catalog.document_type("LA", "PORD")
        assert pord is not None and pord.word_copy_required
        assert h.catalog.document_type("LA", "EXHB").attachment_only  # type: ignore[union-attr]
        assert h.catalog.category("civil_unlimited").case_type("contract_06") is not None  # type: ignore[union-attr]
        assert await h.client.courts() is h.catalog.courts, "cached for the session"

    run(lc, tmp_path, body)


def test_three_documents_upload_as_each_is_ready_then_submit_and_the_clerk_decides(
    lc: Any, tmp_path: Path
) -> None:
    async def body(h: Harness) -> None:
        w = h.wizard
        decl_gate = h.preparer.hold("Declaration REJECT.pdf")
        exhibit_gate = h.preparer.hold("Exhibit A.pdf")
        motion = w.add_document(h.file("Motion to Compel.pdf"), "MOTN")
        decl = w.add_document(h.file("Declaration REJECT.pdf"), "DECL")
        matter = ClioMatter(11, "Alvarez, Elena", 101, "00001-Alvarez")
        h.submission.clio = FakeClio({77: (tmp_path / "files" / "Motion to Compel.pdf").read_bytes()})
        exhibit_source = ClioSource(77, "Exhibit A.pdf", "Alvarez, Elena › 00001-Alvarez › Pleadings", matter)
        h.preparer.gates["Exhibit A.pdf"] = exhibit_gate
        exhibit = w.add_document(exhibit_source, "EXHB")

        await until(w, lambda: w.document(motion).status is DocumentStatus.READY)
        assert w.document(decl).status is DocumentStatus.CHECKING
        assert w.document(exhibit).status is DocumentStatus.CHECKING
        order_id = w.draft.remote_order_id
        w.flush()
        assert (
            order_id is not None and h.store.load_drafts()[0].payload["draft"]["remote_order_id"] == order_id
        )
        decl_gate.set()
        exhibit_gate.set()
        await h.submission.wait_idle()
        assert [d.status for d in w.draft.documents] == [DocumentStatus.READY] * 3
        assert all(d.progress == 1.0 and d.remote_uploaded and d.pages for d in w.draft.documents)

        w.move_up(exhibit)
        quote = await h.submission.quote_fees()
        assert quote.total_cents == sum(line.amount_cents for line in quote.lines)
        assert [line.code for line in quote.lines if line.code == "court_filing_fee"] == ["court_filing_fee"]
        remote = await h.client.order(order_id)
        assert [d.name for d in remote.documents] == [
            "Motion to Compel.pdf",
            "Exhibit A.pdf",
            "Declaration REJECT.pdf",
        ]
        assert remote.clio is not None and remote.clio.matter_id == 101, "pre-selected from the Clio document"
        assert remote.case_title == "Alvarez v. Harbor Freight Lines"

        h.to_review()
        order = await h.submission.submit()
        assert order.status is OrderStatus.SUBMITTED
        assert (
            order.order_number is not None and len(order.order_number) == 7 and order.order_number.isdigit()
        )
        assert h.store.load_drafts() == [], "the draft is gone once submitted"
        assert not (tmp_path / "work").exists()

        assert h.admin("/clerk/run", {"order_id": order_id}) == {"decided": [order_id]}
        decided = await h.client.order(order_id)
        assert decided.status is OrderStatus.PARTIALLY_ACCEPTED
        rejected = decided.rejected_documents
        assert [d.name for d in rejected] == ["Declaration REJECT.pdf"]
        assert rejected[0].reject_reason is not None and "REJECT" in rejected[0].reject_reason

    run(lc, tmp_path, body)


def test_word_copy_goes_with_a_proposed_order_and_the_order_is_accepted(lc: Any, tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        w = h.wizard
        w.add_document(h.file("Motion.pdf"), "MOTN")
        proposed = w.add_document(
            ComputerSource(write_docx(tmp_path / "files", "Proposed Order.docx")), "PORD"
        )
        await h.submission.wait_idle()
        doc = w.document(proposed)
        assert doc.status is DocumentStatus.READY and doc.word_copy_uploaded and doc.remote_word_copy_id
        h.to_review()
        order = await h.submission.submit()
        kinds = sorted(d.kind for d in order.documents)
        assert kinds == ["filing", "filing", "word_copy"]
        h.admin("/clerk/run", {"order_id": order.id})
        assert (await h.client.order(order.id)).status is OrderStatus.ACCEPTED

    run(lc, tmp_path, body)


def test_an_encrypted_pdf_is_refused_on_its_own_row(lc: Any, tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        w = h.wizard
        motion = w.add_document(h.file("Motion.pdf"), "MOTN")
        locked = tmp_path / "files" / "Locked Exhibit.pdf"
        locked.write_bytes(make_encrypted_pdf("Locked Exhibit"))
        exhibit = w.add_document(ComputerSource(locked), "EXHB")
        unreadable = w.add_document(h.file("unreadable scan.pdf"), "EXHB")
        await h.submission.wait_idle()
        assert w.document(motion).status is DocumentStatus.READY
        row = w.document(exhibit)
        assert row.status is DocumentStatus.ERROR
        assert row.error.startswith("Locked Exhibit.pdf is password-protected or encrypted.")
        assert w.document(unreadable).error == "unreadable scan.pdf is damaged or unreadable."
        assert w.validate(Step.DOCUMENTS)[f"documents.{exhibit}"] == row.error
        w.flush()
        saved = h.store.load_drafts()[0].payload["draft"]["documents"]
        assert [d["status"] for d in saved] == ["ready", "error", "error"]

    run(lc, tmp_path, body)


def test_network_failure_mid_upload_leaves_a_retryable_row(lc: Any, tmp_path: Path) -> None:
    tripwire = Tripwire()
    faults = lc.legalconnect_faults

    def drop_this_upload(request: httpx.Request) -> Callable[[], None] | None:
        if request.method == "PUT" and armed:
            faults.update({"drop_rate": 1.0})
            return lambda: faults.update({"drop_rate": 0.0})
        return None

    armed = False
    tripwire.around = drop_this_upload

    async def body(h: Harness) -> None:
        nonlocal armed
        w = h.wizard
        motion = w.add_document(h.file("Motion.pdf"), "MOTN")
        decl = w.add_document(h.file("Declaration.pdf"), "DECL")
        await h.submission.wait_idle()
        before = [(d.remote_document_id, d.sha256) for d in w.draft.documents]
        armed = True
        exhibit = w.add_document(h.file("Exhibit B.pdf"), "EXHB")
        await h.submission.wait_idle()
        armed = False
        row = w.document(exhibit)
        assert row.status is DocumentStatus.ERROR
        assert row.error.startswith("“Exhibit B.pdf” did not upload: Cannot reach Pacific Crest.")
        assert [(d.remote_document_id, d.sha256) for d in w.draft.documents[:2]] == before
        assert {w.document(motion).status, w.document(decl).status} == {DocumentStatus.READY}
        calls = len(h.preparer.calls)
        h.submission.retry(exhibit)
        await h.submission.wait_idle()
        assert row.status is DocumentStatus.READY and row.error == ""
        assert len(h.preparer.calls) == calls, "the checked PDF is uploaded again, not prepared again"
        remote = await h.client.order(w.draft.remote_order_id or 0)
        assert [d.content_uploaded for d in remote.documents] == [True, True, True]

    run(lc, tmp_path, body, transport=tripwire)


def test_removed_documents_leave_the_service_and_come_back_on_undo(lc: Any, tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        w = h.wizard
        w.add_document(h.file("Motion.pdf"), "MOTN")
        decl = w.add_document(h.file("Declaration.pdf"), "DECL")
        await h.submission.wait_idle()
        order_id = w.draft.remote_order_id or 0
        w.remove_document(decl)
        await h.submission.wait_idle()
        assert [d.name for d in (await h.client.order(order_id)).documents] == ["Motion.pdf"]
        w.undo_remove()
        await h.submission.wait_idle()
        assert w.document(decl).status is DocumentStatus.READY
        assert [d.name for d in (await h.client.order(order_id)).documents] == [
            "Motion.pdf",
            "Declaration.pdf",
        ]
        await h.submission.discard()
        with pytest.raises(http.NotFound):
            await h.client.order(order_id)
        assert h.store.load_drafts() == []

    run(lc, tmp_path, body)


def test_submit_without_a_lead_is_refused_with_the_services_message(lc: Any, tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        w = h.wizard
        motion = w.add_document(h.file("Motion.pdf"), "DECL")
        await h.submission.wait_idle()
        h.to_review()
        w.document(motion).role = w.document(motion).role.ATTACHMENT
        with pytest.raises(OrderIncomplete) as local:
            await h.submission.submit()
        assert local.value.problems == {"documents": "Mark one document as the lead document."}
        order_id = await h.submission.ensure_order()
        await h.submission.sync_order()
        with pytest.raises(http.BadRequest) as remote:
            await h.client.submit(order_id)
        assert remote.value.user_message == "Mark exactly one document as the lead document."
        assert remote.value.code == "lead_required"

    run(lc, tmp_path, body)


def test_a_lost_submit_answer_is_settled_by_reading_the_order(lc: Any, tmp_path: Path) -> None:
    tripwire = Tripwire()

    def is_submit(request: httpx.Request) -> bool:
        return request.method == "POST" and request.url.path.endswith("/submit")

    async def body(h: Harness) -> None:
        h.wizard.add_document(h.file("Motion.pdf"), "MOTN")
        await h.submission.wait_idle()
        h.to_review()
        tripwire.cut_before = is_submit
        with pytest.raises(http.Unreachable):
            await h.submission.submit()  # never left: still a draft, safe to try again
        assert (await h.client.order(h.wizard.draft.remote_order_id or 0)).status is OrderStatus.DRAFT
        tripwire.cut_before, tripwire.lose_answer = (lambda _r: False), is_submit
        order = await h.submission.submit()
        assert order.status is OrderStatus.SUBMITTED and order.order_number is not None

    run(lc, tmp_path, body, transport=tripwire)


@pytest.mark.slow
def test_a_50_mb_upload_is_streamed(lc: Any, tmp_path: Path) -> None:
    big = tmp_path / "files" / "Trial Exhibits.pdf"
    make_big_pdf_file(big, 48 * 2**20)
    peaks: list[int] = []

    async def body(h: Harness) -> None:
        order = await h.client.create_order({"court_id": "LA"})
        doc = await h.client.add_document(order.id, big.name, "EXHB", "attachment")
        tracemalloc.start()
        try:
            stored = await h.client.upload_document_content(
                order.id, doc.id, big, lambda done, total: peaks.append(tracemalloc.get_traced_memory()[1])
            )
        finally:
            tracemalloc.stop()
        assert stored.size_bytes == big.stat().st_size and stored.sha256
        # Measured while the bytes streamed (the sandbox's own PDF check reads the file afterwards).
        assert max(peaks) < 16 * 2**20, f"peak {max(peaks) / 2**20:.1f} MB for a 48 MB upload"

    run(lc, tmp_path, body)


class FlakyClio(FakeClio):
    """Clio's storage drops the first download of each document, then serves it."""

    def __init__(self, files: dict[int, bytes]) -> None:
        super().__init__(files)
        self.failed: set[int] = set()

    async def download(
        self, document_id: int, destination: Path, progress: Callable[[int, int], None] | None = None
    ) -> Path:
        if document_id not in self.failed:
            self.failed.add(document_id)
            if progress is not None:
                progress(1, len(self.files[document_id]))  # part of it arrived, then the line dropped
            raise http.Unreachable("Clio", "Cannot reach Clio. Check your internet connection and retry.")
        return await super().download(document_id, destination, progress)


def test_network_failure_mid_download_from_clio_leaves_a_retryable_row(lc: Any, tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        w = h.wizard
        clio = FlakyClio({41: write_pdf(tmp_path / "clio", "Complaint.pdf").read_bytes()})
        h.submission.close()
        work = tmp_path / "work"
        h.submission = OrderSubmission(w, h.client, preparer=h.preparer, work_dir=work, clio=clio)
        motion = w.add_document(h.file("Motion.pdf"), "MOTN")
        complaint = w.add_document(ClioSource(41, "Complaint.pdf", "Alvarez, Elena › 00001-Alvarez"), "DECL")
        await h.submission.wait_idle()
        row = w.document(complaint)
        assert row.status is DocumentStatus.ERROR
        assert "Complaint.pdf" in row.error
        assert "Cannot reach Clio" in row.error
        assert w.document(motion).status is DocumentStatus.READY  # the other row is untouched
        h.submission.retry(complaint)
        await h.submission.wait_idle()
        assert row.status is DocumentStatus.READY
        assert row.error == ""
        remote = await h.client.order(w.draft.remote_order_id or 0)
        assert [d.content_uploaded for d in remote.documents] == [True, True]

    run(lc, tmp_path, body)


class BrokenLinkClio(FakeClio):
    """Clio's download fails with something other than a service error (an unusable link that
    slipped past every check, a bug): the row must still end in its error state."""

    async def download(
        self, document_id: int, destination: Path, progress: Callable[[int, int], None] | None = None
    ) -> Path:
        raise ValueError("Invalid non-printable ASCII character in URL")


def test_any_failure_of_a_clio_download_ends_the_row_in_error_and_says_download(
    lc: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def body(h: Harness) -> None:
        w = h.wizard
        h.submission.close()
        h.submission = OrderSubmission(
            w, h.client, preparer=h.preparer, work_dir=tmp_path / "work", clio=BrokenLinkClio({})
        )
        broken = w.add_document(ClioSource(41, "Complaint.pdf", "Alvarez, Elena › 00001-Alvarez"), "DECL")
        flaky = FlakyClio({42: write_pdf(tmp_path / "clio", "Exhibit.pdf").read_bytes()})
        await h.submission.wait_idle()
        row = w.document(broken)
        assert row.status is DocumentStatus.ERROR  # not "Downloading" for ever
        assert row.error.startswith("“Complaint.pdf” did not download from Clio")
        assert "Invalid non-printable ASCII character" in caplog.text  # the cause is in the log
        # A service error while downloading says "download" too, not "upload".
        h.submission.close()
        h.submission = OrderSubmission(
            w, h.client, preparer=h.preparer, work_dir=tmp_path / "work2", clio=flaky
        )
        exhibit = w.add_document(ClioSource(42, "Exhibit.pdf", "Alvarez, Elena › 00001-Alvarez"), "DECL")
        await h.submission.wait_idle()
        assert w.document(exhibit).error == (
            "“Exhibit.pdf” did not download from Clio: "
            "Cannot reach Clio. Check your internet connection and retry."
        )

    run(lc, tmp_path, body)


def test_lost_answers_while_creating_and_uploading_are_retried_into_one_of_each(
    lc: Any, tmp_path: Path
) -> None:
    """The order's creation, the document's creation (both with an Idempotency-Key) and the
    content upload (replaced on repeat) each lose their first answer: the app retries by itself,
    the row ends Ready without anyone pressing Retry, and the provider holds one order with one
    document — no duplicate, no empty leftover draft."""
    tripwire = Tripwire()
    lost: list[str] = []

    def first_of_each(request: httpx.Request) -> bool:
        kind = f"{request.method} {request.url.path.rsplit('/', 1)[-1]}"
        if kind in ("POST orders", "POST documents", "PUT content") and kind not in lost:
            lost.append(kind)
            return True
        return False

    async def body(h: Harness) -> None:
        h.submission.close()
        h.submission = OrderSubmission(
            h.wizard,
            h.client,
            preparer=h.preparer,
            work_dir=tmp_path / "work",
            clio=FakeClio({}),
            workstation_id=h.store.workstation_id(),
        )
        tripwire.lose_answer = first_of_each
        motion = h.wizard.add_document(h.file("Motion.pdf"), "MOTN")
        await h.submission.wait_idle()
        row = h.wizard.document(motion)
        assert (row.status, row.error) == (DocumentStatus.READY, "")
        assert sorted(lost) == ["POST documents", "POST orders", "PUT content"]
        key = f"lcd:{h.store.workstation_id()}:{h.wizard.draft.id}"
        mine = [o for o in await _drafts(h.client) if o.client_key == key]
        assert [o.id for o in mine] == [h.wizard.draft.remote_order_id]
        order = await h.client.order(mine[0].id)
        assert [(d.name, d.content_uploaded) for d in order.documents] == [("Motion.pdf", True)]

    run(lc, tmp_path, body, transport=tripwire)


def test_a_submit_the_provider_took_before_the_app_stopped_ends_as_submitted(lc: Any, tmp_path: Path) -> None:
    """The provider accepted Submit, then the app stopped before it heard: resuming the draft (or
    pressing Submit, which meets "only a draft can be changed") reads the order and ends as
    submitted, with its number — never a draft that can't go away."""
    from app.services.wizard.events import OrderSubmitted

    async def body(h: Harness) -> None:
        h.wizard.add_document(h.file("Motion.pdf"), "MOTN")
        await h.submission.wait_idle()
        h.to_review()
        await h.submission.sync_order()
        order_id = h.wizard.draft.remote_order_id or 0
        taken = await h.client.submit(order_id, authorize_payment=True)  # the answer the app lost
        settled = await h.submission.settle_if_submitted()  # what resuming the draft does
        assert settled is not None and settled.order_number == taken.order_number
        assert OrderWizard.saved(h.store) == []

    run(lc, tmp_path, body)

    async def pressing_submit(h: Harness) -> None:
        h.wizard.add_document(h.file("Motion.pdf"), "MOTN")
        await h.submission.wait_idle()
        h.to_review()
        await h.submission.sync_order()
        await h.client.submit(h.wizard.draft.remote_order_id or 0, authorize_payment=True)
        announced: list[Any] = []
        h.wizard.events.subscribe(lambda e: announced.append(e) if isinstance(e, OrderSubmitted) else None)
        order = await h.submission.submit()  # 409 from the provider, settled by reading the order
        assert order.status is OrderStatus.SUBMITTED and order.order_number
        assert [e.order.order_number for e in announced] == [order.order_number]
        assert h.wizard.draft.order_number == order.order_number
        assert OrderWizard.saved(h.store) == []  # the draft is gone

    run(lc, tmp_path / "again", pressing_submit)


async def _drafts(client: LegalConnectClient) -> list[Order]:
    """The firm's orders still in draft at the provider."""
    orders, _time = await client.changed_orders(None)
    return [o for o in orders if o.status is OrderStatus.DRAFT]


def test_closing_stops_a_case_change_on_its_way(lc: Any, tmp_path: Path) -> None:
    """A case edit sends a PATCH in the background; closing the wizard (or quitting the app) stops
    it with everything else, instead of leaving it to fail on closed connections."""
    tripwire = Tripwire()
    patches: list[str] = []

    async def body(h: Harness) -> None:
        h.wizard.add_document(h.file("Motion.pdf"), "MOTN")
        await h.submission.wait_idle()
        assert h.wizard.draft.remote_order_id is not None
        tripwire.cut_before = lambda r: r.method == "PATCH" and not patches.append(r.url.path)
        h.wizard.set_case_title("Alvarez v. Harbor Freight Lines, Inc.")  # its PATCH is on its way
        h.submission.close()
        await asyncio.sleep(0.3)
        assert patches == []

    run(lc, tmp_path, body, transport=tripwire)
