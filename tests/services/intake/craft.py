"""Hand-made hostile and unusual files that the seed generators do not make."""

from __future__ import annotations

import io
import random
import struct
import zipfile

from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript

from sandbox.seed.files import make_docx, make_pdf


def raw_pdf(*objects: str, trailer_extra: str = "") -> bytes:
    """A PDF with a correct xref from object bodies numbered 1, 2, …; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R {trailer_extra}>>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


_PAGE = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"


def zero_page_pdf() -> bytes:
    return raw_pdf("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Count 0 /Kids [] >>")


def billion_pages_pdf() -> bytes:
    """A page tree claiming 10^9 pages over a single real one."""
    return raw_pdf(
        "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Count 1000000000 /Kids [3 0 R] >>", _PAGE
    )


def billion_pages_no_kids_pdf() -> bytes:
    return raw_pdf("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Count 1000000000 /Kids [] >>")


def cyclic_page_tree_pdf() -> bytes:
    """A /Pages node whose only kid is itself."""
    return raw_pdf("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Count 1 /Kids [2 0 R] >>")


def no_catalog_pdf() -> bytes:
    return raw_pdf("<< /Type /Pages /Count 1 /Kids [] >>")


def deeply_nested_pdf() -> bytes:
    """An object nested 100,000 arrays deep: a recursion bomb for a recursive parser."""
    return raw_pdf("<< /Type /Catalog /Pages 2 0 R /Junk " + "[" * 100_000 + "]" * 100_000 + " >>")


def openaction_js_pdf() -> bytes:
    """One text page and an /OpenAction that runs JavaScript."""
    reader = PdfReader(io.BytesIO(make_pdf("Scripted Notice", 1)))
    writer = PdfWriter(clone_from=reader)
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    return _written(writer)


def named_js_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf("Scripted Motion", 1))))
    writer.add_open_action(JavaScript("this.print({bUI:true});"))
    return _written(writer)


def attachment_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf("Exhibit With Attachment", 1))))
    writer.add_attachment("spreadsheet.csv", b"a,b\n1,2\n")
    return _written(writer)


def rc4_user_password_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf("RC4 Locked", 1))))
    writer.encrypt(user_password="open-sesame", owner_password="owner", algorithm="RC4-128")
    return _written(writer)


def rc4_owner_locked_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf("RC4 Owner Locked", 1))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    return _written(writer)


def _written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def docx_without_document() -> bytes:
    with zipfile.ZipFile(io.BytesIO(make_docx("Stripped", 1))) as zf:
        members = {n: zf.read(n) for n in zf.namelist() if n != "word/document.xml"}
    return zip_of(members)


def corrupt_docx() -> bytes:
    """A DOCX whose central directory has been overwritten: starts like a ZIP, cannot be opened."""
    data = bytearray(make_docx("Corrupt", 1))
    end = data.rfind(b"PK\x05\x06")
    data[end - 200 :] = random.Random(7).randbytes(len(data) - (end - 200))
    return bytes(data)


def random_binary(size: int = 20_000) -> bytes:
    data = random.Random(3).randbytes(size)
    return b"\x00\x01\x02" + data  # a leading NUL keeps it from ever passing for text


def windows_executable() -> bytes:
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
        + b"\x00" * 48
        + b"This program cannot be run"
    )


def compound_file(*streams: str) -> bytes:
    """A minimal OLE2 compound file: header, one FAT sector, one directory sector with `streams`."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x2C, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([0xFFFFFFFF] * 108))
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *([0xFFFFFFFF] * 126))
    directory = bytearray(512)
    for slot, (name, kind) in enumerate([("Root Entry", 5), *((s, 2) for s in streams)][:4]):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        directory[slot * 128 : slot * 128 + len(encoded)] = encoded
        struct.pack_into("<HB", directory, slot * 128 + 0x40, len(encoded), kind)
    return bytes(header) + fat + bytes(directory)


def rtf_with_non_ascii() -> bytes:
    """RTF with both kinds of non-ASCII: `\\'xx` code-page escapes and `\\uN?` Unicode escapes."""
    return (
        rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Times New Roman;}}"
        rb"\f0\fs24 D\'e9claration de Ren\'e9e Fa\'df, Z\u252?rich \u8364? 500 \u8220?quoted\u8221?\par}"
    )


def _text_page(content: str, filter_entry: str, data: bytes) -> tuple[str, ...]:
    """Catalog, page list, one page showing `content` in a stream with `filter_entry`."""
    del content
    return (
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(data)} {filter_entry} >>\nstream\n" + data.decode("latin-1") + "\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    )


_TEXT = b"BT /F1 24 Tf 72 700 Td (Declaration of Counsel) Tj ET"


def abbreviated_filter_pdf() -> bytes:
    """A content stream compressed with the abbreviated filter name /Fl (allowed in inline
    images, written by some producers for streams too)."""
    import zlib

    return raw_pdf(*_text_page("", "/Filter /Fl", zlib.compress(_TEXT)))


