"""The contract's rules that compare cells. Each runs only where every compared cell passed its
own checks, and reports on the one column CONTRACT.md names. In the pandera schema each is a
DataFrame-level check named by its code; the columns it compares are its statistics.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from webinar_validate.codes import Code
from webinar_validate.contract import values as _values
from webinar_validate.contract.cache import Context
from webinar_validate.contract.cells import arrow_values
from webinar_validate.contract.columns import Col, ColumnSpec, Kind, SessionContract


def _present(ctx: Context, col: str) -> bool:
    return col in ctx.frame.columns


def _instant(ctx: Context, col: str) -> pd.Series:
    return ctx.instants(col)[0]


def _shown(ctx: Context, col: str, index: Any) -> str:
    return str(ctx.at(ctx.text(col), index))


def _end_not_after_start(ctx: Context, col: str, *, start: str) -> pd.Series:
    both = ctx.valid(start) & ctx.valid(col)
    return both & (_instant(ctx, col) <= _instant(ctx, start))


def _end_not_after_start_msg(ctx: Context, col: str, index: Any, value: str, *, start: str) -> str:
    opens = start
    start = _shown(ctx, opens, index)
    return (
        f"{col} {value.strip()} is not after {opens} {start}; the session must end after it "
        "starts: correct the date that is wrong."
    )


def _hours(ctx: Context, col: str, start: str) -> pd.Series:
    if col not in ctx.hours:
        delta = _instant(ctx, col) - _instant(ctx, start)
        ctx.hours[col] = delta.dt.total_seconds() / 3600
    return ctx.hours[col]


def _too_long_session(ctx: Context, col: str, *, start: str, max_hours: float) -> pd.Series:
    both = ctx.valid(start) & ctx.valid(col)
    return both & (_hours(ctx, col, start) > max_hours)


def _too_long_session_msg(
    ctx: Context, col: str, index: Any, value: str, *, start: str, max_hours: float
) -> str:
    shown = _shown(ctx, start, index)
    hours = float(ctx.at(_hours(ctx, col, start), index))
    limit = f"{max_hours:g}"
    return (
        f"{col} {value.strip()} is {hours:.4g} hours after {start} {shown}, more than "
        f"the {limit} hours a session may last; check the date."
    )


def _required_when(ctx: Context, col: str, *, when: str, equals: str) -> pd.Series:
    chosen = ctx.valid(when) & (ctx.text(when).str.lower() == equals.lower())
    return chosen & ctx.blank(col)


def _required_when_msg(
    ctx: Context, col: str, index: Any, value: str, *, when: str, equals: str
) -> str:
    where = "" if col in ctx.present else f"add a {col} column and "
    return (
        f"{col} is required when {when} is {equals}; {where}give the https:// link attendees join."
    )


def _waitlist(ctx: Context, col: str, *, seats: str) -> pd.Series:
    yes = [word for word, value in _values.BOOLEANS.items() if value]
    on = ctx.valid(col) & ctx.text(col).str.lower().isin(yes)
    return on & ctx.blank(seats)


def _waitlist_msg(ctx: Context, col: str, index: Any, value: str, *, seats: str) -> str:
    return f"{col} is {value.strip()} but {seats} is blank; set a {seats} or turn the waitlist off."


def _enrollment_window(ctx: Context, col: str, *, opens: str, session_end: str) -> pd.Series:
    end = _instant(ctx, col)
    starts_late = ctx.valid(opens) & ctx.valid(col)
    starts_late &= end <= _instant(ctx, opens)
    after_session = ctx.valid(session_end) & ctx.valid(col) & (end > _instant(ctx, session_end))
    ctx.closes_early[col] = starts_late  # which of the two the message explains
    return starts_late | after_session


def _enrollment_window_msg(
    ctx: Context, col: str, index: Any, value: str, *, opens: str, session_end: str
) -> str:
    end = value.strip()
    if bool(ctx.at(ctx.closes_early[col], index)):
        return (
            f"{col} {end} is not after {opens} {_shown(ctx, opens, index)}; "
            "enrollment must open before it closes."
        )
    return (
        f"{col} {end} is after the session's {session_end} {_shown(ctx, session_end, index)}; "
        "close enrollment by the time the session ends."
    )


def _key(ctx: Context, col: str, any_case: bool) -> pd.Series:
    text = ctx.text(col)
    return text.str.lower() if any_case else text


def _repeats(ctx: Context, name: str, keys: pd.Series, eligible: pd.Series) -> pd.Series:
    """True where ``keys`` repeats an earlier eligible row's; remembers that first row's number."""
    mask = eligible.to_numpy(dtype=bool)
    positions = np.flatnonzero(mask)
    codes, _ = pd.factorize(_codes(keys, positions), use_na_sentinel=False)
    codes = np.asarray(codes, dtype=np.int64)
    # factorize numbers keys in order of first appearance: a key is new where its code passes
    # every code before it.
    seen = np.maximum.accumulate(codes)
    new = np.ones(len(codes), dtype=bool)
    new[1:] = codes[1:] > seen[:-1]
    first = np.empty(int(seen[-1]) + 1 if len(codes) else 0, dtype=np.int64)
    first[codes[new]] = positions[new]
    firsts = first[codes]
    repeated = np.zeros(len(mask), dtype=bool)
    repeated[positions] = firsts != positions
    # The first row's number, kept for the repeats only (their messages name it).
    again = firsts != positions
    rows = ctx.frame.index.to_numpy()[firsts[again]]
    ctx.first_rows[name] = pd.Series(
        ctx.row_numbers_at(rows), index=ctx.frame.index[positions[again]], dtype=np.int64
    )
    return pd.Series(repeated, index=ctx.frame.index)


def _codes(keys: pd.Series, positions: np.ndarray) -> np.ndarray:
    """An integer per key at ``positions``, equal for equal keys. Text is ranked by Arrow as a
    whole column (equal values share a rank; picking the positions first would copy it):
    sorting holds ~25 MiB at a million unique keys, where hashing them (pandas' factorize,
    Arrow's dictionary_encode) held 100-200 MiB, for ~0.1 s more per column. Other keys (the
    sessions' combined codes) are numbered at the positions alone."""
    values = arrow_values(keys)
    if values is None:
        numbered = pd.factorize(keys.to_numpy()[positions], use_na_sentinel=False)[0]
        return np.asarray(numbered, dtype=np.int64)
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    ranks = np.asarray(pc.rank(values, tiebreaker="dense").to_numpy(zero_copy_only=False))
    return np.asarray(ranks[positions], dtype=np.int64)


def _first_row(ctx: Context, name: str, index: Any) -> int:
    return int(ctx.at(ctx.first_rows[name], index))


def _duplicate_value(ctx: Context, col: str, *, any_case: bool = False) -> pd.Series:
    return _repeats(ctx, f"dup:{col}", _key(ctx, col, any_case), ctx.valid(col))


def _duplicate_value_msg(
    ctx: Context, col: str, index: Any, value: str, *, any_case: bool = False
) -> str:
    row = _first_row(ctx, f"dup:{col}", index)
    return (
        f"{col} {value.strip()} repeats row {row}; each {col} must be unique in the file: "
        "change one of them or delete the repeated row."
    )


def _duplicate_session(ctx: Context, col: str, *, course: str, title: str) -> pd.Series:
    title_ok = pd.Series(True, index=ctx.frame.index)
    titles = pd.Series("", index=ctx.frame.index, dtype="str")
    if _present(ctx, title):
        title_ok = ctx.valid(title) | ctx.blank(title)
        titles = ctx.text(title)
    eligible = ctx.valid(course) & ctx.valid(col) & title_ok
    # Only rows whose start instant another eligible row shares can repeat a session: sorting
    # the instants finds them (a few, as a rule), and only those are keyed by course group,
    # start and title (hashing a million of each cost ~0.3 s and ~120 MiB at its peak).
    positions = np.flatnonzero(eligible.to_numpy(dtype=bool))
    instants = _instant(ctx, col).to_numpy(dtype="datetime64[us]").view(np.int64)[positions]
    order = np.argsort(instants, kind="stable")
    instants = instants[order]
    same = instants[1:] == instants[:-1]
    twin = np.zeros(len(order), dtype=bool)
    twin[1:] |= same
    twin[:-1] |= same
    shared = np.sort(positions[order[twin]])
    keys = np.zeros(len(shared), dtype=np.int64)
    courses = ctx.text(course).iloc[shared].str.lower()  # any case; the few shared rows only
    for part in (courses, _instant(ctx, col).iloc[shared], titles.iloc[shared]):
        codes, uniques = pd.factorize(part, use_na_sentinel=False)
        # combined codes stay below rows * rows: no overflow for any sheet size
        keys = np.asarray(pd.factorize(keys * (len(uniques) + 1) + codes)[0], dtype=np.int64)
    index = ctx.frame.index
    candidates = pd.Series(False, index=index)
    candidates.iloc[shared] = True
    all_keys = np.zeros(len(index), dtype=np.int64)
    all_keys[shared] = keys
    return _repeats(ctx, "dup:session", pd.Series(all_keys, index=index), candidates)


def _duplicate_session_msg(
    ctx: Context, col: str, index: Any, value: str, *, course: str, title: str
) -> str:
    row = _first_row(ctx, "dup:session", index)
    return (
        f"This session repeats row {row}: the same {course}, {col} and {title}; "
        f"delete one of the rows or change its {col} or {title}."
    )


CROSS_CHECKS: dict[
    str, tuple[Code | str, Callable[..., pd.Series], Callable[..., str], tuple[str, ...]]
] = {
    "end_not_after_start": (
        Code.END_NOT_AFTER_START,
        _end_not_after_start,
        _end_not_after_start_msg,
        ("start",),
    ),
    "session_too_long": (
        Code.SESSION_TOO_LONG,
        _too_long_session,
        _too_long_session_msg,
        ("start", "max_hours"),
    ),
    "required_when": (Code.REQUIRED, _required_when, _required_when_msg, ("when", "equals")),
    "waitlist_without_limit": (Code.WAITLIST_WITHOUT_LIMIT, _waitlist, _waitlist_msg, ("seats",)),
    "enrollment_window": (
        Code.ENROLLMENT_WINDOW,
        _enrollment_window,
        _enrollment_window_msg,
        ("opens", "session_end"),
    ),
    "duplicate_session": (
        Code.DUPLICATE_SESSION,
        _duplicate_session,
        _duplicate_session_msg,
        ("course", "title"),
    ),
    "duplicate_value": (
        Code.DUPLICATE_VALUE,
        _duplicate_value,
        _duplicate_value_msg,
        ("any_case",),
    ),
}
"""Every built-in check that compares cells: its registered name -> (code, the failure mask,
the message, its statistics besides ``column``, the column it reports on)."""


def cross_checks(contract: SessionContract) -> tuple[tuple[str, str, dict[str, Any]], ...]:
    """The default contract's cross-cell checks, in judging order, for the columns this
    contract has: (check name, reported column, statistics)."""
    wanted: list[tuple[str, str, dict[str, Any]]] = [
        ("duplicate_session", Col.START_DATE, {"course": Col.COURSE_GROUP_ID, "title": Col.TITLE}),
        ("end_not_after_start", Col.END_DATE, {"start": Col.START_DATE}),
        (
            "session_too_long",
            Col.END_DATE,
            {"start": Col.START_DATE, "max_hours": float(contract.max_session_hours)},
        ),
        ("required_when", Col.JOIN_URL, {"when": Col.WEBINAR_PROVIDER, "equals": "other"}),
        ("waitlist_without_limit", Col.WAITLISTING_ENABLED, {"seats": Col.SEATS_LIMIT}),
        (
            "enrollment_window",
            Col.ENROLLMENT_END_DATE,
            {"opens": Col.ENROLLMENT_START_DATE, "session_end": Col.END_DATE},
        ),
        *(
            ("duplicate_value", name, {"any_case": kind_of(contract, name) is Kind.UUID})
            for name in (Col.SESSION_ID, Col.SLUG, Col.SKU)
        ),
    ]
    names = set(contract.names)
    return tuple(
        (check, column, stats)
        for check, column, stats in wanted
        if column in names
        and all(
            v in names for k, v in stats.items() if k not in ("max_hours", "equals", "any_case")
        )
    )


def kind_of(contract: SessionContract, name: str) -> Kind:
    """A column's kind (text for a column the contract does not know)."""
    spec: ColumnSpec | None = contract.column(name)
    return spec.kind if spec is not None else Kind.TEXT
