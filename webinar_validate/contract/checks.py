"""The vectorised checks behind the contract's rules, and the messages that explain them.

Every check works on whole columns; per-value Python work (time zones, e-mail syntax, URLs)
runs once per distinct value through the caches in ``_values``. The run's :class:`Context`
(``_context``) caches each parse, so a rule that compares cells reuses its inputs' checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd

from webinar_validate.codes import Code
from webinar_validate.contract import scans as _bytescan
from webinar_validate.contract import values as _values
from webinar_validate.contract.cache import Context, arrow_values, per_value
from webinar_validate.contract.columns import ColumnSpec, Kind, Rule

if TYPE_CHECKING:
    from webinar_validate.contract.columns import SessionContract

Mask = "pd.Series[bool]"

UUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
WHOLE_NUMBER = r"[+-]?[0-9]+(?:\.0*)?"
LANGUAGE = r"[A-Za-z]{2}(?:[-_][A-Za-z]{2})?"
CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
INJECTION_CHARS = _values.FORMULA_TRIGGERS + _values.FORMULA_FIRST
INJECTION_START = "^[" + re.escape(INJECTION_CHARS) + "]"
"""The first character alone: what formula_injection looked at before white space counted."""
BOOLEANS = {"yes": True, "no": False, "true": True, "false": False}
EXAMPLE_INSTANT = "2025-09-04T15:30:00Z"
_MAX_DIGITS = 15


def _q(value: str) -> str:
    return f"'{value}'"


# --- the own checks --------------------------------------------------------------------------


def _control(ctx: Context, col: str) -> pd.Series:
    raw = ctx.raw(col)
    values = arrow_values(raw)
    if values is not None:  # the bytes themselves: exact, ~20x faster
        return pd.Series(_bytescan.has_control(values), index=raw.index)
    return raw.str.contains(CONTROL, regex=True)


def _control_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    bad = next((ch for ch in value if ch in _CONTROL_SET), "\x00")
    return f"{col} contains the control character U+{ord(bad):04X}; delete it from the cell."


FORMULA_ERRORS = {
    "#N/A": "a lookup (VLOOKUP, XLOOKUP, MATCH) found nothing",
    "#REF!": "it refers to a cell or sheet that was deleted",
    "#VALUE!": "one of its inputs has the wrong type",
    "#DIV/0!": "it divides by zero or by an empty cell",
    "#NAME?": "it uses a name or function the spreadsheet does not know",
    "#NUM!": "a number in it is impossible",
    "#NULL!": "two of its ranges do not meet",
    "#SPILL!": "its results have no room to spill into",
    "#CALC!": "it could not be calculated",
}
"""Spreadsheet error values (CONTRACT.md: formula_error) and what each usually means."""


def _formula_error(ctx: Context, col: str) -> pd.Series:
    text = ctx.text(col)
    values = arrow_values(text)
    if values is not None:  # only cells starting with '#' can be one: usually none at all
        import pyarrow.compute as pc

        if not pc.any(pc.starts_with(values, "#")).as_py():
            return pd.Series(False, index=text.index)
    return text.isin(FORMULA_ERRORS.keys())


def _formula_error_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    error = value.strip()
    return (
        f"{col} holds {error}, the error a formula gave ({FORMULA_ERRORS.get(error, 'an error')}); "
        "fix the formula in the source sheet, or type the value itself."
    )


_CONTROL_SET = {chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), *range(127, 160)]}


def starts_like_formula(cells: pd.Series) -> pd.Series:
    """True where ``_values.formula_start`` finds a formula start in the cell, for a column."""
    values = arrow_values(cells)
    if values is None:
        return per_value(cells, _values.formula_start).notna()
    hit = _bytescan.starts_like(  # the first bytes, ~15x faster than a regex
        values, _values.FORMULA_FIRST, _values.SKIPPED_BEFORE_FORMULA, _values.FORMULA_TRIGGERS
    )
    return pd.Series(hit, index=cells.index)


def _injection(ctx: Context, col: str) -> pd.Series:
    # Judged on the cells as read and as sent: validRows send the trimmed text of a column the
    # contract knows, and the cells as read of one it does not (see _normalize).
    raw = ctx.raw(col)
    text = ctx.text(col)
    hit = starts_like_formula(raw)
    if text.array is not raw.array:  # some cell was trimmed
        hit |= starts_like_formula(text)
    if _spec(ctx, col).kind is Kind.EMAILS:  # each address is sent on its own
        hit |= ctx.per_distinct(col, _values.formula_address).notna().to_numpy(dtype=bool)
    return hit


def _injection_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    at = _values.formula_start(value)
    if at is None:  # an address after the first of an e-mail list
        address = _values.formula_address(value) or value
        at = _values.formula_start(address) or 0
        return (
            f"{col} has the address {_q(address)}, which begins with "
            f"{_values.formula_opening(address, at)}; a spreadsheet may run it as a formula: "
            "correct or remove that address."
        )
    opening = _values.formula_opening(value, at)
    return (
        f"{col} begins with {opening}, which a spreadsheet may run as a formula; "
        f"{_values.formula_remedy(value, at)}."
    )


def _required(ctx: Context, col: str) -> pd.Series:
    return ctx.blank(col)


def _required_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    return f"{col} is required but the cell is empty; fill it in."


def _too_long(ctx: Context, col: str) -> pd.Series:
    limit = _spec(ctx, col).max_length or 0
    text = ctx.text(col)
    values = arrow_values(text)
    if values is not None:  # offsets, when every character is ASCII
        return pd.Series(_bytescan.char_lengths(values) > limit, index=text.index)
    return text.str.len() > limit


def _too_long_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    limit = _spec(ctx, col).max_length
    return f"{col} is {len(value.strip())} characters long; shorten it to at most {limit}."


def _spec(ctx: Context, col: str) -> ColumnSpec:
    return ctx.contract.column(col) or ColumnSpec(col)


def _not_matching(pattern: str) -> Callable[[Context, str], pd.Series]:
    def fails(ctx: Context, col: str) -> pd.Series:
        text = ctx.text(col)
        return ~ctx.blank(col) & ~text.str.fullmatch(pattern).fillna(False).astype(bool)

    return fails


def _uuid_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    return (
        f"{col} {_q(value.strip())} is not a UUID; copy the 36-character ID "
        "(like 3f0c9a4e-1b2c-4d5e-8f90-123456789abc) from the platform."
    )


def _slug_fails(ctx: Context, col: str) -> pd.Series:
    return _not_matching(_spec(ctx, col).pattern or ".*")(ctx, col)


def _slug_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    text = value.strip()
    words = "".join(ch if ch.isascii() and ch.isalnum() else " " for ch in text.lower()).split()
    hint = f"; did you mean {'-'.join(words)}?" if words else "."
    return (
        f"{col} {_q(text)} may use only lower-case letters and digits, "
        f"in words joined by single hyphens{hint}"
    )


def _pattern_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    return f"{col} {_q(value.strip())} does not match the pattern {_spec(ctx, col).pattern}."


def _bad_datetime(ctx: Context, col: str) -> pd.Series:
    aware, naive = ctx.instants(col)
    return ~ctx.blank(col) & aware.isna() & naive.isna()


def _bad_datetime_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    return (
        f"{col} {_q(value.strip())} is not a valid ISO 8601 date-time; write it like "
        f"{EXAMPLE_INSTANT} (UTC) or 2025-09-04T11:30:00-04:00."
    )


def _no_offset(ctx: Context, col: str) -> pd.Series:
    _, naive = ctx.instants(col)
    return naive.notna()


def _no_offset_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    naive = str(ctx.at(ctx.text(col), index))
    zone = ctx.zone(index)
    fixed, problem = ctx.once(_values.resolve_local, naive, zone) if zone else (None, None)
    if (index, col) in ctx.typed_dates:
        shown = naive.replace("T", " ")
        start = f"{col} is a date the spreadsheet typed as {shown}, with no UTC offset"
        how = "format the cell as text and write it"
    else:
        start = f"{col} {naive} has no UTC offset"
        how = "write it"
    if fixed:
        return f"{start}; in {zone} that is {fixed}: {how} that way."
    if problem:  # a daylight-saving gap or overlap: name the readings, guess none
        return f"{start}; {problem}; {how} with the offset you mean."
    return f"{start}; {how} with Z for UTC or an offset such as -04:00."


def _bad_zone(ctx: Context, col: str) -> pd.Series:
    known = ctx.zones(col)
    return ~ctx.blank(col) & known.isna()


def _bad_zone_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    text = value.strip()
    hint = ctx.once(_values.suggest_zone, text)
    tail = f"; did you mean {hint}?" if hint else ", such as America/New_York or UTC."
    return f"{col} {_q(text)} is not an IANA time-zone name{tail}"


def _bad_choice(ctx: Context, col: str) -> pd.Series:
    allowed = {c.lower() for c in _spec(ctx, col).choices}
    return ~ctx.blank(col) & ~ctx.text(col).str.lower().isin(allowed)


def _bad_choice_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    choices = _spec(ctx, col).choices
    text = value.strip()
    hint = ctx.once(_values.closest, text, choices)
    tail = f"; did you mean {hint}?" if hint else "."
    return f"{col} {_q(text)} is not one of {', '.join(choices)}{tail}"


# Plainly valid links, judged on the whole column at once; only the rest go through urlsplit.
_PLAIN_HTTPS = r"[Hh][Tt][Tt][Pp][Ss]://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][!-~]*)?"


def _bad_url(ctx: Context, col: str) -> pd.Series:
    text = ctx.text(col)
    doubtful = ~ctx.blank(col) & ~text.str.fullmatch(_PLAIN_HTTPS).fillna(False).astype(bool)
    bad = pd.Series(False, index=text.index)
    if doubtful.any():
        bad[doubtful] = ~per_value(text[doubtful], _values.is_https_url).astype(bool)
    return bad


def _bad_url_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    return (
        f"{col} {_q(value.strip())} is not an absolute https:// link; "
        "paste the full address, like https://zoom.us/j/123456789."
    )


def _bad_email(ctx: Context, col: str) -> pd.Series:
    return ~ctx.blank(col) & _email_problems(ctx, col).notna()


def _email_problems(ctx: Context, col: str) -> pd.Series:
    """(address, why) of each cell's first invalid address, or None; once per distinct cell."""
    key = f"emails:{col}"
    if key not in ctx.memo:
        ctx.memo[key] = ctx.per_distinct(col, _values.emails_problem)
    problems: pd.Series = ctx.memo[key]
    return problems


