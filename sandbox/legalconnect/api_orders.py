"""Orders: create, change, list, delete, fee quote, submit, cancel, fee lines."""

from __future__ import annotations

import json
import secrets
import sqlite3
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response

from sandbox.legalconnect import fees
from sandbox.legalconnect import models as m
from sandbox.legalconnect.deps import Context, CtxDep, UserDep, firm_order, require_draft
from sandbox.legalconnect.errors import ApiError, error_responses
from sandbox.legalconnect.reference import CATEGORIES_BY_ID, COURTS_BY_ID, DOCUMENT_TYPES_BY_CODE
from sandbox.legalconnect.store import (
    add_outbox,
    created_with_key,
    order_documents,
    order_out,
    order_recipients,
    record_state,
    remember_key,
    stamp,
    tx,
)
from sandbox.legalconnect.store import fee_line_out as _fee_line_out

router = APIRouter(prefix="/api/v1", tags=["orders"])


def check_fields(values: dict[str, Any], current: sqlite3.Row | None) -> None:
    """Refuse unknown courts and case types, and titles longer than the court allows."""

    def merged(key: str) -> Any:
        return values[key] if key in values else (current[key] if current is not None else None)

    court_id, category_id, type_id = merged("court_id"), merged("case_category_id"), merged("case_type_id")
    if court_id is not None and court_id not in COURTS_BY_ID:
        raise ApiError(422, "unknown_court", f"There is no court {court_id!r}; see /reference/courts.")
    if category_id is not None and category_id not in CATEGORIES_BY_ID:
        raise ApiError(422, "unknown_case_category", f"There is no case category {category_id!r}.")
    if type_id is not None:
        category = CATEGORIES_BY_ID.get(category_id or "")
        if category is None or type_id not in {t.id for t in category.types}:
            raise ApiError(
                422,
                "unknown_case_type",
                f"Case type {type_id!r} does not belong to category {category_id!r}.",
            )


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    cols: dict[str, Any] = {}
    for key, value in values.items():
        if key == "parties":
            cols["parties_json"] = json.dumps(value or [])
        elif key == "clio":
            cols["clio_json"] = json.dumps(value) if value else None
        elif key == "notify_emails":
            cols["notify_json"] = json.dumps(value or [])
        elif key in ("new_case", "expert_review"):
            cols[key] = int(bool(value)) if value is not None else (1 if key == "new_case" else 0)
        else:
            cols[key] = value
    return cols


@router.get(
    "/orders",
    summary="List the firm's orders",
    description="Newest change first. `updated_since` (ISO 8601 with a time zone) returns orders changed "
    "at or after that instant — pass the previous answer's `server_time` to poll incrementally. "
    "`status` may repeat. `q` searches the order number, case title and case number.",
    responses=error_responses(400, 401),
)
async def list_orders(
    ctx: CtxDep,
    user: UserDep,
    status: Annotated[list[m.OrderStatus] | None, Query()] = None,
    updated_since: datetime | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> m.OrderList:
    """One page of orders."""
    server_time = datetime.now(UTC)
    where, args = ["firm_id = ?"], [user.firm_id]
    if updated_since is not None:
        if updated_since.tzinfo is None:
            raise ApiError(400, "invalid_parameter", "updated_since must include a time zone, e.g. Z.")
        where.append("updated_at >= ?")
        args.append(stamp(updated_since))
    if status:
        where.append(f"status IN ({', '.join('?' * len(status))})")
        args.extend(s.value for s in status)
    if q:
        where.append("(order_number LIKE ? OR case_title LIKE ? OR case_number LIKE ?)")
        args.extend([f"%{q}%"] * 3)
    clause = " AND ".join(where)
    total = ctx.conn.execute(f"SELECT COUNT(*) FROM orders WHERE {clause}", args).fetchone()[0]  # noqa: S608
    rows = ctx.conn.execute(
        f"SELECT * FROM orders WHERE {clause} ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?",  # noqa: S608
        [*args, limit, offset],
    ).fetchall()
    return m.OrderList(
        data=[order_out(ctx.conn, r) for r in rows],
        paging=m.Paging(
            limit=limit,
            offset=offset,
            total=total,
            next_offset=offset + limit if offset + limit < total else None,
        ),
        server_time=server_time,
    )


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="A key the client chose for this creation. Repeating the request with the same key "
        "(after a lost answer) answers the order or document the first one created instead of making "
        "another. Keys are kept per firm; one used for another kind of request answers 422.",
    ),
]


@router.post(
    "/orders",
    status_code=201,
    summary="Create a draft order",
    responses=error_responses(400, 401, 422),
)
async def create_order(
    body: m.OrderWrite, ctx: CtxDep, user: UserDep, idempotency_key: IdempotencyKey = None
) -> m.OrderOut:
    """Start a draft with whatever case details are known so far."""
    earlier = created_with_key(ctx.conn, user.firm_id, idempotency_key, "order")
    if earlier is not None:
        return order_out(ctx.conn, firm_order(ctx, user, earlier))
    values = body.model_dump(mode="json", exclude_unset=True)
    check_fields(values, None)
    now = stamp()
    cols = {**_columns(values), "firm_id": user.firm_id, "created_by": user.id, "status": "draft"}
    cols |= {"created_at": now, "updated_at": now}
    with tx(ctx.conn):
        cur = ctx.conn.execute(
            f"INSERT INTO orders ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",  # noqa: S608
            list(cols.values()),
        )
        order_id = int(cur.lastrowid or 0)
        remember_key(ctx.conn, user.firm_id, idempotency_key, "order", order_id)
    return order_out(ctx.conn, firm_order(ctx, user, order_id))


