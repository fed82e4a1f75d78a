"""Content sniffing: the type comes from the bytes, never from the name."""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from app.services.intake import Kind, sniff
from app.services.intake.sniff import Sniffed
from sandbox.seed.files import make_docx, make_jpg, make_odt, make_pdf, make_png, make_rtf, make_txt
from tests.services.intake import craft


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (make_pdf("A", 1), Sniffed(Kind.PDF)),
        (b"junk before the header\n" + make_pdf("A", 1), Sniffed(Kind.PDF)),
        (make_docx("A", 1), Sniffed(Kind.DOCX)),
        (make_odt("A", 1), Sniffed(Kind.ODT)),
        (make_rtf("A", 1), Sniffed(Kind.RTF)),
        (make_png("A"), Sniffed(Kind.PNG)),
        (make_jpg("A"), Sniffed(Kind.JPEG)),
        (_image("TIFF"), Sniffed(Kind.TIFF)),
        (_image("GIF"), Sniffed(Kind.GIF)),
        (_image("BMP"), Sniffed(Kind.BMP)),
        (craft.compound_file("WordDocument", "1Table"), Sniffed(Kind.DOC)),
        (craft.compound_file("EncryptionInfo", "EncryptedPackage"), Sniffed(Kind.ENCRYPTED_OFFICE)),
        (craft.compound_file("Workbook"), Sniffed(Kind.OTHER_OFFICE)),
        (craft.compound_file("WordDocument")[:700], Sniffed(Kind.UNKNOWN)),  # directory cut off
        (craft.zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), Sniffed(Kind.ZIP)),
        (craft.zip_of({"a.txt": b"x"}), Sniffed(Kind.ZIP)),
        (craft.docx_without_document(), Sniffed(Kind.INCOMPLETE_DOCX)),
        (craft.corrupt_docx(), Sniffed(Kind.DAMAGED_ZIP)),
        (craft.windows_executable(), Sniffed(Kind.EXECUTABLE)),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 60, Sniffed(Kind.EXECUTABLE)),
        (b"", Sniffed(Kind.EMPTY)),
        (craft.random_binary(), Sniffed(Kind.UNKNOWN)),
        (make_txt("Notes"), Sniffed(Kind.TEXT, "utf-8-sig")),
        ("Grüße, Renée".encode("cp1252"), Sniffed(Kind.TEXT, "cp1252")),
        (codecs.BOM_UTF16_LE + "Grüße".encode("utf-16-le"), Sniffed(Kind.TEXT, "utf-16")),
        (b"BM is how this note starts\n", Sniffed(Kind.TEXT, "utf-8-sig")),
        (b"text with a bell \x07 in it", Sniffed(Kind.UNKNOWN)),
    ],
    ids=lambda v: v.kind.value if isinstance(v, Sniffed) else None,
)
def test_sniff(tmp_path: Path, data: bytes, expected: Sniffed) -> None:
    path = tmp_path / "file.bin"
    path.write_bytes(data)
    assert sniff(path) == expected


def test_utf8_cut_mid_character_at_the_sample_edge_is_still_text(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_bytes(b"a" * (64 * 1024 - 1) + "é and more".encode())
    assert sniff(path) == Sniffed(Kind.TEXT, "utf-8-sig")


@settings(max_examples=150, deadline=None)
@given(
    st.binary(max_size=2048),
    st.sampled_from([b"", b"%PDF-1.7\n", b"PK\x03\x04", craft.compound_file()[:512]]),
)
def test_sniff_never_raises_on_arbitrary_bytes(
    tmp_path_factory: pytest.TempPathFactory, tail: bytes, head: bytes
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "f"
    path.write_bytes(head + tail)
    assert isinstance(sniff(path).kind, Kind)
