"""Query-string parsing with Clio's answers for bad values (400, never a 500)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection

from starlette.datastructures import QueryParams

from sandbox.clio.errors import ApiError, bad_request
from sandbox.clio.store import MAX_ID


def int_param(query: QueryParams, name: str) -> int | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"Invalid value for {name}: {raw!r} is not an integer") from None
    if not 0 < value <= MAX_ID:
        raise bad_request(f"Invalid value for {name}: {raw!r} is out of range")
    return value


def bool_param(query: QueryParams, name: str, default: bool = False) -> bool:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise bad_request(f"Invalid value for {name}: {raw!r} is not a boolean")


def enum_param(query: QueryParams, name: str, allowed: Collection[str]) -> str | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    if raw not in allowed:
        raise bad_request(f"Invalid value for {name}: {raw!r}; expected one of {', '.join(sorted(allowed))}")
    return raw


def date_param(query: QueryParams, name: str) -> str | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    return parse_date(raw, name)


def datetime_param(query: QueryParams, name: str) -> str | None:
    """An ISO-8601 timestamp with an offset (`created_since`, `updated_since`), as the stored
    UTC form (second precision) so it compares with the rows' timestamps."""
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    try:
        moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f"Invalid value for {name}: {raw!r} is not an ISO-8601 timestamp") from None
    if moment.tzinfo is None:
        raise bad_request(f"Invalid value for {name}: {raw!r} has no time zone offset")
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def parse_date(raw: object, name: str, factory: Callable[[str], ApiError] = bad_request) -> str:
    """Validate a YYYY-MM-DD date, raising `factory(message)` otherwise."""
    if isinstance(raw, str) and len(raw) == 10:
        try:
            return dt.date.fromisoformat(raw).isoformat()
        except ValueError:
            pass
    raise factory(f"Invalid value for {name}: {raw!r} is not a date (YYYY-MM-DD)")


def order_param(query: QueryParams) -> None:
    """Cursor paging only supports `id(asc)` (DOC-PAGING); other orders need offset paging."""
    raw = query.get("order")
    if raw not in (None, "", "id(asc)"):
        raise bad_request(f"Invalid value for order: {raw!r}; cursor pagination supports only id(asc)")
