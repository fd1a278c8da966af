"""What each built-in check says about one failing cell: one sentence, the column, the value
as the user typed it, and what to do (CONTRACT.md, "Error codes").

``message(ctx, column, index, value, **statistics)``: ``value`` is the cell as read; the
statistics are the check's own (the length, the choices), as pandera holds them. The message of
a cell's own check depends on the column and the cell alone: but for ``missing_utc_offset``
and an address list's ``invalid_email``, which read the run, it is made when the report is
read, once per distinct cell, with no run (``ctx`` and ``index`` are None; see
``Rule.said_when_read``).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
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


def control(ctx: Context | None, col: str, index: Any, value: str) -> str:
    bad = next((ch for ch in value if ch in _CONTROL_SET), "\x00")
    return f"{col} contains the control character U+{ord(bad):04X}; delete it from the cell."


def formula_error(ctx: Context | None, col: str, index: Any, value: str) -> str:
    error = value.strip()
    return (
        f"{col} holds {error}, the error a formula gave ({FORMULA_ERRORS.get(error, 'an error')}); "
        "fix the formula in the source sheet, or type the value itself."
    )


def injection(ctx: Context | None, col: str, index: Any, value: str, **_: Any) -> str:
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


def required(ctx: Context | None, col: str, index: Any, value: str) -> str:
    return f"{col} is required but the cell is empty; fill it in."


def too_long(ctx: Context | None, col: str, index: Any, value: str, *, max_length: int) -> str:
    return f"{col} is {len(value.strip())} characters long; shorten it to at most {max_length}."


def uuid(ctx: Context | None, col: str, index: Any, value: str) -> str:
    return (
        f"{col} {_q(value.strip())} is not a UUID; copy the 36-character ID "
        "(like 3f0c9a4e-1b2c-4d5e-8f90-123456789abc) from the platform."
    )


def slug(ctx: Context | None, col: str, index: Any, value: str, **_: Any) -> str:
    text = value.strip()
    words = "".join(ch if ch.isascii() and ch.isalnum() else " " for ch in text.lower()).split()
    hint = f"; did you mean {'-'.join(words)}?" if words else "."
    return (
        f"{col} {_q(text)} may use only lower-case letters and digits, "
        f"in words joined by single hyphens{hint}"
    )


def pattern(ctx: Context | None, col: str, index: Any, value: str, *, pattern: str) -> str:
    return f"{col} {_q(value.strip())} does not match the pattern {pattern}."


def datetime(ctx: Context | None, col: str, index: Any, value: str) -> str:
    return (
        f"{col} {_q(value.strip())} is not a valid ISO 8601 date-time; write it like "
        f"{_values.EXAMPLE_INSTANT} (UTC) or 2025-09-04T11:30:00-04:00."
    )


def no_offset(
    ctx: Context, col: str, index: Any, value: str, *, zone_column: str = "timeZone"
) -> str:
    naive = _values.trim(value)  # the cell as checked (ctx.text)
    zone = ctx.zone(index, zone_column)
    fixed, problem = ctx.once(_values.resolve_local, naive, zone) if zone else (None, None)
    if (index, col) in ctx.typed_dates and ctx.dataframe is not None:
        return _naive_in_frame(ctx.dataframe, col, naive, zone, fixed, problem)
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


_LOCALIZE = {"pandas": "Series.dt.tz_localize", "polars": "Expr.dt.replace_time_zone"}
"""How each DataFrame library gives a column of datetimes its time zone."""


def _naive_in_frame(
    library: str, col: str, naive: str, zone: str | None, fixed: str | None, problem: str | None
) -> str:
    """A DataFrame's datetime without a time zone: a pipeline localizes the column (there is
    no cell to format as text)."""
    shown = naive.replace("T", " ")  # as the DataFrame prints it
    start = f"{col} {shown} is a datetime without a time zone in the DataFrame"
    localize = _LOCALIZE.get(library, _LOCALIZE["pandas"])
    if fixed:
        return (
            f'{start}; in {zone} that is {fixed}: localize the column ({localize}("{zone}")) '
            "or give that text."
        )
    if problem:
        said = problem.replace(naive, shown)
        return f"{start}; {said}; give this value as text with the offset you mean."
    return (
        f"{start}; localize the column to the sessions' time zone ({localize}) or give text "
        "with Z for UTC or an offset such as -04:00."
    )


def zone(ctx: Context | None, col: str, index: Any, value: str) -> str:
    text = value.strip()
    hint = _values.suggest_zone(text)
    tail = f"; did you mean {hint}?" if hint else "; write one such as America/New_York or UTC."
    return f"{col} {_q(text)} is not an IANA time-zone name{tail}"


def choice(
    ctx: Context | None, col: str, index: Any, value: str, *, choices: tuple[str, ...]
) -> str:
    text = value.strip()
    hint = _values.closest(text, choices)
    tail = f"; did you mean {hint}?" if hint else "; write one of them."
    return f"{col} {_q(text)} is not one of {', '.join(choices)}{tail}"


def url(ctx: Context | None, col: str, index: Any, value: str) -> str:
    return (
        f"{col} {_q(value.strip())} is not an absolute https:// link; "
        "paste the full address, like https://zoom.us/j/123456789."
    )


def email(ctx: Context | None, col: str, index: Any, value: str, *, single: bool = False) -> str:
    if single:
        text = value.strip()
        problem = _values.one_email_problem(text) or ""
        if problem == _values.ONE_ADDRESS_ONLY:
            return f"{col} {text} holds more than one address; give one address only."
        return f"{col} {text} is not a valid e-mail address: {email_reason(text, problem)}."
    if ctx is None:  # an address list's message reads the run (see Rule.said_when_read)
        raise TypeError("the message of an address list needs the run's Context")
    address, why = ctx.at(ctx.email_problems(col), index) or ("", "")
    return f"{col} has the address {address}, which is not valid: {email_reason(address, why)}."


_CURLY_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u301d\u301e\uff02"
"""Double quotes a word processor or spreadsheet types for ``"`` (a curly quote anywhere)."""
_CURLY_APOSTROPHES = "\u2018\u2019\u201a\u201b\u2032"
"""Single curly quotes: only around the address (``maria\u2019s@example.org`` is valid)."""
_EXAMPLE_EMAIL = "maria@example.org"
_EMAIL_REASONS = (
    ("must have an @-sign", f"it has no @; write it like {_EXAMPLE_EMAIL}"),
    ("something before the @-sign", f"nothing comes before the @; write it like {_EXAMPLE_EMAIL}"),
    ("something after the @-sign", f"nothing comes after the @; write it like {_EXAMPLE_EMAIL}"),
    ("cannot end with a period", "it ends with a period; delete that period"),
    ("cannot start with a period", "it starts with a period; delete that period"),
    ("two periods in a row", "it has two periods in a row; delete one"),
    ("period immediately before the @-sign", "it has a period just before the @; delete it"),
    ("hyphen immediately after the @-sign", "it has a hyphen just after the @; delete it"),
    (
        "It should have a period",
        "the part after the @ has no period; write the whole domain, like example.org",
    ),
    (
        "display name and angle brackets",
        "it has a name or angle brackets (< >) around it; "
        f"keep only the address, like {_EXAMPLE_EMAIL}",
    ),
    ("Quoting the part before the @-sign", "it has quotes in it; delete them"),
    (
        "special-use or reserved name",
        "the part after the @ is a reserved name that no mailbox uses; check the domain",
    ),
    (
        "valid top-level domain",
        "the part after the @ does not end like a domain (.org, .com); check it",
    ),
    ("so many characters", "a part of the domain after the @ is too long; check the domain"),
    ("too long", "it is too long for an e-mail address; check it"),
)
"""email-validator's reasons (by a phrase of its message) as a spreadsheet user reads them."""
_CODEPOINT = re.compile(r"[Cc]odepoint U\+([0-9A-Fa-f]{4,6})")
_INVALID_CHARACTERS = re.compile(r"invalid characters[^:]*: (.+?)\.?$")


