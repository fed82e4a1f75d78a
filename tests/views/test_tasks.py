"""TaskRunner: success, service failures, bugs, dead owners, replaced and cancelled work."""

from __future__ import annotations

import asyncio
import logging

import pytest
from PySide6.QtWidgets import QWidget

from app.services.http import Unreachable
from app.views.tasks import TaskRunner


@pytest.fixture
def shown() -> list[tuple[object, str]]:
    return []


@pytest.fixture
def runner(shown: list[tuple[object, str]]) -> TaskRunner:
    return TaskRunner(lambda owner, message: shown.append((owner, message)))


async def _value(value: int, delay: float = 0.0) -> int:
    await asyncio.sleep(delay)
    return value


async def _fail(exc: Exception) -> int:
    await asyncio.sleep(0)
    raise exc


def test_success_reaches_the_callback(qtbot, qloop, runner, shown) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    results: list[int] = []
    task = runner.run(owner, _value(7), on_success=results.append)
    qtbot.waitUntil(task.done)
    assert results == [7]
    assert shown == []
    assert runner.running == 0


def test_service_error_goes_to_the_presenter_with_its_message(qtbot, qloop, runner, shown) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    task = runner.run(owner, _fail(Unreachable("LegalConnect", "Cannot reach LegalConnect.")))
    qtbot.waitUntil(task.done)
    assert shown == [(owner, "Cannot reach LegalConnect.")]


def test_handled_service_error_is_not_shown_twice(qtbot, qloop, runner, shown) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    seen: list[str] = []

    def handle(exc: Unreachable) -> bool:
        seen.append(exc.user_message)
        return True

    task = runner.run(owner, _fail(Unreachable("Clio", "Cannot reach Clio.")), on_error=handle)
    qtbot.waitUntil(task.done)
    assert seen == ["Cannot reach Clio."]
    assert shown == []


def test_a_bug_shows_a_short_notice_and_logs_the_traceback(qtbot, qloop, runner, shown, caplog) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    with caplog.at_level(logging.ERROR, logger="app"):
        task = runner.run(owner, _fail(KeyError("order")))
        qtbot.waitUntil(task.done)
    assert len(shown) == 1
    assert "Traceback" not in shown[0][1]
    assert "log" in shown[0][1]
    assert any(r.exc_info and r.exc_info[0] is KeyError for r in caplog.records)


def test_result_is_dropped_when_the_owner_is_gone(qtbot, qloop, runner, shown) -> None:
    owner = QWidget()
    results: list[int] = []
    task = runner.run(owner, _value(1, delay=0.05), on_success=results.append)
    owner.deleteLater()
    qtbot.waitUntil(task.done)
    qtbot.wait(10)
    assert results == []
    assert shown == []


def test_same_key_replaces_the_earlier_task(qtbot, qloop, runner) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    results: list[int] = []
    first = runner.run(owner, _value(1, delay=0.2), on_success=results.append, key="search")
    second = runner.run(owner, _value(2), on_success=results.append, key="search")
    qtbot.waitUntil(lambda: first.done() and second.done())
    assert first.cancelled()
    assert results == [2]


def test_shutdown_cancels_running_work(qtbot, qloop, runner) -> None:
    task = runner.run(None, _value(1, delay=30))
    stopping = asyncio.ensure_future(runner.shutdown())
    qtbot.waitUntil(stopping.done)
    assert task.cancelled()
    assert runner.running == 0


def test_storage_failures_are_typed_and_shown_with_their_message(
    qtbot, qloop, runner, shown, tmp_path
) -> None:
    """A locked keyring or a local database that cannot be written reaches the user as what it is."""
    import sqlite3

    from app.services.secrets import SecretStoreUnavailable
    from app.services.store import Store

    owner = QWidget()
    qtbot.addWidget(owner)
    locked = runner.run(owner, _fail(SecretStoreUnavailable("the keyring is locked")))
    qtbot.waitUntil(locked.done)
    store = Store.open(tmp_path / "db.sqlite3")
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):  # a closed connection is a bug, not a storage failure
        store.set_sync_cursor("x")
    readonly = Store.open(tmp_path / "ro.sqlite3")
    readonly._db.raw.execute("PRAGMA query_only = ON")

    async def write() -> None:
        readonly.set_sync_cursor("2026-11-27T10:00:00+00:00")

    refused = runner.run(owner, write())
    qtbot.waitUntil(refused.done)
    readonly._db.raw.execute("PRAGMA query_only = OFF")
    readonly.close()
    messages = [message for _owner, message in shown]
    assert "password store (keyring)" in messages[0]
    assert "local database" in messages[1]
    assert not any("Something went wrong" in m for m in messages)