def null_filter_pdf() -> bytes:
    """A content stream whose /Filter is null (no filter)."""
    return raw_pdf(*_text_page("", "/Filter null", _TEXT))


def stale_count_pdf() -> bytes:
    """A page list whose stored /Count is 0 while it holds one page."""
    objects = list(_text_page("", "", _TEXT))
    objects[1] = "<< /Type /Pages /Count 0 /Kids [3 0 R] >>"
    return raw_pdf(*objects)


def shifted_xref_pdf() -> bytes:
    """A good PDF whose cross-reference offsets all point 7 bytes too far (qpdf rebuilds it)."""
    import re

    good = make_pdf("Declaration of Counsel", 2)
    return re.sub(rb"(\d{10}) 00000 n", lambda m: b"%010d 00000 n" % (int(m.group(1)) + 7), good)


def two_pages_second_broken(filter_entry: str, data: bytes) -> bytes:
    """Two text pages; the second's content stream is `data` under `filter_entry`."""
    good = _text_page("", "", _TEXT)
    return raw_pdf(
        good[0],
        "<< /Type /Pages /Count 2 /Kids [3 0 R 6 0 R] >>",
        good[2],
        good[3],
        good[4],
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 7 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(data)} {filter_entry} >>\nstream\n" + data.decode("latin-1") + "\nendstream",
    )


def corrupt_flate_pdf() -> bytes:
    """Page 2's content claims to be deflated but is not (qpdf: "inflate: incorrect header")."""
    return two_pages_second_broken("/Filter /FlateDecode", b"these bytes were never deflated" * 4)


def corrupt_lzw_pdf() -> bytes:
    """Page 2's content is LZW data with codes the decoder cannot have seen."""
    return two_pages_second_broken("/Filter /LZWDecode", bytes(range(255, 0, -1)) * 2)


def unknown_filter_pdf() -> bytes:
    """Page 2's content is compressed with a filter PDF does not have (/PlateDecode)."""
    import zlib

    return two_pages_second_broken("/Filter /PlateDecode", zlib.compress(_TEXT))


def bad_token_pdf() -> bytes:
    """Page 2's content holds a hex string with letters that are not hex digits."""
    return two_pages_second_broken("", _TEXT + b"\nBT /F1 24 Tf 72 600 Td <4E6F74TT> Tj ET")


def eof_in_inline_image_pdf() -> bytes:
    """Page 2's content ends inside an inline image (its EI never comes)."""
    return two_pages_second_broken("", _TEXT + b"\nq BI /W 8 /H 8 /BPC 8 /CS /G ID \x00\x01\x02")


def blank_page_pdf() -> bytes:
    """One page with no content at all (a blank page, as PDF allows)."""
    return raw_pdf(
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << >> >>",
    )


def empty_owner_password_pdf() -> bytes:
    """A password to open it, and an empty owner password (`qpdf --encrypt secret "" 256`): qpdf
    opens it without a password, as its owner; a reader asks for the password."""
    import pikepdf

    buffer = io.BytesIO()
    with pikepdf.open(io.BytesIO(make_pdf("Settlement Terms", 1))) as pdf:
        pdf.save(buffer, encryption=pikepdf.Encryption(user="open-sesame", owner="", R=6))
    return buffer.getvalue()


def missing_length_pdf() -> bytes:
    """A content stream without /Length: qpdf finds its end when it first reads it (a repair)."""
    objects = list(_text_page("", "", _TEXT))
    objects[3] = "<< >>\nstream\n" + _TEXT.decode() + "\nendstream"
    return raw_pdf(*objects)


def stray_pound_name_pdf() -> bytes:
    """Content with /Stray#Name: a # not followed by two hex digits, which PDF 1.2 and later
    spell #23; qpdf warns, and every reader takes the name as it is."""
    return raw_pdf(*_text_page("", "", _TEXT + b"\n/Stray#Name MP"))


def repaired_blank_page_pdf() -> bytes:
    """A page without its MediaBox (qpdf gives it letter size, a repair) whose content is a line
    break: blank, not lost."""
    return raw_pdf(
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        "<< /Type /Page /Parent 2 0 R /Resources << >> /Contents 4 0 R >>",
        "<< /Length 1 >>\nstream\n\n\nendstream",
    )


def broken_content_header_pdf() -> bytes:
    """The page's content object starts "x 0 obj": qpdf rebuilds the cross-reference table as it
    first reads the objects, and the content is gone."""
    return raw_pdf(*_text_page("", "", _TEXT)).replace(b"\n4 0 obj", b"\nx 0 obj")


def blank_page_without_resources_pdf() -> bytes:
    """Three pages, the middle one blank with neither content nor resources (qpdf gives it empty
    resources, a repair of the page, not of the file)."""
    text = _text_page("", "", _TEXT)
    return raw_pdf(
        text[0],
        "<< /Type /Pages /Count 3 /Kids [3 0 R 6 0 R 7 0 R] >>",
        text[2],
        text[3],
        text[4],
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        text[2],
    )
