"""Session sign-in, the provider profile and the reference data."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Response

from sandbox.legalconnect import models as m
from sandbox.legalconnect.deps import Context, CtxDep, User, UserDep, token_hash
from sandbox.legalconnect.errors import ApiError, error_responses
from sandbox.legalconnect.reference import (
    CASE_CATEGORIES,
    COURTS,
    COURTS_BY_ID,
    DOCUMENT_TYPES,
)
from sandbox.legalconnect.store import one, parse_stamp, stamp
from sandbox.seed import firm

SESSION_LIFETIME = timedelta(hours=12)

router = APIRouter(prefix="/api/v1")


def _session_out(ctx: Context, user: User, token: str | None, expires_at: datetime) -> m.SessionOut:
    firm_row = one(ctx.conn, "SELECT * FROM firms WHERE id = ?", user.firm_id)
    assert firm_row is not None
    return m.SessionOut(
        access_token=token,
        expires_at=expires_at,
        expires_in=max(0, int((expires_at - datetime.now(UTC)).total_seconds())),
        user=m.UserOut(id=user.id, name=user.name, email=user.email),
        firm=m.FirmOut(id=firm_row["id"], name=firm_row["name"]),
    )


@router.post(
    "/session",
    tags=["session"],
    status_code=201,
    summary="Sign in",
    description="Exchange email and password for a bearer token valid 12 hours. "
    "A wrong email or password answers 401 `invalid_credentials` (the same for both).",
    responses=error_responses(400, 401, 422),
)
async def sign_in(body: m.SignIn, ctx: CtxDep) -> m.SessionOut:
    """Check the password and open a session."""
    row = one(ctx.conn, "SELECT * FROM users WHERE email = ?", body.email.strip())
    offered = hashlib.sha256(body.password.encode()).hexdigest()
    if row is None or not hmac.compare_digest(offered, row["password_sha256"]):
        raise ApiError(401, "invalid_credentials", "The email or password is wrong.")
    token = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + SESSION_LIFETIME
    ctx.conn.execute(
        "INSERT INTO sessions (token_sha256, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        (token_hash(token), row["id"], stamp(), stamp(expires)),
    )
    user = User(row["id"], row["firm_id"], row["name"], row["email"], token_hash(token))
    return _session_out(ctx, user, token, expires)


@router.get(
    "/session",
    tags=["session"],
    summary="The current session",
    description="Who the bearer token belongs to and when it expires (no token in the answer).",
    responses=error_responses(401),
)
async def get_session(ctx: CtxDep, user: UserDep) -> m.SessionOut:
    """Describe the caller's session."""
    row = one(ctx.conn, "SELECT expires_at FROM sessions WHERE token_sha256 = ?", user.token_sha256)
    assert row is not None
    expires = parse_stamp(row["expires_at"])
    assert expires is not None
    return _session_out(ctx, user, None, expires)


@router.delete(
    "/session",
    tags=["session"],
    status_code=204,
    summary="Sign out",
    description="End the session; the token stops working at once.",
    responses=error_responses(401),
)
async def sign_out(ctx: CtxDep, user: UserDep) -> Response:
    """Forget the caller's token."""
    ctx.conn.execute("DELETE FROM sessions WHERE token_sha256 = ?", (user.token_sha256,))
    return Response(status_code=204)


def clio_enabled(ctx: Context) -> bool:
    row = one(ctx.conn, "SELECT value FROM provider_settings WHERE key = 'clio_enabled'")
    return row is None or row["value"] == "1"


@router.get(
    "/provider",
    tags=["provider"],
    summary="The Service Provider's profile",
    description="Public (no sign-in needed, so the sign-in window can show whose portal it is): name, "
    "support contact, and the Clio integration: on or off, Clio app ids and origins per region, the "
    "registered redirect URI, and the token broker's URL.",
    responses=error_responses(),
)
async def provider(ctx: CtxDep) -> m.ProviderOut:
    """Describe the provider."""
    clio_url = ctx.settings.clio_base_url.rstrip("/")
    regions = list(m.ClioRegion)
    return m.ProviderOut(
        name=firm.PROVIDER_NAME,
        slug=firm.PROVIDER_SLUG,
        support=m.SupportContact(
            email=f"support@{firm.PROVIDER_SLUG}.example",
            phone="+1 213 555 0147",
            hours="Mon-Fri 8:00-18:00 Pacific",
        ),
        clio=m.ClioIntegration(
            enabled=clio_enabled(ctx),
            client_ids=dict.fromkeys(regions, firm.CLIO_CLIENT_ID),
            base_urls=dict.fromkeys(regions, clio_url),
            redirect_uri=f"{clio_url}/oauth/approval",
            broker_token_url=f"{ctx.settings.base_url.rstrip('/')}/api/v1/clio/oauth/token",
        ),
    )


@router.get(
    "/reference/courts",
    tags=["reference"],
    summary="Courts this provider files into",
    description="Each court's size limits (bytes, per document and per order) and name-length limits.",
    responses=error_responses(401),
)
async def courts(_: UserDep) -> m.CourtList:
    """List the courts."""
    return m.CourtList(
        data=[
            m.CourtOut(
                id=c.id,
                name=c.name,
                county=c.county,
                efm=c.efm,
                max_document_bytes=c.max_document_bytes,
                max_order_bytes=c.max_order_bytes,
                max_file_name_length=c.max_file_name_length,
                max_document_title_length=c.max_document_title_length,
                max_case_title_length=c.max_case_title_length,
                word_copy_for_proposed_orders=c.word_copy_for_proposed_orders,
            )
            for c in COURTS
        ]
    )


@router.get(
    "/reference/case-categories",
    tags=["reference"],
    summary="Case categories and their case types",
    responses=error_responses(401),
)
async def case_categories(_: UserDep) -> m.CaseCategoryList:
    """List case categories with their types."""
    return m.CaseCategoryList(
        data=[
            m.CaseCategoryOut(
                id=c.id, name=c.name, case_types=[m.CaseTypeOut(id=t.id, name=t.name) for t in c.types]
            )
            for c in CASE_CATEGORIES
        ]
    )


@router.get(
    "/reference/document-types",
    tags=["reference"],
    summary="Document types (filing codes)",
    description="Filing codes with the court fee and lead/attachment rules. With `court_id`, "
    "`word_copy_required` says whether that court wants an editable Word copy too (proposed orders "
    "in Los Angeles and Orange).",
    responses=error_responses(400, 401),
)
async def document_types(_: UserDep, court_id: str | None = None) -> m.DocumentTypeList:
    """List document types, optionally for one court."""
    court = None
    if court_id is not None:
        court = COURTS_BY_ID.get(court_id)
        if court is None:
            raise ApiError(400, "unknown_court", f"There is no court {court_id!r}; see /reference/courts.")
    word_courts = [c.id for c in COURTS if c.word_copy_for_proposed_orders]
    return m.DocumentTypeList(
        data=[
            m.DocumentTypeOut(
                code=t.code,
                name=t.name,
                court_fee_cents=t.fee_cents,
                can_be_lead=t.can_be_lead,
                lead_only=t.lead_only,
                attachment_only=t.attachment_only,
                proposed_order=t.proposed_order,
                word_copy_required=t.word_copy_required(court),
                word_copy_required_courts=word_courts if t.proposed_order else [],
            )
            for t in DOCUMENT_TYPES
        ]
    )
