"""Warnings for likely mistakes (CONTRACT.md v2): cells that pass every check but probably do
not say what their author meant.

``offset_mismatch`` (a date-time's written offset is not its row's timeZone's offset at that
moment), ``starts_in_the_past`` (startDate before the run's clock) and ``price_looks_like_units``
(priceInCents from 1 to 99). They look only at the rows the run found valid: a warning about a
row that already has errors is noise, and these rows are what the import would take.

Each check is vectorised over those rows from the run's cache (:class:`Context`); per-value
Python work is done once per distinct time zone or offset. A check gives one :class:`Mistake` per
column, however many cells it finds: its message speaks of the first cell (its value, the
likely mistake, what to check) and lists the next cells and how many more there are. The
contract knows nothing of files: the caller names the cells (``cell_of``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from webinar_validate.codes import Code
from webinar_validate.contract import scans as _bytescan
from webinar_validate.contract.cache import Context
from webinar_validate.contract.cells import arrow_values
from webinar_validate.contract.columns import Col, Kind

CellsOf = Callable[[str, np.ndarray], list[str]]
"""``cell_of(column, positions)``: the A1 names of a column's cells in these frame rows."""

SHOWN = 10
"""How many cells a warning names; the others are counted."""
_SMALLEST_PRICE = 100
"""priceInCents below this (and above 0) is likely a price in whole units."""
_UTC_NOTATIONS = ("Z", "+00:00", "-00:00")
"""Ways to write an instant in UTC; any zone accepts them (Python's isoformat writes +00:00)."""
_OFFSET = re.compile(r"[+-][0-9]{2}:[0-9]{2}")


@dataclass(frozen=True, slots=True)
class Mistake:
    """One warning: its code, message and the (first) cell it names."""

    code: Code
    message: str
    cell: str


def likely_mistakes(
    ctx: Context, positions: np.ndarray, now: datetime, cell_of: CellsOf
) -> list[Mistake]:
    """The warnings about the valid rows at ``positions`` in ``ctx.frame``; ``now`` (aware)
    is the run's clock."""
    found: list[Mistake] = []
    if not len(positions):
        return found
    found.extend(_offset_mismatches(ctx, positions, cell_of))
    found.extend(_past_starts(ctx, positions, now, cell_of))
    found.extend(_unit_prices(ctx, positions, cell_of))
    return found


def _columns_of(ctx: Context, kind: Kind) -> Iterator[str]:
    """The contract's columns of ``kind`` that the file has."""
    for spec in ctx.contract.columns:
        if spec.kind is kind and spec.name in ctx.present:
            yield spec.name


def _has(ctx: Context, column: str) -> bool:
    return ctx.contract.column(column) is not None and column in ctx.present


# --- offset_mismatch -----------------------------------------------------------------------


def _offset_mismatches(ctx: Context, positions: np.ndarray, cell_of: CellsOf) -> list[Mistake]:
    if not _has(ctx, Col.TIME_ZONE):
        return []
    factorized: tuple[np.ndarray, list[str]] | None = None  # the zones, when a cell has an offset
    # Whole columns, the rows not in ``positions`` masked out: no copy of a column's cells.
    judged = np.zeros(len(ctx.frame), dtype=bool)
    judged[positions] = True
    compared = []  # per column with an offset somewhere: (column, UTC instants, cells compared)
    for column in _columns_of(ctx, Kind.INSTANT):
        text = ctx.text(column)
        if _all_in_utc(text):  # written with Z, as exports mostly are: nothing to compare
            continue
        written = _written_minutes(text)
        written[~judged] = np.nan
        if np.isnan(written).all():
            continue
        if factorized is None:
            factorized = ctx.zone_codes(Col.TIME_ZONE)
        utc = ctx.instants(column)[0]
        stamps = utc.dt.tz_localize(None).to_numpy()
        at = np.flatnonzero(~np.isnan(written) & ~np.isnat(stamps) & (factorized[0] >= 0))
        compared.append((column, utc, at, written[at], stamps[at]))
    if factorized is None or not compared:
        return []
    zone_of, zones = factorized
    # Every column's cells in one conversion per distinct zone (not one per zone and column).
    offsets = _zone_minutes(
        np.concatenate([stamps for *_, stamps in compared]),
        np.concatenate([zone_of[at] for _, _, at, _, _ in compared]),
        list(zones),
    )
    found = []
    ends = np.cumsum([len(at) for _, _, at, _, _ in compared])
    for (column, utc, at, written, _), zone_minutes in zip(
        compared, np.split(offsets, ends[:-1]), strict=True
    ):
        wrong = at[written != zone_minutes]
        if len(wrong):
            first = int(wrong[0])
            zone = str(zones[zone_of[first]])
            local = utc.iloc[first].tz_convert(ZoneInfo(zone))
            said = _OffsetCell(column, str(ctx.text(column).iloc[first]), zone, local)
            found.append(_grouped(Code.OFFSET_MISMATCH, wrong, column, cell_of, said))
    return found


