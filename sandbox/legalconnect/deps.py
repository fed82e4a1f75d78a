"""What every route needs: the server context, the signed-in user, the caller's order."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import httpx
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sandbox.common.settings import LegalConnectSettings
from sandbox.legalconnect.errors import ApiError
from sandbox.legalconnect.store import one, stamp

if TYPE_CHECKING:
    from sandbox.legalconnect.clerk import Clerk


@dataclass
class Context:
    """The server's state, built once by `create_app` and reached through `request.app.state.ctx`."""

    settings: LegalConnectSettings
    conn: sqlite3.Connection
    clerk: Clerk
    http: httpx.AsyncClient | None = None
    files: Path = field(init=False)

    def __post_init__(self) -> None:
        self.files = self.settings.data_dir / "files"
        for sub in ("documents", "deliverables", "uploads"):
            (self.files / sub).mkdir(parents=True, exist_ok=True)


def get_ctx(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


@dataclass(frozen=True)
class User:
    id: int
    firm_id: int
    name: str
    email: str
    token_sha256: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_bearer = HTTPBearer(auto_error=False, description="The `access_token` from `POST /api/v1/session`.")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def current_user(
    ctx: Annotated[Context, Depends(get_ctx)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The signed-in user behind the bearer token, or 401."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(
            401,
            "authentication_required",
            "Sign in first: send Authorization: Bearer <token>.",
            headers=_CHALLENGE,
        )
    digest = token_hash(credentials.credentials)
    row = one(
        ctx.conn,
        "SELECT u.*, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_sha256 = ?",
        digest,
    )
    if row is None or row["expires_at"] <= stamp():
        raise ApiError(
            401,
            "invalid_token",
            "Your session has ended or the token is unknown. Sign in again.",
            headers=_CHALLENGE,
        )
    return User(row["id"], row["firm_id"], row["name"], row["email"], digest)


CtxDep = Annotated[Context, Depends(get_ctx)]
UserDep = Annotated[User, Depends(current_user)]


def firm_order(ctx: Context, user: User, order_id: int) -> sqlite3.Row:
    """The order if it belongs to the user's firm; other firms' orders are indistinguishable from none."""
    row = one(ctx.conn, "SELECT * FROM orders WHERE id = ? AND firm_id = ?", order_id, user.firm_id)
    if row is None:
        raise ApiError(404, "order_not_found", f"No order {order_id} for this account.")
    return row


def require_draft(order: sqlite3.Row, action: str) -> None:
    if order["status"] != "draft":
        raise ApiError(
            409,
            "order_not_draft",
            f"Order {order['order_number'] or order['id']} is {order['status']}; only a draft can {action}.",
        )
