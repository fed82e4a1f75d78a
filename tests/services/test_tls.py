"""Certificates are checked against the operating system's store, and one this computer does not
trust (a firm's inspecting proxy whose root is not installed) is reported with the host and the
issuer, against a real local HTTPS server with a certificate signed by an unknown authority."""

from __future__ import annotations

import asyncio
import datetime as dt
import http.server
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.services import http as lc_http


def _name(common: str, org: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, common), x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)]
    )


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A server certificate for localhost signed by "Firm Inspection CA" (unknown to the system)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Firm Inspection CA", "Harbor & Vale LLP")
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost", "Harbor & Vale LLP"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert_file, key_file = folder / "server.pem", folder / "server.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


@pytest.fixture
def untrusted_server(tmp_path: Path) -> Iterator[int]:
    cert_file, key_file = _certificate(tmp_path)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_an_untrusted_certificate_names_the_host_and_its_issuer(untrusted_server: int) -> None:
    async def main() -> lc_http.ServiceError:
        remotes = lc_http.Remotes()
        try:
            client = remotes.client(f"https://localhost:{untrusted_server}/")
            with pytest.raises(httpx.ConnectError) as caught:
                await client.get(f"https://localhost:{untrusted_server}/api/v1/provider")
            return await lc_http.transport_failure("Pacific Crest Legal Services", caught.value)
        finally:
            await remotes.aclose()

    error = asyncio.run(main())
    assert isinstance(error, lc_http.UntrustedCertificate)
    assert isinstance(error, lc_http.Unreachable)  # shown like any other "cannot reach", with Retry
    assert error.user_message.startswith(
        "Cannot connect securely to Pacific Crest Legal Services: the certificate of localhost, "
        "issued by “Firm Inspection CA (Harbor & Vale LLP)”, is not trusted by this computer ("
    )
    assert "ask IT to add that issuer's root certificate" in error.user_message
    assert "Traceback" not in error.user_message and "SSL" not in error.user_message


def test_pools_check_certificates_against_the_system_store() -> None:
    import truststore

    assert isinstance(lc_http.tls_context(), truststore.SSLContext)
    assert lc_http.tls_context() is lc_http.tls_context()  # one context for every pool
    assert lc_http.tls_context().verify_mode == ssl.CERT_REQUIRED
    assert lc_http.tls_context().check_hostname
