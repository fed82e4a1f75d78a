"""Where the Clio client gets its bearer tokens: a small protocol the OAuth side implements.

The API client never sees refresh tokens, keyrings or the token broker; it asks for a valid access
token before each request and, after a 401, for a refreshed one exactly once.
"""

from __future__ import annotations

from typing import Protocol

from app.services import http

SERVICE = "Clio"


class ClioConnectionEnded(http.AuthRequired):
    """There is no Clio connection (never made, disconnected, or ended by Clio): connect again."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(SERVICE, "Clio connection ended — connect again.", 401, detail or "connection_ended")


class TokenSource(Protocol):
    """Hands out access tokens for one Clio connection."""

    async def access_token(self) -> str:
        """A valid access token (refreshed first when near expiry); ClioConnectionEnded when not connected."""
        ...

    async def refresh_after_unauthorized(self, rejected_token: str) -> str:
        """After a 401 with `rejected_token`: refresh once (single-flight) and return the new token;
        ClioConnectionEnded when Clio ended the connection."""
        ...
