"""Order documents: describe (POST), upload the bytes (PUT, streamed), change, reorder, delete.

A document is created from its metadata first, then its file is streamed to
`PUT …/documents/{id}/content` as the raw request body. The bytes go straight to disk while their
SHA-256 is computed, so a 300 MB upload never sits in memory; the PDF check then runs in a worker
thread. A refused file leaves the document (and any earlier upload of it) untouched.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.requests import ClientDisconnect
from starlette.responses import FileResponse

from sandbox.legalconnect import models as m
from sandbox.legalconnect.api_orders import IdempotencyKey
from sandbox.legalconnect.deps import Context, CtxDep, UserDep, firm_order, get_ctx, require_draft
from sandbox.legalconnect.errors import ApiError, error_responses
from sandbox.legalconnect.pdfs import ContentRefused, check_pdf, sniff_word
from sandbox.legalconnect.reference import COURTS_BY_ID, DOCUMENT_TYPES_BY_CODE
from sandbox.legalconnect.store import (
    created_with_key,
    document_out,
    one,
    order_documents,
    remember_key,
    stamp,
    tx,
)

MAX_UPLOAD_BYTES = 512 * 1024 * 1024
"""The service's own cap on one upload. Court limits (smaller) are checked at submit."""
GLOBAL_NAME_LIMIT = 250
_CHUNK = 1024 * 1024

router = APIRouter(prefix="/api/v1", tags=["documents"])


def _document(ctx: Context, order_id: int, document_id: int) -> sqlite3.Row:
    row = one(ctx.conn, "SELECT * FROM documents WHERE id = ? AND order_id = ?", document_id, order_id)
    if row is None:
        raise ApiError(404, "document_not_found", f"Order {order_id} has no document {document_id}.")
    return row


def _check_name(name: str, order: sqlite3.Row) -> None:
    if any(c in name for c in '/\\:*?"<>|') or any(ord(c) < 32 for c in name) or name.strip() != name:
        raise ApiError(
            422,
            "invalid_name",
            f'The name {name!r} has characters the court does not accept (/ \\ : * ? " < > |, control '
            "characters, or leading/trailing spaces).",
        )
    court = COURTS_BY_ID.get(order["court_id"] or "")
    limit = court.max_file_name_length if court else GLOBAL_NAME_LIMIT
    if len(name) > limit:
        where = court.name if court else "this service"
        raise ApiError(
            422,
            "name_too_long",
            f"The name is {len(name)} characters; {where} allows at most {limit}.",
            {"limit": limit},
        )


def _check_role(filing_code: str, role: m.DocumentRole) -> None:
    doc_type = DOCUMENT_TYPES_BY_CODE.get(filing_code)
    if doc_type is None:
        raise ApiError(
            422,
            "unknown_filing_code",
            f"There is no document type {filing_code!r}; see /reference/document-types.",
        )
    if role == m.DocumentRole.lead and doc_type.attachment_only:
        raise ApiError(
            422, "attachment_only_type", f"A {doc_type.name} can only be an attachment, not the lead."
        )
    if role == m.DocumentRole.attachment and doc_type.lead_only:
        raise ApiError(422, "lead_only_type", f"A {doc_type.name} must be filed as the lead document.")


@router.post(
    "/orders/{order_id}/documents",
    status_code=201,
    summary="Add a document to a draft",
    description="Describe the document (name, filing code, lead or attachment); then upload its file with "
    "`PUT …/content`. `kind: word_copy` with `word_copy_of` adds the editable Word copy some courts want "
    "beside a proposed order's PDF.",
    responses=error_responses(400, 401, 404, 409, 422),
)
async def add_document(
    order_id: int, body: m.DocumentCreate, ctx: CtxDep, user: UserDep, idempotency_key: IdempotencyKey = None
) -> m.DocumentOut:
    """Create the document's record."""
    order = firm_order(ctx, user, order_id)
    earlier = created_with_key(ctx.conn, user.firm_id, idempotency_key, "document")
    if earlier is not None and one(ctx.conn, "SELECT id FROM documents WHERE id = ?", earlier) is not None:
        return document_out(_document(ctx, order_id, earlier))
    require_draft(order, "take new documents")
    _check_name(body.name, order)
    filing_code, role = body.filing_code, body.role
    if body.kind == m.DocumentKind.word_copy:
        parent = one(
            ctx.conn,
            "SELECT * FROM documents WHERE id = ? AND order_id = ? AND kind = 'filing'",
            body.word_copy_of,
            order_id,
        )
        if parent is None:
            raise ApiError(422, "unknown_document", "`word_copy_of` must name a PDF document of this order.")
        filing_code, role = parent["filing_code"], m.DocumentRole.attachment
    else:
        if body.word_copy_of is not None:
            raise ApiError(422, "validation_error", "`word_copy_of` is only for `kind: word_copy`.")
        _check_role(filing_code, role)
    sort_order = body.sort_order
    if sort_order is None:
        sort_order = ctx.conn.execute(
            "SELECT COALESCE(MAX(sort_order) + 1, 0) FROM documents WHERE order_id = ?", (order_id,)
        ).fetchone()[0]
    with tx(ctx.conn):
        cur = ctx.conn.execute(
            "INSERT INTO documents (order_id, kind, word_copy_of, name, filing_code, role, sort_order)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (order_id, body.kind.value, body.word_copy_of, body.name, filing_code, role.value, sort_order),
        )
        ctx.conn.execute("UPDATE orders SET updated_at = ? WHERE id = ?", (stamp(), order_id))
        remember_key(ctx.conn, user.firm_id, idempotency_key, "document", int(cur.lastrowid or 0))
    return document_out(_document(ctx, order_id, int(cur.lastrowid or 0)))


