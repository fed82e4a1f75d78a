"""The lazy Clio tree against the Clio emulator over HTTP: paging cost, errors, retry, refresh.

The window (`ClioBrowser`) is the tree's loader, so the model is driven exactly as in the app;
`qtmodeltester` watches it through loading, loaded, error and refresh states.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeView

from app.config import Config
from app.models.clio_tree import (
    BREADCRUMB_ROLE,
    ERROR_TEXT,
    KIND_ROLE,
    LOADING_TEXT,
    MORE_TEXT,
    ClioNode,
    ClioTreeModel,
    NodeKind,
    Status,
)
from app.services.clio.api import ClioClient
from app.services.clio.ratelimit import RateWait
from app.services.clio.records import Item
from app.views.clio_browser import ClioBrowser
from app.views.tasks import TaskRunner
from tests.services.clio.helpers import Recorder, RecordingTransport, StaticTokens, connect_tokens

ACCOUNT = "Harbor & Vale LLP (US)"
BRIGHTLINE = "Brightline Logistics, Inc."
BRIGHTLINE_MATTER = 2002
BULK_FOLDER = "Bulk Production (2,000 items)"


def run(qtbot: Any, coro: Any, timeout: int = 20_000) -> Any:
    """Run a coroutine to completion from the test (never from inside a coroutine)."""
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


def list_requests(transport: RecordingTransport) -> list[httpx.Request]:
    return [r for r in transport.sent if r.url.path.endswith("/folders/list.json")]


@dataclass
class Browsing:
    """One open Clio window over the emulator, with the requests it sent and the errors shown."""

    dialog: ClioBrowser
    client: ClioClient
    transport: RecordingTransport
    presented: list[str] = field(default_factory=list)

    @property
    def tree(self) -> ClioTreeModel:
        return self.dialog.tree_model


@pytest.fixture
def open_browser(
    sandbox_world: Any, qtbot: Any, qloop: asyncio.AbstractEventLoop, settings: Config
) -> Iterator[Callable[..., Browsing]]:
    """Opens `ClioBrowser` windows connected to `world` (the test's sandbox unless given)."""
    opened: list[tuple[Browsing, TaskRunner]] = []
    tokens: dict[int, str] = {}

    def make(world: Any = sandbox_world, check: Callable[[Any], None] | None = None) -> Browsing:
        world.clio_faults.update({"rate_limit_per_minute": 100_000})
        if id(world) not in tokens:
            tokens[id(world)] = connect_tokens(world.endpoints)[0]
        clio = world.endpoints.clio
        transport = RecordingTransport(Recorder())
        client = ClioClient(
            clio.api_url, StaticTokens(tokens[id(world)]), transport=transport, api_version=clio.api_version
        )
        presented: list[str] = []
        runner = TaskRunner(lambda _owner, message: presented.append(message))
        dialog = ClioBrowser(client, runner, settings, ACCOUNT)
        qtbot.addWidget(dialog)
        if check is not None:
            check(dialog)
        browsing = Browsing(dialog, client, transport, presented)
        opened.append((browsing, runner))
        return browsing

    yield make
    for browsing, runner in opened:
        run(qtbot, runner.shutdown())
        run(qtbot, browsing.client.aclose())


def child(node: ClioNode, name: str) -> ClioNode | None:
    """The child called `name`, or whose name starts with it (e.g. "00001" for "00001-Alvarez")."""
    return next((c for c in node.children if c.name.startswith(name)), None)


def expand_path(
    qtbot: Any, tree: ClioTreeModel, view: QTreeView, *names: str, select: bool = True
) -> ClioNode:
    """Expand Cabinet › names… one level at a time, paging on when a name is not shown yet."""
    node = tree.cabinet
    for name in names:
        parent = node

        def found(parent: ClioNode = parent, name: str = name) -> bool:
            if child(parent, name) is not None:
                return True
            if parent.status == Status.LOADED and parent.cursor is not None:
                tree.load_more(parent)
            elif parent.status == Status.NOT_LOADED:
                view.expand(tree.index_of(parent))
            return False

        qtbot.waitUntil(found, timeout=15_000)
        node = child(parent, name)  # type: ignore[assignment]
        view.expand(tree.index_of(node))
    if select:
        view.setCurrentIndex(tree.index_of(node))
    return node


def open_path(qtbot: Any, browsing: Browsing, *names: str, select: bool = True) -> ClioNode:
    """`expand_path` in an open Clio window."""
    return expand_path(qtbot, browsing.tree, browsing.dialog.tree, *names, select=select)


def wait_loaded(
    qtbot: Any, node: ClioNode, *, all_pages: bool = False, tree: ClioTreeModel | None = None
) -> None:
    def done() -> bool:
        if all_pages and tree is not None and node.status == Status.LOADED and node.cursor is not None:
            tree.load_more(node)
            return False
        return node.status in (Status.LOADED, Status.ERROR) and (not all_pages or node.cursor is None)

    qtbot.waitUntil(done, timeout=30_000)


def settle(qtbot: Any, browsing: Browsing) -> None:
    """Wait until no node is loading and no request is on its way."""

    def loading(node: ClioNode) -> bool:
        return node.status == Status.LOADING or any(loading(c) for c in node.children)

    qtbot.waitUntil(
        lambda: browsing.dialog.loader.in_flight == 0 and not loading(browsing.tree.cabinet), timeout=30_000
    )


def test_tree_lifecycle_passes_the_model_tester(open_browser, qtmodeltester, qtbot, sandbox_world) -> None:
    # The tester fetches every node it can, so the whole demo account loads here, a page at a
    # time, under its eye.
    inserted: list[list[str]] = []

    def watch(dialog: ClioBrowser) -> None:
        model = dialog.tree_model
        qtmodeltester.check(model)
        model.rowsInserted.connect(
            lambda parent, first, last: inserted.append(
                [model.data(model.index(r, 0, parent)) for r in range(first, last + 1)]
            )
        )

    browsing = open_browser(check=watch)
    tree = browsing.tree
    cabinet = tree.index_of(tree.cabinet)
    assert tree.data(cabinet) == ACCOUNT
    assert tree.data(cabinet, KIND_ROLE) == NodeKind.CABINET
    # While loading: no second request for the same node; exactly one "Loading…" row.
    assert tree.cabinet.status == Status.LOADING and not tree.canFetchMore(cabinet)
    qtbot.waitUntil(lambda: len(inserted) >= 2)
    assert inserted[0] == [LOADING_TEXT]
    settle(qtbot, browsing)
    names = [c.name for c in tree.cabinet.children]
    assert BRIGHTLINE in names and LOADING_TEXT not in names
    brightline = child(tree.cabinet, BRIGHTLINE)
    assert brightline is not None
    matter = child(brightline, "00002-Brightline")
    assert matter is not None and matter.status == Status.LOADED
    assert {"Pleadings", "Motions", "Discovery"} <= {c.name for c in matter.children}
    assert tree.data(tree.index_of(matter), BREADCRUMB_ROLE) == f"{ACCOUNT} › {BRIGHTLINE} › {matter.name}"
    pleadings = child(matter, "Pleadings")
    assert pleadings is not None and pleadings.children == []  # documents only: no rows in the tree
    assert not tree.hasChildren(tree.index_of(pleadings))
    assert [d.name for d in pleadings.documents] == [
        "Complaint for Damages.pdf",
        "Summons.pdf",
        "Civil Case Cover Sheet.pdf",
    ]

    # An error page becomes one error row, which retries when activated.
    sandbox_world.clio_faults.update({"error_rate": 1.0})
    tree.refresh(pleadings)
    settle(qtbot, browsing)
    assert pleadings.status == Status.ERROR
    (error_row,) = pleadings.children
    assert tree.data(tree.index_of(error_row)) == ERROR_TEXT
    assert browsing.dialog.error.isVisibleTo(browsing.dialog) and browsing.dialog.error.text()
    assert not tree.canFetchMore(tree.index_of(pleadings))  # retried only when asked
    sandbox_world.clio_faults.update({"error_rate": 0.0})
    assert tree.activate(tree.index_of(error_row))
    settle(qtbot, browsing)
    assert pleadings.status == Status.LOADED and pleadings.children == []
    assert len(pleadings.documents) == 3

    # Refresh: the node reloads, the old children are gone, the model stays consistent.
    old = list(matter.children)
    tree.refresh(matter)
    assert matter.status == Status.LOADING and not any(c.attached for c in old)
    qtbot.waitUntil(lambda: [c.kind for c in matter.children] == [NodeKind.LOADING])
    settle(qtbot, browsing)
    assert {"Pleadings", "Motions", "Discovery"} <= {c.name for c in matter.children}
    assert browsing.presented == []


def test_rows_are_inserted_with_exact_first_and_last(open_browser, qtbot) -> None:
    browsing = open_browser()
    tree = browsing.tree
    inserted: list[tuple[int, int]] = []
    removed: list[tuple[int, int]] = []
    tree.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    tree.rowsRemoved.connect(lambda _parent, first, last: removed.append((first, last)))
    wait_loaded(qtbot, tree.cabinet)
    count = len(tree.cabinet.children)
    # One "Loading…" row went in, left, and the page came in: first and last exactly right.
    assert removed == [(0, 0)]
    assert inserted == [(0, 0), (0, count - 1)]


def test_late_answers_after_a_refresh_are_dropped(open_browser, qtbot, sandbox_world) -> None:
    browsing = open_browser()
    tree = browsing.tree
    wait_loaded(qtbot, tree.cabinet)
    first_generation = tree.cabinet.generation
    clients = [c.name for c in tree.cabinet.children]
    sandbox_world.clio_faults.update({"latency_ms": 150})
    tree.refresh(tree.cabinet)  # the answer to this request will be late...
    tree.refresh(tree.cabinet)  # ...because the user refreshed again meanwhile
    assert tree.cabinet.generation == first_generation + 2
    wait_loaded(qtbot, tree.cabinet)
    # Both answers arrived; only the current one is shown, once, and nothing else is pending.
    qtbot.waitUntil(lambda: browsing.dialog.loader.in_flight == 0)
    assert [c.name for c in tree.cabinet.children] == clients
    # An answer to a stale generation changes nothing.
    tree.page_loaded(tree.cabinet, first_generation, [], None)
    tree.page_failed(tree.cabinet, first_generation, "late")
    assert [c.name for c in tree.cabinet.children] == clients


def test_a_450_item_folder_loads_with_exactly_3_list_requests(open_browser, qtbot) -> None:
    browsing = open_browser()
    client = browsing.client

    async def make_folder() -> int:
        matter = await client.matter(BRIGHTLINE_MATTER)
        assert matter.folder_id is not None
        made = await client.create_folder("Four Hundred Fifty", matter.folder_id)
        for start in range(0, 450, 50):
            await asyncio.gather(
                *(client.create_folder(f"Box {n:03d}", made.id) for n in range(start, start + 50))
            )
        return made.id

    run(qtbot, make_folder(), timeout=60_000)
    matter = open_path(qtbot, browsing, BRIGHTLINE, "00002-Brightline", select=False)
    wait_loaded(qtbot, matter)
    node = child(matter, "Four Hundred Fifty")
    assert node is not None
    before = len(list_requests(browsing.transport))
    browsing.dialog.tree.expand(browsing.tree.index_of(node))
    wait_loaded(qtbot, node)
    # The first page shows at once, with a "Show more…" row at its end.
    assert len(node.children) == 201 and node.children[-1].kind == NodeKind.MORE
    assert browsing.tree.data(browsing.tree.index_of(node.children[-1])) == MORE_TEXT
    wait_loaded(qtbot, node, all_pages=True, tree=browsing.tree)
    assert sorted(c.name for c in node.children) == [f"Box {n:03d}" for n in range(450)]
    assert len(list_requests(browsing.transport)) - before == math.ceil(450 / 200) == 3


@pytest.fixture
def bench_world(tmp_path: Path) -> Iterator[Any]:
    from sandbox.launcher import SandboxWorld

    world = SandboxWorld(tmp_path / "bench", scale="bench")
    world.start(timeout=600)
    yield world
    world.stop()


def test_the_2000_item_folder_costs_10_list_requests(open_browser, bench_world, qtbot) -> None:
    browsing = open_browser(bench_world)
    dialog = browsing.dialog
    matter = open_path(qtbot, browsing, BRIGHTLINE, "00002-Brightline", select=False)
    wait_loaded(qtbot, matter, all_pages=True, tree=browsing.tree)
    bulk = child(matter, BULK_FOLDER)
    assert bulk is not None
    before = len(list_requests(browsing.transport))
    dialog.tree.setCurrentIndex(browsing.tree.index_of(bulk))  # the file list starts listing it
    dialog.tree.expand(browsing.tree.index_of(bulk))  # and the tree shares that listing
    qtbot.waitUntil(lambda: dialog.files_model.rowCount() >= 200)
    while bulk.cursor is not None or bulk.status == Status.LOADING:
        qtbot.waitUntil(lambda: bulk.status != Status.LOADING)
        dialog.files_model.fetchMore(dialog.files_model.index(0, 0).parent())
    assert dialog.files_model.rowCount() == 2000
    assert len(bulk.documents) == 2000 and all(isinstance(d, Item) for d in bulk.documents)
    assert len(list_requests(browsing.transport)) - before == math.ceil(2000 / 200) == 10


def test_the_error_line_shows_clios_words_as_text(open_browser) -> None:
    from tests.views.test_server_text import HOSTILE

    browser = open_browser().dialog
    browser.show_error(HOSTILE)
    assert browser.error.textFormat() is Qt.TextFormat.PlainText and browser.error.text() == HOSTILE
    assert browser.breadcrumb.textFormat() is Qt.TextFormat.PlainText  # Clio's folder names


def test_a_wait_for_clios_rate_limit_says_so_on_the_loading_row(open_browser, qtbot, sandbox_world) -> None:
    """Clio answers 429: the "Loading…" row says "Waiting for Clio (rate limit) — about N s" and
    counts down, instead of looking hung; once the wait is over it says "Loading…" again."""
    browsing = open_browser()
    tree = browsing.tree
    settle(qtbot, browsing)  # the clients are listed
    sandbox_world.clio_faults.update({"rate_limit_per_minute": 1})  # this minute's budget is spent
    brightline = child(tree.cabinet, BRIGHTLINE)
    assert brightline is not None
    parent = tree.index_of(brightline)
    browsing.dialog.tree.expand(parent)

    def waiting_row() -> str:
        rows = [tree.data(tree.index(r, 0, parent)) for r in range(tree.rowCount(parent))]
        return next((r for r in rows if r and r.startswith("Waiting for Clio")), "")

    qtbot.waitUntil(lambda: bool(waiting_row()), timeout=20_000)
    first = waiting_row()
    assert re.fullmatch(r"Waiting for Clio \(rate limit\) — about \d+ s", first), first
    seconds = int(first.split("about ")[1].split(" ")[0])
    assert 1 <= seconds <= 60
    if seconds > 2:  # it counts down
        qtbot.waitUntil(lambda: waiting_row() not in ("", first), timeout=3_000)
    sandbox_world.clio_faults.update({"rate_limit_per_minute": 100_000})
    browsing.client.limiter.waits.emit(RateWait("interactive", 0.0))  # the wait is over
    assert tree.loading_text == LOADING_TEXT and waiting_row() == ""
