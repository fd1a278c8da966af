"""One streaming pass over a worksheet's XML, before calamine loads it (see _xlsx.py).

It counts non-blank rows, stopping with TooManyRows past the limit, so a huge sheet costs no
more than its first rows; measures the used range (calamine allocates A1 to the last cell
densely); and notes what calamine does not tell: formula cells without a saved value, and error
cells such as ``#N/A``, which calamine reads as empty. Rows are found with ``bytes.find`` (a row
regex was ten times slower). Cells are parsed one by one only where needed: while the row limit
is being counted, and in rows holding a formula, an error or a cell in an unusual form; other
rows only have their cell references checked, at C speed, for the used range. The range comes
from the cells' own references, since that is where calamine puts them.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import repeat
from typing import IO
from xml.parsers import expat

from webinar_validate._csv import too_many_rows
from webinar_validate.errors import UnreadableFile

_ROW_CAP = 16 * 1024 * 1024
_CHUNK = 1 << 20

_NS = rb"(?:[A-Za-z_][\w.-]*:)?"
_TAG_END = b" \t\r\n/>"
_SHEET_DATA = re.compile(rb"<([A-Za-z_][\w.-]*:)?sheetData[\s/>]")
_ROW_NUMBER = re.compile(rb"(?<![\w:.-])r\s*=\s*[\"'](\d+)")
_CELL_REF = re.compile(rb"(?<![\w:.-])r\s*=\s*[\"']([A-Za-z]{1,3})(\d*)")
_FIRST_REF: dict[bytes, re.Pattern[bytes]] = {}
_LETTERS_TO_A = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"A" * 26)
_DIGITS = b"0123456789"
_CELL_TYPE = re.compile(rb"(?<![\w:.-])t\s*=\s*[\"'](\w+)")
_FORMULA = re.compile(rb"<" + _NS + rb"f[\s/>]")
_VALUE = re.compile(rb"<" + _NS + rb"v(?:\s[^>]*?)?(?:/>|>([^<]*)<)")
_TEXT = re.compile(rb"<" + _NS + rb"t(?:\s[^>]*?)?(?:/>|>([^<]*)<)")
_PHONETIC = re.compile(rb"<" + _NS + rb"rPh\b.*?</" + _NS + rb"rPh>", re.S)
_ERROR_TYPE = (b't="e"', b"t='e'")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


@dataclass(slots=True)
class Scan:
    """What the pre-scan learnt about a worksheet."""

    formulas: set[tuple[int, int]] = field(default_factory=set)
    """(sheet row, column) of formula cells without a saved value."""
    errors: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    """Sheet row -> (column, error text) of error cells."""
    last_row: int = 0
    """The last sheet row with a cell that has content (0: none)."""
    last_column: int = -1
    """The last column with a cell that has content (-1: none)."""


class SharedBlanks:
    """Which shared strings are blank, parsed lazily and only as far as asked."""

    def __init__(self, zf: zipfile.ZipFile, part: str | None) -> None:
        self._zf, self._part = zf, part
        self._stream: IO[bytes] | None = None
        self._done = part is None
        self._count = 0
        self._blank: set[int] = set()
        self._texts: list[str] = []
        self._in_text = False
        self._phonetic = 0
        self._parser = expat.ParserCreate(namespace_separator="}")
        self._parser.buffer_text = True
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.CharacterDataHandler = self._data

    def is_blank(self, index: int) -> bool:
        while index >= self._count and not self._done:
            self._advance()
        return index in self._blank

    def _advance(self) -> None:
        if self._stream is None:
            assert self._part is not None
            self._stream = self._zf.open(self._part)
        chunk = self._stream.read(_CHUNK)
        self._parser.Parse(chunk, not chunk)
        if not chunk:
            self._done = True
            self._stream.close()

    def _start(self, name: str, attributes: object) -> None:
        local = name.rpartition("}")[2]
        if local == "si":
            self._texts = []
        elif local == "rPh":
            self._phonetic += 1
        elif local == "t" and not self._phonetic:
            self._in_text = True

    def _end(self, name: str) -> None:
        local = name.rpartition("}")[2]
        if local == "t":
            self._in_text = False
        elif local == "rPh":
            self._phonetic -= 1
        elif local == "si":
            if not _unescape_x("".join(self._texts)).strip():
                self._blank.add(self._count)
            self._count += 1

    def _data(self, text: str) -> None:
        if self._in_text:
            self._texts.append(text)


def _rows(source: str, part: IO[bytes]) -> Iterator[tuple[int, bytes | None, bytes]]:
    """(sheet row number, row element's content or None, tag prefix) per row, streamed."""
    chunk = part.read(_CHUNK)
    if chunk[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\0" in chunk[:4]:
        raise UnreadableFile(
            f"{source} has a worksheet saved as UTF-16 XML; save it again from Excel."
        )
    buf = b""
    prefix = None
    open_tag = close_tag = end_tag = b""
    last = 0
    while True:
        buf += chunk
        pos = 0
        if prefix is None:
            found = _SHEET_DATA.search(buf)
            if found is None:
                if not chunk:
                    return
                buf = buf[-512:]  # a tag may straddle two chunks
                chunk = part.read(_CHUNK)
                continue
            prefix = found.group(1) or b""
            open_tag, close_tag = b"<" + prefix + b"row", b"</" + prefix + b"row>"
            end_tag = b"</" + prefix + b"sheetData>"
            pos = found.start()
        while True:
            start = buf.find(open_tag, pos)
            if start < 0:
                if buf.find(end_tag, pos) >= 0:
                    return
                pos = max(pos, len(buf) - len(end_tag))
                break
            name_end = start + len(open_tag)
            if name_end >= len(buf):
                pos = start
                break
            if buf[name_end] not in _TAG_END:
                pos = name_end
                continue
            gt = buf.find(b">", name_end)
            if gt < 0:
                pos = start
                break
            body: bytes | None = None
            end = gt + 1
            if buf[gt - 1] != 0x2F:  # not a self-closing <row .../>
                close = buf.find(close_tag, gt)
                if close < 0:
                    pos = start
                    break
                body, end = buf[gt + 1 : close], close + len(close_tag)
            number = _ROW_NUMBER.search(buf, name_end, gt)
            last = int(number.group(1)) if number else last + 1
            pos = end
            yield last, body, prefix
        if not chunk:
            return
        buf = buf[pos:]
        if len(buf) > _ROW_CAP:
            raise UnreadableFile(
                f"{source} has a worksheet row over 16 MiB of XML, so it cannot be checked."
            )
        chunk = part.read(_CHUNK)


def _row_cells(
    row: int, body: bytes, prefix: bytes
) -> Iterator[tuple[int, int, bytes, bytes | None]]:
    """(row, column, attributes, content or None) of each cell element in a row's content.

    The position is the cell's own reference where it has one (calamine places cells by it).
    """
    open_tag, close_tag = b"<" + prefix + b"c", b"</" + prefix + b"c>"
    pos, column = 0, -1
    while (start := body.find(open_tag, pos)) >= 0:
        name_end = start + len(open_tag)
        if name_end >= len(body) or body[name_end] not in _TAG_END:
            pos = name_end
            continue
        gt = body.find(b">", name_end)
        if gt < 0:
            return
        attributes = body[name_end:gt]
        content: bytes | None = None
        pos = gt + 1
        if not attributes.endswith(b"/"):
            close = body.find(close_tag, gt)
            close = len(body) if close < 0 else close
            content, pos = body[gt + 1 : close], close + len(close_tag)
        ref = _CELL_REF.search(attributes)
        if ref:
            column = _column(ref.group(1))
            row = int(ref.group(2)) if ref.group(2) else row
        else:
            column += 1
        yield row, column, attributes, content


def _column(letters: bytes) -> int:
    index = 0
    for letter in letters.upper():
        index = index * 26 + letter - 64
    return index - 1


def prescan(source: str, part: IO[bytes], shared: SharedBlanks, limit: int) -> Scan:
    """Stream the worksheet part once (see the module docstring); raise TooManyRows early."""
    scan = Scan()
    nonblank_rows = 0
    for row, body, prefix in _rows(source, part):
        if body is None or b"</" not in body:
            continue  # no cell with content: calamine sees nothing in this row
        if not limit and _plain_row(scan, row, body, prefix):
            continue
        nonblank = False
        for cell_row, column, attributes, content in _row_cells(row, body, prefix):
            if content is None:
                continue
            scan.last_row = max(scan.last_row, cell_row)
            scan.last_column = max(scan.last_column, column)
            kind = _CELL_TYPE.search(attributes)
            kind_name = kind.group(1) if kind else b"n"
            value_match = _VALUE.search(content)
            value = value_match.group(1) if value_match else None
            if not value and kind_name != b"str" and _FORMULA.search(content):
                scan.formulas.add((cell_row, column))
            elif kind_name == b"e" and value:
                scan.errors.setdefault(cell_row, []).append((column, _xml_text(value)))
                nonblank = True
            elif limit and not nonblank:
                nonblank = _has_text(kind_name, value, content, shared)
        if nonblank:
            nonblank_rows += 1
            if limit and nonblank_rows - 1 > limit:  # the first non-blank row is the header
                raise too_many_rows(source, limit)
    return scan


def _plain_row(scan: Scan, row: int, body: bytes, prefix: bytes) -> bool:
    """Take the used range from a row without formulas or errors, when every cell element is
    in the usual ``<c r="B7" ...>`` form on this row (C-speed: no per-cell Python); False means
    the row needs the cell-by-cell parse.
    """
    if (b"<" + prefix + b"f") in body and _FORMULA.search(body):
        return False
    if _ERROR_TYPE[0] in body or _ERROR_TYPE[1] in body:
        return False
    pattern = _FIRST_REF.get(prefix)
    if pattern is None:
        pattern = _FIRST_REF[prefix] = re.compile(
            b"<" + re.escape(prefix) + rb'c r="([A-Z]{1,3}[0-9]{1,7})"'
        )
    refs = pattern.findall(body)
    count = len(refs)
    tag = b"<" + prefix + b"c"
    if not count or count != body.count(tag + b" ") or count != body.count(tag):
        return False  # another form, rich text runs (<color>), or no cells: parse the cells
    # Every reference must name this row: with letters mapped to "A", "B7|AA7|" counts "A7|" twice.
    if (b"|".join(refs) + b"|").translate(_LETTERS_TO_A).count(b"A%d|" % row) != count:
        return False  # a cell placed on another row than its row element says
    longest = max(map(len, refs))  # same digits, so the longest, then greatest, is rightmost
    widest = max(map(bytes.rjust, refs, repeat(longest), repeat(b"@"))).lstrip(b"@")
    scan.last_row = max(scan.last_row, row)
    scan.last_column = max(scan.last_column, _column(widest.rstrip(_DIGITS)))
    return True


def _has_text(kind: bytes, value: bytes | None, content: bytes, shared: SharedBlanks) -> bool:
    """Whether the cell reads as non-blank text (what calamine will return, stripped)."""
    if kind == b"s":
        index = (value or b"").strip()
        return not index.isdigit() or not shared.is_blank(int(index))
    if kind == b"inlineStr":
        if b"rPh" in content:
            content = _PHONETIC.sub(b"", content)
        return bool(_xml_text(b"".join(_TEXT.findall(content))).strip())
    if kind == b"str":
        return bool(value and _xml_text(value).strip())
    return bool(value and value.strip())


def _unescape_x(text: str) -> str:
    """Decode OOXML's ``_xHHHH_`` escapes, as calamine does."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)


def _xml_text(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    return _unescape_x(html.unescape(text) if "&" in text else text)
