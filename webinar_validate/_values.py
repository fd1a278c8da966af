"""Per-value parsers the contract needs where no vectorised check exists.

Each is cached, so validation pays once per distinct value, never once per row.
"""

from __future__ import annotations

import difflib
import importlib.resources
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email

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
    return [part.strip() for part in cell.replace(",", ";").split(";") if part.strip()]


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
