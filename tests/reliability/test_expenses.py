"""Posting fees into Clio as expenses, exactly once, proven by hurting the real headless command:
SIGKILL at random moments, faults on both remotes, two workstations at once. Each test counts the
outcome in Clio by the fee lines' markers and against the Service Provider's records and ledgers.
"""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from app import config
from app.config import Config
from app.paths import AppPaths
from tests.reliability.conftest import Firm, start_sync, sync_until_done

KILLS = 20


def _profile(home: Path) -> AppPaths:
    """The sandbox profile of the workstation whose home is `home` (as `profile_paths` makes it)."""
    return AppPaths.under(AppPaths.under(home).data / "sandbox-profile").ensure()


def _post_fees(home: Path) -> None:
    """Turn fee posting on for this workstation, for every order decided from 2020 on."""
    settings = Config.open(_profile(home).settings_file)
    settings.set(config.FEES_POSTING, "automatic")
    settings.set(config.FEES_POSTING_SINCE, "2020-01-01")


def _ledger(home: Path) -> dict[tuple[str, str], tuple[str, int | None]]:
    """A workstation's expense ledger: (order id, fee line id) → (step, Clio activity id)."""
    database = _profile(home).database_file
    if not database.exists():
        return {}
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute(
            "SELECT order_id, fee_line_id, step, clio_activity_id FROM expense_ledger"
        ).fetchall()
    return {(str(o), str(f)): (str(step), activity) for o, f, step, activity in rows}


def _assert_each_fee_once(firm: Firm, homes: list[Path]) -> int:
    """Every fee line of every decided order with a matter is in Clio once, by its marker; the
    Service Provider's record and the ledgers name that expense. Returns how many fee lines."""
    orders = firm.lc.get("orders", params={"limit": 200}).json()["data"]
    ledgers = [_ledger(home) for home in homes]
    lines = 0
    for order in orders:
        if not order.get("clio") or order["status"] not in ("accepted", "rejected", "partially_accepted"):
            continue
        listing = firm.lc.get(f"orders/{order['id']}/fee-lines").json()
        for line in listing["data"]:
            lines += 1
            marker = f"[LC {order['order_number']}/F{line['id']}]"
            found = firm.clio.get(
                "activities.json",
                params={
                    "matter_id": order["clio"]["matter_id"],
                    "type": "ExpenseEntry",
                    "query": marker,
                    "fields": "id,note,price,quantity",
                    "limit": 200,
                },
            ).json()["data"]
            exact = [a for a in found if marker in a["note"]]
            assert len(exact) == 1, (
                f"fee line {line['id']} of order {order['id']} is in Clio {len(exact)} times"
            )
            assert exact[0]["price"] == line["amount_cents"] / 100 and exact[0]["quantity"] == 1
            record = listing["clio_expenses"][str(line["id"])]
            assert record["status"] == "filed" and record["clio_id"] == exact[0]["id"], (line, record)
            steps = [
                ledger[(str(order["id"]), str(line["id"]))]
                for ledger in ledgers
                if (str(order["id"]), str(line["id"])) in ledger
            ]
            assert steps, f"no workstation recorded fee line {line['id']}"
            for step, activity in steps:
                assert step == "acknowledged" and activity == exact[0]["id"], (line["id"], steps)
    return lines


@pytest.fixture
def firm(sandbox_world: Any) -> Any:
    made = Firm(sandbox_world)
    yield made
    made.close()


def test_sigkill_at_random_moments_posts_every_fee_once(
    sandbox_world: Any, firm: Firm, tmp_path: Path
) -> None:
    firm.admin("/decided-orders", {"count": 10, "documents": 3})
    home = tmp_path / "workstation"
    _post_fees(home)
    rng = random.Random(20261128)
    mid_posting = 0
    for _ in range(KILLS):
        process = start_sync(sandbox_world, home)
        time.sleep(rng.uniform(0.4, 3.5))
        process.kill()
        process.wait(timeout=30)
        mid_posting += any(step != "acknowledged" for step, _a in _ledger(home).values())
    sync_until_done(sandbox_world, home)
    lines = _assert_each_fee_once(firm, [home])
    assert lines >= 40
    assert mid_posting >= 3, f"only {mid_posting} of {KILLS} kills caught a fee mid-posting"
    assert "Traceback" not in (home / "stderr.txt").read_text()


@pytest.mark.timeout(600)
def test_faults_on_both_remotes_lose_no_fee_and_post_none_twice(
    sandbox_world: Any, firm: Firm, tmp_path: Path
) -> None:
    firm.admin("/decided-orders", {"count": 3, "documents": 2})
    knobs = {"error_rate": 0.1, "drop_rate": 0.03, "lost_answer_rate": 0.03, "throttle_rate": 0.1, "seed": 11}
    sandbox_world.clio_faults.update({**knobs, "access_token_lifetime_s": 20})
    sandbox_world.legalconnect_faults.update({"error_rate": 0.1, "drop_rate": 0.03, "seed": 12})
    home = tmp_path / "workstation"
    _post_fees(home)
    try:
        sync_until_done(sandbox_world, home, attempts=15)
    finally:
        quiet = {"error_rate": 0, "drop_rate": 0, "lost_answer_rate": 0, "throttle_rate": 0}
        sandbox_world.clio_faults.update({**quiet, "access_token_lifetime_s": 3600})
        sandbox_world.legalconnect_faults.update({"error_rate": 0, "drop_rate": 0})
    assert _assert_each_fee_once(firm, [home]) >= 12
    assert "Traceback" not in (home / "stderr.txt").read_text()


def test_two_workstations_at_once_post_every_fee_once(sandbox_world: Any, firm: Firm, tmp_path: Path) -> None:
    firm.admin("/decided-orders", {"count": 10, "documents": 3})
    homes = [tmp_path / "front-desk", tmp_path / "paralegal"]
    for home in homes:
        _post_fees(home)
    processes = [start_sync(sandbox_world, home) for home in homes]
    codes = [p.wait(timeout=300) for p in processes]
    for home, code in zip(homes, codes, strict=True):
        if code != 0:  # the other one held a claim this one waited for: the next run settles it
            sync_until_done(sandbox_world, home)
    assert _assert_each_fee_once(firm, homes) >= 40
    posted_here = [sum(step == "acknowledged" for step, _a in _ledger(home).values()) for home in homes]
    assert all(count > 0 for count in posted_here)
