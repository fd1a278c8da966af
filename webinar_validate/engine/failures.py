"""The invalid rows of a run, finished inside it: every error with its message, as arrays.

pandera's verdict (:class:`Failures`: the first failing rule of each failing cell) and the
table's own findings (formulas without a value, cells beyond the header) become one
:class:`ErrorTable`. Every message is made here, while the run's Context is alive, so that a
rule's message function that raises raises inside ``validate_*``, and the report refers to
nothing of the run once it is returned.

A CSV record with more cells than the header most often holds a comma (the delimiter) inside a
value that is not quoted, which moves every later cell one column right: ``Data, Analytics and
You`` in title gives "a date is not a time zone" and "UTC is not a provider". When joining the
cells of text columns (title, sku, instructorEmails, a column of the user's) leaves fewer cells
that do not fit their column (by the shape of their values) than the record as read
(``_split``), the extra_cells message names those values as probably split, and the errors of
the cells after the first are left out: they are artefacts of the shift, and would send the user
to fix cells that are right. The row stays invalid (its extra_cells error), so nothing is lost;
once the value is quoted, the next run judges every cell where it belongs. When no join does
better, every error stays and the message says the usual cause.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from webinar_validate.codes import Code
from webinar_validate.contract import values as _values
from webinar_validate.contract.columns import ColumnSpec, Kind
from webinar_validate.engine.verdict import Failures
from webinar_validate.report.rows import JSON_BLOCK, ErrorTable, InvalidRows
from webinar_validate.table import Table, cell_ref, column_letters, int_array

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
    splits: dict[int, _Split] = {}
    if table.extra_cells:
        splits = _splits(ctx, table, keys)
        if splits and len(index):
            index, pos, kind, column = _without_shifted(splits, index, pos, kind, column)
        extra = np.array(sorted(table.extra_cells.items()), dtype=np.int64).reshape(-1, 2)
        index, pos, kind, column = _added(index, pos, kind, column, extra, _EXTRA)
    order = np.lexsort((column, pos, index))
    index, pos, kind, column = index[order], pos[order], kind[order], column[order]
    rows = np.unique(index)
    starts = np.searchsorted(index, rows)
    bounds = np.append(starts, len(index))
    entries = (index, pos, kind, column)
    errors = _error_table(ctx, table, keys, failures, rows, bounds, entries, splits)
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
    splits: dict[int, _Split],
) -> ErrorTable:
    """Every error of the invalid ``rows`` (table indexes; row ``i`` has the entries
    ``bounds[i]:bounds[i + 1]``), with its column, cell, code, message and cell as read."""
    index, pos = entries[0], entries[1]
    numbers = table.number_array()
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
    kind, column = entries[2], entries[3]
    # The codes and the column names, column-wise: a rule's entries name its column, a
    # formula's the key at its place, an extra cell's none.
    which = np.where(kind >= 0, kind, len(rules) - 1 - kind)  # -1, -2: after the rules
    code_texts = [str(rule.code) for rule in rules]
    code_texts += [Code.FORMULA_WITHOUT_VALUE.value, Code.EXTRA_CELLS.value]
    named = np.where(
        kind >= 0, column, np.where(kind == _FORMULA, len(names) + pos, len(names) + len(keys))
    )
    said: dict[tuple[int, int], dict[str, str]] = {}  # per (rule, column): a message by value
    messages: list[Any] = []
    values: list[Any] = []
    present = set(keys)
    try:
        for start in range(0, len(rows), JSON_BLOCK):
            stop = min(start + JSON_BLOCK, len(rows))
            block = rows[start:stop].tolist()
            ctx.focus(block)  # message look-ups take only these rows' cells
            lo, hi = int(bounds[start]), int(bounds[stop])
            read = table.cells_array(index[lo:hi], pos[lo:hi])
            pieces = _rule_messages(ctx, entries, lo, hi, failures, read, present, said, block)
            others = np.flatnonzero(kind[lo:hi] < 0)
            texts = []
            for k in others.tolist():
                row, place = int(index[lo + k]), int(pos[lo + k])
                if kind[lo + k] == _FORMULA:
                    ref = f"{prefix}{column_letters(place)}{int(numbers[row])}"
                    texts.append(_formula(keys[place], ref))
                else:
                    texts.append(_extra(table, row, place, int(numbers[row]), splits.get(row)))
            pieces.append((others, _strings(texts)))
            slots = np.concatenate([slot for slot, _ in pieces])
            made = pa.concat_arrays([text for _, text in pieces])
            messages.append(made.take(pa.array(np.argsort(slots, kind="stable"))))
            extra = np.asarray(kind[lo:hi] == _EXTRA)  # an extra cell's error has no value
            values.append(pc.if_else(pa.array(extra), "", read) if extra.any() else read)
    finally:
        ctx.focus(None)
    lines = table.lines
    return ErrorTable(
        row_numbers=numbers[rows],
        lines=None if lines is None else int_array(lines)[rows],
        starts=np.asarray(bounds, dtype=np.int64),
        column=pa.array([*names, *keys, None], pa.large_string()).take(pa.array(named)),
        cell=cells,
        code=pa.array(code_texts, pa.large_string()).take(pa.array(which)),
        message=pa.concat_arrays(messages) if messages else _strings([]),
        value=pa.concat_arrays(values) if values else _strings([]),
    )


def _rule_messages(
    ctx: Context,
    entries: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    lo: int,
    hi: int,
    failures: Failures,
    read: Any,
    present: set[str],
    said: dict[tuple[int, int], dict[str, str]],
    block: list[int],
) -> list[tuple[np.ndarray, Any]]:
    """The messages of the rules' entries among ``lo:hi``, a (rule, column) at a time, as
    (their places in ``lo:hi``, an Arrow array of their messages) pairs. A rule whose message
    depends on the cell alone makes one per distinct cell (in C, the rest); the others one per
    row, with the look-ups focused on the rows of the rule (then on the ``block`` again)."""
    index, kind, column = entries[0][lo:hi], entries[2][lo:hi], entries[3][lo:hi]
    ruled = np.flatnonzero(kind >= 0)
    group = kind[ruled] * len(failures.columns) + column[ruled]
    order = np.argsort(group, kind="stable")
    pieces: list[tuple[np.ndarray, Any]] = []
    for part in np.split(ruled[order], np.flatnonzero(np.diff(group[order])) + 1):
        if not len(part):
            continue
        number, col = int(kind[part[0]]), int(column[part[0]])
        rule, name = failures.rules[number], failures.columns[col]
        rows = index[part]
        if name in present:
            raws = pc.fill_null(read.take(pa.array(part)), "")
        else:  # a column the file lacks: its cells are blank
            raws = _strings([""] * len(part))
        if rule.by_value:
            memo = said.setdefault((number, col), {})
            encoded = raws.dictionary_encode()
            distinct = encoded.dictionary.to_pylist()
            codes = encoded.indices.to_numpy(zero_copy_only=False)
            first = np.unique(codes, return_index=True)[1]  # where each distinct cell is first
            for u, raw in enumerate(distinct):
                if raw not in memo:
                    memo[raw] = rule.message(ctx, name, int(rows[first[u]]), raw)
            texts = _strings([memo[raw] for raw in distinct]).take(encoded.indices)
        else:
            ctx.focus(rows.tolist())
            made = [
                rule.message(ctx, name, row, raw)
                for row, raw in zip(rows.tolist(), raws.to_pylist(), strict=True)
            ]
            ctx.focus(block)
            texts = _strings(made)
        pieces.append((part, texts))
    return pieces


def _strings(texts: list[Any]) -> Any:
    return pa.array(texts, type=pa.large_string())


def _formula(key: str, ref: str) -> str:
    return (
        f"{key} in {ref} is a formula with no saved result; open the file in your spreadsheet "
        "program, let it calculate, and save it again (or paste the value instead)."
    )


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_SPLIT_ROWS = 10_000
"""Rows with extra cells whose split is looked for; later ones get the message of the cause."""
_SPLIT_WORK = 20_000
"""Most cell judgments spent on one row's split (columns x (extra cells + 1) squared)."""


