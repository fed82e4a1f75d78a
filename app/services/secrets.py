"""Where passwords and tokens live: the OS keyring, or memory when there is none. Never a file.

`TokenStore` is the small protocol the services use (get / set / delete by `SecretKey`). The OS
keyring store (`app.services.keyring_store`) keeps each credential under our own service name, one
keyring entry per secret: "LegalConnect Desktop/<kind>" with the account as user name. Clio's
access and refresh tokens are separate entries because Windows caps one credential at 2,560 bytes.
`DeferredTokenStore` finds the keyring only when first needed (keyring's backend discovery is not
paid at start-up); when no usable backend exists it falls back to `MemoryTokenStore` and keeps a
notice for the UI to show; this layer itself never shows anything.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from app.services.errors import ServiceError

SERVICE = "LegalConnect Desktop"
NO_KEYRING_NOTICE = "No system keyring is available: sign-ins will not be remembered after you quit."
#: Windows stores a credential blob of at most 2,560 bytes as UTF-16: 1,280 characters.
MAX_SECRET_CHARS = 1280


class SecretKind(StrEnum):
    """What a secret is; its keyring service name is "LegalConnect Desktop/<value>"."""

    LEGALCONNECT_PASSWORD = "legalconnect"  # noqa: S105 - a keyring entry name, not a password
    LEGALCONNECT_SESSION = "legalconnect-session"
    CLIO_ACCESS = "clio-access"
    CLIO_REFRESH = "clio-refresh"
    #: Expiry, region and Clio user id: not secret, but they must live and die with the tokens.
    CLIO_GRANT = "clio-grant"
    #: The firm's own Clio app secret, in "direct" connection mode only.
    CLIO_APP_SECRET = "clio-app-secret"  # noqa: S105 - a keyring entry name, not a secret


logger = logging.getLogger(__name__)


class SecretStoreUnavailable(ServiceError):
    """The system keyring could not be used (locked, or its service stopped).

    A typed service failure, so whoever runs the work shows `user_message` where the user looks."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            "the system keyring",
            "Your computer's password store (keyring) could not be used, so the sign-in could not be "
            "read or saved. Unlock it (or sign in to your desktop again) and retry.",
            detail,
        )


@dataclass(frozen=True)
class SecretKey:
    """Which secret: its kind and whose it is (e.g. the sign-in email)."""

    kind: SecretKind
    account: str

    def __post_init__(self) -> None:
        if not self.account:
            raise ValueError("a secret needs an account")

    @property
    def service(self) -> str:
        """The keyring service name of this kind of secret."""
        return f"{SERVICE}/{self.kind.value}"


class TokenStore(Protocol):
    """Get, set and delete secrets by key. `persistent` is False when secrets vanish at exit."""

    @property
    def persistent(self) -> bool:
        """Whether secrets survive a restart."""
        ...

    def get(self, key: SecretKey) -> str | None:
        """The stored secret, or None."""
        ...

    def set(self, key: SecretKey, value: str) -> None:
        """Store (or replace) a secret; raises SecretStoreUnavailable if the keyring refuses."""
        ...

    def delete(self, key: SecretKey) -> None:
        """Forget a secret; forgetting one that is not there is not an error."""
        ...


def _check_value(key: SecretKey, value: str) -> None:
    if not value:
        raise ValueError(f"refusing to store an empty {key.kind.value} secret")
    if len(value) > MAX_SECRET_CHARS:
        raise ValueError(f"{key.kind.value} secret is longer than a Windows credential can hold")


class MemoryTokenStore:
    """Secrets in a dict: the fallback when no keyring exists, and the test double."""

    persistent = False

    def __init__(self) -> None:
        self._entries: dict[SecretKey, str] = {}

    def get(self, key: SecretKey) -> str | None:
        """The stored secret, or None."""
        return self._entries.get(key)

    def set(self, key: SecretKey, value: str) -> None:
        """Store (or replace) a secret."""
        _check_value(key, value)
        self._entries[key] = value

    def delete(self, key: SecretKey) -> None:
        """Forget a secret."""
        self._entries.pop(key, None)


