"""The typed failures of talking to a remote service: one small tree, shared by every client.

A client lets a failure leave only as one of these (built from httpx's own errors and HTTP answers
in `app.services.http`), so a programming error is never disguised as network trouble, and every
face shows `user_message`. No dependencies: code that only needs to tell failures apart imports
this module, not the HTTP plumbing.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A failure talking to a remote service. `user_message` says what happened and what to do."""

    def __init__(self, service: str, user_message: str, detail: str = "") -> None:
        super().__init__(f"{service}: {user_message}" + (f" ({detail})" if detail else ""))
        self.service = service
        self.user_message = user_message
        self.detail = detail


class Unreachable(ServiceError):
    """No answer: the connection was refused, could not be made, or was cut mid-answer."""


class UntrustedCertificate(Unreachable):
    """The remote's TLS certificate is not trusted by this computer (a firm's inspecting proxy
    whose root certificate is not installed, say); the message names the host and the issuer."""


class TimedOut(ServiceError):
    """The service took longer than the timeout allows."""


class HTTPStatusError(ServiceError):
    """The service answered with an error status. `code` is its machine-readable error code."""

    def __init__(self, service: str, user_message: str, status: int, code: str = "") -> None:
        super().__init__(service, user_message, f"HTTP {status}{' ' + code if code else ''}")
        self.status = status
        self.code = code
        self.details: dict[str, Any] = {}
        """The service's machine-readable details, when its error body has them."""


class BadRequest(HTTPStatusError):
    """400 or 422: the service refused what was sent; retrying the same request will not help."""


class AuthRequired(HTTPStatusError):
    """401: the credentials are missing, expired or revoked."""


class Forbidden(HTTPStatusError):
    """403: signed in, but not allowed to do this."""


class NotFound(HTTPStatusError):
    """404 (or 410): the thing asked for does not exist (any more)."""


class Conflict(HTTPStatusError):
    """409 or 412: someone else changed or claimed it first."""


class RateLimited(HTTPStatusError):
    """429: too many requests; `retry_after` seconds must pass before the next one."""

    def __init__(self, service: str, user_message: str, retry_after: float, code: str = "") -> None:
        super().__init__(service, user_message, 429, code)
        self.retry_after = retry_after


class ServerError(HTTPStatusError):
    """5xx: the service is having trouble; worth retrying later."""


class ConnectionsClosed(RuntimeError):
    """A request was started after the app closed its connections (it is shutting down): not a
    failure of the request, and nothing to tell the user about."""
