"""The OS keyring behind the `TokenStore` protocol (Windows Credential Manager, macOS Keychain,
Secret Service), and the choice between it and memory when the app starts using secrets.

Imported only when the first secret is needed (`secrets.DeferredTokenStore`): loading keyring and
discovering its backend costs tens of milliseconds that the first screen does not wait for.
"""

from __future__ import annotations

import logging

import keyring
import keyring.backends.fail
import keyring.backends.null
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError

from app.services.secrets import (
    NO_KEYRING_NOTICE,
    SERVICE,
    MemoryTokenStore,
    SecretKey,
    SecretStoreUnavailable,
    TokenStore,
    _check_value,
)

logger = logging.getLogger(__name__)


class KeyringTokenStore:
    """Secrets in the OS keyring (Windows Credential Manager, macOS Keychain, Secret Service)."""

    persistent = True

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._backend = backend or keyring.get_keyring()

    def get(self, key: SecretKey) -> str | None:
        """The stored secret, or None."""
        try:
            return self._backend.get_password(key.service, key.account)
        # Backends report a locked or vanished keyring as KeyringError, RuntimeError or OSError.
        except (KeyringError, RuntimeError, OSError) as error:
            raise SecretStoreUnavailable(f"the system keyring could not be read ({error})") from error

    def set(self, key: SecretKey, value: str) -> None:
        """Store (or replace) a secret."""
        _check_value(key, value)
        try:
            self._backend.set_password(key.service, key.account, value)
        except (KeyringError, RuntimeError, OSError) as error:
            raise SecretStoreUnavailable(f"the system keyring refused to save ({error})") from error

    def delete(self, key: SecretKey) -> None:
        """Forget a secret; a missing entry is fine."""
        try:
            self._backend.delete_password(key.service, key.account)
        except PasswordDeleteError:
            return
        except (KeyringError, RuntimeError, OSError) as error:
            raise SecretStoreUnavailable(f"the system keyring refused to delete ({error})") from error


def _usable(backend: KeyringBackend) -> bool:
    if isinstance(backend, keyring.backends.fail.Keyring | keyring.backends.null.Keyring):
        return False
    return float(backend.priority) > 0


def open_token_store(backend: KeyringBackend | None = None) -> tuple[TokenStore, str | None]:
    """The keyring store when a real backend answers, else a memory store and a notice for the UI."""
    try:
        chosen = backend or keyring.get_keyring()
    except KeyringError as error:
        logger.info("no keyring backend could be loaded: %s", error)
        return MemoryTokenStore(), NO_KEYRING_NOTICE
    if not _usable(chosen):
        logger.info("no usable keyring backend (%s); secrets stay in memory", type(chosen).__name__)
        return MemoryTokenStore(), NO_KEYRING_NOTICE
    try:
        chosen.get_password(f"{SERVICE}/probe", "probe")
    # Deciding whether the backend works is the whole point of the probe: any failure means "no".
    except Exception as error:
        logger.warning("the keyring (%s) does not answer: %s", type(chosen).__name__, type(error).__name__)
        return MemoryTokenStore(), NO_KEYRING_NOTICE
    return KeyringTokenStore(chosen), None
