"""Pipelines: DataFrames in (pandas, polars), valid and invalid rows out as frames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from webinar_validate import validate_file, validate_frame

SAMPLES = Path(__file__).resolve().parents[1] / "sample_assets"
CSV = SAMPLES / "sessions.csv"


def _text_frame() -> pd.DataFrame:
    return pd.read_csv(CSV, dtype=str, keep_default_na=False)


def test_a_text_frame_gives_the_same_rows_as_the_file() -> None:
    from_frame = validate_frame(_text_frame())
    from_file = validate_file(CSV)
    assert from_frame.ok
    assert [r.values for r in from_frame.valid_rows] == [r.values for r in from_file.valid_rows]
    assert [r.rowNumber for r in from_frame.valid_rows] == list(range(2, 10))


def test_a_typed_frame_is_judged_by_what_its_cells_mean() -> None:
    frame = pd.read_csv(CSV)  # seatsLimit/priceInCents are floats with NaN, dates are text
    frame["startDate"] = pd.to_datetime(frame["startDate"], format="ISO8601", utc=True)
    frame["endDate"] = pd.to_datetime(frame["endDate"], format="ISO8601", utc=True)
    report = validate_frame(frame)
    assert report.flatten() == []
    assert [r.values for r in report.valid_rows] == [
        r.values for r in validate_file(CSV).valid_rows
    ]


def test_a_naive_datetime_cell_is_missing_its_offset() -> None:
    frame = _text_frame().head(1)
    frame["startDate"] = [pd.Timestamp("2026-03-10T10:30:00")]
    report = validate_frame(frame)
    assert report.flatten() == [(2, "startDate", "missing_utc_offset")]
    assert "2026-03-10T10:30:00-04:00" in report.invalid_rows[0].errors[0].message


def test_row_numbers_from_a_column_or_the_index() -> None:
    frame = _text_frame()
    frame.loc[3, "timeZone"] = "EST"
    frame["sourceRow"] = range(101, 109)
    report = validate_frame(frame, row_numbers="sourceRow")
    assert report.flatten() == [(104, "timeZone", "invalid_time_zone")]
    assert report.invalid_rows[0].errors[0].cell == "H104"
    assert "sourceRow" not in report.invalid_rows[0].values
    by_index = validate_frame(
        frame.drop(columns="sourceRow").set_index(frame.index + 50), row_numbers="index"
    )
    assert by_index.flatten() == [(53, "timeZone", "invalid_time_zone")]


def test_valid_frame_is_typed_and_indexed_by_row_number() -> None:
    ready = validate_file(SAMPLES / "sessions_with_errors.csv").valid_frame()
    assert ready.index.name == "rowNumber"
    assert ready.index.tolist() == [2, 3]
    assert str(ready["seatsLimit"].dtype) == "Int64"
    assert str(ready["waitlistingEnabled"].dtype) == "boolean"
    assert str(ready["startDate"].dtype) == "datetime64[us, UTC]"
    assert ready.loc[2, "startDate"] == pd.Timestamp("2026-09-02T15:00:00Z")
    assert ready.loc[2, "instructorEmails"] == ["maria.lopez@example.org"]
    assert pd.isna(ready.loc[2, "sessionId"])


def test_invalid_frame_has_the_cells_as_given_the_row_number_and_the_errors() -> None:
    report = validate_file(SAMPLES / "sessions_with_errors.csv")
    rejected = report.invalid_frame()
    assert list(rejected.columns[:2]) == ["rowNumber", "courseGroupId"]
    assert rejected.columns[-1] == "errors"
    assert rejected["rowNumber"].tolist() == [r.rowNumber for r in report.invalid_rows]
    row4 = rejected.set_index("rowNumber").loc[4]
    assert row4["timeZone"] == "EST"  # as given, not normalised
    assert row4["errors"].splitlines() == [
        f"{e.cell} {e.code}: {e.message}" for e in report.invalid_rows[0].errors
    ]
    assert len(row4["errors"].splitlines()) == 2


def test_frames_of_a_file_without_valid_or_invalid_rows_keep_their_columns() -> None:
    report = validate_frame(_text_frame().head(0))
    assert report.ok
    ready, rejected = report.valid_frame(), report.invalid_frame()
    assert ready.empty
    assert rejected.empty
    assert "startDate" in ready.columns
    assert str(ready["startDate"].dtype) == "datetime64[us, UTC]"
    assert str(ready["seatsLimit"].dtype) == "Int64"
    assert list(rejected.columns) == ["rowNumber", *ready.columns, "errors"]
    clean = validate_file(CSV)
    assert list(clean.invalid_frame().columns) == [
        "rowNumber",
        *clean.valid_frame().columns,
        "errors",
    ]


def test_a_frame_whose_header_cannot_work_gives_a_failed_report() -> None:
    report = validate_frame(pd.DataFrame({"title": ["x"]}))
    assert report.exit_status == 2
    assert report.valid_frame().empty
    assert report.invalid_frame().empty


def test_a_polars_frame() -> None:
    pl = pytest.importorskip("polars")
    frame = pl.read_csv(CSV, try_parse_dates=True)  # typed: Int64, aware datetimes, strings
    report = validate_frame(frame)
    assert report.ok, report.flatten()
    assert [r.values for r in report.valid_rows] == [
        r.values for r in validate_file(CSV).valid_rows
    ]

    broken = frame.with_columns(pl.Series("seatsLimit", [0, *frame["seatsLimit"].to_list()[1:]]))
    broken = broken.with_row_index("line", offset=10)
    report = validate_frame(broken.lazy(), row_numbers="line")
    assert report.flatten() == [(10, "seatsLimit", "out_of_range")]
    with pytest.raises(ValueError, match="no index"):
        validate_frame(frame, row_numbers="index")


def test_something_else_than_a_frame_is_refused() -> None:
    with pytest.raises(TypeError, match="pandas or polars DataFrame"):
        validate_frame([{"title": "x"}])  # type: ignore[arg-type]