def _all_in_utc(text: pd.Series) -> bool:
    """True when every cell ends with ``Z`` (or is blank): read off the last bytes."""
    values = arrow_values(text)
    if values is None:
        return bool(((text == "") | text.str.endswith("Z")).all())
    last = _bytescan.byte_from_end(values, 1)
    return bool(((last == ord("Z")) | (last == 0)).all())


def _written_minutes(text: pd.Series) -> np.ndarray:
    """The UTC offset each cell was written with, in minutes; NaN where it is written in UTC
    (``Z``, ``±00:00``) or has none. Read off the last six bytes (``±hh:mm`` is ASCII, so a
    cell whose last six characters are not all ASCII has no offset either way)."""
    values = arrow_values(text)
    if values is not None:
        minutes = _bytescan.written_offset(values)
        minutes[minutes == 0] = np.nan  # ±00:00 is UTC
        return minutes
    codes, endings = pd.factorize(text.str.slice(-6), use_na_sentinel=True)
    minutes = np.array([*(_minutes(str(ending)) for ending in endings), np.nan])
    return np.asarray(minutes[codes], dtype=np.float64)  # code -1 (a blank cell): the NaN


def _minutes(ending: str) -> float:
    if ending.endswith(_UTC_NOTATIONS) or not _OFFSET.fullmatch(ending):
        return np.nan
    sign = -1 if ending[0] == "-" else 1
    return float(sign * (int(ending[1:3]) * 60 + int(ending[4:6])))


def _zone_minutes(stamps: np.ndarray, zone_of: np.ndarray, zones: list[str]) -> np.ndarray:
    """The UTC offset, in minutes, of each row's zone (``zones[zone_of]``) at its UTC instant
    (naive ``stamps``): one vectorised conversion and one ZoneInfo per distinct zone."""
    minutes = np.zeros(len(stamps), dtype=np.float64)
    # a few hundred zones at most: 16-bit codes sort by radix (a million in a few ms)
    order = np.argsort(zone_of.astype(np.int16 if len(zones) < 2**15 else np.int64), kind="stable")
    bounds = np.searchsorted(zone_of[order], np.arange(len(zones) + 1))
    for k, zone in enumerate(zones):
        rows = order[bounds[k] : bounds[k + 1]]
        if not len(rows):
            continue
        tz = ZoneInfo(zone)
        some = stamps[rows]
        if len(rows) < _FEW_STAMPS and some.min() > _EARLIEST and some.max() < _LATEST:
            # pandas' first conversion into a zone costs ~1 ms (it reads the zone's
            # transitions); zoneinfo answers a few hundred instants sooner
            minutes[rows] = [
                stamp.replace(tzinfo=UTC).astimezone(tz).utcoffset() // _MINUTE
                for stamp in some.astype("datetime64[us]").tolist()
            ]
            continue
        naive = pd.DatetimeIndex(some)
        local = naive.tz_localize("UTC").tz_convert(tz).tz_localize(None)
        minutes[rows] = (local - naive).to_numpy() // np.timedelta64(1, "m")
    return minutes


