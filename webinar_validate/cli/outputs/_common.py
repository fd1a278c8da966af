"""What every output shares: the judged Table, output paths and atomic writes, cell names, text
cells, formula-like text, sheets and CSV writing.

An output is written to a temporary file in its own folder and moved into place with
``os.replace``, so a reader never sees half a file and a failed write (an exception, SIGTERM or
SIGINT) leaves nothing behind. No output path may be an input file. Outputs are built from the
Table the report judged (``report.judged_table``), never from a second read of the input.
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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from webinar_validate.cli.outputs._signals import signals_clean_up
from webinar_validate.cli.paths import same_file
from webinar_validate.contract.kinds import runs_as_formula
from webinar_validate.errors import UsageError
from webinar_validate.table import CsvDialect, Table

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from webinar_validate.report.model import DryRunReport

Value = str | int | None
"""A cell to write: text, a whole number, or nothing."""

FORMATS = {".csv": "csv", ".xlsx": "xlsx"}
RED = "FFFFC7CE"
"""The fill of an invalid cell (Excel's own "light red fill")."""
TEXT_FORMAT = "@"
MAX_WIDTH = 60
PLAIN_CSV = CsvDialect(encoding="utf-8", bom=False, delimiter=",", line_ending="\r\n")
"""How an output CSV is written unless it copies an input CSV: UTF-8, comma, CRLF."""
_XLSX_CELL_LIMIT = 32767
_CELL = re.compile(r"^(?:(?:'((?:[^']|'')+)'|([^'!]+))!)?\$?([A-Za-z]{1,3})\$?([0-9]+)$")
# Characters XML 1.0 cannot hold; OOXML writes them as _xHHHH_ (Excel and calamine decode it).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LOOKS_ESCAPED = re.compile("_(?=x[0-9A-Fa-f]{4}_)")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def neutralised(value: Value) -> tuple[Value, bool]:
    """``value`` with a leading ``'`` when a spreadsheet would run it (OWASP's advice for CSV
    files people open), and whether it got one."""
    if isinstance(value, str) and runs_as_formula(value):
        return "'" + value, True
    return value, False


def quoted_note(count: int, path: str | os.PathLike[str]) -> str:
    """The note saying that ``count`` cells of the CSV ``path`` got a leading ``'``."""
    if count == 1:
        return (
            f"1 cell of {os.fspath(path)} that a spreadsheet would run as a formula starts "
            "with ' (so it is shown as text)"
        )
    return (
        f"{count} cells of {os.fspath(path)} that a spreadsheet would run as a formula "
        "start with ' (so they are shown as text)"
    )


def judged_table(report: DryRunReport, flag: str) -> Table:
    """The Table ``report`` judged: every output is built from it, never from the file again."""
    if not report.judged:
        raise UsageError(
            f"{report.preflight.source} could not be judged, so {flag} has nothing to write."
        )
    table = report.judged_table
    if table is None:
        raise UsageError(
            f"the report of {report.preflight.source} does not hold the cells it judged; "
            "validate the file again to write " + flag + "."
        )
    return table


def output_format(path: str | os.PathLike[str], flag: str, allowed: Sequence[str]) -> str:
    """``"csv"`` or ``"xlsx"`` by the path's extension; UsageError when it is not allowed."""
    kind = FORMATS.get(os.path.splitext(os.fspath(path))[1].lower())
    if kind is None or kind not in allowed:
        names = " or ".join(f".{k}" for k in allowed)
        raise UsageError(f"{flag} {os.fspath(path)} must end in {names}.")
    return kind


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
    """Yield a temporary path next to ``path``; move it onto ``path`` when the block succeeds.

    When the block fails (an exception, or SIGTERM/SIGINT on the main thread) the temporary
    file is removed and ``path`` is left as it was.
    """
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    with signals_clean_up():
        handle, temporary = tempfile.mkstemp(
            prefix=".webinar-validate-", suffix=os.path.splitext(target)[1], dir=folder
        )
        try:
            os.close(handle)
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
    """Write ``text`` as a text cell (never a formula, never retyped by Excel, even after an
    edit when it looks like one)."""
    cell.value = xlsx_text(text)
    cell.data_type = "s"  # openpyxl takes "=..." for a formula otherwise
    cell.number_format = TEXT_FORMAT
    if runs_as_formula(text):
        cell.quotePrefix = True  # what Excel's leading ' sets: it stays text even when edited


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
    bold = Font(bold=True)  # one Font: openpyxl hashes each one it is given
    for column, text in enumerate(table.header, start=1):
        cell = sheet.cell(table.header_row_number, column)
        set_text(cell, text)
        cell.font = bold
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


def _encoding(dialect: CsvDialect) -> tuple[str, bool]:
    """The codec to write ``dialect`` with, and whether to write a BOM before the text."""
    name = codecs.lookup(dialect.encoding).name
    if name == "utf-8-sig":  # the codec that reads a BOM: write it explicitly instead
        return "utf-8", True
    if name == "utf-16":  # Python's utf-16 writes its own BOM in this machine's byte order
        return "utf-16-le", True
    return name, dialect.bom


def write_csv(
    path: str | os.PathLike[str],
    records: Iterable[Sequence[Value]],
    *,
    dialect: CsvDialect | None = None,
    header: int = 0,
    neutralise: bool = False,
) -> int:
    """Write records as CSV, quoted where needed; return how many cells got a leading ``'``.

    ``dialect`` gives the encoding, BOM, delimiter and line ending (default: UTF-8 without BOM,
    comma, CRLF). The record at index ``header`` is the header: any of its cells that a
    spreadsheet would run is written with a leading ``'``, and so is every other cell when
    ``neutralise`` is set (a file for people to open).
    """
    dialect = dialect or PLAIN_CSV
    encoding, bom = _encoding(dialect)
    line = io.StringIO()
    # CRLF makes the writer quote a value holding either CR or LF; each record's CRLF is then
    # swapped for the dialect's own line ending.
    writer = csv.writer(line, delimiter=dialect.delimiter, lineterminator="\r\n")
    count = 0
    with atomic_output(path) as temporary, open(temporary, "wb") as stream:
        if bom:
            stream.write("\ufeff".encode(encoding))
        for index, record in enumerate(records):
            cells: list[Value] = []
            for value in record:
                if neutralise or index == header:
                    value, changed = neutralised(value)
                    count += changed
                cells.append("" if value is None else value)
            writer.writerow(cells)
            text = line.getvalue()[:-2] + dialect.line_ending
            line.seek(0)
            line.truncate()
            try:
                stream.write(text.encode(encoding))
            except UnicodeEncodeError as exc:
                bad = exc.object[exc.start : exc.end]
                raise UsageError(
                    f"{os.fspath(path)}: {bad!r} cannot be written in {dialect.encoding}, "
                    "the input's encoding."
                ) from None
    return count


def write_sheet(
    path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[Value]], title: str
) -> int:
    """Write a header and rows as CSV or XLSX by ``path``'s extension (XLSX: bold, frozen).

    Returns how many CSV cells got a leading ``'`` (the header's always may; see write_csv).
    """
    if FORMATS.get(os.path.splitext(os.fspath(path))[1].lower()) == "csv":
        return write_csv(path, [header, *rows])
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
    return 0
