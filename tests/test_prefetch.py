"""Big files compute their columns' checks on two threads: the report is the same as on one."""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest

from webinar_validate import SessionContract, validate_frame
from webinar_validate.codes import Code
from webinar_validate.contract import cache as context_module
from webinar_validate.contract.cache import Context
from webinar_validate.contract.columns import Rule

SAMPLES = Path(__file__).parent.parent / "sample_assets"


def big_frame() -> pd.DataFrame:
    """The error sample's rows, repeated past the threshold, with a few cells changed per copy
    so that duplicates, time zones and dates vary."""
    rows = pd.read_csv(SAMPLES / "sessions_with_errors.csv", dtype=str, keep_default_na=False)
    copies = context_module.THREADED_ROWS // len(rows) + 2
    frame = pd.concat([rows] * copies, ignore_index=True)
    n = pd.Series(range(len(frame)), dtype="int64").astype(str)
    frame["slug"] = frame["slug"].where(frame.index % 7 == 0, frame["slug"] + "-" + n)
    frame["title"] = frame["title"] + " " + (frame.index % 11).astype(str)
    return frame


def test_two_threads_give_the_same_report_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = big_frame()
    threads: set[str] = set()
    failing = Context.failing

    def spy(self: Context, column: str, rule: Rule) -> pd.Series:
        threads.add(threading.current_thread().name)
        return failing(self, column, rule)

    monkeypatch.setattr(Context, "failing", spy)
    parallel = validate_frame(frame)
    assert len(threads) > 1  # the pool did run checks
    monkeypatch.setattr(context_module, "THREADED_ROWS", len(frame) + 1)
    threads.clear()
    single = validate_frame(frame)
    assert len(threads) == 1
    assert parallel.preflight.invalid > 0
    assert parallel.preflight.valid > 0
    assert parallel.flatten() == single.flatten()
    assert [row.errors for row in parallel.invalid_rows] == [
        row.errors for row in single.invalid_rows
    ]
    pd.testing.assert_frame_equal(parallel.valid_frame(), single.valid_frame())


def test_a_column_with_a_users_rule_is_checked_on_the_main_thread() -> None:
    seen: list[str] = []

    def no_acme(ctx: Context, column: str) -> pd.Series:
        seen.append(threading.current_thread().name)
        return ctx.text(column).str.contains("ACME")

    def message(ctx: Context, column: str, index: object, value: str) -> str:
        return f"{column} names ACME; write the client's name instead."

    contract = SessionContract(
        extra_rules={"title": (Rule("no_acme", no_acme, message),)},
    )
    frame = big_frame()
    frame.loc[5, "title"] = "ACME launch"
    report = validate_frame(frame, contract=contract)
    assert seen == [threading.main_thread().name]
    assert (7, "title", "no_acme") in report.flatten()
    assert Code.DUPLICATE_VALUE in {code for _, _, code in report.flatten()}


def test_many_unknown_columns_are_judged_together_as_they_would_be_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A file of hundreds of unknown columns runs their rules in one pass, and pandera is
    given only the failing columns (a contract column among them); same report."""
    from webinar_validate.engine import run as validation

    frame = pd.read_csv(SAMPLES / "sessions.csv", dtype=str, keep_default_na=False).head(4)
    frame.loc[2, "timeZone"] = "Mars/Olympus"
    extra = {f"note {i}": ["plain"] * len(frame) for i in range(300)}
    extra["note 70"] = ["ok", " =1+1", "\u200b@x", "ok"]
    extra["note 299"] = ["#N/A", "ok", "ok", "bell\x07"]
    wide = pd.concat([frame, pd.DataFrame(extra)], axis=1)
    together = validate_frame(wide).flatten()
    monkeypatch.setattr(validation, "_MANY_COLUMNS", 10**9)
    one_by_one = validate_frame(wide).flatten()
    assert together == one_by_one
    assert sorted(together) == [
        (2, "note 299", "formula_error"),
        (3, "note 70", "formula_injection"),
        (4, "note 70", "formula_injection"),
        (4, "timeZone", "invalid_time_zone"),
        (5, "note 299", "invalid_character"),
    ]


def test_a_wide_file_still_trims_the_columns_that_need_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """With hundreds of columns the trim test runs once over every cell; the values sent are
    trimmed as they are with a few columns."""
    from webinar_validate.engine import run as validation

    frame = pd.read_csv(SAMPLES / "sessions.csv", dtype=str, keep_default_na=False).head(3)
    frame["title"] = ["\u00a0Intro\u3000", "Plain", " Spaced "]
    extra = pd.DataFrame({f"note {i}": ["x"] * len(frame) for i in range(200)})
    wide = pd.concat([frame, extra], axis=1)
    together = [row.values["title"] for row in validate_frame(wide).valid_rows]
    monkeypatch.setattr(validation, "_MANY_COLUMNS", 10**9)
    one_by_one = [row.values["title"] for row in validate_frame(wide).valid_rows]
    assert together == one_by_one == ["Intro", "Plain", "Spaced"]
