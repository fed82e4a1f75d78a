"""Clio's error answers: `{"error": {"type": ..., "message": ...}}` (schema `Error`)."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

JSON_TYPE = "application/json; charset=utf-8"

_DEFAULT_TYPES = {
    400: "BadRequest",
    403: "ForbiddenError",
    404: "RecordNotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    410: "UnsupportedApiVersion",
    412: "PreconditionFailed",
    422: "ValidationError",
    429: "RateLimited",
    503: "ServiceUnavailable",
}


class ApiError(Exception):
    """A client mistake (or an injected failure) answered with Clio's error body."""

    def __init__(
        self, status: int, message: str, error_type: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type or _DEFAULT_TYPES.get(status, "Error")
        self.headers = headers or {}

    def response(self) -> Response:
        return error_body(self.status, self.message, self.error_type, self.headers)


def error_body(
    status: int, message: str, error_type: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    """Clio's error JSON with the given status."""
    body = {"error": {"type": error_type or _DEFAULT_TYPES.get(status, "Error"), "message": message}}
    return JSONResponse(body, status_code=status, headers=headers, media_type=JSON_TYPE)


def error_response(status: int) -> Response:
    """What the fault middleware answers for an injected failure."""
    messages = {503: "The service is temporarily unavailable. Please retry later."}
    return error_body(status, messages.get(status, "The request could not be completed."))


def bad_request(message: str, error_type: str = "ArgumentError") -> ApiError:
    return ApiError(400, message, error_type)


def not_found(kind: str, ident: object) -> ApiError:
    return ApiError(404, f"The {kind} with id {ident} could not be found.", "RecordNotFound")


def invalid(message: str, error_type: str = "ValidationError") -> ApiError:
    return ApiError(422, message, error_type)
