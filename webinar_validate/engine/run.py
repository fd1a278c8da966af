"""Runs the contract over a Table or a DataFrame and builds the dry-run report.

Lazy validation collects every failing cell of every row; each failure is mapped back to its
spreadsheet row and cell; valid rows get the contract's normalised values. Invalid rows are data:
only a file that cannot be judged raises (see :mod:`webinar_validate.errors`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pandera.errors
import pandera.pandas as pa

from webinar_validate._clock import CLOCK_VARIABLE, read_instant
from webinar_validate._gc import gc_paused
from webinar_validate.contract import cache as _context
from webinar_validate.contract import scans as _bytescan
from webinar_validate.contract.cache import Context
from webinar_validate.contract.cells import arrow_values, trimmed_text
from webinar_validate.contract.columns import Col, Rule, SessionContract
from webinar_validate.contract.schema import (
    contract_from_schema,
    session_schema,
    unknown_column_checks,
)
from webinar_validate.engine.assemble import assemble
from webinar_validate.engine.header import Header, match_header
from webinar_validate.engine.verdict import Failures, Plan, first_failures, plan_of
from webinar_validate.errors import WebinarValidateError
from webinar_validate.report.model import (
    DryRunReport,
    failed_report,
)
from webinar_validate.table import Table


def validate_file(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    max_rows: int | None = None,
    strict: bool = False,
    contract: SessionContract | None = None,
    schema: pa.DataFrameSchema | None = None,
    now: datetime | None = None,
) -> DryRunReport:
    """Validate a CSV or XLSX asset. A file that cannot be judged gives a failed report.

    ``max_rows`` defaults to the contract's limit (1,000); ``0`` means no limit. ``schema`` is
    the pandera schema to judge by (default: ``session_schema(contract)``); its columns and
    checks are the contract when ``contract`` is not given. ``now`` (an aware datetime) is the
    run's clock, for ``starts_in_the_past`` and ``createdAt``; default: the current time.
    """
    now = _clock(now)
    contract, schema = judged_by(contract, schema)
    limit = contract.max_rows if max_rows is None else max_rows
    from webinar_validate.reading.dispatch import read_table

    source = os.fspath(path)
    try:
        table = read_table(path, sheet=sheet, max_rows=limit)
        return validate_table(table, contract=contract, strict=strict, schema=schema, now=now)
    except WebinarValidateError as exc:
        return failed_report(source, exc, sheet, now=now)


def _clock(now: datetime | None) -> datetime:
    """The run's clock, read once: ``now`` when given (it must be aware), else
    ``$WEBINAR_VALIDATE_NOW`` when set, else the current time."""
    if now is None:
        fixed = os.environ.get(CLOCK_VARIABLE, "").strip()
        if not fixed:
            return datetime.now(UTC)
        now = read_instant(fixed, f"{CLOCK_VARIABLE}={fixed}")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be an aware datetime (with a UTC offset), not {now}")
    return now


def judged_by(
    contract: SessionContract | None, schema: pa.DataFrameSchema | None
) -> tuple[SessionContract, pa.DataFrameSchema]:
    """The contract and the pandera schema of a run: either makes the other."""
    if schema is None:
        contract = contract or SessionContract.DEFAULT
        return contract, session_schema(contract)
    return contract or contract_from_schema(schema), schema


def validate_table(
    table: Table,
    *,
    contract: SessionContract | None = None,
    strict: bool = False,
    schema: pa.DataFrameSchema | None = None,
    now: datetime | None = None,
) -> DryRunReport:
    """Validate a Table read from a file. Raises HeaderError when the header cannot work.

    ``now`` (aware) is the run's clock; default: the current time."""
    now = _clock(now)
    with gc_paused():
        return _validate_table(table, *judged_by(contract, schema), strict=strict, now=now)


