"""CSV bytes -> Table: the encoding, the delimiter, and the parser that reads the records.

The encoding is told by a byte-order mark (UTF-8 or UTF-16); without one, UTF-8 is tried, then
Windows-1252. A file with valid UTF-8 multi-byte sequences and also bytes that are not UTF-8 mixes
the two (one line pasted from another file, say): it is refused, naming the first line that is not
UTF-8, rather than read whole as Windows-1252 (which would turn every other accent into ``Ã©``).
It is told at C speed and no further than reading goes: the bytes before UTF-8's first bad one,
then each Windows-1252 block, decoded as UTF-8 ignoring bad bytes. A sequence counts only when
its character is one that text written in UTF-8 holds (``_UTF8_TEXT``): a Windows-1252 capital
and a symbol such as ``É®`` or ``ß€`` happen to be valid UTF-8 too (U+026E, U+07C0), and a
file of Excel's that says ``NESCAFÉ®`` is Windows-1252 throughout.

The delimiter is the one of comma, semicolon and tab that occurs most in the first
non-blank line, outside quotes. Unless the file is UTF-16, Arrow (``csv_arrow``) reads it first
when its header line is in the first bytes, and gives up on anything unusual; otherwise the careful
parser (``csv_records``) reads the text, decoded here in blocks so that reading stops soon after
the row limit: a huge file costs no more than its start.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from itertools import chain
from typing import BinaryIO

from webinar_validate.errors import UnreadableFile
from webinar_validate.reading.csv_records import MAX_CELL_CHARS, WHITESPACE, Sink, parse_chunks
from webinar_validate.table import Table

_BLOCK = 1 << 20
_SNIFF_CAP = 4 << 20  # the header line is looked for in the first 4 MiB of text
_DELIMITERS = (",", ";", "\t")  # in tie-break order: a tie goes to the earlier one
# Characters whose UTF-8 sequence is evidence of UTF-8 text: Latin-1 and Latin Extended-A
# letters, Greek, Cyrillic, Hebrew and Arabic letters, and everything of three or four bytes
# (other scripts, curly quotes and dashes, €, ™, emoji). Left out: the characters that a
# Windows-1252 capital (Â to ß) followed by a symbol (€ to ¿) spells, when nothing else does.
_UTF8_TEXT = re.compile("[\u00a0-\u017f\u0370-\u04ff\u05d0-\u05ea\u0620-\u064a\u0800-\U0010ffff]")


class _Undecodable(Exception):
    """The bytes at ``offset`` do not decode in the encoding tried."""

    def __init__(self, offset: int, byte: int) -> None:
        super().__init__(offset, byte)
        self.offset = offset
        self.byte = byte


class _MixedLater(Exception):
    """A Windows-1252 block holds a valid UTF-8 multi-byte sequence."""


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
        if encoding == "utf-16":
            raise UnreadableFile(
                f"{source} starts with a UTF-16 byte-order mark but byte {exc.offset:,} is not "
                "UTF-16; save it again as CSV UTF-8."
            ) from None
        if not fallback or _utf8_before(stream, exc.offset):
            raise _mixed(source, stream, exc) from None
        first_bad = exc
    stream.seek(0)
    try:
        return _read(source, stream, "cp1252", max_rows, head)
    except _MixedLater:
        raise _mixed(source, stream, first_bad) from None
    except _Undecodable as exc:
        raise UnreadableFile(
            f"{source} has bytes that are no text encoding (byte 0x{exc.byte:02X} at offset "
            f"{exc.offset:,} is neither UTF-8 nor Windows-1252); save it as CSV UTF-8."
        ) from None


def _mixed(source: str, stream: BinaryIO, exc: _Undecodable) -> UnreadableFile:
    """The error for a UTF-8 file (by its BOM or its other lines) whose byte ``exc`` is not."""
    line = _line_at(stream, exc.offset)
    shown = bytes([exc.byte]).decode("cp1252", "replace")
    if shown.isprintable() and not shown.isspace() and shown not in "\ufffd\xad":
        what = f"its {shown} is saved as Windows-1252"
    else:
        what = f"its byte 0x{exc.byte:02X} is no UTF-8 character"
    return UnreadableFile(
        f"{source} mixes two encodings: line {line:,} is not UTF-8 while other lines are "
        f"({what}); retype the accented characters of line {line:,} in a program that opens "
        "the file as UTF-8, and save it as CSV UTF-8."
    )


def _utf8_text(text: str) -> bool:
    """Whether ``text`` holds a character that is evidence of UTF-8 (not a chance pair)."""
    return not text.isascii() and _UTF8_TEXT.search(text) is not None


def _utf8_before(stream: BinaryIO, offset: int) -> bool:
    """Whether the bytes before ``offset`` (valid UTF-8: it decoded them) hold UTF-8 text."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")("ignore")
    left = offset
    while left > 0:
        raw = stream.read(min(_BLOCK, left))
        if not raw:
            break
        left -= len(raw)
        if _utf8_text(decoder.decode(raw)):
            return True
    return False


def _line_at(stream: BinaryIO, offset: int) -> int:
    """The physical line (CR, LF, CRLF: one break each) that byte ``offset`` is on."""
    stream.seek(0)
    line, left, last = 1, offset, b""
    while left > 0:
        raw = stream.read(min(_BLOCK, left))
        if not raw:
            break
        left -= len(raw)
        line += raw.count(b"\n") + raw.count(b"\r") - raw.count(b"\r\n")
        if last == b"\r" and raw.startswith(b"\n"):  # a CRLF across two blocks
            line -= 1
        last = raw[-1:]
    return line


def _decoded(stream: BinaryIO, encoding: str) -> Iterator[str]:
    """Decode ``stream`` block by block; raise _Undecodable at the first bad byte.

    Windows-1252 blocks are also decoded as UTF-8, bad bytes ignored (in C); UTF-8 text in
    that decoding (``_utf8_text``) raises _MixedLater.
    """
    offset = 0
    if encoding == "utf-8-sig":  # the BOM skipped here, so that offsets count from the file's start
        offset = len(stream.read(len(codecs.BOM_UTF8)))
        encoding = "utf-8"
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    probe = codecs.getincrementaldecoder("utf-8")("ignore") if encoding == "cp1252" else None
    while True:
        raw = stream.read(_BLOCK)
        if probe is not None and _utf8_text(probe.decode(raw, final=not raw)):
            raise _MixedLater
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
