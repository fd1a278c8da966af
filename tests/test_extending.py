"""Extending the contract in Python: a subclass adds columns and rules with codes of its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest

from webinar_validate import (
    ColumnSpec,
    Kind,
    Rule,
    SessionContract,
    validate_file,
    validate_frame,
)
from webinar_validate.cli.main import main
from webinar_validate.report.model import DryRunReport

SAMPLES = Path(__file__).resolve().parents[1] / "sample_assets"
REGIONS = ["AMER", "AMER", "EMEA", "EMEA", "AMER", "AMER", "AMER", "APAC"]


def _emea_outside_europe(ctx: Any, column: str) -> pd.Series:
    emea = ctx.valid(column) & (ctx.text(column).str.upper() == "EMEA")
    europe = ctx.text("timeZone").str.lower().str.startswith("europe/")
    return emea & ctx.valid("timeZone") & ~europe


def _emea_message(ctx: Any, column: str, index: Any, value: str) -> str:
    zone = ctx.text("timeZone")[index]
    return f"region EMEA needs a European timeZone, not {zone}."


class OurSessions(SessionContract):
    """Every session names its sales region; EMEA sessions run in a European time zone."""

    add_columns = (
        ColumnSpec("region", Kind.TEXT, required=True, choices=("EMEA", "AMER", "APAC")),
        ColumnSpec("attendeeCap", Kind.INTEGER, minimum=1),
    )
    add_rules: ClassVar = {
        "region": (Rule("region_time_zone", _emea_outside_europe, _emea_message, own=False),)
    }


def _frame() -> pd.DataFrame:
    frame = pd.read_csv(SAMPLES / "sessions.csv", dtype=str, keep_default_na=False)
    frame["region"] = REGIONS
    frame["attendeeCap"] = ["100", "", "", "", "", "", "", "7"]
    return frame


def test_the_subclass_accepts_a_good_frame_and_types_its_columns() -> None:
    report = validate_frame(_frame(), contract=OurSessions())
    assert report.ok, report.flatten()
    assert report.preflight.warnings == []  # region and attendeeCap are known columns
    ready = report.valid_frame()
    assert ready["region"].tolist() == REGIONS
    assert str(ready["attendeeCap"].dtype) == "Int64"
    assert ready["attendeeCap"].tolist()[0] == 100


def test_added_columns_get_the_contract_codes_and_the_rule_its_own_code() -> None:
    frame = _frame()
    frame.loc[0, "region"] = "LATAM"
    frame.loc[1, "region"] = ""
    frame.loc[2, "attendeeCap"] = "0"
    frame.loc[3, "timeZone"] = "America/New_York"  # an EMEA session scheduled in New York
    frame.loc[4, "region"] = "=HYPERLINK()"
    report = validate_frame(frame, contract=OurSessions())
    assert report.flatten() == [
        (2, "region", "invalid_choice"),
        (3, "region", "required"),
        (4, "attendeeCap", "out_of_range"),
        (5, "region", "region_time_zone"),
        (6, "region", "formula_injection"),
    ]
    error = report.invalid_rows[3].errors[0]
    assert error.cell == "S5"
    assert error.message == "region EMEA needs a European timeZone, not America/New_York."
    # the report with a code of our own still has the API's envelope, and round-trips
    again = DryRunReport.model_validate_json(report.to_json())
    assert again.flatten() == report.flatten()


def test_the_rule_waits_for_valid_cells() -> None:
    frame = _frame()
    frame.loc[2, "timeZone"] = "Mars/Base"  # invalid zone: the region rule does not run
    report = validate_frame(frame, contract=OurSessions())
    assert report.flatten() == [(4, "timeZone", "invalid_time_zone")]


def test_the_default_contract_does_not_know_the_added_columns() -> None:
    report = validate_frame(_frame())
    assert report.ok
    assert [w.code for w in report.preflight.warnings] == ["unknown_column", "unknown_column"]
    assert "region" not in SessionContract.DEFAULT.names


def test_a_missing_required_added_column_fails_the_file() -> None:
    report = validate_file(SAMPLES / "sessions.csv", contract=OurSessions())
    assert report.exit_status == 2
    assert [e.extensions.code for e in report.errors] == ["missing_column"]
    assert "region" in report.errors[0].message


def test_a_file_through_the_subclass_and_the_cli_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = _frame()
    frame.loc[3, "timeZone"] = "America/New_York"
    path = tmp_path / "ours.csv"
    frame.to_csv(path, index=False)
    report = validate_file(path, contract=OurSessions())
    assert report.flatten() == [(5, "region", "region_time_zone")]
    data = json.loads(report.to_json())
    assert data["data"]["APIBulkWebinarImport"]["invalidRows"][0]["errors"][0]["code"] == (
        "region_time_zone"
    )
    # without the subclass, the command line knows nothing of regions
    assert main([str(path)]) == 0
    assert "unknown_column" in capsys.readouterr().out


def test_rules_and_columns_without_subclassing() -> None:
    contract = SessionContract(
        extra_rules={
            "region": (Rule("region_time_zone", _emea_outside_europe, _emea_message, own=False),)
        }
    ).with_columns([ColumnSpec("region", Kind.TEXT, required=True, choices=("EMEA", "AMER"))])
    frame = _frame().drop(columns="attendeeCap")
    frame.loc[3, "timeZone"] = "Asia/Tokyo"
    frame.loc[7, "region"] = "AMER"
    assert validate_frame(frame, contract=contract).flatten() == [(5, "region", "region_time_zone")]


def test_a_rule_for_a_column_the_contract_lacks_is_refused() -> None:
    class Typo(SessionContract):
        add_rules: ClassVar = {"regoin": ()}

    with pytest.raises(ValueError, match="'regoin'"):
        Typo()


def test_an_own_rule_may_ask_whether_its_column_is_valid() -> None:
    """A rule left with own=True that calls ctx.valid() on its column does not recurse."""

    class Strict(OurSessions):
        add_rules: ClassVar = {
            "region": (Rule("region_time_zone", _emea_outside_europe, _emea_message),)
        }

    frame = _frame()
    frame.loc[3, "timeZone"] = "America/New_York"
    assert validate_frame(frame, contract=Strict()).flatten() == [(5, "region", "region_time_zone")]


def test_a_custom_code_must_be_snake_case() -> None:
    with pytest.raises(ValueError, match="snake_case"):
        Rule("Region Zone", _emea_outside_europe, _emea_message, own=False)


def test_a_rule_that_raises_is_not_taken_for_a_rule_that_passes() -> None:
    # pandera turns an exception in a check into a failure case with no row; a broken rule of
    # the user's must not quietly pass every row: its error reaches the caller.
    def broken(ctx: Any, column: str) -> pd.Series:
        raise RuntimeError("the rule's own bug")

    contract = SessionContract(
        extra_rules={"title": (Rule("no_acme", broken, lambda *_: "unused"),)},
    )
    with pytest.raises(RuntimeError, match="the rule's own bug"):
        validate_file(SAMPLES / "sessions.csv", contract=contract)
