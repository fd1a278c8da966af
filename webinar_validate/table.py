"""The Table: what reading hands to validation. Every cell as text, with its source place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True, slots=True)
class CsvDialect:
    """How a CSV file was written, so that an output can write it back the same way."""

    encoding: str
    """The codec the text was decoded with: ``utf-8``, ``utf-16-le``, ``utf-16-be``, ``cp1252``."""
    bom: bool
    """Whether the file starts with a byte-order mark."""
    delimiter: str
    """``,``, ``;`` or tab."""
    line_ending: str
    """The header line's ending: ``\r\n``, ``\n`` or ``\r`` (``\r\n`` for a one-line file)."""


class Table:
    """A sheet or CSV as read: header and data cells as text, plus where each came from.

    Data cells are held either row-wise (``rows``) or column-wise (``columns``, Arrow string
    arrays from the fast CSV path); each form is built from the other only when asked for, so a
    million-row file is never held twice. Every row has exactly ``len(header)`` cells. Cells
    beyond the header's width are not kept; ``extra_cells`` records the first non-empty one.
    Typed spreadsheet cells are already text by meaning (``10.0`` -> ``"10"``, a date ->
    ``"2025-03-01T10:00:00"``, ``True`` -> ``"TRUE"``).
    """

    __slots__ = (
        "_columns",
        "_numbers",
        "_rows",
        "dataframe",
        "dialect",
        "extra_cells",
        "extras",
        "formulas_without_value",
        "header",
        "header_row_number",
        "lines",
        "row_numbers",
        "sheet",
        "source",
        "typed_dates",
        "workbook",
    )

    def __init__(
        self,
        *,
        source: str,
        sheet: str | None,
        header: list[str],
        header_row_number: int,
        row_numbers: Sequence[int],
        rows: list[list[str]] | None = None,
        columns: list[pa.Array | pa.ChunkedArray] | None = None,
        lines: Sequence[int] | None = None,
        extra_cells: dict[int, int] | None = None,
        typed_dates: set[tuple[int, int]] | None = None,
        formulas_without_value: set[tuple[int, int]] | None = None,
        dialect: CsvDialect | None = None,
        extras: dict[int, list[str]] | None = None,
        workbook: bytes | None = None,
        dataframe: str | None = None,
    ) -> None:
        if (rows is None) == (columns is None):
            raise TypeError("a Table needs exactly one of rows and columns")
        self.source = source
        """The file name as the user gave it."""
        self.sheet = sheet
        """The worksheet read (XLSX); None for CSV."""
        self.header = header
        """Header cells as read, in file order (trailing empty header cells dropped)."""
        self.header_row_number = header_row_number
        """The spreadsheet row number of the header."""
        self.row_numbers = row_numbers
        """The spreadsheet row number of each data row."""
        self.lines = lines
        """CSV only: the physical line (1-based) where each data record starts."""
        self.extra_cells = extra_cells if extra_cells is not None else {}
        """Data-row index -> 0-based column of the first non-empty cell beyond the header."""
        self.typed_dates = typed_dates if typed_dates is not None else set()
        """(data-row index, column) of cells the workbook typed as a date or time."""
        self.formulas_without_value = (
            formulas_without_value if formulas_without_value is not None else set()
        )
        """(data-row index, column) of formula cells with no saved computed value."""
        self.dialect = dialect
        """CSV only: the encoding, BOM, delimiter and line ending read (None for a workbook)."""
        self.extras = extras if extras is not None else {}
        """CSV only: data-row index -> its cells beyond the header's width, trailing empty cells
        dropped (only rows in ``extra_cells``), so that outputs never read the file again."""
        self.workbook = workbook
        """XLSX only: the exact bytes of the workbook that was judged, for outputs that copy it."""
        self.dataframe = dataframe
        """The library of the DataFrame the cells came from (``"pandas"``, ``"polars"``); None
        for a file. Its typed dates are datetimes without a time zone, not spreadsheet cells."""
        self._rows = rows
        self._columns = columns
        self._numbers: Any = None

    def number_array(self) -> Any:
        """``row_numbers`` as a read-only int64 numpy array, made once (a range in C)."""
        if self._numbers is None:
            self._numbers = int_array(self.row_numbers)
            self._numbers.flags.writeable = False
        return self._numbers

    def __len__(self) -> int:
        """The number of data rows, blank ones included."""
        return len(self.row_numbers)

    @property
    def rows(self) -> list[list[str]]:
        """Data rows, blank ones included, each of the header's width (built once if needed)."""
        if self._rows is None:
            assert self._columns is not None
            lists = [column.to_pylist() for column in self._columns]
            self._rows = [list(row) for row in zip(*lists, strict=True)] if lists else []
        return self._rows

    @property
    def columns(self) -> list[pa.Array | pa.ChunkedArray]:
        """Data cells column by column, as Arrow strings (built once if needed)."""
        if self._columns is None:
            import pyarrow as pa

            assert self._rows is not None
            width = len(self.header)
            lists = list(zip(*self._rows, strict=True)) if self._rows else [()] * width
            self._columns = [pa.array(list(cells), type=pa.large_string()) for cells in lists]
        return self._columns

    def row_values(self, indices: Sequence[int]) -> list[list[str]]:
        """The cells of the data rows at ``indices`` (without building every row)."""
        if self._rows is not None:
            return [self._rows[i] for i in indices]
        assert self._columns is not None
        if not indices:
            return []
        lists = [take(column, indices).to_pylist() for column in self._columns]
        return [list(row) for row in zip(*lists, strict=True)] if lists else [[] for _ in indices]

    def cells_array(self, indices: Any, positions: Any) -> Any:
        """The cell of each (data-row index, column position) pair, "" beyond the header's
        width, as one Arrow large_string array: numpy arrays in, taken column by column in C
        (no Python string per cell)."""
        import numpy as np
        import pyarrow as pa

        text = pa.large_string()
        width = len(self.header)
        if self._rows is not None:
            rows = self._rows
            cells = [
                rows[i][p] if p < width else ""
                for i, p in zip(indices.tolist(), positions.tolist(), strict=True)
            ]
            return pa.array(cells, text)
        assert self._columns is not None
        where = np.asarray(indices, dtype=np.int64)
        at = np.asarray(positions, dtype=np.int64)
        parts: list[Any] = []
        slots: list[Any] = []
        for pos in np.unique(at[at < width]).tolist():
            picked = np.flatnonzero(at == pos)
            taken = take(self._columns[pos], where[picked])
            parts += taken.chunks if isinstance(taken, pa.ChunkedArray) else [taken]
            slots.append(picked)
        beyond = np.flatnonzero(at >= width)
        parts.append(pa.array([""] * len(beyond), text))
        slots.append(beyond)
        cells = pa.concat_arrays([part.cast(text) for part in parts])
        return cells.take(pa.array(np.argsort(np.concatenate(slots), kind="stable")))


def take(column: Any, indices: Any) -> Any:
    """``column.take(indices)`` (whole numbers: a numpy array), taken from the span of the
    indices alone: Arrow's take from a column of many chunks copies the whole column into one
    array first (~3 ms for 30 MB), however few values it takes."""
    import numpy as np
    import pyarrow as pa

    where = np.asarray(indices, dtype=np.int64)
    if not isinstance(column, pa.ChunkedArray) or column.num_chunks <= 1 or not len(where):
        return column.take(pa.array(where))
    low = int(where.min())
    return column.slice(low, int(where.max()) - low + 1).take(pa.array(where - low))


def int_array(values: Sequence[int]) -> Any:
    """Whole numbers as an int64 numpy array; a range is made in C, not read number by number."""
    import numpy as np

    if isinstance(values, range):
        return np.arange(values.start, values.stop, values.step, dtype=np.int64)
    return np.asarray(values, dtype=np.int64)


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
