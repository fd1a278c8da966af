"""The command line: exit statuses, text and JSON output, and that it says what the library says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from webinar_validate import validate_file
from webinar_validate.cli.main import main
from webinar_validate.report.model import WireResponse

SAMPLES = Path(__file__).resolve().parents[1] / "sample_assets"


def _comparable(report: dict) -> dict:
    """A report without the parts that differ between two runs (job id and creation time)."""
    job = report["data"]["APIBulkWebinarImport"]["backgroundJob"]
    job.pop("id")
    job.pop("createdAt")
    return report


@pytest.mark.parametrize(
    "name",
    ["sessions.csv", "sessions.xlsx", "sessions_with_errors.csv", "sessions_with_errors.xlsx"],
)
def test_cli_json_equals_the_library_report(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = SAMPLES / name
    status = main(["--format", "json", str(path)])
    printed = json.loads(capsys.readouterr().out)
    WireResponse.model_validate(printed)
    library = validate_file(path)
    assert status == library.exit_status
    assert _comparable(printed) == _comparable(library.to_dict())


def test_valid_samples_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(SAMPLES / "sessions.csv"), str(SAMPLES / "sessions.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "sessions.csv: 8 valid, 0 invalid, 0 blank" in out


def test_error_sample_xlsx_exits_1_with_cells_and_codes(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["--format", "json", str(SAMPLES / "sessions_with_errors.xlsx")])
    assert status == 1
    report = json.loads(capsys.readouterr().out)
    errors = [
        e for row in report["data"]["APIBulkWebinarImport"]["invalidRows"] for e in row["errors"]
    ]
    assert errors
    assert all(e["cell"].startswith("Sessions!") for e in errors)
    assert {"end_not_after_start", "invalid_time_zone", "missing_utc_offset"} <= {
        e["code"] for e in errors
    }


def test_text_output_is_one_line_per_error_then_a_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = SAMPLES / "sessions_with_errors.csv"
    assert main([str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    report = validate_file(path)
    errors = [e for row in report.invalid_rows for e in row.errors]
    assert lines[: len(errors)] == [f"{path}:{e.cell} {e.code} {e.message}" for e in errors]
    assert lines[-1].startswith(
        f"{path}: {report.preflight.valid} valid, {report.preflight.invalid} invalid"
    )


def test_a_file_that_cannot_be_judged_exits_2_with_one_line_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    legacy = tmp_path / "old.xls"
    legacy.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 1024)
    assert main([str(legacy)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert "unsupported_format" in lines[0]
    assert ".xlsx" in lines[0]


def test_json_mode_failed_file_has_errors_and_a_failed_job(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("title\nx\n", encoding="utf-8")
    assert main(["--format", "json", str(path)]) == 2
    report = json.loads(capsys.readouterr().out)
    job = report["data"]["APIBulkWebinarImport"]["backgroundJob"]
    assert job["status"] == "failed"
    assert job["errorMessage"]
    assert {e["extensions"]["code"] for e in report["errors"]} == {"missing_column"}
    assert report["data"]["APIBulkWebinarImport"]["validRows"] == []


def test_several_files_worst_status_wins_and_json_is_an_array(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.csv"
    status = main(["--format", "json", str(SAMPLES / "sessions.csv"), str(missing)])
    assert status == 2
    reports = json.loads(capsys.readouterr().out)
    assert [r["errors"][0]["extensions"]["code"] if r["errors"] else None for r in reports] == [
        None,
        "file_not_found",
    ]


def test_output_writes_the_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.json"
    assert main(["--output", str(out), str(SAMPLES / "sessions.csv")]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["extensions"]["preflight"]["valid"] == 8


def test_output_never_overwrites_an_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sessions.csv"
    path.write_bytes((SAMPLES / "sessions.csv").read_bytes())
    before = path.read_bytes()
    assert main(["--output", str(path), str(path)]) == 2
    assert path.read_bytes() == before
    assert "never overwritten" in capsys.readouterr().err


def test_max_rows_and_strict_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--max-rows", "2", str(SAMPLES / "sessions.csv")]) == 2
    assert "too_many_rows" in capsys.readouterr().err
    assert main(["--max-rows", "-1", str(SAMPLES / "sessions.csv")]) == 2


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert "webinar-validate" in capsys.readouterr().out
    assert main(["--help"]) == 0
    assert "Exit status" in capsys.readouterr().out
    assert main([]) == 2


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1"])
def test_json_is_the_same_text_whatever_the_stream(
    encoding: str,
) -> None:
    # UTF-8 text over bytes (stdout, --output) takes the report's UTF-8 pieces as they are;
    # any other stream gets them as text, through its own encoding.
    import io
    import sys

    source = str(SAMPLES / "sessions_with_errors.csv")
    plain = io.StringIO()  # no bytes under it
    wrapped = io.TextIOWrapper(io.BytesIO(), encoding=encoding)
    texts = []
    for stream in (plain, wrapped):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sys, "stdout", stream)
            assert main([source, "--format", "json"]) == 1
        stream.flush()
        if stream is wrapped:
            texts.append(wrapped.buffer.getvalue().decode(encoding))  # type: ignore[attr-defined]
        else:
            texts.append(plain.getvalue())
    reports = [json.loads(text) for text in texts]
    for report in reports:  # a fresh id and time per run
        del report["data"]["APIBulkWebinarImport"]["backgroundJob"]
    assert reports[0] == reports[1]
    expected = validate_file(source)
    assert reports[0]["extensions"]["preflight"]["invalid"] == expected.preflight.invalid
