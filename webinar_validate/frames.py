"""DataFrames at the library's edges: a pandas or polars frame in, valid and invalid rows out.

polars is optional: a polars frame is recognised by its type's module and read row by row through
its own API, so this module never imports polars (nor needs pyarrow to convert one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from webinar_validate.contract import Kind, SessionContract
from webinar_validate.table import Table, cell_text

if TYPE_CHECKING:
    from webinar_validate.report import DryRunReport

_DTYPES: dict[Kind, Any] = {
    Kind.INTEGER: pd.Int64Dtype(),
    Kind.BOOLEAN: pd.BooleanDtype(),
    Kind.INSTANT: pd.DatetimeTZDtype("us", "UTC"),
    Kind.EMAILS: object,
}


def is_polars(frame: object) -> bool:
    """True for a polars DataFrame or LazyFrame (without importing polars)."""
    return type(frame).__module__.split(".", 1)[0] == "polars"


def table_from_frame(
    frame: Any, *, source: str = "<DataFrame>", row_numbers: str | None = None
) -> Table:
    """A pandas or polars DataFrame (text or typed columns) as a Table.

    Row numbers come from ``row_numbers`` (a column name, or ``"index"`` for a pandas index),
    else they count from 2, as if the frame were a sheet with its header in row 1.
    """
    if is_polars(frame):
        header, records, numbers = _polars_parts(frame, row_numbers)
    elif isinstance(frame, pd.DataFrame):
        header, records, numbers = _pandas_parts(frame, row_numbers)
    else:
        raise TypeError(f"expected a pandas or polars DataFrame, not {type(frame).__name__}")
    rows: list[list[str]] = []
    typed: set[tuple[int, int]] = set()
    for i, record in enumerate(records):
        row: list[str] = []
        for j, value in enumerate(record):
            text, is_date = _cell(value)
            if is_date:
                typed.add((i, j))
            row.append(text)
        rows.append(row)
    if numbers is None:
        numbers = list(range(2, len(rows) + 2))
    return Table(
        source=source,
        sheet=None,
        header=header,
        header_row_number=min(numbers, default=2) - 1,
        rows=rows,
        row_numbers=numbers,
        typed_dates=typed,
    )


_Parts = tuple[list[str], Iterable[Sequence[Any]], list[int] | None]


def _pandas_parts(frame: pd.DataFrame, row_numbers: str | None) -> _Parts:
    data = frame
    numbers: list[int] | None = None
    if row_numbers == "index":
        numbers = [int(n) for n in frame.index]
    elif row_numbers is not None:
        numbers = [int(n) for n in frame[row_numbers]]
        data = frame.drop(columns=[row_numbers])
    header = [str(name) for name in data.columns]
    return header, data.itertuples(index=False, name=None), numbers


def _polars_parts(frame: Any, row_numbers: str | None) -> _Parts:
    if hasattr(frame, "collect"):  # a LazyFrame
        frame = frame.collect()
    numbers: list[int] | None = None
    if row_numbers == "index":
        raise ValueError("a polars DataFrame has no index: pass the name of a row-number column")
    if row_numbers is not None:
        numbers = [int(n) for n in frame.get_column(row_numbers).to_list()]
        frame = frame.drop(row_numbers)
    return [str(name) for name in frame.columns], frame.iter_rows(), numbers


def _cell(value: Any) -> tuple[str, bool]:
    """A frame cell as text, and whether it is a date without an offset."""
    if _is_na(value):
        return "", False
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        # An aware datetime is an instant: keep its offset so it is judged as one.
        return value.isoformat(), False
    return cell_text(value)


def _is_na(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and other containers
        return False


def _columns(report: DryRunReport, contract: SessionContract) -> list[str]:
    """The frame's columns: those of the rows, else (no rows at all) the contract's."""
    for rows in (report.valid_rows, report.invalid_rows):
        if rows:
            return list(rows[0].values)
    return list(contract.names) if report.judged else []


def valid_frame(report: DryRunReport, contract: SessionContract | None = None) -> pd.DataFrame:
    """The valid rows' normalised values, typed by column, indexed by rowNumber."""
    contract = contract or SessionContract.DEFAULT
    columns = _columns(report, contract)
    frame = pd.DataFrame.from_records(
        [[row.values.get(name) for name in columns] for row in report.valid_rows],
        columns=columns,
    )
    for name in columns:
        spec = contract.column(name)
        kind = spec.kind if spec is not None else Kind.TEXT
        dtype = _DTYPES.get(kind, "str")
        if kind is Kind.INSTANT:
            frame[name] = pd.to_datetime(frame[name], format="ISO8601", utc=True).astype(dtype)
        else:
            frame[name] = frame[name].astype(dtype)
    frame.index = pd.Index([row.rowNumber for row in report.valid_rows], name="rowNumber")
    return frame


def invalid_frame(report: DryRunReport, contract: SessionContract | None = None) -> pd.DataFrame:
    """The invalid rows' cells as given, plus ``rowNumber`` and an ``errors`` column.

    ``errors`` holds one line per error, ``CELL code: message``, so that it reads well in a
    spreadsheet cell.
    """
    columns = _columns(report, contract or SessionContract.DEFAULT)
    records = [
        [
            row.rowNumber,
            *(row.values.get(name, "") for name in columns),
            "\n".join(f"{e.cell} {e.code}: {e.message}" for e in row.errors),
        ]
        for row in report.invalid_rows
    ]
    frame = pd.DataFrame.from_records(records, columns=["rowNumber", *columns, "errors"])
    return frame.astype({"rowNumber": "int64"} | dict.fromkeys([*columns, "errors"], "str"))