def _validate_table(
    table: Table,
    contract: SessionContract,
    schema: pa.DataFrameSchema,
    *,
    strict: bool,
    now: datetime,
) -> DryRunReport:
    header = match_header(
        table.header,
        contract,
        strict=strict,
        sheet=table.sheet,
        row_number=table.header_row_number,
        table=table,
    )
    text_dtype = pd.api.types.pandas_dtype("str")  # looked up once, not once a column
    frame = pd.DataFrame(
        {
            key: pd.array(column, dtype=text_dtype)
            for key, column in zip(header.keys, table.columns, strict=True)
        },
        index=pd.RangeIndex(len(table)),
    )
    # Trimmed once: for the blank-row test here and, for the rows kept, every check after it.
    unchanged = _needing_no_trim(table, header.keys)
    raw = {key: frame[key] for key in header.keys}
    trimmed = {key: raw[key] if key in unchanged else trimmed_text(raw[key]) for key in raw}
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
    return _judge(table, header, frame, raw, filled, contract, schema, trimmed, now)


def _needing_no_trim(table: Table, keys: Sequence[str]) -> set[str]:
    """The columns no cell of which could need trimming, found in one pass over all of their
    cells when a file has many columns (a header out to XFD); empty otherwise (each column is
    then trimmed on its own, which costs nothing when it needs no trim)."""
    if len(keys) <= _MANY_COLUMNS or len(table) * len(keys) > _TOGETHER_CELLS or not len(table):
        return set()
    import pyarrow

    chunks = [
        chunk
        for column in table.columns
        for chunk in (column.chunks if isinstance(column, pyarrow.ChunkedArray) else [column])
    ]
    kind = chunks[0].type
    chunks = [chunk if chunk.type == kind else chunk.cast(kind) for chunk in chunks]
    flagged = _bytescan.may_need_trim(pyarrow.concat_arrays(chunks))  # one scan, not one a column
    needing = np.asarray(flagged.reshape(len(keys), len(table)).any(axis=1), dtype=bool)
    return {key for key, need in zip(keys, needing.tolist(), strict=True) if not need}


def _judge(
    table: Table,
    header: Header,
    frame: pd.DataFrame,
    raw: dict[str, pd.Series],
    filled: np.ndarray,
    contract: SessionContract,
    schema: pa.DataFrameSchema,
    trimmed: dict[str, pd.Series],
    now: datetime,
) -> DryRunReport:
    every = bool(filled.all())
    data = frame if every else frame[filled].copy()
    for name in contract.names:
        if name not in data.columns:
            data[name] = pd.array([""] * len(data), dtype="str")
    row_numbers = pd.Series(table.number_array(), dtype="int64")
    ctx = Context(
        contract,
        data,
        typed_dates={(i, header.keys[c]) for i, c in table.typed_dates},
        row_numbers=row_numbers,
        dataframe=table.dataframe,
    )
    # The frame's columns, made once as Series; a column no cell of which was trimmed is its
    # cells as read: the frame's own column, so that it is held once and the checks see that
    # the text is the cells as read.
    kept = raw if every else {key: data[key] for key in raw}
    ctx.prime_raw(kept)
    ctx.prime_text(
        trimmed
        if every
        else {
            key: kept[key] if text.array is raw[key].array else text[filled]
            for key, text in trimmed.items()
        }
    )
    ctx.present = frozenset(header.keys)
    failures = _run_schema(ctx, schema)
    anchor = (
        list(header.keys).index(Col.WEBINAR_PROVIDER) if Col.WEBINAR_PROVIDER in header.keys else 0
    )
    return assemble(ctx, table, header.keys, anchor, failures, filled, header.warnings, now)


_MANY_COLUMNS = 64
"""From this many unknown columns on, their rules run once over all of their cells together."""
_TOGETHER_CELLS = 4_000_000
"""...as long as the cells laid end to end stay this few (the copy costs memory)."""


