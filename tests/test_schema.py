"""The contract is a pandera schema: usable with pandera alone, written to YAML and read back,
and the very schema ``validate_file`` / ``validate_frame`` run (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.errors
import pandera.pandas as pa
import pytest
from pandera.typing import DataFrame

from webinar_validate import (
    ColumnSpec,
    Kind,
    Rule,
    SessionContract,
    SessionRow,
    session_schema,
    validate_file,
    validate_frame,
)
from webinar_validate.cli.schemas import SCHEMAS, render

CASES = Path(__file__).resolve().parent / "cases"
ROOT = Path(__file__).resolve().parent.parent
NOT_PANDERA = {"extra_cells", "formula_without_value"}
"""Codes found while reading the file, before any schema runs."""

GOOD = {
    "courseGroupId": "3f0c9a4e-1b2c-4d5e-8f90-123456789abc",
    "startDate": "2026-09-10T15:00:00Z",
    "endDate": "2026-09-10T16:00:00Z",
    "timeZone": "UTC",
    "webinarProvider": "zoom",
}


def _expected(case: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CASES / case / "expected.json").read_text())
    return data


def _text_frame(path: Path) -> pd.DataFrame:
    """A CSV as a pandas user would read it: text cells, blank rows dropped, the index the
    spreadsheet row number."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False)
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    return frame[(frame != "").any(axis=1)]


