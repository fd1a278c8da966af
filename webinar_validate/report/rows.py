"""Report rows kept as arrays until used, and the report's rows written as JSON in blocks.

A million rows as pydantic objects cost gigabytes and seconds. :class:`ValidRows` keeps the
valid rows' normalised values as Arrow arrays; :class:`InvalidRows` keeps what failed as arrays
and makes the row objects, messages included, a block at a time. Both behave as the lists of
row objects that the report's model declares, building every object only on first use as a
list. The JSON writers here stream rows a block at a time, valid rows straight from their
columns (see :mod:`._rowjson`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

from webinar_validate._gc import gc_paused

if TYPE_CHECKING:
    from pydantic import TypeAdapter

    from webinar_validate.report.model import InvalidRow, ValidRow  # noqa: F401 (generic bases)

T = TypeVar("T")
# Rows are made from the run's shared state (its caches, the rows messages look up): one maker
# at a time, so that two threads using the same report neither race nor build its rows twice.
_MAKING = threading.RLock()
R = TypeVar("R")
JSON_BLOCK = 65_536

RowColumns = dict[str, Any]
"""Normalised values column-wise: column name -> an Arrow array, one value per valid row."""


def _building(name: str) -> Any:
    method = getattr(list, name)

    def wrapper(self: _LazyRows[Any], *args: Any, **kwargs: Any) -> Any:
        self.build()
        return method(self, *args, **kwargs)

    wrapper.__name__ = name
    wrapper.__doc__ = method.__doc__
    return wrapper


class _LazyRows(list[T]):
    """A list of report rows that are made only when used as a list.

    Subclasses say how many rows there are and how to make them; any list operation makes them
    all, once, and from then on this is a plain list.
    """

    _make: Any = None

    @property
    def pending(self) -> bool:
        """True while the rows are not made yet."""
        return self._make is not None

    def build(self) -> None:  # pragma: no cover - every subclass overrides it
        """Make the rows (once)."""
        raise NotImplementedError

    def _count(self) -> int:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def __len__(self) -> int:
        return self._count() if self._make is not None else list.__len__(self)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __repr__(self) -> str:
        if self._make is not None:
            return f"<{type(self).__name__}: {len(self)} rows, not built yet>"
        return list.__repr__(self)

    def __reduce__(self) -> Any:
        self.build()
        return (list, (list(iter(self)),))

    __iter__ = _building("__iter__")
    __getitem__ = _building("__getitem__")
    __contains__ = _building("__contains__")
    __eq__ = _building("__eq__")
    __ne__ = _building("__ne__")
    __reversed__ = _building("__reversed__")
    __add__ = _building("__add__")
    __iadd__ = _building("__iadd__")
    __mul__ = _building("__mul__")
    __setitem__ = _building("__setitem__")
    __delitem__ = _building("__delitem__")
    append = _building("append")
    extend = _building("extend")
    insert = _building("insert")
    pop = _building("pop")
    remove = _building("remove")
    clear = _building("clear")
    sort = _building("sort")
    reverse = _building("reverse")
    index = _building("index")
    count = _building("count")
    copy = _building("copy")
    __hash__ = None


class ValidRows(_LazyRows["ValidRow"]):
    """``validRows``, kept column-wise until a row object is asked for.

    A million valid rows as objects cost gigabytes and seconds; a report that is only counted,
    written as JSON (from the columns) or turned into a DataFrame never builds them. Any list
    operation builds them all, once, and then this is a plain list of ValidRow.
    """

    def __init__(
        self, row_numbers: Sequence[int], columns: Callable[[], RowColumns] | None = None
    ) -> None:
        super().__init__()
        self._numbers = row_numbers
        self._make = columns
        self._columns: RowColumns | None = None

    def _count(self) -> int:
        return len(self._numbers)

    def columns(self) -> tuple[Sequence[int], RowColumns] | None:
        """(row numbers, normalised columns) while pending, else None (use the rows)."""
        with _MAKING:
            if self._make is None:
                return None
            if self._columns is None:
                self._columns = self._make()
            return self._numbers, self._columns

    def build(self) -> None:
        """Turn the columns into ValidRow objects (once)."""
        with _MAKING:
            self._build()

    def _build(self) -> None:
        parts = self.columns()
        if parts is None:
            return
        numbers = [int(n) for n in parts[0]]
        columns = parts[1]
        keys = list(columns)
        lists = [columns[key].to_pylist() for key in keys]
        self._make, self._columns = None, None
        rows = (
            zip(numbers, zip(*lists, strict=True), strict=True)
            if lists
            else ((number, ()) for number in numbers)
        )
        from webinar_validate.report.model import ValidRow

        with gc_paused():
            list.extend(
                self,
                (
                    ValidRow.trusted(rowNumber=number, values=dict(zip(keys, values, strict=True)))
                    for number, values in rows
                ),
            )


class ErrorRecord(NamedTuple):
    """One failing cell, as a CellError holds it, before any object is made of it."""

    column: str | None
    cell: str
    code: str
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


class RowSource(Protocol):
    """Makes the invalid rows ``[start, stop)`` in each of the forms the writers use."""

    def errors(self, start: int, stop: int) -> list[tuple[int, list[ErrorRecord]]]:
        """(rowNumber, errors) of each row."""

    def rows(self, start: int, stop: int) -> list[InvalidRow]:
        """The InvalidRow objects."""

    def json(self, start: int, stop: int) -> list[str]:
        """Each row's JSON text."""