def _run_schema(ctx: Context, schema: pa.DataFrameSchema) -> Failures:
    """Validate the frame with pandera, lazily, by ``schema`` and a text column's checks for
    every column it does not know; the first failing check of each cell, by judging order.

    Every check's mask is computed first (a column's own checks two columns at a time on big
    files, and a rule of the user's that raises, raises here); pandera's checks then read them
    from the run's cache, and pandera's failure cases are the verdict.
    """
    unknown = [str(c) for c in ctx.frame.columns if c not in schema.columns]
    checks = unknown_column_checks()
    plan = plan_of(schema, unknown, checks)
    ctx.own_rules = {column: plan.own(column) for column in plan.rules}
    local = _column_local(plan)
    many = [c for c in unknown if c in local]
    if len(many) > _MANY_COLUMNS and len(ctx.frame) * len(many) <= _TOGETHER_CELLS:
        ctx.prefetch_together(many, tuple(plan.rules[many[0]]))
    if len(ctx.frame) >= _context.THREADED_ROWS:
        ctx.prefetch(local)
    failing = {
        column
        for column, rules in plan.rules.items()
        for rule in rules
        if ctx.fails_anywhere(column, rule)
    }
    # pandera validates every column when there are few, and only the failing ones when there
    # are many (it would find nothing in the others): a schema is never built of thousands.
    few = len(schema.columns) + len(unknown) <= _MANY_COLUMNS
    columns = {name: column for name, column in schema.columns.items() if few or name in failing}
    for name in unknown:
        if few or name in failing:
            columns[name] = pa.Column(checks=checks, required=False, nullable=True).set_name(name)
    # The DataFrame-level checks read the run's cells from its cache: they are validated over
    # a frame of one column on the same rows, so that pandera's failure cases list each failing
    # row once, not every cell of it (reshaping those cost seconds at 100k rows).
    rows = pd.DataFrame({"row": np.zeros(len(ctx.frame), dtype=np.int8)}, index=ctx.frame.index)
    by_column = pa.DataFrameSchema(strict=False, coerce=False, name=schema.name)
    # The columns as they are, named: pandera's constructor deep-copies every column given to
    # it, checks and all (~20 ms a run for the contract's 18), and validating changes none.
    by_column.columns = columns
    cases = [_cases(ctx, by_column, ctx.frame)]
    if schema.checks:
        cases.append(_cases(ctx, pa.DataFrameSchema(checks=schema.checks), rows))
    found = [case for case in cases if case is not None]
    return first_failures(plan, pd.concat(found)) if found else Failures.none(plan)


def _cases(ctx: Context, schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame | None:
    """pandera's failure cases of validating ``frame`` (lazily) by ``schema``, or None."""
    # pandera keeps the schema it validated by (whose checks reach this run, and so the
    # frame) on the validated object; validate a throw-away view and clear it afterwards.
    view = frame.copy(deep=False)
    try:
        with ctx.running():
            schema.validate(view, lazy=True, inplace=True)
    except pandera.errors.SchemaErrors as exc:
        failure_cases: pd.DataFrame = exc.failure_cases
        return failure_cases
    finally:
        view.pandera.add_schema(pa.DataFrameSchema())
    return None


def _column_local(plan: Plan) -> dict[str, list[Rule]]:
    """Per column, the built-in rules whose masks read that column alone (its duplicates too):
    these may be computed on another thread, one column per task. A column with a rule of the
    user's among its own checks is left out: ``valid()`` would run that rule there."""
    picked: dict[str, list[Rule]] = {}
    for column, rules in plan.rules.items():
        if all(rule.check for rule in rules if rule.own):
            picked[column] = [rule for rule in rules if rule.own or rule.check == "duplicate_value"]
    return picked


def validate_frame(
    frame: pd.DataFrame | Any,
    *,
    contract: SessionContract | None = None,
    strict: bool = False,
    source: str = "<DataFrame>",
    row_numbers: str | None = None,
    schema: pa.DataFrameSchema | None = None,
    now: datetime | None = None,
) -> DryRunReport:
    """Validate a DataFrame whose columns are the sheet's headers (text or typed cells).

    ``frame`` is a pandas DataFrame, or a polars DataFrame or LazyFrame when polars is installed.
    ``row_numbers`` names a column (or ``"index"``) that carries the source row numbers;
    otherwise rows count from 2, as under a header in row 1. A frame whose header cannot
    work gives a failed report, as a file would. ``now`` (aware) is the run's clock; default:
    the current time.
    """
    from webinar_validate.engine.frames import table_from_frame

    now = _clock(now)
    try:
        table = table_from_frame(frame, source=source, row_numbers=row_numbers)
        return validate_table(table, contract=contract, strict=strict, schema=schema, now=now)
    except WebinarValidateError as exc:
        return failed_report(source, exc, now=now)
