"""--valid-out and --invalid-out: rows ready to upload, rows to fix; and the output-path rules."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from webinar_validate import UsageError, validate_file
from webinar_validate.cli.execute import add_arguments, check_paths, run
from webinar_validate.cli.main import build_parser
from webinar_validate.cli.outputs import write_invalid, write_valid
from webinar_validate.contract.columns import SessionContract

SAMPLES = Path(__file__).resolve().parents[1] / "sample_assets"


def _rows(path: Path) -> list[list[Any]]:
    if path.suffix == ".csv":
        text = path.read_text(encoding="utf-8")
        return list(csv.reader(io.StringIO(text, newline="")))
    sheet = openpyxl.load_workbook(path).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_valid_rows_are_normalised_in_the_input_order_and_upload_clean(
    suffix: str, tmp_path: Path
) -> None:
    source = SAMPLES / "sessions.xlsx"
    report = validate_file(source)
    out = tmp_path / f"valid{suffix}"
    assert write_valid(report, out) == 8
    rows = _rows(out)
    header = list(report.valid_rows[0].values)
    assert rows[0] == header
    assert len(rows) == 9
    first = dict(zip(header, rows[1], strict=True))
    values = report.valid_rows[0].values
    assert first["startDate"] == values["startDate"]
    assert first["startDate"].endswith(".000Z")
    assert first["waitlistingEnabled"] in ("yes", "no")
    assert first["instructorEmails"] == ";".join(values["instructorEmails"])
    seats = values["seatsLimit"]
    if suffix == ".xlsx":
        assert first["seatsLimit"] == seats  # a number in the workbook
        sheet = openpyxl.load_workbook(out).worksheets[0]
        assert sheet.freeze_panes == "A2"
        assert sheet["F2"].number_format == "@"  # dates are text, never retyped
    else:
        assert first["seatsLimit"] == ("" if seats is None else str(seats))
    again = validate_file(out)
    assert again.exit_status == 0
    assert [r.values for r in again.valid_rows] == [r.values for r in report.valid_rows]


def test_booleans_lists_and_blanks(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "courseGroupId,startDate,endDate,timeZone,webinarProvider,waitlistingEnabled,"
        "seatsLimit,instructorEmails,Notes\n"
        "3F0C9A4E-1B2C-4D5E-8F90-123456789ABC,2026-06-01T11:00-04:00,2026-06-01T16:00Z,"
        'us/eastern,ZOOM,TRUE,10.0,"a@example.org, b@example.org", kept as is \n'
        "3f0c9a4e-1b2c-4d5e-8f90-123456789abc,2026-06-02T15:00Z,2026-06-02T16:00Z,UTC,webex,,,,\n",
        encoding="utf-8",
    )
    report = validate_file(source)
    out = tmp_path / "valid.csv"
    write_valid(report, out)
    assert _rows(out) == [
        [
            "courseGroupId",
            "startDate",
            "endDate",
            "timeZone",
            "webinarProvider",
            "waitlistingEnabled",
            "seatsLimit",
            "instructorEmails",
            "Notes",
        ],
        [
            "3f0c9a4e-1b2c-4d5e-8f90-123456789abc",
            "2026-06-01T15:00:00.000Z",
            "2026-06-01T16:00:00.000Z",
            "US/Eastern",
            "zoom",
            "yes",
            "10",
            "a@example.org;b@example.org",
            " kept as is ",
        ],
        [
            "3f0c9a4e-1b2c-4d5e-8f90-123456789abc",
            "2026-06-02T15:00:00.000Z",
            "2026-06-02T16:00:00.000Z",
            "UTC",
            "webex",
            "",
            "",
            "",
            "",
        ],
    ]
    assert os.stat(out).st_mode & 0o777 != 0o600  # not mkstemp's private mode


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_invalid_rows_as_read_with_row_numbers_and_errors(suffix: str, tmp_path: Path) -> None:
    source = SAMPLES / "sessions_with_errors.csv"
    report = validate_file(source)
    out = tmp_path / f"invalid{suffix}"
    assert write_invalid(report, out) == 14
    rows = _rows(out)
    header = rows[0]
    assert header[0] == "rowNumber"
    assert header[-1] == "errors"
    assert header[1:-1] == list(report.invalid_rows[0].values)
    numbers = [row[0] for row in rows[1:]]
    expected = [r.rowNumber for r in report.invalid_rows]
    assert numbers == (expected if suffix == ".xlsx" else [str(n) for n in expected])
    by_number = {int(row[0]): dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_number[4]["errors"].startswith("A4 required: ")
    assert "H4 invalid_time_zone: " in by_number[4]["errors"]
    assert by_number[4]["timeZone"] == "EST"
    # as read; a CSV for people to open gets OWASP's leading ' on a cell a spreadsheet runs
    assert by_number[18]["title"] == ("=1+1" if suffix == ".xlsx" else "'=1+1")
    if suffix == ".xlsx":
        sheet = openpyxl.load_workbook(out).worksheets[0]
        assert sheet.title == "Invalid rows"
        title = next(c for c in sheet[1] if c.value == "title").column
        assert sheet.cell(15, title).data_type == "s"  # text, never run as a formula


def test_no_rows_gives_a_header_only(tmp_path: Path) -> None:
    source = tmp_path / "header.csv"
    source.write_text((SAMPLES / "template.csv").read_text())
    report = validate_file(source)
    out = tmp_path / "valid.csv"
    assert write_valid(report, out) == 0
    assert _rows(out) == [list(SessionContract.DEFAULT.names)]


def test_refusals(tmp_path: Path) -> None:
    copy = tmp_path / "in.csv"
    copy.write_bytes((SAMPLES / "sessions.csv").read_bytes())
    report = validate_file(copy)
    with pytest.raises(UsageError, match="input file"):
        write_valid(report, copy)
    with pytest.raises(UsageError, match=r"must end in \.csv or \.xlsx"):
        write_invalid(report, tmp_path / "out.json")
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(UsageError, match="folder"):
        write_invalid(report, folder)
    assert copy.read_bytes() == (SAMPLES / "sessions.csv").read_bytes()


# --- the CLI glue: output paths ----------------------------------------------------------------


def _parse(*argv: str) -> Any:
    parser = build_parser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_check_paths(tmp_path: Path) -> None:
    source = str(SAMPLES / "sessions.csv")
    other = str(SAMPLES / "sessions.xlsx")
    out = str(tmp_path / "out.csv")
    assert check_paths(_parse(source)) is None
    assert check_paths(_parse(source, other)) is None  # no output flag: many files are fine
    assert check_paths(_parse(source, "--valid-out", out)) is None
    assert check_paths(_parse(source, other, "--valid-out", out)) == (
        "with --valid-out, give exactly one input FILE (not 2); run once per file."
    )
    relative = os.path.relpath(source)
    problem = check_paths(_parse(source, "--invalid-out", relative))
    assert problem is not None
    assert "is the input file" in problem
    assert check_paths(_parse(source, "--fix", out, "--valid-out", out)) == (
        f"--fix and --valid-out both name {out}; give each output its own path."
    )
    assert check_paths(_parse(source, "--fix", out, "--output", out)) == (
        f"--fix and --output both name {out}; give each output its own path."
    )
    assert check_paths(_parse(source, "--valid-out", str(tmp_path / "x.txt"))) == (
        f"--valid-out {tmp_path / 'x.txt'} must end in .csv or .xlsx."
    )
    # an expanded file list (folders, patterns) can be passed in
    assert check_paths(_parse(source, "--valid-out", out), files=[source, other]) is not None


def test_cli_split(tmp_path: Path) -> None:
    source = SAMPLES / "sessions_with_errors.xlsx"
    valid, invalid = tmp_path / "valid.xlsx", tmp_path / "invalid.csv"
    args = _parse(str(source), "--valid-out", str(valid), "--invalid-out", str(invalid))
    assert check_paths(args) is None
    out, err = io.StringIO(), io.StringIO()
    assert run(args, [validate_file(source)], out, err) == 0
    assert out.getvalue().splitlines() == [
        f"webinar-validate: wrote {valid}: 2 valid rows, ready to upload",
        f"webinar-validate: wrote {invalid}: 14 invalid rows with their errors",
    ]
    assert validate_file(valid).exit_status == 0
    assert len(_rows(invalid)) == 15
