"""The report models: the seed's documented response parses; our report parses as it too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from webinar_validate.codes import Code
from webinar_validate.errors import HeaderError, Problem
from webinar_validate.report.model import DryRunReport, JobStatus, WireResponse, failed_report

# The example response of POST .../session/webinar/bulk, as the API page documents it.
SEED_EXAMPLE = """
{
  "data": {
    "APIBulkWebinarImport": {
      "dryRun": true,
      "validRows": [
        {}
      ],
      "invalidRows": [
        {}
      ],
      "backgroundJob": {
        "id": "00000000-0000-0000-0000-000000000000",
        "type": "string",
        "description": "string",
        "errorMessage": "string",
        "createdAt": "2024-01-01T00:00:00.000Z",
        "repeatable": true,
        "status": "complete"
      }
    }
  }
}
"""

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def test_seed_example_parses_with_the_wire_model() -> None:
    wire = WireResponse.model_validate_json(SEED_EXAMPLE)
    job = wire.data.APIBulkWebinarImport.backgroundJob
    assert job.status is JobStatus.COMPLETE
    assert job.repeatable is True
    assert wire.data.APIBulkWebinarImport.validRows == [{}]


@pytest.mark.skipif(not SEED.is_dir(), reason="shared/seeds is not beside this checkout")
def test_the_seed_page_itself_still_holds_that_example() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in SEED.glob("*.txt"))
    start = text.index('{\n  "data"')
    example, _ = json.JSONDecoder().raw_decode(text[start:])
    assert example == json.loads(SEED_EXAMPLE)


def test_wire_model_rejects_an_unknown_job_status() -> None:
    bad = SEED_EXAMPLE.replace('"complete"', '"done"')
    with pytest.raises(ValueError, match="status"):
        WireResponse.model_validate_json(bad)


def test_failed_report_is_a_failed_job_with_graphql_errors() -> None:
    error = HeaderError(
        "x",
        problems=(
            Problem(Code.MISSING_COLUMN, "startDate is missing"),
            Problem(Code.MISSING_COLUMN, "endDate is missing"),
        ),
    )
    report = failed_report("s.csv", error)
    data = report.to_dict()
    job = data["data"]["APIBulkWebinarImport"]["backgroundJob"]
    assert job["status"] == "failed"
    assert job["errorMessage"]
    assert [e["extensions"]["code"] for e in data["errors"]] == ["missing_column"] * 2
    assert report.exit_status == 2
    WireResponse.model_validate(data)
    assert DryRunReport.model_validate_json(report.to_json()) == report


def test_a_real_report_round_trips_through_full_validation() -> None:
    # Rows are built with `trusted()` (no pydantic validation, for speed); re-validating the JSON
    # proves they hold exactly what the models declare.
    from webinar_validate import validate_file

    samples = Path(__file__).resolve().parents[1] / "sample_assets"
    for name in ("sessions.xlsx", "sessions_with_errors.csv", "sessions_with_errors.xlsx"):
        report = validate_file(samples / name)
        again = DryRunReport.model_validate_json(report.to_json())
        assert again.to_dict() == report.to_dict()
        assert again.flatten() == report.flatten()


def test_trusted_refuses_missing_fields() -> None:
    from webinar_validate.report.model import ValidRow

    with pytest.raises(TypeError):
        ValidRow.trusted(rowNumber=2)


def test_raise_for_status_raises_the_file_level_error_with_every_problem(tmp_path: Path) -> None:
    from webinar_validate import validate_file
    from webinar_validate.errors import FileNotFound

    path = tmp_path / "cols.csv"
    path.write_text("title,notes\nx,y\n", encoding="utf-8")
    with pytest.raises(HeaderError) as caught:
        validate_file(path, strict=True).raise_for_status()
    # every problem: the unknown column, and one missing_column message naming all five
    assert [p.code for p in caught.value.problems] == [Code.UNKNOWN_COLUMN, Code.MISSING_COLUMN]
    with pytest.raises(FileNotFound):
        validate_file(tmp_path / "nope.csv").raise_for_status()
    good = Path(__file__).resolve().parents[1] / "sample_assets" / "sessions.csv"
    report = validate_file(good)
    assert report.raise_for_status() is report
