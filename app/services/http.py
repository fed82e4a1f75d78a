"""httpx discipline shared by the service clients: pools, timeouts, the typed error tree, retries.

One long-lived `httpx.AsyncClient` per remote comes from the app's `Remotes` (explicit timeouts,
injectable transport). Failures leave a client only as a `ServiceError` subclass (the tree lives in
`app.services.errors` and is re-exported here), built solely from httpx's own exceptions and HTTP
answers, so programming errors are never disguised as network trouble. Retries (jittered
exponential backoff, via stamina) are for idempotent requests only.

httpx and stamina are imported on first use, not with this module: the first screen shows the
cached orders before any network code has loaded (the start-up budget), and the sync engine loads
them off the GUI thread before its first request (`preload`).
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from app.services.errors import (
    AuthRequired,
    BadRequest,
    Conflict,
    ConnectionsClosed,
    Forbidden,
    HTTPStatusError,
    NotFound,
    RateLimited,
    ServerError,
    ServiceError,
    TimedOut,
    Unreachable,
    UntrustedCertificate,
)

if TYPE_CHECKING:
    import http.cookiejar
    import ssl
    import urllib.request

    import httpx

__all__ = [
    "AnswerTooLarge",
    "AuthRequired",
    "BadRequest",
    "Conflict",
    "ConnectionsClosed",
    "Forbidden",
    "HTTPStatusError",
    "NotFound",
    "RateLimited",
    "Remotes",
    "ServerError",
    "ServiceError",
    "TimedOut",
    "Unreachable",
    "UntrustedCertificate",
]

T = TypeVar("T")


def default_timeout() -> httpx.Timeout:
    """Connect fast or say so; transfers stream, so read/write bound the gap between chunks."""
    import httpx

    return httpx.Timeout(connect=5.0, read=30.0, write=60.0, pool=10.0)


def preload() -> None:
    """Import the HTTP stack now (tens of milliseconds): call it off the GUI thread, before the
    first request, so that request does not stall the window."""
    for module in ("httpx", "stamina"):
        importlib.import_module(module)


_BY_STATUS: dict[int, type[HTTPStatusError]] = {
    400: BadRequest,
    401: AuthRequired,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    410: NotFound,
    412: Conflict,
    422: BadRequest,
}


def _no_cookies() -> http.cookiejar.CookieJar:
    """A jar that keeps no cookie: the APIs are token-authenticated, and a pool shared by several
    callers (the API and signed storage URLs on one host, say) must not carry state between them."""
    import http.cookiejar

    class NoCookies(http.cookiejar.DefaultCookiePolicy):
        def set_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
            return False

    return http.cookiejar.CookieJar(NoCookies())


Remote = tuple[str, str, int | None]
"""Which remote a URL talks to: scheme, host and port."""


def remote_of(url: str | httpx.URL) -> Remote:
    """Scheme, host and port of `url`; ValueError for plain http off loopback or a URL without a host."""
    import httpx

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ValueError(f"not a web address: {exc}") from None
    if (
        not parsed.host
        or parsed.scheme not in ("http", "https")
        or not _HOST.fullmatch(parsed.raw_host.decode())
    ):
        raise ValueError(f"not a web address: {str(url)[:100]!r}")
    if parsed.scheme != "https" and not _is_loopback(parsed.host):
        raise ValueError(f"refusing plain {parsed.scheme} to {parsed.host}: only https leaves this machine")
    return parsed.scheme, parsed.host, parsed.port


class Remotes:
    """One long-lived `httpx.AsyncClient` per remote (scheme, host, port), shared by every caller.

    The LegalConnect client and the Clio token broker share the Service Provider's pool; Clio's OAuth
    lifecycle, its API client and (where storage lives on the same host) signed transfers share
    Clio's. Pools carry no default headers and keep no cookies, so nothing one caller sends rides
    along with another's request; callers pass absolute URLs (`join` builds them). Redirects are
    never followed. `client` refuses plain http off loopback, so the rule holds for every hop a
    caller makes, a storage redirect included."""

    def __init__(
        self, *, transport: httpx.AsyncBaseTransport | None = None, timeout: httpx.Timeout | None = None
    ) -> None:
        self._transport = transport
        self._timeout = timeout
        self._clients: dict[Remote, httpx.AsyncClient] = {}
        self._closed = False
        # `LegalConnectClient.prepare` makes a pool from a worker thread (its TLS set-up is slow).
        self._lock = threading.Lock()

    def client(self, url: str | httpx.URL) -> httpx.AsyncClient:
        """The pool for `url`'s remote (made on first use). Raises ValueError for a refused URL."""
        if self._closed:
            raise ConnectionsClosed("these connections were closed (the app is shutting down)")
        remote = remote_of(url)
        with self._lock:
            return self._clients.get(remote) or self._new_pool(remote)

    def _new_pool(self, remote: Remote) -> httpx.AsyncClient:
        import httpx

        client = httpx.AsyncClient(
            transport=self._transport,
            verify=tls_context() if self._transport is None else True,
            timeout=self._timeout or default_timeout(),
            follow_redirects=False,
            cookies=_no_cookies(),
        )
        self._clients[remote] = client
        return client

    @property
    def open_count(self) -> int:
        """How many remotes have a pool (for tests and diagnostics)."""
        return len(self._clients)

    async def aclose(self) -> None:
        """Close every pool (on quit)."""
        self._closed = True
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()


