"""Placing an order: draft orders, their documents (uploaded as streams), the fee quote, submission.

`OrderingCalls` is the part of `LegalConnectClient` behind the order wizard. Creating things (an
order, a document) and submitting are not retried: a repeat could create a second one or file
twice. Deleting and re-reading are. A submit whose answer is lost is settled by reading the order
again, so the user learns whether it was filed instead of guessing.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from app.services import http
from app.services.legalconnect.records import Order, OrderDocument, OrderStatus

if TYPE_CHECKING:
    import httpx

UploadProgress = Callable[[int, int], None]
"""Called with (bytes sent, bytes in the file) while a file uploads."""

UPLOAD_CHUNK = 1 << 20
"""Bytes read from disk per chunk: big enough to keep the socket busy, small enough to be cheap."""

_CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".rtf": "application/rtf",
}


class SubmitOutcomeUnknown(http.ServiceError):
    """The submit request went out but no answer came back, and the order could not be re-read."""


class UploadMismatch(http.ServiceError):
    """The service received different bytes from those the app read from disk."""


@dataclass(frozen=True)
class FeeLine:
    code: str
    description: str
    amount_cents: int
    document_id: int | None
    filing_code: str | None
    clio_expense_category: str


@dataclass(frozen=True)
class FeeQuote:
    """What submitting now would cost, line by line (cents)."""

    lines: tuple[FeeLine, ...]
    total_cents: int
    note: str = ""

    @classmethod
    def from_json(cls, raw: Any) -> FeeQuote:
        lines = tuple(
            FeeLine(
                code=str(line["code"]),
                description=str(line["description"]),
                amount_cents=int(line["amount_cents"]),
                document_id=line.get("document_id"),
                filing_code=line.get("filing_code"),
                clio_expense_category=str(line.get("clio_expense_category", "")),
            )
            for line in raw["lines"]
        )
        return cls(lines, int(raw["total_cents"]), str(raw.get("note", "")))


async def _file_chunks(
    path: Path, size: int, digest: Any, progress: UploadProgress | None
) -> AsyncIterator[bytes]:
    """The file's bytes, one chunk at a time, hashed as they go. Reads run in a worker thread so
    a slow disk never stalls the GUI's event loop; never more than `size` bytes are sent, the
    length already promised in Content-Length."""
    handle: BinaryIO = await asyncio.to_thread(path.open, "rb")
    try:
        done = 0
        while done < size:
            chunk = await asyncio.to_thread(handle.read, min(UPLOAD_CHUNK, size - done))
            if not chunk:
                break
            done += len(chunk)
            digest.update(chunk)
            if progress is not None:
                progress(done, size)
            yield chunk
    finally:
        handle.close()


class OrderingCalls:
    """Order and document calls of `LegalConnectClient`."""

    service_name: str

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        raise NotImplementedError  # provided by LegalConnectClient

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        raise NotImplementedError  # provided by LegalConnectClient

    def _parse(self, parse: Callable[[Any], Any], raw: Any) -> Any:
        raise NotImplementedError  # provided by LegalConnectClient

    async def order(self, order_id: int) -> Order:
        raise NotImplementedError  # provided by LegalConnectClient

    def _order(self, raw: Any) -> Order:
        result: Order = self._parse(Order.from_json, raw)
        return result

    def _document(self, raw: Any) -> OrderDocument:
        result: OrderDocument = self._parse(OrderDocument.from_json, raw)
        return result

    # -- orders ---------------------------------------------------------------------------------

    async def create_order(self, fields: Mapping[str, Any], key: str | None = None) -> Order:
        """Start a draft order with the case fields known so far. With `key` (the client's
        Idempotency-Key) it is safe to repeat, so transient failures are retried: a repeat answers
        the order the first request made. Without a key it is never retried."""
        if key is None:
            return self._order(await self._json("POST", "orders", json=dict(fields)))
        headers = {"Idempotency-Key": key}
        return self._order(
            await http.retrying(lambda: self._json("POST", "orders", json=dict(fields), headers=headers))
        )

    async def update_order(self, order_id: int, fields: Mapping[str, Any]) -> Order:
        """Change the fields sent (a PATCH sets the same values however often it is repeated)."""
        raw = await http.retrying(lambda: self._json("PATCH", f"orders/{order_id}", json=dict(fields)))
        return self._order(raw)

    async def delete_order(self, order_id: int) -> None:
        """Delete a draft order and its uploaded files; one already gone counts as deleted."""
        await self._delete(f"orders/{order_id}")

    async def _delete(self, path: str) -> None:
        # A repeated delete whose first answer was lost finds nothing: the goal is reached.
        with contextlib.suppress(http.NotFound):
            await http.retrying(lambda: self._send("DELETE", path))

    # -- documents ------------------------------------------------------------------------------

    async def add_document(
        self,
        order_id: int,
        name: str,
        filing_code: str,
        role: str,
        kind: str = "filing",
        word_copy_of: int | None = None,
        sort_order: int | None = None,
        key: str | None = None,
    ) -> OrderDocument:
        """Describe a document of a draft; its file follows with `upload_document_content`. With
        `key` (an Idempotency-Key) transient failures are retried."""
        body: dict[str, Any] = {"name": name, "filing_code": filing_code, "role": role, "kind": kind}
        if word_copy_of is not None:
            body["word_copy_of"] = word_copy_of
        if sort_order is not None:
            body["sort_order"] = sort_order
        path = f"orders/{order_id}/documents"
        if key is None:
            return self._document(await self._json("POST", path, json=body))
        headers = {"Idempotency-Key": key}  # a repeat answers the same document: safe to retry
        return self._document(
            await http.retrying(lambda: self._json("POST", path, json=body, headers=headers))
        )

    async def update_document(
        self,
        order_id: int,
        document_id: int,
        *,
        name: str | None = None,
        filing_code: str | None = None,
        role: str | None = None,
        sort_order: int | None = None,
    ) -> OrderDocument:
        """Rename, retype, change lead/attachment or position of a draft's document."""
        changes = {"name": name, "filing_code": filing_code, "role": role, "sort_order": sort_order}
        body = {key: value for key, value in changes.items() if value is not None}
        path = f"orders/{order_id}/documents/{document_id}"
        return self._document(await http.retrying(lambda: self._json("PATCH", path, json=body)))

    async def delete_document(self, order_id: int, document_id: int) -> None:
        """Remove a document (and its Word copy) from a draft; one already gone counts as removed."""
        await self._delete(f"orders/{order_id}/documents/{document_id}")

    async def reorder_documents(self, order_id: int, document_ids: Sequence[int]) -> list[OrderDocument]:
        """Put the order's documents in this order (every document id once, Word copies too)."""
        path, body = f"orders/{order_id}/documents/reorder", {"document_ids": list(document_ids)}
        raw = await http.retrying(lambda: self._json("POST", path, json=body))
        return [self._document(item) for item in raw]

    async def upload_document_content(
        self, order_id: int, document_id: int, path: Path, progress: UploadProgress | None = None
    ) -> OrderDocument:
        """Stream the file at `path` as the document's content; answer the stored size, page count
        and SHA-256. The file is read in chunks (never whole into memory), and the service's SHA-256
        must match the one computed while reading, or `UploadMismatch` is raised."""
        size = (await asyncio.to_thread(path.stat)).st_size
        headers = {
            "Content-Length": str(size),
            "Content-Type": _CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream"),
        }
        digest = hashlib.sha256()

        async def once() -> Any:
            nonlocal digest
            digest = hashlib.sha256()  # each attempt reads (and hashes) the file afresh
            return await self._json(
                "PUT",
                f"orders/{order_id}/documents/{document_id}/content",
                content=_file_chunks(path, size, digest, progress),
                headers=headers,
            )

        # The content replaces what was there on every PUT: safe to repeat after a hiccup.
        raw = await http.retrying(once)
        document = self._document(raw)
        if document.sha256 != digest.hexdigest() or document.size_bytes != size:
            raise UploadMismatch(
                self.service_name,
                f"“{document.name}” did not arrive intact at {self.service_name}. Upload it again.",
                f"sent {size} bytes, service stored {document.size_bytes}",
            )
        return document

    # -- fees and submission --------------------------------------------------------------------

    async def fee_quote(self, order_id: int) -> FeeQuote:
        """What submitting the order now would cost, line by line."""
        raw = await http.retrying(lambda: self._json("GET", f"orders/{order_id}/fee-quote"))
        result: FeeQuote = self._parse(FeeQuote.from_json, raw)
        return result

    async def submit(self, order_id: int, *, authorize_payment: bool = True) -> Order:
        """Submit the draft to the court; the answer carries the 7-digit order number.

        Never repeated automatically. When the connection fails after the request may have left,
        the order is read again: submitted → that order is returned; still a draft → the original
        error is raised (trying again is safe); unreadable → `SubmitOutcomeUnknown`."""
        body = {"authorize_payment": authorize_payment}
        try:
            raw = await self._json("POST", f"orders/{order_id}/submit", json=body)
        except (http.Unreachable, http.TimedOut) as lost:
            import httpx

            if isinstance(lost.__cause__, httpx.ConnectError | httpx.ConnectTimeout):
                raise  # the request never left this machine
            return await self._settle_submit(order_id, lost)
        return self._order(raw)

    async def _settle_submit(self, order_id: int, lost: http.ServiceError) -> Order:
        try:
            order = await self.order(order_id)
        except http.ServiceError as exc:
            raise SubmitOutcomeUnknown(
                self.service_name,
                f"The connection to {self.service_name} failed while submitting, and the app could "
                "not check whether the order went through. Refresh the orders list before trying again.",
                exc.detail,
            ) from lost
        if order.status is OrderStatus.DRAFT:
            raise lost
        return order
