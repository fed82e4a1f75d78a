"""Moving file bytes between this machine and Clio's storage host, streamed both ways.

Download: `GET /documents/{id}/download.json` answers `303` to a short-lived signed storage URL; the
bytes come from there through the plain storage client (signed URLs refuse a second credential, and
the Clio token must never leave the API host), into a private temporary file renamed into place.

Upload: `POST /documents.json` creates the document and names a signed `put_url` with the exact
`put_headers` it was signed with → `PUT` the bytes there (those headers and `Content-Length`,
nothing else, streamed from disk) → `PATCH` `fully_uploaded: true`, which Clio verifies against
storage; its `UploadTimeoutError` means "ask again". A `put_url` that expired before the bytes got
there (Clio documents ten minutes) means starting that document again: the client asks for a new
version of the same document (`parent.type = Document`), so the document keeps its id and external
properties, and the abandoned version, never marked uploaded, stays invisible.
"""

from __future__ import annotations

import email.message
import functools
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import httpx
import stamina

from app.services import http
from app.services.clio.records import Document, ProtocolError, external_properties_json
from app.services.clio.tokens import SERVICE
from app.services.filenames import safe_filename
from app.services.filesave import Saved, save_stream

if TYPE_CHECKING:
    from app.services.clio.base import ClioBase
    from app.services.clio.ratelimit import Priority
    from app.services.filesave import Progress

DOCUMENT_FIELDS = (
    "id,name,updated_at,deleted_at,parent{id},matter{id},"
    "latest_document_version{uuid,size,content_type,fully_uploaded},external_properties{name,value}"
)
UPLOAD_START_FIELDS = "id,latest_document_version{uuid,put_url,put_headers}"
CHUNK = 1024 * 1024
URL_RESTARTS = 2
"""How many times an upload whose signed URL expired is started again before giving up."""
VERIFY_ATTEMPTS = 6
"""PATCH `fully_uploaded` attempts while Clio answers `UploadTimeoutError`."""


class UploadUrlExpired(http.Forbidden):
    """The storage host refused a `put_url` because its signature expired."""


# -- download -----------------------------------------------------------------------------------


async def download(client: ClioBase, document_id: int, destination: Path, progress: Progress | None) -> Path:
    """Stream a document's latest version to `destination` and return the file's path.

    `destination` is a full file path, or an existing directory: the file is then named after the
    name storage gives it, made safe for the local disk first. The bytes go to a private (0600)
    temporary file beside it and replace the target only once complete; a failed download leaves
    nothing behind. The whole exchange (fresh signed URL included) is retried when transient."""
    return await http.retrying(lambda: _download_once(client, document_id, destination, progress))


async def _storage_location(client: ClioBase, document_id: int) -> str:
    response = await client.send("GET", f"documents/{document_id}/download.json")
    location: str = response.headers.get("location", "")
    if response.status_code not in (302, 303, 307) or not location:
        raise http.ServiceError(
            SERVICE, "Clio did not say where to download the document from.", f"HTTP {response.status_code}"
        )
    return location


async def _download_once(
    client: ClioBase, document_id: int, destination: Path, progress: Progress | None
) -> Path:
    location = await _storage_location(client, document_id)
    try:
        for _hop in range(MAX_STORAGE_HOPS + 1):
            pool = _download_pool(client, location)
            async with pool.stream("GET", location) as response:
                if response.status_code in _REDIRECTS:
                    # Each hop is checked like the first (https only, loopback aside) before a
                    # byte is sent there; S3 may point at another region this way.
                    location = str(response.url.join(response.headers.get("location", "")))
                    continue
                if response.status_code >= 400:
                    await response.aread()
                    raise storage_error(response)
                if response.status_code != 200:
                    raise _not_downloaded(f"Clio's file storage answered {response.status_code}.")
                target = _target(destination, _attachment_name(response), document_id)
                total = int(response.headers.get("content-length") or 0)
                return await _save(response, target, total, progress)
    except httpx.TransportError as exc:
        raise await http.transport_failure(SERVICE, exc) from exc
    except httpx.HTTPError as exc:  # a link httpx itself cannot use (InvalidURL, too many hops...)
        raise _not_downloaded("Clio sent a file link this app cannot use.", str(exc)) from exc
    raise _not_downloaded("Clio's file storage kept redirecting.", location[:200])


