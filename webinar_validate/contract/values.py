"""Per-value parsers the contract needs where no vectorised check exists.

Each is cached, so validation pays once per distinct value, never once per row.
"""

from __future__ import annotations

import difflib
import importlib.resources
import unicodedata
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email

# --- what trimming removes, and what may hide a formula (CONTRACT.md formula_injection) --------

TRIMMED = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
"""The white space trimmed from both ends of every cell before it is checked and sent: exactly
the characters ``str.strip()`` removes (and Arrow's ``utf8_trim_whitespace``; a test compares
them over every code point). Trimming strips these, and no other, characters: see :func:`trim`."""


def _chars(*spans: tuple[int, int]) -> str:
    return "".join(chr(code) for low, high in spans for code in range(low, high + 1))


INVISIBLE = _chars(
    (0x00, 0x08),  # the control characters that are not white space: C0, DEL, C1
    (0x0E, 0x1B),
    (0x7F, 0x84),
    (0x86, 0x9F),
    # Unicode's Default_Ignorable_Code_Point, all of it
    (0xAD, 0xAD),
    (0x34F, 0x34F),
    (0x61C, 0x61C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
"""Characters that show nothing, yet are not trimmed: the other control characters, and Unicode's
default-ignorable code points (zero-width space, joiners, word joiner, BOM, bidi marks, soft
hyphen, variation selectors, fillers, tags; U+180E was white space before Unicode 6.3). Another
program's trim (Java's strips every C0 control, JavaScript's the BOM) or a clean-up of invisible
characters may remove them and leave the formula in front."""

SKIPPED_BEFORE_FORMULA = TRIMMED + INVISIBLE
"""What the formula_injection rule looks past at the start of a cell. It holds every character
trimming removes, so that a cell whose trimmed text starts like a formula does so itself."""

FORMULA_FIRST = "\t\r"
"""A cell whose very first character is one of these is read as a formula by some programs."""
FORMULA_TRIGGERS = "=+-@"
"""The characters that start a formula, once any white space before them is gone."""


UUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
"""A UUID in any letter case (the ID the platform shows)."""
WHOLE_NUMBER = r"[+-]?[0-9]+(?:\.0*)?"
"""A whole number as a cell may hold it (``50``, ``+3``, ``12.0``)."""
LANGUAGE = r"[A-Za-z]{2}(?:[-_][A-Za-z]{2})?"
"""An ISO 639-1 code with an optional region, in any letter case (``en``, ``pt-BR``)."""
CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
"""The control characters no cell may hold (tab, line feed and carriage return may)."""
BOOLEANS = {"yes": True, "no": False, "true": True, "false": False}
"""The words a yes/no cell may hold, in any letter case, and what each means."""
EXAMPLE_INSTANT = "2025-09-04T15:30:00Z"
# CONTRACT.md v2 "Date-times": a space instead of the T (what Sheets and LibreOffice export) is
# the same date-time. Arrow's cast and pandas' ISO8601 parser read both forms alike.
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?"
ISO_WITH_OFFSET = _DATE + r"(?:Z|[+-][0-9]{2}:[0-9]{2})"
ISO_SHAPE = _DATE + r"(?:Z|[+-][0-9]{2}:[0-9]{2})?"
"""An ISO 8601 date-time, with or without its UTC offset (``ISO_WITH_OFFSET``: with); a space
may stand for the ``T``."""


def t_form(text: str) -> str:
    """A date-time of ``ISO_SHAPE`` written with its ``T``: ``2026-09-10 10:00`` ->
    ``2026-09-10T10:00`` (the date is always the first 10 characters)."""
    return text[:10] + "T" + text[11:] if text[10:11] == " " else text


def trim(text: str) -> str:
    """A cell as it is checked and sent: without the white space around it (``TRIMMED``)."""
    return text.strip(TRIMMED)


def formula_start(text: str) -> int | None:
    """Where a cell starts like a formula (CONTRACT.md formula_injection), or None.

    The position of its first character when that is a tab or a carriage return; otherwise of
    the first ``=``, ``+``, ``-`` or ``@`` after any characters of ``SKIPPED_BEFORE_FORMULA``.
    Whenever ``formula_start(trim(text))`` finds a start, this does too: trimming removes only
    characters this skips. (A cell that starts with a tab is found, though its trimmed text may
    not start like a formula: the contract flags it as given.)
    """
    if text and text[0] in FORMULA_FIRST:
        return 0
    rest = text.lstrip(SKIPPED_BEFORE_FORMULA)
    if rest and rest[0] in FORMULA_TRIGGERS:
        return len(text) - len(rest)
    return None


@lru_cache(maxsize=65536)
def formula_address(cell: str) -> str | None:
    """The first address of an instructorEmails cell that starts like a formula, or None:
    each address is sent on its own (``split_emails``), so each is judged as sent."""
    for address in split_emails(cell):
        if formula_start(address) is not None:
            return address
    return None


_FIRST_NAMES = {"\t": "tab", "\r": "carriage return"}


def formula_opening(text: str, at: int) -> str:
    """What a cell starts with, up to its formula character at ``at``, for a message."""
    shown = "a " + _FIRST_NAMES[text[at]] if text[at] in _FIRST_NAMES else f"'{text[at]}'"
    before = text[:at]
    if not before:
        return shown
    if before.strip(" ") == "":
        spaces = "a space" if len(before) == 1 else f"{len(before)} spaces"
        return f"{spaces} and then {shown}"
    names = [char_name(ch) for ch in dict.fromkeys(before)]
    if len(names) == 1:
        return f"an invisible {names[0]} and then {shown}"
    listed = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
    return f"invisible characters ({listed}) and then {shown}"


def formula_remedy(text: str, at: int) -> str:
    """What to do about a cell that starts like a formula at ``at``."""
    if text[at] in FORMULA_FIRST:
        return f"delete the {_FIRST_NAMES[text[at]]} at the start"
    where = " and everything before it" if at else ""
    return f"delete the '{text[at]}'{where}, or reword the text to start with a letter or digit"


def char_name(ch: str) -> str:
    """A character as a message names it: ``no-break space (U+00A0)``."""
    name = _CONTROL_NAMES.get(ch) or unicodedata.name(ch, "character").lower()
    return f"{name} (U+{ord(ch):04X})"


_CONTROL_NAMES = {
    " ": "space",
    "\t": "tab",
    "\n": "line feed",
    "\x0b": "vertical tab",
    "\x0c": "form feed",
    "\r": "carriage return",
    "\x85": "next line",
}


# Abbreviations and Windows-style names people type, mapped to the zone they usually mean.
_ZONE_HINTS = {
    "est": "America/New_York",
    "edt": "America/New_York",
    "eastern": "America/New_York",
    "easterntime": "America/New_York",
    "easternstandardtime": "America/New_York",
    "est5edt": "America/New_York",
    "et": "America/New_York",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "central": "America/Chicago",
    "centralstandardtime": "America/Chicago",
    "cst6cdt": "America/Chicago",
    "ct": "America/Chicago",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "mountain": "America/Denver",
    "mst7mdt": "America/Denver",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles",
    "pacificstandardtime": "America/Los_Angeles",
    "pst8pdt": "America/Los_Angeles",
    "pt": "America/Los_Angeles",
    "hst": "Pacific/Honolulu",
    "gmt": "Europe/London",
    "bst": "Europe/London",
    "wet": "Europe/Lisbon",
    "cet": "Europe/Paris",
    "cest": "Europe/Paris",
    "met": "Europe/Paris",
    "eet": "Europe/Athens",
    "ist": "Asia/Kolkata",
    "jst": "Asia/Tokyo",
    "aest": "Australia/Sydney",
    "utc": "UTC",
    "z": "UTC",
    "zulu": "UTC",
}


@cache
def _zones() -> dict[str, str]:
    """Lower-case name -> canonical spelling, for Area/Location names (links included) and UTC."""
    names = importlib.resources.files("tzdata").joinpath("zones").read_text().split()
    accepted = [n for n in names if "/" in n] + ["UTC"]
    return {n.lower(): n for n in accepted}


def accepted_zones() -> list[str]:
    """Every accepted time-zone name, canonically spelled, sorted."""
    return sorted(_zones().values())


def canonical_zone(value: str) -> str | None:
    """The canonical IANA spelling of an accepted time-zone name, or None."""
    return _zones().get(value.lower())


@lru_cache(maxsize=4096)
def suggest_zone(value: str) -> str | None:
    """The zone a person most likely meant by a rejected time-zone name."""
    key = value.lower().replace(" ", "").replace("_", "").replace("-", "")
    if key in _ZONE_HINTS:
        return _ZONE_HINTS[key]
    zones = _zones()
    close = difflib.get_close_matches(value.lower(), list(zones), n=1, cutoff=0.75)
    if close:
        return zones[close[0]]
    by_city = {n.rsplit("/", 1)[-1].lower(): n for n in zones.values() if "/" in n}
    close = difflib.get_close_matches(
        value.lower().replace(" ", "_"), list(by_city), n=1, cutoff=0.8
    )
    return by_city[close[0]] if close else None


@lru_cache(maxsize=65536)
def email_problem(address: str) -> str | None:
    """Why an e-mail address is not syntactically valid, or None. Never looks up DNS."""
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        return str(exc)
    return None


def split_emails(cell: str) -> list[str]:
    """The addresses in an instructorEmails cell, separated by ``;`` or ``,``."""
    parts = (trim(part) for part in cell.replace(",", ";").split(";"))
    return [part for part in parts if part]


ONE_ADDRESS_ONLY = "give one address only"
"""What :func:`one_email_problem` says of a cell that holds several addresses."""


def one_email_problem(cell: str) -> str | None:
    """Why a cell is not exactly one valid e-mail address, or None."""
    if len(split_emails(cell)) > 1:
        return ONE_ADDRESS_ONLY
    return email_problem(cell)


@lru_cache(maxsize=65536)
def emails_problem(cell: str) -> tuple[str, str] | None:
    """The first invalid address of a cell and why, or None when all are valid."""
    for address in split_emails(cell):
        problem = email_problem(address)
        if problem is not None:
            return address, problem
    return None


@lru_cache(maxsize=65536)
def is_https_url(value: str) -> bool:
    """An absolute https:// URL with a host and no white space."""
    if any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() == "https" and bool(host)


def closest(value: str, choices: tuple[str, ...]) -> str | None:
    """The choice closest to a rejected value, if any is close."""
    lowered = {c.lower(): c for c in choices}
    for candidate in lowered:
        if candidate.startswith(value.lower()[:4]) and len(value) >= 3:
            return lowered[candidate]
    hit = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[hit[0]] if hit else None


def with_offset(naive_iso: str, zone: str) -> str | None:
    """``2025-09-06T15:30:00`` in ``zone`` -> ``2025-09-06T15:30:00-04:00``.

    None when the text or zone is unusable, or the local time does not exist or is ambiguous
    there (see :func:`resolve_local`).
    """
    return resolve_local(naive_iso, zone)[0]


@cache
def _zone_info(key: str) -> ZoneInfo:
    """One ZoneInfo per zone and run (zoneinfo's own strong cache keeps only a few)."""
    return ZoneInfo(key)


@lru_cache(maxsize=4096)
def resolve_local(naive_iso: str, zone: str) -> tuple[str | None, str | None]:
    """A local date-time without offset, read in ``zone``: ``(with its offset, None)``.

    Aware of daylight saving: a time in the spring-forward gap does not exist, and one in the
    fall-back overlap has two readings; both give ``(None, a sentence naming the readings)``.
    ``(None, None)`` when the text or the zone is unusable.
    """
    try:
        naive = datetime.fromisoformat(naive_iso)
        tz = _zone_info(zone)
        if naive.tzinfo is not None:
            return None, None
        # fold=0 reads a gap or overlap time with the offset before the change, fold=1 after.
        early, late = naive.replace(tzinfo=tz), naive.replace(tzinfo=tz, fold=1)
        before, after = early.utcoffset(), late.utcoffset()
        if before is None or after is None:
            return None, None
        if before == after:
            return early.isoformat(timespec="seconds"), None
        start, end = _change(naive, tz, before, after)
        exists = early.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive
    except (ValueError, KeyError, OSError, OverflowError):
        return None, None
    if not exists:
        return None, f"{naive_iso} does not exist in {zone} (clocks jump from {start} to {end})"
    readings = f"{early.isoformat(timespec='seconds')} or {late.isoformat(timespec='seconds')}"
    return None, (
        f"{naive_iso} is ambiguous in {zone} (clocks go back from {start} to {end}): "
        f"it is either {readings}"
    )


def _change(naive: datetime, tz: ZoneInfo, before: timedelta, after: timedelta) -> tuple[str, str]:
    """The wall-clock times just before and at the offset change next to ``naive``."""
    low, high = sorted(((naive - after).replace(tzinfo=UTC), (naive - before).replace(tzinfo=UTC)))
    while high - low > timedelta(seconds=1):  # bisect the UTC instants for the change
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == before:
            low = middle
        else:
            high = middle
    moment = high.replace(microsecond=0)
    if moment.astimezone(tz).utcoffset() == before:
        moment += timedelta(seconds=1)

    def clock(offset: timedelta) -> str:
        wall = moment + offset
        return wall.strftime("%H:%M:%S" if wall.second else "%H:%M")

    return clock(before), clock(after)
