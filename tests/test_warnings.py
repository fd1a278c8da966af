"""Warnings for likely mistakes (CONTRACT.md v2) and nothing_to_import, through the library.

offset_mismatch, starts_in_the_past and price_looks_like_units look only at valid rows, name
their cell (``Sessions!F7``, ``F7`` for a CSV), come one per code and column however many cells
they find, and never change a row's validity or the exit status. The run's clock is ``now``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from webinar_validate.engine.run import validate_file, validate_frame

GROUP = "6f5f6278-28d3-463a-9da6-ea2610aa3dff"
HEADER = "courseGroupId,title,startDate,endDate,timeZone,webinarProvider,priceInCents"
JAN = datetime(2026, 1, 1, tzinfo=UTC)
SAMPLES = Path(__file__).resolve().parents[1] / "sample_assets"
LIKELY = {"offset_mismatch", "starts_in_the_past", "price_looks_like_units"}


def _csv(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "sessions.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


_TITLES = iter(range(10**9))


def _row(start: str, end: str, zone: str = "UTC", price: str = "", provider: str = "zoom") -> str:
    """A row with a title of its own (rows repeating courseGroupId, startDate and title are
    duplicate_session)."""
    return f"{GROUP},Session {next(_TITLES)},{start},{end},{zone},{provider},{price}"


def _warnings(report) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    return [(str(w.code), w.cell) for w in report.preflight.warnings]


# --- starts_in_the_past and the clock ------------------------------------------------------


def test_starts_in_the_past_is_judged_by_the_runs_clock(tmp_path: Path) -> None:
    path = _csv(tmp_path, _row("2026-12-03T11:59:59Z", "2026-12-03T13:00:00Z"))
    noon = datetime(2026, 12, 3, 12, tzinfo=UTC)
    report = validate_file(path, now=noon)
    assert _warnings(report) == [("starts_in_the_past", "C2")]
    message = report.preflight.warnings[0].message
    for word in ("startDate 2026-12-03T11:59:59Z in C2 is in the past", "check the year"):
        assert word in message
    # a warning, never an error: the row stays valid and the exit status 0
    assert report.ok
    assert report.exit_status == 0
    assert len(report.valid_rows) == 1
    # a session starting exactly now has not started before the run; an hour earlier, neither
    assert _warnings(validate_file(path, now=noon - timedelta(seconds=1))) == []
    assert _warnings(validate_file(path, now=noon - timedelta(hours=1))) == []


def test_now_in_another_offset_is_the_same_instant(tmp_path: Path) -> None:
    path = _csv(tmp_path, _row("2026-12-03T11:30:00Z", "2026-12-03T13:00:00Z"))
    tokyo = timezone(timedelta(hours=9))
    report = validate_file(path, now=datetime(2026, 12, 3, 21, tzinfo=tokyo))  # 12:00 UTC
    assert _warnings(report) == [("starts_in_the_past", "C2")]
    assert report.result.backgroundJob.createdAt == datetime(2026, 12, 3, 12, tzinfo=UTC)


def test_the_default_clock_is_the_current_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WEBINAR_VALIDATE_NOW")  # the test session fixes it (tests/conftest.py)
    path = _csv(
        tmp_path,
        _row("2001-01-01T10:00:00Z", "2001-01-01T11:00:00Z"),
        _row("2999-01-01T10:00:00Z", "2999-01-01T11:00:00Z"),
    )
    before = datetime.now(UTC)
    report = validate_file(path)
    assert _warnings(report) == [("starts_in_the_past", "C2")]
    assert before <= report.result.backgroundJob.createdAt <= datetime.now(UTC)


def test_the_clock_variable_fixes_the_clock_of_runs_without_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _csv(tmp_path, _row("2030-01-01T10:00:00Z", "2030-01-01T11:00:00Z"))
    monkeypatch.setenv("WEBINAR_VALIDATE_NOW", "2031-01-01T00:00:00Z")
    assert _warnings(validate_file(path)) == [("starts_in_the_past", "C2")]
    monkeypatch.setenv("WEBINAR_VALIDATE_NOW", "2029-01-01T00:00:00+01:00")
    assert _warnings(validate_file(path)) == []
    monkeypatch.setenv("WEBINAR_VALIDATE_NOW", "soon")
    with pytest.raises(ValueError, match="WEBINAR_VALIDATE_NOW=soon is not an ISO 8601 date-time"):
        validate_file(path)


def test_a_bad_clock_variable_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from webinar_validate.cli.main import main

    path = _csv(tmp_path, _row("2030-01-01T10:00:00Z", "2030-01-01T11:00:00Z"))
    monkeypatch.setenv("WEBINAR_VALIDATE_NOW", "2030-01-01 10:00")
    assert main([str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "$WEBINAR_VALIDATE_NOW" in err[0]


def test_a_naive_now_is_refused(tmp_path: Path) -> None:
    path = _csv(tmp_path, _row("2026-12-03T11:00:00Z", "2026-12-03T13:00:00Z"))
    with pytest.raises(ValueError, match="aware"):
        validate_file(path, now=datetime(2026, 12, 3, 12))


def test_validate_frame_takes_the_clock() -> None:
    frame = pd.DataFrame(
        {
            "courseGroupId": [GROUP],
            "startDate": ["2026-03-10T15:30:00Z"],
            "endDate": ["2026-03-10T16:30:00Z"],
            "timeZone": ["America/New_York"],
            "webinarProvider": ["zoom"],
        }
    )
    assert _warnings(validate_frame(frame, now=JAN)) == []
    late = validate_frame(frame, now=datetime(2026, 12, 3, tzinfo=UTC))
    assert _warnings(late) == [("starts_in_the_past", "B2")]


# --- offset_mismatch -----------------------------------------------------------------------


def test_offset_mismatch_compares_with_the_zone_at_that_instant(tmp_path: Path) -> None:
    # New York springs forward on 2026-03-08 at 07:00 UTC: -05:00 before, -04:00 after.
    path = _csv(
        tmp_path,
        _row("2026-03-08T01:30:00-05:00", "2026-03-08T03:30:00-04:00", "America/New_York"),
        _row("2026-03-08T03:30:00-05:00", "2026-03-08T05:30:00-04:00", "America/New_York"),
        _row("2026-09-10T10:00:00+09:00", "2026-09-10T11:00:00+09:00", "Asia/Tokyo"),
        _row("2026-09-10T10:00:00+00:00", "2026-09-10T11:00:00Z", "Asia/Tokyo"),  # UTC, stated
    )
    report = validate_file(path, now=JAN)
    assert _warnings(report) == [("offset_mismatch", "C3")]
    message = report.preflight.warnings[0].message
    for word in (
        "startDate 2026-03-08T03:30:00-05:00",
        "C3",
        "America/New_York",
        "-04:00",
        "2026-03-08T04:30:00-04:00",
        "offset or the timeZone",
    ):
        assert word in message
    assert report.ok


def test_offset_mismatch_names_each_column(tmp_path: Path) -> None:
    header = f"{HEADER},enrollmentStartDate,enrollmentEndDate"
    row = _row("2026-09-10T10:00:00+09:00", "2026-09-10T11:00:00+09:00", "America/New_York")
    path = _csv(
        tmp_path, f"{row},2026-08-01T09:00:00+09:00,2026-09-01T09:00:00-04:00", header=header
    )
    report = validate_file(path, now=JAN)
    assert _warnings(report) == [
        ("offset_mismatch", "C2"),
        ("offset_mismatch", "D2"),
        ("offset_mismatch", "H2"),
    ]


# --- price_looks_like_units ----------------------------------------------------------------


def test_price_under_100_warns_but_0_and_100_do_not(tmp_path: Path) -> None:
    prices = ["0", "100", "1", ""]
    rows = [_row("2026-09-10T10:00:00Z", "2026-09-10T11:00:00Z", price=p) for p in prices]
    report = validate_file(_csv(tmp_path, *rows), now=JAN)
    assert _warnings(report) == [("price_looks_like_units", "G4")]
    message = report.preflight.warnings[0].message
    for word in ("priceInCents 1 in G4", "1 cents (0.01)", "if you meant 1.00, write 100"):
        assert word in message


# --- only valid rows, one warning per code and column --------------------------------------


def test_invalid_rows_get_no_likely_mistake_warnings(tmp_path: Path) -> None:
    row = _row("2025-09-10T10:00:00+09:00", "2025-09-10T11:00:00+09:00", "America/New_York", "49")
    report = validate_file(_csv(tmp_path, row.replace(",zoom,", ",zoom meetings,")), now=JAN)
    assert report.flatten() == [(2, "webinarProvider", "invalid_choice")]
    assert _warnings(report) == []


def test_many_rows_give_one_warning_per_code_and_column(tmp_path: Path) -> None:
    start, end = "2025-09-10T10:00:00+09:00", "2025-09-10T11:00:00+09:00"
    rows = [_row(start, end, "America/New_York", "49") for _ in range(900)]
    report = validate_file(_csv(tmp_path, *rows), now=JAN, max_rows=0)
    assert len(report.valid_rows) == 900
    assert _warnings(report) == [
        ("offset_mismatch", "C2"),
        ("offset_mismatch", "D2"),
        ("starts_in_the_past", "C2"),
        ("price_looks_like_units", "G2"),
    ]
    for warning in report.preflight.warnings:
        column = warning.cell[0] if warning.cell else ""
        listed = ", ".join(f"{column}{n}" for n in range(3, 12))
        assert f"the same goes for {listed} and 890 more cells." in warning.message


def test_a_workbook_warning_names_its_sheet(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Spring 2026"
    sheet.append(HEADER.split(","))
    sheet.append([GROUP, "S", "2026-09-10T10:00:00Z", "2026-09-10T11:00:00Z", "UTC", "zoom", 49])
    path = tmp_path / "sessions.xlsx"
    book.save(path)
    report = validate_file(path, now=JAN)
    assert _warnings(report) == [("price_looks_like_units", "'Spring 2026'!G2")]
    assert "'Spring 2026'!G2" in report.preflight.warnings[0].message


# --- the JSON ------------------------------------------------------------------------------


def test_json_has_the_cell_only_where_a_warning_names_one(tmp_path: Path) -> None:
    header = HEADER.replace("startDate", "Start Date")
    path = _csv(
        tmp_path, _row("2026-09-10T10:00:00Z", "2026-09-10T11:00:00Z", price="49"), header=header
    )
    warnings = json.loads(validate_file(path, now=JAN).to_json())["extensions"]["preflight"][
        "warnings"
    ]
    assert [sorted(w) for w in warnings] == [
        ["code", "message"],  # header_normalized: as before, no "cell"
        ["cell", "code", "message"],
    ]
    assert warnings[1]["code"] == "price_looks_like_units"
    assert warnings[1]["cell"] == "G2"


# --- nothing_to_import ---------------------------------------------------------------------


def test_a_header_without_rows_says_nothing_to_import(tmp_path: Path) -> None:
    report = validate_file(_csv(tmp_path), now=JAN)
    assert _warnings(report) == [("nothing_to_import", None)]
    assert report.preflight.warnings[0].message == (
        f"{tmp_path / 'sessions.csv'} has a header but no session rows: nothing to import."
    )
    assert report.exit_status == 0


def test_blank_rows_alone_are_nothing_to_import_too(tmp_path: Path) -> None:
    report = validate_file(_csv(tmp_path, ",,,,,,", ""), now=JAN)
    assert [code for code, _ in _warnings(report)] == ["blank_row", "nothing_to_import"]
    assert report.exit_status == 0


# --- the samples ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.*") if p.suffix != ".md"))
def test_samples_warn_of_no_likely_mistake_before_their_dates(name: str) -> None:
    """The samples' sessions are in 2026: a run on 2026-01-01 finds nothing to warn about (the
    acceptance cases fix their clock with --now for the same reason)."""
    report = validate_file(SAMPLES / name, now=JAN)
    assert not {str(w.code) for w in report.preflight.warnings} & LIKELY


_ENDINGS = [
    "2026-09-10T10:00:00-04:00",
    "2026-09-10T10:00:00+05:30",
    "2026-09-10T10:00:00+14:00",
    "2026-09-10T10:00:00.000Z",
    "2026-09-10T10:00:00+00:00",
    "2026-09-10T10:00:00-00:00",
    "2026-09-10T10:00",
    "",
    "-04:00",
    "x-04:00",
    "é-04:00",
    "2026-09-10T10:00:00-04:0é",
    "2026-09-10T10:00:00-04;00",
    "+1a:00",
    "-12:45",
    "+99:99",
    "/0:00",
    "+",
    "abcde+",
    "2026-09-10T10:00:00\u201304:00",  # an en dash, not a minus
]


@pytest.mark.parametrize("chunks", [1, 3, 7])
def test_written_offsets_read_off_the_bytes_are_those_of_the_text(chunks: int) -> None:
    import numpy as np
    import pyarrow as pa

    from webinar_validate.contract import warnings as w

    cells = (_ENDINGS * 3)[: 3 * len(_ENDINGS)]
    size = -(-len(cells) // chunks)
    parts = [pa.array(cells[i : i + size], pa.large_string()) for i in range(0, len(cells), size)]
    column = pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array(parts)), dtype="str")
    fast = w._written_minutes(column.iloc[2:])  # a slice: the offsets start inside a chunk
    slow = np.array([w._minutes(cell[-6:]) for cell in cells[2:]])
    assert np.array_equal(fast, slow, equal_nan=True)
    assert np.isnan(slow).sum() < len(slow)  # some offsets are read, not only NaN
