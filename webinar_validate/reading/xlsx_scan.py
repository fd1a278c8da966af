"""One streaming pass over a worksheet's XML, before calamine loads it (see ``xlsx``).

calamine allocates the rectangle from A1 to the last cell densely, so the used range must be known
before it loads a sheet; reading stops with TooManyRows past the row limit (a huge sheet costs no
more than its first rows); and the pass notes what calamine does not tell: formula cells without
a saved value, and error cells such as ``#N/A``, which calamine reads as empty.

The XML is handled in blocks of whole rows (about 1 MiB) with C-speed searches, looking into few
cells. The used range comes from the cells' own references (calamine places cells by them): each
block's last cell with content gives bounds, and one regex search per block flags any cell beyond
them, or in an unusual form. Formula and error cells are found by their ``<f`` and ``"e"``. Bounds
on rows are rounded up to three significant digits (so a bound can exceed the true last row by
1%); when they, or the count of rows against the limit, cross a limit, or a cell is placed by its
row element rather than its own reference, the exact pass decides: it parses every row and cell.

Either pass is a byte scan, not an XML parser, built from ``xlsx_cells``: expat has refused a
DTD in the sheet's prolog before (``xml.refuse_dtd``), and the scan refuses any other ``<!`` than
a comment or CDATA wherever it meets one, so no declaration anywhere in the sheet goes unrefused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import IO, Protocol

from webinar_validate.reading.limits import too_many_rows
from webinar_validate.reading.xlsx_cells import (
    CELL_REF,
    NS,
    cell_at,
    column_index,
    enclosing_cell,
    inline_text,
    kind_value,
    row_blocks,
    row_cells,
    sheet_rows,
    xml_text,
)
from webinar_validate.table import column_letters

_CHUNK = 1 << 20
_PATTERNS = 1000  # most regexes compiled for one sheet (0.3 ms each; about one a block)

_FORMULA = re.compile(rb"<" + NS + rb"f[\s/>]")
_ERROR_HINTS = (re.compile(b'"e"'), re.compile(b"'e'"))  # t="e": two are cheaper than one
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_FLAGS: dict[tuple[bytes, int, int], re.Pattern[bytes]] = {}


@dataclass(slots=True)
class Scan:
    """What the pre-scan learnt about a worksheet."""

    formulas: set[tuple[int, int]] = field(default_factory=set)
    """(sheet row, column) of formula cells without a saved value."""
    errors: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    """Sheet row -> (column, error text) of error cells."""
    last_row: int = 0
    """The last sheet row with a cell that has content (0: none), or a bound on it."""
    last_column: int = -1
    """The last column with a cell that has content (-1: none), or a bound on it."""


class Blanks(Protocol):
    """Which shared strings are blank (``xlsx.SharedBlanks``)."""

    def is_blank(self, index: int) -> bool: ...


def prescan(
    source: str, open_part: Callable[[], IO[bytes]], shared: Blanks, limit: int, cells: int
) -> Scan:
    """Stream the worksheet part (see the module docstring); raise TooManyRows early.

    The used range is exact when it covers more than ``cells`` cells, else it may be a bound.
    """
    with open_part() as part:
        scan = _fast(source, iter(partial(part.read, _CHUNK), b""), limit)
    if scan is not None and (scan.last_row + 1) * (scan.last_column + 1) <= cells:
        return scan
    with open_part() as part:
        return _exact(source, iter(partial(part.read, _CHUNK), b""), shared, limit)


def _fast(source: str, chunks: Iterator[bytes], limit: int) -> Scan | None:
    """Formulas, errors and bounds on the used range, looking into few cells; None when the
    exact pass must decide (maybe too many rows for the limit, or a cell placed by its row)."""
    scan, rows, patterns = Scan(), 0, set()
    for block, prefix in row_blocks(source, chunks):
        if limit:  # rows with content bound the non-blank rows, the first being the header
            rows += block.count(b"</" + prefix + b"row>")
            if rows - 1 > limit:
                return None
        close = block.rfind(b"</" + prefix + b"c>")
        if close < 0:
            continue  # no cell with content
        last = enclosing_cell(block, close, prefix, False)  # its bounds hold most other cells
        if not _bound(scan, cell_at(block, last, prefix)):
            return None
        starts, at = {last}, 0
        while found := _flags(prefix, scan.last_row, scan.last_column).search(block, at):
            patterns.add((scan.last_row, scan.last_column))
            if len(patterns) > _PATTERNS:
                return None  # the bounds keep moving (a sheet made so?): parse every cell
            # bound every cell of its row at once, not the regex again for each cell past it
            at = block.find(b"</" + prefix + b"row>", found.start())
            at = len(block) if at < 0 else at
            each = block.rfind(b"<" + prefix + b"row", 0, found.start())
            while (each := block.find(b"<" + prefix + b"c", each + 1, at)) >= 0:
                if not _bound(scan, cell_at(block, each, prefix)):
                    return None
        for found in re.finditer(b"<" + re.escape(prefix) + rb"f[\s/>]", block):
            starts.add(enclosing_cell(block, found.start(), prefix, False))
        for hint in _ERROR_HINTS:
            starts.update(
                enclosing_cell(block, f.start(), prefix, True) for f in hint.finditer(block)
            )
        for start in sorted(starts):  # in order: a row's error cells are listed in order
            cell = cell_at(block, start, prefix)
            ref = CELL_REF.search(cell[0]) if cell and cell[1] is not None else None
            if cell and cell[1] is not None and ref and ref.group(2):
                kind, value = kind_value(cell[0], cell[1])
                _note(scan, int(ref.group(2)), column_index(ref.group(1)), kind, value, cell[1])
    return scan


def _bound(scan: Scan, cell: tuple[bytes, bytes | None, int] | None) -> bool:
    """Widen the bounds to a cell with content; False if its place depends on its row."""
    if cell is None or cell[1] is None:
        return True  # no cell, or no content: calamine sees nothing
    ref = CELL_REF.search(cell[0])
    if not ref or not ref.group(2):
        return False
    scan.last_row = max(scan.last_row, _row_bound(int(ref.group(2))))
    scan.last_column = max(scan.last_column, column_index(ref.group(1)))
    return True


def _row_bound(row: int) -> int:
    """The least number >= row that is one less than a number of 3 significant digits."""
    step: int = 10 ** max(len(str(row + 1)) - 3, 0)
    return -(-(row + 1) // step) * step - 1


def _flags(prefix: bytes, last_row: int, last_column: int) -> re.Pattern[bytes]:
    """A regex finding the cells with content past (last_row, last_column), or not in the
    usual ``<c r="B7"`` form; it fails fast on the others."""
    key = (prefix, last_row, last_column)
    pattern = _FLAGS.get(key)
    if pattern is None:
        row = _at_least(str(last_row + 1), "0123456789")
        if last_column < 0:
            ref = "."
        elif last_column < 25:  # one letter: [^A-R] covers what is right of R, and oddities
            ref = f"[^A-{_LETTERS[last_column]}]|[A-{_LETTERS[last_column]}](?:[^0-9]|{row})"
        else:
            ref = f"[^A-Z]|{_at_least(column_letters(last_column + 1), _LETTERS)}|[A-Z]{{1,3}}+"
            ref += f"(?:[^0-9]|{row})"
        cell = "<" + re.escape(prefix.decode("ascii")) + "c"
        # (?![^>]*/>) skips cells without content; it runs only for the few cells found
        text = f'{cell}(?: r="(?:{ref})|(?! r=")[\\s/>])(?![^>]*/>)'
        if len(_FLAGS) > 256:
            _FLAGS.clear()
        pattern = _FLAGS[key] = re.compile(text.encode("ascii"))
    return pattern


def _at_least(least: str, alphabet: str) -> str:
    """A regex for a run of symbols (digits, or column letters) that is at least ``least``:
    a longer run, or one as long that is not less (trailing lowest symbols match anything).
    """
    size, cls = len(least), f"[{alphabet[0]}-{alphabet[-1]}]"
    head = least.rstrip(alphabet[0]) or least[:1]
    trie = ""
    for symbol in reversed(head):
        above = alphabet.index(symbol) + 1
        greater = f"[{alphabet[above]}-{alphabet[-1]}]|" if above < len(alphabet) else ""
        trie = f"{greater}{symbol}" + (f"(?:{trie})" if trie else "")
    return f"(?={cls}{{{size}}})(?:{cls}{{{size + 1}}}|{trie})"


def _exact(source: str, chunks: Iterator[bytes], shared: Blanks, limit: int) -> Scan:
    """Every row and cell parsed: the exact used range, formulas, errors and row count."""
    scan = Scan()
    nonblank_rows = 0
    for row, body, prefix in sheet_rows(source, chunks):
        if body is None or b"</" not in body:
            continue  # no cell with content: calamine sees nothing in this row
        nonblank = False
        for cell_row, column, attributes, content in row_cells(row, body, prefix):
            if content is None:
                continue
            scan.last_row = max(scan.last_row, cell_row)
            scan.last_column = max(scan.last_column, column)
            kind, value = kind_value(attributes, content)
            if _note(scan, cell_row, column, kind, value, content):
                nonblank = nonblank or bool(value)  # an error (a formula has no value)
            elif limit and not nonblank:
                nonblank = _has_text(kind, value, content, shared)
        if nonblank:
            nonblank_rows += 1
            if limit and nonblank_rows - 1 > limit:  # the first non-blank row is the header
                raise too_many_rows(source, limit)
    return scan


def _note(
    scan: Scan, row: int, column: int, kind: bytes, value: bytes | None, content: bytes
) -> bool:
    """Record the cell if it is a formula without a saved value or an error; say if it was."""
    if not value and kind != b"str" and _FORMULA.search(content):
        scan.formulas.add((row, column))
        return True
    if kind == b"e" and value:
        scan.errors.setdefault(row, []).append((column, xml_text(value)))
        return True
    return False


def _has_text(kind_name: bytes, value: bytes | None, content: bytes, shared: Blanks) -> bool:
    """Whether the cell reads as non-blank text (what calamine will return, stripped)."""
    if kind_name == b"s":
        index = (value or b"").strip()
        return not index.isdigit() or not shared.is_blank(int(index))
    if kind_name == b"inlineStr":
        return bool(inline_text(content).strip())
    if kind_name == b"str":
        return bool(value and xml_text(value).strip())
    return bool(value and value.strip())
