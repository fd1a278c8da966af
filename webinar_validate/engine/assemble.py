"""The report of a run, assembled from pandera's verdict: valid rows, invalid rows, counts.

This is the one seam between the engine and the report: everything the report holds is handed
over here, finished: every message made, and the valid rows normalised on first use from
what the run took for them (``engine.normalize.Taken``). The report keeps no
reference to the run (its Context, DataFrame or masks) once ``validate_*`` returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd

from webinar_validate.codes import Code
from webinar_validate.contract.cache import Context
from webinar_validate.contract.columns import SessionContract
from webinar_validate.contract.kinds import frame_dtypes
from webinar_validate.contract.warnings import CellsOf, likely_mistakes
from webinar_validate.engine.failures import invalid_rows as invalid_rows_of
from webinar_validate.engine.normalize import later
from webinar_validate.engine.verdict import Failures
from webinar_validate.report.frames_out import FrameTypes
from webinar_validate.report.model import (
    BackgroundJob,
    BulkImport,
    Data,
    DryRunReport,
    Extensions,
    Preflight,
    Warning_,
    describe,
)
from webinar_validate.report.rows import ValidRows
from webinar_validate.table import Table, cell_ref


def assemble(
    ctx: Context,
    table: Table,
    keys: Sequence[str],
    anchor: int,
    failures: Failures,
    filled: np.ndarray,
    header_warnings: Sequence[Warning_],
    now: datetime,
) -> DryRunReport:
    """The report of one run: ``failures`` (pandera's verdict) over the rows of ``ctx.frame``
    (the table's rows where ``filled``); ``keys`` name the table's columns, ``anchor`` is the
    column an error about a missing column is shown at; ``now`` is the run's clock (aware)."""
    data = ctx.frame
    invalid_rows, failing = invalid_rows_of(ctx, table, keys, anchor, failures)
    kept = data.index.to_numpy()
    valid = np.ones(len(kept), dtype=bool)  # by position in the frame
    where = ctx.frame.index.get_indexer(pd.Index(failing))
    valid[where[where >= 0]] = False
    positions = np.flatnonzero(valid)
    valid_rows = _valid_rows(ctx, keys, table, kept, positions)
    blank_numbers = [int(table.row_numbers[i]) for i in np.flatnonzero(~filled).tolist()]
    warnings = list(header_warnings)
    if blank_numbers:
        warnings.append(_blank_warning(blank_numbers))
    # After the verdict, and only about the valid rows: what the import would take.
    warnings.extend(
        Warning_(code=m.code, message=m.message, cell=m.cell)
        for m in likely_mistakes(ctx, positions, now, _cells_of(table, keys, kept))
    )
    if not len(valid_rows) and not len(invalid_rows):
        warnings.append(_nothing_warning(table.source))
    counts = {"valid": len(valid_rows), "invalid": len(invalid_rows), "blank": len(blank_numbers)}
    job = BackgroundJob(description=describe(table.source, table.sheet, **counts), createdAt=now)
    report = DryRunReport(
        data=Data(
            APIBulkWebinarImport=BulkImport.trusted(
                dryRun=True, validRows=valid_rows, invalidRows=invalid_rows, backgroundJob=job
            )
        ),
        extensions=Extensions(
            preflight=Preflight(
                source=table.source,
                sheet=table.sheet,
                rowsRead=len(table),
                warnings=warnings,
                **counts,
            )
        ),
    )
    report._contract = ctx.contract
    report._frame_types = frame_types(ctx.contract, keys)
    report._table = table
    return report


def frame_types(contract: SessionContract, keys: Sequence[str]) -> FrameTypes:
    """The contract's columns and the pandas dtype of each (and of the file's other ``keys``)."""
    return FrameTypes(contract.names, frame_dtypes(contract, keys))


def _valid_rows(
    ctx: Context, keys: Sequence[str], table: Table, kept: np.ndarray, positions: np.ndarray
) -> ValidRows:
    """The valid rows (their ``positions`` in the frame, whose index holds the table's row
    indexes ``kept``), column-wise, normalised when first used from what the run has taken
    for it (not the run)."""
    numbers = table.number_array()[kept[positions]]
    return ValidRows(numbers, later(ctx, list(keys), positions))


def _cells_of(table: Table, keys: Sequence[str], kept: np.ndarray) -> CellsOf:
    """Names the cells of a column in rows of the frame (by position; ``kept`` holds each
    frame row's table index): ``Sessions!F7``, ``F7`` for a CSV."""
    numbers = table.number_array()
    place = {key: i for i, key in enumerate(keys)}

    def cell_of(column: str, positions: np.ndarray) -> list[str]:
        rows = numbers[kept[positions]].tolist()
        return [cell_ref(table.sheet, row, place[column]) for row in rows]

    return cell_of


def _nothing_warning(source: str) -> Warning_:
    return Warning_(
        code=Code.NOTHING_TO_IMPORT,
        message=f"{source} has a header but no session rows: nothing to import.",
    )


def _blank_warning(row_numbers: list[int]) -> Warning_:
    shown = ", ".join(str(n) for n in row_numbers[:10])
    if len(row_numbers) == 1:
        message = f"Row {shown} is blank and was skipped."
    elif len(row_numbers) <= 10:
        message = f"Rows {shown} are blank and were skipped."
    else:
        message = f"Rows {shown} and {len(row_numbers) - 10} more are blank and were skipped."
    return Warning_(code=Code.BLANK_ROW, message=message)
