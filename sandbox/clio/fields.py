"""Clio's `fields` parameter: parse it once against a resource's declared shape, render rows with it.

Rules (DOC-FIELDS): no `fields` means `id,etag`; a comma list picks fields; `rel{a,b}` picks fields of a
nested resource (one level only); `rel` without braces gives the nested resource's default fields; a
second level of braces or any unknown field is a 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sandbox.clio.errors import ApiError

DEFAULT_FIELDS = ("id", "etag")
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Shape:
    """Which fields a resource has: plain values, and relations to other (base) shapes."""

    name: str
    scalars: tuple[str, ...]
    relations: Mapping[str, str] = field(default_factory=dict)
    """field name -> name of the nested shape (always a *_base shape without relations)."""
    many: frozenset[str] = frozenset()
    """relations whose value is a list of nested objects."""
    default: tuple[str, ...] = DEFAULT_FIELDS

    def has(self, name: str) -> bool:
        return name in self.scalars or name in self.relations


@dataclass(frozen=True)
class Pick:
    """One requested field; `nested` is set for relations (the nested fields to render)."""

    name: str
    nested: tuple[str, ...] | None = None


Selection = tuple[Pick, ...]


def _fields_error(message: str) -> ApiError:
    return ApiError(400, message, "InvalidFields")


def _split_top(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                raise _fields_error(f"Malformed fields parameter: unbalanced '}}' in {text!r}")
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if depth != 0:
        raise _fields_error(f"Malformed fields parameter: unbalanced '{{' in {text!r}")
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def parse_fields(text: str | None, shape: Shape, shapes: Mapping[str, Shape]) -> Selection:
    """Turn a `fields` value into a Selection, or raise a 400 ApiError."""
    if text is None or not text.strip():
        return tuple(
            Pick(n) if n in shape.scalars else _default_pick(n, shape, shapes) for n in shape.default
        )
    picks: list[Pick] = []
    for token in _split_top(text):
        name, brace, rest = token.partition("{")
        name = name.strip()
        if not _NAME.match(name) or not shape.has(name):
            raise _fields_error(f"Invalid field: {name!r} is not a field of {shape.name}")
        if not brace:
            picks.append(Pick(name) if name in shape.scalars else _default_pick(name, shape, shapes))
            continue
        if name not in shape.relations:
            raise _fields_error(f"Invalid field: {name!r} of {shape.name} has no nested fields")
        if not rest.endswith("}"):
            raise _fields_error(f"Malformed fields parameter near {token!r}")
        inner = rest[:-1]
        if "{" in inner or "}" in inner:
            raise _fields_error("Nested fields are only supported one level deep")
        target = shapes[shape.relations[name]]
        names = tuple(n.strip() for n in inner.split(",") if n.strip())
        if not names:
            raise _fields_error(f"Empty nested field list for {name!r}")
        for sub in names:
            if sub not in target.scalars:
                raise _fields_error(f"Invalid field: {sub!r} is not a field of {name}")
        picks.append(Pick(name, names))
    return tuple(picks)


def _default_pick(name: str, shape: Shape, shapes: Mapping[str, Shape]) -> Pick:
    target = shapes[shape.relations[name]]
    return Pick(name, tuple(n for n in target.default if n in target.scalars))


def render(
    selection: Sequence[Pick],
    values: Mapping[str, Any],
    related: Callable[[str], Mapping[str, Any] | list[Mapping[str, Any]] | None],
) -> dict[str, Any]:
    """Build the response object: `values` holds every scalar, `related(name)` the nested object(s)."""
    out: dict[str, Any] = {}
    for pick in selection:
        if pick.nested is None:
            out[pick.name] = values.get(pick.name)
            continue
        target = related(pick.name)
        if target is None:
            out[pick.name] = None
        elif isinstance(target, list):
            out[pick.name] = [{n: item.get(n) for n in pick.nested} for item in target]
        else:
            out[pick.name] = {n: target.get(n) for n in pick.nested}
    return out
