"""The report's rows are data: column-wise containers that read as lists of row objects.

Valid rows keep their normalised values as Arrow columns and invalid rows an error table; both
make row objects only when asked for, and every way of reading them gives the same rows. The
report holds nothing of the run once ``validate_*`` returns.
"""

from __future__ import annotations

import copy
import gc
import json
import pickle
import types
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest

from webinar_validate import Rule, SessionContract, validate_file, validate_frame
from webinar_validate.report.model import DryRunReport, InvalidRow, ValidRow
from webinar_validate.report.rows import InvalidRows, ValidRows

SAMPLES = Path(__file__).parent.parent / "sample_assets"
FILES = ["sessions.csv", "sessions.xlsx", "sessions_with_errors.csv", "sessions_with_errors.xlsx"]


def fresh(name: str) -> DryRunReport:
    return validate_file(SAMPLES / name)


def listed(report: DryRunReport) -> DryRunReport:
    """The same report with its rows as plain lists of row objects."""
    copied = report.model_copy(deep=False)
    result = copied.result.model_copy()
    result.validRows = list(report.valid_rows)
    result.invalidRows = list(report.invalid_rows)
    copied.data = copied.data.model_copy(update={"APIBulkWebinarImport": result})
    return copied


@pytest.mark.parametrize("name", FILES)
def test_json_from_columns_equals_json_from_row_objects(name: str) -> None:
    report = fresh(name)
    assert isinstance(report.valid_rows, ValidRows)
    assert isinstance(report.invalid_rows, InvalidRows)
    streamed = json.loads(report.to_json())
    from_objects = json.loads(listed(report).to_json())
    assert streamed == from_objects
    assert streamed == json.loads(report.model_dump_json())
    assert json.loads(report.to_json(indent=None)) == streamed
    assert b"".join(report.iter_json_bytes()).decode() == report.to_json()


@pytest.mark.parametrize("name", FILES)
def test_the_rows_read_like_a_list_of_valid_rows(name: str) -> None:
    report = fresh(name)
    rows = report.valid_rows
    assert isinstance(rows, Sequence)
    assert not isinstance(rows, list)
    count = len(rows)
    assert count == report.preflight.valid
    items = list(rows)
    assert len(items) == count
    assert all(isinstance(row, ValidRow) for row in items)
    assert rows == items
    assert items == rows
    assert rows != items[:-1]
    assert rows[0] == items[0]
    assert rows[-1] == items[-1]
    assert rows[-1:] == items[-1:]
    assert rows[::2] == items[::2]
    assert list(reversed(rows)) == items[::-1]
    assert items[-1] in rows
    assert rows.index(items[-1]) == count - 1
    with pytest.raises(IndexError):
        rows[count]
    assert [row.rowNumber for row in rows] == sorted(row.rowNumber for row in items)
    assert report.to_dict()["data"]["APIBulkWebinarImport"]["validRows"] == [
        row.model_dump(mode="json") for row in items
    ]


def test_model_dump_makes_the_row_objects() -> None:
    report = fresh("sessions_with_errors.csv")
    dumped = report.model_dump(mode="json")["data"]["APIBulkWebinarImport"]
    assert len(dumped["validRows"]) == report.preflight.valid > 0
    assert len(dumped["invalidRows"]) == report.preflight.invalid > 0
    python = report.model_dump()["data"]["APIBulkWebinarImport"]
    assert python["invalidRows"] == [row.model_dump() for row in report.invalid_rows]
    assert json.loads(report.model_dump_json())["data"]["APIBulkWebinarImport"]["validRows"]


def test_copies_and_pickles_hold_the_rows() -> None:
    report = fresh("sessions_with_errors.csv")
    for again in (copy.deepcopy(report), pickle.loads(pickle.dumps(report))):
        assert again.valid_rows == report.valid_rows
        assert again.invalid_rows == report.invalid_rows
        assert again.to_json() == report.to_json()
        pd.testing.assert_frame_equal(again.valid_frame(), report.valid_frame())
    parsed = DryRunReport.model_validate(report.to_dict())
    assert parsed.data == report.data  # plain lists compare equal to the containers
    assert DryRunReport.model_validate_json(report.to_json()).data == report.data


