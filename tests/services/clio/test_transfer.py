"""Downloads and uploads through the emulator's storage host: streamed, exact headers, recoveries."""

from __future__ import annotations

import asyncio
import io
import os
import stat
from pathlib import Path

import httpx
import pytest

from app.services.filenames import safe_filename
from tests.services.clio.helpers import RecordingTransport

BRIGHTLINE_MATTER = 2002


def run(coro):
    return asyncio.run(coro)


def storage_requests(transport: RecordingTransport, method: str) -> list[httpx.Request]:
    return [r for r in transport.sent if r.url.path.startswith("/storage/") and r.method == method]


def api_posts(transport: RecordingTransport) -> list[httpx.Request]:
    return [r for r in transport.sent if r.method == "POST" and r.url.path.startswith("/api/v4/documents")]


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "Motion to Compel.pdf"
    path.write_bytes(b"%PDF-1.4\n" + os.urandom(3 * 1024 * 1024 + 17) + b"\n%%EOF\n")
    return path


def test_upload_sends_exactly_the_signed_headers_and_download_round_trips(clio_client, pdf, tmp_path) -> None:
    transport = RecordingTransport()
    up, down = [], []

    async def body():
        async with clio_client(transport=transport) as client:
            doc = await client.upload(
                pdf,
                pdf.name,
                BRIGHTLINE_MATTER,
                "Matter",
                external_properties={"lc_deliverable_id": "D-77"},
                progress=lambda done, total: up.append((done, total)),
            )
            out = await client.download(
                doc.id, tmp_path / "out" / "copy.pdf", lambda d, t: down.append((d, t))
            )
            found = await client.find_documents_by_external_property("lc_deliverable_id", "D-77")
            return doc, out, found

    doc, out, found = run(body())
    size = pdf.stat().st_size
    assert doc.fully_uploaded and doc.size == size and doc.name == pdf.name
    assert doc.external_properties == {"lc_deliverable_id": "D-77"}
    assert out.read_bytes() == pdf.read_bytes()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in out.parent.iterdir()] == ["copy.pdf"]  # no temporary file left
    assert up[-1] == (size, size) and down[-1] == (size, size)
    assert [d for d, _ in up] == sorted(d for d, _ in up) and len(up) > 1
    assert [d.id for d in found] == [doc.id]
    (put,) = storage_requests(transport, "PUT")
    sent = {k.lower() for k in put.headers}
    assert sent - {"host", "accept", "accept-encoding", "connection", "user-agent"} == {
        "content-type",
        "x-amz-server-side-encryption",
        "content-length",
    }
    assert put.headers["content-length"] == str(size) and "transfer-encoding" not in put.headers
    (get,) = storage_requests(transport, "GET")
    assert "authorization" not in get.headers and "authorization" not in put.headers


def test_storage_refuses_a_leaked_authorization_header(clio_client, tokens, pdf, tmp_path) -> None:
    async def body():
        async with clio_client() as client:
            doc = await client.upload(pdf, pdf.name, BRIGHTLINE_MATTER, "Matter")
            redirect = await client.send("GET", f"documents/{doc.id}/download.json")
            # A careless client: one session, Clio's bearer token on every request it makes.
            async with httpx.AsyncClient(headers={"Authorization": f"Bearer {tokens[0]}"}) as careless:
                leaked = await careless.get(redirect.headers["location"])
            ours = await client.download(doc.id, tmp_path / "ours.pdf")
            return redirect, leaked, ours

    redirect, leaked, ours = run(body())
    assert redirect.status_code == 303
    assert leaked.status_code == 400 and "Only one auth mechanism allowed" in leaked.text
    assert ours.read_bytes() == pdf.read_bytes()


def test_upload_from_a_stream_and_an_empty_file(clio_client, tmp_path) -> None:
    data = b"%PDF-1.4\nstream body\n%%EOF\n" * 1000
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    progress: list[tuple[int, int]] = []

    async def body():
        async with clio_client() as client:
            stream = io.BytesIO(b"ignored prefix" + data)
            stream.seek(len(b"ignored prefix"))
            doc = await client.upload(stream, "From memory.pdf", BRIGHTLINE_MATTER, "Matter")
            zero = await client.upload(
                empty,
                "empty.txt",
                BRIGHTLINE_MATTER,
                "Matter",
                content_type="text/plain",
                progress=lambda d, t: progress.append((d, t)),
            )
            back = await client.download(doc.id, tmp_path / "back.pdf")
            return doc, zero, back

    doc, zero, back = run(body())
    assert doc.size == len(data) and back.read_bytes() == data
    assert zero.size == 0 and zero.fully_uploaded and progress[-1] == (0, 0)


def test_upload_timeout_on_verification_is_retried(clio_client, faults, pdf) -> None:
    faults.update({"upload_verify_timeouts": 2})
    transport = RecordingTransport()

    async def body():
        async with clio_client(transport=transport) as client:
            return await client.upload(pdf, pdf.name, BRIGHTLINE_MATTER, "Matter")

    doc = run(body())
    patches = [r for r in transport.sent if r.method == "PATCH"]
    assert doc.fully_uploaded and len(patches) == 3
    assert faults.upload_verify_timeouts == 0
    assert len(api_posts(transport)) == 1 and len(storage_requests(transport, "PUT")) == 1


