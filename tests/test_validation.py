"""Row rules through the library's frame entry: short (rowNumber, column, code) assertions."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from webinar_validate import SessionContract, validate_frame
from webinar_validate.engine.run import match_header

GROUP = "3f0c9a4e-1b2c-4d5e-8f90-123456789abc"
GOOD: dict[str, Any] = {
    "courseGroupId": GROUP,
    "title": "Intro",
    "startDate": "2025-03-01T15:30:00Z",
    "endDate": "2025-03-01T16:30:00Z",
    "timeZone": "America/New_York",
    "webinarProvider": "zoom",
}


def run(*rows: dict[str, Any], **kwargs: Any) -> list[tuple[int, str | None, str]]:
    frame = pd.DataFrame([{**GOOD, **row} for row in rows])
    report = validate_frame(frame, **kwargs)
    assert report.judged, report.errors
    pre = report.preflight
    assert pre.rowsRead == pre.valid + pre.invalid + pre.blank
    return report.flatten()


def test_a_good_row_is_valid_and_normalised() -> None:
    row = {
        "courseGroupId": GROUP.upper(),
        "timeZone": "us/eastern",
        "webinarProvider": "ZOOM",
        "startDate": "2025-03-01T10:30-05:00",
        "seatsLimit": "10.0",
        "waitlistingEnabled": "Yes",
        "instructorEmails": "a@example.org; b@example.org",
        "language": "en_us",
        "status": "PUBLISHED",
        "title": "  Intro\u00a0",
    }
    report = validate_frame(pd.DataFrame([{**GOOD, **row}]))
    assert report.ok
    values = report.valid_rows[0].values
    assert values["courseGroupId"] == GROUP
    assert values["timeZone"] == "US/Eastern"
    assert values["webinarProvider"] == "zoom"
    assert values["startDate"] == "2025-03-01T15:30:00.000Z"
    assert values["seatsLimit"] == 10
    assert values["waitlistingEnabled"] is True
    assert values["instructorEmails"] == ["a@example.org", "b@example.org"]
    assert values["language"] == "en-US"
    assert values["status"] == "published"
    assert values["title"] == "Intro"


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"courseGroupId": ""}, [(2, "courseGroupId", "required")]),
        ({"courseGroupId": "abc"}, [(2, "courseGroupId", "invalid_uuid")]),
        ({"sessionId": "123"}, [(2, "sessionId", "invalid_uuid")]),
        ({"title": "x" * 256}, [(2, "title", "too_long")]),
        ({"sku": "x" * 65}, [(2, "sku", "too_long")]),
        ({"slug": "Intro Session"}, [(2, "slug", "invalid_slug")]),
        ({"startDate": "09/04/2025 3:30 PM"}, [(2, "startDate", "invalid_datetime")]),
        ({"startDate": "2025-02-30T10:00Z"}, [(2, "startDate", "invalid_datetime")]),
        ({"startDate": "2025-03-01T15:30:00"}, [(2, "startDate", "missing_utc_offset")]),
        ({"endDate": "2025-03-01T15:00:00Z"}, [(2, "endDate", "end_not_after_start")]),
        ({"endDate": "2025-03-02T15:31:00Z"}, [(2, "endDate", "session_too_long")]),
        ({"timeZone": "EST"}, [(2, "timeZone", "invalid_time_zone")]),
        ({"webinarProvider": "skype"}, [(2, "webinarProvider", "invalid_choice")]),
        ({"status": "live"}, [(2, "status", "invalid_choice")]),
        ({"joinUrl": "http://example.org/j/1"}, [(2, "joinUrl", "invalid_url")]),
        ({"webinarProvider": "other"}, [(2, "joinUrl", "required")]),
        ({"instructorEmails": "a@example.org, bob@"}, [(2, "instructorEmails", "invalid_email")]),
        ({"seatsLimit": "ten"}, [(2, "seatsLimit", "invalid_integer")]),
        ({"seatsLimit": "0"}, [(2, "seatsLimit", "out_of_range")]),
        ({"priceInCents": "-1"}, [(2, "priceInCents", "out_of_range")]),
        ({"waitlistingEnabled": "maybe"}, [(2, "waitlistingEnabled", "invalid_boolean")]),
        ({"waitlistingEnabled": "yes"}, [(2, "waitlistingEnabled", "waitlist_without_limit")]),
        ({"language": "english"}, [(2, "language", "invalid_language")]),
        ({"title": "=HYPERLINK(1)"}, [(2, "title", "formula_injection")]),
        ({"title": "bad\x07bell"}, [(2, "title", "invalid_character")]),
        (
            {
                "enrollmentStartDate": "2025-02-10T00:00:00Z",
                "enrollmentEndDate": "2025-02-01T00:00Z",
            },
            [(2, "enrollmentEndDate", "enrollment_window")],
        ),
        (
            {"enrollmentEndDate": "2025-03-01T17:00:00Z"},
            [(2, "enrollmentEndDate", "enrollment_window")],
        ),
    ],
)
def test_each_rule_names_its_column_and_code(
    cells: dict[str, Any], expected: list[tuple[int, str, str]]
) -> None:
    assert run(cells) == expected


def test_a_row_collects_all_its_errors() -> None:
    assert run({"courseGroupId": "x", "timeZone": "Eastern", "seatsLimit": "many"}) == [
        (2, "courseGroupId", "invalid_uuid"),
        (2, "timeZone", "invalid_time_zone"),
        (2, "seatsLimit", "invalid_integer"),
    ]


def test_cross_rules_skip_cells_that_failed_their_own_check() -> None:
    # endDate has no offset: it is missing_utc_offset, not also end_not_after_start.
    assert run({"endDate": "2025-03-01T09:00:00"}) == [(2, "endDate", "missing_utc_offset")]


def test_duplicates_name_the_earlier_row() -> None:
    frame = pd.DataFrame([{**GOOD, "slug": "intro"}, {**GOOD, "slug": "intro", "title": "Other"}])
    report = validate_frame(frame)
    assert report.flatten() == [(3, "slug", "duplicate_value")]
    assert "row 2" in report.invalid_rows[0].errors[0].message


def test_duplicate_session_is_reported_on_start_date() -> None:
    assert run({}, {"slug": "other"}) == [(3, "startDate", "duplicate_session")]


def test_missing_offset_message_gives_the_offset_the_time_zone_implies() -> None:
    report = validate_frame(pd.DataFrame([{**GOOD, "startDate": "2025-09-06T15:30:00"}]))
    assert "2025-09-06T15:30:00-04:00" in report.invalid_rows[0].errors[0].message


def test_typed_dates_in_a_frame_are_missing_their_offset() -> None:
    frame = pd.DataFrame([{**GOOD, "startDate": pd.Timestamp("2025-09-06 15:30")}])
    assert validate_frame(frame).flatten() == [(2, "startDate", "missing_utc_offset")]


def test_time_zone_suggestion() -> None:
    report = validate_frame(pd.DataFrame([{**GOOD, "timeZone": "EST"}]))
    assert "America/New_York" in report.invalid_rows[0].errors[0].message


def test_blank_rows_are_counted_not_judged() -> None:
    blank = dict.fromkeys(GOOD, "")
    frame = pd.DataFrame([GOOD, blank, {**GOOD, "slug": "b", "title": "B"}])
    report = validate_frame(frame)
    assert (report.preflight.valid, report.preflight.blank) == (2, 1)
    assert [w.code for w in report.preflight.warnings] == ["blank_row"]


def test_row_numbers_can_come_from_a_column() -> None:
    frame = pd.DataFrame([{**GOOD, "src": 41, "courseGroupId": "x"}])
    assert validate_frame(frame, row_numbers="src").flatten() == [
        (41, "courseGroupId", "invalid_uuid")
    ]


def test_header_problems_fail_the_frame() -> None:
    report = validate_frame(pd.DataFrame([{"title": "x"}]))
    assert report.exit_status == 2
    codes = sorted(e.extensions.code for e in report.errors)
    assert codes == ["missing_column"]  # one message names all five (CONTRACT.md v2)


def test_header_matching_normalises_and_warns() -> None:
    header = match_header(
        ["Course Group ID", "start_date", "END-DATE", "timezone", "Webinar Provider"],
        SessionContract.DEFAULT,
        strict=False,
    )
    assert header.keys == ["courseGroupId", "startDate", "endDate", "timeZone", "webinarProvider"]
    assert {w.code for w in header.warnings} == {"header_normalized"}


def test_valid_and_invalid_frames() -> None:
    frame = pd.DataFrame([{**GOOD, "seatsLimit": "5"}, {**GOOD, "slug": "x", "seatsLimit": "0"}])
    report = validate_frame(frame)
    valid = report.valid_frame()
    assert list(valid.index) == [2]
    assert str(valid["seatsLimit"].dtype) == "Int64"
    assert str(valid["startDate"].dtype).startswith("datetime64")
    invalid = report.invalid_frame()
    assert list(invalid["rowNumber"]) == [3]
    assert "out_of_range" in invalid["errors"].iloc[0]
    assert invalid["seatsLimit"].iloc[0] == "0"
