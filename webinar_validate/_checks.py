"""The vectorised checks behind the contract's rules, and the messages that explain them.

Every check works on whole columns; per-value Python work (time zones, e-mail syntax, URLs)
runs once per distinct value through the caches in ``_values``. A :class:`Context` holds one
run's frame and caches each parse, so a rule that compares cells reuses its inputs' checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from webinar_validate import _values
from webinar_validate.codes import Code
from webinar_validate.contract import ColumnSpec, Kind, Rule

if TYPE_CHECKING:
    from webinar_validate.contract import SessionContract

Mask = "pd.Series[bool]"

_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?"
ISO_WITH_OFFSET = _DATE + r"(?:Z|[+-][0-9]{2}:[0-9]{2})"
ISO_WITHOUT_OFFSET = _DATE
UUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
WHOLE_NUMBER = r"[+-]?[0-9]+(?:\.0*)?"
LANGUAGE = r"[A-Za-z]{2}(?:[-_][A-Za-z]{2})?"
CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
INJECTION_START = "^[=+\\-@\t\r]"
BOOLEANS = {"yes": True, "no": False, "true": True, "false": False}
EXAMPLE_INSTANT = "2025-09-04T15:30:00Z"
_MAX_DIGITS = 15
_DIRECT_LOOKUPS = 8


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
        self._once: dict[tuple[Any, ...], Any] = {}
        self.rules: dict[str, tuple[Rule, ...]] = {}
        self._text: dict[str, pd.Series] = {}
        self._fails: dict[tuple[str, int], pd.Series] = {}
        self._instants: dict[str, tuple[pd.Series, pd.Series]] = {}

    def focus(self, indexes: list[Any]) -> None:
        """Name the rows messages will be built for: look-ups take only their cells."""
        self._focus = indexes

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
            picked = series
        else:
            where = series.index.get_indexer(pd.Index(wanted))
            picked = series.iloc[where[where >= 0]]
        return dict(zip(picked.index.tolist(), picked.tolist(), strict=True))

    def raw(self, column: str) -> pd.Series:
        """The cells as read."""
        return self.frame[column]

    def prime_text(self, texts: dict[str, pd.Series]) -> None:
        """Hand over columns already trimmed (same index as the frame), so none is trimmed twice."""
        self._text.update(texts)

    def text(self, column: str) -> pd.Series:
        """The cells trimmed of surrounding white space (non-breaking spaces included)."""
        if column not in self._text:
            self._text[column] = self.frame[column].str.strip()
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
            self._fails[key] = rule.fails(self, column).fillna(False).astype(bool)
        return self._fails[key]

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
            aware = text.str.fullmatch(ISO_WITH_OFFSET).fillna(False).astype(bool)
            naive = text.str.fullmatch(ISO_WITHOUT_OFFSET).fillna(False).astype(bool)
            self._instants[column] = (
                parse_instants(text, aware, utc=True),
                parse_instants(text, naive, utc=False),
            )
        return self._instants[column]

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


_PARSE_BLOCK = 1 << 16


def parse_instants(text: pd.Series, keep: pd.Series, *, utc: bool) -> pd.Series:
    """``pd.to_datetime(text.where(keep), format="ISO8601", utc=utc, errors="coerce")``, in
    microseconds, by Arrow's C parser (~7x faster); a block with a value Arrow refuses (an
    impossible date such as 30 February) is parsed by pandas instead, so the result is the same.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pa.array(text.array)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
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


def _q(value: str) -> str:
    return f"'{value}'"


# --- the own checks --------------------------------------------------------------------------


def _control(ctx: Context, col: str) -> pd.Series:
    raw = ctx.raw(col)
    if not _may_hold_control(raw):
        return pd.Series(False, index=raw.index)
    return raw.str.contains(CONTROL, regex=True)


def _may_hold_control(raw: pd.Series) -> bool:
    """False when no cell's UTF-8 bytes can hold a control character: a few C-speed passes over
    the column's byte buffers, ~30x cheaper than the regular expression on every cell.

    A C0 control is a byte below 0x20 (tab and line breaks too: then the regex decides); DEL is
    0x7F; a C1 control starts with 0xC2 (as do NBSP and the degree sign: the regex decides).
    """
    array = raw.array
    if not hasattr(array, "__arrow_array__"):
        return True
    import pyarrow as pa

    chunks = pa.array(array)
    for chunk in getattr(chunks, "chunks", [chunks]):
        if chunk.type not in (pa.string(), pa.large_string()):
            return True
        data = chunk.buffers()[2]  # None when every value is empty
        if data is None or not data.size:
            continue
        if np.frombuffer(data, dtype=np.uint8).min() < 0x20:
            return True
        text = data.to_pybytes()
        if b"\x7f" in text or b"\xc2" in text:
            return True
    return False


def _control_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    bad = next((ch for ch in value if ch in _CONTROL_SET), "\x00")
    return f"{col} contains the control character U+{ord(bad):04X}; delete it from the cell."


_CONTROL_SET = {chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), *range(127, 160)]}


def _injection(ctx: Context, col: str) -> pd.Series:
    return ctx.raw(col).str.match(INJECTION_START, na=False)


def _injection_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    first = {"\t": "a tab", "\r": "a carriage return"}.get(value[:1], f"'{value[:1]}'")
    return (
        f"{col} begins with {first}, which a spreadsheet may run as a formula; "
        "remove that first character or reword the text."
    )


def _required(ctx: Context, col: str) -> pd.Series:
    return ctx.blank(col)


def _required_msg(ctx: Context, col: str, index: Any, value: str) -> str:
    return f"{col} is required but the cell is empty; fill it in."


def _too_long(ctx: Context, col: str) -> pd.Series:
    limit = _spec(ctx, col).max_length or 0
    return ctx.text(col).str.len() > limit


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
        ctx.memo[key] = per_value(ctx.text(col), _values.emails_problem)
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
_REQUIRED_RULE = Rule(Code.REQUIRED, _required, _required_msg)
_TOO_LONG_RULE = Rule(Code.TOO_LONG, _too_long, _too_long_msg)
_CHOICE_RULE = Rule(Code.INVALID_CHOICE, _bad_choice, _bad_choice_msg)
_PATTERN_RULE = Rule(Code.INVALID_PATTERN, _slug_fails, _pattern_msg)


def rules_for(contract: SessionContract, spec: ColumnSpec) -> tuple[Rule, ...]:
    """A column's rules in the order a cell is judged: the first failing one is reported."""
    from webinar_validate import _cross

    rules: list[Rule] = [_CONTROL_RULE]
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
