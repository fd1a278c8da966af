"""A CSV record with more cells than the header, and the values probably split at a comma.

A record with more cells than the header most often holds a comma (the delimiter) inside a
value that is not quoted, which moves every later cell one column right: ``Data, Analytics and
You`` in title gives "a date is not a time zone" and "UTC is not a provider". When joining the
cells of text columns (title, sku, instructorEmails, a column of the user's) leaves fewer cells
that do not fit their column (by the shape of their values) than the record as read
(``_split``), the extra_cells message names those values as probably split, and the errors of
the cells after the first are left out (:func:`without_shifted`): they are artefacts of the
shift, and would send the user to fix cells that are right. The row stays invalid (its
extra_cells error), so nothing is lost; once the value is quoted, the next run judges every cell
where it belongs. When no join does better, every error stays and the message says the usual
cause.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from webinar_validate.contract import values as _values
from webinar_validate.contract.columns import ColumnSpec, Kind
from webinar_validate.table import Table, column_letters

if TYPE_CHECKING:
    from webinar_validate.contract.cache import Context

_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_SPLIT_ROWS = 10_000
"""Rows with extra cells whose split is looked for; later ones get the message of the cause."""
_SPLIT_WORK = 20_000
"""Most cell judgments spent on one row's split (columns x (extra cells + 1) squared)."""


@dataclass(frozen=True, slots=True)
class Split:
    """Where a record's extra cells probably come from: values split at the delimiter."""

    joins: list[tuple[int, int, int]]
    """(column, first cell, cells joined) of each value split, left to right."""

    @property
    def first(self) -> int:
        """The column of the first split value: the cells after it are shifted."""
        return self.joins[0][0]


def find_splits(ctx: Context, table: Table, keys: Sequence[str]) -> dict[int, Split]:
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


def _split(cells: list[str], specs: list[ColumnSpec | None], delimiter: str) -> Split | None:
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
    return Split(joins)


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


def without_shifted(
    splits: dict[int, Split],
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


def extra_message(table: Table, index: int, pos: int, number: int, split: Split | None) -> str:
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
