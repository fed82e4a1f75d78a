"""Local SQLite store: migrations from empty and step by step, orders cache, drafts, journal."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.paths import AppPaths
from app.redaction import Redactor
from app.services.store import (
    LATEST_VERSION,
    CachedOrder,
    ExpenseStep,
    ReturnStep,
    SchemaTooNew,
    Store,
)
from app.services.store_migrations import MIGRATIONS, migrate, schema_version

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def order(number: int, *, status: str = "submitted", day: int = 1, **payload: object) -> CachedOrder:
    return CachedOrder(
        id=f"ord-{number}",
        order_number=f"{number:07d}",
        status=status,
        case_title=f"Smith v. Jones {number}",
        court="Superior Court of Alameda",
        submitted_at=T0 + timedelta(days=day),
        updated_at=T0 + timedelta(days=day, hours=1),
        clio_matter="00042-Smith",
        document_count=2,
        payload=payload,
    )


@pytest.fixture
def db_path() -> Path:
    return AppPaths.from_environment().database_file


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    store = Store.open(db_path, clock=Clock())
    yield store
    store.close()


def _schema(connection: sqlite3.Connection) -> list[tuple[str, str]]:
    return connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()


def test_open_creates_latest_schema_in_wal_mode(store: Store, db_path: Path) -> None:
    assert store.schema_version == LATEST_VERSION == len(MIGRATIONS)
    with sqlite3.connect(db_path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    other.close()


def test_step_by_step_equals_from_empty(tmp_path: Path) -> None:
    stepwise = sqlite3.connect(tmp_path / "steps.db", isolation_level=None)
    whole = sqlite3.connect(tmp_path / "whole.db", isolation_level=None)
    try:
        for version in range(1, LATEST_VERSION + 1):
            assert migrate(stepwise, version) == version
            assert schema_version(stepwise) == version
        assert migrate(whole) == LATEST_VERSION
        assert _schema(stepwise) == _schema(whole)
        assert migrate(whole) == LATEST_VERSION  # idempotent
    finally:
        stepwise.close()
        whole.close()


def test_data_survives_later_steps(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path, isolation_level=None)
    migrate(connection, 1)
    connection.execute(
        "INSERT INTO orders VALUES ('o1', '0000001', 'accepted', 'A v. B', 'Court', NULL,"
        " '2026-04-01T00:00:00+00:00', NULL, 1, '{}')"
    )
    connection.close()
    with Store.open(path) as store:
        assert store.schema_version == LATEST_VERSION
        assert [o.order_number for o in store.cached_orders()] == ["0000001"]


def test_failed_step_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import app.services.store_migrations as migrations

    broken = (*MIGRATIONS, "CREATE TABLE late (x); CREATE TABLE late (y);")
    monkeypatch.setattr(migrations, "MIGRATIONS", broken)
    monkeypatch.setattr(migrations, "LATEST_VERSION", len(broken))
    connection = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError):
            migrations.migrate(connection, len(broken))
        assert schema_version(connection) == len(MIGRATIONS)
        assert not connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'late'").fetchall()
    finally:
        connection.close()


def test_newer_database_is_refused(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    connection = sqlite3.connect(db_path)
    connection.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    connection.close()
    with pytest.raises(SchemaTooNew):
        Store.open(db_path)


def test_orders_cache_round_trip_and_upsert(store: Store) -> None:
    assert store.cached_orders() == []
    store.save_orders([order(1, day=1), order(2, day=3), order(3, day=2, note="x")])
    assert [o.order_number for o in store.cached_orders()] == ["0000002", "0000003", "0000001"]
    store.save_orders([order(1, status="accepted", day=5)])
    orders = store.cached_orders()
    assert len(orders) == 3
    assert orders[0] == order(1, status="accepted", day=5)
    assert orders[0].submitted_at == T0 + timedelta(days=5)
    assert orders[2].payload == {"note": "x"}


def test_draft_orders_without_submission_date_sort_by_update(store: Store) -> None:
    draft = CachedOrder("d", "0000009", "draft", "", "", None, T0 + timedelta(days=9))
    store.save_orders([order(1), draft])
    assert [o.id for o in store.cached_orders()] == ["d", "ord-1"]


def test_naive_times_are_refused(store: Store) -> None:
    naive = CachedOrder("n", "0000001", "draft", "", "", None, datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="timezone"):
        store.save_orders([naive])


def test_clear_cache(store: Store) -> None:
    store.save_orders([order(1)])
    store.set_sync_cursor("2026-04-01T00:00:00Z")
    store.clear_cache()
    assert store.cached_orders() == []
    assert store.get_sync_cursor() is None


def test_sync_cursor(store: Store) -> None:
    assert store.get_sync_cursor() is None
    store.set_sync_cursor("2026-04-01T10:00:00Z")
    store.set_sync_cursor("2026-04-02T10:00:00Z")
    store.set_sync_cursor("c1", scope="deliverables")
    assert store.get_sync_cursor() == "2026-04-02T10:00:00Z"
    assert store.get_sync_cursor("deliverables") == "c1"


def test_drafts(store: Store) -> None:
    store.save_draft("a", {"case": {"title": "A v. B"}, "documents": []}, title="A v. B")
    store.save_draft("b", {"case": {"title": "C v. D"}})
    store.save_draft("a", {"case": {"title": "A v. B (amended)"}}, title="A v. B (amended)")
    drafts = store.load_drafts()
    assert [d.id for d in drafts] == ["a", "b"]
    assert drafts[0].title == "A v. B (amended)"
    assert drafts[0].payload == {"case": {"title": "A v. B (amended)"}}
    assert drafts[0].created_at < drafts[0].updated_at
    store.delete_draft("a")
    store.delete_draft("a")
    assert [d.id for d in store.load_drafts()] == ["b"]


def test_secret_keys_in_payloads_are_never_stored(store: Store) -> None:
    store.save_draft("a", {"payment": {"card_token": "tok_live_1", "nested": [{"Password": "pw"}]}, "n": 1})
    store.save_orders([order(1, auth={"access_token": "at-9"})])
    assert store.load_drafts()[0].payload == {
        "payment": {"card_token": "«redacted»", "nested": [{"Password": "«redacted»"}]},
        "n": 1,
    }
    assert store.cached_orders()[0].payload == {"auth": {"access_token": "«redacted»"}}


def test_returns_journal(store: Store) -> None:
    journal = store.journal
    assert journal.return_state("dlv-1") is None
    seen = journal.record_return_step("dlv-1", "ord-1", ReturnStep.SEEN)
    assert (seen.step, seen.attempts, seen.error) == (ReturnStep.SEEN, 0, None)
    journal.record_return_step("dlv-1", "ord-1", ReturnStep.DOWNLOADED)
    failed = journal.record_return_error(
        "dlv-1", "ord-1", "PUT https://storage/x?X-Amz-Signature=abc123 expired; Bearer zzzzzzzzzzzz"
    )
    assert failed.step == ReturnStep.DOWNLOADED
    assert failed.attempts == 1
    assert failed.error is not None and "abc123" not in failed.error and "zzzzzzzzzzzz" not in failed.error
    journal.record_return_error("dlv-1", "ord-1", "again")
    created = journal.record_return_step(
        "dlv-1", "ord-1", ReturnStep.CLIO_DOCUMENT_CREATED, clio_folder_id=77, clio_document_id=9001
    )
    assert (created.clio_folder_id, created.clio_document_id, created.error, created.attempts) == (
        77,
        9001,
        None,
        2,
    )
    stored = journal.record_return_step("dlv-1", "ord-1", ReturnStep.BYTES_STORED)
    assert stored.clio_document_id == 9001  # kept when not given again
    journal.record_return_error("dlv-2", "ord-1", "download failed")
    assert [s.deliverable_id for s in journal.unfinished_returns()] == ["dlv-1", "dlv-2"]
    journal.record_return_step("dlv-1", "ord-1", ReturnStep.ACKNOWLEDGED)
    assert [s.deliverable_id for s in journal.unfinished_returns()] == ["dlv-2"]
    assert journal.return_state("dlv-2") is not None
    assert journal.return_state("dlv-2").step == ReturnStep.SEEN  # type: ignore[union-attr]


def test_expense_ledger(store: Store) -> None:
    journal = store.journal
    assert journal.expense_state("ord-1", "fee-1") is None
    journal.record_expense_step("ord-1", "fee-1", ExpenseStep.SEEN)
    journal.record_expense_error("ord-1", "fee-1", "429 rate limited")
    state = journal.record_expense_step(
        "ord-1", "fee-1", ExpenseStep.CLIO_ACTIVITY_CREATED, clio_activity_id=55
    )
    assert (state.step, state.clio_activity_id, state.attempts, state.error) == (
        ExpenseStep.CLIO_ACTIVITY_CREATED,
        55,
        1,
        None,
    )
    journal.record_expense_step("ord-1", "fee-2", ExpenseStep.SEEN)
    assert [s.fee_line_id for s in journal.unfinished_expenses()] == ["fee-1", "fee-2"]
    journal.record_expense_step("ord-1", "fee-1", ExpenseStep.ACKNOWLEDGED)
    assert [s.fee_line_id for s in journal.unfinished_expenses()] == ["fee-2"]
    assert journal.expense_state("ord-1", "fee-1").clio_activity_id == 55  # type: ignore[union-attr]
    journal.record_expense_error("ord-2", "fee-9", "matter closed")
    assert journal.expense_counts() == {"ord-1": (2, 1), "ord-2": (1, 0)}
    assert [s.fee_line_id for s in journal.expenses_of_order("ord-1")] == ["fee-1", "fee-2"]
    journal.clear_expense_error("ord-2", "fee-9")
    cleared = journal.expense_state("ord-2", "fee-9")
    assert cleared is not None and cleared.error is None and cleared.attempts == 0


def test_live_secrets_are_scrubbed_from_stored_errors(db_path: Path) -> None:
    redactor = Redactor()
    redactor.add_secret("live-refresh-token-xyz")
    with Store.open(db_path, scrub=redactor.scrub) as store:
        state = store.journal.record_return_error("d", "o", "refresh with live-refresh-token-xyz failed")
    assert state.error == "refresh with «redacted» failed"


def test_close_folds_the_wal_back(db_path: Path) -> None:
    store = Store.open(db_path)
    store.save_orders([order(n) for n in range(50)])
    wal = db_path.with_name(db_path.name + "-wal")
    assert wal.exists()
    store.close()
    assert not wal.exists() or wal.stat().st_size == 0


def test_in_memory_store() -> None:
    with Store.open(":memory:") as store:
        store.save_orders([order(1)])
        assert len(store.cached_orders()) == 1


def test_a_damaged_database_is_kept_aside_and_a_fresh_one_started(tmp_path: Path, caplog) -> None:
    path = tmp_path / "data" / "legalconnect.sqlite3"
    path.parent.mkdir(parents=True)
    damaged = b"this is not a database, it was cut short by a crash" * 100
    path.write_bytes(damaged)
    store = Store.open(path)
    try:
        assert store.set_aside is not None and store.set_aside.name.startswith(
            "legalconnect.sqlite3.damaged-"
        )
        assert store.set_aside.read_bytes() == damaged  # kept for the user, never emptied
        assert store.schema_version == LATEST_VERSION  # and a working one in its place
        assert f"kept as {store.set_aside.name}, starting afresh" in caplog.text
        store.journal.record_expense_step("1", "1", ExpenseStep.SEEN)  # and it takes writes
        assert store.journal.expense_counts() == {"1": (1, 0)}
    finally:
        store.close()
    again = Store.open(path)
    assert again.set_aside is None  # a healthy database is opened as it is
    again.close()


def test_a_database_that_cannot_be_opened_is_not_mistaken_for_damage(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-file.sqlite3"
    folder.mkdir()  # opening a folder fails, but nothing is damaged: nothing is moved
    with pytest.raises(sqlite3.OperationalError):
        Store.open(folder)
    assert folder.is_dir()
