"""What the sync engine tells its faces (the main window, the tray, `legalconnect sync`).

Plain frozen objects, delivered synchronously and in order on the event loop's thread through the
engine's `EventHub`. A window's adapter turns each into a signal; the headless command prints them.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.services.legalconnect.records import Order, Provider, Session


@dataclass(frozen=True)
class Connecting:
    """Signing in to the Service Provider (silently, with what was remembered)."""


@dataclass(frozen=True)
class SessionStarted:
    """Signed in: orders will be refreshed and polled from now on."""

    session: Session
    provider: Provider | None


@dataclass(frozen=True)
class SignInNeeded:
    """Nobody is signed in and nothing remembered works: ask for the password.

    `message` says why when a session ended under the user (empty at a plain first start)."""

    message: str = ""


@dataclass(frozen=True)
class SignedOut:
    """The user signed out: everything remembered for them is forgotten."""


@dataclass(frozen=True)
class RefreshStarted:
    """A refresh of the orders began (polled, or asked for with Refresh)."""


@dataclass(frozen=True)
class RefreshFinished:
    """The refresh ended; its outcome (orders, offline, signed out) was announced before this."""

    ok: bool


@dataclass(frozen=True)
class OrdersChanged:
    """The orders list as it now is, newest first (from the local cache at start, then refreshed)."""

    orders: tuple[Order, ...]


@dataclass(frozen=True)
class OrderDecided:
    """The court decided an order since the last refresh (Accepted, Rejected, Partially Accepted)."""

    order: Order


@dataclass(frozen=True)
class DocumentsArrived:
    """A decided (possibly closed) order received `count` more returned documents, such as a signed order."""

    order: Order
    count: int


@dataclass(frozen=True)
class Offline:
    """The Service Provider could not be reached; the cached orders stay. `message` says what happened."""

    message: str
    last_sync: str | None
    """When the orders were last brought up to date (ISO time), or None if never."""


@dataclass(frozen=True)
class Online:
    """The Service Provider answers again after being unreachable."""


@dataclass(frozen=True)
class ClioConnectionEnded:
    """Clio ended the connection (revoked or expired for good): the user must connect again."""


@dataclass(frozen=True)
class SecretsUnavailable:
    """No system keyring: sign-ins and Clio connections last only until the app quits."""

    message: str


SyncEvent = (
    Connecting
    | SessionStarted
    | SignInNeeded
    | SignedOut
    | RefreshStarted
    | RefreshFinished
    | OrdersChanged
    | OrderDecided
    | DocumentsArrived
    | Offline
    | Online
    | ClioConnectionEnded
    | SecretsUnavailable
)