@pytest.mark.parametrize("name", FILES)
def test_frames_from_columns_equal_frames_from_row_objects(name: str) -> None:
    report = fresh(name)
    plain = listed(report)
    pd.testing.assert_frame_equal(report.valid_frame(), plain.valid_frame())
    pd.testing.assert_frame_equal(report.invalid_frame(), plain.invalid_frame())


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


def _dumped(rows: Sequence[InvalidRow]) -> list[dict[str, object]]:
    return [row.model_dump(mode="json") for row in rows]


@pytest.mark.parametrize("path", ERROR_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_invalid_rows_made_in_any_block_size_equal_the_rows_made_at_once(path: Path) -> None:
    whole = validate_file(path)
    rows = whole.invalid_rows
    assert isinstance(rows, InvalidRows)
    expected = _dumped(list(rows))
    assert len(expected) == whole.preflight.invalid
    for size in (1, 2, 3):
        made = [row for block in rows.blocks(size) for row in block]
        assert _dumped(made) == expected
        lines = [json.loads(line) for block in rows.json_lines(size) for line in block]
        assert lines == expected
    assert [(n, [tuple(e) for e in errors]) for n, errors in rows.errors()] == [
        (r.rowNumber, [(e.column, e.cell, e.code, e.message, e.value, e.line) for e in r.errors])
        for r in rows
    ]


def test_invalid_rows_read_like_a_list() -> None:
    report = fresh("sessions_with_errors.csv")
    rows = report.invalid_rows
    assert isinstance(rows, InvalidRows)
    assert len(rows) == report.preflight.invalid > 0
    assert report.exit_status == 1
    assert not report.ok
    streamed = json.loads(report.to_json())["data"]["APIBulkWebinarImport"]["invalidRows"]
    assert streamed == _dumped(rows)
    assert rows[0].errors
    assert rows[0].rowNumber == streamed[0]["rowNumber"]
    assert rows[1:3] == list(rows)[1:3]
    assert rows == list(rows)
    assert report.flatten() == [
        (row.rowNumber, e.column, str(e.code)) for row in rows for e in row.errors
    ]


def test_text_output_streams_invalid_rows(capsys: pytest.CaptureFixture[str]) -> None:
    from webinar_validate.cli.main import main

    source = SAMPLES / "sessions_with_errors.csv"
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


def test_threads_sharing_a_report_see_the_same_rows() -> None:
    # The rows are data: threads read them at once, with no lock, and each sees every row.
    from concurrent.futures import ThreadPoolExecutor

    report = fresh("sessions_with_errors.csv")
    valid = [row.model_dump() for row in report.valid_rows]
    invalid = [row.model_dump() for row in report.invalid_rows]
    text = report.to_json()

    def use(n: int) -> tuple[list[object], list[object]]:
        if n % 3 == 0:
            assert report.to_json() == text
        return (
            [row.model_dump() for row in list(report.valid_rows)],
            [row.model_dump() for row in list(report.invalid_rows)],
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        seen = list(pool.map(use, range(16)))
    assert all(rows == (valid, invalid) for rows in seen)


# --- nothing of the run is kept ------------------------------------------------------------------


def _reachable(root: object) -> list[object]:
    """Every object the report reaches, not looking into code (modules, functions, classes):
    a user's rule may hold a function, whose module holds anything."""
    seen: dict[int, object] = {}
    todo = [root]
    skip = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type)
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, skip):
            continue
        seen[id(obj)] = obj
        todo.extend(gc.get_referents(obj))
    return list(seen.values())


@pytest.mark.parametrize("name", FILES)
def test_the_report_holds_nothing_of_the_run(name: str) -> None:
    from webinar_validate.contract.cache import Context

    report = fresh(name)
    kept = _reachable(report)
    assert not [o for o in kept if isinstance(o, Context | pd.DataFrame | pd.Series | pd.Index)]