@dataclass(frozen=True, slots=True)
class _Split:
    """Where a record's extra cells probably come from: values split at the delimiter."""

    joins: list[tuple[int, int, int]]
    """(column, first cell, cells joined) of each value split, left to right."""

    @property
    def first(self) -> int:
        """The column of the first split value: the cells after it are shifted."""
        return self.joins[0][0]


def _splits(ctx: Context, table: Table, keys: Sequence[str]) -> dict[int, _Split]:
    """The rows with extra cells whose split value is found (the first _SPLIT_ROWS of them)."""
    width = len(keys)
    delimiter = table.dialect.delimiter if table.dialect is not None else ","
    specs = [ctx.contract.column(key) for key in keys]
    rows = [
        index
        for index in sorted(table.extra_cells)[:_SPLIT_ROWS]
        if width * (len(table.extras.get(index, ())) + 1) ** 2 <= _SPLIT_WORK
        and table.extras.get(index)
    ]
    found = {}
    for index, cells in zip(rows, table.row_values(rows), strict=True):
        split = _split([*cells, *table.extras[index]], specs, delimiter)
        if split is not None:
            found[index] = split
    return found


def _split(cells: list[str], specs: list[ColumnSpec | None], delimiter: str) -> _Split | None:
    """The text values whose cells, joined, leave the fewest cells that do not fit their
    column, when that is fewer than as read (leftmost first among equals); None otherwise."""
    width, extra = len(specs), len(cells) - len(specs)
    misfit: dict[tuple[int, int, int], int] = {}

    def bad(column: int, start: int, joined: int) -> int:
        key = (column, start, joined)
        if key not in misfit:
            text = delimiter.join(cells[start : start + joined])
            misfit[key] = 0 if _fits(specs[column], _values.trim(text)) else 1
        return misfit[key]

    joinable = [spec is None or (spec.kind in _JOINABLE and not spec.choices) for spec in specs]
    never = width + 1
    # cost[j][s]: the fewest misfits of columns j.. taking the cells from j + s on, each column
    # one cell or (a text column) several joined; step[j][s]: the cells column j takes then.
    cost = [[never] * (extra + 1) for _ in range(width + 1)]
    step = [[1] * (extra + 1) for _ in range(width + 1)]
    cost[width][extra] = 0
    for j in range(width - 1, -1, -1):
        for s in range(extra + 1):
            best, taken = bad(j, j + s, 1) + cost[j + 1][s], 1
            for k in range(1, extra - s + 1) if joinable[j] else ():
                tried = bad(j, j + s, k + 1) + cost[j + 1][s + k]
                if tried < best:
                    best, taken = tried, k + 1
            cost[j][s], step[j][s] = best, taken
    before = 0  # misfits of the columns left of ``first``, their cells where they belong
    best, chosen = sum(bad(j, j, 1) for j in range(width)), None  # as read
    for first in range(width):
        for k in range(1, extra + 1) if joinable[first] else ():
            tried = before + bad(first, first, k + 1) + cost[first + 1][k]
            if tried < best:
                best, chosen = tried, (first, k)
        before += bad(first, first, 1)
    if chosen is None:
        return None
    first, s = chosen
    joins = [(first, first, s + 1)]
    for j in range(first + 1, width):
        taken = step[j][s]
        if taken > 1:
            joins.append((j, j + s, taken))
            s += taken - 1
    return _Split(joins)