@router.get("/orders/{order_id}", summary="One order", responses=error_responses(401, 404))
async def get_order(order_id: int, ctx: CtxDep, user: UserDep) -> m.OrderOut:
    """The order with its documents, fee lines and outcome."""
    return order_out(ctx.conn, firm_order(ctx, user, order_id))


@router.patch(
    "/orders/{order_id}",
    summary="Change an order",
    description="Changes only the fields sent. A draft accepts every field; a submitted order accepts "
    "only `clio` (where returned documents go) — anything else answers 409 `order_not_draft`.",
    responses=error_responses(400, 401, 404, 409, 422),
)
async def patch_order(order_id: int, body: m.OrderWrite, ctx: CtxDep, user: UserDep) -> m.OrderOut:
    """Update a draft (or the Clio link of any order)."""
    order = firm_order(ctx, user, order_id)
    values = body.model_dump(mode="json", exclude_unset=True)
    if set(values) - {"clio"}:
        require_draft(order, "be changed (only `clio` can change after submit)")
    check_fields(values, order)
    cols = _columns(values) | {"updated_at": stamp()}
    ctx.conn.execute(
        f"UPDATE orders SET {', '.join(f'{k} = ?' for k in cols)} WHERE id = ?",  # noqa: S608
        [*cols.values(), order_id],
    )
    return order_out(ctx.conn, firm_order(ctx, user, order_id))


@router.delete(
    "/orders/{order_id}",
    status_code=204,
    summary="Delete a draft",
    responses=error_responses(401, 404, 409),
)
async def delete_order(order_id: int, ctx: CtxDep, user: UserDep) -> Response:
    """Delete a draft and its uploaded files."""
    order = firm_order(ctx, user, order_id)
    require_draft(order, "be deleted")
    paths = [d["path"] for d in order_documents(ctx.conn, order_id) if d["path"]]
    ctx.conn.execute("DELETE FROM orders WHERE id = ?", (order_id,))
    for path in paths:
        (ctx.files / path).unlink(missing_ok=True)
    return Response(status_code=204)


@router.get(
    "/orders/{order_id}/fee-quote",
    summary="Fee quote",
    description="What submitting now would cost, line by line. Final amounts come with the decision "
    "(`fee_lines`): rejected documents then carry no court fee.",
    responses=error_responses(401, 404),
)
async def fee_quote(order_id: int, ctx: CtxDep, user: UserDep) -> m.FeeQuote:
    """Quote the fees of the order's current documents."""
    order = firm_order(ctx, user, order_id)
    lines = fees.compute(bool(order["expert_review"]), order_documents(ctx.conn, order_id), decided=False)
    return m.FeeQuote(
        order_id=order_id,
        lines=[
            m.FeeLineOut(
                id=None,
                code=f.code,
                description=f.description,
                amount_cents=f.amount_cents,
                document_id=f.document_id,
                filing_code=f.filing_code,
                clio_expense_category=f.clio_category,
            )
            for f in lines
        ],
        total_cents=sum(f.amount_cents for f in lines),
        note="The card is pre-authorised at submission; court fees of rejected documents are released.",
    )


def _submit_problems(ctx: Context, order: sqlite3.Row, docs: list[sqlite3.Row]) -> None:
    court = COURTS_BY_ID.get(order["court_id"] or "")
    missing = [f for f in ("court_id", "case_category_id", "case_type_id", "case_title") if not order[f]]
    if not order["new_case"] and not order["case_number"]:
        missing.append("case_number")
    if missing or court is None:
        raise ApiError(
            422, "order_incomplete", f"Fill in {', '.join(missing)} before submitting.", {"missing": missing}
        )
    filings = [d for d in docs if d["kind"] == "filing"]
    if not filings:
        raise ApiError(422, "no_documents", "Add at least one document before submitting.")
    if empty := [d["name"] for d in docs if d["path"] is None]:
        raise ApiError(
            422,
            "document_content_missing",
            f"Upload the file for {', '.join(empty)} first.",
            {"documents": empty},
        )
    leads = [d for d in filings if d["role"] == "lead"]
    if not leads:
        raise ApiError(422, "lead_required", "Mark exactly one document as the lead document.")
    if len(leads) > 1:
        names = [d["name"] for d in leads]
        raise ApiError(
            422,
            "multiple_leads",
            f"Only one lead document is allowed; {len(leads)} are marked.",
            {"leads": names},
        )
    word_copies = {d["word_copy_of"] for d in docs if d["kind"] == "word_copy"}
    for d in filings:
        doc_type = DOCUMENT_TYPES_BY_CODE[d["filing_code"]]
        if doc_type.word_copy_required(court) and d["id"] not in word_copies:
            raise ApiError(
                422,
                "word_copy_missing",
                f"{court.county} wants an editable Word copy of {d['name']} ({doc_type.name}); add one.",
                {"document_id": d["id"]},
            )
        if len(d["name"]) > court.max_file_name_length:
            raise ApiError(
                422,
                "name_too_long",
                f"{d['name']} is longer than the {court.max_file_name_length} characters this court allows.",
                {"document_id": d["id"], "limit": court.max_file_name_length},
            )
        if (d["size_bytes"] or 0) > court.max_document_bytes:
            raise ApiError(
                422,
                "document_too_large",
                f"{d['name']} is larger than the {court.max_document_bytes // 2**20} MB per document "
                "this court accepts; split it.",
                {"document_id": d["id"], "limit": court.max_document_bytes},
            )
    if sum(d["size_bytes"] or 0 for d in docs) > court.max_order_bytes:
        raise ApiError(
            422,
            "order_too_large",
            f"The documents together exceed the {court.max_order_bytes // 2**20} MB this court accepts "
            "per order; file them in two orders.",
            {"limit": court.max_order_bytes},
        )


