"""The report's rows as data: valid rows column-wise, invalid rows as an error table.

A million rows as pydantic objects cost gigabytes and seconds. :class:`ValidRows` holds the
valid rows' normalised values as Arrow arrays; :class:`InvalidRows` holds every error as arrays
(an :class:`ErrorTable`, ``report.error_table``) and reads the rows' cells from the judged Table.
Both are read-only sequences, finished inside the run: a row object is made when it is asked
for (by index, slice or while iterating, a block at a time) and is never kept, so that writing
or counting them makes none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, overload

from webinar_validate._gc import gc_paused
from webinar_validate.report.error_table import CellLike, ErrorRecord, ErrorTable
from webinar_validate.report.items import CellError, InvalidRow, ValidRow

if TYPE_CHECKING:  # numpy and pyarrow are imported by the engine that makes these rows
    import numpy as np
    import numpy.typing as npt

    Ints = npt.NDArray[np.int64]

R = TypeVar("R")
JSON_BLOCK = 65_536
"""Rows made (and written) at a time: only one block of row objects is ever alive."""


def _ints(values: Sequence[int] | Ints) -> Ints:
    """A read-only int64 copy: nobody else's array."""
    import numpy as np

    copied = np.array(values, dtype=np.int64)
    copied.flags.writeable = False
    return copied


