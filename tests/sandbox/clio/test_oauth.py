"""The Clio emulator's OAuth pages and endpoints, driven like a browser and a client would.

Most tests talk HTTP to the real sandbox (`sandbox_world`) with a cookie-keeping `httpx.Client`.
The few that need to move time (code expiry) run the same `ClioOAuth` in-process with a fake clock.
"""

from __future__ import annotations

import asyncio
import base64
import html
import re
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.clio.oauth import INVALID_TOKEN_DESCRIPTION, ClioOAuth
from sandbox.clio.sso import CONSUME_PATH, HELP_URL, SIGN_IN_PATH
from sandbox.common.faults import Faults
from sandbox.common.settings import ClioSettings
from sandbox.seed import firm

WHO_AM_I = "/api/v4/users/who_am_i.json"
DEMO, SECOND = firm.CLIO_DEMO_USER, firm.CLIO_SECOND_USER


@dataclass
class Clio:
    """One Clio server as the tests see it: a cookie-keeping client and the server's knobs."""

    http: httpx.Client
    faults: Faults
    redirect_uri: str
    db_path: Path | None = None

    def authorize_params(self, state: str = "st-123", decline: bool = True, **extra: str) -> dict[str, str]:
        params = {
            "response_type": "code",
            "client_id": firm.CLIO_CLIENT_ID,
            "redirect_uri": self.redirect_uri,
        }
        params |= {"state": state} | ({"redirect_on_decline": "true"} if decline else {}) | extra
        return params

    def sign_in(
        self, params: dict[str, str], email: str = DEMO.email, password: str = DEMO.password
    ) -> httpx.Response:
        page = self.http.get("/oauth/authorize", params=params)
        assert page.status_code == 200, page.text
        assert 'id="password"' in page.text, page.text
        return self.http.post(
            _form_action(page.text), data={"step": "sign_in", "email": email, "password": password}
        )

    def decide(self, consent: httpx.Response, decision: str) -> httpx.Response:
        forms = re.findall(r'<form method="post" action="([^"]+)">(.*?)</form>', consent.text, re.S)
        action, inner = next((a, f) for a, f in forms if f'value="{decision}"' in f)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', inner)
        assert csrf is not None
        return self.http.post(_unescape(action), data={"csrf_token": csrf.group(1), "decision": decision})

    def code(self, state: str = "st-123", **sign_in: str) -> str:
        params = self.authorize_params(state)
        page = self.http.get("/oauth/authorize", params=params)
        consent = self.sign_in(params, **sign_in) if 'id="password"' in page.text else page
        answer = self.decide(consent, "allow")
        assert answer.status_code == 302, answer.text
        query = _query(answer.headers["location"])
        assert query["state"] == state
        return query["code"]

    def token(self, data: dict[str, str], **kwargs: Any) -> httpx.Response:
        return self.http.post("/oauth/token", data=data, **kwargs)

    def exchange(self, code: str, **overrides: str) -> httpx.Response:
        data = {
            "grant_type": "authorization_code",
            "client_id": firm.CLIO_CLIENT_ID,
            "client_secret": firm.CLIO_CLIENT_SECRET,
            "code": code,
            "redirect_uri": self.redirect_uri,
        }
        return self.token(data | overrides)

    def tokens(self) -> dict[str, Any]:
        answer = self.exchange(self.code())
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def refresh(self, refresh_token: str) -> httpx.Response:
        return self.token(
            {
                "grant_type": "refresh_token",
                "client_id": firm.CLIO_CLIENT_ID,
                "client_secret": firm.CLIO_CLIENT_SECRET,
                "refresh_token": refresh_token,
            }
        )

    def api(self, token: str) -> httpx.Response:
        return self.http.get(
            WHO_AM_I, params={"fields": "id,name"}, headers={"Authorization": f"Bearer {token}"}
        )

    def access_token_rows(self) -> int:
        assert self.db_path is not None
        with sqlite3.connect(self.db_path) as conn:
            return int(conn.execute("SELECT count(*) FROM oauth_access_tokens").fetchone()[0])


