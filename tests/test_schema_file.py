"""`--schema FILE`: columns and limits from YAML or JSON; every mistake in the file exits 2."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from webinar_validate import SessionContract, UsageError, validate_file
from webinar_validate.cli.main import main
from webinar_validate.contract.columns import Kind
from webinar_validate.contract.file import load_contract

SAMPLES = Path(__file__).resolve().parents[1] / "sample_assets"

SCHEMA = """\
# our instance's extra columns
max_session_hours: 48
columns:
  - name: region
    required: true
    choices: [EMEA, AMER, APAC]
  - name: costCenter
    pattern: "[A-Z]{2}-[0-9]{4}"
    max_length: 7
  - name: hostEmail
    type: email
  - name: capacity
    type: integer
    minimum: 10
  - name: recorded
    type: boolean
"""
EXTRA = ["region", "costCenter", "hostEmail", "capacity", "recorded"]


def _write_sessions(
    path: Path, extra: list[list[str]], *, hours: dict[int, str] | None = None
) -> Path:
    """sessions.csv with the EXTRA columns; ``extra[i]`` fills data row i (default: valid cells)."""
    with (SAMPLES / "sessions.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows[0] += EXTRA
    for i, row in enumerate(rows[1:]):
        row += extra[i] if i < len(extra) else ["APAC", "", "", "", ""]
    for i, end in (hours or {}).items():
        rows[i + 1][6] = end
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.fixture
def schema(tmp_path: Path) -> Path:
    path = tmp_path / "schema.yaml"
    path.write_text(SCHEMA, encoding="utf-8")
    return path


def test_added_columns_are_checked_with_the_contract_codes(
    tmp_path: Path, schema: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _write_sessions(
        tmp_path / "s.csv",
        [
            ["amer", "US-0001", "host@example.org", "10", "yes"],
            ["Mars", "us-1", "a@example.org; b@example.org", "5", "maybe"],
            ["", "US-00001", "not-mail", "ten", ""],
        ],
    )
    assert main(["--schema", str(schema), str(data)]) == 1
    report = validate_file(data, contract=load_contract(schema))
    assert report.flatten() == [
        (3, "region", "invalid_choice"),
        (3, "costCenter", "invalid_pattern"),
        (3, "hostEmail", "invalid_email"),
        (3, "capacity", "out_of_range"),
        (3, "recorded", "invalid_boolean"),
        (4, "region", "required"),
        (4, "costCenter", "too_long"),
        (4, "hostEmail", "invalid_email"),
        (4, "capacity", "invalid_integer"),
    ]
    first = report.valid_rows[0].values
    assert (first["region"], first["capacity"], first["recorded"]) == ("AMER", 10, True)
    assert first["hostEmail"] == "host@example.org"
    out = capsys.readouterr().out
    assert "unknown_column" not in out  # the schema's columns are known
    assert "S3 invalid_choice region 'Mars' is not one of EMEA, AMER, APAC" in out


def test_a_required_added_column_that_is_missing_fails_the_file(
    tmp_path: Path, schema: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--schema", str(schema), str(SAMPLES / "sessions.csv")]) == 2
    assert "missing_column" in capsys.readouterr().err


def test_limits_relax_and_tighten_and_the_command_line_wins(
    tmp_path: Path, schema: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # row 9's session lasts 36 hours: too long by default, allowed by max_session_hours: 48
    data = _write_sessions(tmp_path / "s.csv", [], hours={7: "2026-01-21T23:00:00+09:00"})
    assert validate_file(data).flatten() == [(9, "endDate", "session_too_long")]
    assert main(["--schema", str(schema), str(data)]) == 0
    tight = tmp_path / "tight.json"
    tight.write_text(json.dumps({"max_rows": 5, "max_session_hours": 1}), encoding="utf-8")
    assert main(["--schema", str(tight), str(SAMPLES / "sessions.csv")]) == 2
    assert "too_many_rows" in capsys.readouterr().err
    assert main(["--schema", str(tight), "--max-rows", "0", str(SAMPLES / "sessions.csv")]) == 1
    assert "the 1 hours a session may last" in capsys.readouterr().out


def test_json_and_yaml_say_the_same(tmp_path: Path, schema: Path) -> None:
    import yaml

    as_json = tmp_path / "schema.json"
    as_json.write_text(json.dumps(yaml.safe_load(SCHEMA)), encoding="utf-8")
    assert load_contract(as_json) == load_contract(schema)


def test_load_contract_extends_the_session_contract(schema: Path) -> None:
    contract = load_contract(schema)
    assert isinstance(contract, SessionContract)
    assert contract.names[: len(SessionContract.DEFAULT.names)] == SessionContract.DEFAULT.names
    assert contract.names[-5:] == tuple(EXTRA)
    region = contract.column("region")
    assert region is not None
    assert (region.kind, region.required, region.choices) == (
        Kind.TEXT,
        True,
        ("EMEA", "AMER", "APAC"),
    )
    assert contract.max_session_hours == 48
    assert contract.max_rows == 1000
    assert SessionContract.DEFAULT.column("region") is None  # the default is untouched


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("colour: red\n", "'colour'"),
        ("max_rows: 5\nlimits: {max_rows: 5}\n", "'limits'"),
        ("columns:\n  - name: region\n    choice: [a, b]\n", "'choice'"),
        ("columns:\n  - name: region\n    maxLength: 3\n", "'maxLength'"),
    ],
)
def test_an_unknown_key_is_exit_2_naming_the_key(
    tmp_path: Path, text: str, named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "schema.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["--schema", str(path), str(SAMPLES / "sessions.csv")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"unknown key {named}" in captured.err
    assert str(path) in captured.err
    with pytest.raises(UsageError, match=f"unknown key {named}"):
        load_contract(path)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("max_rows: -1\n", "max_rows must be 0 or more"),
        ("max_rows: many\n", "max_rows must be a whole number"),
        ("max_session_hours: 0\n", "max_session_hours must be a number above 0"),
        ("columns: {name: region}\n", "columns must be a list"),
        ("columns:\n  - region\n", "column 1 must be a mapping"),
        ("columns:\n  - type: text\n", "column 1 needs a name"),
        ("columns:\n  - name: x\n    type: date\n", "type must be one of text, integer, boolean"),
        ("columns:\n  - name: x\n    required: 'yes'\n", "required must be true or false"),
        ("columns:\n  - name: x\n    pattern: '[a-'\n", "is not a valid regular expression"),
        ("columns:\n  - name: x\n    choices: [yes, no]\n", "put yes, no, on and off in quotes"),
        ("columns:\n  - name: x\n    choices: []\n", "choices must be a non-empty list"),
        ("columns:\n  - name: x\n    type: integer\n    choices: [1]\n", "choices apply to text"),
        ("columns:\n  - name: x\n    minimum: 1\n", "minimum applies to integer columns"),
        ("columns:\n  - name: x\n    max_length: 0\n", "max_length must be 1 or more"),
        ("columns:\n  - name: Start Date\n", "startDate is already a column of the contract"),
        ("columns:\n  - name: x\n  - name: X\n", "x is already a column"),
        ("columns: [\n", "not valid YAML (line 2, column 1)"),
        ("- a\n- b\n", "the schema must be a mapping"),
    ],
)
def test_bad_values_are_exit_2_with_a_clear_message(
    tmp_path: Path, text: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "schema.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["--schema", str(path), str(SAMPLES / "sessions.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"webinar-validate: {path}: ")
    assert says in err


def test_a_missing_or_broken_json_schema_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--schema", str(tmp_path / "nope.yaml"), str(SAMPLES / "sessions.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err
    broken = tmp_path / "schema.json"
    broken.write_text('{"columns": [}', encoding="utf-8")
    assert main(["--schema", str(broken), str(SAMPLES / "sessions.csv")]) == 2
    assert "not valid JSON (line 1, column 14)" in capsys.readouterr().err


def test_an_empty_schema_file_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    assert load_contract(path) == SessionContract.DEFAULT


def test_the_readme_example_is_a_working_schema(tmp_path: Path) -> None:
    readme = (SAMPLES.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL)
    path = tmp_path / "sessions-schema.yaml"
    path.write_text(next(b for b in blocks if "columns:" in b), encoding="utf-8")
    contract = load_contract(path)
    assert (contract.max_rows, contract.max_session_hours) == (2000, 48)
    assert contract.names[-4:] == ("region", "costCenter", "hostEmail", "capacity")
    data = _write_sessions(tmp_path / "s.csv", [["EMEA", "US-0001", "x@example.org", "12", ""]])
    assert validate_file(data, contract=contract).ok
