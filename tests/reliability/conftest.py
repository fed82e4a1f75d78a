"""The real headless command as a subprocess against the sandbox, and the counts that prove
"exactly once": every returned document in Clio once (by its key), none lost, the Service
Provider's records and each workstation's journal agreeing with Clio, the databases intact."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.services.clio.helpers import connect_tokens

ROOT = Path(__file__).resolve().parents[2]
FINAL_STEPS = {"acknowledged", "filed_elsewhere", "deleted_in_clio"}


@pytest.fixture(autouse=True)
def roomy_rate_limit(sandbox_world: Any) -> None:
    """Clio's 50 requests a minute would make a run of 60 documents last minutes; the rate limit
    is measured by the filing benchmark instead."""
    sandbox_world.clio_faults.update({"rate_limit_per_minute": 100_000})


def start_sync(world: Any, home: Path, *, once: bool = True) -> subprocess.Popen[str]:
    """`legalconnect sync --once --sandbox-endpoints …` for the workstation whose profile is `home`."""
    env = dict(os.environ, LEGALCONNECT_DESKTOP_HOME=str(home))
    endpoints = str(world.data_dir / "endpoints.json")
    args = [sys.executable, "-m", "app", "sync", "--sandbox-endpoints", endpoints]
    home.mkdir(parents=True, exist_ok=True)
    with (home / "stdout.txt").open("a") as out, (home / "stderr.txt").open("a") as err:
        # The child keeps its own copies of the two files; ours close here.
        return subprocess.Popen(
            [*args, "--once"] if once else args,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            text=True,
        )


def sync_until_done(world: Any, home: Path, attempts: int = 8) -> int:
    """Run `sync --once` until it says everything is done (exit 0); returns how many runs it took."""
    for attempt in range(1, attempts + 1):
        process = start_sync(world, home)
        if process.wait(timeout=300) == 0:
            return attempt
    raise AssertionError(
        f"sync did not finish in {attempts} runs: {(home / 'stderr.txt').read_text()[-3000:]}"
    )


def journal(home: Path) -> dict[str, tuple[str, int | None]]:
    """A workstation's journal: deliverable id → (step, Clio document id)."""
    database = home / "data" / "sandbox-profile" / "data" / "legalconnect.sqlite3"
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT deliverable_id, step, clio_document_id FROM returns_journal").fetchall()
    return {str(did): (str(step), doc) for did, step, doc in rows}


@dataclass
class Census:
    """What is where after the runs."""

    deliverables: int
    copies: dict[int, list[dict[str, Any]]]
    records: dict[int, int | None]


class Firm:
    """The firm's view of the sandbox, through the same APIs the app uses (with its own tokens)."""

    def __init__(self, world: Any) -> None:
        self.world = world
        lc = world.endpoints.legalconnect
        self.lc = httpx.Client(base_url=lc.api_url + "/", timeout=60)
        token = self.lc.post("session", json={"email": lc.demo_user.email, "password": lc.demo_user.password})
        token.raise_for_status()
        self.lc.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        access, _refresh = connect_tokens(world.endpoints)
        self.clio = httpx.Client(
            base_url=world.endpoints.clio.api_url + "/",
            timeout=60,
            headers={"Authorization": f"Bearer {access}", "X-API-VERSION": "4.0.13"},
        )
        self.host = httpx.URL(lc.api_url).host

    def close(self) -> None:
        self.lc.close()
        self.clio.close()

    def admin(self, path: str, body: dict[str, Any]) -> Any:
        base = self.world.endpoints.legalconnect.base_url
        answer = httpx.post(f"{base}/_sandbox/legalconnect{path}", json=body, timeout=120)
        answer.raise_for_status()
        return answer.json()

    def deliverables(self) -> list[dict[str, Any]]:
        """Every returned document of the firm's orders that have a Clio matter."""
        orders = self.lc.get("orders", params={"limit": 200}).json()["data"]
        found: list[dict[str, Any]] = []
        for order in orders:
            if order.get("clio") and order.get("deliverable_count"):
                found += self.lc.get(f"orders/{order['id']}/deliverables").json()["data"]
        return found

    def copies(self, deliverable_id: int) -> list[dict[str, Any]]:
        """Every Clio document carrying the returned document's key (unfinished and trashed too)."""
        params = {
            "external_property_name": "lc_rdoc",
            "external_property_value": f"{deliverable_id}@{self.host}",
            "show_uncompleted": "true",
            "include_deleted": "true",
            "fields": "id,deleted_at,latest_document_version{fully_uploaded},external_properties{name,value}",
            "limit": 200,
        }
        return list(self.clio.get("documents.json", params=params).json()["data"])

    def census(self) -> Census:
        deliverables = self.deliverables()
        copies = {d["id"]: self.copies(d["id"]) for d in deliverables}
        records = {d["id"]: d["clio_filing"]["clio_id"] for d in deliverables}
        return Census(len(deliverables), copies, records)

    def assert_exactly_once(self, homes: list[Path]) -> Census:
        """Every returned document in Clio once, fully uploaded; the records and journals agree."""
        census = self.census()
        journals = [journal(home) for home in homes]
        for deliverable_id, copies in census.copies.items():
            live = [c for c in copies if not c["deleted_at"]]
            assert len(live) == 1, f"deliverable {deliverable_id} is in Clio {len(live)} times: {copies}"
            assert live[0]["latest_document_version"]["fully_uploaded"], copies
            assert census.records[deliverable_id] == live[0]["id"], (deliverable_id, census.records)
            steps = [j[str(deliverable_id)] for j in journals if str(deliverable_id) in j]
            assert steps, f"no workstation journalled deliverable {deliverable_id}"
            for step, document_id in steps:
                assert step in FINAL_STEPS, (deliverable_id, steps)
                assert document_id in (None, live[0]["id"]), (deliverable_id, steps, live)
        return census