class InvalidRows(_LazyRows["InvalidRow"]):
    """``invalidRows``, made a block at a time when written, or all at once when used as a list.

    Half a million invalid rows with their messages cost seconds and gigabytes as objects. The
    validation keeps what failed as arrays (row, column, rule); the writers ask a block at a
    time for the errors (text), the JSON text, or the row objects (``blocks()``), so that only a
    block is ever alive. Any list operation makes every object, once, and then this is a plain
    list.
    """

    def __init__(self, count: int, source: RowSource) -> None:
        super().__init__()
        self._total = count
        self._make = source

    def _count(self) -> int:
        return self._total

    def _spans(self, size: int) -> Iterator[tuple[int, int]]:
        for start in range(0, self._total, size):
            yield start, min(start + size, self._total)

    def blocks(self, size: int = JSON_BLOCK) -> Iterator[list[InvalidRow]]:
        """The rows in order, ``size`` at a time; while pending, none is kept after its block."""
        source: RowSource | None = self._make
        if source is None:
            for start in range(0, list.__len__(self), size):
                yield list.__getitem__(self, slice(start, start + size))
            return
        for start, stop in self._spans(size):
            with _MAKING, gc_paused():
                block = source.rows(start, stop)
            yield block

    def errors(self, size: int = JSON_BLOCK) -> Iterator[tuple[int, Sequence[CellLike]]]:
        """(rowNumber, errors) of each row in order; while pending, no row object is made."""
        source: RowSource | None = self._make
        if source is None:
            for row in list.__iter__(self):
                yield row.rowNumber, row.errors
            return
        for start, stop in self._spans(size):
            with _MAKING:
                made = source.errors(start, stop)
            yield from made

    def json_lines(self, size: int = JSON_BLOCK) -> Iterator[list[str]]:
        """While pending, each block's rows as JSON text, one line per row (no object made)."""
        source: RowSource | None = self._make
        if source is None:
            raise ValueError("the rows are built: write them with their model")
        for start, stop in self._spans(size):
            with _MAKING:
                lines = source.json(start, stop)
            yield lines

    def build(self) -> None:
        """Make every row object (once)."""
        with _MAKING:
            if self._make is None:
                return
            rows = [row for block in self.blocks() for row in block]
            self._make = None
            list.extend(self, rows)


def errors_of(rows: Sequence[InvalidRow]) -> Iterator[tuple[int, Sequence[CellLike]]]:
    """(rowNumber, errors) of each invalid row; lazy rows make no row object for it."""
    if isinstance(rows, InvalidRows):
        yield from rows.errors()
    else:
        for row in rows:
            yield row.rowNumber, row.errors


def stream(rows: Sequence[R]) -> Iterator[R]:
    """Each row in order; lazy invalid rows are made a block at a time and not kept."""
    if isinstance(rows, InvalidRows) and rows.pending:
        for block in rows.blocks():
            yield from block  # type: ignore[misc]
    else:
        yield from rows


def blocks_of(rows: Sequence[R]) -> Iterator[Sequence[R]]:
    """The rows in blocks of JSON_BLOCK; lazy invalid rows are made a block at a time."""
    if isinstance(rows, InvalidRows):
        yield from rows.blocks()  # type: ignore[misc]
        return
    for start in range(0, len(rows), JSON_BLOCK):
        yield rows[start : start + JSON_BLOCK]


def rows_json(adapter: TypeAdapter[Any], rows: Sequence[Any], indent: int | None) -> Iterator[str]:
    """Row objects as the inside of a JSON list, a block at a time, at the report's depth."""
    for n, block in enumerate(blocks_of(rows)):
        text = adapter.dump_json(block, indent=indent).decode()
        body = text[1:-1]  # the list's items; JSON strings hold no raw line breaks
        if indent is not None:
            body = body.rstrip("\n").replace("\n", "\n" + " " * (3 * indent))
        yield ("," if n else "") + body


def lines_json(blocks: Iterator[list[str]], indent: int | None) -> Iterator[str]:
    """Rows given as JSON text, one per line, as the inside of the report's list."""
    inner = "\n" + " " * (4 * indent) if indent is not None else ""
    first = True
    for block in blocks:
        if block:
            yield ("" if first else ",") + inner + f",{inner}".join(block)
            first = False


def columns_json(
    numbers: Sequence[int], columns: RowColumns, indent: int | None
) -> Iterator[bytes]:
    """Valid rows from their Arrow columns, one compact object per line, a block at a time, as
    UTF-8 bytes (no str is made of them: the CLI writes them as they are)."""
    from webinar_validate.report.writer import row_objects_json

    inner = "\n" + " " * (4 * indent) if indent is not None else ""
    for start in range(0, len(numbers), JSON_BLOCK):
        stop = min(start + JSON_BLOCK, len(numbers))
        block = {key: column.slice(start, stop - start) for key, column in columns.items()}
        texts = row_objects_json(_int_array(numbers[start:stop]), block)
        yield (("," if start else "") + inner).encode() + _joined(texts, f",{inner}")


def _joined(texts: Any, separator: str) -> bytes:
    """An Arrow string array joined in C into one piece of UTF-8 (no Python object per row)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    whole = pa.LargeListArray.from_arrays(pa.array([0, len(texts)], pa.int64()), texts)
    joined = pc.binary_join(whole, pa.scalar(separator, texts.type))[0]
    data: bytes = joined.as_buffer().to_pybytes()
    return data


def _int_array(numbers: Sequence[int]) -> Any:
    import pyarrow as pa

    return pa.array(numbers, type=pa.int64())
