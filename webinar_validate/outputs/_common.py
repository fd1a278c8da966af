"""What every output shares: output paths and atomic writes, cell names, text cells, sheets.

An output is written to a temporary file in its own folder and moved into place with
``os.replace``, so a reader never sees half a file and a failed write leaves nothing behind.
No output path may be an input file.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import re
import stat
import tempfile
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from webinar_validate.errors import UsageError
from webinar_validate.table import Table

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

Value = str | int | None
"""A cell to write: text, a whole number, or nothing."""

FORMATS = {".csv": "csv", ".xlsx": "xlsx"}
RED = "FFFFC7CE"
"""The fill of an invalid cell (Excel's own "light red fill")."""
TEXT_FORMAT = "@"
MAX_WIDTH = 60
_XLSX_CELL_LIMIT = 32767
_CELL = re.compile(r"^(?:(?:'((?:[^']|'')+)'|([^'!]+))!)?\$?([A-Za-z]{1,3})\$?([0-9]+)$")
# Characters XML 1.0 cannot hold; OOXML writes them as _xHHHH_ (Excel and calamine decode it).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LOOKS_ESCAPED = re.compile("_(?=x[0-9A-Fa-f]{4}_)")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def output_format(path: str | os.PathLike[str], flag: str, allowed: Sequence[str]) -> str:
    """``"csv"`` or ``"xlsx"`` by the path's extension; UsageError when it is not allowed."""
    kind = FORMATS.get(os.path.splitext(os.fspath(path))[1].lower())
    if kind is None or kind not in allowed:
        names = " or ".join(f".{k}" for k in allowed)
        raise UsageError(f"{flag} {os.fspath(path)} must end in {names}.")
    return kind


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two paths name the same file (by inode when both exist, else by resolved path)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


def refuse_input(out: str | os.PathLike[str], flag: str, *inputs: str) -> None:
    """Raise UsageError when ``out`` is one of the inputs or a folder."""
    for source in inputs:
        if same_file(out, source):
            raise UsageError(
                f"{flag} {os.fspath(out)} is the input file {source}; choose another path "
                "(the input is never overwritten)."
            )
    if os.path.isdir(out):
        raise UsageError(f"{flag} {os.fspath(out)} is a folder; give a file name.")


def _new_file_mode(target: str) -> int:
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[str]:
    """Yield a temporary path next to ``path``; move it onto ``path`` when the block succeeds."""
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    handle, temporary = tempfile.mkstemp(
        prefix=".webinar-validate-", suffix=os.path.splitext(target)[1], dir=folder
    )
    os.close(handle)
    try:
        yield temporary
        os.chmod(temporary, _new_file_mode(target))  # mkstemp makes 0600 files
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def parse_cell(ref: str) -> tuple[str | None, int, int]:
    """``Sessions!F7``, ``'My sheet'!F7`` or ``F7`` -> (sheet or None, row number, column).

    The column is 0-based, as in :func:`webinar_validate.table.cell_ref`.
    """
    match = _CELL.match(ref.strip())
    if match is None:
        raise ValueError(f"not a cell name: {ref!r}")
    quoted, bare, letters, digits = match.groups()
    sheet = quoted.replace("''", "'") if quoted is not None else bare
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - 64
    return sheet, int(digits), column - 1


def xlsx_text(text: str) -> str:
    """Text as a workbook cell stores it: control characters as ``_xHHHH_``, which Excel shows
    as the character again (a literal ``_x0041_`` is kept literal by escaping its ``_``)."""
    text = _LOOKS_ESCAPED.sub("_x005F_", text)
    text = _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text[:_XLSX_CELL_LIMIT]


def readable(text: str) -> str:
    """Text for a comment or note: characters a workbook cannot hold become U+FFFD."""
    return _ILLEGAL.sub("\ufffd", text)[:_XLSX_CELL_LIMIT]


def set_text(cell: Any, text: str) -> None:
    """Write ``text`` as a text cell (never a formula, never retyped by Excel)."""
    cell.value = xlsx_text(text)
    cell.data_type = "s"  # openpyxl takes "=..." for a formula otherwise
    cell.number_format = TEXT_FORMAT


def set_value(cell: Any, value: Value) -> None:
    """Write a whole number as a number, text as text, None as an empty cell."""
    if value is None:
        cell.value = None
    elif isinstance(value, int):
        cell.value = value
    else:
        set_text(cell, value)


def sheet_title(name: str) -> str:
    """A valid worksheet name made from ``name`` (a file's stem)."""
    title = _BAD_TITLE.sub("_", name).strip("'")[:31]
    return title if title and title.lower() != "history" else "Sessions"


def unique_title(book: Workbook, wanted: str) -> str:
    """``wanted``, or ``wanted (2)``... when the workbook has a sheet of that name."""
    taken = {name.lower() for name in book.sheetnames}
    title, n = wanted, 1
    while title.lower() in taken:
        n += 1
        title = f"{wanted} ({n})"
    return title


def load_book(path: str) -> tuple[Workbook, list[str]]:
    """Load a workbook to modify (formulas kept); notes on what openpyxl cannot keep in a copy."""
    import openpyxl

    with warnings.catch_warnings(record=True) as caught, open(path, "rb") as stream:
        # openpyxl warns about parts it drops (data-validation extensions and the like):
        # they are facts about the copy to tell the user, not failures.
        warnings.simplefilter("always")
        book = openpyxl.load_workbook(stream)
    notes = sorted({f"the copy drops a part of {path}: {w.message}" for w in caught})
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    lost = []
    if any(name.startswith("xl/media/") for name in names) and not _has_pillow():
        lost.append("images")
    if any(name.startswith("xl/vbaProject") for name in names):
        lost.append("macros")
    if lost:
        notes.append(f"the copy of {path} has no {' or '.join(lost)} (openpyxl cannot keep them)")
    if any(name.startswith("xl/charts/") for name in names):
        notes.append(f"the charts of {path} are rebuilt in the copy and may lose some styling")
    return book, notes


def _has_pillow() -> bool:
    """openpyxl copies a workbook's images only when Pillow is installed."""
    import importlib.util

    return importlib.util.find_spec("PIL") is not None


def activate(book: Workbook, sheet: Worksheet) -> None:
    """Make ``sheet`` the one shown on opening, and the only selected tab."""
    book.active = sheet
    for other in book.worksheets:
        other.sheet_view.tabSelected = other is sheet


def fit_widths(sheet: Worksheet, *, first_row: int = 1, sample: int = 500) -> None:
    """Column widths from the longest first line in each column (capped)."""
    from openpyxl.utils import get_column_letter

    widest: dict[int, int] = {}
    last = min(sheet.max_row, first_row + sample)  # iter_rows would create the cells past it
    for row in sheet.iter_rows(min_row=first_row, max_row=last, values_only=True):
        for column, value in enumerate(row, start=1):
            if value is not None:
                length = len(str(value).split("\n", 1)[0])
                widest[column] = max(widest.get(column, 0), length)
    for column, length in widest.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(MAX_WIDTH, length + 2)


def book_from_table(
    table: Table,
    title: str,
    extras: Mapping[int, Sequence[str]] | None = None,
    overrides: Mapping[tuple[int, int], Value] | None = None,
) -> tuple[Workbook, Worksheet]:
    """A new workbook holding a CSV's cells as text, each at its own row number and column.

    ``extras`` are a row's cells beyond the header; ``overrides`` replace cells by
    (data-row index, column).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new Workbook always has one sheet
    sheet.title = title
    for column, text in enumerate(table.header, start=1):
        cell = sheet.cell(table.header_row_number, column)
        set_text(cell, text)
        cell.font = Font(bold=True)
    overrides = overrides or {}
    extras = extras or {}
    for index, row in enumerate(table.rows):
        number = table.row_numbers[index]
        for column, text in enumerate([*row, *extras.get(index, ())]):
            value = overrides.get((index, column), text)
            if value is not None and value != "":
                set_value(sheet.cell(number, column + 1), value)
    fit_widths(sheet, first_row=table.header_row_number)
    return book, sheet


def _decode(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        encodings: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "cp1252")
    for encoding in encodings:
        with contextlib.suppress(UnicodeDecodeError):
            return data.decode(encoding)
    return None


def csv_extras(path: str, table: Table) -> dict[int, list[str]]:
    """A CSV's cells beyond the header's width, which the Table does not keep.

    Only for rows with ``extra_cells``; a row is taken only when this plain re-parse gives the
    same header and the same cells as the validator read (otherwise nothing is guessed).
    """
    if not table.extra_cells or table.sheet is not None:
        return {}
    with open(path, "rb") as stream:
        text = _decode(stream.read())
    if text is None:
        return {}
    width = len(table.header)
    for delimiter in (",", ";", "\t"):
        try:
            records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error:
            continue
        if len(records) < table.header_row_number:
            continue
        if records[table.header_row_number - 1][:width] != table.header:
            continue
        found: dict[int, list[str]] = {}
        for index in table.extra_cells:
            number = table.row_numbers[index]
            record = records[number - 1] if number <= len(records) else []
            if record[:width] == table.rows[index]:
                cells = record[width:]
                while cells and not cells[-1].strip():
                    cells.pop()
                found[index] = cells
        return found
    return {}


def write_csv(path: str | os.PathLike[str], records: Iterable[Sequence[Value]]) -> None:
    """Write records as CSV: UTF-8 without BOM, comma-separated, CRLF, quoted where needed."""
    with atomic_output(path) as temporary, open(temporary, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        for record in records:
            writer.writerow(["" if value is None else value for value in record])


def write_sheet(
    path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[Value]], title: str
) -> None:
    """Write a header and rows as CSV or XLSX by ``path``'s extension (XLSX: bold, frozen)."""
    if FORMATS.get(os.path.splitext(os.fspath(path))[1].lower()) == "csv":
        write_csv(path, [header, *rows])
        return
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new Workbook always has one sheet
    sheet.title = title
    for column, text in enumerate(header, start=1):
        cell = sheet.cell(1, column)
        set_text(cell, text)
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            set_value(sheet.cell(number, column), value)
    sheet.freeze_panes = "A2"
    fit_widths(sheet)
    with atomic_output(path) as temporary:
        book.save(temporary)