def _bad_email_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    address, why = ctx.at(_email_problems(ctx, col), index) or ("", "")
    return f"{col} has {address!r}, which is not a valid e-mail address: {why}"


def _bad_integer(ctx: Context, col: str) -> pd.Series:
    return _not_matching(WHOLE_NUMBER)(ctx, col)


def _bad_integer_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    return f"{col} {_q(value.strip())} is not a whole number; write digits only, such as 50."


def integers(ctx: Context, col: str) -> pd.Series:
    """The whole numbers of a column (Int64, NA where blank or not whole); once a run."""
    key = f"integers:{col}"
    if key not in ctx.memo:
        text = ctx.text(col)
        digits = text.where(text.str.fullmatch(WHOLE_NUMBER).fillna(False).astype(bool))
        codes, uniques = pd.factorize(digits, use_na_sentinel=True)
        known = pd.array([*(_to_int(value) for value in uniques), None], dtype="Int64")
        ctx.memo[key] = pd.Series(known[codes], index=text.index)  # code -1: the None
    values: pd.Series = ctx.memo[key]
    return values


def _to_int(text: object) -> int | None:
    if not isinstance(text, str):
        return None
    whole = text.split(".", 1)[0]
    if len(whole.lstrip("+-")) > _MAX_DIGITS:
        return None
    return int(whole)


