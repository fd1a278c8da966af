"""The cell's own checks: one vectorised function per error code, and each column's rules.

Every check works on whole columns; per-value Python work (time zones, e-mail syntax, URLs)
runs once per distinct value through the caches in ``values``. The run's :class:`Context`
(``cache``) keeps each parse, so a rule that compares cells reuses its inputs' checks. A check's
parameters (a length, the choices, a pattern) are its pandera statistics: they are given to it,
never looked up, so that the same check judges the same way in a YAML schema read back.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pandas as pd

from webinar_validate.codes import Code
from webinar_validate.contract import messages as _m
from webinar_validate.contract import scans as _bytescan
from webinar_validate.contract import values as _values
from webinar_validate.contract.cache import Context
from webinar_validate.contract.cells import arrow_values, per_value
from webinar_validate.contract.columns import ColumnSpec, Kind, Rule

FORMULA_ERRORS = _m.FORMULA_ERRORS


def _control(ctx: Context, col: str) -> pd.Series:
    raw = ctx.raw(col)
    values = arrow_values(raw)
    if values is not None:  # the bytes themselves: exact, ~20x faster
        return pd.Series(_bytescan.has_control(values), index=raw.index)
    return raw.str.contains(_values.CONTROL, regex=True)


def _formula_error(ctx: Context, col: str) -> pd.Series:
    text = ctx.text(col)
    values = arrow_values(text)
    if values is not None:  # only cells starting with '#' can be one: usually none at all
        import pyarrow.compute as pc

        if not pc.any(pc.starts_with(values, "#")).as_py():
            return pd.Series(False, index=text.index)
    return text.isin(FORMULA_ERRORS.keys())


def starts_like_formula(cells: pd.Series) -> pd.Series:
    """True where ``values.formula_start`` finds a formula start in the cell, for a column."""
    values = arrow_values(cells)
    if values is None:
        return per_value(cells, _values.formula_start).notna()
    hit = _bytescan.starts_like(  # the first bytes, ~15x faster than a regex
        values, _values.FORMULA_FIRST, _values.SKIPPED_BEFORE_FORMULA, _values.FORMULA_TRIGGERS
    )
    return pd.Series(hit, index=cells.index)


def _injection(ctx: Context, col: str, *, each_address: bool = False) -> pd.Series:
    # Judged on the cells as read and as sent: validRows send the trimmed text of a column the
    # contract knows, and the cells as read of one it does not (see engine.normalize).
    raw = ctx.raw(col)
    text = ctx.text(col)
    hit = starts_like_formula(raw)
    if text.array is not raw.array:  # some cell was trimmed
        hit |= starts_like_formula(text)
    if each_address:  # an e-mail list: each address is sent on its own
        hit |= ctx.per_distinct(col, _values.formula_address).notna().to_numpy(dtype=bool)
    return hit


def _required(ctx: Context, col: str) -> pd.Series:
    return ctx.blank(col)


def _too_long(ctx: Context, col: str, *, max_length: int) -> pd.Series:
    text = ctx.text(col)
    values = arrow_values(text)
    if values is not None:  # offsets, when every character is ASCII
        return pd.Series(_bytescan.char_lengths(values) > max_length, index=text.index)
    return text.str.len() > max_length


def _not_matching(ctx: Context, col: str, *, pattern: str) -> pd.Series:
    text = ctx.text(col)
    return ~ctx.blank(col) & ~text.str.fullmatch(pattern).fillna(False).astype(bool)


def _bad_uuid(ctx: Context, col: str) -> pd.Series:
    return _not_matching(ctx, col, pattern=_values.UUID)


def _bad_language(ctx: Context, col: str) -> pd.Series:
    return _not_matching(ctx, col, pattern=_values.LANGUAGE)


def _bad_integer(ctx: Context, col: str) -> pd.Series:
    return _not_matching(ctx, col, pattern=_values.WHOLE_NUMBER)


def _bad_datetime(ctx: Context, col: str) -> pd.Series:
    aware, naive = ctx.instants(col)
    return ~ctx.blank(col) & aware.isna() & naive.isna()


def _no_offset(ctx: Context, col: str, *, zone_column: str = "timeZone") -> pd.Series:
    _, naive = ctx.instants(col)
    return naive.notna()


def _bad_zone(ctx: Context, col: str) -> pd.Series:
    return ~ctx.blank(col) & ctx.zones(col).isna()


def _bad_choice(ctx: Context, col: str, *, choices: tuple[str, ...]) -> pd.Series:
    allowed = {c.lower() for c in choices}
    return ~ctx.blank(col) & ~ctx.text(col).str.lower().isin(allowed)


# Plainly valid links, judged on the whole column at once; only the rest go through urlsplit.
_PLAIN_HTTPS = r"[Hh][Tt][Tt][Pp][Ss]://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][!-~]*)?"


def _bad_url(ctx: Context, col: str) -> pd.Series:
    text = ctx.text(col)
    doubtful = ~ctx.blank(col) & ~text.str.fullmatch(_PLAIN_HTTPS).fillna(False).astype(bool)
    bad = pd.Series(False, index=text.index)
    if doubtful.any():
        bad[doubtful] = ~per_value(text[doubtful], _values.is_https_url).astype(bool)
    return bad


def _bad_email(ctx: Context, col: str, *, single: bool = False) -> pd.Series:
    if single:  # one address, not a list
        return ~ctx.blank(col) & per_value(ctx.text(col), _values.one_email_problem).notna()
    return ~ctx.blank(col) & ctx.email_problems(col).notna()


def _out_of_range(ctx: Context, col: str, *, minimum: int | None = None) -> pd.Series:
    values = ctx.integers(col)
    too_big = ~_bad_integer(ctx, col) & ~ctx.blank(col) & values.isna()
    if minimum is None:
        return too_big
    below = (values < minimum).fillna(False).astype(bool)
    return too_big | below


def _bad_boolean(ctx: Context, col: str) -> pd.Series:
    return ~ctx.blank(col) & ~ctx.text(col).str.lower().isin(_values.BOOLEANS.keys())


Fails = Callable[..., pd.Series]
Explains = Callable[..., str]

OWN_CHECKS: dict[str, tuple[Code | str, Fails, Explains, tuple[str, ...]]] = {
    "invalid_character": (Code.INVALID_CHARACTER, _control, _m.control, ()),
    "formula_error": (Code.FORMULA_ERROR, _formula_error, _m.formula_error, ()),
    "formula_injection": (Code.FORMULA_INJECTION, _injection, _m.injection, ("each_address",)),
    "required_cell": (Code.REQUIRED, _required, _m.required, ()),
    "too_long": (Code.TOO_LONG, _too_long, _m.too_long, ("max_length",)),
    "invalid_uuid": (Code.INVALID_UUID, _bad_uuid, _m.uuid, ()),
    "invalid_slug": (Code.INVALID_SLUG, _not_matching, _m.slug, ("pattern",)),
    "invalid_datetime": (Code.INVALID_DATETIME, _bad_datetime, _m.datetime, ()),
    "missing_utc_offset": (Code.MISSING_UTC_OFFSET, _no_offset, _m.no_offset, ("zone_column",)),
    "invalid_time_zone": (Code.INVALID_TIME_ZONE, _bad_zone, _m.zone, ()),
    "invalid_url": (Code.INVALID_URL, _bad_url, _m.url, ()),
    "invalid_email": (Code.INVALID_EMAIL, _bad_email, _m.email, ("single",)),
    "invalid_integer": (Code.INVALID_INTEGER, _bad_integer, _m.integer, ()),
    "out_of_range": (Code.OUT_OF_RANGE, _out_of_range, _m.out_of_range, ("minimum",)),
    "invalid_boolean": (Code.INVALID_BOOLEAN, _bad_boolean, _m.boolean, ()),
    "invalid_language": (Code.INVALID_LANGUAGE, _bad_language, _m.language, ()),
    "invalid_choice": (Code.INVALID_CHOICE, _bad_choice, _m.choice, ("choices",)),
    "invalid_pattern": (Code.INVALID_PATTERN, _not_matching, _m.pattern, ("pattern",)),
}
"""Every built-in check of a cell's own: its registered name -> (code, the failure mask, the
message, its statistics). The name is the code, except ``required_cell``: ``required`` is a
column's own key in pandera's YAML (is the column there at all)."""


def built_in(check: str, **stats: Any) -> Rule:
    """The rule of a built-in check with these statistics (a pandera check's arguments)."""
    from webinar_validate.contract.cross import CROSS_CHECKS

    own = check in OWN_CHECKS
    found: tuple[Code | str, Fails, Explains, tuple[str, ...]] = (
        OWN_CHECKS[check] if own else CROSS_CHECKS[check]
    )
    code, fails, explains, names = found
    given = {name: _hashable(value) for name, value in stats.items() if name in names}
    return Rule(
        code,
        partial(fails, **given) if given else fails,
        partial(explains, **given) if given else explains,
        own=own,
        check=check,
        stats=tuple(sorted(given.items())),
        by_value=own and check != "missing_utc_offset",
        # every message of a cell's own but two: the missing offset names the row's time zone,
        # and an address list's reads which address failed, and why, off the run's cache
        said_when_read=own
        and check != "missing_utc_offset"
        and not (check == "invalid_email" and not given.get("single", False)),
    )


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


_KIND_CHECKS: dict[Kind, tuple[tuple[str, dict[str, Any]], ...]] = {
    Kind.UUID: (("invalid_uuid", {}),),
    Kind.INSTANT: (("invalid_datetime", {}), ("missing_utc_offset", {"zone_column": "timeZone"})),
    Kind.TIME_ZONE: (("invalid_time_zone", {}),),
    Kind.URL: (("invalid_url", {}),),
    Kind.EMAILS: (("invalid_email", {}),),
    Kind.INTEGER: (("invalid_integer", {}),),
    Kind.BOOLEAN: (("invalid_boolean", {}),),
    Kind.LANGUAGE: (("invalid_language", {}),),
}


def own_rules(spec: ColumnSpec) -> tuple[Rule, ...]:
    """A column's built-in own checks in the order a cell is judged (the first failing one is
    reported)."""
    rules = [built_in("invalid_character"), built_in("formula_error")]
    if not spec.judged_as_number_or_date:
        rules.append(built_in("formula_injection", each_address=spec.kind is Kind.EMAILS))
    if spec.required:
        rules.append(built_in("required_cell"))
    if spec.max_length is not None:
        rules.append(built_in("too_long", max_length=spec.max_length))
    if spec.kind is Kind.SLUG:
        rules.append(built_in("invalid_slug", pattern=spec.pattern or r"[a-z0-9]+(-[a-z0-9]+)*"))
    rules.extend(built_in(name, **stats) for name, stats in _KIND_CHECKS.get(spec.kind, ()))
    if spec.kind is Kind.INTEGER:
        rules.append(built_in("out_of_range", minimum=spec.minimum))
    if spec.choices:
        rules.append(built_in("invalid_choice", choices=spec.choices))
    if spec.pattern and spec.kind is not Kind.SLUG:
        rules.append(built_in("invalid_pattern", pattern=spec.pattern))
    if spec.kind is Kind.EMAIL:
        rules.append(built_in("invalid_email", single=True))
    return tuple(rules)


UNKNOWN_COLUMN = ColumnSpec("", Kind.TEXT)
"""What a column the contract does not know is judged as: text."""
