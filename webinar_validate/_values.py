"""Per-value parsers the contract needs where no vectorised check exists.

Each is cached, so validation pays once per distinct value, never once per row.
"""

from __future__ import annotations

import difflib
import importlib.resources
from datetime import datetime
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
    """``2025-09-06T15:30:00`` in ``zone`` -> ``2025-09-06T15:30:00-04:00`` (None if unusable)."""
    try:
        local = datetime.fromisoformat(naive_iso).replace(tzinfo=ZoneInfo(zone))
    except (ValueError, KeyError, OSError):
        return None
    return local.isoformat(timespec="seconds")
