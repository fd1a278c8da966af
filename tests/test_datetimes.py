"""Date-times as Sheets, LibreOffice and DataFrames give them (issue 13).

CONTRACT.md v2 "Date-times": a space instead of the ``T`` is the same date-time: valid with an
offset (sent in the ``T`` form), missing_utc_offset without one, and ``--fix`` resolves it like
any other local time, writing the ``T`` form. A DataFrame's datetime without a time zone has no
cell to format as text: its message says to localize the column.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from webinar_validate import validate_file, validate_frame
from webinar_validate.cli.main import main
from webinar_validate.contract import messages
from webinar_validate.contract.cache import Context
from webinar_validate.contract.cells import _ends_with_offset, parse_instants
from webinar_validate.contract.columns import SessionContract
from webinar_validate.contract.kinds import fixed_text
from webinar_validate.contract.values import ISO_WITH_OFFSET
from webinar_validate.engine.frames import table_from_frame

GROUP = "6f5f6278-28d3-463a-9da6-ea2610aa3dff"
HEADER = "courseGroupId,title,startDate,endDate,timeZone,webinarProvider\n"
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "sessions.csv"
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def _errors(report: Any) -> list[tuple[int, str, str, str]]:
    return [
        (row.rowNumber, e.column, str(e.code), e.message)
        for row in report.invalid_rows
        for e in row.errors
    ]


# --- the space form, read --------------------------------------------------------------------

SPACED = [
    "2026-09-10 10:00",
    "2026-09-10 10:00:00",
    "2026-09-10 10:00:00.250",
    "2026-09-10 10:00Z",
    "2026-09-10 10:00:00-04:00",
    "2026-09-10 10:00:00.5+05:30",
]


@pytest.mark.parametrize("arrow", [True, False], ids=["arrow", "pandas-strings"])
def test_the_offset_is_found_alike_with_a_space_or_a_t(arrow: bool) -> None:
    """The byte-level fast path (Arrow) and the regular expression agree on the space form."""
    cells = [*SPACED, *(s.replace(" ", "T") for s in SPACED)]
    text = pd.Series(cells, dtype="str" if arrow else object)
    found = _ends_with_offset(text).tolist()
    assert found == [bool(pd.Series([c]).str.fullmatch(ISO_WITH_OFFSET)[0]) for c in cells]
    assert found[:6] == [False, False, False, True, True, True]


@pytest.mark.parametrize("impossible", [False, True], ids=["arrow-cast", "pandas-fallback"])
def test_a_space_parses_as_the_same_instant_as_a_t(impossible: bool) -> None:
    """Arrow's cast, and pandas where a block holds an impossible date, read both forms alike."""
    for utc in (True, False):
        extra = [("2026-02-30T10:00:00" + ("Z" if utc else ""))] if impossible else []
        cells = [s for s in SPACED if (s[-6] in "+-" or s.endswith("Z")) == utc] + extra
        spaced = pd.Series(cells, dtype="str")
        t_form = pd.Series([c.replace(" ", "T") for c in cells], dtype="str")
        keep = pd.Series(True, index=spaced.index)
        got = parse_instants(spaced, keep, utc=utc)
        assert got.iloc[: len(cells) - len(extra)].notna().all()
        assert got.equals(parse_instants(t_form, keep, utc=utc))


def test_a_space_with_an_offset_is_valid_and_sent_in_the_t_form(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        f"{GROUP},A,2030-09-10 10:00-04:00,2030-09-10 11:00:00.5-04:00,America/New_York,zoom",
        f"{GROUP},B,2030-09-11 10:00Z,2030-09-11 11:00:00Z,UTC,zoom",
    )
    report = validate_file(path, now=NOW)
    assert _errors(report) == []
    sent = [(row.values["startDate"], row.values["endDate"]) for row in report.valid_rows]
    assert sent == [
        ("2030-09-10T14:00:00.000Z", "2030-09-10T15:00:00.500Z"),
        ("2030-09-11T10:00:00.000Z", "2030-09-11T11:00:00.000Z"),
    ]


def test_a_space_without_an_offset_gives_the_value_to_write(tmp_path: Path) -> None:
    path = _csv(tmp_path, f"{GROUP},A,2026-09-10 10:00,2026-09-10T11:00:00Z,America/New_York,zoom")
    [(row, column, code, message)] = _errors(validate_file(path, now=NOW))
    assert (row, column, code) == (2, "startDate", "missing_utc_offset")
    assert message == (
        "startDate 2026-09-10 10:00 has no UTC offset; in America/New_York that is "
        "2026-09-10T10:00:00-04:00: write it that way."
    )


