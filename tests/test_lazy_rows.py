"""Valid rows stay column-wise until used: every way of reading them gives the same rows."""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path

import pandas as pd
import pytest

from webinar_validate import validate_file
from webinar_validate.report.model import DryRunReport, InvalidRow, ValidRow
from webinar_validate.report.rows import InvalidRows, ValidRows

SAMPLES = Path(__file__).parent.parent / "sample_assets"
FILES = ["sessions.csv", "sessions.xlsx", "sessions_with_errors.csv", "sessions_with_errors.xlsx"]


def fresh(name: str) -> DryRunReport:
    return validate_file(SAMPLES / name)


@pytest.mark.parametrize("name", FILES)
def test_json_from_columns_equals_json_from_row_objects(name: str) -> None:
    lazy = fresh(name)
    assert isinstance(lazy.valid_rows, ValidRows)
    assert lazy.valid_rows.pending
    streamed = json.loads(lazy.to_json())
    assert lazy.valid_rows.pending  # writing JSON did not build the rows
    built = fresh(name)
    built.valid_rows.build()
    assert not built.valid_rows.pending
    from_objects = json.loads(built.to_json())
    for report in (streamed, from_objects):
        del report["data"]["APIBulkWebinarImport"]["backgroundJob"]
    assert streamed == from_objects
    assert json.loads(lazy.to_json(indent=None)) == json.loads(lazy.to_json())


@pytest.mark.parametrize("name", FILES)
def test_the_rows_read_like_a_list_of_valid_rows(name: str) -> None:
    report = fresh(name)
    rows = report.valid_rows
    count = len(rows)
    assert count == report.preflight.valid
    assert rows.pending  # counting builds nothing
    listed = list(rows)
    assert len(listed) == count
    assert all(isinstance(row, ValidRow) for row in listed)
    assert rows == listed
    assert rows[0] == listed[0]
    assert rows[-1:] == listed[-1:]
    assert [row.rowNumber for row in rows] == sorted(row.rowNumber for row in listed)
    assert report.to_dict()["data"]["APIBulkWebinarImport"]["validRows"] == [
        row.model_dump(mode="json") for row in listed
    ]


def test_model_dump_builds_the_rows_first() -> None:
    report = fresh("sessions.csv")
    dumped = report.model_dump(mode="json")["data"]["APIBulkWebinarImport"]["validRows"]
    assert len(dumped) == report.preflight.valid > 0
    again = fresh("sessions.csv")
    assert json.loads(again.model_dump_json())["data"]["APIBulkWebinarImport"]["validRows"]


def test_copies_and_pickles_hold_the_rows() -> None:
    report = fresh("sessions.csv")
    count = report.preflight.valid
    assert len(copy.deepcopy(report).valid_rows) == count
    assert len(pickle.loads(pickle.dumps(report)).valid_rows) == count
    again = DryRunReport.model_validate(report.to_dict())
    assert again.data == report.data  # compares the lazy rows with plain ones


@pytest.mark.parametrize("name", FILES)
def test_valid_frame_from_columns_equals_valid_frame_from_rows(name: str) -> None:
    lazy = fresh(name)
    from_columns = lazy.valid_frame()
    assert lazy.valid_rows.pending
    built = fresh(name)
    built.valid_rows.build()
    pd.testing.assert_frame_equal(from_columns, built.valid_frame())


# --- invalid rows: made a block at a time ------------------------------------------------------

CASES = Path(__file__).parent / "cases"
ERROR_FILES = [
    SAMPLES / "sessions_with_errors.csv",
    SAMPLES / "sessions_with_errors.xlsx",
    *sorted(  # the acceptance cases with invalid rows and no options
        path
        for path in CASES.glob("*/input.*")
        if path.suffix in {".csv", ".xlsx"}
        and (expected := json.loads((path.parent / "expected.json").read_text()))["exit"] == 1
        and not expected["args"]
    ),
]


def _dumped(rows: list[InvalidRow]) -> list[dict[str, object]]:
    return [row.model_dump(mode="json") for row in rows]


@pytest.mark.parametrize("path", ERROR_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_invalid_rows_made_in_any_block_size_equal_the_rows_made_at_once(path: Path) -> None:
    # Each block looks up only its own rows' cells: messages that name other rows (duplicates)
    # or other cells (time zones, windows) must come out the same whatever the blocks.
    whole = validate_file(path)
    assert isinstance(whole.invalid_rows, InvalidRows)
    expected = _dumped(list(whole.invalid_rows))
    assert len(expected) == whole.preflight.invalid
    for size in (1, 2, 3):
        report = validate_file(path)
        rows = report.invalid_rows
        assert isinstance(rows, InvalidRows)
        made = [row for block in rows.blocks(size) for row in block]
        assert rows.pending  # writing blocks keeps none of them
        assert _dumped(made) == expected


def test_invalid_rows_are_counted_without_being_made() -> None:
    report = fresh("sessions_with_errors.csv")
    rows = report.invalid_rows
    assert isinstance(rows, InvalidRows)
    assert len(rows) == report.preflight.invalid > 0
    assert report.exit_status == 1
    assert not report.ok
    assert rows.pending
    streamed = json.loads(report.to_json())["data"]["APIBulkWebinarImport"]["invalidRows"]
    assert rows.pending  # the JSON writer made them a block at a time
    assert streamed == _dumped(list(rows))
    assert not rows.pending
    assert rows[0].errors
    assert rows[0].rowNumber == streamed[0]["rowNumber"]


def test_text_output_streams_invalid_rows_without_keeping_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from webinar_validate.cli.main import main
    from webinar_validate.engine import run as validation

    made: list[InvalidRows] = []
    original = validation.validate_file

    def spy(*args: object, **kwargs: object) -> DryRunReport:
        report = original(*args, **kwargs)  # type: ignore[arg-type]
        made.append(report.invalid_rows)  # type: ignore[arg-type]
        return report

    source = SAMPLES / "sessions_with_errors.csv"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(validation, "validate_file", spy)
        status = main([str(source), "--format", "text"])
    lines = capsys.readouterr().out.splitlines()
    assert status == 1
    report = validate_file(source)
    expected = [
        f"{report.preflight.source}:{e.cell} {e.code} {e.message}"
        for row in report.invalid_rows
        for e in row.errors
    ]
    assert lines[: len(expected)] == expected
    assert len(made) == 1
    assert made[0].pending  # the lines were written, the rows never kept


def test_threads_sharing_a_report_build_its_rows_once() -> None:
    # A pipeline may hand one report to several threads: each sees every row exactly once.
    from concurrent.futures import ThreadPoolExecutor

    expected = fresh("sessions_with_errors.csv")
    valid = [row.model_dump() for row in expected.valid_rows]
    invalid = [row.model_dump() for row in expected.invalid_rows]
    for _ in range(5):
        report = fresh("sessions_with_errors.csv")

        def use(n: int, report: DryRunReport = report) -> tuple[list[object], list[object]]:
            if n % 3 == 0:
                json.loads(report.to_json())  # writing while others build
            return (
                [row.model_dump() for row in list(report.valid_rows)],
                [row.model_dump() for row in list(report.invalid_rows)],
            )

        with ThreadPoolExecutor(max_workers=8) as pool:
            seen = list(pool.map(use, range(16)))
        assert all(rows == (valid, invalid) for rows in seen)
        assert len(report.valid_rows) == len(valid)
        assert len(report.invalid_rows) == len(invalid)
