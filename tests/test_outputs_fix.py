"""--fix: only safe fixes, each listed; daylight-saving gaps and overlaps are never guessed."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from webinar_validate import UsageError, validate_file
from webinar_validate.cli.execute import add_arguments, check_paths, run
from webinar_validate.cli.main import build_parser
from webinar_validate.cli.outputs import Fix, fix
from webinar_validate.cli.outputs.fix import fixed_text
from webinar_validate.contract.columns import SessionContract
from webinar_validate.contract.values import resolve_local, with_offset

SAMPLES = Path(__file__).resolve().parents[1] / "sample_assets"
HEADER = list(SessionContract.DEFAULT.names)
GROUP = "3f0c9a4e-1b2c-4d5e-8f90-123456789abc"
GOOD: dict[str, Any] = {
    "courseGroupId": GROUP,
    "title": "Intro",
    "startDate": "2026-06-01T15:00:00Z",
    "endDate": "2026-06-01T16:00:00Z",
    "timeZone": "America/New_York",
    "webinarProvider": "zoom",
}
MISSING_OFFSET = (8, "startDate", "missing_utc_offset")


def _write_csv(path: Path, rows: list[dict[str, Any]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        for row in rows:
            writer.writerow([{**GOOD, **row}.get(name, "") for name in header])
    return path


def _write_xlsx(path: Path, rows: list[dict[str, Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sessions"
    sheet.append(HEADER)
    for row in rows:
        sheet.append([{**GOOD, **row}.get(name) for name in HEADER])
    book.save(path)
    return path


def _read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


# --- the sample asset: exactly the fixable errors go ------------------------------------------


@pytest.mark.parametrize("source", ["sessions_with_errors.xlsx", "sessions_with_errors.csv"])
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_the_sample_keeps_only_its_unfixable_errors(
    source: str, suffix: str, tmp_path: Path
) -> None:
    path = SAMPLES / source
    before = path.read_bytes()
    report = validate_file(path)
    out = tmp_path / f"fixed{suffix}"
    notes: list[str] = []
    fixes = fix(report, path, out, notes=notes)
    prefix = "Sessions!" if source.endswith(".xlsx") else ""
    assert fixes == [
        Fix(f"{prefix}F8", "startDate", "2026-09-08T11:00:00", "2026-09-08T11:00:00-04:00")
    ]
    again = validate_file(out)
    original = set(report.flatten())
    left = set(again.flatten())
    if source.endswith(".xlsx") and suffix == ".csv":
        # A formula with no saved value cannot travel to a CSV: the copy says so in a note.
        assert any("C18" in note for note in notes)
        original -= {(18, "title", "formula_without_value")}
    assert left == original - {MISSING_OFFSET}
    assert again.preflight.valid == report.preflight.valid + 1
    assert again.preflight.blank == report.preflight.blank == 1
    assert path.read_bytes() == before  # the input is never written


def test_an_xlsx_copy_keeps_the_workbook_and_writes_the_fix_as_text(tmp_path: Path) -> None:
    path = SAMPLES / "sessions_with_errors.xlsx"
    out = tmp_path / "fixed.xlsx"
    fix(validate_file(path), path, out)
    sheet = openpyxl.load_workbook(out)["Sessions"]
    original = openpyxl.load_workbook(path)["Sessions"]
    assert sheet["F8"].value == "2026-09-08T11:00:00-04:00"
    assert sheet["F8"].number_format == "@"
    assert sheet["C18"].value == "=1+1"  # the formula is kept, not replaced by a value
    assert sheet["C18"].data_type == "f"
    assert sheet["L2"].value == original["L2"].value == 40
    for row in range(1, original.max_row + 1):
        for column in range(1, original.max_column + 1):
            if (row, column) != (8, 6):
                assert sheet.cell(row, column).value == original.cell(row, column).value


# --- every kind of safe fix --------------------------------------------------------------------


def test_safe_fixes_on_text_cells(tmp_path: Path) -> None:
    rows = [
        {
            "courseGroupId": " " + GROUP.upper(),
            "title": "  Intro\u00a0",
            "webinarProvider": " ZOOM",
            "status": "Published",
            "timeZone": "america/new_york",
            "waitlistingEnabled": "TRUE",
            "seatsLimit": "10.0",
            "priceInCents": "+0",
            "language": "en_us",
            "startDate": "2026-06-01T11:00",
            "endDate": "2026-06-01T12:00:00.250",
            "notes": "  left alone  ",
        },
        {"title": " =1+1", "sku": "\x01DL ", "waitlistingEnabled": "False", "language": "PT-br"},
    ]
    source = _write_csv(tmp_path / "in.csv", rows, [*HEADER, "notes"])
    report = validate_file(source)
    out = tmp_path / "out.csv"
    fixes = fix(report, source, out)
    assert [(f.cell, f.before, f.after) for f in fixes] == [
        ("A2", " " + GROUP.upper(), GROUP),
        ("C2", "  Intro\u00a0", "Intro"),
        ("F2", "2026-06-01T11:00", "2026-06-01T11:00-04:00"),
        ("G2", "2026-06-01T12:00:00.250", "2026-06-01T12:00:00.250-04:00"),
        ("H2", "america/new_york", "America/New_York"),
        ("I2", " ZOOM", "zoom"),
        ("L2", "10.0", "10"),
        ("M2", "TRUE", "yes"),
        ("P2", "+0", "0"),
        ("Q2", "Published", "published"),
        ("R2", "en_us", "en-US"),
        ("M3", "False", "no"),
        ("R3", "PT-br", "pt-BR"),
    ]
    records = _read_csv(out)
    assert records[1][-1] == "  left alone  "  # an unknown column is never touched
    assert records[2][2] == " =1+1"  # flagged formula_injection: left as it was
    assert records[2][4] == "\x01DL "  # a cell with a control character is left as it was
    again = validate_file(out)
    assert again.flatten() == [(3, "title", "formula_injection"), (3, "sku", "invalid_character")]
    values = again.valid_rows[0].values
    assert values["startDate"] == "2026-06-01T15:00:00.000Z"
    assert values["endDate"] == "2026-06-01T16:00:00.250Z"


def test_no_offset_is_given_when_the_row_time_zone_is_invalid(tmp_path: Path) -> None:
    source = _write_csv(tmp_path / "in.csv", [{"timeZone": "EST", "startDate": "2026-06-01T11:00"}])
    fixes = fix(validate_file(source), source, tmp_path / "out.csv")
    assert fixes == []


def test_typed_cells_of_a_workbook(tmp_path: Path) -> None:
    source = _write_xlsx(
        tmp_path / "in.xlsx",
        [
            {
                "startDate": datetime(2026, 1, 15, 10, 0),
                "endDate": "2026-01-15T16:00:00Z",
                "waitlistingEnabled": True,
                "seatsLimit": 10,
                "status": " draft ",
            }
        ],
    )
    out = tmp_path / "out.xlsx"
    fixes = fix(validate_file(source), source, out)
    assert [str(f) for f in fixes] == [
        "Sessions!F2 2026-01-15T10:00:00 -> 2026-01-15T10:00:00-05:00",
        "Sessions!M2 TRUE -> yes",
        'Sessions!Q2 " draft " -> draft',
    ]
    sheet = openpyxl.load_workbook(out)["Sessions"]
    assert (sheet["F2"].value, sheet["M2"].value, sheet["Q2"].value) == (
        "2026-01-15T10:00:00-05:00",
        "yes",
        "draft",
    )
    assert sheet["L2"].value == 10
    assert validate_file(out).ok


@pytest.mark.parametrize(
    ("spec_name", "raw", "expected"),
    [
        (
            "sessionId",
            "ABCDEF00-0000-4000-8000-00000000000A",
            "abcdef00-0000-4000-8000-00000000000a",
        ),
        ("sessionId", " not-a-uuid ", "not-a-uuid"),
        ("webinarProvider", "gotowebinar", "goToWebinar"),
        ("webinarProvider", "Zoom Meetings", "Zoom Meetings"),
        ("status", "LOGINRESTRICTION", "loginRestriction"),
        ("timeZone", "US/EASTERN", "US/Eastern"),
        ("timeZone", "EST", "EST"),
        ("waitlistingEnabled", "Yes", "yes"),
        ("waitlistingEnabled", "maybe", "maybe"),
        ("language", "EN", "en"),
        ("language", "English", "English"),
        ("seatsLimit", "010", "10"),
        ("seatsLimit", "-0", "0"),
        ("seatsLimit", "10.5", "10.5"),
        ("seatsLimit", "fifty", "fifty"),
        ("priceInCents", "1" * 16, "1" * 16),
        ("title", "\t-5 ", "\t-5 "),  # flagged formula_injection: never fixed
        ("title", "\tIntro", "\tIntro"),  # a first tab is flagged too
        ("title", "=SUM(A1) ", "=SUM(A1) "),
        ("title", " 'Intro ", "'Intro"),  # a leading apostrophe is kept
        ("startDate", "2026-06-01T11:00:00Z", "2026-06-01T11:00:00Z"),
        ("startDate", " 2026-06-01T11:00:00", "2026-06-01T11:00:00-04:00"),
        ("startDate", "2026-02-30T11:00:00", "2026-02-30T11:00:00"),
        ("startDate", "09/07/2026 3:00 PM", "09/07/2026 3:00 PM"),
    ],
)
def test_fixed_text(spec_name: str, raw: str, expected: str) -> None:
    spec = SessionContract.DEFAULT.column(spec_name)
    assert spec is not None
    assert fixed_text(spec, raw, "America/New_York") == expected


# --- daylight saving: a gap or an overlap is never guessed -------------------------------------

DST = [
    pytest.param(
        "America/New_York",
        "2026-03-08T02:30:00",
        "does not exist in America/New_York (clocks jump from 02:00 to 03:00)",
        id="new-york-gap",
    ),
    pytest.param(
        "America/New_York",
        "2026-11-01T01:30:00",
        "is ambiguous in America/New_York (clocks go back from 02:00 to 01:00): it is either "
        "2026-11-01T01:30:00-04:00 or 2026-11-01T01:30:00-05:00",
        id="new-york-overlap",
    ),
    pytest.param(
        "Europe/Berlin",
        "2026-03-29T02:30:00",
        "does not exist in Europe/Berlin (clocks jump from 02:00 to 03:00)",
        id="berlin-gap",
    ),
    pytest.param(
        "Europe/Berlin",
        "2026-10-25T02:30:00",
        "is ambiguous in Europe/Berlin (clocks go back from 03:00 to 02:00): it is either "
        "2026-10-25T02:30:00+02:00 or 2026-10-25T02:30:00+01:00",
        id="berlin-overlap",
    ),
]
SUMMER = {"America/New_York": "-04:00", "Europe/Berlin": "+02:00"}
WINTER = {"America/New_York": "-05:00", "Europe/Berlin": "+01:00"}


@pytest.mark.parametrize(("zone", "local", "problem"), DST)
@pytest.mark.parametrize("form", ["csv", "xlsx-text", "xlsx-typed"])
def test_gap_and_overlap_times_stay_errors_that_name_the_readings(
    zone: str, local: str, problem: str, form: str, tmp_path: Path
) -> None:
    def cell(text: str) -> Any:
        return datetime.fromisoformat(text) if form == "xlsx-typed" else text

    rows = [
        {"timeZone": zone, "startDate": cell(local), "endDate": local[:10] + "T12:00:00Z"},
        {"timeZone": zone, "startDate": cell("2026-07-01T10:00:00"), "slug": "summer"},
        {"timeZone": zone, "startDate": cell("2026-01-15T10:00:00"), "slug": "winter"},
    ]
    rows[1]["endDate"] = "2026-07-01T20:00:00Z"
    rows[2]["endDate"] = "2026-01-15T20:00:00Z"
    if form == "csv":
        source, out, prefix = _write_csv(tmp_path / "in.csv", rows), tmp_path / "out.csv", ""
    else:
        source, out, prefix = (
            _write_xlsx(tmp_path / "in.xlsx", rows),
            tmp_path / "out.xlsx",
            "Sessions!",
        )
    report = validate_file(source)
    assert report.flatten() == [
        (2, "startDate", "missing_utc_offset"),
        (3, "startDate", "missing_utc_offset"),
        (4, "startDate", "missing_utc_offset"),
    ]
    fixes = fix(report, source, out)
    assert [(f.cell, f.after) for f in fixes] == [
        (f"{prefix}F3", "2026-07-01T10:00:00" + SUMMER[zone]),
        (f"{prefix}F4", "2026-01-15T10:00:00" + WINTER[zone]),
    ]
    again = validate_file(out)
    assert again.flatten() == [(2, "startDate", "missing_utc_offset")]
    message = again.invalid_rows[0].errors[0].message
    assert problem in message
    assert local in message
    if form == "xlsx-typed":  # the typed date is left as the spreadsheet typed it
        assert openpyxl.load_workbook(out)["Sessions"]["F2"].value == datetime.fromisoformat(local)


@pytest.mark.parametrize(("zone", "local", "problem"), DST)
def test_resolve_local_names_gaps_and_overlaps(zone: str, local: str, problem: str) -> None:
    assert resolve_local(local, zone) == (None, f"{local} {problem}")
    assert with_offset(local, zone) is None


def test_resolve_local_gives_the_offset_in_force() -> None:
    assert resolve_local("2026-09-08T11:00:00", "America/New_York") == (
        "2026-09-08T11:00:00-04:00",
        None,
    )
    assert resolve_local("2026-03-08T03:00", "America/New_York") == (
        "2026-03-08T03:00:00-04:00",
        None,
    )
    assert resolve_local("2026-11-01T02:00", "America/New_York")[0] == "2026-11-01T02:00:00-05:00"
    lord_howe = resolve_local("2026-10-04T02:15", "Australia/Lord_Howe")[1]
    assert lord_howe is not None
    assert "(clocks jump from 02:00 to 02:30)" in lord_howe
    assert resolve_local("not a date", "America/New_York") == (None, None)
    assert resolve_local("2026-06-01T10:00", "Mars/Olympus") == (None, None)


# --- refusals -----------------------------------------------------------------------------------


def test_refuses_to_write_onto_the_input_or_an_unknown_format(tmp_path: Path) -> None:
    source = _write_csv(tmp_path / "in.csv", [{}])
    report = validate_file(source)
    with pytest.raises(UsageError, match="input file"):
        fix(report, source, tmp_path / "." / "in.csv")
    with pytest.raises(UsageError, match=r"\.csv or \.xlsx"):
        fix(report, source, tmp_path / "out.txt")
    missing = validate_file(tmp_path / "missing.csv")
    with pytest.raises(UsageError, match="could not be judged"):
        fix(missing, tmp_path / "missing.csv", tmp_path / "out.csv")


# --- the CLI glue ------------------------------------------------------------------------------


def _args(*argv: str) -> Any:
    parser = build_parser()
    add_arguments(parser)
    add_arguments(parser)  # wiring twice is harmless
    return parser.parse_args(list(argv))


def test_cli_prints_each_fix_then_the_summary_of_the_fixed_file(tmp_path: Path) -> None:
    source = SAMPLES / "sessions_with_errors.xlsx"
    out_path = tmp_path / "fixed.xlsx"
    args = _args(str(source), "--fix", str(out_path))
    assert check_paths(args) is None
    out, err = io.StringIO(), io.StringIO()
    assert run(args, [validate_file(source)], out, err) == 0
    lines = out.getvalue().splitlines()
    assert lines[0] == "Sessions!F8 2026-09-08T11:00:00 -> 2026-09-08T11:00:00-04:00"
    assert lines[1] == f"webinar-validate: wrote {out_path} with 1 fix; checking it again:"
    assert lines[2] == f"{out_path}: 3 valid, 13 invalid, 1 blank (17 rows read)"
    assert lines[3].startswith(f"{out_path}: left to fix by hand: duplicate_value x2, ")
    assert "missing_utc_offset" not in lines[3]
    assert err.getvalue() == ""


def test_cli_with_json_keeps_stdout_for_the_report(tmp_path: Path) -> None:
    source = SAMPLES / "sessions_with_errors.csv"
    args = _args("--format", "json", str(source), "--fix", str(tmp_path / "fixed.csv"))
    out, err = io.StringIO(), io.StringIO()
    assert run(args, [validate_file(source)], out, err) == 0
    assert out.getvalue() == ""
    assert "F8 2026-09-08T11:00:00 -> 2026-09-08T11:00:00-04:00" in err.getvalue()


def test_cli_reports_an_unwritable_path_with_status_2(tmp_path: Path) -> None:
    source = SAMPLES / "sessions.csv"
    target = tmp_path / "no" / "such" / "folder" / "fixed.csv"
    args = _args(str(source), "--fix", str(target))
    out, err = io.StringIO(), io.StringIO()
    assert run(args, [validate_file(source)], out, err) == 2
    assert f"cannot write {target}" in err.getvalue()
    assert not target.exists()


def test_cli_refuses_outputs_for_a_file_that_could_not_be_judged(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    args = _args(str(missing), "--fix", str(tmp_path / "fixed.csv"))
    err = io.StringIO()
    assert run(args, [validate_file(missing)], io.StringIO(), err) == 2
    assert "could not be judged" in err.getvalue()


def test_a_csv_copy_without_fixes_has_the_verdict_of_its_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No fix and the same format: the copy holds the judged cells, so it is not read again."""
    from webinar_validate.cli.main import main

    source = tmp_path / "in.csv"
    source.write_bytes((SAMPLES / "sessions.csv").read_bytes())
    out_path = tmp_path / "out.csv"
    assert main([str(source), "--fix", str(out_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert (
        f"webinar-validate: wrote {out_path} with 0 fixes; the same cells, so the same verdict:"
        in lines
    )
    assert any(line.startswith(f"{out_path}: 8 valid, 0 invalid") for line in lines)
    assert validate_file(out_path).flatten() == []
