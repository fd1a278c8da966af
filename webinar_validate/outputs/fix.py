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

Nothing else changes. A cell with control characters, a formula, or a value that does not read
back as the validator read it is left alone. The output is CSV or XLSX by its extension; an
XLSX copy of an XLSX keeps the rest of the workbook.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from webinar_validate import _values
from webinar_validate.contract import Col, ColumnSpec, Kind, SessionContract
from webinar_validate.errors import UsageError
from webinar_validate.outputs._common import (
    Value,
    atomic_output,
    book_from_table,
    csv_extras,
    load_book,
    output_format,
    parse_cell,
    refuse_input,
    set_text,
    sheet_title,
    write_csv,
)
from webinar_validate.table import Table, cell_ref

if TYPE_CHECKING:
    from webinar_validate.report import DryRunReport

# The same patterns as the checks (webinar_validate._checks), kept here so that planning fixes
# does not import pandas.
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?"
_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
_WHOLE = re.compile(r"[+-]?[0-9]+(?:\.0*)?")
_LANGUAGE = re.compile(r"[A-Za-z]{2}(?:[-_][A-Za-z]{2})?")
_NAIVE = re.compile(_DATE)
_OFFSET = re.compile(r"[+-][0-9]{2}:[0-9]{2}")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_FORMULA_START = re.compile("[=+\\-@\t\r]")
_BOOLEANS = {"yes": "yes", "true": "yes", "no": "no", "false": "no"}
_MAX_DIGITS = 15


@dataclass(frozen=True, slots=True)
class Fix:
    """One corrected cell: where (named as in the input's report), which column, before, after."""

    cell: str
    column: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.cell} {_shown(self.before)} -> {_shown(self.after)}"


def _shown(text: str) -> str:
    """Text as printed in a fix line: quoted when white space or emptiness would hide it."""
    if not text or text != text.strip() or any(not ch.isprintable() for ch in text):
        return repr(text)
    return text


@dataclass(frozen=True, slots=True)
class _Planned:
    fix: Fix
    index: int
    column: int
    kind: Kind


def fixed_text(spec: ColumnSpec, raw: str, zone: str | None) -> str:
    """The safe fix of one cell of a known column (``raw`` itself when there is none).

    ``zone`` is the row's canonical time zone when its timeZone cell is valid, else None.
    """
    if _CONTROL.search(raw):
        return raw
    text = raw.strip()
    if (
        not spec.judged_as_number_or_date
        and _FORMULA_START.match(text)
        and not _FORMULA_START.match(raw)
    ):
        return raw  # trimming would expose a leading =, +, - or @: not a safe change
    kind = spec.kind
    if spec.choices:
        return {c.lower(): c for c in spec.choices}.get(text.lower(), text)
    if kind is Kind.UUID and _UUID.fullmatch(text):
        return text.lower()
    if kind is Kind.TIME_ZONE:
        return _values.canonical_zone(text) or text
    if kind is Kind.BOOLEAN:
        return _BOOLEANS.get(text.lower(), text)
    if kind is Kind.LANGUAGE and _LANGUAGE.fullmatch(text):
        language, _, region = text.replace("_", "-").partition("-")
        return f"{language.lower()}-{region.upper()}" if region else language.lower()
    if kind is Kind.INTEGER and _WHOLE.fullmatch(text):
        whole = text.split(".", 1)[0]
        return str(int(whole)) if len(whole.lstrip("+-")) <= _MAX_DIGITS else text
    if kind is Kind.INSTANT and zone is not None and _NAIVE.fullmatch(text):
        resolved, _ = _values.resolve_local(text, zone)
        suffix = resolved[19:] if resolved else ""
        # The user's own digits, plus the offset; a gap or overlap time has none and stays.
        return text + suffix if _OFFSET.fullmatch(suffix) else text
    return text


def plan(report: DryRunReport, table: Table, contract: SessionContract) -> list[_Planned]:
    """Every safe fix of the table's cells, in row and column order."""
    from webinar_validate.validation import match_header

    header = match_header(table.header, contract, strict=False)
    failing = {parse_cell(error.cell)[1:] for row in report.invalid_rows for error in row.errors}
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
            zone = _values.canonical_zone(row[zone_at].strip())
        for column, spec in enumerate(specs):
            if spec is None:
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
    """Write ``out_path`` (.csv or .xlsx): ``source_path`` with the safe fixes applied.

    Returns the fixes applied, in row and column order. ``notes`` (when given) receives what the
    copy could not keep. Validate ``out_path`` again to see what is left.
    """
    from webinar_validate.reading import read_table

    source = os.fspath(source_path)
    if not report.judged:
        raise UsageError(f"{source} could not be judged, so there is nothing to fix.")
    kind = output_format(out_path, "--fix", ("csv", "xlsx"))
    refuse_input(out_path, "--fix", source)
    contract = contract or SessionContract.DEFAULT
    table = read_table(source, sheet=sheet or report.preflight.sheet, max_rows=0)
    planned = plan(report, table, contract)
    notes = notes if notes is not None else []
    if kind == "xlsx" and table.sheet is not None:
        return _fix_workbook(source, table, planned, out_path, notes)
    extras = csv_extras(source, table)
    lost = sorted(set(table.extra_cells) - set(extras))
    if lost:
        shown = ", ".join(str(table.row_numbers[i]) for i in lost)
        notes.append(f"the values beyond the header in rows {shown} are not in the copy")
    if kind == "csv" and table.formulas_without_value:
        shown = ", ".join(
            cell_ref(table.sheet, table.row_numbers[i], c)
            for i, c in sorted(table.formulas_without_value)
        )
        notes.append(f"formulas with no saved value ({shown}) are empty in the CSV copy")
    overrides: dict[tuple[int, int], Value] = {(p.index, p.column): p.fix.after for p in planned}
    if kind == "xlsx":
        book, _ = book_from_table(table, sheet_title(Path(source).stem), extras, overrides)
        with atomic_output(out_path) as temporary:
            book.save(temporary)
    else:
        write_csv(out_path, _records(table, extras, overrides))
    return [p.fix for p in planned]


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
    source: str,
    table: Table,
    planned: list[_Planned],
    out_path: str | os.PathLike[str],
    notes: list[str],
) -> list[Fix]:
    from openpyxl.cell.cell import MergedCell

    book, kept = load_book(source)
    notes.extend(kept)
    assert table.sheet is not None
    sheet = book[table.sheet]
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
    with atomic_output(out_path) as temporary:
        book.save(temporary)
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
