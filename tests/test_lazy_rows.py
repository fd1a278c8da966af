"""Valid rows stay column-wise until used: every way of reading them gives the same rows."""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path

import pandas as pd
import pytest

from webinar_validate import validate_file
from webinar_validate._lazy_rows import ValidRows
from webinar_validate.report import DryRunReport, ValidRow

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
