"""A worksheet's XML read as bytes: its rows and cells found with C-speed searches, no parser.

``row_blocks`` streams the sheet data in blocks of whole rows (about a chunk each), refusing a
sheet saved as UTF-16, a row over 16 MiB of XML, and any ``<!`` that starts neither a comment nor
CDATA; ``cell_at``, ``enclosing_cell``, ``sheet_rows`` and ``row_cells`` find the row and cell
elements in them, a cell placed by its own reference where it has one (as calamine places it);
``kind_value`` gives a cell's type and saved value, ``inline_text`` an inline string's text, and
``xml_text`` and ``unescape_x`` decode their text. ``xlsx_scan`` builds its two passes over a
sheet from these; ``sheets`` reads a workbook's first rows with them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from webinar_validate.errors import UnreadableFile

_ROW_CAP = 16 * 1024 * 1024

NS = rb"(?:[A-Za-z_][\w.-]*:)?"
_TAG_END = b" \t\r\n/>"
_SHEET_DATA = re.compile(rb"<([A-Za-z_][\w.-]*:)?sheetData[\s/>]")
_ROW_NUMBER = re.compile(rb"(?<![\w:.-])r\s*=\s*[\"'](\d+)")
CELL_REF = re.compile(rb"(?<![\w:.-])r\s*=\s*[\"']([A-Za-z]{1,3})(\d*)")
_CELL_TYPE = re.compile(rb"(?<![\w:.-])t\s*=\s*[\"'](\w+)")
_VALUE = re.compile(rb"<" + NS + rb"v(?:\s[^>]*?)?(?:/>|>([^<]*)<)")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_TEXT = re.compile(rb"<" + NS + rb"t(?:\s[^>]*?)?(?:/>|>([^<]*)<)")
_PHONETIC = re.compile(rb"<" + NS + rb"rPh\b.*?</" + NS + rb"rPh>", re.S)


def _declarations_refused(source: str, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks, refusing any ``<!`` that starts neither a comment nor CDATA: a DTD or an
    entity declaration anywhere in the sheet (expat refused one in its prolog already; calamine
    would skip one, a conforming parser would not). ``!`` is rare in a sheet: a byte search."""
    last = b""
    pending = False  # the previous chunk ended with "<!"
    for chunk in chunks:
        if pending and chunk[:1] not in (b"-", b"["):
            raise _declaration(source)
        pending = False
        at = chunk.find(b"!")
        while at >= 0:
            if (chunk[at - 1 : at] if at else last) == b"<":
                after = chunk[at + 1 : at + 2]
                if not after:
                    pending = True
                elif after not in (b"-", b"["):
                    raise _declaration(source)
            at = chunk.find(b"!", at + 1)
        last = chunk[-1:]
        yield chunk


def _declaration(source: str) -> UnreadableFile:
    return UnreadableFile(
        f"{source} has a DTD or an entity declaration in a worksheet, which is refused for "
        "safety; save the workbook again from Excel."
    )


