"""The invalid rows' errors as data: an :class:`ErrorTable` of every error, column-wise.

An error's column, code and message are Arrow dictionary arrays (each text held once); its cell
name and its value as read stay in the judged Table, read when a block of rows is. A message
that depends on the column and the cell alone is said then (:class:`Said`), once per distinct
cell, from the contract's own message function.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from webinar_validate.codes import Code

if TYPE_CHECKING:  # numpy and pyarrow are imported by the engine that makes these rows
    import numpy as np
    import numpy.typing as npt

    from webinar_validate.table import Table

    Ints = npt.NDArray[np.int64]

_CODES: dict[str, Code | str] = {code.value: code for code in Code}


class ErrorRecord(NamedTuple):
    """One failing cell, as a CellError holds it, before any object is made of it."""

    column: str | None
    cell: str
    code: Code | str
    message: str
    value: str
    line: int | None

    def json(self) -> str:
        """The JSON text ``json.dumps`` writes for the CellError's ``model_dump``."""
        text = _json_text
        column = "null" if self.column is None else text(self.column)
        line = "" if self.line is None else f', "line": {self.line}'
        return (
            f'{{"column": {column}, "cell": {text(self.cell)}, "code": {text(str(self.code))}, '
            f'"message": {text(self.message)}, "value": {text(self.value)}{line}}}'
        )


_json_text: Callable[[str], str] = json.encoder.encode_basestring


class CellLike(Protocol):
    """What the text writers read of an error: a CellError or an ErrorRecord."""

    @property
    def column(self) -> str | None: ...  # pragma: no cover - a protocol
    @property
    def cell(self) -> str: ...  # pragma: no cover - a protocol
    @property
    def code(self) -> str: ...  # pragma: no cover - a protocol
    @property
    def message(self) -> str: ...  # pragma: no cover - a protocol
    @property
    def line(self) -> int | None: ...  # pragma: no cover - a protocol


class Said:
    """Messages that depend on the column and the cell alone, made when a block is read: the
    error's group names the message function (``sayers[group](value)``), and each distinct
    cell of a group is said once (the text is shared by its errors). Group -1: the message
    was made in the run and is held in the table. The sayers are the contract's own message
    functions over data (a column name, a rule's statistics), not the run."""

    __slots__ = ("_group", "_memo", "_sayers")

    def __init__(self, group: Any, sayers: Sequence[Callable[[str], str]]) -> None:
        self._group = group
        self._sayers = tuple(sayers)
        self._memo: list[dict[str, str]] = [{} for _ in self._sayers]

    def __len__(self) -> int:
        return len(self._group)

    def fill(self, lo: int, messages: list[Any], values: list[str]) -> list[str]:
        """``messages`` of the errors ``lo:lo + len(messages)``, each one made from its value
        where the run left it to be said (None)."""
        groups = self._group[lo : lo + len(messages)]
        for k in (groups >= 0).nonzero()[0].tolist():
            g = int(groups[k])
            memo = self._memo[g]
            value = values[k]
            said = memo.get(value)
            if said is None:
                said = memo[value] = self._sayers[g](value)
            messages[k] = said
        return messages


@dataclass(frozen=True, eq=False, slots=True)
class ErrorTable:
    """Every error of the invalid rows, column-wise: what the run found.

    Invalid row ``i`` (in row order, data row ``indexes[i]`` of the judged ``table``) has the
    errors ``starts[i]:starts[i + 1]``, in column order. ``column``, ``code`` and ``message``
    are Arrow dictionary arrays (``column`` is null for a cell beyond the header; ``message``
    is null where ``said`` makes it from the cell). An error's cell name and its value as read
    are not copied: they are read off the table at the error's column ``places`` when a block
    is read, as the run read them (past the header's width the value is empty).
    """

    table: Table
    indexes: Ints
    """The judged table's data-row index of each invalid row."""
    row_numbers: Ints
    """The spreadsheet row number of each invalid row."""
    lines: Ints | None
    """CSV only: the physical line where each invalid row's record starts."""
    starts: Ints
    """Where each invalid row's errors start, and (last) their count."""
    places: Ints
    """Each error's 0-based column in the table (the column it is shown at)."""
    column: Any
    code: Any
    message: Any
    said: Said

    def __post_init__(self) -> None:
        count = int(self.starts[-1])
        rows = len(self.row_numbers)
        if (
            len(self.starts) != rows + 1
            or len(self.indexes) != rows
            or any(
                len(a) != count
                for a in (self.places, self.column, self.code, self.message, self.said)
            )
        ):
            raise ValueError("an ErrorTable needs one start per row and one entry per error")

    def __len__(self) -> int:
        """The number of invalid rows."""
        return len(self.row_numbers)

    def records(self, start: int, stop: int) -> list[tuple[int, list[ErrorRecord]]]:
        """(rowNumber, errors) of the invalid rows ``[start, stop)``."""
        import numpy as np

        lo, hi = int(self.starts[start]), int(self.starts[stop])
        columns, codes, messages = (
            _decoded(a.slice(lo, hi - lo)) for a in (self.column, self.code, self.message)
        )
        places = self.places[lo:hi]
        bounds = self.starts[start : stop + 1] - lo
        each = np.diff(bounds)
        values = self.table.cells_array(np.repeat(self.indexes[start:stop], each), places)
        values = values.to_pylist()
        messages = self.said.fill(lo, messages, values)
        names = _cell_names(self.table.sheet, places, np.repeat(self.row_numbers[start:stop], each))
        known = _CODES
        spans = bounds.tolist()
        numbers = self.row_numbers[start:stop].tolist()
        lines = [None] * len(numbers) if self.lines is None else self.lines[start:stop].tolist()
        return [
            (
                number,
                [
                    ErrorRecord(
                        columns[k],
                        names[k],
                        known.get(codes[k], codes[k]),
                        messages[k],
                        values[k],
                        line,
                    )
                    for k in range(spans[r], spans[r + 1])
                ],
            )
            for r, (number, line) in enumerate(zip(numbers, lines, strict=True))
        ]


def _decoded(coded: Any) -> list[Any]:
    """A dictionary array's values as a list: taken from the dictionary first (its own
    ``to_pylist`` boxes each entry, some 25 times slower)."""
    values: list[Any] = coded.dictionary.take(coded.indices).to_pylist()
    return values


def _cell_names(sheet: str | None, places: Ints, numbers: Ints) -> list[str]:
    """``Sessions!F7``: each error's cell name (the sheet's prefix and a column's letters once)."""
    from webinar_validate.table import cell_ref, column_letters

    prefix = cell_ref(sheet, 1, 0)[: -len("A1")]
    letters: dict[int, str] = {}
    names = []
    for place, number in zip(places.tolist(), numbers.tolist(), strict=True):
        head = letters.get(place)
        if head is None:
            head = letters[place] = prefix + column_letters(place)
        names.append(f"{head}{number}")
    return names