def email_reason(address: str, why: str) -> str:
    """Why ``address`` is not an e-mail address, in plain words with what to do, from
    email-validator's reason ``why`` (which names code points and positions)."""
    curly = next((ch for ch in address if ch in _CURLY_QUOTES), None)
    if curly is None and _around(address, _CURLY_APOSTROPHES):
        curly = address[0] if address[0] in _CURLY_APOSTROPHES else address[-1]
    if curly is not None:
        return (
            f"a curly quote ({curly}) is in the address; delete the quotes and type the "
            f"address alone, like {_EXAMPLE_EMAIL}"
        )
    if address.lower().startswith("mailto:"):
        return "delete the mailto: at its start and keep the address alone"
    if "display name" in why:  # "Maria Lopez <maria@example.org>": not about its space
        return _validator_reason(why)
    if _around(address, "\"'"):
        return "it is in quotes; delete them and type the address alone"
    for ch in address:
        if ch.isspace():
            shown = "a space" if ch == " " else f"a {_values.char_name(ch)}"
            return f"it contains {shown}; delete it"
        if ch in _values.INVISIBLE:
            return (
                f"it contains an invisible {_values.char_name(ch)}; delete it, "
                "or type the address again"
            )
    return _validator_reason(why)


def _around(address: str, quotes: str) -> bool:
    """Whether the address starts or ends with one of ``quotes``."""
    return bool(address) and (address[0] in quotes or address[-1] in quotes)


