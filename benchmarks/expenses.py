"""Fees into Clio: what posting costs in requests, and the Activities page over a firm's expenses.

The sandbox runs in its own process; the service graph is the app's own (`app.compose`), signed in
and connected to Clio through its consent pages, every request counted at the transport.

1. Requests per fee line: the poster posts the fees of 5 decided orders (claim, look up by marker,
   create, acknowledge), and a second run with nothing left to post.
2. The Activities page over 1,000 expenses from eFiling orders (800 expenses, 150 hard costs,
   50 soft costs) among the firm's others: the real main window offscreen on a qasync loop opens
   the page; counted are the listing requests (budget ⌈N/200⌉ per expense type: 4 + 1 + 1), the
   time to the first rows and to all rows (median of 5 loads), and the longest gap between the
   ticks of a 5 ms heartbeat (budget 50 ms). Baseline: the same listing read by the client alone,
   in the same run, so the page's cost shows as a ratio.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import Figure, Heartbeat, main_window, median, qt_event_loop, sandbox_process
from benchmarks.returns import _api, _decided_orders, _services
from sandbox.endpoints import Endpoints
from tests.services.clio.auth_fixtures import CountingTransport

HEARTBEAT_MS = 5
LOADS = 5
SPREAD = (("ExpenseEntry", 800), ("HardCostEntry", 150), ("SoftCostEntry", 50))


def _posting(endpoints: Endpoints, home: Path) -> list[Figure]:
    from app import config

    transport = CountingTransport()
    ids = set(_decided_orders(endpoints, 5, 2))

    async def body() -> list[Figure]:
        services = await _services(endpoints, home, transport)
        try:
            services.settings.set(config.FEES_POSTING, "automatic")
            services.settings.set(config.FEES_POSTING_SINCE, "2020-01-01")
            orders = [o for o in await services.orders.refresh() if o.id in ids]
            lines = sum([len(await services.legalconnect.fee_lines(o.id)) for o in orders])
            start = len(transport.requests)
            await services.expenses.run(orders)
            clio = _api(transport, endpoints, start)
            provider = len(transport.requests) - start - len(clio)
            start = len(transport.requests)
            await services.expenses.run(orders)
            again = len(transport.requests) - start
        finally:
            await services.aclose()
        creates = sum(1 for m, u in clio if m == "POST" and u.path.endswith("/activities.json"))
        return [
            Figure("fee lines posted (5 orders)", lines, "", note=f"{creates} expenses created"),
            Figure(
                "Clio requests per fee line",
                len(clio) / lines,
                "req",
                note="lookup, create; per order: matter",
            ),
            Figure(
                "provider requests per fee line", provider / lines, "req", note="claim, acknowledge; fee list"
            ),
            Figure("requests, second run (all posted)", again, "req", budget="0"),
        ]

    return asyncio.run(body())


async def _seed(client: Any, matters: list[int]) -> None:
    """1,000 expenses as the poster makes them, across matters and expense types."""
    day = dt.date(2026, 1, 5)
    specs = []
    n = 0
    for entry_type, count in SPREAD:
        for _ in range(count):
            number = f"25{n:05d}"
            note = f"Court filing fee - Motion — Order {number}, Orange Superior Court [LC {number}/F{n}]"
            specs.append(
                (matters[n % len(matters)], day + dt.timedelta(days=n % 300), 10 + n % 90, note, entry_type)
            )
            n += 1
    for first in range(0, len(specs), 25):
        await asyncio.gather(
            *(
                client.create_expense(m, d, float(a), note, None, entry_type=kind)
                for m, d, a, note, kind in specs[first : first + 25]
            )
        )


def _activities(endpoints: Endpoints, home: Path) -> list[Figure]:
    from app.services.expenses.activities import ExpenseFilter, load_expenses
    from app.views.tasks import TaskRunner

    loop = qt_event_loop()
    transport = CountingTransport()

    async def body() -> list[Figure]:
        services = await _services(endpoints, home, transport)
        runner = TaskRunner(lambda _owner, message: print("error:", message))
        client = services.clio.client
        assert client is not None
        await _seed(client, [2001, 2002, 2003, 2004, 2007, 2009])
        window = main_window(services, runner)
        heartbeat = Heartbeat(HEARTBEAT_MS)
        firsts: list[float] = []
        alls: list[float] = []
        bases: list[float] = []
        requests: list[int] = []
        stalls: list[float] = []
        try:
            for attempt in range(LOADS):
                started = time.perf_counter()
                count = 0
                async for rows in load_expenses(client, ExpenseFilter()):
                    count += len(rows)
                bases.append(time.perf_counter() - started)
                assert count == 1000, count
                before = sum(1 for _m, u in transport.requests if u.path.endswith("/activities.json"))
                heartbeat.start()
                loaded = asyncio.Event()
                if attempt == 0:
                    window.activities_action.trigger()  # makes the page and starts the load
                page = window.activities
                assert page is not None
                page.sig_loaded.connect(loaded.set)
                if attempt:
                    page.reload()
                await loaded.wait()
                page.sig_loaded.disconnect(loaded.set)
                stalls.append(heartbeat.stop())
                assert page.model.rowCount() == 1000, page.model.rowCount()
                t = page.timings
                firsts.append(t["first_rows"] - t["started"])
                alls.append(t["finished"] - t["started"])
                requests.append(
                    sum(1 for _m, u in transport.requests if u.path.endswith("/activities.json")) - before
                )
        finally:
            window.close()
            await runner.shutdown()
            await services.aclose()
        base = median(bases)
        return [
            Figure("Activities, 1,000 expenses: listing requests", max(requests), "req", budget="<= 6"),
            Figure("time to first rows", median(firsts) * 1000, "ms", note=f"median of {LOADS}"),
            Figure("time to all rows", median(alls) * 1000, "ms", note=f"median of {LOADS}"),
            Figure("client alone, same listing (baseline)", base * 1000, "ms", note=f"median of {LOADS}"),
            Figure("page / client alone", median(alls) / base, "x", note="cost of showing the rows"),
            Figure(
                "longest GUI stall while loading",
                max(stalls),
                "ms",
                budget="<= 50 ms",
                note="per load: " + ", ".join(f"{x:.0f}" for x in stalls) + " ms (the first makes the page)",
            ),
        ]

    try:
        return loop.run_until_complete(body())
    finally:
        loop.close()
        asyncio.set_event_loop(None)


def run() -> list[Figure]:
    with (
        tempfile.TemporaryDirectory(prefix="lcd-bench-") as tmp,
        sandbox_process(Path(tmp) / "sandbox", "--rate-limit", "100000") as path,
    ):
        endpoints = Endpoints.from_json(path.read_text(encoding="utf-8"))
        figures = _activities(endpoints, Path(tmp) / "activities")  # first: 1,000 eFiling expenses exactly
        figures += _posting(endpoints, Path(tmp) / "posting")
        return figures


if __name__ == "__main__":
    for figure in run():
        print(f"{figure.name:<48} {figure.text:>12}  {figure.budget:<10} {figure.note}")