_FEW_STAMPS = 512
"""Below this many instants in a zone, their offsets are asked of zoneinfo one by one."""
_EARLIEST, _LATEST = np.datetime64("0002-01-01"), np.datetime64("9998-12-31")
"""Instants Python's datetime holds with a day to spare for any zone's offset."""
_MINUTE = timedelta(minutes=1)


def _offset(local: pd.Timestamp) -> str:
    """``-04:00``: a local time's UTC offset as a date-time writes it."""
    offset = local.utcoffset()
    total = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "-" if total < 0 else "+"
    hours, minutes = divmod(abs(total), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


@dataclass(frozen=True, slots=True)
class _OffsetCell:
    column: str
    value: str
    zone: str
    local: pd.Timestamp

    def __call__(self, cell: str) -> tuple[str, str]:
        offset = _offset(self.local)
        there = self.local.strftime("%Y-%m-%dT%H:%M:%S") + offset
        return (
            f"{self.column} {self.value} in {cell} has the UTC offset {self.value[-6:]}, but "
            f"{self.zone}, the row's timeZone, is at {offset} at that moment ({there} there)",
            "check whether the offset or the timeZone is wrong",
        )


# --- starts_in_the_past --------------------------------------------------------------------


def _past_starts(
    ctx: Context, positions: np.ndarray, now: datetime, cell_of: CellsOf
) -> list[Mistake]:
    if not _has(ctx, Col.START_DATE):
        return []
    utc = ctx.instants(Col.START_DATE)[0].iloc[positions]
    past = (utc < pd.Timestamp(now)).fillna(False).to_numpy(dtype=bool)
    if not past.any():
        return []
    first = int(np.flatnonzero(past)[0])
    value = str(ctx.text(Col.START_DATE).iloc[positions[first]])

    def said(cell: str) -> tuple[str, str]:
        # The clock is not in the message: it would differ between two runs of one file.
        return (
            f"{Col.START_DATE} {value} in {cell} is in the past, so the session would already "
            "have started",
            "check the year, the month and the day",
        )

    return [_grouped(Code.STARTS_IN_THE_PAST, positions[past], Col.START_DATE, cell_of, said)]


# --- price_looks_like_units ----------------------------------------------------------------


def _unit_prices(ctx: Context, positions: np.ndarray, cell_of: CellsOf) -> list[Mistake]:
    if not _has(ctx, Col.PRICE_IN_CENTS):
        return []
    prices = ctx.integers(Col.PRICE_IN_CENTS).iloc[positions]
    small = ((prices > 0) & (prices < _SMALLEST_PRICE)).fillna(False).to_numpy(dtype=bool)
    if not small.any():
        return []
    price = int(prices.iloc[int(np.flatnonzero(small)[0])])

    def said(cell: str) -> tuple[str, str]:
        return (
            f"{Col.PRICE_IN_CENTS} {price} in {cell} is {price} cents ({price / 100:.2f}), "
            "as the price is in cents",
            f"if you meant {price}.00, write {price * 100}",
        )

    return [
        _grouped(Code.PRICE_LOOKS_LIKE_UNITS, positions[small], Col.PRICE_IN_CENTS, cell_of, said)
    ]


# --- one warning per code and column -------------------------------------------------------


def _grouped(
    code: Code,
    positions: np.ndarray,
    column: str,
    cell_of: CellsOf,
    said: Callable[[str], tuple[str, str]],
) -> Mistake:
    """One warning about the cells of ``column`` in these frame rows (in row order): ``said``
    of the first cell gives what is wrong there and what to check; the next cells are listed."""
    cells = cell_of(column, positions[:SHOWN])
    what, advice = said(cells[0])
    return Mistake(code, f"{what}: {advice}{_also(cells[1:], len(positions) - 1)}.", cells[0])


def _also(cells: list[str], others: int) -> str:
    """``; the same goes for F9, F12 and 14 more cells`` (nothing when there are no others)."""
    if not others:
        return ""
    rest = others - len(cells)
    if rest:
        listing = f"{', '.join(cells)} and {rest} more cell{'s' if rest > 1 else ''}"
    elif len(cells) == 1:
        listing = cells[0]
    else:
        listing = f"{', '.join(cells[:-1])} and {cells[-1]}"
    return f"; the same goes for {listing}"
