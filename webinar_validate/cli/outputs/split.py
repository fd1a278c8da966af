"""``--valid-out`` and ``--invalid-out``: the rows split into a file to upload and a file to fix.

Valid rows keep the input's column order and carry the contract's normalised values (contract
column names in the header, e-mail lists joined with ``;``, booleans as ``yes``/``no``, whole
numbers as numbers, blanks empty). Invalid rows carry ``rowNumber``, the cells as read and an
``errors`` column. CSV or XLSX by the output's extension.

Both come from the report alone (the rows it judged), never from the file. The invalid rows are a
file for people to open: in a CSV, a cell that a spreadsheet would run as a formula is written
with a leading ``'`` (OWASP's advice), and a note says how many; a workbook holds such cells as
text. The header row of every CSV output gets the same treatment.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from webinar_validate.cli.outputs._common import (
    FORMATS,
    Value,
    output_format,
    quoted_note,
    refuse_input,
    write_csv,
    write_sheet,
)
from webinar_validate.contract.columns import SessionContract
from webinar_validate.errors import UsageError

if TYPE_CHECKING:
    from webinar_validate.report.model import DryRunReport

VALID_TITLE = "Sessions"
INVALID_TITLE = "Invalid rows"


def _columns(report: DryRunReport, contract: SessionContract | None) -> list[str]:
    """The input's columns in file order (contract names for the columns it knows)."""
    for rows in (report.valid_rows, report.invalid_rows):
        if rows:
            return list(rows[0].values)
    return list((contract or SessionContract.DEFAULT).names)


def _check(report: DryRunReport, out_path: str | os.PathLike[str], flag: str) -> None:
    if not report.judged:
        raise UsageError(f"{report.preflight.source} could not be judged, so it has no rows.")
    output_format(out_path, flag, ("csv", "xlsx"))
    refuse_input(out_path, flag, report.preflight.source)


def upload_value(value: Any) -> Value:
    """A normalised value as an upload file holds it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return value
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    return str(value)


def write_valid(
    report: DryRunReport,
    out_path: str | os.PathLike[str],
    *,
    contract: SessionContract | None = None,
    notes: list[str] | None = None,
) -> int:
    """Write the valid rows, ready to upload; return how many were written.

    ``notes`` (when given) receives a line when a header cell was written with a leading ``'``.
    """
    _check(report, out_path, "--valid-out")
    columns = _columns(report, contract)
    rows = [[upload_value(row.values.get(key)) for key in columns] for row in report.valid_rows]
    quoted = write_sheet(out_path, columns, rows, VALID_TITLE)
    _say(quoted, out_path, notes)
    return len(rows)


def write_invalid(
    report: DryRunReport,
    out_path: str | os.PathLike[str],
    *,
    contract: SessionContract | None = None,
    notes: list[str] | None = None,
) -> int:
    """Write the invalid rows as read, with rowNumber and errors; return how many were written.

    In a CSV, a cell that a spreadsheet would run as a formula gets a leading ``'``; ``notes``
    (when given) receives a line saying how many did.
    """
    _check(report, out_path, "--invalid-out")
    columns = _columns(report, contract)
    rows: list[list[Value]] = []
    for row in report.invalid_rows:
        errors = "; ".join(f"{e.cell} {e.code}: {e.message}" for e in row.errors)
        rows.append([row.rowNumber, *(row.values.get(key, "") for key in columns), errors])
    header = ["rowNumber", *columns, "errors"]
    if FORMATS.get(os.path.splitext(os.fspath(out_path))[1].lower()) == "csv":
        quoted = write_csv(out_path, [header, *rows], neutralise=True)
    else:
        quoted = write_sheet(out_path, header, rows, INVALID_TITLE)
    _say(quoted, out_path, notes)
    return len(rows)


def _say(quoted: int, out_path: str | os.PathLike[str], notes: list[str] | None) -> None:
    if quoted and notes is not None:
        notes.append(quoted_note(quoted, out_path))
