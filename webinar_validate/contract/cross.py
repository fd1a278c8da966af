"""The contract's rules that compare cells. Each runs only where every compared cell passed its
own checks, and reports on the one column CONTRACT.md names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from webinar_validate.codes import Code
from webinar_validate.contract.cache import Context, arrow_values
from webinar_validate.contract.checks import BOOLEANS
from webinar_validate.contract.columns import Col, Rule

if TYPE_CHECKING:
    from webinar_validate.contract.columns import SessionContract


def _present(ctx: Context, col: str) -> bool:
    return col in ctx.frame.columns


def _instant(ctx: Context, col: str) -> pd.Series:
    return ctx.instants(col)[0]


def _shown(ctx: Context, col: str, index: Any) -> str:
    return str(ctx.at(ctx.text(col), index))


def _end_not_after_start(ctx: Context, col: str) -> pd.Series:
    both = ctx.valid(Col.START_DATE) & ctx.valid(col)
    return both & (_instant(ctx, col) <= _instant(ctx, Col.START_DATE))


def _end_not_after_start_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    start = _shown(ctx, Col.START_DATE, index)
    return (
        f"{col} {value.strip()} is not after startDate {start}; "
        "the session must end after it starts."
    )


def _hours(ctx: Context, col: str) -> pd.Series:
    key = f"hours:{col}"
    if key not in ctx.memo:
        delta = _instant(ctx, col) - _instant(ctx, Col.START_DATE)
        ctx.memo[key] = delta.dt.total_seconds() / 3600
    hours: pd.Series = ctx.memo[key]
    return hours


def _too_long_session(ctx: Context, col: str) -> pd.Series:
    both = ctx.valid(Col.START_DATE) & ctx.valid(col)
    return both & (_hours(ctx, col) > ctx.contract.max_session_hours)


def _too_long_session_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    start = _shown(ctx, Col.START_DATE, index)
    hours = float(ctx.at(_hours(ctx, col), index))
    limit = f"{ctx.contract.max_session_hours:g}"
    return (
        f"{col} {value.strip()} is {hours:.4g} hours after startDate {start}, more than "
        f"the {limit} hours a session may last; check the date."
    )


def _join_url_required(ctx: Context, col: str) -> pd.Series:
    other = ctx.valid(Col.WEBINAR_PROVIDER) & (
        ctx.text(Col.WEBINAR_PROVIDER).str.lower() == "other"
    )
    return other & ctx.blank(col)


def _join_url_required_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    where = "" if ctx.memo.get(f"present:{col}", True) else f"add a {col} column and "
    return (
        f"{col} is required when webinarProvider is other; "
        f"{where}give the https:// link attendees join."
    )


def _waitlist(ctx: Context, col: str) -> pd.Series:
    yes = [word for word, value in BOOLEANS.items() if value]
    on = ctx.valid(col) & ctx.text(col).str.lower().isin(yes)
    return on & ctx.blank(Col.SEATS_LIMIT)


def _waitlist_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    return (
        f"{col} is {value.strip()} but seatsLimit is blank; "
        "set a seatsLimit or turn the waitlist off."
    )


def _enrollment_window(ctx: Context, col: str) -> pd.Series:
    end = _instant(ctx, col)
    starts_late = ctx.valid(Col.ENROLLMENT_START_DATE) & ctx.valid(col)
    starts_late &= end <= _instant(ctx, Col.ENROLLMENT_START_DATE)
    after_session = ctx.valid(Col.END_DATE) & ctx.valid(col) & (end > _instant(ctx, Col.END_DATE))
    ctx.memo[f"closes_early:{col}"] = starts_late  # which of the two the message explains
    return starts_late | after_session


def _enrollment_window_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    end = value.strip()
    opens = Col.ENROLLMENT_START_DATE
    if bool(ctx.at(ctx.memo[f"closes_early:{col}"], index)):
        return (
            f"{col} {end} is not after {opens} {_shown(ctx, opens, index)}; "
            "enrollment must open before it closes."
        )
    return (
        f"{col} {end} is after the session's endDate {_shown(ctx, Col.END_DATE, index)}; "
        "close enrollment by the time the session ends."
    )


def _key(ctx: Context, col: str) -> pd.Series:
    text = ctx.text(col)
    return text.str.lower() if col == Col.SESSION_ID else text


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
    ctx.memo[name] = pd.Series(
        ctx.row_numbers.to_numpy()[rows], index=ctx.frame.index[positions[again]], dtype=np.int64
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
    return int(ctx.at(ctx.memo[name], index))


def _duplicate_value(ctx: Context, col: str) -> pd.Series:
    return _repeats(ctx, f"dup:{col}", _key(ctx, col), ctx.valid(col))


def _duplicate_value_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    row = _first_row(ctx, f"dup:{col}", index)
    return f"{col} {value.strip()} repeats row {row}; each {col} must be unique in the file."


def _duplicate_session(ctx: Context, col: str) -> pd.Series:
    title_ok = pd.Series(True, index=ctx.frame.index)
    title = pd.Series("", index=ctx.frame.index, dtype="str")
    if _present(ctx, Col.TITLE):
        title_ok = ctx.valid(Col.TITLE) | ctx.blank(Col.TITLE)
        title = ctx.text(Col.TITLE)
    eligible = ctx.valid(Col.COURSE_GROUP_ID) & ctx.valid(col) & title_ok
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
    course = _key(ctx, Col.COURSE_GROUP_ID).iloc[shared].str.lower()
    for part in (course, _instant(ctx, col).iloc[shared], title.iloc[shared]):
        codes, uniques = pd.factorize(part, use_na_sentinel=False)
        # combined codes stay below rows * rows: no overflow for any sheet size
        keys = np.asarray(pd.factorize(keys * (len(uniques) + 1) + codes)[0], dtype=np.int64)
    index = ctx.frame.index
    candidates = pd.Series(False, index=index)
    candidates.iloc[shared] = True
    all_keys = np.zeros(len(index), dtype=np.int64)
    all_keys[shared] = keys
    return _repeats(ctx, "dup:session", pd.Series(all_keys, index=index), candidates)


def _duplicate_session_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    row = _first_row(ctx, "dup:session", index)
    return (
        f"This session repeats row {row}: the same courseGroupId, startDate and title; "
        "delete one of the rows or change its startDate or title."
    )


_RULES: dict[str, tuple[Rule, ...]] = {
    Col.END_DATE: (
        Rule(Code.END_NOT_AFTER_START, _end_not_after_start, _end_not_after_start_msg, own=False),
        Rule(Code.SESSION_TOO_LONG, _too_long_session, _too_long_session_msg, own=False),
    ),
    Col.JOIN_URL: (Rule(Code.REQUIRED, _join_url_required, _join_url_required_msg, own=False),),
    Col.WAITLISTING_ENABLED: (
        Rule(Code.WAITLIST_WITHOUT_LIMIT, _waitlist, _waitlist_msg, own=False),
    ),
    Col.ENROLLMENT_END_DATE: (
        Rule(Code.ENROLLMENT_WINDOW, _enrollment_window, _enrollment_window_msg, own=False),
    ),
    Col.START_DATE: (
        Rule(Code.DUPLICATE_SESSION, _duplicate_session, _duplicate_session_msg, own=False),
    ),
}
for _col in (Col.SESSION_ID, Col.SLUG, Col.SKU):
    _RULES[_col] = (Rule(Code.DUPLICATE_VALUE, _duplicate_value, _duplicate_value_msg, own=False),)


def rules_for(contract: SessionContract, column: str) -> tuple[Rule, ...]:
    """The cross-cell rules reported on ``column``."""
    return _RULES.get(column, ())


def is_duplicate_value(rule: Rule) -> bool:
    """True for the duplicate_value rule: its mask reads its own column alone."""
    return rule.fails is _duplicate_value
