"""schemas/ holds JSON Schemas generated from the code; they must not drift from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from webinar_validate.cli.schemas import SCHEMAS, render

FOLDER = Path(__file__).resolve().parents[1] / "schemas"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_committed_schema_matches_the_code(name: str) -> None:
    committed = (FOLDER / name).read_text(encoding="utf-8")
    assert committed == render(name), (
        f"schemas/{name} is out of date: run `python -m webinar_validate.cli.schemas schemas`"
    )


def test_row_schema_carries_the_contract_constraints() -> None:
    schema = json.loads(render("session-row.schema.json"))
    props = schema["properties"]
    assert "courseGroupId" in schema["required"]
    assert props["slug"]["anyOf"][0]["pattern"] == r"^[a-z0-9]+(-[a-z0-9]+)*$"
    assert props["title"]["anyOf"][0]["maxLength"] == 255
    assert props["seatsLimit"]["anyOf"][0]["minimum"] == 1
    assert "goToWebinar" in props["webinarProvider"]["enum"]
    assert "America/New_York" in props["timeZone"]["enum"]