def _out_of_range(ctx: Context, col: str) -> pd.Series:
    minimum = _spec(ctx, col).minimum
    values = integers(ctx, col)
    too_big = ~_bad_integer(ctx, col) & ~ctx.blank(col) & values.isna()
    if minimum is None:
        return too_big
    below = (values < minimum).fillna(False).astype(bool)
    return too_big | below


def _out_of_range_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    minimum = _spec(ctx, col).minimum
    number = _to_int(value.strip())
    if number is None:
        return f"{col} {value.strip()} is too large; check the number."
    tail = "; leave it blank for unlimited seats" if col == "seatsLimit" else ""
    return f"{col} {number} is below {minimum}; use {minimum} or more{tail}."


def _bad_boolean(ctx: Context, col: str) -> pd.Series:
    return ~ctx.blank(col) & ~ctx.text(col).str.lower().isin(BOOLEANS.keys())


def _bad_boolean_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    return f"{col} {_q(value.strip())} is not yes or no; write yes or no."


def _bad_language_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    return (
        f"{col} {_q(value.strip())} is not a language code; use a two-letter ISO 639-1 code "
        "with an optional region, such as en, en-US or pt-BR."
    )


_COMMON = {
    Kind.UUID: (Rule(Code.INVALID_UUID, _not_matching(UUID), _uuid_msg),),
    Kind.SLUG: (Rule(Code.INVALID_SLUG, _slug_fails, _slug_msg),),
    Kind.INSTANT: (
        Rule(Code.INVALID_DATETIME, _bad_datetime, _bad_datetime_msg),
        Rule(Code.MISSING_UTC_OFFSET, _no_offset, _no_offset_msg),
    ),
    Kind.TIME_ZONE: (Rule(Code.INVALID_TIME_ZONE, _bad_zone, _bad_zone_msg),),
    Kind.URL: (Rule(Code.INVALID_URL, _bad_url, _bad_url_msg),),
    Kind.EMAILS: (Rule(Code.INVALID_EMAIL, _bad_email, _bad_email_msg),),
    Kind.INTEGER: (
        Rule(Code.INVALID_INTEGER, _bad_integer, _bad_integer_msg),
        Rule(Code.OUT_OF_RANGE, _out_of_range, _out_of_range_msg),
    ),
    Kind.BOOLEAN: (Rule(Code.INVALID_BOOLEAN, _bad_boolean, _bad_boolean_msg),),
    Kind.LANGUAGE: (Rule(Code.INVALID_LANGUAGE, _not_matching(LANGUAGE), _bad_language_msg),),
}
_CONTROL_RULE = Rule(Code.INVALID_CHARACTER, _control, _control_msg)
_INJECTION_RULE = Rule(Code.FORMULA_INJECTION, _injection, _injection_msg)
_FORMULA_ERROR_RULE = Rule(Code.FORMULA_ERROR, _formula_error, _formula_error_msg)
_REQUIRED_RULE = Rule(Code.REQUIRED, _required, _required_msg)
_TOO_LONG_RULE = Rule(Code.TOO_LONG, _too_long, _too_long_msg)
_CHOICE_RULE = Rule(Code.INVALID_CHOICE, _bad_choice, _bad_choice_msg)
_PATTERN_RULE = Rule(Code.INVALID_PATTERN, _slug_fails, _pattern_msg)


