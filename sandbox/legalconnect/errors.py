"""The one error shape of the LegalConnect API, and the handlers that turn every failure into it.

    {"error": {"code": "order_not_found", "message": "No order 1234 for this account.", "details": …}}

`code` is stable and machine-readable; `message` is a sentence a person can act on; `details` is
optional extra data (validation problems, the filing record that blocks a claim, a size limit).
FastAPI's own `{"detail": …}` bodies never escape: validation errors, unknown routes, wrong methods
and server bugs all come out in this shape.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """What went wrong."""

    code: str = Field(description="Stable machine-readable code, e.g. `order_not_found`.")
    message: str = Field(description="A sentence saying what happened and what to do.")
    details: Any | None = Field(default=None, description="Optional structured context.")


class ErrorResponse(BaseModel):
    """Every non-2xx answer of the API (except the verbatim Clio answers relayed by the token broker)."""

    error: ErrorBody


class ApiError(Exception):
    """Raised by handlers; rendered as `ErrorResponse` with `status`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers


def error_json(
    status: int, code: str, message: str, details: Any | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def injected_error(status: int) -> JSONResponse:
    """The answer `FaultMiddleware` gives for an injected failure."""
    return error_json(
        status,
        "service_unavailable",
        "The service is temporarily unavailable. Try again in a moment.",
        headers={"Retry-After": "1"},
    )


_STATUS_CODES = {
    401: ("authentication_required", "Sign in first."),
    403: ("forbidden", "You are not allowed to do that."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept that method."),
}


def _validation_response(exc: RequestValidationError) -> JSONResponse:
    problems = [
        {
            "location": ".".join(str(p) for p in e.get("loc", ())),
            "message": e.get("msg", ""),
            "type": e["type"],
        }
        for e in exc.errors()
    ]
    first = problems[0] if problems else {"location": "", "message": "invalid request", "type": ""}
    if first["type"] == "json_invalid":
        return error_json(400, "invalid_json", "The request body is not valid JSON.", problems)
    if first["location"] == "body" and first["type"] in ("model_attributes_type", "dict_type"):
        return error_json(400, "invalid_json", "The request body must be a JSON object.", problems)
    if first["location"] == "body" and first["type"] == "missing":
        return error_json(422, "validation_error", "A JSON body is required.", problems)
    where = first["location"].split(".", 1)[0]
    if where == "path":
        return error_json(404, "not_found", f"There is nothing at this address ({first['message']}).")
    if where in ("query", "header"):
        name = first["location"].split(".", 1)[-1]
        return error_json(400, "invalid_parameter", f"Parameter {name}: {first['message']}.", problems)
    field = first["location"].removeprefix("body.") or "body"
    return error_json(422, "validation_error", f"{field}: {first['message']}.", problems)


def install_error_handlers(app: FastAPI) -> None:
    """Route every kind of failure into the one error shape."""

    async def on_api_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_json(exc.status, exc.code, exc.message, exc.details, exc.headers)

    async def on_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return _validation_response(exc)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code, message = _STATUS_CODES.get(exc.status_code, ("http_error", str(exc.detail)))
        if exc.status_code == 404:
            message = f"There is nothing at {request.url.path}; see /api/v1/openapi.json for the routes."
        return error_json(exc.status_code, code, message, headers=exc.headers)

    async def on_bug(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return error_json(500, "internal_error", "The service failed unexpectedly. Try again later.")

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_bug)


_DESCRIPTIONS = {
    400: "Malformed request: bad JSON, a bad query parameter.",
    401: "Missing, unknown or expired bearer token (`authentication_required`, `invalid_token`).",
    403: "Signed in, but not allowed (e.g. `clio_integration_disabled`).",
    404: "No such resource for this account.",
    409: "The resource is not in a state that allows this (e.g. `order_not_draft`, `already_claimed`).",
    413: "The upload is larger than the service accepts.",
    415: "The body's media type is not accepted here.",
    422: "The request is well-formed but its content is refused (validation or business rule).",
    502: "An upstream service could not be reached.",
    503: "The service is temporarily unavailable; retry after `Retry-After` seconds.",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for `statuses`, all with the `ErrorResponse` body."""
    wanted = sorted({*statuses, 503})
    return {s: {"model": ErrorResponse, "description": _DESCRIPTIONS[s]} for s in wanted}