def _form_action(page: str) -> str:
    match = re.search(r'<form method="post" action="([^"]+)"', page)
    assert match is not None, page
    return _unescape(match.group(1))


def _unescape(text: str) -> str:
    return text.replace("&amp;", "&")


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _clio_db(data_dir: Path) -> Path:
    for path in sorted(data_dir.rglob("*")):
        if path.is_file() and path.suffix in {".db", ".sqlite", ".sqlite3"}:
            with sqlite3.connect(path) as conn:
                found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'oauth_access_tokens'")
                if found.fetchone():
                    return path
    raise AssertionError(f"no Clio database with OAuth tables under {data_dir}")


@pytest.fixture
def clio(sandbox_world: Any) -> Iterator[Clio]:
    """The real Clio emulator over HTTP."""
    endpoint = sandbox_world.endpoints.clio
    with httpx.Client(base_url=endpoint.base_url, timeout=10) as http:
        yield Clio(
            http, sandbox_world.clio_faults, endpoint.redirect_uri, _clio_db(sandbox_world.data_dir / "clio")
        )


class _SyncASGI(httpx.BaseTransport):
    """Serves a sync client from an ASGI app in-process (httpx's ASGITransport is async-only)."""

    def __init__(self, app: Starlette) -> None:
        self.asgi = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def handle() -> httpx.Response:
            answer = await self.asgi.handle_async_request(request)
            return httpx.Response(answer.status_code, headers=answer.headers, content=await answer.aread())

        return asyncio.run(handle())


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def local() -> Iterator[tuple[Clio, ClioOAuth, FakeClock]]:
    """`ClioOAuth` in-process over a minimal users table, with a clock the test moves."""
    conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT, password TEXT)")
    for user_id, user in ((1, DEMO), (2, SECOND)):
        conn.execute("INSERT INTO users VALUES (?, ?, ?, ?)", (user_id, user.name, user.email, user.password))
    clock = FakeClock()
    settings = ClioSettings(Path("unused"), "http://testserver")
    oauth = ClioOAuth(conn, settings, clock=clock)

    async def who_am_i(request: Request) -> Response:
        grant = oauth.authenticate(request)
        return grant if isinstance(grant, Response) else JSONResponse({"data": {"id": grant.user_id}})

    app = Starlette(routes=[*oauth.routes(), Route(WHO_AM_I, who_am_i)])
    with httpx.Client(transport=_SyncASGI(app), base_url=settings.base_url) as http:
        yield Clio(http, settings.faults, f"{settings.base_url}/oauth/approval"), oauth, clock
    conn.close()


# ----- the pages ----------------------------------------------------------------------------


def test_allow_flow_end_to_end(clio: Clio) -> None:
    params = clio.authorize_params("xyz-state")
    page = clio.http.get("/oauth/authorize", params=params)
    assert page.status_code == 200
    assert "<title>Sign in - Clio</title>" in page.text
    for element in ('id="email"', 'name="email"', 'id="password"', 'name="password"', 'id="sign-in"'):
        assert element in page.text

    consent = clio.sign_in(params)
    assert consent.status_code == 200
    assert "LegalConnect Desktop</strong> would like to access your Clio account" in consent.text
    assert 'id="allow"' in consent.text
    assert 'id="deny"' in consent.text
    cookie = consent.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie

    allowed = clio.decide(consent, "allow")
    assert allowed.status_code == 302
    location = allowed.headers["location"]
    assert location.startswith(clio.redirect_uri + "?")
    query = _query(location)
    assert query["state"] == "xyz-state"
    assert len(query["code"]) >= 32

    approval = clio.http.get(location)
    assert approval.status_code == 200
    assert f"<title>Success code={query['code']}</title>" in approval.text
    assert f"Success code={query['code']}" in approval.text.split("<body>")[1]

    answer = clio.exchange(query["code"])
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    tokens = answer.json()
    assert set(tokens) == {"token_type", "access_token", "expires_in", "refresh_token"}
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == clio.faults.access_token_lifetime_s

    me = clio.api(tokens["access_token"])
    assert me.status_code == 200, me.text
    assert me.json()["data"]["id"] == 1

    refreshed = clio.refresh(tokens["refresh_token"])
    assert refreshed.status_code == 200, refreshed.text
    # Clio Manage returns refresh_token only when it changed; it does not rotate.
    assert set(refreshed.json()) == {"token_type", "access_token", "expires_in"}
    new_access = refreshed.json()["access_token"]
    assert new_access != tokens["access_token"]
    assert clio.api(new_access).status_code == 200
    assert clio.api(tokens["access_token"]).status_code == 200  # the old one lives until it expires
    again = clio.refresh(tokens["refresh_token"])  # refresh tokens are reusable
    assert again.status_code == 200
    assert "refresh_token" not in again.json()


