"""Keeps the Service Provider's draft order in step with the wizard's draft, and submits it.

Each document travels on its own: (Clio download) → check/convert (intake) → upload, streamed, at
most `parallel_uploads` at a time — as soon as it is ready, so by the time the user reaches Review
the files are already there. Word files that reach the converter together share one LibreOffice
run (the app's one converter batches them). A Clio document larger than the court takes is
refused on its row before anything is downloaded: Clio listed its size when it was picked.

The LegalConnect draft order is created lazily, when the first document is ready to upload (or
fees are quoted): a wizard abandoned on the Case page leaves nothing behind at the provider. Case
fields changed later are sent in the background; names, types, roles and the order of documents
are brought in line (`sync_order`) before quoting fees and before submitting, which also removes
documents the provider has but the draft no longer does.

A failure stays on its own row, with a message naming the file; `retry(local_id)` picks it up
from where it stopped (an uploaded PDF is not prepared again).

A scanned PDF (no text layer) can be made searchable: `make_searchable(local_id)` on a ready row,
or by itself before the first upload when `auto_searchable()` says so. OCR runs apart from the
window; its result is checked again like any PDF and replaces the uploaded one. When OCR cannot
(Tesseract missing, nothing readable, OCR failed) the document stays exactly as it was and
`ocr_problem` on its row says why.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.services import http
from app.services.filenames import safe_filename
from app.services.legalconnect.client import LegalConnectClient
from app.services.legalconnect.ordering import FeeQuote
from app.services.legalconnect.records import Order, OrderStatus
from app.services.wizard import rules
from app.services.wizard.draft import ClioSource, DocumentStatus, DraftDocument, Role
from app.services.wizard.events import (
    DocumentAdded,
    DocumentChanged,
    DocumentRemoved,
    DraftChanged,
    OrderSubmitted,
    OrderSynced,
    ServiceProblem,
    WizardEvent,
)
from app.services.wizard.flow import NotAllowed, OrderWizard
from app.services.wizard.ports import (
    ClioFetcher,
    FilePreparer,
    Prepared,
    PrepareRequest,
    Refused,
    SearchableFailed,
    TextRecognizer,
)
from app.services.wizard.reconcile import document_key, order_key
from app.services.wizard.remote import order_fields, reconcile_documents

log = logging.getLogger(__name__)

CASE_FIELDS = frozenset(
    {"court_id", "case_category_id", "case_type_id", "new_case", "case_number", "case_title", "parties"}
    | {"clio", "expert_review"}
)


class OrderIncomplete(NotAllowed):
    """Submitting was refused before anything was sent; `problems` holds the per-field messages."""

    def __init__(self, problems: rules.Problems) -> None:
        super().__init__(next(iter(problems.values())))
        self.problems = problems


class OrderSubmission:
    """The service side of one wizard: uploads, remote draft, fee quote, submit."""

    def __init__(
        self,
        wizard: OrderWizard,
        client: LegalConnectClient,
        *,
        preparer: FilePreparer,
        work_dir: Path,
        clio: ClioFetcher | None = None,
        parallel_uploads: int = 4,
        workstation_id: str = "",
        ocr: TextRecognizer | None = None,
        auto_searchable: Callable[[], bool] = lambda: False,
    ) -> None:
        """`work_dir`: a private directory for this draft's downloads and converted files,
        removed after submitting or discarding. `workstation_id` makes the keys that let the
        draft's order and documents be created safely again after a lost answer (none: the
        creations are sent once, never repeated). `ocr` makes scanned PDFs searchable (none: it
        is not offered); `auto_searchable()` whether to do so by itself, before uploading."""
        self.wizard, self.draft, self.client = wizard, wizard.draft, client
        self._workstation = workstation_id
        self.preparer, self.clio, self.work_dir = preparer, clio, work_dir
        self.ocr, self._auto_searchable = ocr, auto_searchable
        self._slots = asyncio.Semaphore(parallel_uploads)
        self._order_lock = asyncio.Lock()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._case_dirty = False
        self._case_task: asyncio.Task[None] | None = None
        self._unsubscribe = wizard.events.subscribe(self._on_event)

    # -- scheduling -----------------------------------------------------------------------------

    def start(self) -> None:
        """Pick up every document still waiting (a restored draft's, say). Needs a running loop."""
        for doc in self.draft.documents:
            if doc.status is DocumentStatus.PENDING:
                self._schedule(doc.local_id)

    def close(self) -> None:
        """Stop listening and cancel work under way (the draft stays as autosaved)."""
        self._unsubscribe()
        try:
            current = asyncio.current_task()
        except RuntimeError:  # no running loop: nothing of ours is running either
            current = None
        case = [self._case_task] if self._case_task is not None else []
        for task in [*self._tasks.values(), *self._background, *case]:
            if task is not current:
                task.cancel()

    def busy(self, local_id: str) -> bool:
        """Whether work on the document is under way (a task that has just ended does not count)."""
        task = self._tasks.get(local_id)
        return task is not None and not task.done()

    async def wait_idle(self) -> None:
        """Return once no document is being prepared or uploaded and background calls are done."""
        while self._tasks or self._background:
            await asyncio.gather(*self._tasks.values(), *self._background, return_exceptions=True)

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _schedule(self, local_id: str, *, searchable: bool = False) -> None:
        if self.busy(local_id):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop yet: `start()` picks it up
        task = loop.create_task(self._process(local_id, searchable=searchable))
        self._tasks[local_id] = task
        task.add_done_callback(
            lambda t: self._tasks.pop(local_id) if self._tasks.get(local_id) is t else None
        )

    def retry(self, local_id: str) -> None:
        """Try a failed document again from where it stopped."""
        doc = self.draft.document(local_id)
        if doc.status is DocumentStatus.ERROR:
            self._set(doc, DocumentStatus.PENDING, error="")
        self._schedule(local_id)

    def can_make_searchable(self, local_id: str) -> bool:
        """Whether `make_searchable` would start: a ready, scanned PDF, and OCR offered."""
        doc = self.draft.document(local_id)
        return (
            self.ocr is not None
            and doc.scanned
            and doc.status is DocumentStatus.READY
            and doc.pdf_path is not None
        )

    def make_searchable(self, local_id: str) -> bool:
        """Start OCR on a ready, scanned document (see the module docstring); False when it cannot
        start (then nothing changed). Needs a running loop."""
        if not self.can_make_searchable(local_id) or self.busy(local_id):
            return False
        self._schedule(local_id, searchable=True)
        if not self.busy(local_id):
            return False
        doc = self.draft.document(local_id)
        doc.ocr_problem = ""
        self._set(doc, DocumentStatus.MAKING_SEARCHABLE)  # at once: the row (and its buttons) show it
        return True

    def _on_event(self, event: WizardEvent) -> None:
        if isinstance(event, DocumentAdded | DocumentChanged):
            doc = self.draft.document(event.local_id)
            if doc.status is DocumentStatus.PENDING:
                self._schedule(doc.local_id)
        elif isinstance(event, DocumentRemoved):
            self._removed(event.document)
        elif isinstance(event, DraftChanged) and event.field in CASE_FIELDS:
            self._case_changed()

    def _removed(self, doc: DraftDocument) -> None:
        task = self._tasks.pop(doc.local_id, None)
        if task is not None:
            task.cancel()
        remote_id, order_id = doc.remote_document_id, self.draft.remote_order_id
        doc.forget_remote()  # an undo uploads it again
        if remote_id is not None and order_id is not None:
            self._spawn(self._quietly(self.client.delete_document(order_id, remote_id)))

    async def _quietly(self, call: Any) -> None:
        # Background calls the user did not wait for: a failure becomes a notice, and `sync_order`
        # repairs what was left undone before anything is paid for.
        try:
            await call
        except http.ConnectionsClosed:
            return  # the app is quitting: sync_order sends it at the next run
        except http.ServiceError as exc:
            log.info("background call failed: %s", exc)
            self.wizard.events.emit(ServiceProblem(exc.user_message))

    # -- one document ---------------------------------------------------------------------------

    def _set(self, doc: DraftDocument, status: DocumentStatus, *, error: str | None = None) -> None:
        doc.status, doc.progress = status, 1.0 if status is DocumentStatus.READY else 0.0
        if error is not None:
            doc.error = error
        if any(d is doc for d in self.draft.documents):
            self.wizard.notify_document(doc.local_id)

    def _progress(self, doc: DraftDocument, done: int, total: int) -> None:
        doc.progress = done / total if total else 1.0
        if any(d is doc for d in self.draft.documents):
            self.wizard.notify_document(doc.local_id, persist=False)

    async def _process(self, local_id: str, *, searchable: bool = False) -> None:
        doc = self.draft.document(local_id)
        try:
            if searchable:
                if not await self._make_searchable(doc, was=DocumentStatus.READY):
                    return
            elif not doc.remote_uploaded and not doc.prepared:
                if not await self._prepare(doc):
                    return
                if doc.scanned and self.ocr is not None and self._auto_searchable():
                    # When it cannot, the scan is uploaded as it is.
                    await self._make_searchable(doc, was=doc.status)
            if not doc.filing_code:
                # The provider refuses a document without a type: wait for the user to choose one
                # (choosing it announces the row, which schedules the upload).
                self._set(doc, DocumentStatus.PENDING)
                return
            await self._upload(doc)
        except http.BadRequest as exc:
            text = exc.user_message
            self._set(
                doc,
                DocumentStatus.ERROR,
                error=text if doc.display_name in text else f"“{doc.display_name}”: {text}",
            )
        except http.ServiceError as exc:
            self._set(
                doc, DocumentStatus.ERROR, error=f"“{doc.display_name}” {_failed(doc)}: {exc.user_message}"
            )
        except OSError as exc:
            self._set(
                doc, DocumentStatus.ERROR, error=f"“{doc.display_name}” cannot be read ({exc.strerror})."
            )
        except http.ConnectionsClosed:
            return  # the app is shutting down: the row resumes from the autosaved draft next time
        except Exception:  # a bug or an answer nobody foresaw: the row still ends, with Retry
            log.exception("document %s failed while %s", doc.local_id, doc.status.value)
            self._set(
                doc,
                DocumentStatus.ERROR,
                error=f"“{doc.display_name}” {_failed(doc)}: something unexpected went wrong (see the log).",
            )

    async def _prepare(self, doc: DraftDocument) -> bool:
        court = self.wizard.catalog.court(self.draft.court_id)
        # Clio listed its size: a document the court would refuse is not downloaded at all.
        listed = doc.source.size if isinstance(doc.source, ClioSource) else None
        if court is not None and listed is not None and listed > court.max_document_bytes:
            refusal = rules.too_large_in_clio(doc.display_name, listed, court)
            self._set(doc, DocumentStatus.ERROR, error=refusal)
            return False
        folder = self.work_dir / doc.local_id
        await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        if isinstance(doc.source, ClioSource):
            if self.clio is None:
                self._set(doc, DocumentStatus.ERROR, error=f"Connect to Clio to add “{doc.display_name}”.")
                return False
            self._set(doc, DocumentStatus.DOWNLOADING)
            destination = folder / safe_filename(doc.source.name)
            path = await self.clio.download(
                doc.source.document_id, destination, lambda d, t: self._progress(doc, d, t)
            )
        else:
            path = doc.source.path
        self._set(doc, DocumentStatus.CHECKING)
        doc_type = self.wizard.catalog.document_type(self.draft.court_id, doc.filing_code)
        request = PrepareRequest(
            display_name=doc.display_name,
            work_dir=folder,
            keep_word_copy=bool(doc_type and doc_type.word_copy_required),
            max_document_bytes=court.max_document_bytes if court else None,
            max_file_name_length=court.max_file_name_length if court else None,
        )
        result = await self.preparer.prepare(path, request, lambda stage: self._set(doc, stage))
        if isinstance(result, Refused):
            self._set(doc, DocumentStatus.ERROR, error=result.reason)
            return False
        doc.pdf_path, doc.pages, doc.size, doc.sha256 = (
            result.pdf_path,
            result.pages,
            result.size,
            result.sha256,
        )
        doc.word_copy_path = result.word_copy_path or doc.word_copy_path
        doc.warnings, doc.scanned, doc.ocr_problem = result.warnings, result.scanned, ""
        if result.fixed_name:
            doc.display_name = result.fixed_name
        return True

    async def _make_searchable(self, doc: DraftDocument, *, was: DocumentStatus) -> bool:
        """OCR the document's PDF, check the result like any PDF, and put it in the PDF's place
        (to be uploaded again); True when it did. When it cannot, the document is left exactly as
        it was, back in status `was`, with `ocr_problem` saying why."""
        assert self.ocr is not None
        assert doc.pdf_path is not None
        pdf, pages = doc.pdf_path, doc.pages or 1
        output = self.work_dir / doc.local_id / f"searchable-{uuid.uuid4().hex}.pdf"
        doc.ocr_problem = ""
        self._set(doc, DocumentStatus.MAKING_SEARCHABLE)
        try:
            if not await asyncio.to_thread(pdf.is_file):  # a restored draft's temporary files went
                raise SearchableFailed(rules.ocr_scan_gone(doc.display_name))
            await self.ocr.make_searchable(
                pdf, output, doc.display_name, pages, lambda d, t: self._progress(doc, d, t)
            )
            result = await self._checked_again(doc, output)
        except SearchableFailed as failed:
            problem = failed.message
        except Exception:  # a bug or an answer nobody foresaw: the document stays as it was
            log.exception("making %s searchable failed", doc.local_id)
            problem = (
                f"“{doc.display_name}” could not be made searchable: something unexpected went wrong "
                f"(see the log). {rules.STAYS_SCANNED}"
            )
        else:
            problem = ""
        finally:
            _remove(output)  # also when cancelled (the row was removed): nothing left behind
        if problem:
            # The last step: the row is back as it was only once nothing of this try is left running.
            doc.ocr_problem = problem
            self._set(doc, was)
            return False
        await asyncio.to_thread(pdf.unlink, True)
        doc.pdf_path, doc.pages, doc.size, doc.sha256 = (
            result.pdf_path,
            result.pages,
            result.size,
            result.sha256,
        )
        doc.warnings, doc.scanned = result.warnings, False
        doc.remote_uploaded = False  # uploading again replaces the scan at the provider
        return True

    async def _checked_again(self, doc: DraftDocument, pdf: Path) -> Prepared:
        """The OCR'd PDF through intake like any PDF; raises `SearchableFailed` when intake refuses
        it, when it still has no text, or when its pages are not the scan's."""
        court = self.wizard.catalog.court(self.draft.court_id)
        request = PrepareRequest(
            display_name=doc.display_name,
            work_dir=self.work_dir / doc.local_id,
            keep_word_copy=False,
            max_document_bytes=court.max_document_bytes if court else None,
            max_file_name_length=court.max_file_name_length if court else None,
        )
        result = await self.preparer.prepare(pdf, request, lambda _stage: None)
        if isinstance(result, Refused):
            raise SearchableFailed(rules.ocr_copy_refused(result.reason))
        problem = ""
        if result.scanned:
            problem = rules.ocr_read_nothing(doc.display_name)
        elif doc.pages is not None and result.pages != doc.pages:
            problem = rules.ocr_changed_pages(doc.display_name, doc.pages, result.pages)
        if problem:
            await asyncio.to_thread(shutil.rmtree, result.pdf_path.parent, True)
            raise SearchableFailed(problem)
        return result

    def _key(self, doc: DraftDocument, part: str) -> str | None:
        if not self._workstation:
            return None
        # A row removed and added back (undo) is a new document at the provider: a new key.
        generation = f"{part}-{doc.remote_generation}" if doc.remote_generation else part
        return document_key(self._workstation, self.draft.id, doc.local_id, generation)

    def _remote_role(self, doc: DraftDocument) -> str:
        # Created with a role its type allows; `sync_order` sets the chosen one before submitting.
        doc_type = self.wizard.catalog.document_type(self.draft.court_id, doc.filing_code)
        if doc_type is not None and doc_type.attachment_only:
            return Role.ATTACHMENT.value
        if doc_type is not None and doc_type.lead_only:
            return Role.LEAD.value
        return doc.role.value

    async def _upload(self, doc: DraftDocument) -> None:
        order_id = await self.ensure_order()
        async with self._slots:
            self._set(doc, DocumentStatus.UPLOADING)
            if doc.remote_document_id is None:
                remote = await self.client.add_document(
                    order_id,
                    doc.display_name,
                    doc.filing_code,
                    self._remote_role(doc),
                    key=self._key(doc, "pdf"),
                )
                doc.remote_document_id = remote.id
            if not doc.remote_uploaded and doc.pdf_path is not None:
                stored = await self.client.upload_document_content(
                    order_id, doc.remote_document_id, doc.pdf_path, lambda d, t: self._progress(doc, d, t)
                )
                if doc.sha256 is not None and stored.sha256 != doc.sha256:
                    changed = (
                        f"“{doc.display_name}” changed after it was checked. Remove it and add it again."
                    )
                    self._set(doc, DocumentStatus.ERROR, error=changed)
                    return
                doc.remote_uploaded, doc.size, doc.pages = True, stored.size_bytes, stored.page_count
            if doc.word_copy_path is not None and not doc.word_copy_uploaded:
                if doc.remote_word_copy_id is None:
                    copy = await self.client.add_document(
                        order_id,
                        doc.word_copy_path.name,
                        doc.filing_code,
                        Role.ATTACHMENT.value,
                        kind="word_copy",
                        word_copy_of=doc.remote_document_id,
                        key=self._key(doc, "word"),
                    )
                    doc.remote_word_copy_id = copy.id
                await self.client.upload_document_content(
                    order_id, doc.remote_word_copy_id, doc.word_copy_path
                )
                doc.word_copy_uploaded = True
            self._set(doc, DocumentStatus.READY, error="")

    # -- the order ------------------------------------------------------------------------------

    def order_fields(self) -> dict[str, Any]:
        """The draft's case fields for the Service Provider, leaving out values it would refuse."""
        return order_fields(self.draft, self.wizard.catalog)

    async def ensure_order(self) -> int:
        """The LegalConnect draft order's id, creating the order on first need."""
        async with self._order_lock:
            if self.draft.remote_order_id is None:
                key = order_key(self._workstation, self.draft.id) if self._workstation else None
                order = await self.client.create_order(self.order_fields(), key=key)
                self.draft.remote_order_id = order.id
                self.wizard.mark_changed("remote_order_id")
            return self.draft.remote_order_id

    def _case_changed(self) -> None:
        if self.draft.remote_order_id is None:
            return
        self._case_dirty = True
        if self._case_task is None or self._case_task.done():
            with contextlib.suppress(RuntimeError):  # no running loop: sync_order sends it later
                self._case_task = asyncio.get_running_loop().create_task(self._push_case())

    async def _push_case(self) -> None:
        # Coalesces a burst of edits into as few PATCHes as the network allows.
        while self._case_dirty and self.draft.remote_order_id is not None:
            self._case_dirty = False
            await self._quietly(self.client.update_order(self.draft.remote_order_id, self.order_fields()))

    async def sync_order(self) -> Order:
        """Bring the provider's draft fully in line with the wizard's: case fields, and documents'
        names, types, roles and order; documents the draft no longer has are removed there."""
        order_id = await self.ensure_order()
        if self._case_task is not None:
            await self._case_task
        order = await self.client.update_order(order_id, self.order_fields())
        await reconcile_documents(self.client, self.draft, order)
        order = await self.client.order(order_id)
        self.wizard.events.emit(OrderSynced(order_id))
        return order

    async def quote_fees(self) -> FeeQuote:
        """The fee quote for the documents as they are now."""
        await self.sync_order()
        return await self.client.fee_quote(await self.ensure_order())

    async def submit(self) -> Order:
        """Submit the order; the answer carries the 7-digit order number. Refuses (OrderIncomplete,
        nothing sent) while any step has problems; the provider's own refusals keep its message.
        Once submitted, the saved draft and the working files are removed."""
        problems = self.wizard.problems()
        if problems:
            raise OrderIncomplete(problems)
        try:
            await self.sync_order()
            order = await self.client.submit(
                await self.ensure_order(), authorize_payment=self.draft.authorize_payment
            )
        except http.Conflict:
            # "Only a draft can be changed": the provider took this order already (the app stopped
            # right after an earlier Submit). Read it: submitted, it ends here as submitted.
            settled = await self.settle_if_submitted()
            if settled is None:
                raise
            return settled
        return await self._submitted(order)

    async def settle_if_submitted(self) -> Order | None:
        """When this draft's order is no longer a draft at the provider (submitted before the app
        stopped), finish as submitted — the draft and working files go, `OrderSubmitted` is
        announced — and return the order; None while it is still a draft (or has none)."""
        if self.draft.remote_order_id is None:
            return None
        order = await self.client.order(self.draft.remote_order_id)
        if order.status is OrderStatus.DRAFT:
            return None
        return await self._submitted(order)

    async def _submitted(self, order: Order) -> Order:
        self.close()  # no more uploads for an order that is no longer a draft
        self.draft.order_number = order.order_number
        self.wizard.forget_saved()
        await self._cleanup()
        self.wizard.events.emit(OrderSubmitted(order))
        return order

    async def discard(self) -> None:
        """Throw the draft away: work stops, the provider's draft order and local files go."""
        self.close()
        self.wizard.forget_saved()
        if self.draft.remote_order_id is not None:
            await self._quietly(self.client.delete_order(self.draft.remote_order_id))
        await self._cleanup()

    async def _cleanup(self) -> None:
        await asyncio.to_thread(shutil.rmtree, self.work_dir, ignore_errors=True)


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)


def _failed(doc: DraftDocument) -> str:
    """What did not happen to `doc`, by the step it was in when it failed."""
    if doc.status is DocumentStatus.DOWNLOADING:
        return "did not download from Clio"
    if doc.status in (DocumentStatus.CHECKING, DocumentStatus.CONVERTING):
        return "could not be prepared"
    return "did not upload"
