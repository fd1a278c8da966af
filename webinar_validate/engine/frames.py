"""A pandas or polars DataFrame in, as a Table (the frames out are the report's: ``frames_out``).

polars is optional: a polars frame is recognised by its type's module and read column by
column through its own API, so this module never imports polars. Text columns become Arrow
arrays whole; only typed columns are converted cell by cell.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pyarrow as pa

from webinar_validate.contract.cells import arrow_column
from webinar_validate.table import Table, cell_text


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
        header, columns, numbers, count = _polars_parts(frame, row_numbers)
    elif isinstance(frame, pd.DataFrame):
        header, columns, numbers, count = _pandas_parts(frame, row_numbers)
    else:
        raise TypeError(f"expected a pandas or polars DataFrame, not {type(frame).__name__}")
    arrays: list[Any] = []
    typed: set[tuple[int, int]] = set()
    for j, values in enumerate(columns):
        text = _text_column(values)
        if text is None:  # typed cells: each one as the text it means
            cells: list[str] = []
            for i, value in enumerate(values):
                cell, is_date = _cell(value)
                if is_date:
                    typed.add((i, j))
                cells.append(cell)
            text = pa.array(cells, type=pa.large_string())
        arrays.append(text)
    return Table(
        source=source,
        sheet=None,
        header=header,
        header_row_number=min(numbers, default=2) - 1 if numbers is not None else 1,
        columns=arrays,
        row_numbers=numbers if numbers is not None else range(2, count + 2),
        typed_dates=typed,
        dataframe="polars" if is_polars(frame) else "pandas",
    )


def _text_column(values: Any) -> Any:
    """A column whose cells are all text (or missing) as one Arrow array, else None."""
    if isinstance(values, pd.Series):
        if isinstance(values.dtype, pd.StringDtype):
            array = arrow_column(values)
        elif values.dtype == object:
            values = values.to_numpy(dtype=object)
            try:
                array = pa.array(values, type=pa.large_string(), from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                return None
        else:
            return None
    else:
        try:
            array = pa.array(values, type=pa.large_string())
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return None
    return array.cast(pa.large_string()).fill_null("")


_Parts = tuple[list[str], list[Any], list[int] | None, int]


def _pandas_parts(frame: pd.DataFrame, row_numbers: str | None) -> _Parts:
    data = frame
    numbers: list[int] | None = None
    if row_numbers == "index":
        numbers = [int(n) for n in frame.index]
    elif row_numbers is not None:
        numbers = [int(n) for n in frame[row_numbers]]
        data = frame.drop(columns=[row_numbers])
    header = [str(name) for name in data.columns]
    columns = [data.iloc[:, j] for j in range(data.shape[1])]
    return header, columns, numbers, len(data)


def _polars_parts(frame: Any, row_numbers: str | None) -> _Parts:
    if hasattr(frame, "collect"):  # a LazyFrame
        frame = frame.collect()
    numbers: list[int] | None = None
    if row_numbers == "index":
        raise ValueError("a polars DataFrame has no index: pass the name of a row-number column")
    if row_numbers is not None:
        numbers = [int(n) for n in frame.get_column(row_numbers).to_list()]
        frame = frame.drop(row_numbers)
    columns = [series.to_list() for series in frame.get_columns()]
    return [str(name) for name in frame.columns], columns, numbers, frame.height


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
