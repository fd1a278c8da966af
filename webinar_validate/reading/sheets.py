"""The first rows of a workbook's sheets, read from the bytes that were judged, for hints.

When a sheet's header does not work, the engine looks for where the header probably is: on a
later row of that sheet, or on another visible sheet. ``first_rows`` gives it those rows, read
from the Table's ``workbook`` bytes (never a second read of the file) through the same guards
as the reading itself: ``zip_parts.resolve`` (unambiguous parts, no DTD), then a byte scan of
each sheet's XML (``xlsx_cells``, which refuses declarations) that stops after the rows asked
for, and a lazy pass over the shared strings that keeps only the strings those rows use. Only
a file that failed its header pays for this. It is a hint: a workbook it cannot read gives none.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from webinar_validate.errors import WebinarValidateError
from webinar_validate.reading.xlsx import DAMAGED, SharedBlanks
from webinar_validate.reading.xlsx_cells import (
    inline_text,
    kind_value,
    row_cells,
    sheet_rows,
    unescape_x,
    xml_text,
)
from webinar_validate.reading.xml import XML_SUFFIXES, refuse_dtd
from webinar_validate.reading.zip_parts import resolve

__all__ = ["SheetTop", "first_rows"]

_SHEET_BYTES = 8 * 1024 * 1024
"""XML read per sheet at most: its first rows come long before (a hint, not a reading)."""
_MAX_SHEETS = 64
_MAX_COLUMNS = 1024
_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class SheetTop:
    """A worksheet's first rows: each row with content, as (sheet row number, cells as text)."""

    name: str
    rows: list[tuple[int, list[str]]]


def first_rows(
    source: str, workbook: bytes, *, rows: int = 20, also: str | None = None
) -> list[SheetTop]:
    """Rows 1 to ``rows`` of every visible worksheet (and of sheet ``also``, hidden or not), in
    workbook order; empty when the bytes cannot be read so (the hint is then left out)."""
    try:
        with zipfile.ZipFile(io.BytesIO(workbook)) as zf:
            parts = resolve(source, workbook, zf)
            chosen = [
                sheet
                for sheet in parts.sheets
                if sheet.kind == "worksheet"
                and (sheet.state == "visible" or sheet.name == also)
                and sheet.part in zf.NameToInfo
            ][:_MAX_SHEETS]
            found: list[tuple[str, list[tuple[int, list[tuple[int, bytes, bytes | None]]]]]] = []
            for sheet in chosen:
                if not sheet.part.lower().endswith(XML_SUFFIXES):
                    with zf.open(sheet.part) as member:
                        refuse_dtd(source, sheet.part, member)
                with zf.open(sheet.part) as member:
                    found.append((sheet.name, _cells(source, member, rows)))
            wanted = {
                int(value)
                for _, cells_of in found
                for _, cells in cells_of
                for _, kind, value in cells
                if kind == b"s" and value is not None and value.strip().isdigit()
            }
            shared = _SharedTexts(zf, parts.shared, wanted)
            return [
                SheetTop(name, [(number, _texts(cells, shared)) for number, cells in cells_of])
                for name, cells_of in found
            ]
    except (*DAMAGED, WebinarValidateError):
        return []


def _capped(member: IO[bytes]) -> Iterator[bytes]:
    left = _SHEET_BYTES
    while left > 0 and (chunk := member.read(min(_CHUNK, left))):
        left -= len(chunk)
        yield chunk


def _cells(
    source: str, member: IO[bytes], rows: int
) -> list[tuple[int, list[tuple[int, bytes, bytes | None]]]]:
    """(row number, [(column, type, raw value or inline content)]) of rows 1..``rows`` that
    hold cells with content."""
    found: list[tuple[int, list[tuple[int, bytes, bytes | None]]]] = []
    for number, body, prefix in sheet_rows(source, _capped(member)):
        if number > rows:
            break
        if body is None:
            continue
        cells: list[tuple[int, bytes, bytes | None]] = []
        for row, column, attributes, content in row_cells(number, body, prefix):
            if content is None or row != number or column >= _MAX_COLUMNS:
                continue
            kind, value = kind_value(attributes, content)
            cells.append((column, kind, content if kind == b"inlineStr" else value))
        if cells:
            found.append((number, cells))
    return found


def _texts(cells: list[tuple[int, bytes, bytes | None]], shared: _SharedTexts) -> list[str]:
    """A row's cells as text, placed by column ("" where there is none)."""
    width = max(column for column, _, _ in cells) + 1
    texts = [""] * width
    for column, kind, value in cells:
        if kind == b"inlineStr":
            text = inline_text(value or b"")
        elif value is None:
            text = ""
        elif kind == b"s":
            index = value.strip()
            text = shared.text(int(index)) if index.isdigit() else ""
        elif kind == b"b":
            text = "TRUE" if value.strip() == b"1" else "FALSE"
        else:
            text = xml_text(value)
        texts[column] = text
    return texts


class _SharedTexts(SharedBlanks):
    """The shared strings at the indices wanted, parsed lazily no further than the last one."""

    def __init__(self, zf: zipfile.ZipFile, part: str | None, wanted: set[int]) -> None:
        super().__init__(zf, part)
        self._wanted = wanted
        self._found: dict[int, str] = {}

    def text(self, index: int) -> str:
        if index not in self._wanted:
            return ""
        self.is_blank(index)  # parses up to the index
        return self._found.get(index, "")

    def _end(self, name: str) -> None:
        if name.rpartition("}")[2] == "si" and self._count in self._wanted:
            self._found[self._count] = unescape_x("".join(self._texts))
        super()._end(name)
