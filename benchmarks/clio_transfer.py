"""Clio transfers: a 300 MB document uploaded and downloaded through the client, against plain httpx.

The sandbox runs in its own process, so this process's memory is the client's alone. The document
is uploaded with `ClioClient.upload` (create → PUT to storage → mark uploaded) and downloaded with
`ClioClient.download` (303 → storage → private temp file). Each is compared with a plain
`httpx.AsyncClient` streaming the same bytes to / from the same storage URLs. Peak memory growth
is the rise of VmHWM (reset before each transfer through /proc/self/clear_refs) over VmRSS.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx

from app.services.clio.api import ClioClient
from app.services.clio.transfer import UPLOAD_START_FIELDS
from benchmarks.common import Figure, sandbox_process
from sandbox.endpoints import Endpoints
from sandbox.seed.files import make_big_pdf_file
from tests.services.clio.helpers import StaticTokens, connect_tokens

SIZE = 300 * 1024 * 1024
MATTER = 2002
CHUNK = 1024 * 1024
RUNS = 4


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> int:
    """Reset VmHWM to the current RSS (Linux) and return that RSS in kB."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_kb("VmRSS")


async def _timed(work: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """(seconds, peak memory growth in MB) of one transfer."""
    base = _reset_peak()
    started = time.perf_counter()
    await work()
    seconds = time.perf_counter() - started
    return seconds, max(0, _status_kb("VmHWM") - base) / 1024


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            yield chunk


async def _plain_put(client: ClioClient, plain: httpx.AsyncClient, big: Path, size: int) -> None:
    """Plain httpx: the same file streamed to a fresh put_url with its signed headers."""
    started = await client.request_json(
        "POST",
        "documents.json",
        params={"fields": UPLOAD_START_FIELDS},
        json={"data": {"name": "baseline.pdf", "parent": {"id": MATTER, "type": "Matter"}}},
    )
    version = started["data"]["latest_document_version"]
    headers = {h["name"]: h["value"] for h in version["put_headers"]} | {"Content-Length": str(size)}
    answer = await plain.put(version["put_url"], content=_file_chunks(big), headers=headers)
    answer.raise_for_status()


async def _plain_get(client: ClioClient, plain: httpx.AsyncClient, document_id: int, out: Path) -> None:
    """Plain httpx: the same storage URL streamed to a file."""
    location = (await client.send("GET", f"documents/{document_id}/download.json")).headers["location"]
    async with plain.stream("GET", location) as answer:
        answer.raise_for_status()
        with out.open("wb") as sink:
            async for chunk in answer.aiter_bytes(CHUNK):
                sink.write(chunk)


async def _measure(endpoints: Endpoints, work: Path) -> list[Figure]:
    big = work / "Trial Exhibits.pdf"
    make_big_pdf_file(big, SIZE)
    size = big.stat().st_size
    access, _refresh = connect_tokens(endpoints)
    async with (
        ClioClient(endpoints.clio.api_url, StaticTokens(access)) as client,
        httpx.AsyncClient(timeout=60) as plain,
    ):
        progress: list[int] = []
        up, plain_up, down, plain_down, up_mb, down_mb = [], [], [], [], 0.0, 0.0
        out = work / "download.pdf"
        # Alternating runs, best of each: the page cache and disk write-back favour whoever runs
        # second, so a single pair would measure the order rather than the client.
        for _ in range(RUNS):
            seconds, peak = await _timed(
                lambda: client.upload(
                    big, big.name, MATTER, "Matter", progress=lambda d, t: progress.append(d)
                )
            )
            up.append(seconds)
            up_mb = max(up_mb, peak)
            plain_up.append((await _timed(lambda: _plain_put(client, plain, big, size)))[0])
        docs = [d async for page in client.documents(matter_id=MATTER, query=big.name) for d in page]
        doc = docs[0]
        for run in range(RUNS):
            # Whoever goes first pays for the write-back of what the previous run left dirty, so
            # the two take turns going first.
            if run % 2:
                plain_down.append(
                    (await _timed(lambda: _plain_get(client, plain, doc.id, work / "plain.pdf")))[0]
                )
            seconds, peak = await _timed(lambda: client.download(doc.id, out))
            assert out.stat().st_size == size
            out.unlink()
            down.append(seconds)
            down_mb = max(down_mb, peak)
            if not run % 2:
                plain_down.append(
                    (await _timed(lambda: _plain_get(client, plain, doc.id, work / "plain.pdf")))[0]
                )
    up_s, plain_up_s, down_s, plain_down_s = min(up), min(plain_up), min(down), min(plain_down)
    mb = size / (1024 * 1024)
    return [
        Figure(
            "upload 300 MB via ClioClient",
            mb / up_s,
            "MB/s",
            note=f"best of {RUNS}; progress reached {progress[-1] == size}",
        ),
        Figure(
            "upload throughput vs plain httpx",
            plain_up_s / up_s,
            "x",
            budget="~1x",
            note=f"plain {mb / plain_up_s:.0f} MB/s",
        ),
        Figure("upload peak memory growth", up_mb, "MB", budget="<= 64 MB"),
        Figure("download 300 MB via ClioClient", mb / down_s, "MB/s", note=f"best of {RUNS}"),
        Figure(
            "download throughput vs plain httpx",
            plain_down_s / down_s,
            "x",
            budget="~1x",
            note=f"plain {mb / plain_down_s:.0f} MB/s",
        ),
        Figure("download peak memory growth", down_mb, "MB", budget="<= 64 MB"),
    ]


def run() -> list[Figure]:
    with (
        tempfile.TemporaryDirectory(prefix="lcd-bench-") as tmp,
        sandbox_process(Path(tmp) / "sandbox", "--rate-limit", "100000") as path,
    ):
        endpoints = Endpoints.from_json(path.read_text(encoding="utf-8"))
        work = Path(tmp) / "work"
        work.mkdir()
        return asyncio.run(_measure(endpoints, work))
