"""The Clio token broker: a standard OAuth 2 token endpoint that adds the provider's client secret.

Clio Manage has no PKCE and its token endpoint wants the client secret, so the desktop app sends the
`authorization_code` and `refresh_token` grants here instead, and the broker forwards them to Clio's
`/oauth/token` with the secret added. Clio's answer — tokens or an OAuth error such as
`invalid_grant` — is relayed verbatim, status and body.

The broker requires the LegalConnect bearer token: only signed-in users of this provider may use
its Clio application. Its own refusals (no session, integration switched off, unknown region, Clio
unreachable) use the LegalConnect error shape; everything Clio says is passed through untouched.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import httpx
from fastapi import APIRouter, Request, Response

from sandbox.legalconnect.api_session import clio_enabled
from sandbox.legalconnect.deps import CtxDep, UserDep
from sandbox.legalconnect.errors import ApiError, error_responses
from sandbox.legalconnect.models import ClioRegion

router = APIRouter(prefix="/api/v1", tags=["clio token broker"])

_FORM = "application/x-www-form-urlencoded"
_FIELDS = {
    "grant_type": "authorization_code | refresh_token",
    "client_id": "The provider's Clio app id for the region (from /provider).",
    "code": "authorization_code grant: the code from Clio's redirect.",
    "redirect_uri": "authorization_code grant: the redirect URI used to get the code.",
    "refresh_token": "refresh_token grant: the refresh token.",
    "region": "US | CA | EU | AU (default US): which Clio region to forward to.",
}
_TOKEN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            _FORM: {
                "schema": {
                    "type": "object",
                    "required": ["grant_type", "client_id"],
                    "properties": {k: {"type": "string", "description": v} for k, v in _FIELDS.items()},
                }
            }
        },
    }
}
_CLIO_ANSWER = {
    "description": "Clio's answer, relayed verbatim: the token response (access_token, token_type, "
    'expires_in, refresh_token) or an OAuth error (`{"error": "invalid_grant", …}`) with Clio\'s status.',
    "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}},
}


@router.post(
    "/clio/oauth/token",
    summary="Clio token broker (OAuth 2 token endpoint)",
    description=__doc__,
    openapi_extra=_TOKEN_BODY,
    response_class=Response,
    responses={200: _CLIO_ANSWER, **error_responses(400, 401, 403, 415, 502)},
)
async def token(request: Request, ctx: CtxDep, _: UserDep) -> Response:
    """Forward the grant to Clio with the client secret; relay Clio's answer."""
    if not clio_enabled(ctx):
        raise ApiError(
            403, "clio_integration_disabled", "This provider has switched the Clio integration off."
        )
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != _FORM:
        raise ApiError(415, "unsupported_media_type", f"Send the token request as {_FORM}.")
    try:
        pairs = parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError as exc:
        raise ApiError(400, "invalid_body", "The form body is not valid UTF-8.") from exc
    region = next((v for k, v in pairs if k == "region"), "US") or "US"
    if region not in ClioRegion.__members__:
        raise ApiError(400, "unknown_region", f"Unknown Clio region {region!r}; use US, CA, EU or AU.")
    # The secret is ours to add; a caller-supplied one is dropped rather than trusted or forwarded.
    forward = [(k, v) for k, v in pairs if k not in ("region", "client_secret")]
    forward.append(("client_secret", ctx.settings.clio_client_secret))
    assert ctx.http is not None  # created in the lifespan
    try:
        upstream = await ctx.http.post(
            f"{ctx.settings.clio_base_url.rstrip('/')}/oauth/token",
            content=urlencode(forward),
            headers={"Content-Type": _FORM, "Accept": "application/json"},
        )
    except httpx.HTTPError as exc:
        raise ApiError(
            502, "clio_unreachable", f"Clio could not be reached ({type(exc).__name__}). Try again later."
        ) from exc
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if "retry-after" in upstream.headers:  # Clio asked to slow down: say for how long
        headers["Retry-After"] = upstream.headers["retry-after"]
    return Response(
        content=upstream.content,
        status_code=upstream.status_code,
        media_type=upstream.headers.get("content-type", "application/json"),
        headers=headers,
    )