@router.get(
    "/orders/{order_id}/documents/{document_id}",
    summary="One document",
    responses=error_responses(401, 404),
)
async def get_document(order_id: int, document_id: int, ctx: CtxDep, user: UserDep) -> m.DocumentOut:
    """The document with its upload facts and review result."""
    firm_order(ctx, user, order_id)
    return document_out(_document(ctx, order_id, document_id))


@router.patch(
    "/orders/{order_id}/documents/{document_id}",
    summary="Change a document of a draft",
    responses=error_responses(400, 401, 404, 409, 422),
)
async def patch_document(
    order_id: int, document_id: int, body: m.DocumentPatch, ctx: CtxDep, user: UserDep
) -> m.DocumentOut:
    """Rename, retype, change lead/attachment or position."""
    order = firm_order(ctx, user, order_id)
    require_draft(order, "have its documents changed")
    doc = _document(ctx, order_id, document_id)
    values: dict[str, Any] = body.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    if "name" in values:
        _check_name(values["name"], order)
    if doc["kind"] == "filing" and ("filing_code" in values or "role" in values):
        _check_role(
            values.get("filing_code", doc["filing_code"]), m.DocumentRole(values.get("role", doc["role"]))
        )
    elif doc["kind"] == "word_copy" and ({"filing_code", "role"} & set(values)):
        raise ApiError(422, "validation_error", "A Word copy takes the filing code and role of its PDF.")
    if values:
        with tx(ctx.conn):
            ctx.conn.execute(
                f"UPDATE documents SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",  # noqa: S608
                [*values.values(), document_id],
            )
            ctx.conn.execute("UPDATE orders SET updated_at = ? WHERE id = ?", (stamp(), order_id))
    return document_out(_document(ctx, order_id, document_id))


@router.delete(
    "/orders/{order_id}/documents/{document_id}",
    status_code=204,
    summary="Remove a document from a draft",
    description="Its Word copy, if any, goes with it.",
    responses=error_responses(401, 404, 409),
)
async def delete_document(order_id: int, document_id: int, ctx: CtxDep, user: UserDep) -> Response:
    """Remove the document and its file."""
    order = firm_order(ctx, user, order_id)
    require_draft(order, "have documents removed")
    _document(ctx, order_id, document_id)
    rows = ctx.conn.execute(
        "SELECT * FROM documents WHERE order_id = ? AND (id = ? OR word_copy_of = ?)",
        (order_id, document_id, document_id),
    ).fetchall()
    with tx(ctx.conn):
        ctx.conn.executemany("DELETE FROM documents WHERE id = ?", [(r["id"],) for r in rows])
        ctx.conn.execute("UPDATE orders SET updated_at = ? WHERE id = ?", (stamp(), order_id))
    for r in rows:
        if r["path"]:
            (ctx.files / r["path"]).unlink(missing_ok=True)
    return Response(status_code=204)


@router.post(
    "/orders/{order_id}/documents/reorder",
    summary="Reorder a draft's documents",
    description="Send every document id of the order once, in the new order.",
    responses=error_responses(400, 401, 404, 409, 422),
)
async def reorder(order_id: int, body: m.DocumentReorder, ctx: CtxDep, user: UserDep) -> list[m.DocumentOut]:
    """Set `sort_order` from the position in `document_ids`."""
    order = firm_order(ctx, user, order_id)
    require_draft(order, "be reordered")
    current = {d["id"] for d in order_documents(ctx.conn, order_id)}
    if len(body.document_ids) != len(set(body.document_ids)) or set(body.document_ids) != current:
        raise ApiError(
            422,
            "invalid_document_order",
            "document_ids must list every document of the order exactly once.",
            {"expected": sorted(current)},
        )
    with tx(ctx.conn):
        ctx.conn.executemany(
            "UPDATE documents SET sort_order = ? WHERE id = ?", list(enumerate(body.document_ids))
        )
        ctx.conn.execute("UPDATE orders SET updated_at = ? WHERE id = ?", (stamp(), order_id))
    return [document_out(d) for d in order_documents(ctx.conn, order_id)]