def test_a_frame_is_not_kept_by_its_report() -> None:
    frame = pd.read_csv(SAMPLES / "sessions_with_errors.csv", dtype=str, keep_default_na=False)
    gone = weakref.ref(frame)
    report = validate_frame(frame)
    del frame
    gc.collect()
    assert gone() is None
    assert report.preflight.invalid > 0
    assert len(report.to_json()) > 0


def _fails_every_title(ctx: Any, column: str) -> pd.Series:
    return ~ctx.blank(column)


def _broken_message(ctx: Any, column: str, index: Any, value: str) -> str:
    raise RuntimeError("this message cannot be made")


class _Broken(SessionContract):
    add_rules: ClassVar = {"title": (Rule("broken_title", _fails_every_title, _broken_message),)}


def test_a_user_rule_whose_message_raises_raises_inside_validate() -> None:
    frame = pd.read_csv(SAMPLES / "sessions.csv", dtype=str, keep_default_na=False)
    with pytest.raises(RuntimeError, match="cannot be made"):
        validate_frame(frame, contract=_Broken())


class _BrokenSaidLater(SessionContract):
    add_rules: ClassVar = {
        "title": (
            Rule(
                "broken_title",
                _fails_every_title,
                _broken_message,
                by_value=True,
                said_when_read=True,
            ),
        )
    }


def test_a_user_rule_is_said_in_the_run_even_when_it_asks_to_be_said_later() -> None:
    frame = pd.read_csv(SAMPLES / "sessions.csv", dtype=str, keep_default_na=False)
    with pytest.raises(RuntimeError, match="cannot be made"):
        validate_frame(frame, contract=_BrokenSaidLater())


def _uuid_rows(count: int, distinct: int) -> pd.DataFrame:
    frame = pd.read_csv(SAMPLES / "sessions.csv", dtype=str, keep_default_na=False)
    rows = frame.iloc[[0] * count].reset_index(drop=True)
    rows["courseGroupId"] = [f"not-a-uuid-{i % distinct}" for i in range(count)]
    rows["slug"] = [f"session-{i}" for i in range(count)]
    rows["sku"] = [f"SKU-{i}" for i in range(count)]
    rows["startDate"] = [f"2026-09-{1 + i % 28:02d}T{i % 24:02d}:00:00Z" for i in range(count)]
    rows["endDate"] = [f"2026-09-{1 + i % 28:02d}T{i % 24:02d}:30:00Z" for i in range(count)]
    rows["sessionId"] = ""
    return rows


def test_a_cells_own_message_is_held_as_no_text_and_said_once_per_distinct_cell() -> None:
    report = validate_frame(_uuid_rows(3000, 7))
    table = report.invalid_rows.error_table
    assert report.preflight.invalid == 3000
    # Nothing of the 3,000 messages is made in the run: the table names who says them.
    assert table.message.null_count == 3000
    said = [
        error.message
        for _, errors in report.invalid_rows.errors()
        for error in errors
        if error.code == "invalid_uuid"
    ]
    assert len(said) == 3000
    assert len(set(said)) == 7
    assert said[8] == (
        "courseGroupId 'not-a-uuid-1' is not a UUID; copy the 36-character ID "
        "(like 3f0c9a4e-1b2c-4d5e-8f90-123456789abc) from the platform."
    )
    # The same text every way it is read.
    first = report.invalid_rows[1].errors[0].message
    again = [e for _, errs in report.invalid_rows.errors() for e in errs][8].message
    assert first == again == said[8]
    assert (
        json.loads(report.to_json())["data"]["APIBulkWebinarImport"]["invalidRows"][8]["errors"][0][
            "message"
        ]
        == said[8]
    )


def test_more_rule_and_column_pairs_than_16_bits_keep_their_own_message() -> None:
    # A wide file may fail three rules in each of 16,384 columns: 49,152 message functions.
    import numpy as np

    from webinar_validate.engine.failures import _Messages

    made = _Messages(40_000)
    for k in range(40_000):
        made.later(np.array([k]), (k % 3, k), lambda value, k=k: f"{k}: {value}")
    said = made.sayers[made.groups[39_999]]("x")
    assert said == "39999: x"
