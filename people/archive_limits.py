"""What a ZIP archive of photos may cost, read before it is opened, and what is kept of a photo.

`declared_size` reads the end-of-central-directory record (and its ZIP64 form): how many
entries the archive declares and how many bytes its central directory takes. Python's
zipfile reads the whole central directory into objects when it opens an archive, so an
archive of millions of tiny entries costs seconds and hundreds of MB before any check could
run; this reads a few dozen bytes. Every entry counts, junk (folders, __MACOSX) included.

`without_trailer` cuts whatever follows a JPEG's, PNG's or WebP's end: decoders ignore it,
so a photo padded with megabytes would otherwise be stored as is.
"""

import struct
from dataclasses import dataclass

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_MAX_COMMENT = 65_535
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"


@dataclass(frozen=True)
class DeclaredSize:
    entries: int
    directory_bytes: int


def declared_size(handle) -> DeclaredSize | None:
    """The entries and central-directory size an archive declares; None when its end record
    cannot be found. The handle is left at its start."""
    try:
        handle.seek(0, 2)
        size = handle.tell()
        tail_length = min(size, _EOCD_SIZE + _MAX_COMMENT)
        handle.seek(size - tail_length)
        tail = handle.read(tail_length)
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < _EOCD_SIZE:
            return None
        _, _, on_disk, total, directory, offset, _ = struct.unpack(
            "<HHHHIIH", tail[at + 4 : at + _EOCD_SIZE]
        )
        found = DeclaredSize(max(on_disk, total), directory)
        if 0xFFFF in (on_disk, total) or 0xFFFFFFFF in (directory, offset):
            found = _zip64_size(handle, size - tail_length + at) or found
        return found
    finally:
        handle.seek(0)


def _zip64_size(handle, eocd_position: int) -> DeclaredSize | None:
    if eocd_position < 20:
        return None
    handle.seek(eocd_position - 20)
    locator = handle.read(20)
    if locator[:4] != _ZIP64_LOCATOR:
        return None
    (record_position,) = struct.unpack("<Q", locator[8:16])
    handle.seek(record_position)
    record = handle.read(56)
    if len(record) < 56 or record[:4] != _ZIP64_EOCD:
        return None
    on_disk, total, directory = struct.unpack("<QQQ", record[24:48])
    return DeclaredSize(max(on_disk, total), directory)


def without_trailer(data: bytes) -> bytes:
    """The image's own bytes: anything after a JPEG's end marker, a PNG's IEND chunk or a
    WebP's RIFF length is cut. Other formats, and files whose structure cannot be followed,
    are returned unchanged (the encoder judges them)."""
    try:
        if data[:2] == b"\xff\xd8":
            end = _jpeg_end(data)
        elif data[:8] == b"\x89PNG\r\n\x1a\n":
            end = _png_end(data)
        elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            end = 8 + struct.unpack("<I", data[4:8])[0]
        else:
            end = None
    except (struct.error, IndexError):
        end = None
    return data[:end] if end and end <= len(data) else data


def _png_end(data: bytes) -> int | None:
    position = 8
    while position + 12 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        position += 12 + length
        if kind == b"IEND":
            return position
    return None


_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # markers without a length (TEM, RSTn)


def _jpeg_end(data: bytes) -> int | None:
    """After the end-of-image marker: segments are skipped by their length; the entropy-coded
    data after a start-of-scan holds 0xFF only stuffed (FF 00) or as a restart marker."""
    position = 2
    while position + 1 < len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:
            return position + 2
        if marker in _STANDALONE:
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + length
        if marker == 0xDA:  # start of scan: find the next real marker
            position = _after_scan(data, position)
    return None


def _after_scan(data: bytes, position: int) -> int:
    while True:
        position = data.index(b"\xff", position)
        following = data[position + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            position += 1 if following == 0xFF else 2
            continue
        return position