def test_an_expired_upload_url_starts_that_document_again(clio_client, faults, pdf, tmp_path) -> None:
    faults.update({"storage_url_lifetime_s": 0})

    def restore(request: httpx.Request, response: httpx.Response) -> None:
        if request.url.path.startswith("/storage/") and response.status_code == 403:
            faults.update({"storage_url_lifetime_s": 600})

    transport = RecordingTransport(on_response=restore)

    async def body():
        async with clio_client(transport=transport) as client:
            doc = await client.upload(pdf, pdf.name, BRIGHTLINE_MATTER, "Matter")
            same_name = [
                d
                async for page in client.documents(matter_id=BRIGHTLINE_MATTER, query=pdf.name)
                for d in page
            ]
            back = await client.download(doc.id, tmp_path / "back.pdf")
            return doc, same_name, back

    doc, same_name, back = run(body())
    posts = api_posts(transport)
    assert len(posts) == 2 and len(storage_requests(transport, "PUT")) == 2
    import json

    second = json.loads(posts[1].content)["data"]["parent"]
    assert second == {"id": doc.id, "type": "Document"}  # a new version of the same document
    assert [d.id for d in same_name] == [doc.id]
    assert back.read_bytes() == pdf.read_bytes()


def test_an_upload_url_that_keeps_expiring_gives_up_with_a_typed_error(clio_client, faults, pdf) -> None:
    from app.services.clio.api import UploadUrlExpired

    faults.update({"storage_url_lifetime_s": 0})

    async def body():
        async with clio_client() as client:
            with pytest.raises(UploadUrlExpired):
                await client.upload(pdf, pdf.name, BRIGHTLINE_MATTER, "Matter")

    run(body())


def test_file_names_from_clio_are_made_safe_before_touching_disk(clio_client, pdf, tmp_path) -> None:
    target = tmp_path / "downloads"
    target.mkdir()

    async def body():
        async with clio_client() as client:
            doc = await client.upload(pdf, 'CON: "evil"?*|<>.pdf', BRIGHTLINE_MATTER, "Matter")
            return await client.download(doc.id, target)

    out = run(body())
    assert out.parent == target and out.read_bytes() == pdf.read_bytes()
    assert "/" not in out.name and ":" not in out.name and '"' not in out.name and "?" not in out.name
    assert out.suffix == ".pdf"
    assert [p.name for p in target.iterdir()] == [out.name]
    assert out.name == safe_filename('CON: "evil"?*|<>.pdf') == "CON_ _evil______.pdf"


def _storage_world(storage_answer):
    """Clio answering download.json with a 303 to a signed storage URL, and that storage host."""
    import respx

    from app.services.clio.api import ClioClient
    from tests.services.clio.helpers import StaticTokens

    router = respx.Router(assert_all_called=False)
    router.get("https://app.clio.com/api/v4/documents/7/download.json").respond(
        303, headers={"Location": "https://storage.clio.example/bucket/doc-7?sig=abc"}
    )
    router.get("https://storage.clio.example/bucket/doc-7").mock(side_effect=storage_answer)
    elsewhere = router.route().respond(200, content=b"secrets of the metadata service")
    client = ClioClient(
        "https://app.clio.com/api/v4", StaticTokens("t"), transport=httpx.MockTransport(router.async_handler)
    )
    return client, elsewhere


def _refused_download(client, out: Path):
    """Download document 7 into `out`, expecting a refusal; the error."""
    from app.services import http

    async def body():
        async with client:
            with pytest.raises(http.ServiceError) as raised:
                await client.download(7, out / "doc.pdf")
            return raised.value

    return run(body())


@pytest.mark.parametrize(
    "location",
    ["http://169.254.169.254/latest/meta-data/", "http://storage.clio.example/plain", "file:///etc/passwd"],
)
def test_a_storage_redirect_off_https_is_not_followed_and_nothing_is_saved(tmp_path, location) -> None:
    """The https-only rule (loopback aside) holds for every hop: a redirect from storage to plain
    http, a link-local address or another scheme is refused, and no file is left behind."""
    out = tmp_path / "out"
    out.mkdir()
    client, elsewhere = _storage_world(lambda request: httpx.Response(303, headers={"Location": location}))

    error = _refused_download(client, out)
    assert not elsewhere.called
    assert "did not download" in error.user_message and "link" in error.user_message
    assert list(out.iterdir()) == []


def test_a_storage_redirect_to_https_is_followed_within_a_few_hops(tmp_path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    hops = {"n": 0}

    def storage(request: httpx.Request) -> httpx.Response:
        hops["n"] += 1
        return httpx.Response(
            307, headers={"Location": f"https://storage.clio.example/bucket/doc-7?hop={hops['n']}"}
        )

    client, _ = _storage_world(storage)

    error = _refused_download(client, out)
    assert hops["n"] <= 6  # a few hops per attempt, never endless
    assert "did not download" in error.user_message
    assert list(out.iterdir()) == []

    served = {"n": 0}

    def once_then_file(request: httpx.Request) -> httpx.Response:
        served["n"] += 1
        if "region" not in str(request.url):
            return httpx.Response(
                307, headers={"Location": "https://storage.clio.example/bucket/doc-7?region=2"}
            )
        return httpx.Response(200, content=b"%PDF-1.4 the document", headers={"content-length": "21"})

    client, _ = _storage_world(once_then_file)

    async def fetched():
        async with client:
            return await client.download(7, out / "doc.pdf")

    out = run(fetched())
    assert out.read_bytes() == b"%PDF-1.4 the document" and served["n"] == 2
