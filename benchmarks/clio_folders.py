"""Clio folder expansion: list requests per folder of N items (budget ⌈N/200⌉) and time to first rows.

The sandbox runs at bench scale in its own process (a 2,000-document folder under matter 2002);
a 450-item folder is made through the API first. Each expansion walks every page the way the lazy
tree does (`folder_page`, passing back the `next` URL), counting the API requests sent.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import time
from pathlib import Path

import httpx

from app.services.clio.api import ClioClient
from benchmarks.common import Figure, sandbox_process
from sandbox.endpoints import Endpoints
from tests.services.clio.helpers import Recorder, RecordingTransport, StaticTokens, connect_tokens

BULK_FOLDER = "Bulk Production (2,000 items)"
BULK_MATTER = 2002


async def _expand(
    client: ClioClient, transport: RecordingTransport, folder_id: int
) -> tuple[int, int, float]:
    """(items, API requests, seconds to the first page)."""
    before = len(transport.sent)
    started = time.perf_counter()
    items, next_url = await client.folder_page(folder_id)
    first = time.perf_counter() - started
    count = len(items)
    while next_url is not None:
        items, next_url = await client.folder_page(folder_id, next_url)
        count += len(items)
    return count, len(transport.sent) - before, first


async def _measure(endpoints: Endpoints) -> list[Figure]:
    access, _refresh = connect_tokens(endpoints)
    transport = RecordingTransport(Recorder())
    async with ClioClient(endpoints.clio.api_url, StaticTokens(access), transport=transport) as client:
        matter = await client.matter(BULK_MATTER)
        assert matter.folder_id is not None
        bulk = await client.find_folder(BULK_FOLDER, matter.folder_id)
        assert bulk is not None, "the sandbox is not at bench scale"
        made = await client.create_folder("Bench 450", matter.folder_id)
        for start in range(0, 450, 50):
            await asyncio.gather(
                *(client.create_folder(f"Item {n:03d}", made.id) for n in range(start, start + 50))
            )
        figures = []
        for folder_id, label in ((made.id, "450"), (bulk.id, "2,000")):
            count, requests, first = await _expand(client, transport, folder_id)
            budget = math.ceil(count / 200)
            figures.append(
                Figure(
                    f"list requests, {label}-item folder",
                    requests,
                    "req",
                    budget=f"= {budget}",
                    note=f"{count} items",
                )
            )
            figures.append(
                Figure(f"first rows of the {label}-item folder", first * 1000, "ms", note="first page")
            )
        return figures


def run() -> list[Figure]:
    with (
        tempfile.TemporaryDirectory(prefix="lcd-bench-") as tmp,
        sandbox_process(Path(tmp) / "sandbox", "--scale", "bench", "--rate-limit", "100000") as path,
    ):
        endpoints = Endpoints.from_json(path.read_text(encoding="utf-8"))
        httpx.get(endpoints.clio.base_url, timeout=10)  # warm the server
        return asyncio.run(_measure(endpoints))