def join(base: str, path: str) -> str:
    """`path` under `base` the way a base URL extends (base "https://x/api/v1/" + "orders/1"), or
    `path` itself when it is already absolute."""
    if path.startswith(("http://", "https://")):
        return path
    return base.rstrip("/") + "/" + path.lstrip("/")


_HOST = re.compile(r"[A-Za-z0-9.-]+|[0-9A-Fa-f:.]+")
"""A host name (international ones arrive as xn--) or an IP address: anything else is a bad link."""


def _is_loopback(host: str) -> bool:
    return host in {"localhost", "::1"} or host.startswith("127.")


_tls: list[ssl.SSLContext] = []


def tls_context() -> ssl.SSLContext:
    """Certificates are checked against the operating system's own store (Windows, macOS, the
    Linux CA bundle), so a firm's inspecting proxy with its root installed there just works.
    Proxies come from the system settings too (httpx reads them, `trust_env`)."""
    with _tls_lock:
        if not _tls:
            import ssl

            import truststore

            _tls.append(truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
        return _tls[0]


_tls_lock = threading.Lock()


def certificate_problem(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    import ssl

    seen: BaseException | None = exc
    for _ in range(8):  # the TLS failure sits a few causes down
        if seen is None:
            return None
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def peer_issuer(host: str, port: int, timeout: float = 3.0) -> str | None:
    """Who issued the certificate `host` presents ("Firm Proxy CA (Harbor & Vale LLP)"), read
    without trusting it; None when it cannot be read. Blocking: run it in a worker thread."""
    import socket
    import ssl

    from cryptography import x509
    from cryptography.x509.oid import NameOID

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # only to read who signed it; nothing is sent
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
    except OSError:
        return None
    if not der:
        return None
    issuer = x509.load_der_x509_certificate(der).issuer
    names = [str(a.value) for a in issuer.get_attributes_for_oid(NameOID.COMMON_NAME)]
    orgs = [str(a.value) for a in issuer.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    if names and orgs and orgs[0] != names[0]:
        return f"{names[0]} ({orgs[0]})"
    return (names or orgs or [issuer.rfc4514_string()])[0]


async def transport_failure(service: str, exc: httpx.TransportError) -> ServiceError:
    """`transport_error`, and for a certificate this computer does not trust, which host and
    which issuer, in words an IT administrator can act on (read in a worker thread)."""
    import asyncio

    problem = certificate_problem(exc)
    if problem is None:
        return transport_error(service, exc)
    try:
        url = exc.request.url
    except RuntimeError:
        return transport_error(service, exc)
    host, port = url.host, url.port or 443
    issuer = await asyncio.to_thread(peer_issuer, host, port)
    by = f", issued by “{issuer}”," if issuer else ""
    reason = problem.verify_message or "it could not be verified"
    return UntrustedCertificate(
        service,
        f"Cannot connect securely to {service}: the certificate of {host}{by} is not trusted by this "
        f"computer ({reason}). If your firm inspects secure traffic, ask IT to add that issuer's root "
        "certificate to this computer's certificate store.",
        f"{type(problem).__name__}: {problem.verify_message}",
    )


MAX_ANSWER_BYTES = 32 * 1024 * 1024
"""The largest API answer read (JSON, decoded): a listing page or an order is far smaller; past it
the answer is refused unread rather than taking the app's memory. Files stream separately."""


class AnswerTooLarge(ServiceError):
    """An API answer larger than `MAX_ANSWER_BYTES`: not read."""


async def bounded_request(
    client: httpx.AsyncClient, service: str, method: str, url: str, **kwargs: object
) -> httpx.Response:
    """`client.request(method, url, **kwargs)` with the answer read to at most `MAX_ANSWER_BYTES`
    (decoded, so a compressed answer cannot swell past it either). A larger one raises
    `AnswerTooLarge` having read no more than the limit. Transport errors are httpx's own."""
    import httpx

    if client.is_closed:  # its pool went with the app's connections while a retry was waiting
        raise ConnectionsClosed("these connections were closed (the app is shutting down)")
    request = client.build_request(method, url, **kwargs)  # type: ignore[arg-type]
    response = await client.send(request, stream=True)
    limit = MAX_ANSWER_BYTES
    try:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit and "content-encoding" not in response.headers:
            raise _too_large(service, f"{declared} bytes announced")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > limit:
                raise _too_large(service, f"over {limit} bytes")
    finally:
        await response.aclose()
    headers = [
        (k, v)
        for k, v in response.headers.multi_items()
        if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
    ]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=bytes(body),
        request=request,
        extensions=response.extensions,
    )


def _too_large(service: str, detail: str) -> AnswerTooLarge:
    limit_mb = MAX_ANSWER_BYTES // (1024 * 1024)
    return AnswerTooLarge(
        service,
        f"{service} sent an answer larger than the app accepts ({limit_mb} MB); it was not read.",
        detail,
    )


def transport_error(service: str, exc: httpx.TransportError) -> ServiceError:
    """Turn httpx's transport failure into the matching `ServiceError`."""
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return TimedOut(service, f"{service} did not answer in time. Check your connection and retry.")
    return Unreachable(
        service, f"Cannot reach {service}. Check your internet connection and retry.", type(exc).__name__
    )


def status_error(service: str, response: httpx.Response, code: str, message: str) -> HTTPStatusError:
    """Turn an error answer into the matching `HTTPStatusError`; `message` is the service's own text."""
    status = response.status_code
    if status == 429:
        wait = retry_after_seconds(response)
        text = message or f"{service} asks us to slow down; trying again in {wait:.0f} s."
        return RateLimited(service, text, wait, code)
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else BadRequest)
    if not message:
        message = (
            f"{service} is having trouble (error {status}). Try again in a few minutes."
            if status >= 500
            else f"{service} refused the request (error {status})."
        )
    return cls(service, message, status, code)


def retry_after_seconds(response: httpx.Response, default: float = 60.0) -> float:
    """Seconds from a `Retry-After` header (delta-seconds or an HTTP date)."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return default
    if value.isdigit():
        return float(value)
    import email.utils  # rare (most servers send seconds), and a few ms at start-up

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def retry_hook(exc: Exception) -> bool | float:
    """stamina backoff hook: retry transient failures; a 429 waits exactly its `Retry-After`."""
    if isinstance(exc, RateLimited):
        return exc.retry_after
    if isinstance(exc, ServerError):
        return exc.status in {500, 502, 503, 504}
    return isinstance(exc, Unreachable | TimedOut)


async def retrying(call: Callable[[], Awaitable[T]], *, attempts: int = 4, give_up_after: float = 120.0) -> T:
    """Run an idempotent `call` again after transient failures, with jittered exponential backoff."""
    import stamina

    async for attempt in stamina.retry_context(
        on=retry_hook,
        attempts=attempts,
        timeout=give_up_after,
        wait_initial=0.3,
        wait_max=10.0,
        wait_jitter=0.5,
    ):
        with attempt:
            return await call()
    raise AssertionError("unreachable: stamina re-raises the last failure")  # pragma: no cover
