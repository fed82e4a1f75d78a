"""Fixtures for the LegalConnect emulator tests: the sandbox world over real HTTP, signed-in clients,
order builders, test PDFs and a snapshot of everything stored (to prove bad input changes nothing)."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfWriter
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

from sandbox.common.faults import Faults
from sandbox.seed import firm

DANA, PRIYA = firm.LC_DEMO_USER, firm.LC_SECOND_USER


def pdf_bytes(pages: int = 2, title: str = "Test document") -> bytes:
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=LETTER)
    for n in range(pages):
        canvas.drawString(72, 700, f"{title} - page {n + 1}")
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes(1)))
    writer.encrypt("open-sesame", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def fillable_pdf() -> bytes:
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=LETTER)
    canvas.drawString(72, 720, "Form DISC-001")
    canvas.acroForm.textfield(name="party", x=72, y=650, width=200, height=20)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Proposed Order")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@dataclass
class Lc:
    """The LegalConnect emulator as the tests see it."""

    base_url: str
    clio_base_url: str
    faults: Faults
    data_dir: Path
    clients: list[httpx.Client]

    @property
    def api(self) -> str:
        return f"{self.base_url}/api/v1"

    def anonymous(self) -> httpx.Client:
        client = httpx.Client(base_url=self.api, timeout=30)
        self.clients.append(client)
        return client

    def client(self, user: firm.DemoUser = DANA) -> httpx.Client:
        """A client signed in as `user`."""
        client = self.anonymous()
        r = client.post("/session", json={"email": user.email, "password": user.password})
        assert r.status_code == 201, r.text
        client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        return client

    def admin(self, path: str, body: dict[str, Any] | None = None, method: str = "POST") -> Any:
        r = httpx.request(method, f"{self.base_url}/_sandbox/legalconnect{path}", json=body, timeout=60)
        assert r.status_code == 200, r.text
        return r.json()

    def db(self) -> sqlite3.Connection:
        path = self.data_dir / "legalconnect.sqlite3"
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        return conn

    def snapshot(self) -> dict[str, Any]:
        """Every stored row (sessions aside: signing in is not a change of data) and every stored file."""
        with self.db() as conn:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            rows = {
                t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY rowid")]  # noqa: S608
                for t in tables
                if t not in ("sessions", "sqlite_sequence")
            }
        files = sorted(
            (str(p.relative_to(self.data_dir)), p.stat().st_size)
            for p in self.data_dir.rglob("*")
            if p.is_file() and "files" in p.parts
        )
        return {"rows": rows, "files": files}


@pytest.fixture
def lc(sandbox_world: Any) -> Iterator[Lc]:
    """The running LegalConnect emulator; the clerk waits for `admin('/clerk/run')` unless a test
    lowers `clerk_delay_s`."""
    ep = sandbox_world.endpoints
    faults: Faults = sandbox_world.legalconnect_faults
    faults.update({"clerk_delay_s": 3600})
    world = Lc(
        ep.legalconnect.base_url, ep.clio.base_url, faults, sandbox_world.data_dir / "legalconnect", []
    )
    yield world
    for client in world.clients:
        client.close()


@pytest.fixture
def dana(lc: Lc) -> httpx.Client:
    return lc.client(DANA)


def new_order(client: httpx.Client, court: str = "SD", **fields: Any) -> dict[str, Any]:
    body = {
        "court_id": court,
        "case_category_id": "civil_unlimited",
        "case_type_id": "contract_06",
        "new_case": False,
        "case_number": "25CU001234C",
        "case_title": "Brightline Logistics v. Harmon Freight",
        "parties": [
            {
                "role": "plaintiff",
                "kind": "organization",
                "name": "Brightline Logistics, Inc.",
                "is_client": True,
            }
        ],
        "clio": {"client_id": 1002, "matter_id": 2002, "matter_display_number": "00002-Brightline"},
    } | fields
    r = client.post("/orders", json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def add_document(
    client: httpx.Client,
    order_id: int,
    name: str,
    code: str = "DECL",
    role: str = "attachment",
    content: bytes | None = None,
    **extra: Any,
) -> dict[str, Any]:
    r = client.post(
        f"/orders/{order_id}/documents", json={"name": name, "filing_code": code, "role": role} | extra
    )
    assert r.status_code == 201, r.text
    doc = r.json()
    if content is not None:
        r = client.put(
            f"/orders/{order_id}/documents/{doc['id']}/content",
            content=content,
            headers={"Content-Type": "application/pdf"},
        )
        assert r.status_code == 200, r.text
        doc = r.json()
    return doc  # type: ignore[no-any-return]


def ready_order(
    client: httpx.Client, docs: list[tuple[str, str, str]], court: str = "SD", **fields: Any
) -> dict[str, Any]:
    """A draft with `docs` ((name, filing code, role)) uploaded, ready to submit."""
    order = new_order(client, court, **fields)
    for name, code, role in docs:
        add_document(client, order["id"], name, code, role, pdf_bytes(3, name))
    return order


def submit(client: httpx.Client, order_id: int) -> dict[str, Any]:
    r = client.post(f"/orders/{order_id}/submit", json={"authorize_payment": True})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def decide(lc: Lc, client: httpx.Client, order_id: int) -> dict[str, Any]:
    """Have the clerk decide the order now and return it."""
    assert lc.admin("/clerk/run", {"order_id": order_id}) == {"decided": [order_id]}
    return client.get(f"/orders/{order_id}").json()  # type: ignore[no-any-return]
