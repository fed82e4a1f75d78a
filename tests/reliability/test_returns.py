"""Filing court returns into Clio, exactly once, proven by hurting the real headless command:
SIGKILL at random moments, faults on both remotes, two workstations at once. Each test counts the
outcome in Clio by the documents' keys and against the Service Provider's records and the journals.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.conftest import Firm, journal, start_sync, sync_until_done

KILLS = 25


@pytest.fixture
def firm(sandbox_world: Any) -> Any:
    made = Firm(sandbox_world)
    yield made
    made.close()


def test_sigkill_at_random_moments_loses_nothing_and_files_nothing_twice(
    sandbox_world: Any, firm: Firm, tmp_path: Path
) -> None:
    firm.admin("/decided-orders", {"count": 10, "documents": 3})  # 40 returned documents, + the seeds'
    home = tmp_path / "workstation"
    rng = random.Random(20261127)
    mid_filing = 0
    for _ in range(KILLS):
        process = start_sync(sandbox_world, home)
        # Start-up takes about a second; filing everything about as long again. Kill anywhere in it.
        time.sleep(rng.uniform(0.4, 3.0))
        process.kill()
        process.wait(timeout=30)
        if (home / "data").exists():
            states = journal(home).values()
            mid_filing += any(step not in {"acknowledged", "filed_elsewhere"} for step, _doc in states)
    runs = sync_until_done(sandbox_world, home)
    census = firm.assert_exactly_once([home])
    assert census.deliverables >= 56  # the 40 made here and the seeded orders' 16
    assert runs <= 2
    # The kills must have hit while documents were between steps, or they proved nothing.
    assert mid_filing >= 3, f"only {mid_filing} of {KILLS} kills caught a document mid-filing"
    assert "Traceback" not in (home / "stderr.txt").read_text()


@pytest.mark.timeout(600)
def test_faults_on_both_remotes_lose_nothing_and_file_nothing_twice(
    sandbox_world: Any, firm: Firm, tmp_path: Path
) -> None:
    firm.admin("/decided-orders", {"count": 1, "documents": 3})  # 20 returned documents with the seeds'
    # 10 % 5xx and some dropped connections on both; on Clio also answers lost after it acted, a
    # storm of 429s, access tokens that expire every 20 s and upload links that expire in 2 s.
    knobs = {"error_rate": 0.1, "drop_rate": 0.03, "lost_answer_rate": 0.03, "throttle_rate": 0.1, "seed": 7}
    sandbox_world.clio_faults.update({**knobs, "access_token_lifetime_s": 20, "storage_url_lifetime_s": 2})
    sandbox_world.legalconnect_faults.update({"error_rate": 0.1, "drop_rate": 0.03, "seed": 8})
    home = tmp_path / "workstation"
    try:
        runs = sync_until_done(sandbox_world, home, attempts=15)
    finally:
        quiet = {"error_rate": 0, "drop_rate": 0, "lost_answer_rate": 0, "throttle_rate": 0}
        sandbox_world.clio_faults.update(
            {**quiet, "access_token_lifetime_s": 3600, "storage_url_lifetime_s": 600}
        )
        sandbox_world.legalconnect_faults.update({"error_rate": 0, "drop_rate": 0})
    census = firm.assert_exactly_once([home])
    assert census.deliverables >= 20
    assert runs >= 1
    assert "Traceback" not in (home / "stderr.txt").read_text()


def test_two_workstations_at_once_file_everything_once(
    sandbox_world: Any, firm: Firm, tmp_path: Path
) -> None:
    firm.admin("/decided-orders", {"count": 10, "documents": 3})
    homes = [tmp_path / "front-desk", tmp_path / "paralegal"]
    processes = [start_sync(sandbox_world, home) for home in homes]
    codes = [p.wait(timeout=300) for p in processes]
    for home, code in zip(homes, codes, strict=True):
        if code != 0:  # the other one held a claim this one waited for: the next run settles it
            sync_until_done(sandbox_world, home)
    census = firm.assert_exactly_once(homes)
    assert census.deliverables >= 56
    both = [journal(home) for home in homes]
    filed_here = [sum(step == "acknowledged" for step, _doc in j.values()) for j in both]
    assert sum(filed_here) >= census.deliverables  # each one filed by exactly one of them…
    assert all(count > 0 for count in filed_here)  # …and both did some of the work
