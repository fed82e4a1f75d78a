"""The building blocks of `app.config`: a typed `Setting` and the checks settings use.

A `Setting` knows how to turn its value into a JSON scalar and back (`encode`/`parse`) and what
values are allowed (`choices`, `check`, bounds). `parse` is the one gate every value goes through,
both from the settings file and from `Config.set`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import ipaddress
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")
JsonScalar = str | int | float | bool | None

#: A setting whose key contains one of these is refused: secrets live in the keyring.
FORBIDDEN_KEY_WORDS = ("password", "passwd", "token", "secret")


class InvalidSettingValue(ValueError):
    """A value a setting does not accept; the message says which setting and why."""


@dataclass(frozen=True, eq=False)
class Setting(Generic[T]):
    """One declared setting: key, default, help text, how it is stored and what it accepts."""

    key: str
    default: T
    help: str
    decode: Callable[[object], T]
    encode: Callable[[T], JsonScalar]
    choices: tuple[T, ...] = ()
    check: Callable[[T], str | None] | None = None

    def parse(self, raw: object) -> T:
        """Turn a stored JSON value into a valid value of this setting, or raise InvalidSettingValue."""
        try:
            value = self.decode(raw)
        except (TypeError, ValueError) as error:
            raise InvalidSettingValue(f"{self.key}: {error}") from error
        if self.choices and value not in self.choices:
            allowed = ", ".join(repr(choice) for choice in self.choices)
            raise InvalidSettingValue(f"{self.key}: {value!r} is not one of {allowed}")
        if self.check is not None:
            problem = self.check(value)
            if problem:
                raise InvalidSettingValue(f"{self.key}: {problem}")
        return value

    def to_json(self, value: T) -> JsonScalar:
        """Validate a value and turn it into what the settings file stores; raises InvalidSettingValue."""
        try:
            raw = self.encode(value)
        except (TypeError, ValueError) as error:
            raise InvalidSettingValue(f"{self.key}: {error}") from error
        self.parse(raw)
        return raw


def _decode_str(raw: object) -> str:
    if not isinstance(raw, str):
        raise TypeError(f"expected text, found {type(raw).__name__}")
    if "\x00" in raw:
        raise ValueError("contains a NUL character")
    return raw


def _decode_bool(raw: object) -> bool:
    if not isinstance(raw, bool):
        raise TypeError(f"expected true or false, found {type(raw).__name__}")
    return raw


def _decode_bytes(raw: object) -> bytes:
    if not isinstance(raw, str):
        raise TypeError(f"expected base64 text, found {type(raw).__name__}")
    try:
        return base64.b64decode(raw.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as error:
        raise ValueError("is not valid base64") from error


def _encode_bytes(value: bytes) -> str:
    if not isinstance(value, bytes | bytearray):
        raise TypeError(f"expected bytes, found {type(value).__name__}")
    return base64.b64encode(value).decode("ascii")


def _identity(value: T) -> T:
    return value


def str_setting(
    key: str,
    default: str,
    help: str,
    *,
    choices: tuple[str, ...] = (),
    check: Callable[[str], str | None] | None = None,
) -> Setting[str]:
    """A text setting."""
    return Setting(key, default, help, _decode_str, _identity, choices, check)


def bool_setting(key: str, default: bool, help: str) -> Setting[bool]:
    """An on/off setting."""
    return Setting(key, default, help, _decode_bool, _identity)


def bytes_setting(key: str, help: str) -> Setting[bytes]:
    """Opaque bytes (e.g. saved window geometry), stored as base64; defaults to empty."""
    return Setting(key, b"", help, _decode_bytes, _encode_bytes)


def int_setting(key: str, default: int, help: str, *, minimum: int, maximum: int) -> Setting[int]:
    """A whole number within [minimum, maximum]."""

    def decode(raw: object) -> int:
        # bool is an int subclass; `true` in the file is not a number of seconds.
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise TypeError(f"expected a whole number, found {type(raw).__name__}")
        if not minimum <= raw <= maximum:
            raise ValueError(f"{raw} is outside {minimum}–{maximum}")
        return raw

    return Setting(key, default, help, decode, _identity)


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_service_url(value: str) -> str | None:
    """Empty (not set) or an https URL; plain http only to this computer; never credentials in it."""
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return f"{value!r} is not an http(s) address"
    if parts.username or parts.password:
        return "an address must not contain a user name or password"
    if parts.query or parts.fragment:
        return "an address must not contain a query (?…) or fragment (#…)"
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        return "plain http is only allowed to this computer (localhost); use https"
    return None


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


def check_email(value: str) -> str | None:
    """Empty (not remembered) or something shaped like an email address."""
    if value and not _EMAIL.fullmatch(value):
        return f"{value!r} is not an email address"
    return None


def check_date(value: str) -> str | None:
    """Empty, or a calendar date written YYYY-MM-DD."""
    if not value:
        return None
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return f"{value!r} is not a date (YYYY-MM-DD)"
    return None if len(value) == 10 else f"{value!r} is not a date (YYYY-MM-DD)"


def check_category_name(value: str) -> str | None:
    """Empty, or a name Clio could hold: one line, at most 255 characters."""
    if len(value) > 255:
        return "a category name has at most 255 characters"
    if any(ord(c) < 32 for c in value):
        return "a category name is one line of text"
    return None


def check_pattern(fields: frozenset[str]) -> Callable[[str], str | None]:
    """A check for naming patterns such as "Order-{order_number}" that may use only `fields`.

    Attribute and index access ({name.attr}, {name[0]}) are refused: they would let a pattern reach
    into the objects it is filled from.
    """
    allowed = ", ".join("{" + name + "}" for name in sorted(fields))

    def check(value: str) -> str | None:
        if not value.strip():
            return "a name pattern must not be empty"
        if "/" in value or "\\" in value:
            return "a name pattern must not contain / or \\"
        try:
            parsed = list(string.Formatter().parse(value))
        except ValueError as error:
            return f"{value!r} is not a valid pattern ({error})"
        for _literal, field, spec, _conversion in parsed:
            if field is None:
                continue
            if field not in fields:
                return f"unknown field {{{field}}} in {value!r}; use {allowed}"
            if spec and ("{" in spec or "}" in spec):
                return f"nested fields are not allowed in {value!r}"
        return None

    return check
