"""Documents picked in the Clio file-selection window, and their drag-and-drop encoding.

A pick says which Clio document to pull and where it came from (for the order's "source" column and
to pre-select the Client and Matter that returned documents go back to). The same JSON travels in
the `application/x-legalconnect-clio-documents` MIME type, so any list that accepts drops from the
Clio window decodes it with `decode_picks` without importing Qt.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

CLIO_PICKS_MIME = "application/x-legalconnect-clio-documents"
"""MIME type of a drag from the Clio window: a UTF-8 JSON list of `ClioPick` objects."""


class BadPicks(ValueError):
    """The dropped data is not a list of Clio picks (another program's drop, or a damaged one)."""


@dataclass(frozen=True)
class ClioPick:
    """One Clio document chosen by the user, with the location it was chosen from.

    `breadcrumb` is the folder path from the client down ("Client › Matter › Folder"), without the
    document's own name; `client_*` is empty/None when Clio did not say (a whole-account search hit
    in a matter not opened in the tree)."""

    document_id: int
    name: str
    size: int
    content_type: str
    breadcrumb: str
    client_id: int | None
    client_name: str
    matter_id: int | None
    matter_display_number: str

    @classmethod
    def from_json(cls, raw: Any) -> ClioPick:
        """One pick from its JSON object; raises `BadPicks` naming the first bad field."""
        if not isinstance(raw, dict):
            raise BadPicks("a pick is not an object")

        def need(key: str, kind: type | tuple[type, ...], optional: bool = False) -> Any:
            value = raw.get(key)
            if value is None and optional:
                return None
            if isinstance(value, bool) or not isinstance(value, kind):
                raise BadPicks(f"pick field {key!r} is missing or has the wrong type")
            return value

        return cls(
            document_id=need("document_id", int),
            name=need("name", str),
            size=need("size", int),
            content_type=need("content_type", str),
            breadcrumb=need("breadcrumb", str),
            client_id=need("client_id", int, optional=True),
            client_name=need("client_name", str),
            matter_id=need("matter_id", int, optional=True),
            matter_display_number=need("matter_display_number", str),
        )


def encode_picks(picks: list[ClioPick]) -> bytes:
    """The MIME payload for `picks` (UTF-8 JSON list, field names as in `ClioPick`)."""
    return json.dumps([asdict(p) for p in picks], ensure_ascii=False).encode("utf-8")


def decode_picks(payload: bytes) -> list[ClioPick]:
    """The picks in a MIME payload; raises `BadPicks` when it is not one."""
    try:
        raw = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadPicks("the dropped data is not JSON") from exc
    if not isinstance(raw, list):
        raise BadPicks("the dropped data is not a list")
    return [ClioPick.from_json(item) for item in raw]
