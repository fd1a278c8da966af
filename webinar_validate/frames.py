"""pandas at the library's edges: a DataFrame in, the valid and invalid rows out as frames."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from webinar_validate.contract import Kind, SessionContract
from webinar_validate.table import Table, cell_text

if TYPE_CHECKING:
    from webinar_validate.report import DryRunReport

_DTYPES: dict[Kind, Any] = {
    Kind.INTEGER: pd.Int64Dtype(),
    Kind.BOOLEAN: pd.BooleanDtype(),
}


def table_from_frame(
    frame: pd.DataFrame, *, source: str = "<DataFrame>", row_numbers: str | None = None
) -> Table:
    """A DataFrame (text or typed columns) as a Table.

    Row numbers come from ``row_numbers`` (a column name, or ``"index"`` for the index), else
    they count from 2, as if the frame were a sheet with its header in row 1.
    """
    data = frame
    if row_numbers == "index":
        numbers = [int(n) for n in frame.index]
    elif row_numbers is not None:
        numbers = [int(n) for n in frame[row_numbers]]
        data = frame.drop(columns=[row_numbers])
    else:
        numbers = list(range(2, len(frame) + 2))
    header = [str(name) for name in data.columns]
    rows: list[list[str]] = []
    typed: set[tuple[int, int]] = set()
    for i, record in enumerate(data.itertuples(index=False, name=None)):
        row: list[str] = []
        for j, value in enumerate(record):
            text, is_date = cell_text(None if _is_na(value) else value)
            if is_date:
                typed.add((i, j))
            row.append(text)
        rows.append(row)
    return Table(
        source=source,
        sheet=None,
        header=header,
        header_row_number=min(numbers, default=2) - 1,
        rows=rows,
        row_numbers=numbers,
        typed_dates=typed,
    )


def _is_na(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def valid_frame(report: DryRunReport, contract: SessionContract | None = None) -> pd.DataFrame:
    """The valid rows' normalised values, typed by column, indexed by rowNumber."""
    contract = contract or SessionContract.DEFAULT
    records = [row.values for row in report.valid_rows]
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    for name in frame.columns:
        spec = contract.column(name)
        if spec is None:
            continue
        if spec.kind in _DTYPES:
            frame[name] = frame[name].astype(_DTYPES[spec.kind])
        elif spec.kind is Kind.INSTANT:
            frame[name] = pd.to_datetime(frame[name], format="ISO8601", utc=True)
    frame.index = pd.Index([row.rowNumber for row in report.valid_rows], name="rowNumber")
    return frame


def invalid_frame(report: DryRunReport) -> pd.DataFrame:
    """The invalid rows' cells as given, plus ``rowNumber`` and an ``errors`` column."""
    records: list[dict[str, Any]] = []
    for row in report.invalid_rows:
        record: dict[str, Any] = {"rowNumber": row.rowNumber, **row.values}
        record["errors"] = "; ".join(f"{e.cell} {e.code}: {e.message}" for e in row.errors)
        records.append(record)
    return pd.DataFrame.from_records(records, columns=None if records else ["rowNumber", "errors"])
