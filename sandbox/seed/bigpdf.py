"""Very large PDFs (hundreds of megabytes) written straight to disk, for the streaming benchmarks.

The file is a cover page with text, then pages that each show one big uncompressed greyscale "scan"
image. It is written by hand, object by object, in fixed-size chunks, so memory stays flat whatever
the size, and every byte offset in the cross-reference table is exact.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

_WIDTH = 4096  # image row length in bytes (8-bit greyscale)
_ROWS_PER_CHUNK = 64  # 256 KiB written per call; the only large buffer we hold
_MAX_IMAGE_ROWS = 8192  # 32 MiB per image, so a 300 MB file has about ten pages
_PAGE_OVERHEAD = 700  # bytes of page, content and image dictionaries per image page (estimate)
_FIXED_OVERHEAD = 2000


def _pattern() -> bytes:
    # Faint paper grain: light grey with a slow diagonal ripple, identical on every run.
    rows = (bytes(226 + ((x + 3 * y) // 32) % 12 for x in range(_WIDTH)) for y in range(_ROWS_PER_CHUNK))
    return b"".join(rows)


def _pdf_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


class _Writer:
    """Writes numbered objects and remembers their offsets for the xref table."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.pos = 0
        self.offsets: dict[int, int] = {}

    def raw(self, data: bytes | memoryview) -> None:
        self.out.write(data)
        self.pos += len(data)

    def obj(self, number: int, body: str) -> None:
        self.offsets[number] = self.pos
        self.raw(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))

    def stream(self, number: int, header: str, length: int, chunks: list[bytes | memoryview]) -> None:
        self.offsets[number] = self.pos
        self.raw(f"{number} 0 obj\n<< {header} /Length {length} >>\nstream\n".encode("latin-1"))
        for chunk in chunks:
            self.raw(chunk)
        self.raw(b"\nendstream\nendobj\n")


def _image_rows(size_bytes: int) -> list[int]:
    """Row counts of the images so that the whole file comes out at about `size_bytes`."""
    budget = max(_WIDTH, size_bytes - _FIXED_OVERHEAD)
    images = -(-budget // (_MAX_IMAGE_ROWS * _WIDTH + _PAGE_OVERHEAD))
    total_rows = max(images, (budget - images * _PAGE_OVERHEAD) // _WIDTH)
    base, extra = divmod(total_rows, images)
    return [base + (1 if i < extra else 0) for i in range(images)]


def _write_image(w: _Writer, number: int, rows: int, pattern: bytes) -> None:
    header = (
        f"/Type /XObject /Subtype /Image /Width {_WIDTH} /Height {rows} /ColorSpace /DeviceGray "
        "/BitsPerComponent 8"
    )
    w.offsets[number] = w.pos
    w.raw(f"{number} 0 obj\n<< {header} /Length {rows * _WIDTH} >>\nstream\n".encode("latin-1"))
    view = memoryview(pattern)
    left = rows
    while left > 0:  # one chunk at a time: memory stays flat however large the image is
        step = min(left, _ROWS_PER_CHUNK)
        w.raw(view[: step * _WIDTH])
        left -= step
    w.raw(b"\nendstream\nendobj\n")


def _write(out: BinaryIO, size_bytes: int, title: str) -> None:
    rows = _image_rows(size_bytes)
    pages = 1 + len(rows)
    w = _Writer(out)
    w.raw(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    # 1 catalog, 2 page tree, 3 font, 4 info, 5-6 cover page; then page, content, image per scan.
    page_numbers = [5] + [7 + 3 * i for i in range(len(rows))]
    kids = " ".join(f"{n} 0 R" for n in page_numbers)
    w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
    w.obj(2, f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>")
    w.obj(3, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    w.obj(
        4,
        f"<< /Title ({_pdf_text(title)}) /Producer (LegalConnect sandbox seed) "
        "/CreationDate (D:20250115090000Z) /ModDate (D:20250115090000Z) >>",
    )
    resources = "/Resources << /Font << /F1 3 0 R >> >>"
    cover = (
        f"BT /F1 20 Tf 72 700 Td ({_pdf_text(title)}) Tj ET\n"
        f"BT /F1 12 Tf 72 660 Td (This volume holds {pages - 1} scanned exhibit pages.) Tj ET\n"
        f"BT /F1 10 Tf 280 40 Td (Page 1 of {pages}) Tj ET\n"
    ).encode("latin-1")
    w.obj(5, f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] {resources} /Contents 6 0 R >>")
    w.stream(6, "", len(cover), [cover])
    pattern = _pattern()
    for i, count in enumerate(rows):
        page, content, image = 7 + 3 * i, 8 + 3 * i, 9 + 3 * i
        ops = (
            f"q 612 0 0 792 0 0 cm /Im1 Do Q\nBT /F1 10 Tf 280 40 Td (Page {i + 2} of {pages}) Tj ET\n"
        ).encode("latin-1")
        w.obj(
            page,
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> /XObject << /Im1 {image} 0 R >> >> "
            f"/Contents {content} 0 R >>",
        )
        w.stream(content, "", len(ops), [ops])
        _write_image(w, image, count, pattern)
    xref_at = w.pos
    count = max(w.offsets) + 1
    table = ["xref", f"0 {count}", "0000000000 65535 f "]
    table += [f"{w.offsets[n]:010d} 00000 n " for n in range(1, count)]
    file_id = hashlib.sha256(f"{title}:{size_bytes}".encode()).hexdigest()[:32]
    trailer = f"trailer\n<< /Size {count} /Root 1 0 R /Info 4 0 R /ID [<{file_id}> <{file_id}>] >>\n"
    w.raw(("\n".join(table) + "\n" + trailer + f"startxref\n{xref_at}\n%%EOF\n").encode("latin-1"))


def make_big_pdf_file(path: Path, size_bytes: int, *, title: str = "Scanned Trial Exhibits") -> None:
    """Write a valid PDF of about `size_bytes` bytes (within a few KB) to `path`, in bounded memory.

    Written to a temporary file beside `path` and renamed into place, so a reader never sees half a file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".partial-", suffix=".pdf")
    try:
        with os.fdopen(fd, "wb") as out:
            _write(out, size_bytes, title)
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp).unlink()
        raise