def row_blocks(source: str, chunks: Iterator[bytes]) -> Iterator[tuple[bytes, bytes]]:
    """(whole rows of the sheet data, tag prefix), streamed about a chunk at a time."""
    chunks = _declarations_refused(source, chunks)
    chunk = next(chunks, b"")
    if chunk[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\0" in chunk[:4]:
        raise UnreadableFile(
            f"{source} has a worksheet saved as UTF-16 XML; save it again from Excel."
        )
    buf = b""
    prefix = None
    open_row = close_row = end_tag = b""
    while True:
        buf += chunk
        if prefix is None:
            found = _SHEET_DATA.search(buf)
            if found is None:
                if not chunk:
                    return
                buf = buf[-512:]  # a tag may straddle two chunks
                chunk = next(chunks, b"")
                continue
            prefix = found.group(1) or b""
            open_row, close_row = b"<" + prefix + b"row", b"</" + prefix + b"row>"
            end_tag = b"</" + prefix + b"sheetData>"
            buf = buf[found.start() :]
        cut = buf.rfind(close_row)
        if cut >= 0:
            cut += len(close_row)
            yield buf[:cut], prefix
            buf = buf[cut:]
        if not chunk or end_tag in buf:
            return
        start = buf.find(open_row)
        buf = buf[start:] if start >= 0 else buf[-len(end_tag) :]
        if len(buf) > _ROW_CAP:
            raise UnreadableFile(
                f"{source} has a worksheet row over 16 MiB of XML, so it cannot be checked."
            )
        chunk = next(chunks, b"")


def enclosing_cell(block: bytes, at: int, prefix: bytes, in_tag: bool) -> int:
    """Where the cell element holding position ``at`` (in its start tag if ``in_tag``, else in
    its content) starts; -1 if none does."""
    open_tag = b"<" + prefix + b"c"
    start = block.rfind(open_tag, 0, at)
    while start >= 0 and block[start + len(open_tag) : start + len(open_tag) + 1] not in _TAG_END:
        start = block.rfind(open_tag, 0, start)
    cell = cell_at(block, start, prefix)
    if cell is None:
        return -1
    gt = start + len(open_tag) + len(cell[0])
    if in_tag:
        return start if at < gt else -1
    return start if cell[1] is not None and gt < at < cell[2] else -1


def cell_at(block: bytes, start: int, prefix: bytes) -> tuple[bytes, bytes | None, int] | None:
    """(attributes, content or None, end) of the cell element starting at ``start``; None if
    there is none. Its content ends at its end tag, or else at its row's end."""
    return _element(block, start, prefix, b"c", b"</" + prefix + b"row>")


def _element(
    block: bytes, start: int, prefix: bytes, name: bytes, bound: bytes = b""
) -> tuple[bytes, bytes | None, int] | None:
    name_end = start + len(prefix) + len(name) + 1
    if start < 0 or name_end >= len(block) or block[name_end] not in _TAG_END:
        return None
    gt = block.find(b">", name_end)
    if gt < 0:
        return None
    attributes = block[name_end:gt]
    if attributes.endswith(b"/"):
        return attributes, None, gt + 1
    close_tag = b"</" + prefix + name + b">"
    close = block.find(close_tag, gt)
    stop = block.find(bound, gt, len(block) if close < 0 else close) if bound else -1
    if stop >= 0 or close < 0:  # no end tag before the row's end, or none at all
        stop = len(block) if stop < 0 else stop
        return attributes, block[gt + 1 : stop], stop
    return attributes, block[gt + 1 : close], close + len(close_tag)


def sheet_rows(source: str, chunks: Iterator[bytes]) -> Iterator[tuple[int, bytes | None, bytes]]:
    """(sheet row number, row element's content or None, tag prefix) per row, streamed."""
    last = 0
    for block, prefix in row_blocks(source, chunks):
        pos = 0
        while (start := block.find(b"<" + prefix + b"row", pos)) >= 0:
            row = _element(block, start, prefix, b"row")
            if row is None:
                pos = start + 1
                continue
            attributes, body, pos = row
            number = _ROW_NUMBER.search(attributes)
            last = int(number.group(1)) if number else last + 1
            yield last, body, prefix


def row_cells(
    row: int, body: bytes, prefix: bytes
) -> Iterator[tuple[int, int, bytes, bytes | None]]:
    """(row, column, attributes, content or None) of each cell element in a row's content.

    The position is the cell's own reference where it has one (calamine places cells by it).
    """
    pos, column = 0, -1
    while (start := body.find(b"<" + prefix + b"c", pos)) >= 0:
        cell = cell_at(body, start, prefix)
        if cell is None:
            pos = start + 1
            continue
        attributes, content, pos = cell
        ref = CELL_REF.search(attributes)
        if ref:
            column = column_index(ref.group(1))
            row = int(ref.group(2)) if ref.group(2) else row
        else:
            column += 1
        yield row, column, attributes, content


def column_index(letters: bytes) -> int:
    index = 0
    for letter in letters.upper():
        index = index * 26 + letter - 64
    return index - 1


def kind_value(attributes: bytes, content: bytes) -> tuple[bytes, bytes | None]:
    """A cell's type (``n`` when not given) and its value element's text."""
    kind = _CELL_TYPE.search(attributes)
    value = _VALUE.search(content)
    return kind.group(1) if kind else b"n", value.group(1) if value else None


def unescape_x(text: str) -> str:
    """Decode OOXML's ``_xHHHH_`` escapes, as calamine does."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)


def xml_text(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    return unescape_x(html.unescape(text) if "&" in text else text)


def inline_text(content: bytes) -> str:
    """An inline-string cell's text (its ``<t>`` runs, phonetic guides left out), as calamine
    reads it."""
    if b"rPh" in content:
        content = _PHONETIC.sub(b"", content)
    return xml_text(b"".join(_TEXT.findall(content)))
