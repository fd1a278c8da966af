"""The report's rows as pandas DataFrames: valid rows typed by column, invalid rows as given.

The engine hands the report each column's pandas dtype (:class:`FrameTypes`), so that nothing
here knows the contract. The report imports this module only when a frame is asked for, so a
report alone never imports pandas.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import pandas as pd

from webinar_validate.report.items import InvalidRow, ValidRow
from webinar_validate.report.rows import ValidRows


class FrameTypes(NamedTuple):
    """What types the columns of ``valid_frame()``, handed over by the engine."""

    columns: tuple[str, ...]
    """The contract's columns: a frame without any row still has them."""
    dtypes: dict[str, str]
    """Column name -> pandas dtype name (``Int64``, ``boolean``, ``datetime64[us, UTC]``,
    ``object``, ``str``); a column not named here is ``str``."""


def _columns(
    valid: Sequence[ValidRow], invalid: Sequence[InvalidRow], types: FrameTypes | None
) -> list[str]:
    """The frame's columns: those of the rows, else (no rows at all) the contract's."""
    if isinstance(valid, ValidRows) and len(valid):
        return list(valid.columns)
    for rows in (valid, invalid):
        if rows:
            return list(rows[0].values)
    return list(types.columns) if types is not None else []


def _inferred(frame: pd.DataFrame, name: str) -> str:
    """The dtype of a column of a report made from JSON (no types handed over): by its values;
    instants stay text there, as nothing says which texts are instants."""
    kinds = {type(value) for value in frame[name] if value is not None}
    if kinds == {bool}:
        return "boolean"
    if kinds == {int}:
        return "Int64"
    return "object" if kinds == {list} else "str"


def valid_frame(
    rows: Sequence[ValidRow], invalid: Sequence[InvalidRow], types: FrameTypes | None
) -> pd.DataFrame:
    """The valid ``rows``' normalised values, typed by column, indexed by rowNumber.

    Built from the columns when the rows are the validator's (no row object made). ``types``
    None (a report read from JSON): each column's dtype is inferred from its values.
    """
    columns = _columns(rows, invalid, types)
    if isinstance(rows, ValidRows):
        arrays = rows.columns
        frame = pd.DataFrame(
            {name: pd.Series(arrays[name].to_pylist(), dtype=object) for name in columns},
            columns=columns,
        )
        row_numbers: list[int] = rows.row_numbers.tolist()
    else:
        frame = pd.DataFrame.from_records(
            [[row.values.get(name) for name in columns] for row in rows], columns=columns
        )
        row_numbers = [row.rowNumber for row in rows]
    for name in columns:
        dtype: Any = types.dtypes.get(name, "str") if types is not None else _inferred(frame, name)
        if str(dtype).startswith("datetime64["):  # instants: their ISO 8601 texts are parsed
            frame[name] = pd.to_datetime(frame[name], format="ISO8601", utc=True).astype(dtype)
        else:
            frame[name] = frame[name].astype(dtype)
    frame.index = pd.Index(row_numbers, name="rowNumber")
    return frame


def invalid_frame(
    valid: Sequence[ValidRow], rows: Sequence[InvalidRow], types: FrameTypes | None
) -> pd.DataFrame:
    """The invalid ``rows``' cells as given, plus ``rowNumber`` and an ``errors`` column.

    ``errors`` holds one line per error, ``CELL code: message``, so that it reads well in a
    spreadsheet cell.
    """
    columns = _columns(valid, rows, types)
    records = [
        [
            row.rowNumber,
            *(row.values.get(name, "") for name in columns),
            "\n".join(f"{e.cell} {e.code}: {e.message}" for e in row.errors),
        ]
        for row in rows
    ]
    frame = pd.DataFrame.from_records(records, columns=["rowNumber", *columns, "errors"])
    return frame.astype({"rowNumber": "int64"} | dict.fromkeys([*columns, "errors"], "str"))