_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "description": "The raw file. A filing must be a PDF; a Word copy DOCX, DOC or RTF.",
        "content": {
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in (
                "application/pdf",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/msword",
                "application/rtf",
                "application/octet-stream",
            )
        },
    }
}


async def _receive(request: Request, target: Path) -> tuple[int, str]:
    """Stream the body into `target`; return its size and SHA-256."""
    digest, size = hashlib.sha256(), 0
    with target.open("wb") as fh:
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    raise ApiError(
                        413, "upload_too_large", f"Uploads are limited to {MAX_UPLOAD_BYTES // 2**20} MB."
                    )
                digest.update(chunk)
                fh.write(chunk)
        except ClientDisconnect:
            # The client went away mid-upload (its process ended, its network dropped): nothing is
            # stored, and the answer goes nowhere. Not a failure of the service.
            raise ApiError(
                400, "upload_interrupted", "The upload ended before all of the file arrived."
            ) from None
    return size, digest.hexdigest()


@router.put(
    "/orders/{order_id}/documents/{document_id}/content",
    summary="Upload a document's file (streamed)",
    description="Send the raw bytes as the body. Only an unencrypted, non-fillable, readable PDF is "
    "accepted for a filing (`not_a_pdf`, `encrypted_pdf`, `fillable_pdf`, `damaged_pdf`, `empty_file`, "
    "`empty_pdf` otherwise). Answers the size, page count and SHA-256. Uploading again replaces the file.",
    openapi_extra=_UPLOAD_BODY,
    responses=error_responses(400, 401, 404, 409, 413, 422),
)
async def upload(
    order_id: int,
    document_id: int,
    request: Request,
    ctx: Annotated[Context, Depends(get_ctx)],
    user: UserDep,
) -> m.DocumentOut:
    """Receive, check and store the document's bytes."""
    order = firm_order(ctx, user, order_id)
    require_draft(order, "take uploads")
    doc = _document(ctx, order_id, document_id)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
        raise ApiError(413, "upload_too_large", f"Uploads are limited to {MAX_UPLOAD_BYTES // 2**20} MB.")
    part = ctx.files / "uploads" / f"{uuid.uuid4().hex}.part"
    try:
        size, sha256 = await _receive(request, part)
        try:
            if doc["kind"] == "filing":
                pages: int | None = (await asyncio.to_thread(check_pdf, part, doc["name"])).page_count
                content_type, ext = "application/pdf", ".pdf"
            else:
                pages, content_type = None, await asyncio.to_thread(sniff_word, part, doc["name"])
                ext = {"application/msword": ".doc", "application/rtf": ".rtf"}.get(content_type, ".docx")
        except ContentRefused as exc:
            raise ApiError(422, exc.code, exc.message) from exc
        # The order may have been submitted or the document removed while the bytes were arriving.
        require_draft(firm_order(ctx, user, order_id), "take uploads")
        doc = _document(ctx, order_id, document_id)
        relative = f"documents/{document_id}{ext}"
        if doc["path"] and doc["path"] != relative:
            (ctx.files / doc["path"]).unlink(missing_ok=True)
        part.replace(ctx.files / relative)
        with tx(ctx.conn):
            ctx.conn.execute(
                "UPDATE documents SET size_bytes = ?, page_count = ?, sha256 = ?, content_type = ?, path = ?,"
                " uploaded_at = ? WHERE id = ?",
                (size, pages, sha256, content_type, relative, stamp(), document_id),
            )
            ctx.conn.execute("UPDATE orders SET updated_at = ? WHERE id = ?", (stamp(), order_id))
    finally:
        part.unlink(missing_ok=True)
    return document_out(_document(ctx, order_id, document_id))


@router.get(
    "/orders/{order_id}/documents/{document_id}/content",
    summary="Download a document's uploaded file",
    response_class=FileResponse,
    responses={200: {"content": {"application/pdf": {}}}, **error_responses(401, 404)},
)
async def download_document(order_id: int, document_id: int, ctx: CtxDep, user: UserDep) -> FileResponse:
    """Stream the stored bytes back."""
    firm_order(ctx, user, order_id)
    doc = _document(ctx, order_id, document_id)
    if doc["path"] is None:
        raise ApiError(404, "content_not_uploaded", f"{doc['name']} has no uploaded file yet.")
    return FileResponse(
        ctx.files / doc["path"],
        media_type=doc["content_type"],
        filename=doc["name"],
        headers={"X-Content-SHA256": doc["sha256"]},
    )
