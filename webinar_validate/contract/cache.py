"""One validation run's state: the frame of cells and every parse the rules share.

A :class:`Context` caches trimmed text, each rule's failure mask, validity per column, parsed
instants and time zones, so that a rule comparing cells reuses its inputs' checks, and it looks
up cells for messages without turning whole columns into Python objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa

from webinar_validate.contract import scans as _bytescan
from webinar_validate.contract import values as _values

if TYPE_CHECKING:
    from webinar_validate.contract.columns import Rule, SessionContract

_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?"
ISO_WITH_OFFSET = _DATE + r"(?:Z|[+-][0-9]{2}:[0-9]{2})"
ISO_SHAPE = _DATE + r"(?:Z|[+-][0-9]{2}:[0-9]{2})?"
_DIRECT_LOOKUPS = 8
T = TypeVar("T")
R = TypeVar("R")
THREADS = 2
THREADED_ROWS = 20_000
"""From this many rows on, column work runs on THREADS threads (Arrow's kernels release the
GIL); below it the pool costs more than it saves."""


class Context:
    """One validation run: the frame of raw text cells and the parses every rule shares."""

    def __init__(
        self,
        contract: SessionContract,
        frame: pd.DataFrame,
        typed_dates: set[tuple[Any, str]] | None = None,
        row_numbers: pd.Series | None = None,
    ) -> None:
        self.contract = contract
        self.frame = frame
        self.typed_dates = typed_dates or set()
        self.row_numbers = row_numbers if row_numbers is not None else frame.index.to_series() + 2
        self.memo: dict[str, Any] = {}
        self._lookups: dict[int, tuple[pd.Series, dict[Any, Any] | None, int]] = {}
        self._focus: list[Any] | None = None
        self._focus_at: tuple[np.ndarray, list[Any]] | None = None
        self._once: dict[tuple[Any, ...], Any] = {}
        self.rules: dict[str, tuple[Rule, ...]] = {}
        self._text: dict[str, pd.Series] = {}
        self._fails: dict[tuple[str, int], pd.Series] = {}
        self._none: pd.Series | None = None
        self._instants: dict[str, tuple[pd.Series, pd.Series]] = {}

    def focus(self, indexes: list[Any] | None) -> None:
        """Name the rows messages will be built for: look-ups take only their cells (None: all)."""
        self._focus = indexes
        self._focus_at = None
        self._lookups.clear()

    def at(self, series: pd.Series, index: Any) -> Any:
        """One cell of a Series this run made, for a message.

        Messages are built per failing cell; after a few look-ups into the same Series the
        cells of every failing row (see :meth:`focus`) are taken out at once into a dict, so a
        million failing cells cost a million dict look-ups, and a column is never turned into
        a million Python objects for a few thousand messages.
        """
        key = id(series)
        hit = self._lookups.get(key)
        if hit is None or hit[0] is not series:
            hit = (series, None, 0)
        kept, table, uses = hit
        if table is None and uses >= _DIRECT_LOOKUPS:
            table = self._cells(series)
        self._lookups[key] = (kept, table, uses + 1)
        if table is not None and index in table:
            return table[index]
        return at(series, index)

    def _cells(self, series: pd.Series) -> dict[Any, Any]:
        wanted = self._focus
        if wanted is None:
            return dict(zip(series.index.tolist(), series.tolist(), strict=True))
        if series.index is self.frame.index or series.index.equals(self.frame.index):
            # most Series of a run: the rows' places are found once per focus
            if self._focus_at is None:
                self._focus_at = _places(series.index, wanted)
            positions, labels = self._focus_at
        else:
            positions, labels = _places(series.index, wanted)
        if isinstance(series.dtype, np.dtype):  # numpy's tolist, not an element-wise loop
            values = series.to_numpy()[positions].tolist()
        else:
            values = series.array.take(positions).tolist()
        return dict(zip(labels, values, strict=True))

    def raw(self, column: str) -> pd.Series:
        """The cells as read."""
        return self.frame[column]

    def prime_text(self, texts: dict[str, pd.Series]) -> None:
        """Hand over columns already trimmed (same index as the frame), so none is trimmed twice."""
        self._text.update(texts)

    def text(self, column: str) -> pd.Series:
        """The cells trimmed of surrounding white space (non-breaking spaces included): what
        is checked, and what validRows send for a text column (see :func:`trimmed_text`)."""
        if column not in self._text:
            self._text[column] = trimmed_text(self.frame[column])
        return self._text[column]

    def blank(self, column: str) -> pd.Series:
        """True where the trimmed cell is empty."""
        return self.text(column) == ""

    def failing(self, column: str, rule: Rule) -> pd.Series:
        """The rule's failure mask, computed once per run."""
        key = (column, id(rule))
        if key not in self._fails:
            # While a rule runs, it passes: a user rule may ask valid() of its own column.
            self._fails[key] = pd.Series(False, index=self.frame.index)
            mask = rule.fails(self, column).fillna(False).astype(bool)
            # Most rules fail nowhere: they share one mask, not a million bytes each.
            self._fails[key] = mask if mask.to_numpy().any() else self._passes()
        return self._fails[key]

    def _passes(self) -> pd.Series:
        if self._none is None:
            self._none = pd.Series(False, index=self.frame.index)
        return self._none

    def failing_any(self, column: str) -> pd.Series:
        """True where the cell breaks any rule of its column (computed once per run)."""
        key = f"any:{column}"
        if key not in self.memo:
            broken = np.zeros(len(self.frame), dtype=bool)
            for rule in self.rules.get(column, ()):
                mask = self.failing(column, rule)
                if mask is not self._none:
                    broken |= mask.to_numpy(dtype=bool)
            self.memo[key] = (
                pd.Series(broken, index=self.frame.index) if broken.any() else (self._passes())
            )
        result: pd.Series = self.memo[key]
        return result

    def prefetch_together(self, columns: list[str], rules: tuple[Rule, ...]) -> None:
        """Compute the masks of many columns that share ``rules`` (cell-local, built-in rules)
        in one pass over their cells laid end to end, as one column of a scratch run.

        A file of thousands of columns (Excel allows 16,384) would otherwise pay the per-column
        cost of every rule thousands of times: seconds per thousand columns.
        """
        rows = len(self.frame)
        if not columns or rows == 0:
            return
        name = "\x1fcolumns laid end to end"
        arrays = [arrow_values(self.frame[column]) for column in columns]
        if all(array is not None for array in arrays):  # no copy per column: one Arrow concat
            chunks = [c for a in arrays for c in (a.chunks if hasattr(a, "chunks") else [a])]
            kind = chunks[0].type
            # one array, not thousands of chunks: the byte scans work chunk by chunk
            combined = pa.concat_arrays([c if c.type == kind else c.cast(kind) for c in chunks])
            cells = pd.Series(pd.array(combined, dtype="str"))
        else:
            cells = pd.concat([self.frame[column] for column in columns], ignore_index=True)
        scratch = Context(self.contract, pd.DataFrame({name: cells}))
        scratch.rules[name] = rules
        for rule in rules:
            mask = scratch.failing(name, rule).to_numpy(dtype=bool).reshape(len(columns), rows)
            for column, row in zip(columns, mask, strict=True):
                self._fails[(column, id(rule))] = (
                    pd.Series(row, index=self.frame.index) if row.any() else self._passes()
                )

    def prefetch(self, rules: dict[str, list[Rule]]) -> None:
        """Compute these rules' masks ahead, a column per task, on two threads.

        Arrow's string kernels release the GIL, so two columns' passes run at once on two
        cores. Every rule given must read only its own column, whose caches its task alone
        fills; the masks are then looked up as usual.
        """

        def run(column: str) -> None:
            for rule in rules[column]:
                self.failing(column, rule)
            # Arrow's allocator keeps freed pages for reuse; hand back a column's temporaries
            # (about 100 MiB of peak memory at a million rows).
            pa.default_memory_pool().release_unused()

        on_threads(run, rules)

    def valid(self, column: str) -> pd.Series:
        """True where the cell is filled in and passed all of its own checks (computed once)."""
        key = f"valid:{column}"
        if key not in self.memo:
            ok = ~self.blank(column)
            for rule in self.rules.get(column, ()):
                if rule.own:
                    ok &= ~self.failing(column, rule)
            self.memo[key] = ok
        result: pd.Series = self.memo[key]
        return result

    def instants(self, column: str) -> tuple[pd.Series, pd.Series]:
        """(UTC instants where the cell has an offset and is a real date, naive local times)."""
        if column not in self._instants:
            text = self.text(column)
            shaped = text.str.fullmatch(ISO_SHAPE).fillna(False).astype(bool)
            aware = shaped & _ends_with_offset(text)
            naive = shaped & ~aware
            self._instants[column] = (
                parse_instants(text, aware, utc=True),
                parse_instants(text, naive, utc=False),
            )
        return self._instants[column]

    def per_distinct(self, column: str, func: Callable[[str], Any]) -> pd.Series:
        """``func`` of each trimmed cell, called once per distinct cell (an object Series, None
        where blank-null); the column is factorised once a run for every such check."""
        key = f"distinct:{column}"
        if key not in self.memo:
            self.memo[key] = pd.factorize(self.text(column), use_na_sentinel=True)
        codes, uniques = self.memo[key]
        results = np.empty(len(uniques) + 1, dtype=object)
        results[:-1] = [func(value) for value in uniques]
        results[-1] = None
        return pd.Series(results[codes], index=self.text(column).index, dtype=object)

    def zone(self, index: Any) -> str | None:
        """The row's canonical time zone, when its timeZone cell is valid."""
        if "timeZone" not in self.frame:
            return None
        zone: str | None = self.at(self.zones("timeZone"), index)
        return zone

    def zones(self, column: str) -> pd.Series:
        """Each cell's canonical IANA spelling, or None (once per distinct cell)."""
        key = f"zones:{column}"
        if key not in self.memo:
            self.memo[key] = per_value(self.text(column), _values.canonical_zone)
        zones: pd.Series = self.memo[key]
        return zones

    def once(self, func: Callable[..., Any], *args: Any) -> Any:
        """``func(*args)`` computed once per run for the same arguments (per-value work)."""
        key = (func, args)
        if key not in self._once:
            self._once[key] = func(*args)
        return self._once[key]


