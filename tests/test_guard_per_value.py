"""A CI guard for issue 5 that is not a timing: per-cell parsers run once per distinct value.

Validating 20,000 rows that hold only a handful of distinct time zones, e-mail cells and join
URLs must call each per-value parser of ``webinar_validate.contract.values`` at most once per
distinct value it could be given. A call per row (or per failing cell) would make the count
grow with the rows: 20,000 rows make that unmistakable, while the test stays fast.

The parsers are wrapped with ``unittest.mock`` where the validation code looks them up (the
module attribute), so a cache in front of them does not hide a per-row call.
"""

from __future__ import annotations

import collections
from unittest import mock

import numpy as np
import pandas as pd
import pytest

from webinar_validate import validate_frame
from webinar_validate.contract import values as _values

ROWS = 20_000
ZONES = ("America/New_York", "Europe/Berlin", "asia/tokyo", "US/Eastern", "UTC", "EST", "Eastern")
EMAILS = (
    "maria.lopez@example.org",
    "sam.okafor@example.com; priya.nair@example.com",
    "tom.becker@example.org, maria.lopez@example.org",
    "",
    "maria.lopez@",
    "priya@@example.org; sam.okafor@example.com",
)
URLS = (
    "https://zoom.example.com/j/81234567890",
    "https://teams.example.com/l/meetup-join/abc",
    "",
    "http://zoom.example.com/j/1",
    "zoom.example.com/j/2",
)
# The parsers, and which column's distinct values bound their calls.
PARSERS = {
    "canonical_zone": "timeZone",
    "suggest_zone": "timeZone",
    "emails_problem": "instructorEmails",
    "email_problem": "addresses",
    "is_https_url": "joinUrl",
}


def _cycle(values: tuple[str, ...], n: int) -> np.ndarray:
    """``values`` repeated to ``n`` rows (lengths coprime with the others mix the rows)."""
    return np.array(values, dtype=object)[np.arange(n) % len(values)]


def session_frame(n: int = ROWS) -> pd.DataFrame:
    """``n`` rows over all 18 columns with few distinct values, valid and invalid mixed."""
    minutes = pd.Timestamp("2026-03-02T09:00Z") + pd.to_timedelta(np.arange(n), unit="min")
    start = minutes.strftime("%Y-%m-%dT%H:%M:%S.000Z").to_numpy(dtype=object)
    end = (minutes + pd.Timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    start[::11] = [s[:19] for s in start[::11]]  # missing_utc_offset every 11th row
    return pd.DataFrame(
        {
            "courseGroupId": _cycle(
                (
                    "427bec6a-233a-47f4-a166-507c5ee906eb",
                    "55117FAF-B716-4C7A-89C6-E6887D11EB33",
                    "not-a-uuid",
                ),
                n,
            ),
            "sessionId": "",
            "title": _cycle(("Data Literacy 101", "Onboarding, Part 2", "=1+1"), n),
            "slug": [f"session-{i}" for i in range(n)],
            "sku": [f"SKU-{i:06d}" for i in range(n)],
            "startDate": start,
            "endDate": end.to_numpy(dtype=object),
            "timeZone": _cycle(ZONES, n),
            "webinarProvider": _cycle(("zoom", "webex", "other", "Zoom Meetings"), n),
            "joinUrl": _cycle(URLS, n),
            "instructorEmails": _cycle(EMAILS, n),
            "seatsLimit": _cycle(("50", "", "100.0", "0", "fifty"), n),
            "waitlistingEnabled": _cycle(("no", "", "false", "maybe"), n),
            "enrollmentStartDate": "",
            "enrollmentEndDate": "",
            "priceInCents": _cycle(("0", "4900", ""), n),
            "status": _cycle(("published", "draft"), n),
            "language": _cycle(("en", "en-US", "pt-BR", "english"), n),
        }
    )


def _distinct(frame: pd.DataFrame) -> dict[str, int]:
    """How many distinct values each parser could be given (trimmed cells, blanks included)."""
    counts = {col: frame[col].str.strip().nunique() for col in frame.columns}
    # email_problem is asked about each address of each distinct cell (a cell's first invalid
    # address ends its check), so an address in two distinct cells may be asked twice.
    cells = frame["instructorEmails"].str.strip().unique()
    counts["addresses"] = sum(len(_values.split_emails(cell)) for cell in cells)
    return counts


@pytest.fixture(scope="module")
def calls() -> dict[str, collections.Counter[str]]:
    """Validate the frame once with every parser wrapped; the arguments of each call."""
    seen: dict[str, collections.Counter[str]] = {}
    patches = []
    for name in PARSERS:
        original = getattr(_values, name)
        counter: collections.Counter[str] = collections.Counter()
        seen[name] = counter

        def wrapper(value: str, _original: object = original, _c: object = counter) -> object:
            _c[value] += 1  # type: ignore[index]
            return _original(value)  # type: ignore[operator]

        patches.append(mock.patch.object(_values, name, side_effect=wrapper))
    for cached in (_values.suggest_zone, _values.email_problem, _values.emails_problem):
        cached.cache_clear()
    _values.is_https_url.cache_clear()
    for p in patches:
        p.start()
    try:
        report = validate_frame(session_frame())
        report.to_dict()  # rows and their messages are made when used
    finally:
        for p in reversed(patches):
            p.stop()
    assert report.preflight.valid > 0, "the frame must leave valid rows, so normalising runs"
    assert report.preflight.invalid > 0
    return seen


# Before the fix this guard found three per-cell calls (zone and e-mail messages, and the
# time-zone normalisation); each parser is now held to once per distinct value.
@pytest.mark.parametrize("name", sorted(PARSERS))
def test_parser_runs_once_per_distinct_value(
    name: str, calls: dict[str, collections.Counter[str]]
) -> None:
    counter = calls[name]
    bound = _distinct(session_frame())[PARSERS[name]]
    assert counter, f"{name} was never called: the guard would not see a per-row call"
    repeated = {value: n for value, n in counter.most_common(5) if n > 1}
    assert counter.total() <= bound, (
        f"{name} was called {counter.total():,} times for {bound} distinct values "
        f"({len(counter)} distinct arguments); most repeated: {repeated}"
    )
