"""Is this address a LegalConnect Service Provider? Asked at first run before anything is saved.

The provider's public profile (`GET <address>/provider`, no sign-in) says its name and whether it
offers Clio. Each way an address can be wrong gets its own words: not https, nobody answers, a
certificate this computer does not trust, or something answers that is not a LegalConnect service.
Blocking (a worker thread runs it while the first-run window waits). No Qt here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.services import http
from app.services.legalconnect.records import Provider
from app.settings_types import check_service_url

MAX_PROFILE_BYTES = 1024 * 1024
"""A provider profile is a few hundred bytes; an address answering with more is not a provider."""

if TYPE_CHECKING:
    import httpx


class ProviderProblem(Exception):
    """The address is not a usable Service Provider; `message` says why, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ProviderProfile:
    url: str
    name: str
    clio: bool
    support_email: str


def normalized(url: str) -> str:
    """The address as typed, without spaces or a trailing slash; "https://" added when missing."""
    url = url.strip().rstrip("/")
    if url and "://" not in url:
        url = "https://" + url
    return url


def check_provider(
    url: str, *, transport: httpx.BaseTransport | None = None, timeout: float = 10.0
) -> ProviderProfile:
    """The provider's profile at `url`, or `ProviderProblem` saying what is wrong with it."""
    import httpx

    url = normalized(url)
    if not url:
        raise ProviderProblem("Enter your Service Provider's address (it is in their welcome email).")
    problem = check_service_url(url)
    if problem is not None:
        raise ProviderProblem(f"That address cannot be used: {problem}.")
    host = httpx.URL(url).host
    verify = http.tls_context() if transport is None else True
    try:
        with (
            httpx.Client(
                transport=transport, verify=verify, timeout=timeout, follow_redirects=False
            ) as client,
            client.stream(
                "GET", http.join(url, "provider"), headers={"Accept": "application/json"}
            ) as response,
        ):
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_PROFILE_BYTES:  # not a profile: stop reading
                    break
    except httpx.TransportError as exc:
        if http.certificate_problem(exc) is not None:
            issuer = http.peer_issuer(host, httpx.URL(url).port or 443)
            by = f" (issued by “{issuer}”)" if issuer else ""
            raise ProviderProblem(
                f"{host} answered, but its certificate{by} is not trusted by this computer. If your firm "
                "inspects secure traffic, ask IT to add that issuer's root certificate to this "
                "computer's certificate store."
            ) from exc
        if isinstance(exc, httpx.TimeoutException):
            raise ProviderProblem(
                f"{host} did not answer in time. Check the address and your connection."
            ) from exc
        raise ProviderProblem(
            f"Nothing answers at {host}. Check the address and your internet connection."
        ) from exc
    not_ours = ProviderProblem(
        f"{host} answered, but it is not a LegalConnect Service Provider (no provider profile at "
        f"{url}/provider). Check the address in your provider's welcome email: it usually ends in /api/v1."
    )
    if response.status_code != 200 or len(body) > MAX_PROFILE_BYTES:
        raise not_ours
    try:
        profile = Provider.from_json(json.loads(body))
    except (ValueError, KeyError, TypeError) as exc:
        raise not_ours from exc
    return ProviderProfile(url, profile.name, profile.clio.enabled, profile.support_email)
