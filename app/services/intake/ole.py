"""The stream names inside an OLE2 compound file (the container of .doc, .xls, .msg and of
password-protected Office files), read from its directory without loading the file.

Only the header, the FAT sectors on the directory's chain and the directory itself are read, each
step bounded, so a hostile file can neither loop nor make us allocate much.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END_OF_CHAIN = 0xFFFFFFFE
_HEADER_DIFAT = 109
_MAX_DIRECTORY_SECTORS = 4096  # 16,384 entries at 512-byte sectors; real documents have dozens
_STREAM, _STORAGE = 2, 1


class NotCompoundFile(ValueError):
    """The bytes are not a readable OLE2 compound file."""


def stream_names(fh: BinaryIO, size: int) -> set[str]:
    """Names of every stream and storage in the compound file `fh` of `size` bytes."""
    fh.seek(0)
    header = fh.read(512)
    if len(header) < 512 or not header.startswith(SIGNATURE):
        raise NotCompoundFile("no compound file header")
    shift = struct.unpack_from("<H", header, 0x1E)[0]
    if shift not in (9, 12):
        raise NotCompoundFile(f"sector shift {shift}")
    sector_size = 1 << shift
    (first_dir,) = struct.unpack_from("<I", header, 0x30)
    first_difat, difat_count = struct.unpack_from("<II", header, 0x44)
    difat = list(struct.unpack_from(f"<{_HEADER_DIFAT}I", header, 0x4C))
    sector_count = max(0, size - sector_size) // sector_size
    difat_loaded = False

    def read_sector(number: int) -> bytes:
        if number >= sector_count:
            raise NotCompoundFile(f"sector {number} past the end")
        fh.seek((number + 1) << shift)
        data = fh.read(sector_size)
        if len(data) < sector_size:
            raise NotCompoundFile("short sector")
        return data

    def load_difat() -> None:
        # Only files over ~7 MB (512-byte sectors) need FAT sectors beyond the header's 109.
        seen: set[int] = set()
        sector = first_difat
        per_sector = sector_size // 4 - 1
        while sector != _END_OF_CHAIN and len(seen) < min(difat_count, sector_count):
            if sector in seen:
                raise NotCompoundFile("DIFAT loop")
            seen.add(sector)
            values = struct.unpack(f"<{per_sector + 1}I", read_sector(sector))
            difat.extend(values[:per_sector])
            sector = values[per_sector]

    def next_sector(number: int) -> int:
        nonlocal difat_loaded
        per_fat = sector_size // 4
        index = number // per_fat
        if index >= len(difat) and not difat_loaded:
            difat_loaded = True
            load_difat()
        if index >= len(difat):
            raise NotCompoundFile("FAT index past the DIFAT")
        fh.seek(((difat[index] + 1) << shift) + (number % per_fat) * 4)
        raw = fh.read(4)
        if len(raw) < 4:
            raise NotCompoundFile("short FAT")
        return int(struct.unpack("<I", raw)[0])

    names: set[str] = set()
    visited: set[int] = set()
    sector = first_dir
    while sector != _END_OF_CHAIN:
        if sector in visited or len(visited) >= _MAX_DIRECTORY_SECTORS:
            raise NotCompoundFile("directory chain loops or is implausibly long")
        visited.add(sector)
        data = read_sector(sector)
        for offset in range(0, sector_size, 128):
            entry = data[offset : offset + 128]
            name_len, kind = struct.unpack_from("<HB", entry, 0x40)
            if kind in (_STREAM, _STORAGE) and 2 <= name_len <= 64:
                names.add(entry[: name_len - 2].decode("utf-16-le", errors="replace"))
        sector = next_sector(sector)
    return names
