"""Exactly-once Clio filing records, and the token broker against the real Clio emulator."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from sandbox.seed import firm
from tests.sandbox.legalconnect.conftest import PRIYA, Lc


def _accepted_order(dana: httpx.Client) -> dict[str, Any]:
    orders = dana.get("/orders", params={"status": "accepted", "limit": 200}).json()["data"]
    return next(o for o in orders if not o["closed"])


def test_claim_refuses_a_second_workstation_then_ack_makes_it_filed(lc: Lc, dana: httpx.Client) -> None:
    priya = lc.client(PRIYA)
    order = _accepted_order(dana)
    deliverable = dana.get(f"/orders/{order['id']}/deliverables").json()["data"][0]
    url = f"/orders/{order['id']}/deliverables/{deliverable['id']}/clio-claim"
    r = dana.post(url, json={"workstation_id": "ws-dana"})
    assert r.status_code == 201
    claim = r.json()
    assert claim["status"] == "claimed" and claim["target"] == "deliverable"
    r = priya.post(url, json={"workstation_id": "ws-priya"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_claimed"
    assert r.json()["error"]["details"]["workstation_id"] == "ws-dana"
    again = dana.post(url, json={"workstation_id": "ws-dana"})
    assert again.status_code == 201 and again.json()["claim_id"] == claim["claim_id"]
    r = dana.post(f"/clio-claims/{claim['claim_id']}/acknowledge", json={"clio_id": 88001})
    assert r.status_code == 200 and r.json()["status"] == "filed" and r.json()["clio_id"] == 88001
    for client, ws in ((priya, "ws-priya"), (dana, "ws-dana")):
        r = client.post(url, json={"workstation_id": ws})
        assert r.status_code == 409 and r.json()["error"]["code"] == "already_filed"
        assert r.json()["error"]["details"]["clio_id"] == 88001
    listed = dana.get(f"/orders/{order['id']}/deliverables/{deliverable['id']}").json()
    assert listed["clio_filing"]["status"] == "filed" and listed["clio_filing"]["clio_id"] == 88001
    assert (
        dana.post(f"/clio-claims/{claim['claim_id']}/acknowledge", json={"clio_id": 88001}).status_code == 200
    )
    assert dana.delete(f"/clio-claims/{claim['claim_id']}").status_code == 409


def test_released_claim_can_be_taken_by_another_workstation(lc: Lc, dana: httpx.Client) -> None:
    priya = lc.client(PRIYA)
    order = _accepted_order(dana)
    deliverable = dana.get(f"/orders/{order['id']}/deliverables").json()["data"][-1]
    url = f"/orders/{order['id']}/deliverables/{deliverable['id']}/clio-claim"
    claim = dana.post(url, json={"workstation_id": "ws-dana"}).json()
    assert dana.delete(f"/clio-claims/{claim['claim_id']}").status_code == 204
    assert priya.post(url, json={"workstation_id": "ws-priya"}).status_code == 201


def test_fee_line_expense_claims(lc: Lc, dana: httpx.Client) -> None:
    priya = lc.client(PRIYA)
    order = _accepted_order(dana)
    lines = dana.get(f"/orders/{order['id']}/fee-lines").json()
    line = lines["data"][0]
    assert lines["clio_expenses"][str(line["id"])]["status"] == "unfiled"
    url = f"/orders/{order['id']}/fee-lines/{line['id']}/clio-claim"
    claim = dana.post(url, json={"workstation_id": "ws-dana", "lease_seconds": 60}).json()
    assert claim["target"] == "fee_line"
    assert priya.post(url, json={"workstation_id": "ws-priya"}).json()["error"]["code"] == "already_claimed"
    dana.post(f"/clio-claims/{claim['claim_id']}/acknowledge", json={"clio_id": 5501})
    assert priya.post(url, json={"workstation_id": "ws-priya"}).json()["error"]["code"] == "already_filed"
    state = dana.get(f"/orders/{order['id']}/fee-lines").json()["clio_expenses"][str(line["id"])]
    assert state["status"] == "filed" and state["clio_id"] == 5501


def _clio_code(clio_base: str) -> str:
    """Run Clio's OAuth pages like a browser: sign in, Allow, read the code off the redirect."""
    redirect = f"{clio_base}/oauth/approval"
    params = {
        "response_type": "code",
        "client_id": firm.CLIO_CLIENT_ID,
        "redirect_uri": redirect,
        "state": "s1",
    }
    with httpx.Client(base_url=clio_base, timeout=30) as browser:
        r = browser.get("/oauth/authorize", params=params)
        assert r.status_code == 200
        user = firm.CLIO_DEMO_USER
        form = {"step": "sign_in", "email": user.email, "password": user.password}
        r = browser.post("/oauth/authorize", params=params, data=form)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
        assert csrf, r.text
        r = browser.post(
            "/oauth/authorize", params=params, data={"csrf_token": csrf.group(1), "decision": "allow"}
        )
        assert r.status_code == 302
        query = parse_qs(urlsplit(r.headers["location"]).query)
        assert query["state"] == ["s1"]
        return query["code"][0]


def test_broker_exchanges_and_refreshes_against_clio(lc: Lc, dana: httpx.Client) -> None:
    code = _clio_code(lc.clio_base_url)
    form = {
        "grant_type": "authorization_code",
        "client_id": firm.CLIO_CLIENT_ID,
        "code": code,
        "redirect_uri": f"{lc.clio_base_url}/oauth/approval",
        "region": "US",
    }
    r = dana.post("/clio/oauth/token", data=form)
    assert r.status_code == 200, r.text
    tokens = r.json()
    assert tokens["token_type"].lower() == "bearer" and tokens["access_token"] and tokens["refresh_token"]
    assert "client_secret" not in r.text
    who = httpx.get(
        f"{lc.clio_base_url}/api/v4/users/who_am_i.json",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=30,
    )
    assert who.status_code == 200
    r = dana.post(
        "/clio/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": firm.CLIO_CLIENT_ID,
            "refresh_token": tokens["refresh_token"],
        },
    )
    assert r.status_code == 200 and r.json()["access_token"] != tokens["access_token"]
    # Clio's own error comes back verbatim: the code was single-use.
    r = dana.post("/clio/oauth/token", data=form)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_broker_needs_a_session_and_the_integration(lc: Lc, dana: httpx.Client) -> None:
    form = {"grant_type": "refresh_token", "client_id": firm.CLIO_CLIENT_ID, "refresh_token": "x"}
    r = lc.anonymous().post("/clio/oauth/token", data=form)
    assert r.status_code == 401 and r.json()["error"]["code"] == "authentication_required"
    lc.admin("/provider", {"clio_enabled": False})
    r = dana.post("/clio/oauth/token", data=form)
    assert r.status_code == 403 and r.json()["error"]["code"] == "clio_integration_disabled"


def test_broker_relays_clios_retry_after(lc: Lc, dana: httpx.Client) -> None:
    """When Clio's token endpoint says slow down, the broker passes on for how long."""
    faults = httpx.patch(f"{lc.clio_base_url}/_sandbox/faults", json={"throttle_rate": 1}, timeout=10)
    assert faults.status_code == 200
    try:
        form = {"grant_type": "refresh_token", "client_id": firm.CLIO_CLIENT_ID, "refresh_token": "x"}
        r = dana.post("/clio/oauth/token", data=form)
    finally:
        httpx.patch(f"{lc.clio_base_url}/_sandbox/faults", json={"throttle_rate": 0}, timeout=10)
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "1"
