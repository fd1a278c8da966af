"""What each built-in check says about one failing cell: one sentence, the column, the value
as the user typed it, and what to do (CONTRACT.md, "Error codes").

``message(ctx, column, index, value, **statistics)``: ``value`` is the cell as read; the
statistics are the check's own (the length, the choices), as pandera holds them.
"""

from __future__ import annotations

from typing import Any

from webinar_validate.contract import values as _values
from webinar_validate.contract.cache import Context
from webinar_validate.contract.cells import to_int

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

_CONTROL_SET = {chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), *range(127, 160)]}


def _q(value: str) -> str:
    return f"'{value}'"


def control(ctx: Context, col: str, index: Any, value: str) -> str:
    bad = next((ch for ch in value if ch in _CONTROL_SET), "\x00")
    return f"{col} contains the control character U+{ord(bad):04X}; delete it from the cell."


def formula_error(ctx: Context, col: str, index: Any, value: str) -> str:
    error = value.strip()
    return (
        f"{col} holds {error}, the error a formula gave ({FORMULA_ERRORS.get(error, 'an error')}); "
        "fix the formula in the source sheet, or type the value itself."
    )


def injection(ctx: Context, col: str, index: Any, value: str, **_: Any) -> str:
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


def required(ctx: Context, col: str, index: Any, value: str) -> str:
    return f"{col} is required but the cell is empty; fill it in."


def too_long(ctx: Context, col: str, index: Any, value: str, *, max_length: int) -> str:
    return f"{col} is {len(value.strip())} characters long; shorten it to at most {max_length}."


def uuid(ctx: Context, col: str, index: Any, value: str) -> str:
    return (
        f"{col} {_q(value.strip())} is not a UUID; copy the 36-character ID "
        "(like 3f0c9a4e-1b2c-4d5e-8f90-123456789abc) from the platform."
    )


def slug(ctx: Context, col: str, index: Any, value: str, **_: Any) -> str:
    text = value.strip()
    words = "".join(ch if ch.isascii() and ch.isalnum() else " " for ch in text.lower()).split()
    hint = f"; did you mean {'-'.join(words)}?" if words else "."
    return (
        f"{col} {_q(text)} may use only lower-case letters and digits, "
        f"in words joined by single hyphens{hint}"
    )


def pattern(ctx: Context, col: str, index: Any, value: str, *, pattern: str) -> str:
    return f"{col} {_q(value.strip())} does not match the pattern {pattern}."


def datetime(ctx: Context, col: str, index: Any, value: str) -> str:
    return (
        f"{col} {_q(value.strip())} is not a valid ISO 8601 date-time; write it like "
        f"{_values.EXAMPLE_INSTANT} (UTC) or 2025-09-04T11:30:00-04:00."
    )


def no_offset(
    ctx: Context, col: str, index: Any, value: str, *, zone_column: str = "timeZone"
) -> str:
    naive = str(ctx.at(ctx.text(col), index))
    zone = ctx.zone(index, zone_column)
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


def zone(ctx: Context, col: str, index: Any, value: str) -> str:
    text = value.strip()
    hint = ctx.once(_values.suggest_zone, text)
    tail = f"; did you mean {hint}?" if hint else ", such as America/New_York or UTC."
    return f"{col} {_q(text)} is not an IANA time-zone name{tail}"


def choice(ctx: Context, col: str, index: Any, value: str, *, choices: tuple[str, ...]) -> str:
    text = value.strip()
    hint = ctx.once(_values.closest, text, choices)
    tail = f"; did you mean {hint}?" if hint else "."
    return f"{col} {_q(text)} is not one of {', '.join(choices)}{tail}"


def url(ctx: Context, col: str, index: Any, value: str) -> str:
    return (
        f"{col} {_q(value.strip())} is not an absolute https:// link; "
        "paste the full address, like https://zoom.us/j/123456789."
    )


def email(ctx: Context, col: str, index: Any, value: str, *, single: bool = False) -> str:
    if single:
        problem = _values.one_email_problem(value.strip()) or ""
        return f"{col} {value.strip()!r} is not a valid e-mail address: {problem}"
    address, why = ctx.at(ctx.email_problems(col), index) or ("", "")
    return f"{col} has {address!r}, which is not a valid e-mail address: {why}"


def integer(ctx: Context, col: str, index: Any, value: str) -> str:
    return f"{col} {_q(value.strip())} is not a whole number; write digits only, such as 50."


def out_of_range(
    ctx: Context, col: str, index: Any, value: str, *, minimum: int | None = None
) -> str:
    number = to_int(value.strip())
    if number is None:
        return f"{col} {value.strip()} is too large; check the number."
    tail = "; leave it blank for unlimited seats" if col == "seatsLimit" else ""
    return f"{col} {number} is below {minimum}; use {minimum} or more{tail}."


def boolean(ctx: Context, col: str, index: Any, value: str) -> str:
    return f"{col} {_q(value.strip())} is not yes or no; write yes or no."


def language(ctx: Context, col: str, index: Any, value: str) -> str:
    return (
        f"{col} {_q(value.strip())} is not a language code; use a two-letter ISO 639-1 code "
        "with an optional region, such as en, en-US or pt-BR."
    )