_BUILT_IN = {
    id(rule)
    for rule in (
        *(rule for rules in _COMMON.values() for rule in rules),
        _CONTROL_RULE,
        _INJECTION_RULE,
        _FORMULA_ERROR_RULE,
        _REQUIRED_RULE,
        _TOO_LONG_RULE,
        _CHOICE_RULE,
        _PATTERN_RULE,
    )
}


def column_local(ctx: Context) -> dict[str, list[Rule]]:
    """Per column, the built-in rules whose masks read that column alone (its duplicates too).

    These may be computed on another thread, one column per task. A column with a rule of the
    user's among its own checks is left out: ``valid()`` would run that rule there.
    """
    from webinar_validate.contract import cross as _cross

    picked: dict[str, list[Rule]] = {}
    for column, rules in ctx.rules.items():
        if all(id(rule) in _BUILT_IN for rule in rules if rule.own):
            picked[column] = [
                rule for rule in rules if id(rule) in _BUILT_IN or _cross.is_duplicate_value(rule)
            ]
    return picked


def rules_for(contract: SessionContract, spec: ColumnSpec) -> tuple[Rule, ...]:
    """A column's rules in the order a cell is judged: the first failing one is reported."""
    from webinar_validate.contract import cross as _cross

    rules: list[Rule] = [_CONTROL_RULE, _FORMULA_ERROR_RULE]
    if not spec.judged_as_number_or_date:
        rules.append(_INJECTION_RULE)
    if spec.required:
        rules.append(_REQUIRED_RULE)
    if spec.max_length is not None:
        rules.append(_TOO_LONG_RULE)
    rules.extend(_COMMON.get(spec.kind, ()))
    if spec.choices:
        rules.append(_CHOICE_RULE)
    if spec.pattern and spec.kind is not Kind.SLUG:
        rules.append(_PATTERN_RULE)
    rules.extend(_cross.rules_for(contract, spec.name))
    return tuple(rules)
