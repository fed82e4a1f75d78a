"""Each LegalConnect fault knob takes effect; the OpenAPI document is served, complete and truthful."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jsonschema
import pytest

from tests.sandbox.legalconnect.conftest import Lc, ready_order, submit


def _patch_faults(lc: Lc, changes: dict[str, Any]) -> None:
    r = httpx.patch(f"{lc.base_url}/_sandbox/faults", json=changes, timeout=10)
    assert r.status_code == 200, r.text


def test_latency(lc: Lc, dana: httpx.Client) -> None:
    _patch_faults(lc, {"latency_ms": 300})
    started = time.monotonic()
    assert dana.get("/reference/courts").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_injected_503_uses_the_error_shape(lc: Lc, dana: httpx.Client) -> None:
    _patch_faults(lc, {"error_rate": 1.0})
    r = dana.get("/orders")
    assert r.status_code == 503 and r.headers["retry-after"] == "1"
    assert r.json()["error"]["code"] == "service_unavailable"
    _patch_faults(lc, {"error_rate": 0.0})
    assert dana.get("/orders").status_code == 200


def test_dropped_connections(lc: Lc, dana: httpx.Client) -> None:
    _patch_faults(lc, {"drop_rate": 1.0})
    with pytest.raises(httpx.RemoteProtocolError):
        dana.get("/orders")


def test_clerk_delay_is_read_at_submit(lc: Lc, dana: httpx.Client) -> None:
    slow = submit(dana, ready_order(dana, [("Slow.pdf", "DECL", "lead")])["id"])  # delay 3600 s (fixture)
    _patch_faults(lc, {"clerk_delay_s": 0.3})
    fast = submit(dana, ready_order(dana, [("Fast.pdf", "DECL", "lead")])["id"])
    seen = set()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        status = dana.get(f"/orders/{fast['id']}").json()["status"]
        seen.add(status)
        if status == "accepted":
            break
        time.sleep(0.05)
    assert status == "accepted"
    assert dana.get(f"/orders/{slow['id']}").json()["status"] == "submitted"


# ---- the OpenAPI document -------------------------------------------------------------------------


@pytest.fixture
def openapi(lc: Lc) -> dict[str, Any]:
    r = httpx.get(f"{lc.api}/openapi.json", timeout=10)
    assert r.status_code == 200
    return r.json()  # type: ignore[no-any-return]


def test_every_route_is_documented_with_errors(openapi: dict[str, Any]) -> None:
    assert openapi["openapi"].startswith("3.1")
    paths = openapi["paths"]
    expected = {
        "/api/v1/session",
        "/api/v1/provider",
        "/api/v1/reference/courts",
        "/api/v1/reference/case-categories",
        "/api/v1/reference/document-types",
        "/api/v1/orders",
        "/api/v1/orders/{order_id}",
        "/api/v1/orders/{order_id}/submit",
        "/api/v1/orders/{order_id}/cancel",
        "/api/v1/orders/{order_id}/fee-quote",
        "/api/v1/orders/{order_id}/fee-lines",
        "/api/v1/orders/{order_id}/documents",
        "/api/v1/orders/{order_id}/documents/{document_id}",
        "/api/v1/orders/{order_id}/documents/reorder",
        "/api/v1/orders/{order_id}/documents/{document_id}/content",
        "/api/v1/orders/{order_id}/deliverables",
        "/api/v1/orders/{order_id}/deliverables/{deliverable_id}",
        "/api/v1/orders/{order_id}/deliverables/{deliverable_id}/content",
        "/api/v1/orders/{order_id}/deliverables/{deliverable_id}/clio-claim",
        "/api/v1/orders/{order_id}/fee-lines/{fee_line_id}/clio-claim",
        "/api/v1/clio-claims/{claim_id}",
        "/api/v1/clio-claims/{claim_id}/acknowledge",
        "/api/v1/clio/oauth/token",
    }
    assert set(paths) == expected
    assert not any(p.startswith("/_sandbox") for p in paths)
    schemas = openapi["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    for path, ops in paths.items():
        for method, op in ops.items():
            assert op.get("tags") and op.get("summary"), (method, path)
            errors = {s: r for s, r in op["responses"].items() if s.startswith(("4", "5"))}
            assert "503" in errors, (method, path)
            for r in errors.values():
                assert r["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorResponse"
                }
            public = path == "/api/v1/provider" or (path == "/api/v1/session" and method == "post")
            assert public or op.get("security"), (method, path)
    assert "court clerk" in openapi["info"]["description"].lower()


def _validate(openapi: dict[str, Any], schema_name: str, instance: Any) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": openapi["components"]}
    jsonschema.Draft202012Validator(schema).validate(instance)


def test_real_responses_match_the_documented_schemas(
    lc: Lc, dana: httpx.Client, openapi: dict[str, Any]
) -> None:
    orders = dana.get("/orders", params={"limit": 200}).json()
    _validate(openapi, "OrderList", orders)
    decided = next(o for o in orders["data"] if o["status"] == "partially_accepted")
    _validate(openapi, "DeliverableList", dana.get(f"/orders/{decided['id']}/deliverables").json())
    _validate(openapi, "FeeLineList", dana.get(f"/orders/{decided['id']}/fee-lines").json())
    _validate(openapi, "ProviderOut", dana.get("/provider").json())
    _validate(openapi, "DocumentTypeList", dana.get("/reference/document-types").json())
    _validate(openapi, "FeeQuote", dana.get(f"/orders/{orders['data'][-1]['id']}/fee-quote").json())
    _validate(openapi, "ErrorResponse", dana.get("/orders/999999").json())
    _validate(
        openapi,
        "ErrorResponse",
        dana.post("/orders", content=b"{", headers={"Content-Type": "application/json"}).json(),
    )
    with pytest.raises(jsonschema.ValidationError):
        _validate(openapi, "OrderOut", {"id": "not an order"})
