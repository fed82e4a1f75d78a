"""Malformed and forbidden requests get the documented error (status, code, message), change nothing
that is stored, and never cause a 500."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.sandbox.legalconnect.conftest import (
    Lc,
    add_document,
    encrypted_pdf,
    fillable_pdf,
    new_order,
    pdf_bytes,
    ready_order,
)

Ids = dict[str, int]


@dataclass(frozen=True)
class Case:
    name: str
    send: Callable[[httpx.Client, Ids], httpx.Response]
    status: int
    code: str
    says: str


def _json(method: str, path: str, body: Any = None) -> Callable[[httpx.Client, Ids], httpx.Response]:
    return lambda c, ids: c.request(method, path.format(**ids), json=body)


def _raw(
    method: str, path: str, content: bytes, media: str = "application/json"
) -> Callable[..., httpx.Response]:
    return lambda c, ids: c.request(
        method, path.format(**ids), content=content, headers={"Content-Type": media}
    )


def _submit(key: str, body: Any = None) -> Callable[[httpx.Client, Ids], httpx.Response]:
    return _json("POST", f"/orders/{{{key}}}/submit", {"authorize_payment": True} if body is None else body)


def _upload(content: bytes) -> Callable[[httpx.Client, Ids], httpx.Response]:
    return _raw("PUT", "/orders/{empty}/documents/{empty_doc}/content", content, "application/pdf")


CASES = [
    Case("bad JSON", _raw("POST", "/orders", b'{"court_id": "LA",'), 400, "invalid_json", "not valid JSON"),
    Case("JSON array body", _json("POST", "/orders", [1, 2]), 400, "invalid_json", "JSON object"),
    Case(
        "wrong type", _json("POST", "/orders", {"new_case": "perhaps"}), 422, "validation_error", "new_case"
    ),
    Case("unknown field", _json("POST", "/orders", {"colour": "red"}), 422, "validation_error", "colour"),
    Case("unknown court", _json("POST", "/orders", {"court_id": "XX"}), 422, "unknown_court", "'XX'"),
    Case(
        "case type of another category",
        _json("PATCH", "/orders/{draft}", {"case_category_id": "family", "case_type_id": "auto_pi_22"}),
        422,
        "unknown_case_type",
        "auto_pi_22",
    ),
    Case(
        "case title too long",
        _json("PATCH", "/orders/{draft}", {"case_title": "x" * 101}),
        422,
        "validation_error",
        "case_title",
    ),
    Case("unknown order", _json("GET", "/orders/9999999"), 404, "order_not_found", "9999999"),
    Case("other firm's order", _json("GET", "/orders/{foreign}"), 404, "order_not_found", "No order"),
    Case(
        "change other firm's order",
        _json("PATCH", "/orders/{foreign}", {"case_title": "Mine"}),
        404,
        "order_not_found",
        "No order",
    ),
    Case("non-numeric order id", _json("GET", "/orders/abc"), 404, "not_found", "nothing at"),
    Case("unknown route", _json("GET", "/nothing/here"), 404, "not_found", "/api/v1/nothing/here"),
    Case("wrong method", _json("PUT", "/orders"), 405, "method_not_allowed", "method"),
    Case("submit without lead", _submit("no_lead"), 422, "lead_required", "lead"),
    Case("submit with two leads", _submit("two_leads"), 422, "multiple_leads", "2 are marked"),
    Case("submit without documents", _submit("empty_order"), 422, "no_documents", "at least one"),
    Case("submit with a file missing", _submit("empty"), 422, "document_content_missing", "Upload the file"),
    Case(
        "submit without paying",
        _submit("valid", {"authorize_payment": False}),
        422,
        "payment_not_authorized",
        "Authorize",
    ),
    Case("submit without the flag", _submit("valid", {}), 422, "validation_error", "authorize_payment"),
    Case("submit without a Word copy", _submit("seed_draft"), 422, "word_copy_missing", "Word copy"),
    Case("submit a submitted order", _submit("submitted"), 409, "order_not_draft", "submitted"),
    Case(
        "upload to a submitted order",
        _raw("PUT", "/orders/{submitted}/documents/{submitted_doc}/content", pdf_bytes(), "application/pdf"),
        409,
        "order_not_draft",
        "only a draft",
    ),
    Case("upload a non-PDF", _upload(b"plain words"), 422, "not_a_pdf", "not a PDF"),
    Case("upload an encrypted PDF", _upload(encrypted_pdf()), 422, "encrypted_pdf", "password"),
    Case("upload a fillable PDF", _upload(fillable_pdf()), 422, "fillable_pdf", "Flatten"),
    Case("upload a damaged PDF", _upload(b"%PDF-1.4\n%%garbage"), 422, "damaged_pdf", "damaged"),
    Case("upload nothing", _upload(b""), 422, "empty_file", "empty"),
    Case(
        "oversize name",
        _json("POST", "/orders/{empty}/documents", {"name": "N" * 60 + ".pdf", "filing_code": "DECL"}),
        422,
        "name_too_long",
        "at most 50",
    ),
    Case(
        "name with a slash",
        _json("POST", "/orders/{empty}/documents", {"name": "a/b.pdf", "filing_code": "DECL"}),
        422,
        "invalid_name",
        "characters",
    ),
    Case(
        "bad filing code",
        _json("POST", "/orders/{empty}/documents", {"name": "a.pdf", "filing_code": "NOPE"}),
        422,
        "unknown_filing_code",
        "NOPE",
    ),
    Case(
        "exhibit as lead",
        _json("POST", "/orders/{empty}/documents", {"name": "a.pdf", "filing_code": "EXHB", "role": "lead"}),
        422,
        "attachment_only_type",
        "attachment",
    ),
    Case(
        "Word copy of nothing",
        _json(
            "POST",
            "/orders/{empty}/documents",
            {"name": "a.docx", "filing_code": "PORD", "kind": "word_copy", "word_copy_of": 999999},
        ),
        422,
        "unknown_document",
        "word_copy_of",
    ),
    Case(
        "unknown document",
        _json("GET", "/orders/{empty}/documents/999999"),
        404,
        "document_not_found",
        "999999",
    ),
    Case(
        "reorder with missing ids",
        _json("POST", "/orders/{two_leads}/documents/reorder", {"document_ids": [1]}),
        422,
        "invalid_document_order",
        "exactly once",
    ),
    Case(
        "bad updated_since",
        _json("GET", "/orders?updated_since=yesterday"),
        400,
        "invalid_parameter",
        "updated_since",
    ),
    Case(
        "updated_since without zone",
        _json("GET", "/orders?updated_since=2025-01-01T00:00:00"),
        400,
        "invalid_parameter",
        "time zone",
    ),
    Case("negative offset", _json("GET", "/orders?offset=-1"), 400, "invalid_parameter", "offset"),
    Case("limit too large", _json("GET", "/orders?limit=500"), 400, "invalid_parameter", "limit"),
    Case("unknown status filter", _json("GET", "/orders?status=lost"), 400, "invalid_parameter", "status"),
    Case(
        "delete a submitted order", _json("DELETE", "/orders/{submitted}"), 409, "order_not_draft", "deleted"
    ),
    Case(
        "edit a submitted order",
        _json("PATCH", "/orders/{submitted}", {"case_title": "New"}),
        409,
        "order_not_draft",
        "only `clio`",
    ),
    Case(
        "cancel an accepted order",
        _json("POST", "/orders/{accepted}/cancel"),
        409,
        "order_not_cancellable",
        "accepted",
    ),
    Case(
        "claim another firm's deliverable",
        _json("POST", "/orders/{foreign}/deliverables/1/clio-claim", {"workstation_id": "x"}),
        404,
        "order_not_found",
        "No order",
    ),
    Case(
        "claim with a zero lease",
        _json(
            "POST",
            "/orders/{accepted}/deliverables/{accepted_deliverable}/clio-claim",
            {"workstation_id": "x", "lease_seconds": 0},
        ),
        422,
        "validation_error",
        "lease_seconds",
    ),
    Case(
        "acknowledge an unknown claim",
        _json("POST", "/clio-claims/clm_nope/acknowledge", {"clio_id": 5}),
        404,
        "claim_not_found",
        "clm_nope",
    ),
    Case(
        "document types of an unknown court",
        _json("GET", "/reference/document-types?court_id=ZZ"),
        400,
        "unknown_court",
        "ZZ",
    ),
    Case(
        "broker without a form body",
        _json("POST", "/clio/oauth/token", {"grant_type": "refresh_token"}),
        415,
        "unsupported_media_type",
        "x-www-form-urlencoded",
    ),
    Case(
        "broker with an unknown region",
        _raw(
            "POST",
            "/clio/oauth/token",
            b"grant_type=refresh_token&region=MARS",
            "application/x-www-form-urlencoded",
        ),
        400,
        "unknown_region",
        "MARS",
    ),
]


@pytest.fixture
def world(lc: Lc) -> tuple[httpx.Client, Ids]:
    """A signed-in client and the ids of orders in every interesting state."""
    dana = lc.client()
    no_lead = ready_order(dana, [("Declaration.pdf", "DECL", "attachment")])
    two_leads = ready_order(dana, [("Motion A.pdf", "MOTN", "lead"), ("Motion B.pdf", "MOTN", "lead")])
    empty = new_order(dana)
    empty_doc = add_document(dana, empty["id"], "Reply.pdf", "REPL", "lead")
    with lc.db() as conn:

        def first(sql: str) -> int:
            return int(conn.execute(sql).fetchone()[0])

        ids = {
            "draft": first("SELECT id FROM orders WHERE status = 'draft' AND firm_id = 1 ORDER BY id"),
            "seed_draft": first("SELECT id FROM orders WHERE status = 'draft' AND firm_id = 1 ORDER BY id"),
            "foreign": first("SELECT id FROM orders WHERE firm_id = 2"),
            "submitted": first("SELECT id FROM orders WHERE status = 'submitted'"),
            "accepted": first("SELECT id FROM orders WHERE status = 'accepted' AND firm_id = 1"),
        }
        ids["submitted_doc"] = first(f"SELECT id FROM documents WHERE order_id = {ids['submitted']}")  # noqa: S608
        ids["accepted_deliverable"] = first(f"SELECT id FROM deliverables WHERE order_id = {ids['accepted']}")  # noqa: S608
    ids |= {
        "no_lead": no_lead["id"],
        "two_leads": two_leads["id"],
        "empty_order": new_order(dana)["id"],
        "empty": empty["id"],
        "empty_doc": empty_doc["id"],
        "valid": ready_order(dana, [("Opposition.pdf", "OPPO", "lead")])["id"],
    }
    return dana, ids


def test_there_are_at_least_twenty_kinds() -> None:
    assert len(CASES) >= 20
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_request_changes_nothing(lc: Lc, world: tuple[httpx.Client, Ids], case: Case) -> None:
    client, ids = world
    before = lc.snapshot()
    r = case.send(client, ids)
    assert r.status_code == case.status, r.text
    error = r.json()["error"]
    assert error["code"] == case.code, error
    assert case.says.lower() in error["message"].lower(), error["message"]
    assert set(r.json()) == {"error"}
    assert lc.snapshot() == before


def test_missing_or_bad_token(lc: Lc) -> None:
    client = lc.anonymous()
    r = client.get("/orders")
    assert r.status_code == 401 and r.json()["error"]["code"] == "authentication_required"
    assert r.headers["www-authenticate"] == "Bearer"
    r = client.get("/orders", headers={"Authorization": "Bearer forged"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_token"
    r = client.post("/session", json={"email": "nobody@example.com", "password": "x"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_credentials"