class _Rows(Sequence[R]):
    """A read-only sequence whose items are made ``[start, stop)`` at a time."""

    __slots__ = ()

    def _make(self, start: int, stop: int) -> list[R]:  # pragma: no cover - overridden
        raise NotImplementedError

    def _take(self, where: Sequence[int]) -> list[R]:
        return [row for i in where for row in self._make(i, i + 1)]

    @overload
    def __getitem__(self, key: int) -> R: ...
    @overload
    def __getitem__(self, key: slice) -> list[R]: ...
    def __getitem__(self, key: int | slice) -> R | list[R]:
        count = len(self)
        if isinstance(key, slice):
            picked = range(count)[key]
            if picked.step == 1:
                return self._make(picked.start, max(picked.start, picked.stop))
            return self._take(picked)
        at = key.__index__()
        if not -count <= at < count:
            raise IndexError(f"{type(self).__name__} index out of range")
        at %= count
        return self._make(at, at + 1)[0]

    def __iter__(self) -> Iterator[R]:
        for start in range(0, len(self), JSON_BLOCK):
            yield from self._make(start, min(start + JSON_BLOCK, len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # equal to lists, which are not hashable

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {len(self)} rows>"


class ValidRows(_Rows[ValidRow]):
    """``validRows``: row numbers and each column's normalised values as an Arrow array.

    A report that is counted, written as JSON or turned into a DataFrame makes no ValidRow.
    """

    __slots__ = ("_columns", "_later", "_numbers")

    def __init__(
        self,
        row_numbers: Sequence[int] | Ints,
        columns: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    ) -> None:
        """``columns``: the normalised columns, or what makes them when first asked (an object
        that owns what it reads: the valid rows are normalised only if they are used)."""
        self._numbers = _ints(row_numbers)
        self._later: Callable[[], Mapping[str, Any]] | None = None
        self._columns: dict[str, Any] = {}
        if callable(columns):
            self._later = columns
        else:
            self._set(columns)

    def _set(self, columns: Mapping[str, Any]) -> None:
        if any(len(column) != len(self._numbers) for column in columns.values()):
            raise ValueError("every column needs one value per row number")
        self._columns = dict(columns)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (and deep-copied) as its row numbers and made columns."""
        return (ValidRows, (self._numbers, self._made()))

    def _made(self) -> dict[str, Any]:
        later = self._later
        if later is not None:  # two threads may both make them: the same values, kept once
            self._set(later())
            self._later = None
        return self._columns

    @property
    def row_numbers(self) -> Ints:
        """The valid rows' numbers (read-only)."""
        return self._numbers

    @property
    def columns(self) -> dict[str, Any]:
        """Column name -> Arrow array of the normalised values, one per valid row."""
        return dict(self._made())

    def __len__(self) -> int:
        return len(self._numbers)

    def _make(self, start: int, stop: int) -> list[ValidRow]:
        columns = self._made()
        keys = list(columns)
        lists = [columns[key].slice(start, stop - start).to_pylist() for key in keys]
        numbers = self._numbers[start:stop].tolist()
        values = zip(*lists, strict=True) if lists else (() for _ in numbers)
        trusted = ValidRow.trusted
        with gc_paused():
            return [
                trusted(rowNumber=number, values=dict(zip(keys, cells, strict=True)))
                for number, cells in zip(numbers, values, strict=True)
            ]


class InvalidRows(_Rows[InvalidRow]):
    """``invalidRows``: the errors as an :class:`ErrorTable` and the rows' cells as read, which
    stay in the judged Table (the error table's ``indexes`` are its data-row indexes, ``keys``
    name its columns).

    Half a million invalid rows as objects cost seconds and gigabytes: the writers ask for a
    block at a time, as errors (:meth:`errors`), JSON text (:meth:`json_lines`) or objects.
    """

    __slots__ = ("_errors", "_indexes", "_keys", "_table")

    def __init__(self, errors: ErrorTable, keys: Sequence[str]) -> None:
        if len(keys) != len(errors.table.header):
            raise ValueError("one key per table column")
        self._errors = errors
        self._table = errors.table
        self._indexes = errors.indexes
        self._keys = tuple(keys)

    @property
    def error_table(self) -> ErrorTable:
        """Every error of these rows, column-wise."""
        return self._errors

    def __len__(self) -> int:
        return len(self._indexes)

    def _spans(self, size: int) -> Iterator[tuple[int, int]]:
        count = len(self)
        for start in range(0, count, size):
            yield start, min(start + size, count)

    def _make(self, start: int, stop: int) -> list[InvalidRow]:
        keys = self._keys
        cells = self._table.row_values(self._indexes[start:stop].tolist())
        with gc_paused():
            return [
                InvalidRow.trusted(
                    rowNumber=number,
                    values=dict(zip(keys, row, strict=True)),
                    errors=[CellError.trusted(**error._asdict()) for error in errors],
                )
                for (number, errors), row in zip(
                    self._errors.records(start, stop), cells, strict=True
                )
            ]

    def blocks(self, size: int = JSON_BLOCK) -> Iterator[list[InvalidRow]]:
        """The row objects in order, ``size`` at a time."""
        for start, stop in self._spans(size):
            yield self._make(start, stop)

    def errors(self, size: int = JSON_BLOCK) -> Iterator[tuple[int, list[ErrorRecord]]]:
        """(rowNumber, errors) of each row in order, without making a row object."""
        for start, stop in self._spans(size):
            yield from self._errors.records(start, stop)

    def json_lines(self, size: int = JSON_BLOCK) -> Iterator[list[str]]:
        """Each block's rows as JSON text, one line per row, as ``json.dumps`` writes their
        ``model_dump``: the cells column-wise from the table, the errors per failing cell."""
        import pyarrow as pa

        from webinar_validate.report.writer import row_objects_json
        from webinar_validate.table import take

        columns = self._table.columns
        for start, stop in self._spans(size):
            where = self._indexes[start:stop]
            numbers = pa.array(self._errors.row_numbers[start:stop], type=pa.int64())
            cells = {key: take(col, where) for key, col in zip(self._keys, columns, strict=True)}
            heads = row_objects_json(numbers, cells).to_pylist()
            yield [
                f'{head[:-1]}, "errors": [{", ".join(error.json() for error in errors)}]}}'
                for head, (_, errors) in zip(heads, self._errors.records(start, stop), strict=True)
            ]


def errors_of(rows: Sequence[InvalidRow]) -> Iterator[tuple[int, Sequence[CellLike]]]:
    """(rowNumber, errors) of each invalid row; an InvalidRows makes no row object for it."""
    if isinstance(rows, InvalidRows):
        yield from rows.errors()
    else:
        for row in rows:
            yield row.rowNumber, row.errors
