"""Bench scale: 2,000 extra matters and a folder of 2,000 documents listed in exactly 10 pages."""

from __future__ import annotations

from sandbox.clio.seed import BENCH_FOLDER_NAME
from tests.sandbox.clio.conftest import ClioServer


def test_bench_scale_seed(clio_bench: ClioServer) -> None:
    with clio_bench.client() as client:
        matters, pages = 0, 0
        url: str | None = "/matters.json?fields=id"
        while url:
            body = client.get(url).json()
            matters += len(body["data"])
            url = body["meta"]["paging"].get("next")
        assert matters == 13 + 2_000
        folder = client.get("/folders.json", params={"query": BENCH_FOLDER_NAME, "fields": "id"}).json()[
            "data"
        ]
        assert len(folder) == 1
        url = f"/folders/list.json?parent_id={folder[0]['id']}&limit=200&fields=id,type,name"
        seen: list[int] = []
        while url:
            response = client.get(url)
            assert response.status_code == 200
            body = response.json()
            pages += 1
            seen += [item["id"] for item in body["data"]]
            url = body["meta"]["paging"].get("next")
        assert pages == 10
        assert len(seen) == 2_000 and seen == sorted(seen)
