"""`--format github`: workflow commands that annotate a CI run, pinned by a golden file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from webinar_validate import validate_file
from webinar_validate.cli.main import main
from webinar_validate.cli.reporters import column_number, escape_data, escape_property

GOLDEN = Path(__file__).resolve().parent / "golden"
SAMPLES = Path(__file__).resolve().parents[1] / "sample_assets"
COMMAND = re.compile(r"^::(error|warning) ((?:[a-z]+=[^,:]*)(?:,[a-z]+=[^,:]*)*)::(.*)$")


def _properties(line: str) -> dict[str, str]:
    match = COMMAND.match(line)
    assert match, line
    return dict(item.split("=", 1) for item in match.group(2).split(","))


def test_golden_output(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The whole output on a small CSV: multi-line records, %, CR/LF in a value, warnings."""
    monkeypatch.chdir(GOLDEN)
    assert main(["--format", "github", "github_input.csv"]) == 1
    captured = capsys.readouterr()
    assert captured.out == (GOLDEN / "github.txt").read_text(encoding="utf-8")
    assert captured.err == ""


def test_one_command_per_error_using_the_physical_line_of_a_csv(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(GOLDEN)
    report = validate_file("github_input.csv")
    main(["--format", "github", "github_input.csv"])
    errors = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::error")]
    expected = [(e.line, e.code) for row in report.invalid_rows for e in row.errors]
    got = [(int(_properties(line)["line"]), _properties(line)["title"]) for line in errors]
    assert got == expected
    # the record that spans two lines starts on line 3, so the next one is on line 5, row 4
    assert ("5", "C4") in {(_properties(line)["line"], line.split("::")[2][:2]) for line in errors}


def test_a_workbook_uses_the_row_number_as_line_and_the_column_position_as_col(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = SAMPLES / "sessions_with_errors.xlsx"
    assert main(["--format", "github", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    report = validate_file(path)
    errors = [(row.rowNumber, e) for row in report.invalid_rows for e in row.errors]
    commands = [line for line in lines if line.startswith("::error")]
    assert len(commands) == len(errors)
    for line, (row_number, error) in zip(commands, errors, strict=True):
        props = _properties(line)
        assert props["file"] == escape_property(str(path))
        assert props["line"] == str(row_number)
        assert props["col"] == str(column_number(error.cell))
        assert props["title"] == error.code
        assert line.endswith("::" + escape_data(f"{error.cell}: {error.message}"))
    assert "::error file=" in lines[0]
    assert "col=8,title=invalid_time_zone::Sessions!H4: " in "\n".join(lines)
    assert lines[-1] == f"{path}: 2 valid, 14 invalid, 1 blank (17 rows read)"


def test_a_file_that_cannot_be_judged_is_one_error_per_problem_without_a_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "odd, name: v2.csv"
    path.write_text("title\nx\n", encoding="utf-8")
    assert main(["--format", "github", str(path)]) == 2
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    escaped = str(path).replace(",", "%2C").replace(":", "%3A")
    assert all(
        line.startswith(f"::error file={escaped},title=missing_column::") for line in lines[:-1]
    )
    assert len(lines) == 1 + 1  # one message names the five missing columns, then the summary
    assert lines[-1] == f"{path}: not judged (missing_column)"
    assert captured.err == ""


def test_escaping_follows_the_runner_rules() -> None:
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    assert column_number("Sessions!A7") == 1
    assert column_number("'My sheet'!AB12") == 28
    assert column_number("F3") == 6


def test_several_files_each_end_with_their_summary(capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = SAMPLES / "sessions.csv", SAMPLES / "sessions_with_errors.csv"
    assert main(["--format", "github", str(good), str(bad)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{good}: 8 valid, 0 invalid, 0 blank (8 rows read)"
    assert all(f"file={bad}," in line for line in lines[1:-1])
    assert lines[-1].startswith(f"{bad}: 2 valid, 14 invalid")