def test_signed_in_session_skips_the_sign_in_form(clio: Clio) -> None:
    clio.code()
    page = clio.http.get("/oauth/authorize", params=clio.authorize_params("second"))
    assert page.status_code == 200
    assert 'id="allow"' in page.text
    assert 'id="password"' not in page.text
    assert _query(clio.decide(page, "allow").headers["location"])["state"] == "second"


def test_second_user_gets_their_own_identity(clio: Clio) -> None:
    code = clio.code(email=SECOND.email, password=SECOND.password)
    tokens = clio.exchange(code).json()
    assert clio.api(tokens["access_token"]).json()["data"]["id"] == 2


def test_deny_redirects_with_access_denied(clio: Clio) -> None:
    denied = clio.decide(clio.sign_in(clio.authorize_params("d-1")), "deny")
    assert denied.status_code == 302
    assert _query(denied.headers["location"]) == {"error": "access_denied", "state": "d-1"}
    approval = clio.http.get(denied.headers["location"])
    assert "<title>Failure error=access_denied</title>" in approval.text


def test_deny_without_redirect_on_decline_shows_clio_error_page(clio: Clio) -> None:
    denied = clio.decide(clio.sign_in(clio.authorize_params(decline=False)), "deny")
    assert denied.status_code == 400
    assert "location" not in denied.headers
    assert "<html" in denied.text


@pytest.mark.parametrize(
    ("email", "password"),
    [(DEMO.email, "wrong-password"), ("nobody@harborvale.example", DEMO.password), (DEMO.email, "")],
)
def test_wrong_sign_in_stays_on_the_page(clio: Clio, email: str, password: str) -> None:
    answer = clio.sign_in(clio.authorize_params(), email=email, password=password)
    assert answer.status_code == 200
    assert "location" not in answer.headers
    assert "set-cookie" not in answer.headers
    assert "<title>Sign in - Clio</title>" in answer.text
    assert "Invalid email or password." in answer.text
    assert 'id="allow"' not in answer.text


@pytest.mark.parametrize(
    "change",
    [
        {"redirect_uri": "https://evil.example/oauth/approval"},
        {"redirect_uri": "http://127.0.0.1:1/oauth/approval"},
        {"redirect_uri": "{base}/oauth/approval/extra"},
        {"redirect_uri": "{base}/oauth/approval#fragment"},
        {"redirect_uri": ""},
        {"client_id": "not-a-registered-app"},
        {"client_id": ""},
    ],
)
def test_bad_client_or_redirect_gets_an_error_page_never_a_redirect(
    clio: Clio, change: dict[str, str]
) -> None:
    base = clio.redirect_uri.removesuffix("/oauth/approval")
    params = clio.authorize_params() | {k: v.format(base=base) for k, v in change.items()}
    page = clio.http.get("/oauth/authorize", params=params)
    assert page.status_code == 400
    assert "location" not in page.headers
    assert page.headers["content-type"].startswith("text/html")
    assert 'id="error"' in page.text


