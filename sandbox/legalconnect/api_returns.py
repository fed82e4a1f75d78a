"""Deliverables (what the court returned) and the Clio filing records that make filing exactly-once.

Claim → acknowledge: before a workstation files a deliverable into Clio (or posts a fee line as a
Clio expense) it claims it. The claim is a lease: while it lives, another workstation's claim gets
409 `already_claimed`; once acknowledged with the Clio id, every claim gets 409 `already_filed`
(with that id in `details`). A workstation that crashed simply claims again with the same
`workstation_id` (it gets its lease back) or waits for the lease to expire; releasing gives it up.
"""

from __future__ import annotations

import secrets
import sqlite3
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Response
from starlette.responses import FileResponse

from sandbox.legalconnect import models as m
from sandbox.legalconnect.deps import Context, CtxDep, User, UserDep, firm_order
from sandbox.legalconnect.errors import ApiError, error_responses
from sandbox.legalconnect.store import deliverable_out, one, parse_stamp, stamp

router = APIRouter(prefix="/api/v1")


def _deliverable(ctx: Context, order_id: int, deliverable_id: int) -> sqlite3.Row:
    row = one(ctx.conn, "SELECT * FROM deliverables WHERE id = ? AND order_id = ?", deliverable_id, order_id)
    if row is None:
        raise ApiError(404, "deliverable_not_found", f"Order {order_id} has no deliverable {deliverable_id}.")
    return row


@router.get(
    "/orders/{order_id}/deliverables",
    tags=["deliverables"],
    summary="Documents the court returned for an order",
    description="Conformed copies, the receipt, notices with reject reasons, and signed orders (which may "
    "arrive after the order was closed; the order's `updated_at` moves when one does).",
    responses=error_responses(401, 404),
)
async def list_deliverables(order_id: int, ctx: CtxDep, user: UserDep) -> m.DeliverableList:
    """The order's returned documents, oldest first."""
    order = firm_order(ctx, user, order_id)
    rows = ctx.conn.execute(
        "SELECT * FROM deliverables WHERE order_id = ? ORDER BY id", (order_id,)
    ).fetchall()
    return m.DeliverableList(data=[deliverable_out(ctx.conn, r, order["order_number"]) for r in rows])


@router.get(
    "/orders/{order_id}/deliverables/{deliverable_id}",
    tags=["deliverables"],
    summary="One returned document",
    responses=error_responses(401, 404),
)
async def get_deliverable(order_id: int, deliverable_id: int, ctx: CtxDep, user: UserDep) -> m.DeliverableOut:
    """Describe one returned document."""
    order = firm_order(ctx, user, order_id)
    return deliverable_out(ctx.conn, _deliverable(ctx, order_id, deliverable_id), order["order_number"])


@router.get(
    "/orders/{order_id}/deliverables/{deliverable_id}/content",
    tags=["deliverables"],
    summary="Download a returned document (streamed PDF)",
    response_class=FileResponse,
    responses={200: {"content": {"application/pdf": {}}}, **error_responses(401, 404)},
)
async def download_deliverable(
    order_id: int, deliverable_id: int, ctx: CtxDep, user: UserDep
) -> FileResponse:
    """Stream the PDF."""
    firm_order(ctx, user, order_id)
    row = _deliverable(ctx, order_id, deliverable_id)
    return FileResponse(
        ctx.files / row["path"],
        media_type="application/pdf",
        filename=row["name"],
        headers={"X-Content-SHA256": row["sha256"]},
    )


def _claim_out(row: sqlite3.Row) -> m.ClaimOut:
    return m.ClaimOut(
        claim_id=row["claim_id"],
        target=row["target"],
        target_id=row["target_id"],
        order_id=row["order_id"],
        workstation_id=row["workstation_id"],
        status=row["status"],
        lease_expires_at=parse_stamp(row["lease_expires_at"]),
        clio_id=row["clio_id"],
        filed_at=parse_stamp(row["filed_at"]),
    )


def _claim(
    ctx: Context, user: User, target: str, target_id: int, order_id: int, body: m.ClaimRequest
) -> m.ClaimOut:
    row = one(ctx.conn, "SELECT * FROM clio_records WHERE target = ? AND target_id = ?", target, target_id)
    what = "deliverable" if target == "deliverable" else "fee line"
    if row is not None and row["status"] == "filed":
        raise ApiError(
            409,
            "already_filed",
            f"This {what} is already in Clio (id {row['clio_id']}); do not file it again.",
            {"clio_id": row["clio_id"], "filed_at": row["filed_at"]},
        )
    live = row is not None and row["lease_expires_at"] > stamp()
    if row is not None and live and row["workstation_id"] != body.workstation_id:
        raise ApiError(
            409,
            "already_claimed",
            f"Workstation {row['workstation_id']} is filing this {what} now; try again after "
            f"{row['lease_expires_at']}.",
            {"workstation_id": row["workstation_id"], "lease_expires_at": row["lease_expires_at"]},
        )
    claim_id = row["claim_id"] if row is not None and live else f"clm_{secrets.token_urlsafe(12)}"
    expires = stamp(datetime.now(UTC) + timedelta(seconds=body.lease_seconds))
    ctx.conn.execute(
        "INSERT OR REPLACE INTO clio_records (target, target_id, order_id, firm_id, claim_id, workstation_id,"
        " claimed_by, lease_expires_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'claimed')",
        (target, target_id, order_id, user.firm_id, claim_id, body.workstation_id, user.id, expires),
    )
    row = one(ctx.conn, "SELECT * FROM clio_records WHERE claim_id = ?", claim_id)
    assert row is not None
    return _claim_out(row)


