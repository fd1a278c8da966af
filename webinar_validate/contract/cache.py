"""One validation run's state: the frame of cells and every parse the rules share.

A :class:`Context` caches trimmed text, each rule's failure mask, validity per column, parsed
instants and time zones, so that a rule comparing cells reuses its inputs' checks, and it looks
up cells for messages without turning whole columns into Python objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from webinar_validate.contract import values as _values
from webinar_validate.contract.cells import (
    _as_text,
    _ends_with_offset,
    _places,
    arrow_values,
    at,
    on_threads,
    parse_instants,
    per_value_codes,
    to_int,
    trimmed_text,
    values_at,
)
from webinar_validate.contract.values import ISO_SHAPE

if TYPE_CHECKING:
    from webinar_validate.contract.columns import Rule, SessionContract

_DIRECT_LOOKUPS = 8
_ABSENT = object()
THREADED_ROWS = 20_000
"""From this many rows on, column work runs on THREADS threads (Arrow's kernels release the
GIL); below it the pool costs more than it saves."""


_RUNNING: ContextVar[Context | None] = ContextVar("webinar_validate_run", default=None)


class Context:
    """One validation run: the frame of raw text cells and the parses every rule shares.

    This is the typed per-run cache the pandera checks reach: while the engine validates a
    frame (:meth:`running`), a check given one of that frame's columns finds the run's Context
    with :meth:`of` and reads every parse, mask and validity computed so far. Outside a run (a
    schema used with pandera alone) :meth:`of` makes a Context over what the check was given,
    and everything is computed afresh.
    """

    def __init__(
        self,
        contract: SessionContract,
        frame: pd.DataFrame,
        typed_dates: set[tuple[Any, str]] | None = None,
        row_numbers: pd.Series | None = None,
        rules: Callable[[str], tuple[Rule, ...]] | None = None,
        dataframe: str | None = None,
    ) -> None:
        self.contract = contract
        self.frame = frame
        self.typed_dates = typed_dates or set()
        """(index, column) of the cells typed as a date without an offset."""
        self.dataframe = dataframe
        """The library of the DataFrame the cells came from (``Table.dataframe``), None for a
        file: a typed date is then a datetime without a time zone, which a message tells a
        pipeline to localize, where it tells a spreadsheet user to format the cell as text."""
        self.row_numbers = row_numbers if row_numbers is not None else frame.index.to_series() + 2
        self.present: frozenset[str] = frozenset(frame.columns)
        """The columns the file itself has (the others were added blank)."""
        self.own_rules: dict[str, tuple[Rule, ...]] = {}
        """Per column, the rules of its cell's own checks: what :meth:`valid` asks."""
        self._rules_of = rules
        self._seen_index: pd.Index | None = None
        self._lookups: dict[int, tuple[pd.Series, dict[Any, Any] | None, int]] = {}
        self._focus: list[Any] | None = None
        self._focus_at: tuple[np.ndarray, list[Any]] | None = None
        self._once: dict[tuple[Any, ...], Any] = {}
        self._raw: dict[str, pd.Series] = {}
        self._text: dict[str, pd.Series] = {}
        self._fails: dict[tuple[str, tuple[object, ...]], pd.Series] = {}
        self._none: pd.Series | None = None
        self._instants: dict[str, tuple[pd.Series, pd.Series]] = {}
        self._valid: dict[str, pd.Series] = {}
        self._distinct: dict[str, tuple[np.ndarray, Any]] = {}
        self._zones: dict[str, pd.Series] = {}
        self._zone_parts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._integers: dict[str, pd.Series] = {}
        self._emails: dict[str, pd.Series] = {}
        self.first_rows: dict[str, pd.Series] = {}
        """Per duplicate rule, the number of the first row each repeat repeats (its message)."""
        self.hours: dict[str, pd.Series] = {}
        """Per end column, the session's length in hours."""
        self.closes_early: dict[str, pd.Series] = {}
        """Per enrollment end column, where enrollment closes before it opens."""

    # --- the run the checks reach ---------------------------------------------------------

    @contextmanager
    def running(self) -> Iterator[Context]:
        """While this block runs, the checks given this run's columns read this Context."""
        token = _RUNNING.set(self)
        try:
            yield self
        finally:
            _RUNNING.reset(token)

    def holds(self, cells: pd.Series | pd.DataFrame) -> bool:
        """True when ``cells`` are this run's frame or one of its columns."""
        if len(cells) != len(self.frame):
            return False
        if isinstance(cells, pd.Series) and cells.name not in self.frame.columns:
            return False
        if cells.index is self.frame.index or cells.index is self._seen_index:
            return True
        if cells.index.equals(self.frame.index):  # a view of the frame: its index, copied
            self._seen_index = cells.index
            return True
        return False

    @classmethod
    def of(
        cls,
        cells: pd.Series | pd.DataFrame,
        contract: SessionContract,
        rules: Callable[[str], tuple[Rule, ...]],
    ) -> Context:
        """The running Context when ``cells`` are its own; else a new one over ``cells`` (as
        text: missing values are blank) judged by ``contract`` with its columns' ``rules``."""
        run = _RUNNING.get()
        if run is not None and run.holds(cells):
            return run
        frame = cells.to_frame() if isinstance(cells, pd.Series) else cells
        text = pd.DataFrame(
            {name: _as_text(frame[name]) for name in frame.columns}, index=frame.index
        )
        return cls(contract, text, rules=rules)

    def rules_of(self, column: str) -> tuple[Rule, ...]:
        """The own-check rules of a column: as the run assigned them, else as the contract's."""
        rules = self.own_rules.get(column)
        if rules is None:
            rules = self._rules_of(column) if self._rules_of is not None else ()
            self.own_rules[column] = rules
        return rules

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
        hit = self._lookups.get(id(series))
        if hit is not None and hit[0] is series:
            table = hit[1]
            if table is not None:  # the usual case: one dict look-up
                value = table.get(index, _ABSENT)
                return at(series, index) if value is _ABSENT else value
            uses = hit[2]
        else:
            uses = 0
        if uses >= _DIRECT_LOOKUPS:
            table = self._cells(series)
            self._lookups[id(series)] = (series, table, uses + 1)
            if index in table:
                return table[index]
        else:
            self._lookups[id(series)] = (series, None, uses + 1)
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
            values = values_at(series, positions)
        return dict(zip(labels, values, strict=True))

    def raw(self, column: str) -> pd.Series:
        """The cells as read (all blank for a column the frame lacks)."""
        if column not in self._raw:  # a Series costs some 25 µs to make: 16,384 columns...
            if column not in self.frame.columns:
                return self._blank_column()
            self._raw[column] = self.frame[column]
        return self._raw[column]

    def prime_raw(self, columns: dict[str, pd.Series]) -> None:
        """Hand over the frame's columns as Series already made (the frame's own)."""
        self._raw.update(columns)

    def _blank_column(self) -> pd.Series:
        return pd.Series(pd.array([""] * len(self.frame), dtype="str"), index=self.frame.index)

    def prime_text(self, texts: dict[str, pd.Series]) -> None:
        """Hand over columns already trimmed (same index as the frame), so none is trimmed twice."""
        self._text.update(texts)

    def text(self, column: str) -> pd.Series:
        """The cells trimmed of surrounding white space (non-breaking spaces included): what
        is checked, and what validRows send for a text column (see :func:`trimmed_text`)."""
        if column not in self._text:
            self._text[column] = trimmed_text(self.raw(column))
        return self._text[column]

    def blank(self, column: str) -> pd.Series:
        """True where the trimmed cell is empty."""
        return self.text(column) == ""

    def failing(self, column: str, rule: Rule) -> pd.Series:
        """The rule's failure mask, computed once per run."""
        key = (column, rule.key)
        if key not in self._fails:
            # While a rule runs, it passes: a user rule may ask valid() of its own column.
            self._fails[key] = pd.Series(False, index=self.frame.index)
            mask = rule.fails(self, column).fillna(False).astype(bool)
            # Most rules fail nowhere: they share one mask, not a million bytes each.
            self._fails[key] = mask if mask.to_numpy().any() else self._passes()
        return self._fails[key]

    def row_numbers_at(self, labels: np.ndarray) -> np.ndarray:
        """The row numbers of the rows with these index labels."""
        numbers = self.row_numbers
        if isinstance(numbers.index, pd.RangeIndex) and numbers.index.start == 0:
            return np.asarray(numbers.to_numpy()[labels])  # labels are positions
        return np.asarray(numbers.loc[labels].to_numpy())

    def fails_anywhere(self, column: str, rule: Rule) -> bool:
        """True when the rule fails on some cell of the column."""
        return self.failing(column, rule) is not self._passes()

    def _passes(self) -> pd.Series:
        if self._none is None:
            self._none = pd.Series(False, index=self.frame.index)
        return self._none

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
        arrays = [arrow_values(self.raw(column)) for column in columns]
        if all(array is not None for array in arrays):  # no copy per column: one Arrow concat
            chunks = [c for a in arrays for c in (a.chunks if hasattr(a, "chunks") else [a])]
            kind = chunks[0].type
            # one array, not thousands of chunks: the byte scans work chunk by chunk
            combined = pa.concat_arrays([c if c.type == kind else c.cast(kind) for c in chunks])
            cells = pd.Series(pd.array(combined, dtype="str"))
        else:
            cells = pd.concat([self.frame[column] for column in columns], ignore_index=True)
        scratch = Context(self.contract, pd.DataFrame({name: cells}))
        for rule in rules:
            mask = scratch.failing(name, rule).to_numpy(dtype=bool).reshape(len(columns), rows)
            for column, row in zip(columns, mask, strict=True):
                self._fails[(column, rule.key)] = (
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
        if column not in self._valid:
            ok = ~self.blank(column)
            for rule in self.rules_of(column):
                if rule.own:
                    ok &= ~self.failing(column, rule)
            self._valid[column] = ok
        return self._valid[column]

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
        if column not in self._distinct:
            self._distinct[column] = pd.factorize(self.text(column), use_na_sentinel=True)
        codes, uniques = self._distinct[column]
        results = np.empty(len(uniques) + 1, dtype=object)
        results[:-1] = [func(value) for value in uniques]
        results[-1] = None
        return pd.Series(results[codes], index=self.text(column).index, dtype=object)

    def zone(self, index: Any, column: str = "timeZone") -> str | None:
        """The row's canonical time zone, when its time-zone cell is valid."""
        if column not in self.present:
            return None
        zone: str | None = self.at(self.zones(column), index)
        return zone

    def zones(self, column: str) -> pd.Series:
        """Each cell's canonical IANA spelling, or None (once per distinct cell)."""
        if column not in self._zones:
            codes, results = self._zone_codes(column)
            self._zones[column] = pd.Series(results[codes], index=self.frame.index, dtype=object)
        return self._zones[column]

    def zone_codes(self, column: str) -> tuple[np.ndarray, list[str]]:
        """(a code per cell, the distinct canonical zones it names): -1 where the cell names
        none; from the one reading of each distinct cell that :meth:`zones` makes."""
        codes, results = self._zone_codes(column)
        named, zones = pd.factorize(results, use_na_sentinel=True)  # a few distinct cells
        return np.asarray(named)[codes], [str(zone) for zone in zones]

    def _zone_codes(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        if column not in self._zone_parts:
            text = self.text(column)
            self._zone_parts[column] = per_value_codes(text, _values.canonical_zone)
        return self._zone_parts[column]

    def integers(self, column: str) -> pd.Series:
        """The whole numbers of a column (Int64, NA where blank or not whole); once a run."""
        if column not in self._integers:
            text = self.text(column)
            digits = text.where(text.str.fullmatch(_values.WHOLE_NUMBER).fillna(False).astype(bool))
            codes, uniques = pd.factorize(digits, use_na_sentinel=True)
            known = pd.array([*(to_int(value) for value in uniques), None], dtype="Int64")
            self._integers[column] = pd.Series(known[codes], index=text.index)  # -1: the None
        return self._integers[column]

    def email_problems(self, column: str) -> pd.Series:
        """(address, why) of each cell's first invalid address, or None; once per distinct
        cell."""
        if column not in self._emails:
            self._emails[column] = self.per_distinct(column, _values.emails_problem)
        return self._emails[column]

    def once(self, func: Callable[..., Any], *args: Any) -> Any:
        """``func(*args)`` computed once per run for the same arguments (per-value work)."""
        key = (func, args)
        if key not in self._once:
            self._once[key] = func(*args)
        return self._once[key]
