"""The invalid rows of a run, finished inside it: every error with its message, as arrays.

pandera's verdict (:class:`Failures`: the first failing rule of each failing cell) and the
table's own findings (formulas without a value, cells beyond the header) become one
:class:`ErrorTable`. Every message is made here, while the run's Context is alive, so that a
rule's message function that raises raises inside ``validate_*``, and the report refers to
nothing of the run once it is returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from webinar_validate.codes import Code
from webinar_validate.engine.verdict import Failures
from webinar_validate.report.rows import JSON_BLOCK, ErrorTable, InvalidRows
from webinar_validate.table import Table, cell_ref, column_letters

if TYPE_CHECKING:
    from webinar_validate.contract.cache import Context

_FORMULA = -1
_EXTRA = -2


def invalid_rows(
    ctx: Context, table: Table, keys: Sequence[str], anchor: int, failures: Failures
) -> tuple[InvalidRows, np.ndarray]:
    """The ``invalidRows``, messages made, and the frame indexes of the invalid rows (sorted).

    ``keys`` are the header's contract keys by column position; an error about a column the
    file lacks is shown at the ``anchor`` column.
    """
    position = {key: i for i, key in enumerate(keys)}
    column_pos = np.array([position.get(c, anchor) for c in failures.columns], dtype=np.int64)
    index = failures.index
    pos = column_pos[failures.column] if len(index) else np.zeros(0, dtype=np.int64)
    kind = failures.rule
    column = failures.column
    if table.formulas_without_value:
        formulas = np.array(sorted(table.formulas_without_value), dtype=np.int64).reshape(-1, 2)
        width = len(table.header) + 1
        hidden = np.isin(index * width + pos, formulas[:, 0] * width + formulas[:, 1])
        index, pos, kind, column = (a[~hidden] for a in (index, pos, kind, column))
        index, pos, kind, column = _added(index, pos, kind, column, formulas, _FORMULA)
    if table.extra_cells:
        extra = np.array(sorted(table.extra_cells.items()), dtype=np.int64).reshape(-1, 2)
        index, pos, kind, column = _added(index, pos, kind, column, extra, _EXTRA)
    order = np.lexsort((column, pos, index))
    index, pos, kind, column = index[order], pos[order], kind[order], column[order]
    rows = np.unique(index)
    starts = np.searchsorted(index, rows)
    bounds = np.append(starts, len(index))
    entries = (index, pos, kind, column)
    errors = _error_table(ctx, table, keys, failures, rows, bounds, entries)
    return InvalidRows(errors, table, rows, keys), rows


def _added(
    index: np.ndarray,
    pos: np.ndarray,
    kind: np.ndarray,
    column: np.ndarray,
    cells: np.ndarray,
    marker: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    count = len(cells)
    return (
        np.concatenate([index, cells[:, 0]]),
        np.concatenate([pos, cells[:, 1]]),
        np.concatenate([kind, np.full(count, marker, dtype=np.int64)]),
        np.concatenate([column, np.full(count, -1, dtype=np.int64)]),
    )


def _error_table(
    ctx: Context,
    table: Table,
    keys: Sequence[str],
    failures: Failures,
    rows: np.ndarray,
    bounds: np.ndarray,
    entries: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> ErrorTable:
    """Every error of the invalid ``rows`` (table indexes; row ``i`` has the entries
    ``bounds[i]:bounds[i + 1]``), with its column, cell, code, message and cell as read."""
    index, pos = entries[0], entries[1]
    numbers = np.asarray(table.row_numbers, dtype=np.int64)
    # The cell names, column-wise: the sheet prefix and the letters once per column.
    prefix = cell_ref(table.sheet, 1, 0)[: -len("A1")]
    places, at = np.unique(pos, return_inverse=True)
    letters = pa.array([prefix + column_letters(p) for p in places.tolist()], pa.large_string())
    cells = pc.binary_join_element_wise(
        letters.take(pa.array(at.reshape(-1), pa.int64())),
        pa.array(numbers[index]).cast(pa.large_string()),
        pa.scalar("", pa.large_string()),
    )
    names, rules = failures.columns, failures.rules
    codes = [str(rule.code) for rule in rules]
    present = set(keys)
    made_columns: list[str | None] = []
    made_codes: list[str] = []
    messages: list[str] = []
    values: list[str] = []
    said: dict[tuple[int, int, str], str] = {}  # (rule, column, cell): a message by value
    try:
        for start in range(0, len(rows), JSON_BLOCK):
            stop = min(start + JSON_BLOCK, len(rows))
            ctx.focus(rows[start:stop].tolist())  # message look-ups take only these rows' cells
            lo, hi = int(bounds[start]), int(bounds[stop])
            index_of, pos_of, kind_of, column_of = (a[lo:hi].tolist() for a in entries)
            read = table.cells_at(index_of, pos_of)
            for k, (row, place, rule, col) in enumerate(
                zip(index_of, pos_of, kind_of, column_of, strict=True)
            ):
                value = read[k]
                if rule >= 0:
                    name: str | None = names[col]
                    raw = value if name in present else ""
                    made_codes.append(codes[rule])
                    if rules[rule].by_value:
                        key = (rule, col, raw)
                        message = said.get(key)
                        if message is None:
                            message = said[key] = rules[rule].message(ctx, names[col], row, raw)
                        messages.append(message)
                    else:
                        messages.append(rules[rule].message(ctx, names[col], row, raw))
                elif rule == _FORMULA:
                    name = keys[place]
                    made_codes.append(Code.FORMULA_WITHOUT_VALUE.value)
                    messages.append(
                        _formula(keys[place], f"{prefix}{column_letters(place)}{int(numbers[row])}")
                    )
                else:
                    name, value = None, ""
                    made_codes.append(Code.EXTRA_CELLS.value)
                    messages.append(_extra(table, place))
                made_columns.append(name)
                values.append(value)
    finally:
        ctx.focus(None)
    lines = table.lines
    return ErrorTable(
        row_numbers=numbers[rows],
        lines=None if lines is None else np.asarray(lines, dtype=np.int64)[rows],
        starts=np.asarray(bounds, dtype=np.int64),
        column=_strings(made_columns),
        cell=cells,
        code=_strings(made_codes),
        message=_strings(messages),
        value=_strings(values),
    )


def _strings(texts: list[Any]) -> Any:
    return pa.array(texts, type=pa.large_string())


def _formula(key: str, ref: str) -> str:
    return (
        f"{key} in {ref} is a formula with no saved result; open the file in your spreadsheet "
        "program, let it calculate, and save it again (or paste the value instead)."
    )


def _extra(table: Table, pos: int) -> str:
    last = column_letters(len(table.header) - 1)
    return (
        f"This row has a value in column {column_letters(pos)}, beyond the last headed "
        f"column ({last}); add a header for it or delete the value."
    )
