"""webinar-validate template: the contract's header, one valid example row, XLSX typing help."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from webinar_validate import validate_file
from webinar_validate.cli.execute import template_main
from webinar_validate.cli.outputs import write_template
from webinar_validate.cli.outputs.template import EXAMPLE
from webinar_validate.contract.columns import PROVIDERS, STATUSES, ColumnSpec, SessionContract
from webinar_validate.contract.values import accepted_zones

NAMES = list(SessionContract.DEFAULT.names)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_template_validates_with_its_example_row_valid(suffix: str, tmp_path: Path) -> None:
    out = tmp_path / f"template{suffix}"
    write_template(out)
    report = validate_file(out)
    assert report.exit_status == 0
    assert report.preflight.warnings == []
    assert (report.preflight.valid, report.preflight.invalid, report.preflight.rowsRead) == (
        1,
        0,
        1,
    )
    values = report.valid_rows[0].values
    assert list(values) == NAMES
    assert values["startDate"] == "2026-09-02T15:00:00.000Z"
    assert values["waitlistingEnabled"] is True
    assert values["sessionId"] is None


def test_the_csv_template_is_the_header_and_one_row(tmp_path: Path) -> None:
    out = tmp_path / "template.csv"
    write_template(out)
    lines = out.read_bytes().decode("utf-8").split("\r\n")
    assert lines[0] == ",".join(NAMES)
    assert lines[2:] == [""]
    assert lines[1].startswith(f"{EXAMPLE['courseGroupId']},,")


def test_the_xlsx_template_helps_while_typing(tmp_path: Path) -> None:
    out = tmp_path / "template.xlsx"
    write_template(out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Sessions", "Lists"]
    assert book["Lists"].sheet_state == "hidden"
    sheet = book["Sessions"]
    assert [c.value for c in sheet[1]] == NAMES
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    letter = {name: openpyxl.utils.get_column_letter(i) for i, name in enumerate(NAMES, start=1)}

    validations = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
    assert len(validations) == len(NAMES)  # one per column, none overlapping
    for spec in SessionContract.DEFAULT.columns:
        dv = validations[f"{letter[spec.name]}2:{letter[spec.name]}1001"]
        assert dv.showInputMessage
        assert dv.promptTitle == spec.name
        assert dv.prompt is not None
        assert spec.description in dv.prompt
        assert dv.prompt.startswith("Required. ") == spec.required
        width = sheet.column_dimensions[letter[spec.name]].width
        assert 12 <= width <= 47

    def listed(name: str) -> str | None:
        dv = validations[f"{letter[name]}2:{letter[name]}1001"]
        assert dv.type == "list"
        assert dv.showErrorMessage
        return dv.formula1

    assert listed("webinarProvider") == '"' + ",".join(PROVIDERS) + '"'
    assert listed("status") == '"' + ",".join(STATUSES) + '"'
    assert listed("waitlistingEnabled") == '"yes,no"'
    assert listed("timeZone") == "=TimeZones"
    name = book.defined_names["TimeZones"]
    zones = accepted_zones()
    assert name.attr_text == f"Lists!$A$1:$A${len(zones)}"
    assert [row[0] for row in book["Lists"].iter_rows(values_only=True)] == zones
    assert "America/New_York" in zones

    # the example row: dates and IDs as text cells (Excel will not retype them), numbers as numbers
    example = {name: sheet.cell(2, i).value for i, name in enumerate(NAMES, start=1)}
    assert example == {name: EXAMPLE.get(name) for name in NAMES}
    for date_column in ("startDate", "endDate", "enrollmentStartDate", "enrollmentEndDate"):
        cell = sheet[f"{letter[date_column]}2"]
        assert cell.data_type == "s"
        assert cell.number_format == "@"
        assert sheet.column_dimensions[letter[date_column]].number_format == "@"
    assert sheet[f"{letter['seatsLimit']}2"].data_type == "n"


def test_an_extended_contract_gets_its_columns(tmp_path: Path) -> None:
    contract = SessionContract.DEFAULT.with_columns(
        [ColumnSpec("region", choices=("emea", "amer"), description="Sales region.")]
    )
    out = tmp_path / "template.xlsx"
    write_template(out, contract=contract)
    sheet = openpyxl.load_workbook(out)["Sessions"]
    assert sheet.cell(1, len(NAMES) + 1).value == "region"
    assert validate_file(out, contract=contract).exit_status == 0


# --- the subcommand ------------------------------------------------------------------------------


def test_template_main_writes_and_overwrites_saying_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The overwrite policy of every output (issue 13): an existing file is overwritten, and
    # the "wrote" line says so; --force is still accepted.
    out = tmp_path / "t.xlsx"
    assert template_main([str(out)]) == 0
    assert f"wrote {out}: " in capsys.readouterr().out
    assert validate_file(out).exit_status == 0
    out.write_bytes(b"mine")
    assert template_main([str(out)]) == 0
    assert f"wrote {out}, replacing the file that was there: " in capsys.readouterr().out
    assert validate_file(out).exit_status == 0
    assert template_main([str(out), "--force"]) == 0
    assert validate_file(out).exit_status == 0


def test_template_main_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert template_main([str(tmp_path / "t.ods")]) == 2
    assert "must end in .xlsx or .csv" in capsys.readouterr().err
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    assert template_main([str(folder), "--force"]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert template_main([str(tmp_path / "missing" / "t.csv")]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert template_main([]) == 2
    assert template_main(["--help"]) == 0
    assert "OUT.xlsx|OUT.csv" in capsys.readouterr().out


def test_the_subcommand_answers_without_pandas(tmp_path: Path) -> None:
    probe = (
        "import sys; from webinar_validate.cli.execute import template_main; "
        "status = template_main(sys.argv[1:]); "
        "print(status, sorted(m for m in ('pandas', 'pandera', 'pyarrow') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "t.xlsx")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert done.stdout.splitlines()[-1] == "0 []"