def test_extra_query_on_a_registered_redirect_is_accepted_and_kept(clio: Clio) -> None:
    params = clio.authorize_params("q", redirect_uri=f"{clio.redirect_uri}?window=7")
    answer = clio.decide(clio.sign_in(params), "allow")
    query = _query(answer.headers["location"])
    assert query["window"] == "7"
    assert query["state"] == "q"
    assert "code" in query


def test_unsupported_response_type_goes_back_to_the_registered_redirect(clio: Clio) -> None:
    answer = clio.http.get("/oauth/authorize", params=clio.authorize_params("t", response_type="token"))
    assert answer.status_code == 302
    assert _query(answer.headers["location"]) == {"error": "unsupported_response_type", "state": "t"}


def test_consent_without_the_session_token_is_refused(clio: Clio) -> None:
    consent = clio.sign_in(clio.authorize_params())
    action = _form_action(consent.text)
    forged = clio.http.post(action, data={"decision": "allow", "csrf_token": "guess"})
    assert forged.status_code == 403
    assert "location" not in forged.headers
    clio.http.cookies.clear()
    no_session = clio.decide(consent, "allow")
    assert no_session.status_code == 403
    assert "location" not in no_session.headers


# ----- single sign-on through the firm's identity provider -----------------------------------


def _hidden(page: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', page)}


def _to_the_provider(clio: Clio, params: dict[str, str], email: str = DEMO.email) -> httpx.Response:
    """Clio's sign-in page as single sign-on shows it, then the provider's page it sends the user to."""
    page = clio.http.get("/oauth/authorize", params=params)
    assert page.status_code == 200 and 'id="sign-in"' in page.text, page.text
    assert 'id="password"' not in page.text  # the password is the provider's business
    sent = clio.http.post(_form_action(page.text), data={"step": "sign_in", "email": email})
    assert sent.status_code == 303, sent.text
    return clio.http.get(sent.headers["location"])


def test_sso_login_signs_in_at_the_firms_identity_provider(clio: Clio, sandbox_world: Any) -> None:
    clio.faults.update({"sso_login": True})
    provider = sandbox_world.endpoints.clio.identity_provider_url
    clio_origin = str(clio.http.base_url).rstrip("/")
    assert provider.startswith("http://127.0.0.1:") and provider != clio_origin  # another origin
    params = clio.authorize_params("sso-1")

    sign_in = _to_the_provider(clio, params)
    assert str(sign_in.url).startswith(f"{provider}{SIGN_IN_PATH}?SAMLRequest=")
    assert sign_in.status_code == 200
    assert f"<title>Sign in - {html.escape(firm.FIRM_NAME)}</title>" in sign_in.text
    assert f'href="{HELP_URL}"' in sign_in.text
    request = _hidden(sign_in.text)
    assert request["email"] == DEMO.email  # Clio passed on who is signing in
    assert parse_qs(request["RelayState"])["state"] == ["sso-1"]

    fields = {"SAMLRequest": request["SAMLRequest"], "RelayState": request["RelayState"]}
    wrong = clio.http.post(f"{provider}{SIGN_IN_PATH}", data=fields | {"email": DEMO.email, "password": "x"})
    assert wrong.status_code == 200 and 'id="error"' in wrong.text
    assert "SAMLResponse" not in wrong.text

    signed_in = clio.http.post(
        f"{provider}{SIGN_IN_PATH}", data=fields | {"email": DEMO.email, "password": DEMO.password}
    )
    assert signed_in.status_code == 200
    assert f'action="{clio_origin}{CONSUME_PATH}"' in signed_in.text  # posted back to Clio by itself
    answer = _hidden(signed_in.text)
    back = clio.http.post(
        CONSUME_PATH, data={"SAMLResponse": answer["SAMLResponse"], "RelayState": answer["RelayState"]}
    )
    assert back.status_code == 303
    assert back.headers["location"] == f"/oauth/authorize?{request['RelayState']}"
    consent = clio.http.get(back.headers["location"])
    assert 'id="allow"' in consent.text
    code = _query(clio.decide(consent, "allow").headers["location"])["code"]
    tokens = clio.exchange(code).json()
    assert clio.api(tokens["access_token"]).json()["data"]["id"] == 1

    # The provider's answer works once.
    replayed = clio.http.post(CONSUME_PATH, data=answer)
    assert replayed.status_code == 403 and "location" not in replayed.headers


def test_sso_login_refuses_what_it_cannot_trust(clio: Clio, sandbox_world: Any) -> None:
    clio.faults.update({"sso_login": True})
    provider = sandbox_world.endpoints.clio.identity_provider_url
    params = clio.authorize_params()

    page = clio.http.get("/oauth/authorize", params=params)
    unknown = clio.http.post(
        _form_action(page.text), data={"step": "sign_in", "email": "nobody@elsewhere.example"}
    )
    assert unknown.status_code == 200 and "No Clio account uses this email." in unknown.text

    request = _hidden(_to_the_provider(clio, params).text)
    forged = request["SAMLRequest"].replace(".", ".0", 1)
    refused = clio.http.get(f"{provider}{SIGN_IN_PATH}", params={"SAMLRequest": forged, "RelayState": ""})
    assert refused.status_code == 400

    signed_in = clio.http.post(
        f"{provider}{SIGN_IN_PATH}",
        data={"SAMLRequest": request["SAMLRequest"], "RelayState": request["RelayState"]}
        | {"email": DEMO.email, "password": DEMO.password},
    )
    answer = _hidden(signed_in.text)
    body, _, mac = answer["SAMLResponse"].partition(".")
    tampered = clio.http.post(CONSUME_PATH, data=answer | {"SAMLResponse": f"{body}x.{mac}"})
    assert tampered.status_code == 403 and "location" not in tampered.headers
    # Nobody was signed in along the way: Clio still asks who is there.
    assert 'id="allow"' not in clio.http.get("/oauth/authorize", params=params).text


# ----- the token endpoint -------------------------------------------------------------------


def _oauth_error(answer: httpx.Response, status: int, error: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["error"] == error
    assert isinstance(body["error_description"], str)
    assert "access_token" not in body


def test_a_code_works_once_and_reuse_revokes_its_tokens(clio: Clio) -> None:
    code = clio.code()
    tokens = clio.exchange(code).json()
    _oauth_error(clio.exchange(code), 400, "invalid_grant")
    # RFC 6749 §4.1.2: the reused code may be stolen, so what it produced is revoked.
    assert clio.api(tokens["access_token"]).status_code == 401
    _oauth_error(clio.refresh(tokens["refresh_token"]), 400, "invalid_grant")


def test_wrong_secret_is_invalid_client(clio: Clio) -> None:
    code = clio.code()
    answer = clio.exchange(code, client_secret="not-the-secret")
    _oauth_error(answer, 401, "invalid_client")
    assert "www-authenticate" in answer.headers
    assert clio.exchange(code).status_code == 200  # the failed attempt did not use the code up


def test_http_basic_client_authentication_is_accepted(clio: Clio) -> None:
    basic = base64.b64encode(f"{firm.CLIO_CLIENT_ID}:{firm.CLIO_CLIENT_SECRET}".encode()).decode()
    data = {"grant_type": "authorization_code", "code": clio.code(), "redirect_uri": clio.redirect_uri}
    answer = clio.token(data, headers={"Authorization": f"Basic {basic}"})
    assert answer.status_code == 200, answer.text


def test_redirect_uri_must_match_the_authorize_one(clio: Clio) -> None:
    code = clio.code()
    _oauth_error(clio.exchange(code, redirect_uri=LOOPBACK), 400, "invalid_grant")


LOOPBACK = "http://127.0.0.1:53123/callback"


def _malformed(clio: Clio) -> dict[str, tuple[httpx.Response, int, str]]:
    good = {
        "grant_type": "authorization_code",
        "client_id": firm.CLIO_CLIENT_ID,
        "client_secret": firm.CLIO_CLIENT_SECRET,
        "code": clio.code(),
        "redirect_uri": clio.redirect_uri,
    }

    def without(*names: str, **changes: str) -> dict[str, str]:
        return {k: v for k, v in good.items() if k not in names} | changes

    refresh = without("code", "redirect_uri", grant_type="refresh_token")
    return {
        "json body": (clio.http.post("/oauth/token", json=good), 400, "invalid_request"),
        "empty body": (clio.token({}), 400, "invalid_request"),
        "no grant_type": (clio.token(without("grant_type")), 400, "invalid_request"),
        "password grant": (clio.token(without(grant_type="password")), 400, "unsupported_grant_type"),
        "client_credentials": (
            clio.token(without(grant_type="client_credentials")),
            400,
            "unsupported_grant_type",
        ),
        "no code": (clio.token(without("code")), 400, "invalid_request"),
        "no redirect_uri": (clio.token(without("redirect_uri")), 400, "invalid_request"),
        "blank code": (clio.token(without(code="")), 400, "invalid_request"),
        "unknown code": (clio.token(without(code="forged-code")), 400, "invalid_grant"),
        "no refresh_token": (clio.token(refresh), 400, "invalid_request"),
        "unknown refresh_token": (clio.token(refresh | {"refresh_token": "nope"}), 400, "invalid_grant"),
        "no client_secret": (clio.token(without("client_secret")), 401, "invalid_client"),
        "no client_id": (clio.token(without("client_id")), 401, "invalid_client"),
        "unknown client": (clio.token(without(client_id="someone-else")), 401, "invalid_client"),
        "repeated parameter": (
            clio.http.post(
                "/oauth/token",
                content="&".join(f"{k}={v}" for k, v in good.items()) + "&code=second",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ),
            400,
            "invalid_request",
        ),
    }


def test_malformed_token_requests_get_oauth_errors_and_no_token(clio: Clio) -> None:
    before = clio.access_token_rows()
    cases = _malformed(clio)
    problems = []
    for name, (answer, status, error) in cases.items():
        try:
            _oauth_error(answer, status, error)
        except (AssertionError, ValueError) as exc:
            problems.append(f"{name}: {answer.status_code} {answer.text[:200]} ({exc})")
    assert not problems, "\n".join(problems)
    assert clio.access_token_rows() == before
    assert clio.http.get("/oauth/token").status_code == 405


# ----- bearer tokens, lifetimes, revocation ------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic dXNlcjpwYXNz", "MAC abc"])
def test_api_without_a_valid_token_is_401_invalid_token(clio: Clio, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    answer = clio.http.get(WHO_AM_I, headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {"error": "invalid_token", "error_description": INVALID_TOKEN_DESCRIPTION}
    assert answer.headers["www-authenticate"].startswith("Bearer ")


def test_short_token_lifetime_knob_expires_tokens(clio: Clio) -> None:
    clio.faults.update({"access_token_lifetime_s": 1})
    tokens = clio.tokens()
    assert tokens["expires_in"] == 1
    assert clio.api(tokens["access_token"]).status_code == 200
    deadline = time.monotonic() + 5
    while (answer := clio.api(tokens["access_token"])).status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_token"
    clio.faults.update({"access_token_lifetime_s": 3600})
    refreshed = clio.refresh(tokens["refresh_token"]).json()
    assert refreshed["expires_in"] == 3600
    assert clio.api(refreshed["access_token"]).status_code == 200


def test_deauthorize_revokes_only_that_access_token(clio: Clio) -> None:
    tokens = clio.tokens()
    sibling = clio.refresh(tokens["refresh_token"]).json()["access_token"]
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    answer = clio.http.post("/oauth/deauthorize", data={"token": tokens["access_token"]}, headers=bearer)
    assert answer.status_code == 200
    assert clio.api(tokens["access_token"]).status_code == 401
    assert clio.api(sibling).status_code == 200
    assert clio.refresh(tokens["refresh_token"]).status_code == 200
    again = clio.http.post("/oauth/deauthorize", data={"token": tokens["access_token"]}, headers=bearer)
    assert again.status_code == 401


def test_deauthorize_needs_a_bearer_and_a_token(clio: Clio) -> None:
    tokens = clio.tokens()
    assert clio.http.post("/oauth/deauthorize", data={"token": tokens["access_token"]}).status_code == 401
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    _oauth_error(clio.http.post("/oauth/deauthorize", data={}, headers=bearer), 400, "invalid_request")
    assert clio.api(tokens["access_token"]).status_code == 200


def test_user_revoking_the_app_ends_access_and_refresh(clio: Clio) -> None:
    tokens = clio.tokens()
    clio.http.cookies.clear()
    other = clio.exchange(clio.code(email=SECOND.email, password=SECOND.password)).json()
    answer = clio.http.post("/_sandbox/clio/revoke", json={"user_id": 1})
    assert answer.status_code == 200, f"mount ClioOAuth.admin_revoke at /_sandbox/clio/revoke: {answer.text}"
    assert answer.json()["access_tokens"] >= 1
    assert answer.json()["refresh_tokens"] >= 1
    assert clio.api(tokens["access_token"]).status_code == 401
    _oauth_error(clio.refresh(tokens["refresh_token"]), 400, "invalid_grant")
    assert clio.api(other["access_token"]).status_code == 200  # user 2 keeps their grant
    assert clio.http.post("/_sandbox/clio/revoke", json={"user_id": "1"}).status_code == 400


# ----- time-dependent rules, in-process with a fake clock ----------------------------------


def test_code_expires_after_ten_minutes(local: tuple[Clio, ClioOAuth, FakeClock]) -> None:
    clio, _, clock = local
    fresh, stale = clio.code(), clio.code()
    clock.now += 599
    assert clio.exchange(fresh).status_code == 200
    clock.now += 2
    _oauth_error(clio.exchange(stale), 400, "invalid_grant")


def test_token_expiry_and_test_tokens(local: tuple[Clio, ClioOAuth, FakeClock]) -> None:
    clio, oauth, clock = local
    minted = oauth.issue_token_for_tests(2, expires_in=60)
    assert clio.api(minted).json() == {"data": {"id": 2}}
    clock.now += 60
    assert clio.api(minted).status_code == 401
    clio.faults.update({"access_token_lifetime_s": 10})
    tokens = clio.tokens()
    clock.now += 9
    assert clio.api(tokens["access_token"]).status_code == 200
    clock.now += 1
    assert clio.api(tokens["access_token"]).status_code == 401
    assert clio.api(clio.refresh(tokens["refresh_token"]).json()["access_token"]).status_code == 200


def test_revoke_all_for_user_in_process(local: tuple[Clio, ClioOAuth, FakeClock]) -> None:
    clio, oauth, _ = local
    tokens = clio.tokens()
    assert oauth.revoke_all_for_user(1) == (1, 1)
    assert clio.api(tokens["access_token"]).status_code == 401
    _oauth_error(clio.refresh(tokens["refresh_token"]), 400, "invalid_grant")


def test_tokens_are_stored_hashed(local: tuple[Clio, ClioOAuth, FakeClock]) -> None:
    clio, oauth, _ = local
    tokens = clio.tokens()
    dump = "\n".join(oauth.conn.iterdump())
    assert tokens["access_token"] not in dump
    assert tokens["refresh_token"] not in dump