MAX_STORAGE_HOPS = 3
"""Redirects followed from Clio's file storage for one download (each checked like the first)."""

_REDIRECTS = (301, 302, 303, 307, 308)


def _download_pool(client: ClioBase, url: str) -> httpx.AsyncClient:
    try:
        return client.storage(url)
    except http.ServiceError as exc:
        raise _not_downloaded("Clio sent a file link this app cannot use.", exc.detail) from exc


def _not_downloaded(why: str, detail: str = "") -> http.ServiceError:
    return http.ServiceError(SERVICE, f"The document did not download: {why}", detail)


async def _save(response: httpx.Response, target: Path, total: int, progress: Progress | None) -> Path:
    def accept(saved: Saved) -> None:
        if total and saved.size != total:
            raise http.ServiceError(
                SERVICE, "The download from Clio was cut short. Try again.", f"{saved.size} of {total} bytes"
            )

    return await save_stream(
        response.aiter_bytes(CHUNK), target, expected=total, progress=progress, accept=accept
    )


def _target(destination: Path, storage_name: str, document_id: int) -> Path:
    fallback = f"document-{document_id}"
    if destination.is_dir():
        return destination / safe_filename(storage_name, fallback)
    return destination.parent / safe_filename(destination.name, fallback)


def _attachment_name(response: httpx.Response) -> str:
    message = email.message.Message()
    message["content-disposition"] = response.headers.get("content-disposition", "")
    name = message.get_filename()
    return str(name) if name else ""


def storage_error(response: httpx.Response) -> http.HTTPStatusError:
    """The typed error for a storage host answer (S3-style XML: `<Code>` and `<Message>`)."""
    text = response.text
    code = _xml_text(text, "Code")
    message = _xml_text(text, "Message")
    if response.status_code == 403 and code == "AccessDenied" and "expired" in message.lower():
        return UploadUrlExpired(SERVICE, "The upload link from Clio expired.", 403, code)
    return http.status_error(SERVICE, response, code, f"Clio's file storage refused the transfer: {message}")


def _xml_text(text: str, tag: str) -> str:
    start, end = text.find(f"<{tag}>"), text.find(f"</{tag}>")
    return text[start + len(tag) + 2 : end] if 0 <= start < end else ""


# -- upload -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadTarget:
    """A new document (or a new version of one) waiting for its bytes at a signed `put_url`."""

    document_id: int
    uuid: str
    put_url: str = field(repr=False)
    put_headers: dict[str, str] = field(repr=False)


async def upload(
    client: ClioBase,
    source: Path | BinaryIO,
    name: str,
    parent_id: int,
    parent_type: str,
    *,
    content_type: str,
    external_properties: dict[str, str],
    progress: Progress | None,
    priority: Priority,
) -> Document:
    """Create a Clio document from `source` (a path, or a seekable binary stream) and return it."""
    parent_type_now, parent_id_now, properties = parent_type, parent_id, external_properties
    for restart in range(URL_RESTARTS + 1):
        target = await start_upload(
            client,
            name,
            parent_id_now,
            parent_type_now,
            content_type=content_type,
            external_properties=properties,
            priority=priority,
        )
        try:
            await put_bytes(client, target, source, progress)
        except UploadUrlExpired:
            if restart == URL_RESTARTS:
                raise
            # A new version of the same document: it keeps its id and external properties.
            parent_type_now, parent_id_now, properties = "Document", target.document_id, {}
            continue
        return await mark_uploaded(client, target.document_id, target.uuid, priority)
    raise AssertionError("unreachable: the last restart re-raises")  # pragma: no cover


async def start_upload(
    client: ClioBase,
    name: str,
    parent_id: int,
    parent_type: str,
    *,
    content_type: str,
    external_properties: dict[str, str],
    priority: Priority,
    received_at: str | None = None,
) -> UploadTarget:
    """Step 1: create the document (or, with `parent_type` "Document", a new version of document
    `parent_id`) and learn where its bytes go. Never retried: a repeat would create a second one."""
    data: dict[str, Any] = {
        "name": name,
        "parent": {"id": parent_id, "type": parent_type},
        "content_type": content_type,
    }
    if external_properties:
        data["external_properties"] = external_properties_json(external_properties)
    if received_at:
        data["received_at"] = received_at
    started = await client.request_json(
        "POST",
        "documents.json",
        params={"fields": UPLOAD_START_FIELDS},
        json={"data": data},
        priority=priority,
    )
    return _upload_target(started)