def _new_order_number(conn: sqlite3.Connection) -> str:
    while True:
        number = str(1_000_000 + secrets.randbelow(9_000_000))
        if conn.execute("SELECT 1 FROM orders WHERE order_number = ?", (number,)).fetchone() is None:
            return number


@router.post(
    "/orders/{order_id}/submit",
    summary="Submit a draft to the court",
    description="Requires at least one document with its file uploaded, exactly one lead, the Word "
    "copies the court wants, sizes and names within the court's limits, and `authorize_payment: true`. "
    "Assigns the 7-digit order number; the court clerk decides after a delay.",
    responses=error_responses(400, 401, 404, 409, 422),
)
async def submit(order_id: int, body: m.SubmitRequest, ctx: CtxDep, user: UserDep) -> m.OrderOut:
    """Validate and submit the order."""
    order = firm_order(ctx, user, order_id)
    require_draft(order, "be submitted")
    docs = order_documents(ctx.conn, order_id)
    _submit_problems(ctx, order, docs)
    if not body.authorize_payment:
        raise ApiError(
            422, "payment_not_authorized", "Authorize the provider to pay the court fees (authorize_payment)."
        )
    now = stamp()
    review_due, clerk_due = ctx.clerk.due_times()
    with tx(ctx.conn):
        number = _new_order_number(ctx.conn)
        ctx.conn.execute(
            "UPDATE orders SET status = 'submitted', order_number = ?, submitted_at = ?, updated_at = ?,"
            " review_due_at = ?, clerk_due_at = ? WHERE id = ?",
            (number, now, now, review_due, clerk_due, order_id),
        )
        ctx.conn.execute("UPDATE documents SET review_result = 'pending' WHERE order_id = ?", (order_id,))
        add_outbox(
            ctx.conn,
            order_id,
            "order_submitted",
            order_recipients(ctx.conn, order),
            f"Order {number} submitted: {order['case_title']}",
            f"We received order {number} ({len(docs)} documents) and sent it to the court.",
        )
    ctx.clerk.wake()
    return order_out(ctx.conn, firm_order(ctx, user, order_id))


@router.post(
    "/orders/{order_id}/cancel",
    summary="Cancel a submitted order",
    description="Only while the court has not started its review (status `submitted`).",
    responses=error_responses(401, 404, 409),
)
async def cancel(order_id: int, ctx: CtxDep, user: UserDep) -> m.OrderOut:
    """Withdraw a submitted order before review."""
    order = firm_order(ctx, user, order_id)
    if order["status"] != "submitted":
        raise ApiError(
            409,
            "order_not_cancellable",
            f"Order is {order['status']}; only a submitted order can be cancelled.",
        )
    ctx.conn.execute(
        "UPDATE orders SET status = 'cancelled', clerk_due_at = NULL, updated_at = ? WHERE id = ?",
        (stamp(), order_id),
    )
    return order_out(ctx.conn, firm_order(ctx, user, order_id))


@router.get(
    "/orders/{order_id}/fee-lines",
    summary="Itemised fee lines after the decision",
    description="Empty until the clerk decides. Each line's Clio expense record tells whether it has "
    "been posted to Clio (see the claim routes).",
    responses=error_responses(401, 404),
)
async def fee_lines(order_id: int, ctx: CtxDep, user: UserDep) -> m.FeeLineList:
    """The final fee lines and their Clio expense state."""
    firm_order(ctx, user, order_id)
    rows = ctx.conn.execute("SELECT * FROM fee_lines WHERE order_id = ? ORDER BY id", (order_id,)).fetchall()
    return m.FeeLineList(
        data=[_fee_line_out(r) for r in rows],
        clio_expenses={r["id"]: record_state(ctx.conn, "fee_line", r["id"]) for r in rows},
    )