def _validator_reason(why: str) -> str:
    for phrase, reason in _EMAIL_REASONS:
        if phrase in why:
            return reason
    code = _CODEPOINT.search(why)
    if code is not None:
        ch = chr(int(code.group(1), 16))
        return (
            f"it contains the character {_values.char_name(ch)}, which no address may hold; "
            "delete it"
        )
    chars = _INVALID_CHARACTERS.search(why)
    if chars is not None:
        listed = chars.group(1).replace("'", "")
        if listed == "@":
            return "it has more than one @; keep one"
        what = "the characters" if ", " in listed else "the character"
        return f"it contains {what} {listed}, which no address may hold; delete it"
    return why.rstrip(".") or "check it"


def integer(ctx: Context | None, col: str, index: Any, value: str) -> str:
    text = value.strip()
    if col.lower().endswith("cents"):  # priceInCents: a price written in dollars
        said = _in_dollars(col, text)
        if said is not None:
            return said
    return f"{col} {_q(text)} is not a whole number; write digits only, such as 50."


_DOLLARS = re.compile(r"(\$?)\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def _in_dollars(col: str, text: str) -> str | None:
    """What to say of an amount of dollars (``49.99``, ``$49``) in a column of cents."""
    written = _DOLLARS.fullmatch(text)
    if written is None:
        return None
    cents = Decimal(written.group(2)) * 100
    whole = cents.to_integral_value(rounding=ROUND_HALF_UP)
    cause = "is an amount in dollars" if written.group(1) else "is not a whole number of cents"
    dollars = f"${whole / 100:.2f}"
    if cents == whole:
        return f"{col} {text} {cause}; prices are in cents: write {whole} for {dollars}."
    return (
        f"{col} {text} {cause}; prices are in cents: write a whole number of cents, such as "
        f"{whole} for {dollars}."
    )


def out_of_range(
    ctx: Context | None, col: str, index: Any, value: str, *, minimum: int | None = None
) -> str:
    number = to_int(value.strip())
    if number is None:
        return f"{col} {value.strip()} is too large; check the number."
    tail = "; leave it blank for unlimited seats" if col == "seatsLimit" else ""
    return f"{col} {number} is below {minimum}; use {minimum} or more{tail}."


def boolean(ctx: Context | None, col: str, index: Any, value: str) -> str:
    return f"{col} {_q(value.strip())} is not yes or no; write yes or no."


def language(ctx: Context | None, col: str, index: Any, value: str) -> str:
    return (
        f"{col} {_q(value.strip())} is not a language code; use a two-letter ISO 639-1 code "
        "with an optional region, such as en, en-US or pt-BR."
    )
