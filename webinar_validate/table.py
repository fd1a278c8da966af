"""The Table: what reading hands to validation. Every cell as text, with its source place."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Table:
    """A sheet or CSV as read: header and data cells as text, plus where each came from.

    ``rows[i]`` has exactly ``len(header)`` cells. Cells beyond the header's width are not kept;
    ``extra_cells`` records the first non-empty one. Typed spreadsheet cells are already text by
    meaning (``10.0`` -> ``"10"``, a date -> ``"2025-03-01T10:00:00"``, ``True`` -> ``"TRUE"``).
    """

    source: str
    """The file name as the user gave it."""
    sheet: str | None
    """The worksheet read (XLSX); None for CSV."""
    header: list[str]
    """Header cells as read, in file order (trailing empty header cells dropped)."""
    header_row_number: int
    """The spreadsheet row number of the header."""
    rows: list[list[str]]
    """Data rows, blank ones included, each padded or cut to the header's width."""
    row_numbers: list[int]
    """The spreadsheet row number of each data row."""
    lines: list[int] | None = None
    """CSV only: the physical line (1-based) where each data record starts."""
    extra_cells: dict[int, int] = field(default_factory=dict)
    """Data-row index -> 0-based column of the first non-empty cell beyond the header's width."""
    typed_dates: set[tuple[int, int]] = field(default_factory=set)
    """(data-row index, column) of cells the workbook typed as a date or time."""
    formulas_without_value: set[tuple[int, int]] = field(default_factory=set)
    """(data-row index, column) of formula cells with no saved computed value."""


def column_letters(index: int) -> str:
    """0-based column index -> spreadsheet letters (0 -> A, 26 -> AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _quote_sheet(name: str) -> str:
    if name.replace("_", "").isalnum() and not name[:1].isdigit():
        return name
    return "'" + name.replace("'", "''") + "'"


def cell_ref(sheet: str | None, row_number: int, column: int) -> str:
    """A1-style cell name, with the sheet for a workbook: ``Sessions!F7``, ``'My sheet'!F7``."""
    ref = f"{column_letters(column)}{row_number}"
    return f"{_quote_sheet(sheet)}!{ref}" if sheet is not None else ref


def cell_text(value: object) -> tuple[str, bool]:
    """A typed cell as the text it means, and whether it was a date or time.

    ``10.0`` -> ``"10"``, ``True`` -> ``"TRUE"``, a datetime -> ``"2025-03-01T10:00:00"``
    (no offset: a typed date has none), None/NaN -> ``""``.
    """
    import datetime as dt
    import math

    if value is None or isinstance(value, str):
        return value or "", False
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), False
    if isinstance(value, float):
        if math.isnan(value):
            return "", False
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value)), False
        return f"{value:.15g}", False
    if isinstance(value, int):
        return str(value), False
    if isinstance(value, dt.datetime):
        spec = "microseconds" if value.microsecond else "seconds"
        return value.replace(tzinfo=None).isoformat(timespec=spec), True
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00", True
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds"), True
    if isinstance(value, dt.timedelta):
        return str(value), False
    return str(value), False