_JOINABLE = (Kind.TEXT, Kind.EMAILS)


def _fits(spec: ColumnSpec | None, text: str) -> bool:
    """Whether trimmed ``text`` has the shape of a value of the column (a light check)."""
    if spec is None:
        return True  # a column the contract does not know takes any text
    if not text:
        return not spec.required
    if spec.max_length is not None and len(text) > spec.max_length:
        return False
    if spec.choices:
        return text.lower() in {choice.lower() for choice in spec.choices}
    kind = spec.kind
    if kind is Kind.UUID:
        shaped = re.fullmatch(_values.UUID, text) is not None
    elif kind is Kind.INSTANT:
        shaped = re.fullmatch(_values.ISO_SHAPE, text.replace(" ", "T", 1)) is not None
    elif kind is Kind.TIME_ZONE:
        shaped = _values.canonical_zone(text) is not None
    elif kind is Kind.INTEGER:
        shaped = re.fullmatch(_values.WHOLE_NUMBER, text) is not None
    elif kind is Kind.BOOLEAN:
        shaped = text.lower() in _values.BOOLEANS
    elif kind is Kind.URL:
        shaped = _values.is_https_url(text)
    elif kind is Kind.EMAILS:
        shaped = _values.emails_problem(text) is None
    elif kind is Kind.EMAIL:
        shaped = _values.one_email_problem(text) is None
    elif kind is Kind.LANGUAGE:
        shaped = re.fullmatch(_values.LANGUAGE, text) is not None
    else:
        shaped = True
    return shaped and (spec.pattern is None or re.search(spec.pattern, text) is not None)