async def put_bytes(
    client: ClioBase, target: UploadTarget, source: Path | BinaryIO, progress: Progress | None = None
) -> None:
    """Step 2: stream the bytes to the signed URL with exactly its headers (retried when transient,
    since a repeated PUT replaces). Raises `UploadUrlExpired` when the link is too old."""
    size = _size(source)
    await http.retrying(
        functools.partial(_put, client, target.put_url, target.put_headers, source, size, progress)
    )


def _size(source: Path | BinaryIO) -> int:
    if isinstance(source, Path):
        return source.stat().st_size
    position = source.tell()
    end = source.seek(0, os.SEEK_END)
    source.seek(position)
    return end - position


def _upload_target(body: Any) -> UploadTarget:
    try:
        data = body["data"]
        version = data["latest_document_version"]
        headers = {str(h["name"]): str(h["value"]) for h in version["put_headers"]}
        document_id, uuid, put_url = data["id"], version["uuid"], version["put_url"]
        if not isinstance(document_id, int) or not isinstance(uuid, str) or not isinstance(put_url, str):
            raise ProtocolError("id, uuid or put_url missing")
    except (ProtocolError, KeyError, TypeError) as exc:
        raise http.ServiceError(SERVICE, "Clio sent an answer the app cannot read.", str(exc)) from exc
    return UploadTarget(document_id, uuid, put_url, headers)


def _open(source: Path | BinaryIO) -> tuple[BinaryIO, int, bool]:
    """(stream, start offset, whether we opened it) — sync, so opening never sits in a coroutine."""
    if isinstance(source, Path):
        return source.open("rb"), 0, True
    return source, source.tell(), False


async def _put(
    client: ClioBase,
    put_url: str,
    put_headers: dict[str, str],
    source: Path | BinaryIO,
    size: int,
    progress: Progress | None,
) -> None:
    stream, start, owned = _open(source)

    async def body() -> AsyncIterator[bytes]:
        stream.seek(start)
        done = 0
        while chunk := stream.read(min(CHUNK, size - done)):
            done += len(chunk)
            yield chunk
            if progress is not None:
                progress(done, size)

    # Exactly the signed headers plus the length: any other header breaks the signature, and the
    # Clio bearer token must never reach the storage host.
    headers = {**put_headers, "Content-Length": str(size)}
    try:
        response = await client.storage(put_url).put(put_url, content=body(), headers=headers)
    except httpx.TransportError as exc:
        raise await http.transport_failure(SERVICE, exc) from exc
    finally:
        if owned:
            stream.close()
        else:
            stream.seek(start)
    if response.status_code >= 400:
        raise storage_error(response)
    if size == 0 and progress is not None:
        progress(0, 0)


def _verify_timed_out(exc: Exception) -> bool:
    return isinstance(exc, http.BadRequest) and exc.code == "UploadTimeoutError"


async def mark_uploaded(client: ClioBase, document_id: int, uuid: str, priority: Priority) -> Document:
    """Step 3: tell Clio the bytes are there (it checks storage); retried while Clio answers
    `UploadTimeoutError`, and settled by reading the document when an earlier answer was lost."""
    body = {"data": {"uuid": uuid, "fully_uploaded": True}}
    path = f"documents/{document_id}.json"
    first = True
    async for attempt in stamina.retry_context(
        on=_verify_timed_out, attempts=VERIFY_ATTEMPTS, wait_initial=0.5, wait_max=5.0
    ):
        with attempt:
            try:
                return await client.data(
                    "PATCH",
                    path,
                    Document.from_json,
                    params={"fields": DOCUMENT_FIELDS},
                    json=body,
                    priority=priority,
                    idempotent=True,
                )
            except http.BadRequest as exc:
                if first or _verify_timed_out(exc):
                    raise
                # An earlier attempt may have succeeded with its answer lost on the way back.
                done = await client.data(
                    "GET", path, Document.from_json, params={"fields": DOCUMENT_FIELDS}, priority=priority
                )
                if done.version_uuid == uuid and done.fully_uploaded:
                    return done
                raise
            finally:
                first = False
    raise AssertionError("unreachable: stamina re-raises the last failure")  # pragma: no cover
