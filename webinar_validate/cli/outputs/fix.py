"""``--fix``: a corrected copy that applies only safe, unambiguous fixes, each one listed.

The fixes, on the cells of columns the contract knows (never on unknown columns):

- white space around a value is trimmed (unless that would make the text start like a formula);
- webinarProvider, status (any column with choices), timeZone, booleans (``yes``/``no``),
  language codes (``en_us`` -> ``en-US``) and UUIDs (lower case) get their canonical spelling;
- a whole number written ``10.0`` (or ``+10``, ``010``) becomes ``10``;
- a date-time without an offset (text, or a date Excel typed) gets the offset of the row's valid
  IANA timeZone at that moment, daylight saving included. A local time in the spring-forward gap
  (it does not exist) or the fall-back overlap (it has two readings) is NOT fixed: it stays a
  ``missing_utc_offset`` error whose message names the readings.

Nothing else changes. A cell with control characters, a formula, a value that does not read
back as the validator read it, or a cell flagged formula_injection is left alone, and no fix
makes a cell start like a formula (so a leading tab, CR or apostrophe that keeps a cell from
being run is never removed). The copy is built from the Table the report judged, never from a
second read of the file. The output is CSV or XLSX by its extension: a CSV copy of a CSV is
written in the input's encoding, BOM, delimiter and line endings; an XLSX copy of an XLSX keeps
the rest of the workbook, formulas with their saved values.

What a safe fix of each kind is lives with the kind (``contract.kinds.fixed_text``), from the
checks' own patterns, trimming and formula test: a fix accepts exactly what the checks accept.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from webinar_validate.cli.display import counted, shown_value
from webinar_validate.cli.outputs._common import (
    Value,
    atomic_output,
    book_from_table,
    judged_table,
    output_format,
    parse_cell,
    quoted_note,
    refuse_input,
    set_text,
    sheet_title,
    write_csv,
)
from webinar_validate.cli.outputs._workbook import open_copy
from webinar_validate.codes import Code
from webinar_validate.contract import values as _values
from webinar_validate.contract.columns import Col, Kind, SessionContract
from webinar_validate.contract.kinds import fixed_text, runs_as_formula
from webinar_validate.errors import UsageError
from webinar_validate.table import Table, cell_ref

if TYPE_CHECKING:
    from webinar_validate.report.model import DryRunReport


@dataclass(frozen=True, slots=True)
class Fix:
    """One corrected cell: where (named as in the input's report), which column, before, after."""

    cell: str
    column: str
    before: str
    after: str

    def __str__(self) -> str:
        # As a person reads it: "quoted" when white space or emptiness would hide it, an
        # invisible character as \u00a0 (never Python's repr).
        return f"{self.cell} {shown_value(self.before)} -> {shown_value(self.after)}"


@dataclass(frozen=True, slots=True)
class _Planned:
    fix: Fix
    index: int
    column: int
    kind: Kind


def plan(report: DryRunReport, table: Table, contract: SessionContract) -> list[_Planned]:
    """Every safe fix of the table's cells, in row and column order.

    A cell the report flagged formula_injection is never fixed.
    """
    from webinar_validate.engine.header import match_header

    header = match_header(table.header, contract, strict=False)
    failing: set[tuple[int, int]] = set()
    flagged: set[tuple[int, int]] = set()
    for invalid in report.invalid_rows:
        for error in invalid.errors:
            place = parse_cell(error.cell)[1:]
            failing.add(place)
            if str(error.code) == Code.FORMULA_INJECTION:
                flagged.add(place)
    zone_at = header.keys.index(Col.TIME_ZONE) if Col.TIME_ZONE in header.keys else None
    specs = [
        contract.column(key) if known else None
        for key, known in zip(header.keys, header.known, strict=True)
    ]
    planned: list[_Planned] = []
    for index, row in enumerate(table.rows):
        number = table.row_numbers[index]
        zone = None
        if zone_at is not None and (number, zone_at) not in failing:
            zone = _values.canonical_zone(_values.trim(row[zone_at]))
        for column, spec in enumerate(specs):
            if spec is None or (number, column) in flagged:
                continue
            before = row[column]
            after = fixed_text(spec, before, zone)
            if after != before:
                ref = cell_ref(table.sheet, number, column)
                planned.append(
                    _Planned(Fix(ref, spec.name, before, after), index, column, spec.kind)
                )
    return planned


def fix(
    report: DryRunReport,
    source_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    *,
    contract: SessionContract | None = None,
    sheet: str | None = None,
    notes: list[str] | None = None,
) -> list[Fix]:
    """Write ``out_path`` (.csv or .xlsx): the judged cells with the safe fixes applied.

    The copy is built from the cells ``report`` judged (``report.judged_table``), never from the
    file again; ``source_path`` names the input (never overwritten). ``sheet``, when given, must
    be the sheet the report judged. Returns the fixes applied, in row and column order.
    ``notes`` (when given) receives what the copy could not keep. Validate ``out_path`` again
    to see what is left.
    """
    source = os.fspath(source_path)
    table = judged_table(report, "--fix")
    kind = output_format(out_path, "--fix", ("csv", "xlsx"))
    refuse_input(out_path, "--fix", source, table.source)
    if sheet is not None and sheet != table.sheet:
        raise UsageError(f"the report judged {_where(table)}, not sheet {sheet}; fix that.")
    contract = contract or report._contract or SessionContract.DEFAULT
    planned = plan(report, table, contract)
    notes = notes if notes is not None else []
    if kind == "xlsx" and table.sheet is not None:
        return _fix_workbook(table, planned, out_path, notes)
    lost = sorted(set(table.extra_cells) - set(table.extras))
    if lost:
        shown = ", ".join(str(table.row_numbers[i]) for i in lost)
        rows = "row" if len(lost) == 1 else "rows"
        notes.append(f"the values beyond the header in {rows} {shown} are not in the copy")
    if kind == "csv" and table.formulas_without_value:
        shown = ", ".join(
            cell_ref(table.sheet, table.row_numbers[i], c)
            for i, c in sorted(table.formulas_without_value)
        )
        notes.append(f"formulas with no saved value ({shown}) are empty in the CSV copy")
    overrides: dict[tuple[int, int], Value] = {(p.index, p.column): p.fix.after for p in planned}
    if kind == "xlsx":
        book, _ = book_from_table(table, sheet_title(Path(source).stem), table.extras, overrides)
        with atomic_output(out_path) as temporary:
            book.save(temporary)
        return [p.fix for p in planned]
    records = _records(table, table.extras, overrides)
    header = table.header_row_number - 1
    quoted = write_csv(out_path, records, dialect=table.dialect, header=header)
    if quoted:
        notes.append(quoted_note(quoted, out_path))
    running = sum(
        runs_as_formula(value)
        for number, record in enumerate(records)
        if number != header
        for value in record
        if isinstance(value, str)
    )
    if running:
        one = running == 1
        notes.append(
            f"{counted(running, 'cell')} of {os.fspath(out_path)} "
            f"{'starts' if one else 'start'} like a formula (formula_injection) and "
            f"{'is' if one else 'are'} left as {'it was' if one else 'they were'}: fix "
            f"{'it' if one else 'them'} by hand before opening the copy in a spreadsheet"
        )
    return [p.fix for p in planned]


def _where(table: Table) -> str:
    return f"sheet {table.sheet}" if table.sheet is not None else table.source


def _records(
    table: Table, extras: dict[int, list[str]], overrides: dict[tuple[int, int], Value]
) -> list[list[Value]]:
    """The table as CSV records, each at its own row number (gaps become empty records)."""
    records: list[list[Value]] = [[] for _ in range(table.header_row_number - 1)]
    records.append(list(table.header))
    for index, row in enumerate(table.rows):
        while len(records) < table.row_numbers[index] - 1:
            records.append([])
        cells = [*row, *extras.get(index, ())]
        records.append([overrides.get((index, column), text) for column, text in enumerate(cells)])
    return records


def _fix_workbook(
    table: Table,
    planned: list[_Planned],
    out_path: str | os.PathLike[str],
    notes: list[str],
) -> list[Fix]:
    from openpyxl.cell.cell import MergedCell

    copy = open_copy(table)
    notes.extend(copy.notes)
    assert table.sheet is not None
    sheet = copy.book[table.sheet]
    applied: list[Fix] = []
    for item in planned:
        cell = sheet.cell(table.row_numbers[item.index], item.column + 1)
        if isinstance(cell, MergedCell) or not _same_cell(cell, item):
            continue
        after = item.fix.after
        if after == "":
            cell.value = None
        elif item.kind is Kind.INTEGER:
            cell.value = int(after)
        else:
            set_text(cell, after)
        applied.append(item.fix)
    copy.save(out_path)
    return applied


def _same_cell(cell: Any, item: _Planned) -> bool:
    """Whether the workbook cell holds what the validator read (a formula is never replaced)."""
    value = cell.value
    if cell.data_type == "f":
        return False
    if isinstance(value, str):
        return value == item.fix.before
    if isinstance(value, bool):
        return item.kind is Kind.BOOLEAN
    if isinstance(value, date):  # a typed date or date-time
        return item.kind is Kind.INSTANT
    return False
