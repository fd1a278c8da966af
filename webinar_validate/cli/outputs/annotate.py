"""``--annotate``: a copy of the asset in which every invalid cell is red and explained.

Built from the Table the report judged, never from a second read of the file. For an XLSX the
validated sheet is changed in a copy of the judged workbook bytes (other sheets, formats, widths,
formulas and their saved values kept); a CSV becomes a new workbook holding the same cells as
text, each at the row number the validator reported. Every cell named by an error is filled red and
carries a comment with its message(s); an added last column sums up each invalid row; the header
is frozen; an added ``Summary`` sheet counts the errors by code and links to the first of each.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from copy import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from webinar_validate.cli.outputs._common import (
    RED,
    activate,
    atomic_output,
    book_from_table,
    judged_table,
    output_format,
    parse_cell,
    readable,
    refuse_input,
    set_text,
    sheet_title,
    unique_title,
)
from webinar_validate.cli.outputs._workbook import open_copy
from webinar_validate.errors import UsageError
from webinar_validate.table import Table, cell_ref, column_letters

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.worksheet import Worksheet

    from webinar_validate.report.model import CellError, DryRunReport

ERRORS_HEADER = "errors"
SUMMARY_TITLE = "Summary"
AUTHOR = "webinar-validate"
_DARK_RED = "FF9C0006"
_Marks = dict[tuple[int, int], list["CellError"]]


def annotate(
    report: DryRunReport,
    source_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
) -> list[str]:
    """Write ``out_path`` (.xlsx): the judged file with its invalid cells marked.

    The copy is built from the cells ``report`` judged (``report.judged_table``), never from the
    file again; ``source_path`` names the input (never overwritten). ``sheet``, when given, must
    be the sheet the report judged. Returns notes on what the copy could not keep (charts,
    images, macros; a CSV cell beyond the header that the reading did not keep). Raises
    UsageError for an output that cannot be made (openpyxl cannot load the workbook, say).
    """
    source = os.fspath(source_path)
    table = judged_table(report, "--annotate")
    output_format(out_path, "--annotate", ("xlsx",))
    refuse_input(out_path, "--annotate", source, table.source)
    if sheet is not None and sheet != table.sheet:
        raise UsageError(f"the report judged {_where(table)}, not sheet {sheet}; annotate that.")
    marks: _Marks = {}
    for row in report.invalid_rows:
        for error in row.errors:
            _, number, column = parse_cell(error.cell)
            marks.setdefault((number, column), []).append(error)
    notes: list[str] = []
    book: Workbook
    data: Worksheet
    copy = None
    if table.sheet is not None:
        copy = open_copy(table)
        book, notes = copy.book, copy.notes
        data = book[table.sheet]
    else:
        lost = sorted(set(table.extra_cells) - set(table.extras))
        if lost:
            shown = ", ".join(str(table.row_numbers[i]) for i in lost)
            rows = "row" if len(lost) == 1 else "rows"
            notes.append(f"the values beyond the header in {rows} {shown} could not be copied")
        book, data = book_from_table(table, sheet_title(Path(source).stem), table.extras)
    header_row = table.header_row_number
    _mark(data, marks)
    errors_column = _add_errors_column(data, report, header_row, len(table.header), marks)
    data.freeze_panes = f"A{header_row + 1}"
    if not data.auto_filter.ref and not data.tables:
        last = column_letters(errors_column - 1)
        data.auto_filter.ref = f"A{header_row}:{last}{max(data.max_row, header_row + 1)}"
    _add_summary(book, data, report, errors_column)
    activate(book, data)
    if copy is not None:
        copy.save(out_path)
    else:
        with atomic_output(out_path) as temporary:
            book.save(temporary)
    return notes


def _where(table: Table) -> str:
    return f"sheet {table.sheet}" if table.sheet is not None else table.source


def _comment(text: str) -> Any:
    from openpyxl.comments import Comment

    lines = sum(max(1, math.ceil(len(part) / 48)) for part in text.split("\n"))
    return Comment(readable(text), AUTHOR, width=300, height=min(400, 16 + 15 * lines))


def _writable(sheet: Worksheet, row: int, column: int) -> Any:
    """The cell at (row, column), or the top-left cell of the merged range that covers it."""
    from openpyxl.cell.cell import MergedCell

    cell = sheet.cell(row, column)
    if isinstance(cell, MergedCell):
        for merged in sheet.merged_cells.ranges:
            if cell.coordinate in merged:
                return sheet.cell(merged.min_row, merged.min_col)
    return cell


def _mark(sheet: Worksheet, marks: _Marks) -> None:
    from openpyxl.styles import PatternFill

    red = PatternFill(fill_type="solid", start_color=RED, end_color=RED)
    for (number, column), errors in sorted(marks.items()):
        cell = _writable(sheet, number, column + 1)
        cell.fill = red
        text = "\n".join(f"{error.code}: {error.message}" for error in errors)
        if cell.comment is not None:  # keep the note someone already left on the cell
            text = f"{cell.comment.text}\n\n{text}"
        cell.comment = _comment(text)


def _last_used_column(sheet: Worksheet) -> int:
    """The 1-based column of the right-most cell with a value (formatting alone does not count)."""
    last = 0
    for values in sheet.iter_rows(values_only=True):
        for column in range(len(values), last, -1):
            if values[column - 1] is not None:
                last = column
                break
    return last


def _add_errors_column(
    sheet: Worksheet, report: DryRunReport, header_row: int, width: int, marks: _Marks
) -> int:
    """Add the ``errors`` column after every used column; return its 1-based index."""
    from openpyxl.styles import Font

    beyond = max((column + 1 for _, column in marks), default=0)
    column = max(_last_used_column(sheet), width, beyond) + 1
    head = sheet.cell(header_row, column)
    set_text(head, ERRORS_HEADER)
    head.font = Font(bold=True, color=_DARK_RED)
    left = sheet.cell(header_row, column - 1) if column > 1 else None
    if left is not None and left.fill is not None and left.fill.fill_type is not None:
        head.fill = cast("PatternFill", copy(left.fill))
    for row in report.invalid_rows:
        summary = "; ".join(
            f"{parse_cell_name(error.cell)} {error.code}: {error.message}" for error in row.errors
        )
        cell = sheet.cell(row.rowNumber, column)
        set_text(cell, readable(summary))
        cell.font = Font(color=_DARK_RED)
    sheet.column_dimensions[column_letters(column - 1)].width = 100
    return column


def parse_cell_name(ref: str) -> str:
    """``Sessions!F7`` -> ``F7``: the cell without its sheet."""
    _, number, column = parse_cell(ref)
    return f"{column_letters(column)}{number}"


def _add_summary(book: Workbook, data: Worksheet, report: DryRunReport, errors_column: int) -> None:
    from openpyxl.styles import Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    summary = book.create_sheet(unique_title(book, SUMMARY_TITLE))
    bold = Font(bold=True)
    counts: Counter[str] = Counter()
    rows: dict[str, set[int]] = {}
    first: dict[str, CellError] = {}
    for row in report.invalid_rows:
        for error in row.errors:
            code = str(error.code)
            counts[code] += 1
            rows.setdefault(code, set()).add(row.rowNumber)
            first.setdefault(code, error)
    letter = column_letters(errors_column - 1)
    lines: list[list[str | int]] = [
        [f"webinar-validate: {report.preflight.source}"],
        [report.result.backgroundJob.description],
        [
            f"Invalid cells are filled red on sheet {data.title}; point at one to read its "
            f"comment. Column {letter} ({ERRORS_HEADER}) lists each invalid row's errors."
            if counts
            else "No errors: every row is valid."
        ],
        [],
        ["code", "errors", "rows", "first cell", "first message"],
    ]
    top = len(lines) + 1
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        lines.append([code, count, len(rows[code]), "", first[code].message])
    lines.extend([[], ["total", sum(counts.values()), len(report.invalid_rows)]])
    if report.preflight.warnings:
        lines.extend([[], ["warning", "", "", "", "message"]])
        lines.extend([str(w.code), "", "", "", w.message] for w in report.preflight.warnings)
    for number, line in enumerate(lines, start=1):
        for column, value in enumerate(line, start=1):
            cell = summary.cell(number, column)
            if isinstance(value, int):
                cell.value = value
            elif value != "":
                set_text(cell, readable(value))
    for number in (1, top - 1, top + len(counts) + 1):
        for cell in summary[number]:
            cell.font = bold
    for offset, (code, _) in enumerate(sorted(counts.items(), key=lambda i: (-i[1], i[0]))):
        _, row_number, column = parse_cell(first[code].cell)
        target = cell_ref(data.title, row_number, column)
        cell = summary.cell(top + offset, 4)
        set_text(cell, parse_cell_name(first[code].cell))
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=target, tooltip=f"Go to {target}")
        cell.font = Font(color="FF0563C1", underline="single")
    for key, width in zip("ABCDE", (26, 8, 8, 12, 100), strict=True):
        summary.column_dimensions[key].width = width
    summary.freeze_panes = f"A{top}"
