"""The invalid rows of a run, finished inside it: every error as arrays, messages that read it made.

pandera's verdict (:class:`Failures`: the first failing rule of each failing cell) and the
table's own findings (formulas without a value, cells beyond the header) become one
:class:`ErrorTable`. Every message that reads the run is made here, while the run's Context is
alive, so that a rule's message function that raises raises inside ``validate_*``, and the
report refers to nothing of the run once it is returned. A built-in check of a cell's own says
what it says from the column and the cell alone (``Rule.said_when_read``): the table names its
message function, and its text is made when the report is read, once per distinct cell.

A CSV record with more cells than the header gets an extra_cells error whose message names the
values probably split at a comma, and the errors of the cells they shifted are left out
(``engine.splits``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from webinar_validate.codes import Code
from webinar_validate.engine.splits import Split, extra_message, find_splits, without_shifted
from webinar_validate.engine.verdict import Failures
from webinar_validate.report.error_table import ErrorTable, Said
from webinar_validate.report.rows import JSON_BLOCK, InvalidRows
from webinar_validate.table import Table, cell_ref, int_array

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
    splits: dict[int, Split] = {}
    if table.extra_cells:
        splits = find_splits(ctx, table, keys)
        if splits and len(index):
            index, pos, kind, column = without_shifted(splits, index, pos, kind, column)
        extra = np.array(sorted(table.extra_cells.items()), dtype=np.int64).reshape(-1, 2)
        index, pos, kind, column = _added(index, pos, kind, column, extra, _EXTRA)
    order = np.lexsort((column, pos, index))
    index, pos, kind, column = index[order], pos[order], kind[order], column[order]
    # The entries are in row order: a row's first entry is where the index changes.
    first = np.ones(len(index), dtype=bool)
    first[1:] = index[1:] != index[:-1]
    starts = np.flatnonzero(first)
    rows = index[starts]
    bounds = np.append(starts, len(index))
    entries = (index, pos, kind, column)
    errors = _error_table(ctx, table, keys, failures, rows, bounds, entries, splits)
    return InvalidRows(errors, keys), rows


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
    splits: dict[int, Split],
) -> ErrorTable:
    """Every error of the invalid ``rows`` (table indexes; row ``i`` has the entries
    ``bounds[i]:bounds[i + 1]``): its column, place, code and message. The cell names and
    values stay in the table, read when a block of the report is."""
    index, pos = entries[0], entries[1]
    numbers = table.number_array()
    names, rules = failures.columns, failures.rules
    kind, column = entries[2], entries[3]
    # The codes and the column names, column-wise: a rule's entries name its column, a
    # formula's the key at its place, an extra cell's none.
    which = np.where(kind >= 0, kind, len(rules) - 1 - kind)  # -1, -2: after the rules
    code_texts = [str(rule.code) for rule in rules]
    code_texts += [Code.FORMULA_WITHOUT_VALUE.value, Code.EXTRA_CELLS.value]
    named = np.where(
        kind >= 0, column, np.where(kind == _FORMULA, len(names) + pos, len(names) + len(keys))
    )
    made = _Messages(len(index))
    present = set(keys)
    try:
        for start in range(0, len(rows), JSON_BLOCK):
            stop = min(start + JSON_BLOCK, len(rows))
            block = rows[start:stop].tolist()
            ctx.focus(block)  # message look-ups take only these rows' cells
            lo, hi = int(bounds[start]), int(bounds[stop])
            _rule_messages(ctx, table, entries, lo, hi, failures, present, block, made)
            others = (lo + np.flatnonzero(kind[lo:hi] < 0)).tolist()
            texts = []
            for k in others:
                row, place = int(index[k]), int(pos[k])
                if kind[k] == _FORMULA:
                    ref = cell_ref(table.sheet, int(numbers[row]), place)
                    texts.append(_formula(keys[place], ref))
                else:
                    texts.append(
                        extra_message(table, row, place, int(numbers[row]), splits.get(row))
                    )
            made.each(np.asarray(others, dtype=np.int64), texts)
            made.flush()
    finally:
        ctx.focus(None)
    lines = table.lines
    return ErrorTable(
        table=table,
        indexes=_read_only(rows),
        row_numbers=_read_only(numbers[rows]),
        lines=None if lines is None else _read_only(int_array(lines)[rows]),
        starts=_read_only(bounds),
        places=_read_only(pos),
        column=_coded(named, [*names, *keys, None]),
        code=_coded(which, code_texts),
        message=made.array(),
        said=Said(made.groups, made.sayers),
    )


def _read_only(values: np.ndarray) -> np.ndarray:
    kept = np.asarray(values, dtype=np.int64)
    kept.flags.writeable = False
    return kept


class _Messages:
    """The errors' messages as a dictionary array: each distinct text held once (a message
    that depends on the cell alone is shared by every error of that cell), an index per error.
    The texts become Arrow a block at a time (:meth:`flush`), not a Python string each for
    the whole run. The errors of a built-in check of a cell's own are left to be said when
    read (:meth:`later`): their group names the message function."""

    def __init__(self, count: int) -> None:
        self.ids = np.zeros(count, dtype=np.int32)
        self.groups = np.full(count, -1, dtype=np.int32)  # a wide file: 32,767+ (rule, column)
        self.sayers: list[Callable[[str], str]] = []
        self._group_of: dict[tuple[int, int], int] = {}
        self._pending: list[str] = []
        self._chunks: list[Any] = []
        self._count = 0

    def each(self, slots: np.ndarray, texts: list[str]) -> None:
        """Errors ``slots`` say ``texts``, one each."""
        self.ids[slots] = np.arange(self._count, self._count + len(texts))
        self._pending += texts
        self._count += len(texts)

    def add(self, text: str) -> int:
        """A text to share; its id."""
        self._pending.append(text)
        self._count += 1
        return self._count - 1

    def later(self, slots: np.ndarray, key: tuple[int, int], say: Callable[[str], str]) -> None:
        """Errors ``slots`` are said from their cell when read, by ``say`` (one per ``key``)."""
        group = self._group_of.get(key)
        if group is None:
            group = self._group_of[key] = len(self.sayers)
            self.sayers.append(say)
        self.groups[slots] = group
        self.ids[slots] = -1

    def flush(self) -> None:
        """The texts so far into Arrow."""
        self._chunks.append(_strings(self._pending))
        self._pending = []

    def array(self) -> Any:
        self.flush()
        texts = pa.concat_arrays(self._chunks)
        ids = pa.array(self.ids, pa.int32(), mask=self.ids < 0)
        return pa.DictionaryArray.from_arrays(ids, texts)


def _coded(ids: np.ndarray, texts: Sequence[str | None]) -> Any:
    """``texts[ids]`` as an Arrow dictionary array of large_string (each text held once)."""
    return pa.DictionaryArray.from_arrays(
        pa.array(ids, pa.int32()), pa.array(texts, pa.large_string())
    )


def _rule_messages(
    ctx: Context,
    table: Table,
    entries: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    lo: int,
    hi: int,
    failures: Failures,
    present: set[str],
    block: list[int],
    made: _Messages,
) -> None:
    """The messages of the rules' entries among ``lo:hi``, a (rule, column) at a time, into
    ``made``. A built-in check of a cell's own is said from the cell when the report is read;
    another rule whose message depends on the cell alone makes one per distinct cell (its
    errors share it); the others one per row, with the look-ups focused on the rows of the
    rule (then on the ``block`` again)."""
    index, pos, kind, column = (a[lo:hi] for a in entries)
    ruled = np.flatnonzero(kind >= 0)
    group = kind[ruled] * len(failures.columns) + column[ruled]
    order = np.argsort(group, kind="stable")
    for part in np.split(ruled[order], np.flatnonzero(np.diff(group[order])) + 1):
        if not len(part):
            continue
        number, col = int(kind[part[0]]), int(column[part[0]])
        rule, name = failures.rules[number], failures.columns[col]
        rows = index[part]
        if name in present and rule.said_when_read and rule.check:  # built-in checks only
            made.later(lo + part, (number, col), partial(_say, rule.message, name))
            continue
        if name in present:
            raws = pc.fill_null(table.cells_array(rows, pos[part]), "")
        else:  # a column the file lacks: its cells are blank
            raws = _strings([""] * len(part))
        if rule.by_value:
            encoded = raws.dictionary_encode()
            distinct = encoded.dictionary.to_pylist()
            codes = encoded.indices.to_numpy(zero_copy_only=False)
            first = np.unique(codes, return_index=True)[1]  # where each distinct cell is first
            ids = [
                made.add(rule.message(ctx, name, int(rows[first[u]]), raw))
                for u, raw in enumerate(distinct)
            ]
            made.ids[lo + part] = np.array(ids, np.int32)[codes]
        else:
            ctx.focus(rows.tolist())
            texts = [
                rule.message(ctx, name, row, raw)
                for row, raw in zip(rows.tolist(), raws.to_pylist(), strict=True)
            ]
            ctx.focus(block)
            made.each(lo + part, texts)


def _say(message: Callable[[Any, str, Any, str], str], column: str, value: str) -> str:
    """A built-in check's message of a cell's own, from the column and the cell alone."""
    return message(None, column, None, value)


def _strings(texts: list[Any]) -> Any:
    return pa.array(texts, type=pa.large_string())


def _formula(key: str, ref: str) -> str:
    return (
        f"{key} in {ref} is a formula with no saved result; open the file in your spreadsheet "
        "program, let it calculate, and save it again (or paste the value instead)."
    )