def _without_shifted(
    splits: dict[int, _Split],
    index: np.ndarray,
    pos: np.ndarray,
    kind: np.ndarray,
    column: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The failures, less those of the cells after a split value (artefacts of the shift)."""
    rows = np.array(sorted(splits), dtype=np.int64)
    firsts = np.array([splits[row].first for row in rows.tolist()], dtype=np.int64)
    at = np.minimum(np.searchsorted(rows, index), len(rows) - 1)
    keep = ~((rows[at] == index) & (pos > firsts[at]))
    return index[keep], pos[keep], kind[keep], column[keep]


def _extra(table: Table, index: int, pos: int, number: int, split: _Split | None) -> str:
    width = len(table.header)
    count = len(table.extras.get(index, ())) or 1
    more = "one cell more" if count == 1 else f"{count:,} cells more"
    delimiter = table.dialect.delimiter if table.dialect is not None else ","
    name = _DELIMITER_NAMES.get(delimiter, "delimiter")
    if split is None:
        last = column_letters(width - 1)
        return (
            f"This row has {more} than the header ({column_letters(pos)}{number} is beyond the "
            f"last headed column, {last}): the usual cause is a {name} inside a value that is "
            f"not in double quotes, which moves the cells after it to the right; put such a "
            f"value in double quotes, or else add a header for column {column_letters(pos)} or "
            "delete the value."
        )
    cells = table.row_values([index])[0] + table.extras.get(index, [])
    parts = []
    for column, start, joined in split.joins:
        value = delimiter.join(cells[start : start + joined]).strip()
        first = f"{column_letters(start)}{number}"
        last = f"{column_letters(start + joined - 1)}{number}"
        where = f"{first} and {last}" if joined == 2 else f"{first} to {last}"
        parts.append(f'{_header_name(table, column)} "{value}" ({where})')
    if len(parts) == 1:
        said = f"{parts[0]} is probably one value split at its {name}"
        said += "s" if split.joins[0][2] > 2 else ""
        write = "write it with the quotes"
    else:
        said = f"{', '.join(parts[:-1])} and {parts[-1]} are probably values split at a {name}"
        write = "write each with the quotes"
    shift = "one column" if count == 1 else f"{count:,} columns"
    moved = f"the cells after it {shift}" if len(parts) == 1 else "the cells after them"
    return (
        f"This row has {more} than the header: {said}, which moves {moved} "
        f"to the right (their errors are not listed); a value with a {name} must be in double "
        f"quotes, so {write} and check the row again."
    )


def _header_name(table: Table, column: int) -> str:
    return table.header[column].strip() or column_letters(column)
