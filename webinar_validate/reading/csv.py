"""CSV bytes -> Table: the encoding, the delimiter, and the parser that reads the records.

The encoding is told by a byte-order mark (UTF-8 or UTF-16); without one, UTF-8 is tried, then
Windows-1252. The delimiter is the one of comma, semicolon and tab that occurs most in the first
non-blank line, outside quotes. Unless the file is UTF-16, Arrow (``csv_arrow``) reads it first
when its header line is in the first bytes, and gives up on anything unusual; otherwise the careful
parser (``csv_records``) reads the text, decoded here in blocks so that reading stops soon after
the row limit: a huge file costs no more than its start.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from itertools import chain
from typing import BinaryIO

from webinar_validate.errors import UnreadableFile
from webinar_validate.reading.csv_records import MAX_CELL_CHARS, WHITESPACE, Sink, parse_chunks
from webinar_validate.table import Table

_BLOCK = 1 << 20
_SNIFF_CAP = 4 << 20  # the header line is looked for in the first 4 MiB of text
_DELIMITERS = (",", ";", "\t")  # in tie-break order: a tie goes to the earlier one


class _Undecodable(Exception):
    """The bytes at ``offset`` do not decode in the encoding tried."""

    def __init__(self, offset: int, byte: int) -> None:
        super().__init__(offset, byte)
        self.offset = offset
        self.byte = byte


def read_csv(source: str, stream: BinaryIO, head: bytes, max_rows: int) -> Table:
    """Read a CSV file (``stream`` at offset 0, ``head`` its first bytes) into a Table."""
    try:
        return _read_csv(source, stream, head, max_rows)
    except MemoryError:  # what was built is freed by now: say so in one line, not a traceback
        raise UnreadableFile(
            f"{source} is too large to check in the memory available; split it into smaller "
            "files, or shorten its longest values."
        ) from None


def _read_csv(source: str, stream: BinaryIO, head: bytes, max_rows: int) -> Table:
    if head.startswith(codecs.BOM_UTF8):
        encoding, fallback = "utf-8-sig", False
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, fallback = "utf-16", False
    else:
        encoding, fallback = "utf-8", True
    if encoding != "utf-16":
        delimiter = _sniff_delimiter(head.decode("utf-8", "replace"), complete=False)
        if delimiter is not None:
            from webinar_validate.reading.csv_arrow import read_arrow

            table = read_arrow(source, stream, head, delimiter, max_rows, MAX_CELL_CHARS)
            if table is not None:
                return table
            stream.seek(0)
    try:
        return _read(source, stream, encoding, max_rows, head)
    except _Undecodable as exc:
        if not fallback:
            label = "UTF-16" if encoding == "utf-16" else "UTF-8"
            raise UnreadableFile(
                f"{source} starts with a {label} byte-order mark but byte {exc.offset:,} is not "
                f"{label}; save it again as CSV UTF-8."
            ) from None
    stream.seek(0)
    try:
        return _read(source, stream, "cp1252", max_rows, head)
    except _Undecodable as exc:
        raise UnreadableFile(
            f"{source} has bytes that are no text encoding (byte 0x{exc.byte:02X} at offset "
            f"{exc.offset:,} is neither UTF-8 nor Windows-1252); save it as CSV UTF-8."
        ) from None


def _decoded(stream: BinaryIO, encoding: str) -> Iterator[str]:
    """Decode ``stream`` block by block; raise _Undecodable at the first bad byte."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    while True:
        raw = stream.read(_BLOCK)
        pending = decoder.getstate()[0]
        try:
            text = decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            data = pending + raw
            bad = data[exc.start] if exc.start < len(data) else 0
            raise _Undecodable(offset - len(pending) + exc.start, bad) from None
        offset += len(raw)
        if text:
            yield text
        if not raw:
            return


def _read(source: str, stream: BinaryIO, encoding: str, max_rows: int, head: bytes) -> Table:
    chunks = _decoded(stream, encoding)
    first = ""
    delimiter = None
    for chunk in chunks:  # gather text until the header line is complete (normally one block)
        first += chunk
        delimiter = _sniff_delimiter(first, complete=False)
        if delimiter is not None or len(first) > _SNIFF_CAP:
            break
    if delimiter is None:
        delimiter = _sniff_delimiter(first[:_SNIFF_CAP], complete=True) or ","
    sink = Sink(source, delimiter, max_rows, MAX_CELL_CHARS)
    parse_chunks(source, chain([first], chunks), sink)
    if encoding == "utf-16":
        name, bom = ("utf-16-le" if head.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"), True
    else:
        name, bom = ("utf-8", True) if encoding == "utf-8-sig" else (encoding, False)
    return sink.table(name, bom)


def _sniff_delimiter(text: str, *, complete: bool) -> str | None:
    """The delimiter that occurs most in the first non-blank line (outside quotes).

    Returns None when no complete non-blank line is in ``text`` yet (unless ``complete``).
    """
    start = 0
    blank = ",;" + WHITESPACE
    while True:
        cut = min(
            (i for i in (text.find("\n", start), text.find("\r", start)) if i >= 0), default=-1
        )
        if cut < 0 and not complete:
            return None
        line = text[start:] if cut < 0 else text[start:cut]
        if line.strip(blank):
            outside = "".join(line.split('"')[::2])
            counts = [(outside.count(d), -rank, d) for rank, d in enumerate(_DELIMITERS)]
            return max(counts)[2]
        if cut < 0:
            return ","
        start = cut + 1