_CLAIM_DESCRIPTION = (
    "Take a lease before filing into Clio. 201 with the claim; 409 `already_claimed` while another "
    "workstation holds a live lease; 409 `already_filed` once acknowledged. The same `workstation_id` "
    "claiming again renews its own lease."
)


@router.post(
    "/orders/{order_id}/deliverables/{deliverable_id}/clio-claim",
    tags=["clio filing records"],
    status_code=201,
    summary="Claim a deliverable for filing into Clio",
    description=_CLAIM_DESCRIPTION,
    responses=error_responses(400, 401, 404, 409, 422),
)
async def claim_deliverable(
    order_id: int, deliverable_id: int, body: m.ClaimRequest, ctx: CtxDep, user: UserDep
) -> m.ClaimOut:
    """Lease the deliverable to this workstation."""
    firm_order(ctx, user, order_id)
    _deliverable(ctx, order_id, deliverable_id)
    return _claim(ctx, user, "deliverable", deliverable_id, order_id, body)


@router.post(
    "/orders/{order_id}/fee-lines/{fee_line_id}/clio-claim",
    tags=["clio filing records"],
    status_code=201,
    summary="Claim a fee line for posting as a Clio expense",
    description=_CLAIM_DESCRIPTION,
    responses=error_responses(400, 401, 404, 409, 422),
)
async def claim_fee_line(
    order_id: int, fee_line_id: int, body: m.ClaimRequest, ctx: CtxDep, user: UserDep
) -> m.ClaimOut:
    """Lease the fee line to this workstation."""
    firm_order(ctx, user, order_id)
    if one(ctx.conn, "SELECT 1 FROM fee_lines WHERE id = ? AND order_id = ?", fee_line_id, order_id) is None:
        raise ApiError(404, "fee_line_not_found", f"Order {order_id} has no fee line {fee_line_id}.")
    return _claim(ctx, user, "fee_line", fee_line_id, order_id, body)


def _firm_claim(ctx: Context, user: User, claim_id: str) -> sqlite3.Row:
    row = one(
        ctx.conn, "SELECT * FROM clio_records WHERE claim_id = ? AND firm_id = ?", claim_id, user.firm_id
    )
    if row is None:
        raise ApiError(
            404,
            "claim_not_found",
            f"No claim {claim_id}: it was released, or it expired and another workstation claimed it.",
        )
    return row


@router.get(
    "/clio-claims/{claim_id}",
    tags=["clio filing records"],
    summary="A claim or filing record",
    responses=error_responses(401, 404),
)
async def get_claim(claim_id: str, ctx: CtxDep, user: UserDep) -> m.ClaimOut:
    """Describe the claim."""
    return _claim_out(_firm_claim(ctx, user, claim_id))


@router.post(
    "/clio-claims/{claim_id}/acknowledge",
    tags=["clio filing records"],
    summary="Record that the claimed item is now in Clio",
    description="Send the Clio document id (deliverable) or activity id (fee line). Repeating the same "
    "acknowledgement is harmless; a different id for a filed item answers 409 `already_filed`.",
    responses=error_responses(400, 401, 404, 409, 422),
)
async def acknowledge(claim_id: str, body: m.AcknowledgeRequest, ctx: CtxDep, user: UserDep) -> m.ClaimOut:
    """Turn the claim into a completed filing record."""
    row = _firm_claim(ctx, user, claim_id)
    if row["status"] == "filed" and row["clio_id"] != body.clio_id:
        raise ApiError(
            409,
            "already_filed",
            f"Already recorded as Clio id {row['clio_id']}.",
            {"clio_id": row["clio_id"]},
        )
    if row["status"] != "filed":
        ctx.conn.execute(
            "UPDATE clio_records SET status = 'filed', clio_id = ?, filed_at = ? WHERE claim_id = ?",
            (body.clio_id, stamp(), claim_id),
        )
    return _claim_out(_firm_claim(ctx, user, claim_id))


@router.delete(
    "/clio-claims/{claim_id}",
    tags=["clio filing records"],
    status_code=204,
    summary="Release a claim without filing",
    responses=error_responses(401, 404, 409),
)
async def release(claim_id: str, ctx: CtxDep, user: UserDep) -> Response:
    """Give the lease up so another workstation may file the item."""
    row = _firm_claim(ctx, user, claim_id)
    if row["status"] == "filed":
        raise ApiError(409, "already_filed", "This item is already filed into Clio; the record stays.")
    ctx.conn.execute("DELETE FROM clio_records WHERE claim_id = ?", (claim_id,))
    return Response(status_code=204)
