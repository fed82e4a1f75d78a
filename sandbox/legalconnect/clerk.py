"""The court clerk: a background task that reviews submitted orders and returns documents.

Timing. At submit the order gets two due times from the `clerk_delay_s` knob as it is *then* (so a
run-time change applies to orders submitted afterwards): after half the delay it moves to
`under_review`, after the whole delay it is decided. Seeded pending orders have no due time and wait
until `POST /_sandbox/legalconnect/clerk/run` names them.

Deterministic rules (the default `rules` mode), per filed PDF document:
1. a document whose name contains "REJECT" (any case) is rejected with the reason
   "The document does not match the selected document type (sandbox rule: name contains REJECT).";
2. every other document is accepted;
3. a Word copy shares the result of its PDF.
The order becomes `accepted` (all accepted), `rejected` (all rejected) or `partially_accepted`.

`random` mode (for load runs; set by `POST /_sandbox/legalconnect/clerk/mode`): each document is
rejected with probability `reject_rate` (default 0.15), with a reason drawn from the common rejection
reasons, from a `random.Random(seed)` so runs repeat.

Returned documents: for each accepted document a conformed copy (the filed PDF with an "ENDORSED
FILED" stamp naming the court and date on page 1), one receipt listing the fee lines, and, when any
document was rejected, a notice listing each rejected document with its reason. Fee lines are fixed
at the decision; rejected documents carry no court fee. A notification email goes to the outbox.

Auto-close: orders decided (or submitted) more than 30 days ago are closed (`closed`, `auto_closed`)
once an hour and on `POST /_sandbox/legalconnect/auto-close`. A closed order still receives late
documents: `POST /_sandbox/legalconnect/late-signed-order` adds a signed order and bumps `updated_at`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sandbox.common.faults import Faults
from sandbox.legalconnect import fees, outcomes
from sandbox.legalconnect.store import one, order_documents, stamp, tx

log = logging.getLogger(__name__)

REJECT_REASON = "The document does not match the selected document type (sandbox rule: name contains REJECT)."
RANDOM_REASONS = (
    "Party name does not match the lead document.",
    "Wrong case type selected.",
    "Wrong case number.",
    "Document is illegible (poor scan).",
    "Missing required attachment.",
    "Several documents were sent under one filing code.",
)
AUTO_CLOSE_DAYS = 30
_PENDING = ("submitted", "under_review")


class ClerkRefusal(Exception):
    """An admin request the clerk cannot carry out (unknown order, wrong status)."""


class Clerk:
    """Reviews submitted orders on the server's event loop; PDF work runs in worker threads."""

    def __init__(self, conn: sqlite3.Connection, files: Path, faults: Faults) -> None:
        self.conn = conn
        self.files = files
        self.faults = faults
        self.mode = "rules"
        self.reject_rate = 0.15
        self.seed: int | None = None
        self._rng = random.Random()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._busy: set[int] = set()
        self._last_auto_close = datetime.min.replace(tzinfo=UTC)

    # ---- scheduling -----------------------------------------------------------------------------

    def due_times(self) -> tuple[str, str]:
        """(under-review time, decision time) for an order submitted now, from the current knob."""
        now, delay = datetime.now(UTC), max(0.0, self.faults.clerk_delay_s)
        return stamp(now + timedelta(seconds=delay / 2)), stamp(now + timedelta(seconds=delay))

    def wake(self) -> None:
        self._wake.set()

    def set_mode(self, mode: str, seed: int | None, reject_rate: float) -> None:
        if mode not in ("rules", "random") or not 0 <= reject_rate <= 1:
            raise ClerkRefusal("mode is rules or random; reject_rate is between 0 and 1")
        self.mode, self.seed, self.reject_rate = mode, seed, reject_rate
        self._rng = random.Random(seed)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="legalconnect-clerk")

    async def stop(self) -> None:
        """Cancel the background task and wait for it."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self._tick()
            except Exception:  # a bad order must not stop the clerk for everyone else
                log.exception("the court clerk failed a round")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._next_wait())

    def _next_wait(self) -> float:
        row = one(
            self.conn,
            "SELECT MIN(t) FROM (SELECT review_due_at AS t FROM orders WHERE status = 'submitted'"
            " AND review_due_at IS NOT NULL UNION ALL SELECT clerk_due_at FROM orders"
            " WHERE status IN ('submitted', 'under_review') AND clerk_due_at IS NOT NULL)",
        )
        if row is None or row[0] is None:
            return 1.0
        due = datetime.strptime(row[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        return min(1.0, max(0.005, (due - datetime.now(UTC)).total_seconds()))

    async def _tick(self) -> None:
        now = stamp()
        self.conn.execute(
            "UPDATE orders SET status = 'under_review', updated_at = ? WHERE status = 'submitted'"
            " AND review_due_at IS NOT NULL AND review_due_at <= ?",
            (now, now),
        )
        due = self.conn.execute(
            "SELECT id FROM orders WHERE status IN ('submitted', 'under_review') AND clerk_due_at <= ?"
            " ORDER BY clerk_due_at",
            (now,),
        ).fetchall()
        for row in due:
            await self.decide(row["id"])
        if datetime.now(UTC) - self._last_auto_close > timedelta(hours=1):
            self.auto_close(AUTO_CLOSE_DAYS)

    # ---- decisions ------------------------------------------------------------------------------

    def _reason(self, name: str) -> str | None:
        if self.mode == "random":
            return self._rng.choice(RANDOM_REASONS) if self._rng.random() < self.reject_rate else None
        return REJECT_REASON if "REJECT" in name.upper() else None

    async def run_now(self, order_id: int | None = None) -> list[int]:
        """Decide now: the named pending order, or every scheduled pending order. Returns the ids."""
        if order_id is not None:
            row = one(self.conn, "SELECT status FROM orders WHERE id = ?", order_id)
            if row is None or row["status"] not in _PENDING:
                raise ClerkRefusal(f"order {order_id} is not waiting for the clerk")
            ids = [order_id]
        else:
            ids = [
                r["id"]
                for r in self.conn.execute(
                    "SELECT id FROM orders WHERE status IN ('submitted', 'under_review')"
                    " AND clerk_due_at IS NOT NULL ORDER BY id"
                )
            ]
        return [i for i in ids if await self.decide(i)]

    async def decide(self, order_id: int) -> bool:
        """Review one pending order and store the outcome; False if it was not pending any more."""
        if order_id in self._busy:
            return False
        self._busy.add(order_id)
        try:
            order = one(self.conn, "SELECT * FROM orders WHERE id = ?", order_id)
            if order is None or order["status"] not in _PENDING:
                return False
            docs = order_documents(self.conn, order_id)
            results: dict[int, tuple[str, str | None]] = {}
            for d in docs:
                if d["kind"] == "filing":
                    reason = self._reason(d["name"])
                    results[d["id"]] = ("rejected", reason) if reason else ("accepted", None)
            decided = outcomes.with_results(docs, results)
            lines = fees.compute(bool(order["expert_review"]), decided, decided=True)
            when = datetime.now(UTC)
            new_files = await asyncio.to_thread(outcomes.build_files, self.files, order, decided, lines, when)
            current = one(self.conn, "SELECT status FROM orders WHERE id = ?", order_id)
            if current is None or current["status"] not in _PENDING:  # cancelled meanwhile
                for f in new_files:
                    (self.files / f.path).unlink(missing_ok=True)
                return False
            with tx(self.conn):
                outcomes.commit(self.conn, order, decided, lines, new_files, when)
            return True
        finally:
            self._busy.discard(order_id)

    async def deliver_signed_order(self, order_id: int) -> int:
        """A judge-signed order arriving late (closed orders included); returns the deliverable id."""
        order = one(self.conn, "SELECT * FROM orders WHERE id = ?", order_id)
        if order is None:
            raise ClerkRefusal(f"there is no order {order_id}")
        if order["status"] not in ("accepted", "partially_accepted"):
            raise ClerkRefusal(
                f"order {order_id} is {order['status']}; only accepted filings get signed orders"
            )
        when = datetime.now(UTC)
        new = await asyncio.to_thread(outcomes.signed_order_file, self.files, order, when)
        with tx(self.conn):
            return outcomes.commit_late_document(self.conn, order, new, when)

    def auto_close(self, older_than_days: float) -> list[int]:
        """Close orders submitted more than `older_than_days` ago; return the ids closed now."""
        self._last_auto_close = datetime.now(UTC)
        cutoff = stamp(datetime.now(UTC) - timedelta(days=older_than_days))
        ids = [
            r["id"]
            for r in self.conn.execute(
                "SELECT id FROM orders WHERE closed = 0 AND submitted_at IS NOT NULL AND submitted_at <= ?"
                " AND status != 'draft'",
                (cutoff,),
            )
        ]
        now = stamp()
        self.conn.executemany(
            "UPDATE orders SET closed = 1, auto_closed = 1, closed_at = ?, updated_at = ? WHERE id = ?",
            [(now, now, i) for i in ids],
        )
        return ids
