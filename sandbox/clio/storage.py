"""The storage host (S3's role): signed, expiring URLs for uploading and downloading file bytes.

It lives on the same server under `/storage/`, and answers like S3 does: XML error bodies, 403 for a
bad signature or an expired URL, 400 when an `Authorization` header is sent with a presigned URL. The
upload body is streamed to disk, never held in memory.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
import time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from sandbox.common.faults import Faults

SSE_HEADER = "x-amz-server-side-encryption"
# Headers any HTTP client adds on its own; they are not part of the signature. Anything else that is
# not in put_headers makes the signature fail, as it would on S3 with SigV4 signed headers.
_TRANSPORT_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "transfer-encoding",
        "user-agent",
        "accept",
        "accept-encoding",
        "connection",
        "expect",
        "keep-alive",
        "content-md5",
    }
)
CHUNK = 1024 * 1024


class _BlobResponse(FileResponse):
    """Streams a stored file from disk in 1 MiB chunks (files can be hundreds of MB)."""

    chunk_size = CHUNK


def s3_error(status: int, code: str, message: str) -> Response:
    """An S3-style XML error answer."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
    )
    return Response(body, status_code=status, media_type="application/xml")


class Storage:
    """Signs storage URLs and serves `GET`/`PUT /storage/{uuid}`."""

    def __init__(
        self, conn: sqlite3.Connection, data_dir: Path, base_url: str, faults: Faults, secret: bytes
    ):
        self.conn = conn
        self.blobs = data_dir / "blobs"
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.base_url = base_url
        self.faults = faults
        self._secret = secret

    def _sign(self, op: str, uuid: str, expires: int) -> str:
        return hmac.new(self._secret, f"{op}\n{uuid}\n{expires}".encode(), hashlib.sha256).hexdigest()

    def signed_url(self, op: str, uuid: str) -> str:
        """A URL for `op` ("GET" or "PUT") on one stored version, valid for storage_url_lifetime_s."""
        expires = int(time.time()) + self.faults.storage_url_lifetime_s
        return (
            f"{self.base_url}/storage/{uuid}?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            f"&X-Amz-Expires-At={expires}&X-Amz-Signature={self._sign(op, uuid, expires)}"
        )

    @staticmethod
    def put_headers(content_type: str) -> list[dict[str, str]]:
        return [{"name": "Content-Type", "value": content_type}, {"name": SSE_HEADER, "value": "AES256"}]

    def blob_path(self, blob: str) -> Path:
        return self.blobs / blob

    def routes(self) -> list[Route]:
        return [Route("/storage/{uuid}", self.endpoint, methods=["GET", "PUT"])]

    def _check(self, request: Request, op: str, uuid: str) -> Response | None:
        if "authorization" in request.headers:
            return s3_error(
                400,
                "InvalidArgument",
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature "
                "query string parameter or the Authorization header should be specified",
            )
        query = request.query_params
        sig, raw_expires = query.get("X-Amz-Signature", ""), query.get("X-Amz-Expires-At", "")
        if not raw_expires.isdigit() or len(raw_expires) > 12:
            return s3_error(403, "AccessDenied", "Query-string authentication requires an expiry")
        expires = int(raw_expires)
        if not hmac.compare_digest(sig, self._sign(op, uuid, expires)):
            return s3_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
        if time.time() > expires:
            return s3_error(403, "AccessDenied", "Request has expired")
        return None

    async def endpoint(self, request: Request) -> Response:
        """Serve a signed download, or receive a signed upload streamed to disk."""
        uuid = request.path_params["uuid"]
        refused = self._check(request, request.method, uuid)
        if refused is not None:
            return refused
        row = self.conn.execute("SELECT * FROM document_versions WHERE uuid = ?", (uuid,)).fetchone()
        if row is None:
            return s3_error(404, "NoSuchKey", "The specified key does not exist.")
        if request.method == "GET":
            return self._download(row)
        return await self._upload(request, row)

    def _download(self, row: sqlite3.Row) -> Response:
        if not row["fully_uploaded"] or not row["blob"] or not self.blob_path(row["blob"]).exists():
            return s3_error(404, "NoSuchKey", "The specified key does not exist.")
        return _BlobResponse(
            self.blob_path(row["blob"]), media_type=row["content_type"], filename=row["filename"]
        )

    def _header_problem(self, request: Request, row: sqlite3.Row) -> str | None:
        expected = {h["name"].lower(): h["value"] for h in self.put_headers(row["content_type"])}
        for name, value in expected.items():
            if request.headers.get(name) != value:
                return f"header {name} is missing or differs from the signed value"
        extra = [n for n in request.headers if n not in expected and n not in _TRANSPORT_HEADERS]
        if extra:
            return f"unsigned header(s) {', '.join(sorted(extra))} are not allowed"
        return None

    async def _upload(self, request: Request, row: sqlite3.Row) -> Response:
        if row["fully_uploaded"]:
            return s3_error(403, "AccessDenied", "This upload has already been completed.")
        problem = self._header_problem(request, row)
        if problem is not None:
            return s3_error(
                403,
                "SignatureDoesNotMatch",
                f"The request signature we calculated does not match the signature you provided: {problem}",
            )
        final = self.blob_path(row["uuid"])
        partial = final.with_suffix(".part")
        md5 = hashlib.md5(usedforsecurity=False)
        size = 0
        with partial.open("wb") as out:
            async for chunk in request.stream():
                md5.update(chunk)
                size += len(chunk)
                out.write(chunk)
        content_md5 = request.headers.get("content-md5")
        if content_md5 is not None and not _md5_matches(content_md5, md5.digest()):
            partial.unlink(missing_ok=True)
            return s3_error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
        partial.replace(final)
        self.conn.execute(
            "UPDATE document_versions SET size = ?, blob = ? WHERE id = ?", (size, row["uuid"], row["id"])
        )
        return Response(status_code=200, headers={"ETag": f'"{md5.hexdigest()}"'})


def _md5_matches(header: str, digest: bytes) -> bool:
    import base64
    import binascii

    try:
        return base64.b64decode(header, validate=True) == digest
    except (binascii.Error, ValueError):
        return False


def version_url_fields(storage: Storage, row: sqlite3.Row | dict[str, Any]) -> dict[str, Any]:
    """`put_url` / `put_headers` of a version: fresh while pending, empty once fully uploaded."""
    if row["fully_uploaded"]:
        return {"put_url": None, "put_headers": []}
    return {
        "put_url": storage.signed_url("PUT", row["uuid"]),
        "put_headers": storage.put_headers(row["content_type"]),
    }
