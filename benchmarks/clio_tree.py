"""The Clio window on a 2,000-item folder: first rows, all rows, list requests, longest GUI stall.

The sandbox runs at bench scale in its own process. The real `ClioBrowser` runs offscreen on a qasync
loop; each run refreshes the bulk folder while the file list shows it (the moment a user opens it),
then scrolls the list to the bottom after every page, as a user paging through would. A 5 ms
heartbeat QTimer records the longest gap between its ticks: the longest the GUI thread was busy.
"""

from __future__ import annotations

import asyncio
import math
import os
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.common import Figure, median, sandbox_process
from sandbox.endpoints import Endpoints

BULK_FOLDER = "Bulk Production (2,000 items)"
RUNS = 5
HEARTBEAT_MS = 5


def _measure(endpoints: Endpoints) -> list[Figure]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtCore import QElapsedTimer, QModelIndex, QTimer
    from PySide6.QtWidgets import QApplication

    from app.config import Config
    from app.models.clio_tree import ClioNode, Status
    from app.services.clio.api import ClioClient
    from app.views.clio_browser import ClioBrowser
    from app.views.tasks import TaskRunner
    from tests.services.clio.helpers import Recorder, RecordingTransport, StaticTokens, connect_tokens

    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    access, _refresh = connect_tokens(endpoints)
    transport = RecordingTransport(Recorder())
    client = ClioClient(endpoints.clio.api_url, StaticTokens(access), transport=transport)
    runner = TaskRunner(lambda _owner, message: print("error:", message))
    dialog = ClioBrowser(client, runner, Config.in_memory(), "Harbor & Vale LLP (US)")
    dialog.show()
    tree, files = dialog.tree_model, dialog.files_model

    async def until(condition: object) -> None:
        deadline = time.monotonic() + 60.0
        while not condition():  # type: ignore[operator]
            if time.monotonic() > deadline:
                raise TimeoutError("the Clio window did not get there")
            await asyncio.sleep(0.001)

    async def child(parent: ClioNode, prefix: str) -> ClioNode:
        def found() -> bool:
            if any(c.name.startswith(prefix) for c in parent.children):
                return True
            tree.load_more(parent)  # does nothing while a page is on its way or when all are in
            return False

        await until(found)
        return next(c for c in parent.children if c.name.startswith(prefix))

    async def body() -> list[Figure]:
        brightline = await child(tree.cabinet, "Brightline")
        matter = await child(brightline, "00002-Brightline")
        bulk = await child(matter, BULK_FOLDER)
        dialog.tree.setCurrentIndex(tree.index_of(bulk))
        await until(lambda: bulk.status == Status.LOADED)
        first_rows, all_rows, requests, stalls = [], [], [], []
        for _ in range(RUNS):
            gaps = [0.0]
            beat = QElapsedTimer()
            heartbeat = QTimer(interval=HEARTBEAT_MS)

            def tick(beat: QElapsedTimer = beat, gaps: list[float] = gaps) -> None:
                gaps.append(beat.nsecsElapsed() / 1e6)
                beat.restart()

            heartbeat.timeout.connect(tick)
            before = sum(1 for r in transport.sent if r.url.path.endswith("/folders/list.json"))
            started = time.perf_counter()
            beat.start()
            heartbeat.start()
            tree.refresh(bulk)  # the list shows the folder from scratch: what opening it costs
            await until(lambda: files.rowCount() > 1)
            first_rows.append(time.perf_counter() - started)
            while len(bulk.documents) < 2000 or bulk.status == Status.LOADING:
                dialog.table.scrollToBottom()
                files.fetchMore(QModelIndex())
                await asyncio.sleep(0.001)
            all_rows.append(time.perf_counter() - started)
            heartbeat.stop()
            stalls.append(max(gaps) - HEARTBEAT_MS)
            after = sum(1 for r in transport.sent if r.url.path.endswith("/folders/list.json"))
            requests.append(after - before)
            assert files.rowCount() == 2000, files.rowCount()
        budget = math.ceil(2000 / 200)
        note = f"median of {RUNS}"
        return [
            Figure("first rows, 2,000-item folder", median(first_rows) * 1000, "ms", note=note),
            Figure("all 2,000 rows", median(all_rows) * 1000, "ms", note=note),
            Figure("list requests, 2,000-item folder", max(requests), "req", budget=f"= {budget}"),
            Figure("longest GUI stall while loading", median(stalls), "ms", budget="<= 50 ms", note=note),
            Figure("worst GUI stall, any run", max(stalls), "ms", budget="<= 50 ms"),
        ]

    try:
        return loop.run_until_complete(body())
    finally:
        dialog.close()
        loop.run_until_complete(runner.shutdown())
        loop.run_until_complete(client.aclose())


def run() -> list[Figure]:
    with (
        tempfile.TemporaryDirectory(prefix="lcd-bench-") as tmp,
        sandbox_process(Path(tmp) / "sandbox", "--scale", "bench", "--rate-limit", "100000") as path,
    ):
        endpoints = Endpoints.from_json(path.read_text(encoding="utf-8"))
        httpx.get(endpoints.clio.base_url, timeout=10)  # warm the server
        return _measure(endpoints)


if __name__ == "__main__":
    for figure in run():
        print(f"{figure.name:<36} {figure.text:>12}  {figure.budget:<10} {figure.note}")