def on_threads(func: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[func(item) for item in items]``, computed on THREADS threads."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(func, items))


_PARSE_BLOCK = 1 << 16


def arrow_values(series: pd.Series) -> Any:
    """The Arrow array behind a Series, chunked as it is stored (no copy); None when the Series
    is not Arrow-backed (the checks then fall back to pandas' own string methods)."""
    if not hasattr(series.array, "__arrow_array__"):
        return None
    return pa.array(series.array)


def trimmed_text(raw: pd.Series) -> pd.Series:
    """The cells without the white space around them (``_values.TRIMMED``, what
    ``_values.trim`` removes); the column itself when no cell changes (the usual case), so that
    a big file is not held twice."""
    values = arrow_values(raw)
    if values is not None:
        stripped = _bytescan.trimmed(values, _values.TRIMMED)  # first and last bytes decide
        if stripped is values:
            return raw
        text = pd.Series(pd.array(stripped, dtype="str"), index=raw.index)
    else:
        text = raw.str.strip(_values.TRIMMED)
    if raw.str.len().sum() == text.str.len().sum():
        return raw
    return text


def arrow_column(series: pd.Series) -> Any:
    """An Arrow-backed Series as one Arrow array (its chunks combined)."""
    array = pa.array(series.array)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def parse_instants(text: pd.Series, keep: pd.Series, *, utc: bool) -> pd.Series:
    """``pd.to_datetime(text.where(keep), format="ISO8601", utc=utc, errors="coerce")``, in
    microseconds, by Arrow's C parser (~7x faster); a block with a value Arrow refuses (an
    impossible date such as 30 February) is parsed by pandas instead, so the result is the same.
    """
    import pyarrow.compute as pc

    values = arrow_column(text)
    values = pc.if_else(pa.array(keep.to_numpy(dtype=bool)), values, pa.scalar(None, values.type))
    unit = pa.timestamp("us", tz="UTC" if utc else None)
    out = np.empty(len(values), dtype="datetime64[us]")
    for start in range(0, len(values), _PARSE_BLOCK):
        part = values.slice(start, _PARSE_BLOCK)
        try:
            parsed = pc.cast(part, unit).to_numpy(zero_copy_only=False)
        except pa.ArrowInvalid:
            some = pd.Series(part.to_pylist(), dtype=object)
            found = pd.to_datetime(some, format="ISO8601", utc=utc, errors="coerce")
            parsed = (found.dt.tz_convert(None) if utc else found).to_numpy()
        out[start : start + len(part)] = parsed.astype("datetime64[us]")
    result: Any = pd.Series(out, index=text.index)
    instants: pd.Series = result.dt.tz_localize("UTC") if utc else result
    return instants


def _ends_with_offset(text: pd.Series) -> pd.Series:
    """Of cells shaped like ISO_SHAPE, True where the offset is there: ``Z`` last, or ``+`` or
    ``-`` sixth from the end (a time without offset has only digits, ``:``, ``.`` or ``T``
    there). Read off the bytes: one regular expression per column instead of two."""
    values = arrow_values(text)
    if values is None:
        return text.str.fullmatch(ISO_WITH_OFFSET).fillna(False).astype(bool)
    last = _bytescan.byte_from_end(values, 1)
    sign = _bytescan.byte_from_end(values, 6)
    ends = (last == ord("Z")) | (sign == ord("+")) | (sign == ord("-"))
    return pd.Series(ends, index=text.index)


def _places(index: pd.Index, wanted: list[Any]) -> tuple[np.ndarray, list[Any]]:
    """(positions in ``index``, labels) of the wanted labels it holds."""
    where = index.get_indexer(pd.Index(wanted))
    found = where >= 0
    return where[found], index[where[found]].tolist()


def at(series: pd.Series, index: Any) -> Any:
    """One cell of a Series, untyped (pandas-stubs types ``.at`` as a union of every scalar)."""
    value: Any = series.at[index]
    return value


def per_value(series: pd.Series, func: Any) -> pd.Series:
    """Apply a per-value function once per distinct value; an object Series (None for NA)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    results[:-1] = [func(value) for value in uniques]
    results[-1] = None
    return pd.Series(results[codes], index=series.index, dtype=object)