class DeferredTokenStore:
    """The OS keyring, found when first needed rather than at start-up.

    Finding keyring's backend reads entry points and may ask D-Bus (tens of milliseconds): the sync
    engine calls `open()` off the event loop once it starts; any earlier use opens it on the spot.
    Until then nothing is known; afterwards `notice` says when secrets stay in memory."""

    def __init__(self, opener: Callable[[], tuple[TokenStore, str | None]] | None = None) -> None:
        """`opener` finds the store (default: `keyring_store.open_token_store`, the OS keyring)."""
        self._opener = opener
        self._store: TokenStore | None = None
        self._lock = threading.Lock()
        self.notice: str | None = None
        """Set by `open()` when no keyring exists (secrets last until the app quits)."""

    def open(self) -> str | None:
        """Find the keyring (once; safe from a worker thread) and return the notice, if any."""
        with self._lock:
            if self._store is None:
                if self._opener is None:
                    from app.services.keyring_store import open_token_store

                    self._opener = open_token_store
                self._store, self.notice = self._opener()
            return self.notice

    def _require(self) -> TokenStore:
        if self._store is None:
            self.open()
        assert self._store is not None
        return self._store

    @property
    def persistent(self) -> bool:
        """Whether secrets survive a restart."""
        return self._require().persistent

    def get(self, key: SecretKey) -> str | None:
        """The stored secret, or None."""
        return self._require().get(key)

    def set(self, key: SecretKey, value: str) -> None:
        """Store (or replace) a secret."""
        self._require().set(key, value)

    def delete(self, key: SecretKey) -> None:
        """Forget a secret."""
        self._require().delete(key)


@dataclass(frozen=True)
class ClioTokens:
    """A Clio grant: the tokens (hidden from repr), when the access token expires, and whose it is."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime
    region: str
    account_id: int

    def __post_init__(self) -> None:
        if self.expires_at.tzinfo is None:
            raise ValueError("expires_at must be timezone-aware")


def save_clio_tokens(store: TokenStore, account: str, tokens: ClioTokens) -> None:
    """Store a Clio grant for `account` as three entries: refresh token, access token, grant facts."""
    grant = {
        "expires_at": tokens.expires_at.isoformat(),
        "region": tokens.region,
        "account_id": tokens.account_id,
    }
    store.set(SecretKey(SecretKind.CLIO_REFRESH, account), tokens.refresh_token)
    store.set(SecretKey(SecretKind.CLIO_ACCESS, account), tokens.access_token)
    store.set(SecretKey(SecretKind.CLIO_GRANT, account), json.dumps(grant))


def load_clio_tokens(store: TokenStore, account: str) -> ClioTokens | None:
    """The Clio grant of `account`, or None when any part is missing or unreadable."""
    access = store.get(SecretKey(SecretKind.CLIO_ACCESS, account))
    refresh = store.get(SecretKey(SecretKind.CLIO_REFRESH, account))
    grant_text = store.get(SecretKey(SecretKind.CLIO_GRANT, account))
    if access is None or refresh is None or grant_text is None:
        return None
    try:
        grant = json.loads(grant_text)
        return ClioTokens(
            access_token=access,
            refresh_token=refresh,
            expires_at=datetime.fromisoformat(grant["expires_at"]),
            region=str(grant["region"]),
            account_id=int(grant["account_id"]),
        )
    except (ValueError, KeyError, TypeError) as error:
        logger.info("stored Clio grant unreadable (%s): Clio counts as not connected", type(error).__name__)
        return None


def delete_clio_tokens(store: TokenStore, account: str) -> None:
    """Forget the Clio grant of `account` (after Clio ends the connection or the user disconnects)."""
    for kind in (SecretKind.CLIO_ACCESS, SecretKind.CLIO_REFRESH, SecretKind.CLIO_GRANT):
        store.delete(SecretKey(kind, account))
