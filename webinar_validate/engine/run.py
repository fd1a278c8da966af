"""Runs the contract over a Table or a DataFrame and builds the dry-run report.

Lazy validation collects every failing cell of every row; each failure is mapped back to its
spreadsheet row and cell; valid rows get the contract's normalised values. Invalid rows are data:
only a file that cannot be judged raises (see :mod:`webinar_validate.errors`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pandera.errors
import pandera.pandas

from webinar_validate._gc import gc_paused
from webinar_validate.codes import Code
from webinar_validate.contract import cache as _context
from webinar_validate.contract import scans as _bytescan
from webinar_validate.contract import values as _values
from webinar_validate.contract.cache import Context, arrow_values, trimmed_text
from webinar_validate.contract.checks import column_local
from webinar_validate.contract.columns import Col, SessionContract, normalize_header
from webinar_validate.engine.assemble import assemble
from webinar_validate.engine.verdict import Failures, first_failures
from webinar_validate.errors import HeaderError, Problem, WebinarValidateError
from webinar_validate.report.model import (
    DryRunReport,
    Warning_,
    failed_report,
)
from webinar_validate.table import Table, cell_ref, column_letters


def validate_file(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    max_rows: int | None = None,
    strict: bool = False,
    contract: SessionContract | None = None,
) -> DryRunReport:
    """Validate a CSV or XLSX asset. A file that cannot be judged gives a failed report.

    ``max_rows`` defaults to the contract's limit (1,000); ``0`` means no limit.
    """
    contract = contract or SessionContract.DEFAULT
    limit = contract.max_rows if max_rows is None else max_rows
    from webinar_validate.reading.dispatch import read_table

    source = os.fspath(path)
    try:
        table = read_table(path, sheet=sheet, max_rows=limit)
        return validate_table(table, contract=contract, strict=strict)
    except WebinarValidateError as exc:
        return failed_report(source, exc, sheet)


@dataclass(frozen=True, slots=True)
class _Header:
    keys: list[str]
    """Per file column: the contract name, or the header text for an unknown column."""
    known: list[bool]
    warnings: list[Warning_]


def match_header(
    header: Sequence[str],
    contract: SessionContract,
    *,
    strict: bool,
    sheet: str | None = None,
    row_number: int = 1,
) -> _Header:
    """Map header cells to contract columns; raise HeaderError for a header that cannot work.

    ``sheet`` and ``row_number`` place the header, for the cell a formula_injection names.
    """
    by_key = {normalize_header(name): name for name in contract.names}
    keys: list[str] = []
    known: list[bool] = []
    warnings: list[Warning_] = []
    problems: list[Problem] = []
    first_seen: dict[str, int] = {}
    for position, raw in enumerate(header):
        text = _values.trim(raw)
        letter = column_letters(position)
        at = _values.formula_start(raw)
        if at is not None:  # judged as given; as trimmed it gives the same answer
            ref = cell_ref(sheet, row_number, position)
            problems.append(
                Problem(
                    Code.FORMULA_INJECTION,
                    f"The header {raw!r} in {ref} begins with "
                    f"{_values.formula_opening(raw, at)}, which a spreadsheet may run as a "
                    f"formula; rename the column: {_values.formula_remedy(raw, at)}.",
                )
            )
        name = by_key.get(normalize_header(text)) if text else None
        if name is not None and text != name:
            warnings.append(
                Warning_(
                    code=Code.HEADER_NORMALIZED,
                    message=f"Header {text!r} in column {letter} is read as {name}; "
                    f"rename it to {name} to match the contract exactly.",
                )
            )
        key = name if name is not None else (text or f"column {letter}")
        if key in first_seen:
            other = column_letters(first_seen[key])
            problems.append(
                Problem(
                    Code.DUPLICATE_COLUMN,
                    f"Columns {other} and {letter} both mean {key}; delete or rename one of them.",
                )
            )
        else:
            first_seen[key] = position
        if name is None:
            message = (
                f"Column {letter} ({text!r}) is not part of the contract"
                if text
                else f"Column {letter} has no header"
            )
            if strict:
                problems.append(Problem(Code.UNKNOWN_COLUMN, f"{message}; remove it or rename it."))
            else:
                warnings.append(
                    Warning_(
                        code=Code.UNKNOWN_COLUMN,
                        message=f"{message}; its cells are kept as they are.",
                    )
                )
        keys.append(key)
        known.append(name is not None)
    for spec in contract.columns:
        if spec.required and spec.name not in first_seen:
            problems.append(
                Problem(
                    Code.MISSING_COLUMN,
                    f"The required column {spec.name} is missing; add a column headed {spec.name}.",
                )
            )
    if problems:
        raise HeaderError(problems[0].message, problems=tuple(problems))
    return _Header(keys, known, warnings)


def validate_table(
    table: Table, *, contract: SessionContract | None = None, strict: bool = False
) -> DryRunReport:
    """Validate a Table read from a file. Raises HeaderError when the header cannot work."""
    with gc_paused():
        return _validate_table(table, contract=contract, strict=strict)


def _validate_table(
    table: Table, *, contract: SessionContract | None, strict: bool
) -> DryRunReport:
    contract = contract or SessionContract.DEFAULT
    header = match_header(
        table.header,
        contract,
        strict=strict,
        sheet=table.sheet,
        row_number=table.header_row_number,
    )
    frame = pd.DataFrame(
        {
            key: pd.array(column, dtype="str")
            for key, column in zip(header.keys, table.columns, strict=True)
        },
        index=pd.RangeIndex(len(table)),
    )
    # Trimmed once: for the blank-row test here and, for the rows kept, every check after it.
    unchanged = _needing_no_trim(table, header.keys)
    trimmed = {
        key: frame[key] if key in unchanged else trimmed_text(frame[key]) for key in header.keys
    }
    filled = np.zeros(len(frame), dtype=bool)
    for text in trimmed.values():
        filled |= (
            _bytescan.non_empty(values)
            if (values := arrow_values(text)) is not None
            else ((text != "").to_numpy(dtype=bool))
        )
    for index in table.extra_cells:
        filled[index] = True
    for index, _ in table.formulas_without_value:
        filled[index] = True
    return _judge(table, header, frame, filled, contract, trimmed)


def _needing_no_trim(table: Table, keys: Sequence[str]) -> set[str]:
    """The columns no cell of which could need trimming, found in one pass over all of their
    cells when a file has many columns (a header out to XFD); empty otherwise (each column is
    then trimmed on its own, which costs nothing when it needs no trim)."""
    if len(keys) <= _MANY_COLUMNS or len(table) * len(keys) > _TOGETHER_CELLS or not len(table):
        return set()
    import pyarrow as pa

    chunks = [
        chunk
        for column in table.columns
        for chunk in (column.chunks if isinstance(column, pa.ChunkedArray) else [column])
    ]
    kind = chunks[0].type
    chunks = [chunk if chunk.type == kind else chunk.cast(kind) for chunk in chunks]
    flagged = _bytescan.may_need_trim(pa.concat_arrays(chunks))  # one scan, not one a column
    needing = np.asarray(flagged.reshape(len(keys), len(table)).any(axis=1), dtype=bool)
    return {key for key, need in zip(keys, needing.tolist(), strict=True) if not need}


def _judge(
    table: Table,
    header: _Header,
    frame: pd.DataFrame,
    filled: np.ndarray,
    contract: SessionContract,
    trimmed: dict[str, pd.Series],
) -> DryRunReport:
    every = bool(filled.all())
    data = frame if every else frame[filled].copy()
    for name in contract.names:
        if name not in data.columns:
            data[name] = pd.array([""] * len(data), dtype="str")
    row_numbers = pd.Series(table.row_numbers, dtype="int64")
    ctx = Context(
        contract,
        data,
        typed_dates={(i, header.keys[c]) for i, c in table.typed_dates},
        row_numbers=row_numbers,
    )
    # A column no cell of which was trimmed is its cells as read: the frame's own column, so
    # that it is held once and the checks see that the text is the cells as read.
    ctx.prime_text(
        {
            key: data[key] if text.array is frame[key].array else text[filled]
            for key, text in trimmed.items()
        }
        if not every
        else trimmed
    )
    ctx.memo[f"present:{Col.JOIN_URL}"] = Col.JOIN_URL in header.keys
    failures = _run_schema(ctx, contract)
    anchor = (
        list(header.keys).index(Col.WEBINAR_PROVIDER) if Col.WEBINAR_PROVIDER in header.keys else 0
    )
    return assemble(ctx, table, header.keys, anchor, failures, filled, header.warnings)


_MANY_COLUMNS = 64
"""From this many unknown columns on, their rules run once over all of their cells together."""
_TOGETHER_CELLS = 4_000_000
"""...as long as the cells laid end to end stay this few (the copy costs memory)."""


def _run_schema(ctx: Context, contract: SessionContract) -> Failures:
    """Run the pandera schema lazily; the first failing rule of each cell, by judging order."""
    columns = list(ctx.frame.columns)
    contract.assign_rules(ctx, columns)
    local = column_local(ctx)
    unknown = [c for c in local if contract.column(c) is None]
    if len(unknown) > _MANY_COLUMNS and len(ctx.frame) * len(unknown) <= _TOGETHER_CELLS:
        ctx.prefetch_together(unknown, ctx.rules[unknown[0]])
    if len(ctx.frame) >= _context.THREADED_ROWS:
        ctx.prefetch(local)
    for column in ctx.rules:  # here, not in pandera: a rule of the user's that raises, raises
        ctx.failing_any(column)
    # A column whose cells all pass cannot fail its check: pandera judges the others only (a
    # file of 16,384 columns would otherwise cost it seconds).
    schema = contract.to_pandera(ctx, [c for c in columns if ctx.failing_any(c).to_numpy().any()])
    # pandera registers the schema (whose checks hold ctx, and so the frame) in a module-level
    # dict keyed by the validated object; validate a throw-away view and clear it afterwards,
    # or every run would keep its frame alive until exit.
    view = ctx.frame.copy(deep=False)
    try:
        schema.validate(view, lazy=True, inplace=True)
    except pandera.errors.SchemaErrors as exc:
        return first_failures(ctx, exc.failure_cases)
    finally:
        view.pandera.add_schema(pandera.pandas.DataFrameSchema())
    return Failures.none(ctx)


def validate_frame(
    frame: pd.DataFrame | Any,
    *,
    contract: SessionContract | None = None,
    strict: bool = False,
    source: str = "<DataFrame>",
    row_numbers: str | None = None,
) -> DryRunReport:
    """Validate a DataFrame whose columns are the sheet's headers (text or typed cells).

    ``frame`` is a pandas DataFrame, or a polars DataFrame or LazyFrame when polars is installed.
    ``row_numbers`` names a column (or ``"index"``) that carries the source row numbers;
    otherwise rows count from 2, as under a header in row 1. A frame whose header cannot
    work gives a failed report, as a file would.
    """
    from webinar_validate.engine.frames import table_from_frame

    try:
        table = table_from_frame(frame, source=source, row_numbers=row_numbers)
        return validate_table(table, contract=contract, strict=strict)
    except WebinarValidateError as exc:
        return failed_report(source, exc)
