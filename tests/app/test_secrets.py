"""Token store: keyring under our own service name, split entries, memory fallback with a notice."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import keyring
import keyring.backends.fail
import keyring.backends.null
import pytest
from keyring.errors import KeyringError

from app.services.keyring_store import KeyringTokenStore, open_token_store
from app.services.secrets import (
    NO_KEYRING_NOTICE,
    ClioTokens,
    DeferredTokenStore,
    MemoryTokenStore,
    SecretKey,
    SecretKind,
    SecretStoreUnavailable,
    delete_clio_tokens,
    load_clio_tokens,
    save_clio_tokens,
)
from tests.helpers.memory_keyring import MemoryKeyring

TOKENS = ClioTokens(
    access_token="clio-access-" + "a" * 40,
    refresh_token="clio-refresh-" + "r" * 40,
    expires_at=datetime(2026, 5, 1, 12, 0, tzinfo=UTC) + timedelta(days=30),
    region="EU",
    account_id=345678,
)


def test_keyring_backend_gives_a_persistent_store(memory_keyring: MemoryKeyring) -> None:
    store, notice = open_token_store()
    assert isinstance(store, KeyringTokenStore)
    assert store.persistent
    assert notice is None
    key = SecretKey(SecretKind.LEGALCONNECT_PASSWORD, "pat@firm.example")
    store.set(key, "Correct Horse 42!")
    assert memory_keyring.entries == {
        ("LegalConnect Desktop/legalconnect", "pat@firm.example"): "Correct Horse 42!"
    }
    assert store.get(key) == "Correct Horse 42!"
    store.delete(key)
    store.delete(key)  # forgetting twice is fine
    assert store.get(key) is None


@pytest.mark.parametrize("backend", [keyring.backends.fail.Keyring(), keyring.backends.null.Keyring()])
def test_no_backend_falls_back_to_memory_with_a_notice(backend: keyring.backend.KeyringBackend) -> None:
    keyring.set_keyring(backend)
    store, notice = open_token_store()
    assert isinstance(store, MemoryTokenStore)
    assert not store.persistent
    assert notice == NO_KEYRING_NOTICE
    key = SecretKey(SecretKind.LEGALCONNECT_SESSION, "pat@firm.example")
    store.set(key, "session-token-1")
    assert store.get(key) == "session-token-1"


class LowPriorityKeyring(MemoryKeyring):
    priority = 0  # type: ignore[assignment]


class BrokenKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringError("the keyring is locked")


def test_zero_priority_backend_is_not_trusted() -> None:
    store, notice = open_token_store(LowPriorityKeyring())
    assert isinstance(store, MemoryTokenStore)
    assert notice == NO_KEYRING_NOTICE


def test_backend_failing_the_probe_falls_back(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="app.services.secrets"):
        store, notice = open_token_store(BrokenKeyring())
    assert isinstance(store, MemoryTokenStore)
    assert notice == NO_KEYRING_NOTICE
    assert "does not answer" in caplog.text
    assert "locked" not in caplog.text  # only the error type is logged


def test_keyring_errors_become_a_typed_error() -> None:
    store = KeyringTokenStore(BrokenKeyring())
    with pytest.raises(SecretStoreUnavailable):
        store.get(SecretKey(SecretKind.CLIO_ACCESS, "pat@firm.example"))
    failing = KeyringTokenStore(keyring.backends.fail.Keyring())
    with pytest.raises(SecretStoreUnavailable):
        failing.set(SecretKey(SecretKind.CLIO_ACCESS, "pat@firm.example"), "x" * 10)
    with pytest.raises(SecretStoreUnavailable):
        failing.delete(SecretKey(SecretKind.CLIO_ACCESS, "pat@firm.example"))


def test_clio_tokens_are_split_into_separate_entries(memory_keyring: MemoryKeyring) -> None:
    store, _ = open_token_store()
    save_clio_tokens(store, "pat@firm.example", TOKENS)
    entries = memory_keyring.entries
    assert entries[("LegalConnect Desktop/clio-access", "pat@firm.example")] == TOKENS.access_token
    assert entries[("LegalConnect Desktop/clio-refresh", "pat@firm.example")] == TOKENS.refresh_token
    grant = entries[("LegalConnect Desktop/clio-grant", "pat@firm.example")]
    assert TOKENS.access_token not in grant and TOKENS.refresh_token not in grant
    assert all(len(value) <= 1280 for value in entries.values())
    assert load_clio_tokens(store, "pat@firm.example") == TOKENS
    assert load_clio_tokens(store, "someone-else@firm.example") is None
    delete_clio_tokens(store, "pat@firm.example")
    assert entries == {}
    assert load_clio_tokens(store, "pat@firm.example") is None


def test_partial_or_corrupt_clio_grant_means_not_connected() -> None:
    store = MemoryTokenStore()
    save_clio_tokens(store, "pat", TOKENS)
    store.delete(SecretKey(SecretKind.CLIO_REFRESH, "pat"))
    assert load_clio_tokens(store, "pat") is None
    save_clio_tokens(store, "pat", TOKENS)
    store.set(SecretKey(SecretKind.CLIO_GRANT, "pat"), "{not json")
    assert load_clio_tokens(store, "pat") is None


def test_tokens_never_show_in_repr() -> None:
    text = repr(TOKENS)
    assert TOKENS.access_token not in text
    assert TOKENS.refresh_token not in text
    assert "EU" in text


def test_values_a_windows_credential_cannot_hold_are_refused() -> None:
    for store in (MemoryTokenStore(), KeyringTokenStore(MemoryKeyring())):
        with pytest.raises(ValueError, match="Windows"):
            store.set(SecretKey(SecretKind.CLIO_ACCESS, "pat"), "x" * 1281)
        with pytest.raises(ValueError, match="empty"):
            store.set(SecretKey(SecretKind.CLIO_ACCESS, "pat"), "")


def test_naive_expiry_and_empty_account_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        ClioTokens("a", "r", datetime(2026, 1, 1), "US", 1)
    with pytest.raises(ValueError, match="account"):
        SecretKey(SecretKind.CLIO_ACCESS, "")


def test_the_keyring_is_found_on_first_use_and_only_once(memory_keyring) -> None:
    opened: list[int] = []

    def opener() -> tuple[KeyringTokenStore, None]:
        opened.append(1)
        return KeyringTokenStore(memory_keyring), None

    store = DeferredTokenStore(opener)
    assert opened == []  # nothing at construction
    key = SecretKey(SecretKind.LEGALCONNECT_PASSWORD, "pat@firm.example")
    store.set(key, "s3cret")
    assert store.get(key) == "s3cret" and store.persistent
    assert store.open() is None
    assert opened == [1]


def test_without_a_keyring_the_deferred_store_keeps_secrets_in_memory_and_says_so() -> None:
    store = DeferredTokenStore()  # the test keyring is swapped for "none" below
    keyring.set_keyring(keyring.backends.null.Keyring())
    assert store.open() == NO_KEYRING_NOTICE
    assert store.persistent is False
    key = SecretKey(SecretKind.LEGALCONNECT_PASSWORD, "pat@firm.example")
    store.set(key, "kept in memory")
    assert store.get(key) == "kept in memory"


def test_a_locked_keyring_is_a_service_failure_with_a_message() -> None:
    from app.services.errors import ServiceError

    error = SecretStoreUnavailable("locked")
    assert isinstance(error, ServiceError)
    assert "keyring" in error.user_message and "retry" in error.user_message