# --- --fix -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "zone", "expected"),
    [
        ("2026-09-10 10:00", "America/New_York", "2026-09-10T10:00-04:00"),
        (" 2026-09-10 10:00:00 ", "America/New_York", "2026-09-10T10:00:00-04:00"),
        ("2026-09-10 10:00:00.250", "Europe/Berlin", "2026-09-10T10:00:00.250+02:00"),
        ("2026-09-10 10:00-04:00", "America/New_York", "2026-09-10T10:00-04:00"),
        ("2026-09-10 10:00Z", None, "2026-09-10T10:00Z"),
        ("2026-09-10 10:00", None, "2026-09-10 10:00"),  # no valid zone: nothing to add
        ("2026-03-08 02:30", "America/New_York", "2026-03-08 02:30"),  # a gap: never guessed
        ("2026-11-01 01:30", "America/New_York", "2026-11-01 01:30"),  # an overlap: neither
        ("2026-09-10  10:00", "America/New_York", "2026-09-10  10:00"),  # not the shape
    ],
)
def test_fix_writes_the_t_form_with_the_offset(raw: str, zone: str | None, expected: str) -> None:
    spec = SessionContract.DEFAULT.column("startDate")
    assert spec is not None
    assert fixed_text(spec, raw, zone) == expected


def test_cli_fix_resolves_a_space_form_and_the_copy_is_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _csv(tmp_path, f"{GROUP},A,2030-09-10 10:00,2030-09-10 11:00,America/New_York,zoom")
    out = tmp_path / "fixed.csv"
    status = main(["--fix", str(out), str(path)])
    said = capsys.readouterr().out
    assert "C2 2030-09-10 10:00 -> 2030-09-10T10:00-04:00" in said
    assert out.read_text(encoding="utf-8").splitlines()[1] == (
        f"{GROUP},A,2030-09-10T10:00-04:00,2030-09-10T11:00-04:00,America/New_York,zoom"
    )
    assert status == 1  # the input's verdict
    assert _errors(validate_file(out, now=NOW)) == []


# --- DataFrames ------------------------------------------------------------------------------


def _frame(starts: list[Any], zones: list[str]) -> pd.DataFrame:
    n = len(starts)
    return pd.DataFrame(
        {
            "courseGroupId": [GROUP] * n,
            "title": [f"S{i}" for i in range(n)],
            "startDate": starts,
            "endDate": ["2030-09-10T23:00:00Z"] * n,
            "timeZone": zones,
            "webinarProvider": ["zoom"] * n,
        }
    )


def test_a_frame_table_says_which_library_it_came_from() -> None:
    frame = _frame(pd.to_datetime(["2030-09-10 10:00"]).tolist(), ["UTC"])
    assert table_from_frame(frame).dataframe == "pandas"
    polars = pytest.importorskip("polars")
    assert table_from_frame(polars.from_pandas(frame)).dataframe == "polars"


def _message_in_a_frame(library: str | None, start: str, zone: str) -> str:
    """no_offset's message for a typed date of a run over a one-row frame."""
    cells = _frame([start], [zone]).astype("str")
    ctx = Context(SessionContract.DEFAULT, cells, typed_dates={(0, "startDate")}, dataframe=library)
    return messages.no_offset(ctx, "startDate", 0, start)


def test_a_naive_frame_datetime_says_to_localize_the_column() -> None:
    said = _message_in_a_frame("pandas", "2026-09-10T10:00:00", "America/New_York")
    assert said == (
        "startDate 2026-09-10 10:00:00 is a datetime without a time zone in the DataFrame; in "
        "America/New_York that is 2026-09-10T10:00:00-04:00: localize the column "
        '(Series.dt.tz_localize("America/New_York")) or give that text.'
    )
    said = _message_in_a_frame("polars", "2026-09-10T10:00:00", "Europe/Berlin")
    assert 'Expr.dt.replace_time_zone("Europe/Berlin")' in said
    assert "2026-09-10T10:00:00+02:00" in said
    said = _message_in_a_frame("pandas", "2026-09-10T10:00:00", "EST")  # no valid zone
    assert "localize the column to the sessions' time zone (Series.dt.tz_localize)" in said
    assert "format the cell" not in said
    said = _message_in_a_frame("pandas", "2026-03-08T02:30:00", "America/New_York")
    assert "2026-03-08 02:30:00 does not exist in America/New_York" in said
    assert "offset you mean" in said


def test_a_spreadsheet_typed_date_still_says_to_format_the_cell() -> None:
    said = _message_in_a_frame(None, "2026-09-10T10:00:00", "America/New_York")
    assert "the spreadsheet typed as 2026-09-10 10:00:00" in said
    assert "format the cell as text" in said
    assert "DataFrame" not in said


def test_validate_frame_says_to_localize_a_naive_datetime_column() -> None:
    """Through validate_frame: the Table's ``dataframe`` reaches the run's Context."""
    frame = _frame(pd.to_datetime(["2030-09-10 10:00"]).tolist(), ["America/New_York"])
    [(_, column, code, message)] = _errors(validate_frame(frame, now=NOW))
    assert (column, code) == ("startDate", "missing_utc_offset")
    assert "is a datetime without a time zone in the DataFrame" in message
    assert 'Series.dt.tz_localize("America/New_York")' in message
    assert "2030-09-10T10:00:00-04:00" in message
