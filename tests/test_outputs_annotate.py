"""--annotate: invalid cells red and commented, an errors column, a frozen header, a Summary."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import Font

from webinar_validate import UsageError, validate_file
from webinar_validate.cli.execute import add_arguments, check_paths, run
from webinar_validate.cli.main import build_parser
from webinar_validate.cli.outputs import annotate
from webinar_validate.cli.outputs._common import RED, parse_cell
from webinar_validate.contract.columns import SessionContract

SAMPLES = Path(__file__).resolve().parents[1] / "sample_assets"
HEADER = list(SessionContract.DEFAULT.names)
GOOD = [
    "3f0c9a4e-1b2c-4d5e-8f90-123456789abc",
    "",
    "Intro",
    "",
    "",
    "2026-06-01T15:00:00Z",
    "2026-06-01T16:00:00Z",
    "America/New_York",
    "zoom",
]


def _red_cells(sheet: Any) -> set[str]:
    return {
        cell.coordinate
        for row in sheet.iter_rows()
        for cell in row
        if cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == RED
    }


def _error_cells(report: Any) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for row in report.invalid_rows:
        for error in row.errors:
            _, number, column = parse_cell(error.cell)
            found.setdefault(f"{openpyxl.utils.get_column_letter(column + 1)}{number}", []).append(
                error
            )
    return found


def _summary_rows(sheet: Any) -> dict[str, tuple[Any, ...]]:
    rows = list(sheet.iter_rows(values_only=True))
    start = rows.index(("code", "errors", "rows", "first cell", "first message")) + 1
    found: dict[str, tuple[Any, ...]] = {}
    for row in rows[start:]:
        if row[0] is None:
            break
        found[row[0]] = row[1:]
    return found


@pytest.mark.parametrize("name", ["sessions_with_errors.xlsx", "sessions_with_errors.csv"])
def test_the_sample_marks_exactly_the_invalid_cells(name: str, tmp_path: Path) -> None:
    source = SAMPLES / name
    before = source.read_bytes()
    report = validate_file(source)
    out = tmp_path / "annotated.xlsx"
    assert annotate(report, source, out) == []
    book = openpyxl.load_workbook(out)
    title = "Sessions" if name.endswith(".xlsx") else "sessions_with_errors"
    assert book.sheetnames == [title, "Summary"]
    assert book.active is not None
    assert book.active.title == title
    sheet = book[title]
    errors = _error_cells(report)
    assert len(errors) == 23
    assert _red_cells(sheet) == set(errors)
    for ref, found in errors.items():
        comment = sheet[ref].comment
        assert comment is not None
        for error in found:
            assert f"{error.code}: {error.message}" in comment.text
    assert sheet.freeze_panes == "A2"
    # the errors column: after the last column, one summary per invalid row
    assert sheet["S1"].value == "errors"
    invalid = {row.rowNumber for row in report.invalid_rows}
    for number in range(2, 19):
        summary = sheet.cell(number, 19).value
        assert (summary is not None) == (number in invalid)
    assert sheet["S4"].value.startswith("A4 required: courseGroupId is required")
    assert "; H4 invalid_time_zone: timeZone 'EST'" in sheet["S4"].value
    # the cells themselves are kept: values, and a formula stays a formula (XLSX) or text (CSV)
    assert sheet["A2"].value == "427bec6a-233a-47f4-a166-507c5ee906eb"
    assert sheet["C18"].value == "=1+1"
    assert sheet["C18"].data_type == ("f" if name.endswith(".xlsx") else "s")
    assert sheet["C1"].value == "title"
    assert source.read_bytes() == before

    summary = book["Summary"]
    rows = _summary_rows(summary)
    counts = Counter(str(e.code) for r in report.invalid_rows for e in r.errors)
    assert {code: row[0] for code, row in rows.items()} == dict(counts)
    first = {}
    for row in report.invalid_rows:
        for error in row.errors:
            first.setdefault(str(error.code), error)
    for code, row in rows.items():
        cell_name = row[2]
        assert cell_name == first[code].cell.split("!")[-1]
        assert row[3] == first[code].message
    links = {
        cell.value: cell.hyperlink.location
        for row in summary.iter_rows()
        for cell in row
        if cell.hyperlink is not None
    }
    assert links["H4"] == f"{title}!H4"
    assert ("total", 23, 14, None, None) in list(summary.iter_rows(values_only=True))
    assert any(row[0] == "blank_row" for row in summary.iter_rows(values_only=True))


def test_a_workbook_keeps_its_other_sheets_formats_widths_and_comments(tmp_path: Path) -> None:
    source = tmp_path / "book.xlsx"
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Read me"
    notes["A1"] = "Instructions"
    sheet = book.create_sheet("My sheet")
    sheet.append(HEADER[:9])
    sheet.append(GOOD)
    sheet.append([*GOOD[:2], "Outro", *GOOD[3:7], "EST", *GOOD[8:]])
    sheet["C3"].comment = Comment("checked by Ana", "Ana")
    sheet["H3"].comment = Comment("from the old system", "Ana")
    sheet["A1"].font = Font(bold=True, italic=True)
    sheet.column_dimensions["C"].width = 40
    sheet["F2"].number_format = "@"
    other = book.create_sheet("Summary")
    other["A1"] = "a sheet already named Summary"
    book.save(source)

    report = validate_file(source, sheet="My sheet")
    assert report.flatten() == [(3, "timeZone", "invalid_time_zone")]
    assert report.invalid_rows[0].errors[0].cell == "'My sheet'!H3"
    out = tmp_path / "annotated.xlsx"
    annotate(report, source, out)
    copy = openpyxl.load_workbook(out)
    assert copy.sheetnames == ["Read me", "My sheet", "Summary", "Summary (2)"]
    assert copy["Read me"]["A1"].value == "Instructions"
    assert copy["Summary"]["A1"].value == "a sheet already named Summary"
    marked = copy["My sheet"]
    assert copy.active is not None
    assert copy.active.title == "My sheet"
    assert _red_cells(marked) == {"H3"}
    assert marked.column_dimensions["C"].width == 40
    assert marked["A1"].font.italic
    assert marked["F2"].number_format == "@"
    assert marked["C3"].comment is not None
    assert marked["C3"].comment.text == "checked by Ana"
    comment = marked["H3"].comment
    assert comment is not None
    assert comment.text.startswith("from the old system\n\ninvalid_time_zone: ")
    assert marked["J1"].value == "errors"
    assert marked["J3"].value.startswith("H3 invalid_time_zone: ")
    assert marked.freeze_panes == "A2"
    link = next(c for row in copy["Summary (2)"].iter_rows() for c in row if c.hyperlink)
    assert link.hyperlink.location == "'My sheet'!H3"


def test_a_csv_cell_beyond_the_header_is_marked_with_its_value(tmp_path: Path) -> None:
    source = tmp_path / "extra.csv"
    lines = [
        ";".join(HEADER[:9]),
        "",
        ";".join(GOOD),
        ";".join([*GOOD[:2], "Outro", *GOOD[3:], "", "stray"]),
    ]
    source.write_text("\r\n".join(lines) + "\r\n", encoding="cp1252")
    report = validate_file(source)
    assert report.flatten() == [(4, None, "extra_cells")]
    assert report.invalid_rows[0].errors[0].cell == "K4"
    out = tmp_path / "annotated.xlsx"
    assert annotate(report, source, out) == []
    sheet = openpyxl.load_workbook(out)["extra"]
    assert sheet["K4"].value == "stray"
    assert _red_cells(sheet) == {"K4"}
    assert sheet["L1"].value == "errors"  # after the stray cell, so nothing is covered
    assert sheet["L4"].value.startswith("K4 extra_cells: ")
    assert sheet["A3"].value == GOOD[0]  # each row at its own row number
    assert sheet["A2"].value is None


def test_a_csv_with_control_characters_and_a_header_below_blank_lines(tmp_path: Path) -> None:
    source = tmp_path / "odd.csv"
    row = [*GOOD[:2], "In\x00tro _x0041_", *GOOD[3:]]
    source.write_text("\n\n" + ",".join(HEADER[:9]) + "\n" + ",".join(row) + "\n", "utf-8")
    report = validate_file(source)
    assert report.flatten() == [(4, "title", "invalid_character")]
    out = tmp_path / "annotated.xlsx"
    annotate(report, source, out)
    sheet = openpyxl.load_workbook(out)["odd"]
    assert sheet["A3"].value == "courseGroupId"
    assert sheet.freeze_panes == "A4"
    assert _red_cells(sheet) == {"C4"}
    # The workbook holds the NUL the way Excel stores it, and a literal _x0041_ stays literal:
    # the validator reads the copy's cell exactly as it read the CSV's.
    assert validate_file(out).invalid_rows[0].values["title"] == "In\x00tro _x0041_"


def test_refusals(tmp_path: Path) -> None:
    source = SAMPLES / "sessions_with_errors.csv"
    report = validate_file(source)
    with pytest.raises(UsageError, match=r"must end in \.xlsx"):
        annotate(report, source, tmp_path / "out.csv")
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes((SAMPLES / "sessions_with_errors.xlsx").read_bytes())
    with pytest.raises(UsageError, match="input file"):
        annotate(validate_file(copy), copy, copy)
    missing = tmp_path / "missing.csv"
    with pytest.raises(UsageError, match="could not be judged"):
        annotate(validate_file(missing), missing, tmp_path / "out.xlsx")


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("Sessions!F7", ("Sessions", 7, 5)),
        ("'My sheet'!AA10", ("My sheet", 10, 26)),
        ("'It''s'!B2", ("It's", 2, 1)),
        ("F7", (None, 7, 5)),
        ("$F$7", (None, 7, 5)),
    ],
)
def test_parse_cell(ref: str, expected: tuple[str | None, int, int]) -> None:
    assert parse_cell(ref) == expected


def test_cli_annotate(tmp_path: Path) -> None:
    source = SAMPLES / "sessions_with_errors.xlsx"
    target = tmp_path / "annotated.xlsx"
    parser = build_parser()
    add_arguments(parser)
    args = parser.parse_args([str(source), "--annotate", str(target)])
    assert check_paths(args) is None
    out, err = io.StringIO(), io.StringIO()
    assert run(args, [validate_file(source)], out, err) == 0
    assert out.getvalue() == (
        f"webinar-validate: wrote {target}: 23 invalid cells in 14 rows marked red, "
        "with comments and a Summary sheet\n"
    )
    assert openpyxl.load_workbook(target).sheetnames == ["Sessions", "Summary"]
    args = parser.parse_args([str(source), "--annotate", str(source)])
    assert "is the input file" in (check_paths(args) or "")
    args = parser.parse_args([str(source), "--annotate", str(tmp_path / "out.csv")])
    assert check_paths(args) == f"--annotate {tmp_path / 'out.csv'} must end in .xlsx."


def test_what_the_copy_cannot_keep_is_said(tmp_path: Path) -> None:
    from openpyxl.chart import BarChart, Reference

    source = tmp_path / "chart.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER[:9])
    sheet.append(GOOD)
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=1, min_row=1, max_row=2))
    sheet.add_chart(chart, "K2")
    book.save(source)
    report = validate_file(source)
    notes = annotate(report, source, tmp_path / "annotated.xlsx")
    assert notes == [f"the charts of {source} are rebuilt in the copy and may lose some styling"]
