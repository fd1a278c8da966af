"""What failed, as arrays, and the invalid rows made from it a block at a time.

pandera's failure cases say which column failed in which row (one check per column); the run's
rule masks say which rule: :func:`first_failures` keeps the first failing rule of each cell (the
contract's judging order) as three sorted integer arrays.
:func:`invalid_rows` adds the table's own findings (formulas without a value, cells beyond the
header) and returns the lazy ``invalidRows``: messages, cell names and row objects are made only
for the block of rows being written or used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from webinar_validate.codes import Code
from webinar_validate.engine.verdict import Failures
from webinar_validate.report.model import CellError, InvalidRow
from webinar_validate.report.rows import ErrorRecord, InvalidRows
from webinar_validate.table import Table, cell_ref, column_letters

if TYPE_CHECKING:
    from webinar_validate.contract.cache import Context

_FORMULA = -1
_EXTRA = -2


def invalid_rows(
    ctx: Context, table: Table, keys: Sequence[str], anchor: int, failures: Failures
) -> tuple[InvalidRows, np.ndarray]:
    """The lazy ``invalidRows`` and the frame indexes of the invalid rows (sorted).

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
    maker = _RowMaker(ctx, table, keys, failures, rows, bounds, (index, pos, kind, column))
    return InvalidRows(len(rows), maker), rows


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


class _RowMaker:
    """Makes the invalid rows ``[start, stop)``: as errors, as row objects or as JSON text."""

    def __init__(
        self,
        ctx: Context,
        table: Table,
        keys: Sequence[str],
        failures: Failures,
        rows: np.ndarray,
        bounds: np.ndarray,
        entries: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    ) -> None:
        self.ctx = ctx
        self.table = table
        self.keys = list(keys)
        self.failures = failures
        self.rows_index = rows
        self.bounds = bounds
        self.entries = entries
        # Cell names are built per failing cell: the sheet prefix and letters once.
        self.prefix = cell_ref(table.sheet, 1, 0)[: -len("A1")]
        self.letters = [column_letters(i) for i in range(len(table.header) + 1)]

    def ref(self, index: int, pos: int) -> str:
        letters = self.letters
        letter = letters[pos] if pos < len(letters) else column_letters(pos)
        return f"{self.prefix}{letter}{int(self.table.row_numbers[index])}"

    def errors(self, start: int, stop: int) -> list[tuple[int, list[ErrorRecord]]]:
        """(rowNumber, errors in column order) of each row; messages are made here."""
        ctx, table, keys = self.ctx, self.table, self.keys
        rows = self.rows_index[start:stop].tolist()
        ctx.focus(rows)
        lo, hi = int(self.bounds[start]), int(self.bounds[stop])
        index_of, pos_of, kind_of, column_of = (a[lo:hi].tolist() for a in self.entries)
        values = table.cells_at(index_of, pos_of)
        names, rules, present = self.failures.columns, self.failures.rules, set(keys)
        numbers, lines = table.row_numbers, table.lines
        made: list[tuple[int, list[ErrorRecord]]] = []
        at = 0
        for index in rows:
            errors: list[ErrorRecord] = []
            line = int(lines[index]) if lines is not None else None
            while at < len(index_of) and index_of[at] == index:
                pos, kind, value = pos_of[at], kind_of[at], values[at]
                column: str | None
                if kind >= 0:
                    column = names[column_of[at]]
                    rule = rules[kind]
                    raw = value if column in present else ""
                    code: Code | str = rule.code
                    message = rule.message(ctx, column, index, raw)
                elif kind == _FORMULA:
                    column, code = keys[pos], Code.FORMULA_WITHOUT_VALUE
                    message = self._formula(column, self.ref(index, pos))
                else:
                    column, code, value = None, Code.EXTRA_CELLS, ""
                    message = self._extra(pos)
                errors.append(ErrorRecord(column, self.ref(index, pos), code, message, value, line))
                at += 1
            made.append((int(numbers[index]), errors))
        ctx.focus(None)
        return made

    def rows(self, start: int, stop: int) -> list[InvalidRow]:
        """The InvalidRow objects."""
        keys = self.keys
        cells = self.table.row_values(self.rows_index[start:stop].tolist())
        return [
            InvalidRow.trusted(
                rowNumber=number,
                values=dict(zip(keys, row, strict=True)),
                errors=[CellError.trusted(**error._asdict()) for error in errors],
            )
            for (number, errors), row in zip(self.errors(start, stop), cells, strict=True)
        ]

    def json(self, start: int, stop: int) -> list[str]:
        """Each row as one line of JSON, as ``json.dumps`` writes its ``model_dump``: the cells
        column-wise from the table (see ``_rowjson``), the errors per failing cell."""
        import pyarrow as pa

        from webinar_validate.report.writer import row_objects_json

        where = pa.array(self.rows_index[start:stop], type=pa.int64())
        numbers = pa.array(np.asarray(self.table.row_numbers, dtype=np.int64)[where.to_numpy()])
        cells = {
            key: column.take(where)
            for key, column in zip(self.keys, self.table.columns, strict=True)
        }
        heads = row_objects_json(numbers, cells).to_pylist()
        return [
            f'{head[:-1]}, "errors": [{", ".join(error.json() for error in errors)}]}}'
            for head, (_, errors) in zip(heads, self.errors(start, stop), strict=True)
        ]

    @staticmethod
    def _formula(key: str, ref: str) -> str:
        return (
            f"{key} in {ref} is a formula with no saved result; open the file in your spreadsheet "
            "program, let it calculate, and save it again (or paste the value instead)."
        )

    def _extra(self, pos: int) -> str:
        last = column_letters(len(self.table.header) - 1)
        return (
            f"This row has a value in column {column_letters(pos)}, beyond the last headed "
            f"column ({last}); add a header for it or delete the value."
        )