def pandera_alone(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> set[tuple[int, str, str]]:
    """(row, column, code) of each cell's first failing check, from pandera's failure cases
    only: a column's own checks in order, then the DataFrame-level checks that name it."""
    try:
        schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return set()
    first: dict[tuple[int, str], tuple[int, str]] = {}
    for case in cases.itertuples(index=False):
        if case.schema_context == "DataFrameSchema":  # the check names the column it reports
            check = schema.checks[int(case.check_number)]
            column, order = str(check.statistics["column"]), 1000 + int(case.check_number)
        else:
            column, order = str(case.column), int(case.check_number)
        key = (int(case.index), column)
        if key not in first or order < first[key][0]:
            first[key] = (order, str(case.check))
    return {(row, column, code) for (row, column), (_, code) in first.items()}


def _csv_row_cases() -> list[str]:
    """Acceptance cases a pandas user could load as they are: a CSV with the contract's exact
    headers, judged without options."""
    names = set(SessionContract.DEFAULT.names)
    found = []
    for expected in sorted(CASES.glob("*/expected.json")):
        case = expected.parent
        data = json.loads(expected.read_text())
        csv = case / "input.csv"
        if not csv.exists() or data["args"] or data["file_errors"]:
            continue
        try:
            header = _text_frame(csv).columns
        except (UnicodeDecodeError, pd.errors.ParserError):
            continue
        if set(header) <= names:
            found.append(case.name)
    return found


@pytest.mark.parametrize("case", _csv_row_cases())
def test_pandera_alone_reports_what_validate_frame_reports(case: str) -> None:
    frame = _text_frame(CASES / case / "input.csv")
    report = validate_frame(frame, row_numbers="index")
    ours = {(row, str(column), code) for row, column, code in report.flatten()}
    ours = {error for error in ours if error[2] not in NOT_PANDERA}
    schema = session_schema()
    assert pandera_alone(schema, frame) == ours
    again = pa.DataFrameSchema.from_yaml(schema.to_yaml())
    assert pandera_alone(again, frame) == ours


def test_the_comparison_covers_most_row_codes() -> None:
    covered = {
        code
        for case in _csv_row_cases()
        for _, _, code in _expected(case)["rows"]
        if code not in NOT_PANDERA
    }
    assert len(covered) >= 15, covered


def test_failure_cases_name_the_code_and_the_frames_index() -> None:
    frame = pd.DataFrame(
        [{**GOOD, "title": "a"}, {**GOOD, "title": "b", "timeZone": "Mars/Olympus"}], index=[41, 42]
    )
    with pytest.raises(pandera.errors.SchemaErrors) as caught:
        session_schema().validate(frame, lazy=True)
    cases = caught.value.failure_cases
    assert cases[["column", "check", "index"]].values.tolist() == [
        ["timeZone", "invalid_time_zone", 42]
    ]


def test_a_missing_value_is_a_blank_cell() -> None:
    frame = pd.DataFrame([{**GOOD, "courseGroupId": None, "seatsLimit": None}])
    assert pandera_alone(session_schema(), frame) == {(0, "courseGroupId", "required")}


def test_yaml_round_trip_is_exact_and_committed() -> None:
    text = session_schema().to_yaml()
    assert text is not None
    assert pa.DataFrameSchema.from_yaml(text).to_yaml() == text
    committed = ROOT / "schemas" / "session-row.pandera.yaml"
    assert "session-row.pandera.yaml" in SCHEMAS
    assert committed.read_text() == render("session-row.pandera.yaml"), (
        "schemas/session-row.pandera.yaml is out of date: run "
        "`python -m webinar_validate.cli.schemas schemas`"
    )


def test_session_row_works_with_check_types() -> None:
    @pa.check_types(lazy=True)
    def load(frame: DataFrame[SessionRow]) -> int:
        return len(frame)

    assert load(pd.DataFrame([GOOD])) == 1
    with pytest.raises(pandera.errors.SchemaErrors) as caught:
        load(pd.DataFrame([GOOD, {**GOOD, "title": "b", "endDate": "2026-09-10T14:00:00Z"}]))
    assert set(caught.value.failure_cases["check"]) == {"end_not_after_start"}
    assert "title" in SessionRow.__annotations__


# --- each rule's check is what finds its failures ------------------------------------------

REMOVED_CASES = {
    "invalid_character": "invalid_character",
    "formula_error": "formula_error",
    "formula_injection": "formula_injection",
    "required_cell": "required",
    "too_long": "too_long",
    "invalid_uuid": "invalid_uuid",
    "invalid_slug": "invalid_slug",
    "invalid_datetime": "invalid_datetime",
    "missing_utc_offset": "missing_utc_offset_text",
    "invalid_time_zone": "invalid_time_zone",
    "invalid_url": "invalid_url",
    "invalid_email": "invalid_email",
    "invalid_integer": "invalid_integer",
    "out_of_range": "out_of_range",
    "invalid_boolean": "invalid_boolean",
    "invalid_language": "invalid_language",
    "invalid_choice": "invalid_choice",
    "end_not_after_start": "end_not_after_start",
    "session_too_long": "session_too_long",
    "required_when": "required_join_url",
    "waitlist_without_limit": "waitlist_without_limit",
    "enrollment_window": "enrollment_window",
    "duplicate_session": "duplicate_session",
    "duplicate_value": "duplicate_value",
}


def _without(schema: pa.DataFrameSchema, check: str) -> pa.DataFrameSchema:
    columns = {
        name: column.set_checks([c for c in column.checks if c.name != check])
        for name, column in schema.columns.items()
    }
    return pa.DataFrameSchema(
        columns, checks=[c for c in schema.checks if c.name != check], strict=False
    )


def _case_input(case: str) -> Path:
    return next((CASES / case).glob("input.*"))


def test_every_built_in_check_is_removed_once() -> None:
    names = {c.name for column in session_schema().columns.values() for c in column.checks}
    names |= {c.name for c in session_schema().checks}
    assert names == set(REMOVED_CASES)


@pytest.mark.parametrize("check", sorted(REMOVED_CASES))
def test_removing_a_check_makes_its_case_fail(check: str) -> None:
    case = REMOVED_CASES[check]
    expected = {tuple(row) for row in _expected(case)["rows"]}
    schema = session_schema()
    full = validate_file(_case_input(case), schema=schema, max_rows=0)
    assert {tuple(e) for e in full.flatten()} == expected
    code = next(str(c.error) for c in [*_all_checks(schema)] if c.name == check)
    assert any(row[2] == code for row in expected)
    without = validate_file(_case_input(case), schema=_without(schema, check), max_rows=0)
    found = {tuple(e) for e in without.flatten()}
    assert found != expected
    assert {row for row in expected if row[2] == code} - found


def _all_checks(schema: pa.DataFrameSchema) -> list[pa.Check]:
    return [c for column in schema.columns.values() for c in column.checks] + list(schema.checks)


# --- extended contracts ---------------------------------------------------------------------


def _no_acme(ctx: Any, column: str) -> pd.Series:
    return ctx.text(column).str.contains("ACME")


def test_an_extended_contracts_schema_judges_with_pandera_alone() -> None:
    contract = SessionContract(
        columns=(
            *SessionContract.DEFAULT.columns,
            ColumnSpec("region", Kind.CHOICE, choices=("EMEA", "AMER")),
        ),
        extra_rules={"title": (Rule("no_acme", _no_acme, lambda *_: "no ACME in titles."),)},
    )
    frame = pd.DataFrame([{**GOOD, "region": "APAC", "title": "ACME day"}])
    schema = session_schema(contract)
    assert pandera_alone(schema, frame) == {
        (0, "region", "invalid_choice"),
        (0, "title", "no_acme"),
    }
    report = validate_frame(frame, contract=contract)
    assert {(c, code) for _, c, code in report.flatten()} == {
        ("region", "invalid_choice"),
        ("title", "no_acme"),
    }


def test_a_schema_with_a_column_renamed_and_choices_changed_judges_by_them() -> None:
    text = session_schema().to_yaml()
    assert text is not None
    edited = (
        text.replace("  title:\n", "  sessionTitle:\n")
        .replace("title: title\n", "title: sessionTitle\n")
        .replace("- archived\n", "- retired\n")
    )
    schema = pa.DataFrameSchema.from_yaml(edited)
    frame = pd.DataFrame(
        [
            {**GOOD, "sessionTitle": "x" * 300, "status": "retired"},
            {**GOOD, "sessionTitle": "ok", "status": "archived", "slug": "b"},
        ]
    )
    report = validate_frame(frame, schema=schema)
    assert report.flatten() == [(2, "sessionTitle", "too_long"), (3, "status", "invalid_choice")]


def test_a_schema_whose_cross_check_names_a_missing_column_is_refused() -> None:
    text = session_schema().to_yaml()
    assert text is not None
    schema = pa.DataFrameSchema.from_yaml(text.replace("  title:\n", "  sessionTitle:\n"))
    with pytest.raises(ValueError, match="duplicate_session names the column title"):
        validate_frame(pd.DataFrame([GOOD]), schema=schema)


# --- --schema reads a pandera YAML -----------------------------------------------------------


def _edited_yaml(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    text = (ROOT / "schemas" / "session-row.pandera.yaml").read_text()
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "ours.pandera.yaml"
    path.write_text(text)
    return path


RENAMED_CSV = (
    "courseGroupId,sessionTitle,startDate,endDate,timeZone,webinarProvider,status\n"
    "3f0c9a4e-1b2c-4d5e-8f90-123456789abc,Hello,2026-09-10T15:00:00Z,2026-09-10T16:00:00Z,"
    "UTC,zoom,retired\n"
    "3f0c9a4e-1b2c-4d5e-8f90-123456789abc,Other,2026-09-10T15:00:00Z,2026-09-10T16:00:00Z,"
    "UTC,zoom,archived\n"
)


def test_the_cli_judges_by_an_edited_pandera_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from webinar_validate.cli.main import main

    schema = _edited_yaml(
        tmp_path,
        ("\n  title:\n", "\n  sessionTitle:\n"),
        ("  title: title\n", "  title: sessionTitle\n"),
        ("      - archived\n", "      - retired\n"),
    )
    sessions = tmp_path / "sessions.csv"
    sessions.write_text(RENAMED_CSV)
    assert main(["--schema", str(schema), str(sessions)]) == 1
    out = capsys.readouterr().out
    assert "G3 invalid_choice status 'archived' is not one of" in out
    assert "retired" in out
    assert "unknown_column" not in out
    assert "1 valid, 1 invalid" in out


def test_a_pandera_yaml_with_a_check_that_is_not_ours_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from webinar_validate.cli.main import main

    schema = _edited_yaml(tmp_path, ("    invalid_uuid:\n", "    unique_values_eq:\n"))
    sessions = tmp_path / "sessions.csv"
    sessions.write_text(RENAMED_CSV)
    assert main(["--schema", str(schema), str(sessions)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert str(schema) in err[0]
    assert "not a pandera schema this tool can judge by" in err[0]


# --- adding a rule is a change to contract/ alone (README: "Adding a rule") ------------------


def test_a_rule_added_in_contract_alone_reaches_pandera_yaml_and_the_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from webinar_validate.contract import checks, schema

    def shouting(ctx: Any, col: str) -> pd.Series:
        text = ctx.text(col)
        return ~ctx.blank(col) & (text == text.str.upper()) & text.str.contains("[A-Z]")

    def capitals(ctx: Any, col: str, index: Any, value: str) -> str:
        return f"{col} {value.strip()!r} is all capitals; write it in sentence case."

    entry = ("title_in_capitals", shouting, capitals, ())
    monkeypatch.setitem(checks.OWN_CHECKS, "title_in_capitals", entry)
    schema._series_check("title_in_capitals")  # what importing contract.schema does for each
    own = checks.own_rules

    def with_capitals(spec: ColumnSpec) -> tuple[Rule, ...]:
        extra = (checks.built_in("title_in_capitals"),) if spec.name == "title" else ()
        return own(spec) + extra

    monkeypatch.setattr(checks, "own_rules", with_capitals)
    monkeypatch.setattr(schema, "own_rules", with_capitals)
    frame = pd.DataFrame([{**GOOD, "title": "BIG NEWS"}, {**GOOD, "title": "Small news"}])
    report = validate_frame(frame)
    assert report.flatten() == [(2, "title", "title_in_capitals")]
    error = report.invalid_rows[0].errors[0]
    assert error.message == "title 'BIG NEWS' is all capitals; write it in sentence case."
    text = session_schema().to_yaml()
    assert text is not None
    assert "title_in_capitals" in text
    read_back = pa.DataFrameSchema.from_yaml(text)
    assert pandera_alone(read_back, frame) == {(0, "title", "title_in_capitals")}
