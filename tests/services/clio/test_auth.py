"""Connecting to Clio: the OAuth flow against the emulator's real pages, refreshes, and odd answers."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import respx

from app.services import http
from app.services.clio.auth import (
    REGION_ORIGINS,
    ClioApp,
    ClioAuth,
    ClioAuthorizationDenied,
    ClioAuthorizationFailed,
    ClioConnectionEnded,
)
from app.services.legalconnect.records import ClioIntegration, Provider
from app.services.secrets import ClioTokens, MemoryTokenStore, SecretKey, SecretKind, save_clio_tokens
from sandbox.seed import firm
from tests.services.clio.auth_fixtures import (
    ACCOUNT,
    Harness,
    consent,
    legalconnect_token,
    provider_app,
    revoke_everything,
    who_am_i_status,
)

# --- against the emulator ------------------------------------------------------------------------


async def _broker_harness(world: Any) -> Harness:
    return Harness(world, await provider_app(world), bearer=await legalconnect_token(world))


def test_connect_through_the_broker(sandbox_world: Any) -> None:
    async def run() -> None:
        h = await _broker_harness(sandbox_world)
        try:
            assert not h.auth.connected
            tokens = await h.connect()
            assert h.auth.connected and h.changes == 1
            assert tokens.region == "US" and tokens.account_id > 0
            assert tokens.expires_at > datetime.now(UTC) + timedelta(days=29)
            # The code went to the broker, never straight to Clio's token endpoint.
            assert h.auth.app.mode == "broker"
            assert h.token_requests() == 1
            assert h.transport.count("/oauth/token") == 0
            # Separate keyring entries for the two tokens.
            access = h.store.get(SecretKey(SecretKind.CLIO_ACCESS, ACCOUNT))
            refresh = h.store.get(SecretKey(SecretKind.CLIO_REFRESH, ACCOUNT))
            assert access == tokens.access_token and refresh == tokens.refresh_token and access != refresh
            assert await h.auth.access_token() == access
            assert who_am_i_status(sandbox_world, access) == 200
            assert {tokens.access_token, tokens.refresh_token} <= set(h.secrets)
        finally:
            await h.auth.aclose()

    asyncio.run(run())


def test_the_broker_wants_the_legalconnect_session(sandbox_world: Any) -> None:
    async def run() -> None:
        h = Harness(sandbox_world, await provider_app(sandbox_world), bearer=None)
        try:
            with pytest.raises(ClioAuthorizationFailed, match="Sign in again"):
                await h.connect()
            assert not h.auth.connected and h.changes == 0
            assert h.token_requests() == 1
        finally:
            await h.auth.aclose()

    asyncio.run(run())


def test_deny_connects_nothing(sandbox_world: Any) -> None:
    async def run() -> None:
        h = await _broker_harness(sandbox_world)
        try:
            request = h.auth.begin()
            location = consent(request.url, "deny", sandbox_world.endpoints.clio.demo_user)
            assert h.auth.is_redirect(location)
            with pytest.raises(ClioAuthorizationDenied) as denied:
                await h.auth.complete(location)
            assert "chose not to connect" in denied.value.user_message
            assert not h.auth.connected and h.changes == 0 and h.token_requests() == 0
        finally:
            await h.auth.aclose()

    asyncio.run(run())


def _with_state(location: str, state: str | None) -> str:
    parts = urlsplit(location)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.pop("state")
    if state is not None:
        query["state"] = state
    return parts._replace(query=urlencode(query)).geturl()


@pytest.mark.parametrize("state", ["forged-state", "", None])
def test_a_forged_or_missing_state_is_refused(sandbox_world: Any, state: str | None) -> None:
    async def run() -> None:
        h = await _broker_harness(sandbox_world)
        try:
            location = consent(h.auth.begin().url, "allow", sandbox_world.endpoints.clio.demo_user)
            with pytest.raises(ClioAuthorizationFailed, match="could not be verified"):
                await h.auth.complete(_with_state(location, state))
            # The code was never exchanged; and the real state is spent too.
            assert h.token_requests() == 0 and not h.auth.connected
            with pytest.raises(ClioAuthorizationFailed, match="could not be verified"):
                await h.auth.complete(location)
            assert h.token_requests() == 0 and h.store.get(SecretKey(SecretKind.CLIO_ACCESS, ACCOUNT)) is None
        finally:
            await h.auth.aclose()

    asyncio.run(run())


def test_a_state_works_once_and_only_the_latest(sandbox_world: Any) -> None:
    async def run() -> None:
        h = await _broker_harness(sandbox_world)
        try:
            first = h.auth.begin()
            second = h.auth.begin()
            assert first.state != second.state
            stale = consent(first.url, "allow", sandbox_world.endpoints.clio.demo_user)
            with pytest.raises(ClioAuthorizationFailed):
                await h.auth.complete(stale)
            assert not h.auth.connected

            location = consent(h.auth.begin().url, "allow", sandbox_world.endpoints.clio.demo_user)
            await h.auth.complete(location)
            h.auth.forget()
            with pytest.raises(ClioAuthorizationFailed, match="could not be verified"):
                await h.auth.complete(location)
            assert not h.auth.connected and h.token_requests() == 1
        finally:
            await h.auth.aclose()

    asyncio.run(run())


def test_refresh_on_expiry(sandbox_world: Any) -> None:
    sandbox_world.clio_faults.update({"access_token_lifetime_s": 1})

    async def run() -> None:
        h = await _broker_harness(sandbox_world)
        try:
            first = await h.connect()
            # One second, less a tenth of it (the margin never eats more of a short-lived token).
            assert first.expires_at <= datetime.now(UTC) + timedelta(seconds=0.9)
            await asyncio.sleep(1.0)
            fresh = await h.auth.access_token()
            assert fresh != first.access_token and h.token_requests() == 2
            assert who_am_i_status(sandbox_world, fresh) == 200
            now = h.auth.tokens_snapshot
            assert now is not None
            # Clio leaves the refresh token out of a refresh answer: the old one is kept.
            assert now.refresh_token == first.refresh_token and now.account_id == first.account_id
            assert h.store.get(SecretKey(SecretKind.CLIO_ACCESS, ACCOUNT)) == fresh
            assert fresh in h.secrets and h.changes == 1
        finally:
            await h.auth.aclose()

    asyncio.run(run())


def test_ten_concurrent_callers_refresh_exactly_once(sandbox_world: Any) -> None:
    async def run() -> None:
        h = await _broker_harness(sandbox_world)
        try:
            old = (await h.connect()).access_token
            h.clock.offset = 31 * 24 * 3600.0  # past the expiry
            calls = [h.auth.access_token() for _ in range(5)]
            calls += [h.auth.refresh_after_unauthorized(old) for _ in range(5)]
            results = await asyncio.gather(*calls)
            assert len(set(results)) == 1 and results[0] != old
            assert h.token_requests() == 2  # the code exchange and one refresh
            # The new token is fresh: no further refresh.
            assert await asyncio.gather(*(h.auth.access_token() for _ in range(10))) == results
            assert h.token_requests() == 2
            # A 401 with a token someone already replaced does not refresh again.
            assert await h.auth.refresh_after_unauthorized(old) == results[0]
            assert h.token_requests() == 2
            assert who_am_i_status(sandbox_world, results[0]) == 200
        finally:
            await h.auth.aclose()

    asyncio.run(run())


def test_ten_concurrent_unauthorized_calls_refresh_once(sandbox_world: Any) -> None:
    async def run() -> None:
        h = await _broker_harness(sandbox_world)
        try:
            old = (await h.connect()).access_token
            results = await asyncio.gather(*(h.auth.refresh_after_unauthorized(old) for _ in range(10)))
            assert len(set(results)) == 1 and results[0] != old and h.token_requests() == 2
        finally:
            await h.auth.aclose()

    asyncio.run(run())


def test_a_revoked_grant_ends_the_connection(sandbox_world: Any) -> None:
    async def run() -> None:
        h = await _broker_harness(sandbox_world)
        try:
            tokens = await h.connect()
            revoke_everything(sandbox_world, tokens.account_id)
            assert who_am_i_status(sandbox_world, tokens.access_token) == 401
            with pytest.raises(ClioConnectionEnded) as ended:
                await h.auth.refresh_after_unauthorized(tokens.access_token)
            assert ended.value.user_message == "Clio connection ended — connect again."
            assert isinstance(ended.value, http.AuthRequired)
            assert not h.auth.connected and h.changes == 2
            for kind in (SecretKind.CLIO_ACCESS, SecretKind.CLIO_REFRESH, SecretKind.CLIO_GRANT):
                assert h.store.get(SecretKey(kind, ACCOUNT)) is None
            with pytest.raises(ClioConnectionEnded):
                await h.auth.access_token()
        finally:
            await h.auth.aclose()

    asyncio.run(run())


def test_a_revoked_grant_found_on_expiry(sandbox_world: Any) -> None:
    async def run() -> None:
        h = await _broker_harness(sandbox_world)
        try:
            tokens = await h.connect()
            revoke_everything(sandbox_world, tokens.account_id)
            h.clock.offset = 31 * 24 * 3600.0
            results = await asyncio.gather(*(h.auth.access_token() for _ in range(3)), return_exceptions=True)
            assert all(isinstance(r, ClioConnectionEnded) for r in results)
            assert h.token_requests() == 2 and not h.auth.connected
        finally:
            await h.auth.aclose()

    asyncio.run(run())


def test_disconnect_revokes_and_forgets(sandbox_world: Any) -> None:
    async def run() -> None:
        h = await _broker_harness(sandbox_world)
        try:
            tokens = await h.connect()
            await h.auth.disconnect()
            assert h.transport.count("/oauth/deauthorize", sandbox_world.endpoints.clio.base_url) == 1
            assert not h.auth.connected and h.changes == 2
            for kind in (SecretKind.CLIO_ACCESS, SecretKind.CLIO_REFRESH, SecretKind.CLIO_GRANT):
                assert h.store.get(SecretKey(kind, ACCOUNT)) is None
            assert who_am_i_status(sandbox_world, tokens.access_token) == 401
            await h.auth.disconnect()  # nothing left to revoke: only forgets
            assert h.transport.count("/oauth/deauthorize") == 1
        finally:
            await h.auth.aclose()

    asyncio.run(run())


def test_direct_mode_uses_the_firms_secret(sandbox_world: Any) -> None:
    clio = sandbox_world.endpoints.clio
    app = ClioApp.direct("US", clio.client_id, origin=clio.base_url)
    assert app.token_url == f"{clio.base_url}/oauth/token" and app.redirect_uri == clio.redirect_uri

    async def run() -> None:
        h = Harness(sandbox_world, app, secret=firm.CLIO_CLIENT_SECRET)
        try:
            tokens = await h.connect()
            assert h.transport.count("/oauth/token", clio.base_url) == 1
            assert h.transport.count("/api/v1/clio/oauth/token") == 0
            h.clock.offset = 31 * 24 * 3600.0
            assert await h.auth.access_token() != tokens.access_token
            assert h.transport.count("/oauth/token", clio.base_url) == 2
        finally:
            await h.auth.aclose()

    asyncio.run(run())


@pytest.mark.parametrize(
    ("secret", "message"), [(None, "secret is not set"), ("wrong-secret", "Check your firm's Clio app keys")]
)
def test_direct_mode_without_the_right_secret(sandbox_world: Any, secret: str | None, message: str) -> None:
    clio = sandbox_world.endpoints.clio

    async def run() -> None:
        h = Harness(sandbox_world, ClioApp.direct("US", clio.client_id, origin=clio.base_url), secret=secret)
        try:
            with pytest.raises(ClioAuthorizationFailed, match=message):
                await h.connect()
            assert not h.auth.connected
        finally:
            await h.auth.aclose()

    asyncio.run(run())


def test_no_token_or_code_reaches_the_log(sandbox_world: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    async def run() -> list[str]:
        h = await _broker_harness(sandbox_world)
        try:
            request = h.auth.begin()
            # The stand-in browser's own wire log shows the code in Clio's redirect: not ours to check.
            with caplog.at_level(logging.INFO, logger="httpcore"):
                location = consent(request.url, "allow", sandbox_world.endpoints.clio.demo_user)
            tokens = await h.auth.complete(location)
            h.clock.offset = 31 * 24 * 3600.0
            await h.auth.access_token()
            await h.auth.disconnect()
            assert len(h.secrets) >= 4  # the code, access, refresh, refreshed access
            return [*h.secrets, tokens.access_token, tokens.refresh_token, h.bearer or ""]
        finally:
            await h.auth.aclose()

    secrets = asyncio.run(run())
    assert "/api/v1/clio/oauth/token" in caplog.text and "Bearer" not in caplog.text
    for secret in secrets:
        assert secret and secret not in caplog.text


# --- the app, the URL, the redirect -------------------------------------------------------------


def _provider(**clio: Any) -> Provider:
    defaults: dict[str, Any] = {
        "enabled": True,
        "client_ids": {"US": "us-id", "CA": "ca-id", "EU": "eu-id", "AU": "au-id"},
        "base_urls": {},
        "redirect_uri": "",
        "broker_token_url": "https://lc.example/api/v1/clio/oauth/token",
    }
    return Provider("Harbor", "", "", ClioIntegration(**{**defaults, **clio}))


@pytest.mark.parametrize("region", ["US", "CA", "EU", "AU"])
def test_app_from_provider_per_region(region: str) -> None:
    app = ClioApp.from_provider(_provider(), region)
    origin = REGION_ORIGINS[region]
    assert app.origin == origin and app.client_id == f"{region.lower()}-id" and app.mode == "broker"
    assert app.redirect_uri == f"{origin}/oauth/approval"
    assert app.api_url == f"{origin}/api/v4"
    assert app.token_url == "https://lc.example/api/v1/clio/oauth/token"


def test_app_from_provider_overrides() -> None:
    provider = _provider(base_urls={"EU": "https://eu.clio.test/"}, redirect_uri="https://eu.clio.test/cb")
    app = ClioApp.from_provider(provider, "EU")
    assert (app.origin, app.redirect_uri) == ("https://eu.clio.test", "https://eu.clio.test/cb")
    assert ClioApp.from_provider(provider, "EU", "http://127.0.0.1:53123/callback").redirect_uri == (
        "http://127.0.0.1:53123/callback"
    )
    assert ClioApp.from_provider(provider, "US").origin == "https://app.clio.com"


def test_app_from_provider_refusals() -> None:
    with pytest.raises(ClioAuthorizationFailed, match="AU region"):
        ClioApp.from_provider(_provider(client_ids={"US": "us-id"}), "AU")
    with pytest.raises(ClioAuthorizationFailed):
        ClioApp.from_provider(_provider(enabled=False), "US")
    with pytest.raises(ValueError, match="unknown Clio region"):
        ClioApp.from_provider(_provider(), "UK")
    with pytest.raises(ValueError, match="client id"):
        ClioApp.direct("US", "")


def test_direct_app_per_region() -> None:
    app = ClioApp.direct("CA", "firm-id")
    assert app.token_url == "https://ca.app.clio.com/oauth/token" and app.mode == "direct"
    assert app.redirect_uri == "https://ca.app.clio.com/oauth/approval"


def test_clios_sign_in_hosts_per_region() -> None:
    assert ClioApp.direct("US", "id").sign_in_origins == ("https://app.clio.com", "https://account.clio.com")
    assert ClioApp.direct("AU", "id").sign_in_origins == (
        "https://au.app.clio.com",
        "https://au.account.clio.com",
    )
    # Another host in front of Clio (a proxy, the sandbox) is the only sign-in host there is.
    proxied = ClioApp.direct("EU", "id", origin="https://clio-proxy.firm.example/")
    assert proxied.sign_in_origins == ("https://clio-proxy.firm.example",)


def test_plain_http_only_to_loopback() -> None:
    app = ClioApp.direct("US", "id", origin="http://clio.example")
    with pytest.raises(ValueError, match="plain http"):
        ClioAuth(app, MemoryTokenStore(), ACCOUNT)


def test_begin_builds_the_authorize_url() -> None:
    auth = ClioAuth(ClioApp.from_provider(_provider(), "EU"), MemoryTokenStore(), ACCOUNT)
    request = auth.begin()
    parts = urlsplit(request.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://eu.app.clio.com/oauth/authorize"
    assert parse_qs(parts.query) == {
        "response_type": ["code"],
        "client_id": ["eu-id"],
        "redirect_uri": ["https://eu.app.clio.com/oauth/approval"],
        "state": [request.state],
        "redirect_on_decline": ["true"],
    }
    assert len(request.state) >= 43 and auth.begin().state != request.state
    asyncio.run(auth.aclose())


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://app.clio.com/oauth/approval", True),
        ("https://app.clio.com/oauth/approval?code=abc&state=x", True),
        ("https://APP.clio.com/oauth/approval?error=access_denied", True),
        ("https://app.clio.com:443/oauth/approval?code=1", True),
        ("https://app.clio.com/oauth/approval#frag", True),
        ("http://app.clio.com/oauth/approval?code=1", False),
        ("https://app.clio.com:8443/oauth/approval?code=1", False),
        ("https://eu.app.clio.com/oauth/approval?code=1", False),
        ("https://app.clio.com/oauth/approval/extra?code=1", False),
        ("https://app.clio.com/oauth/approvals?code=1", False),
        ("https://app.clio.com/oauth/authorize?redirect_uri=https://app.clio.com/oauth/approval", False),
        ("https://app.clio.com.evil.example/oauth/approval?code=1", False),
        ("https://evil.example/?u=https://app.clio.com/oauth/approval", False),
        ("https://app.clio.com@evil.example/oauth/approval?code=1", False),
        ("/oauth/approval?code=1", False),
        ("", False),
        ("not a url at all", False),
        ("https://[::1/oauth/approval", False),
    ],
)
def test_is_redirect(url: str, expected: bool) -> None:
    auth = ClioAuth(ClioApp.from_provider(_provider(), "US"), MemoryTokenStore(), ACCOUNT)
    assert auth.is_redirect(url) is expected
    asyncio.run(auth.aclose())


# --- odd answers (respx) ---------------------------------------------------------------------------

BROKER = "https://lc.example/api/v1/clio/oauth/token"
WHO_AM_I = "https://app.clio.com/api/v4/users/who_am_i.json"


def _connected(store: MemoryTokenStore, *, region: str = "US", expires_in: float = 3600) -> ClioTokens:
    tokens = ClioTokens(
        access_token="old-access",
        refresh_token="the-refresh",
        expires_at=datetime.now(UTC) + timedelta(seconds=expires_in),
        region=region,
        account_id=7,
    )
    save_clio_tokens(store, ACCOUNT, tokens)
    return tokens


def _auth(store: MemoryTokenStore, **kwargs: Any) -> ClioAuth:
    return ClioAuth(
        ClioApp.from_provider(_provider(), "US"), store, ACCOUNT, broker_bearer=lambda: "lc-token", **kwargs
    )


async def _complete(auth: ClioAuth, code: str = "the-code") -> ClioTokens:
    state = auth.begin().state
    return await auth.complete(f"https://app.clio.com/oauth/approval?code={code}&state={state}")


def test_exchange_sends_the_documented_form() -> None:
    store = MemoryTokenStore()
    seen: list[str] = []
    with respx.mock(assert_all_called=True) as mock:
        exchange = mock.post(BROKER).respond(
            200,
            json={"token_type": "bearer", "access_token": "a1", "expires_in": 3600, "refresh_token": "r1"},
        )
        mock.get(WHO_AM_I).respond(200, json={"data": {"id": 42}})

        async def run() -> ClioTokens:
            auth = _auth(store, add_secret=seen.append)
            try:
                return await _complete(auth)
            finally:
                await auth.aclose()

        tokens = asyncio.run(run())
    request = exchange.calls.last.request
    assert request.headers["authorization"] == "Bearer lc-token"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.content.decode()) == {
        "grant_type": ["authorization_code"],
        "code": ["the-code"],
        "redirect_uri": ["https://app.clio.com/oauth/approval"],
        "client_id": ["us-id"],
        "region": ["US"],
    }
    assert (tokens.access_token, tokens.refresh_token, tokens.account_id) == ("a1", "r1", 42)
    expected = datetime.now(UTC) + timedelta(seconds=3600 - 120)
    assert abs((tokens.expires_at - expected).total_seconds()) < 5
    assert {"the-code", "a1", "r1"} <= set(seen)


def test_who_am_i_failing_still_connects() -> None:
    store = MemoryTokenStore()
    with respx.mock() as mock:
        mock.post(BROKER).respond(200, json={"access_token": "a1", "expires_in": 60, "refresh_token": "r1"})
        mock.get(WHO_AM_I).mock(side_effect=httpx.ConnectError("down"))

        async def run() -> ClioTokens:
            auth = _auth(store)
            try:
                return await _complete(auth)
            finally:
                await auth.aclose()

        assert asyncio.run(run()).account_id == 0


@pytest.mark.parametrize(
    ("response", "error", "text"),
    [
        (
            httpx.Response(200, json={"access_token": "a", "refresh_token": "r"}),
            ClioAuthorizationFailed,
            "read",
        ),
        (
            httpx.Response(200, json={"access_token": "a", "expires_in": "soon"}),
            ClioAuthorizationFailed,
            "read",
        ),
        (httpx.Response(200, json={"access_token": "a", "expires_in": 60}), ClioAuthorizationFailed, "read"),
        (httpx.Response(200, json={"expires_in": 60, "refresh_token": "r"}), ClioAuthorizationFailed, "read"),
        (httpx.Response(200, text="<html>proxy</html>"), ClioAuthorizationFailed, "read"),
        (httpx.Response(200, json=["access_token"]), ClioAuthorizationFailed, "read"),
        (httpx.Response(500, text="oops"), http.ServerError, "trouble"),
        (httpx.Response(503, json={"error": "temporarily_unavailable"}), http.ServerError, "trouble"),
        (httpx.Response(429, headers={"Retry-After": "7"}), http.RateLimited, "slow down"),
        (httpx.Response(400, json={"error": "invalid_grant"}), ClioAuthorizationFailed, "expired"),
        (httpx.Response(401, json={"error": "invalid_client"}), ClioAuthorizationFailed, "misconfigured"),
        (httpx.Response(400, json={"error": "invalid_request"}), ClioAuthorizationFailed, "refused"),
        (
            httpx.Response(401, json={"error": {"code": "unauthorized", "message": "no"}}),
            ClioAuthorizationFailed,
            "Sign in again",
        ),
        (
            httpx.Response(
                403, json={"error": {"code": "clio_integration_disabled", "message": "Switched off."}}
            ),
            ClioAuthorizationFailed,
            "Switched off",
        ),
        (
            httpx.Response(502, json={"error": {"code": "clio_unreachable", "message": "Clio down."}}),
            http.ServerError,
            "Clio down",
        ),
    ],
)
def test_odd_code_exchange_answers(response: httpx.Response, error: type[Exception], text: str) -> None:
    store = MemoryTokenStore()
    with respx.mock() as mock:
        mock.post(BROKER).mock(return_value=response)

        async def run() -> None:
            auth = _auth(store)
            try:
                await _complete(auth)
            finally:
                await auth.aclose()

        with pytest.raises(error, match=text) as raised:
            asyncio.run(run())
    assert isinstance(raised.value, http.ServiceError)
    assert load_nothing(store)


def load_nothing(store: MemoryTokenStore) -> bool:
    return all(store.get(SecretKey(kind, ACCOUNT)) is None for kind in SecretKind)


@pytest.mark.parametrize(
    ("failure", "error"),
    [(httpx.ConnectError("refused"), http.Unreachable), (httpx.ReadTimeout("slow"), http.TimedOut)],
)
def test_network_trouble_on_refresh_keeps_the_tokens(failure: Exception, error: type[Exception]) -> None:
    store = MemoryTokenStore()
    _connected(store, expires_in=-10)  # past the refresh time
    with respx.mock() as mock:
        mock.post(BROKER).mock(side_effect=failure)

        async def run() -> None:
            auth = _auth(store)
            try:
                with pytest.raises(error):
                    await auth.access_token()
                assert auth.connected
            finally:
                await auth.aclose()

        asyncio.run(run())
    assert store.get(SecretKey(SecretKind.CLIO_REFRESH, ACCOUNT)) == "the-refresh"


def test_refresh_form_and_a_rotated_refresh_token() -> None:
    store = MemoryTokenStore()
    _connected(store, expires_in=-10)
    with respx.mock() as mock:
        route = mock.post(BROKER).respond(
            200, json={"access_token": "new-access", "expires_in": 3600, "refresh_token": "new-refresh"}
        )

        async def run() -> str:
            auth = _auth(store)
            try:
                return await auth.access_token()
            finally:
                await auth.aclose()

        assert asyncio.run(run()) == "new-access"
    assert parse_qs(route.calls.last.request.content.decode()) == {
        "grant_type": ["refresh_token"],
        "refresh_token": ["the-refresh"],
        "client_id": ["us-id"],
        "region": ["US"],
    }
    assert store.get(SecretKey(SecretKind.CLIO_REFRESH, ACCOUNT)) == "new-refresh"


def test_invalid_client_on_refresh_points_at_the_provider() -> None:
    store = MemoryTokenStore()
    _connected(store)
    with respx.mock() as mock:
        mock.post(BROKER).respond(
            401, json={"error": "invalid_client", "error_description": "Unknown client"}
        )

        async def run() -> None:
            auth = _auth(store)
            try:
                with pytest.raises(ClioAuthorizationFailed, match="Service Provider") as failed:
                    await auth.refresh_after_unauthorized("old-access")
                assert failed.value.error == "invalid_client" and auth.connected
            finally:
                await auth.aclose()

        asyncio.run(run())


def test_fresh_tokens_need_no_request_and_other_regions_do_not_count() -> None:
    store = MemoryTokenStore()
    _connected(store)
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(BROKER)

        async def run() -> None:
            auth = _auth(store)
            eu = ClioAuth(ClioApp.from_provider(_provider(), "EU"), store, ACCOUNT)
            try:
                assert await auth.access_token() == "old-access"
                snapshot = auth.tokens_snapshot
                assert snapshot is not None and "old-access" not in repr(snapshot)
                assert not eu.connected
                with pytest.raises(ClioConnectionEnded):
                    await eu.access_token()
                with pytest.raises(ClioConnectionEnded):
                    await eu.refresh_after_unauthorized("old-access")
            finally:
                await auth.aclose()
                await eu.aclose()

        asyncio.run(run())
        assert not route.called


def test_disconnect_forgets_even_when_clio_is_unreachable() -> None:
    store = MemoryTokenStore()
    _connected(store)
    changes: list[None] = []
    with respx.mock() as mock:
        route = mock.post("https://app.clio.com/oauth/deauthorize").mock(side_effect=httpx.ConnectError("x"))

        async def run() -> None:
            auth = _auth(store, on_change=lambda: changes.append(None))
            try:
                await auth.disconnect()
                assert not auth.connected
            finally:
                await auth.aclose()

        asyncio.run(run())
    request = route.calls.last.request
    assert request.headers["authorization"] == "Bearer old-access"
    assert parse_qs(request.content.decode()) == {"token": ["old-access"]}
    assert load_nothing(store) and len(changes) == 1


@pytest.mark.parametrize(
    ("query", "error", "text"),
    [
        ("error=access_denied", ClioAuthorizationDenied, "chose not to connect"),
        ("error=server_error&error_description=Try+later", ClioAuthorizationFailed, "Try later"),
        ("error=invalid_request", ClioAuthorizationFailed, "invalid_request"),
        ("", ClioAuthorizationFailed, "did not finish"),
        ("code=", ClioAuthorizationFailed, "did not finish"),
    ],
)
def test_redirect_errors(query: str, error: type[Exception], text: str) -> None:
    async def run() -> None:
        auth = _auth(MemoryTokenStore())
        try:
            state = auth.begin().state
            with pytest.raises(error, match=text):
                await auth.complete(f"https://app.clio.com/oauth/approval?{query}&state={state}")
        finally:
            await auth.aclose()

    with respx.mock(assert_all_called=False):
        asyncio.run(run())


def test_complete_refuses_a_foreign_url_and_no_pending_state() -> None:
    async def run() -> None:
        auth = _auth(MemoryTokenStore())
        try:
            with pytest.raises(ClioAuthorizationFailed, match="could not be verified"):
                await auth.complete("https://app.clio.com/oauth/approval?code=c&state=s")
            state = auth.begin().state
            with pytest.raises(ClioAuthorizationFailed, match="unexpected"):
                await auth.complete(f"https://evil.example/oauth/approval?code=c&state={state}")
        finally:
            await auth.aclose()

    with respx.mock(assert_all_called=False):
        asyncio.run(run())


def test_a_disconnect_during_a_refresh_wins() -> None:
    store = MemoryTokenStore()
    _connected(store, expires_in=-10)

    async def run() -> None:
        started, release = asyncio.Event(), asyncio.Event()

        async def slow_answer(request: httpx.Request) -> httpx.Response:
            started.set()
            await release.wait()
            return httpx.Response(200, json={"access_token": "late", "expires_in": 3600})

        with respx.mock() as mock:
            mock.post(BROKER).mock(side_effect=slow_answer)
            mock.post("https://app.clio.com/oauth/deauthorize").respond(200)
            auth = _auth(store)
            try:
                refreshing = asyncio.create_task(auth.access_token())
                await started.wait()
                await auth.disconnect()
                release.set()
                with pytest.raises(ClioConnectionEnded):
                    await refreshing
                assert not auth.connected
            finally:
                await auth.aclose()

    asyncio.run(run())
    assert load_nothing(store)
