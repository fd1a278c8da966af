"""Acceptance: every case folder under tests/cases/, run through the CLI, against CONTRACT.md.

A case folder holds one input file (``input.csv``, ``input.xlsx``, ``input.xls``, ...) and
``expected.json``; folders may nest (``hostile/<name>/``) and the test id is the folder's path
relative to tests/cases. Folders without expected.json are skipped. Most cases are written by
``tests/make_cases.py``; see its docstring for the conventions of expected.json (``"*"`` as the
column of ``extra_cells``, no warnings when a file cannot be judged).
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from pathlib import Path
from typing import Any

import pytest

CASES_DIR = Path(__file__).resolve().parent / "cases"
CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "CONTRACT.md"

# The codes of CONTRACT.md's two error tables and its warnings line, copied from it (CI may not
# have the contract beside the clone; test_code_lists_match_the_contract checks the copy when
# it does).
FILE_LEVEL_CODES = (
    "file_not_found",
    "unsupported_format",
    "unreadable_file",
    "empty_file",
    "missing_column",
    "duplicate_column",
    "too_many_rows",
    "unknown_column",
)
ROW_LEVEL_CODES = (
    "required",
    "invalid_uuid",
    "too_long",
    "invalid_slug",
    "invalid_datetime",
    "missing_utc_offset",
    "end_not_after_start",
    "session_too_long",
    "invalid_time_zone",
    "invalid_choice",
    "invalid_url",
    "invalid_email",
    "invalid_integer",
    "out_of_range",
    "invalid_boolean",
    "waitlist_without_limit",
    "enrollment_window",
    "invalid_language",
    "duplicate_value",
    "duplicate_session",
    "formula_injection",
    "formula_error",
    "formula_without_value",
    "invalid_character",
    "extra_cells",
)
# CONTRACT.md: "A header cell like that fails the file (exit 2, code formula_injection)": the one
# row-level code that is also a file-level code.
FILE_LEVEL_ALSO = ("formula_injection",)
WARNING_CODES = ("header_normalized", "unknown_column", "blank_row")
# CONTRACT.md "v2 additions": warnings for likely mistakes, each naming its cell.
V2_WARNING_CODES = ("offset_mismatch", "starts_in_the_past", "price_looks_like_units")
# Warnings of our own, outside the contract (as the exit-2 code ``usage`` is).
OUR_WARNING_CODES = ("nothing_to_import",)
# Codes a case folder cannot show, and the test here that covers each instead.
COVERED_ELSEWHERE = {"file_not_found": "test_missing_path_is_file_not_found"}

EXPECTED_KEYS = ("args", "exit", "file_errors", "rows", "warnings", "valid", "invalid", "blank")
WORDS_KEY = "words"
"""Optional, after the others: what the messages must say. A list of entries
``{"code": CODE, "row": N, "column": C, "has": [words]}`` (``row`` and ``column`` optional): some
message of a row error, file error or warning with that code (at that row and column) holds
every word of ``has`` (the cell, the cause, the fix)."""
ANY_COLUMN = "*"  # extra_cells: the contract names no column for a cell beyond the header
JOB_KEYS = {"id", "type", "description", "errorMessage", "createdAt", "repeatable", "status"}


def _case_dirs() -> list[Path]:
    return sorted(p.parent for p in CASES_DIR.rglob("expected.json"))


def _case_id(folder: Path) -> str:
    return folder.relative_to(CASES_DIR).as_posix()


def _input_of(folder: Path) -> Path:
    inputs = sorted(p for p in folder.iterdir() if p.is_file() and p.name.startswith("input."))
    assert len(inputs) == 1, f"{_case_id(folder)}: want one input.* file, found {inputs}"
    return inputs[0]


def _load_expected(folder: Path) -> dict[str, Any]:
    expected: dict[str, Any] = json.loads((folder / "expected.json").read_text())
    return expected


CASE_DIRS = _case_dirs()
CASE_PARAMS = [pytest.param(folder, id=_case_id(folder)) for folder in CASE_DIRS]


# --------------------------------------------------------------------------- reading the input
# Just enough to know each column's letter and each CSV record's first line, independently of
# the package under test.


def _norm(header: str) -> str:
    """CONTRACT.md's header matching: lower-case, without spaces, ``_`` and ``-``."""
    return re.sub(r"[\s_-]", "", header).lower()


def _decode_csv(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _csv_layout(path: Path) -> tuple[list[str], list[int]]:
    """The header cells and, per record (header first), the physical line it starts on."""
    text = _decode_csv(path.read_bytes())
    first_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    starts, records, previous_end = [], [], 0
    for record in reader:
        records.append(record)
        starts.append(previous_end + 1)
        previous_end = reader.line_num
    return (records[0] if records else []), starts


def _sheet_name(args: list[str], path: Path) -> str:
    if "--sheet" in args:
        return args[args.index("--sheet") + 1]
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return next(ws.title for ws in wb.worksheets if ws.sheet_state == "visible")
    finally:
        wb.close()


def _xlsx_header(path: Path, sheet: str) -> list[str]:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path, read_only=True)
    try:
        first = next(wb[sheet].iter_rows(max_row=1, values_only=True), ())
    finally:
        wb.close()
    return ["" if value is None else str(value) for value in first]


def _column_letters(index: int) -> str:
    letters, n = "", index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _letters_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _sheet_prefix(sheet: str) -> str:
    """``Sessions!``; quoted when the name is not a plain identifier: ``'Spring 2026'!``."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", sheet):
        return sheet + "!"
    return "'" + sheet.replace("'", "''") + "'!"


def _layout(path: Path, args: list[str]) -> tuple[str | None, list[str], list[int] | None] | None:
    """(sheet, header cells, CSV record start lines) of the input; None if unreadable here."""
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            sheet = _sheet_name(args, path)
            return sheet, _xlsx_header(path, sheet), None
        header, starts = _csv_layout(path)
    except Exception:  # hostile inputs may defeat this small reader; the CLI must still cope
        return None
    return None, header, starts


# --------------------------------------------------------------------------- the report


def _run(args: list[str], path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    from webinar_validate.cli.main import main

    status = main(["--format", "json", *args, str(path)])
    out = capsys.readouterr().out
    try:
        report = json.loads(out)
    except json.JSONDecodeError:
        pytest.fail(f"--format json did not print JSON:\n{out[:2000]}")
    return status, report


def _check_envelope(report: Any, status: int) -> None:
    """The shape CONTRACT.md's "The report" shows, and its failed/complete job."""
    assert isinstance(report, dict)
    assert set(report) == {"data", "errors", "extensions"}
    assert set(report["data"]) == {"APIBulkWebinarImport"}
    api = report["data"]["APIBulkWebinarImport"]
    assert {"dryRun", "validRows", "invalidRows", "backgroundJob"} <= set(api)
    assert api["dryRun"] is True
    job = api["backgroundJob"]
    assert set(job) >= JOB_KEYS
    assert job["type"] == "webinarSessionPreflight"
    assert job["repeatable"] is False
    preflight = report["extensions"]["preflight"]
    assert {"source", "sheet", "rowsRead", "valid", "invalid", "blank", "warnings"} <= set(
        preflight
    )
    for warning in preflight["warnings"]:
        assert isinstance(warning["message"], str)
        assert warning["message"]
    if status == 2:
        assert job["status"] == "failed"
        assert isinstance(job["errorMessage"], str)
        assert job["errorMessage"]
        assert api["validRows"] == []
        assert api["invalidRows"] == []
        assert report["errors"]
        for error in report["errors"]:
            assert isinstance(error["message"], str)
            assert error["message"]
            assert isinstance(error["extensions"]["code"], str)
    else:
        assert job["status"] == "complete"
        assert job["errorMessage"] is None
        assert report["errors"] == []


def _outcome(report: Any, status: int, args: list[str]) -> dict[str, Any]:
    """The report in expected.json's terms."""
    api = report["data"]["APIBulkWebinarImport"]
    preflight = report["extensions"]["preflight"]
    rows = sorted(
        [row["rowNumber"], ANY_COLUMN if e["code"] == "extra_cells" else e["column"], e["code"]]
        for row in api["invalidRows"]
        for e in row["errors"]
    )
    return {
        "args": args,
        "exit": status,
        "file_errors": sorted(e["extensions"]["code"] for e in report["errors"]),
        "rows": rows,
        "warnings": sorted({w["code"] for w in preflight["warnings"]}),
        "valid": preflight["valid"],
        "invalid": preflight["invalid"],
        "blank": preflight["blank"],
    }


def _check_rows(report: Any, path: Path, args: list[str]) -> None:
    """Counts add up, and every error names its cell (and, for a CSV, its first line)."""
    api = report["data"]["APIBulkWebinarImport"]
    preflight = report["extensions"]["preflight"]
    valid, invalid = api["validRows"], api["invalidRows"]
    assert preflight["rowsRead"] == preflight["valid"] + preflight["invalid"] + preflight["blank"]
    assert len(valid) == preflight["valid"]
    assert len(invalid) == preflight["invalid"]
    numbers = [row["rowNumber"] for row in (*valid, *invalid)]
    assert len(numbers) == len(set(numbers)), "a row is in validRows and invalidRows, or twice"
    for row in valid:
        assert isinstance(row["values"], dict)

    layout = _layout(path, args)
    prefix, header, starts = "", [], None
    positions: dict[str, list[int]] | None = None
    prefix_re, width = r"(?:[^!]+!)?", 0  # when the harness cannot read the input itself
    if layout is not None:
        sheet, header, starts = layout
        prefix = "" if sheet is None else _sheet_prefix(sheet)
        prefix_re = re.escape(prefix)
        if sheet is not None:
            assert preflight["sheet"] == sheet
        width = len(header)
        while width and not header[width - 1].strip():
            width -= 1
        positions = {}
        for index, name in enumerate(header[:width]):
            positions.setdefault(_norm(name), []).append(index)

    for row in invalid:
        number = row["rowNumber"]
        assert row["errors"], f"row {number} is invalid without an error"
        assert isinstance(row["values"], dict)
        for error in row["errors"]:
            where = f"row {number} {error['code']}"
            assert isinstance(error["message"], str)
            assert error["message"], where
            cell = error["cell"]
            match = re.fullmatch(prefix_re + r"([A-Z]+)" + str(number), cell)
            assert match, f"{where}: cell {cell!r}"
            if positions is None:
                continue
            if error["code"] == "extra_cells":
                assert _letters_index(match.group(1)) >= width, f"{where}: {cell} is in the header"
            else:
                found = positions.get(_norm(error["column"]), [])
                assert len(found) == 1, f"{where}: column {error['column']!r} not in {header}"
                assert cell == f"{prefix}{_column_letters(found[0])}{number}", where
            if starts is not None:
                assert error["line"] == starts[number - 1], f"{where}: line"


# --------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("folder", CASE_PARAMS)
def test_case(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI reports what expected.json says, in the contract's envelope."""
    expected = _load_expected(folder)
    path = _input_of(folder)
    args = list(expected["args"])
    status, report = _run(args, path, capsys)
    _check_envelope(report, status)
    assert _outcome(report, status, args) == {key: expected[key] for key in EXPECTED_KEYS}
    if status != 2:
        _check_rows(report, path, args)
    _check_words(report, expected.get(WORDS_KEY, []))


def _messages(report: Any) -> list[tuple[str, int | None, str | None, str]]:
    """(code, row, column, message) of every row error, file error and warning."""
    api = report["data"]["APIBulkWebinarImport"]
    found: list[tuple[str, int | None, str | None, str]] = [
        (e["code"], row["rowNumber"], e["column"], e["message"])
        for row in api["invalidRows"]
        for e in row["errors"]
    ]
    found += [(e["extensions"]["code"], None, None, e["message"]) for e in report["errors"]]
    found += [
        (w["code"], None, None, w["message"]) for w in report["extensions"]["preflight"]["warnings"]
    ]
    return found


def _check_words(report: Any, wanted: list[dict[str, Any]]) -> None:
    """Each entry of expected.json's ``words``: some message with its code says every word."""
    found = _messages(report)
    for entry in wanted:
        candidates = [
            message
            for code, row, column, message in found
            if code == entry["code"]
            and entry.get("row") in (None, row)
            and entry.get("column") in (None, column)
        ]
        assert candidates, f"no {entry['code']} message at {entry}"
        assert any(all(word in message for word in entry["has"]) for message in candidates), (
            f"{entry['code']}: no message says all of {entry['has']}: {candidates}"
        )


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_missing_path_is_file_not_found(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A path that does not exist, or is not a file, cannot be judged: file_not_found."""
    path = tmp_path / "nowhere.csv"
    if kind == "directory":
        path.mkdir()
    status, report = _run([], path, capsys)
    _check_envelope(report, status)
    assert status == 2
    assert [e["extensions"]["code"] for e in report["errors"]] == ["file_not_found"]


def test_every_contract_code_has_a_case() -> None:
    """A code in CONTRACT.md without an acceptance case (or a named test) fails here."""
    shown: set[str] = set()
    for folder in CASE_DIRS:
        expected = _load_expected(folder)
        shown.update(expected["file_errors"])
        shown.update(code for _, _, code in expected["rows"])
        shown.update(expected["warnings"])
    every = {
        *FILE_LEVEL_CODES,
        *ROW_LEVEL_CODES,
        *WARNING_CODES,
        *V2_WARNING_CODES,
        *OUR_WARNING_CODES,
    }
    missing = sorted(every - shown - set(COVERED_ELSEWHERE))
    assert not missing, f"codes with no case in tests/cases: {missing}"


def test_expected_files_are_well_formed() -> None:
    """Each case has one input and an expected.json that is consistent with itself."""
    assert CASE_DIRS, "no acceptance cases found"
    problems = []
    for folder in CASE_DIRS:
        name = _case_id(folder)
        _input_of(folder)
        exp = _load_expected(folder)
        if tuple(exp) not in (EXPECTED_KEYS, (*EXPECTED_KEYS, WORDS_KEY)):
            problems.append(f"{name}: keys {list(exp)}, want {list(EXPECTED_KEYS)} (+ words)")
            continue
        for entry in exp.get(WORDS_KEY, []):
            if not set(entry) <= {"code", "row", "column", "has"} or not entry.get("has"):
                problems.append(f"{name}: a words entry wants code, has, and row/column: {entry}")
        rows, counts = exp["rows"], (exp["valid"], exp["invalid"], exp["blank"])
        if rows != sorted(rows) or exp["file_errors"] != sorted(exp["file_errors"]):
            problems.append(f"{name}: rows or file_errors not sorted")
        if exp["warnings"] != sorted(set(exp["warnings"])):
            problems.append(f"{name}: warnings not sorted and distinct")
        if not set(exp["file_errors"]) <= {*FILE_LEVEL_CODES, *FILE_LEVEL_ALSO}:
            problems.append(f"{name}: unknown file-level code")
        if not {code for _, _, code in rows} <= set(ROW_LEVEL_CODES):
            problems.append(f"{name}: unknown row-level code")
        if not set(exp["warnings"]) <= {*WARNING_CODES, *V2_WARNING_CODES, *OUR_WARNING_CODES}:
            problems.append(f"{name}: unknown warning code")
        if exp["exit"] == 2:
            if not exp["file_errors"] or rows or counts != (0, 0, 0) or exp["warnings"]:
                problems.append(f"{name}: exit 2 wants file_errors and nothing else")
        elif exp["exit"] in (0, 1):
            if exp["file_errors"]:
                problems.append(f"{name}: file_errors without exit 2")
            if exp["invalid"] != len({row[0] for row in rows}):
                problems.append(f"{name}: invalid count is not the number of rows with errors")
            if (exp["exit"] == 1) != bool(rows):
                problems.append(f"{name}: exit 1 if and only if some row has an error")
            if ("blank_row" in exp["warnings"]) != (exp["blank"] > 0):
                problems.append(f"{name}: blank_row warning if and only if blank rows")
        else:
            problems.append(f"{name}: exit {exp['exit']}")
    assert not problems, "\n".join(problems)


def test_code_lists_match_the_contract() -> None:
    """The code lists above are CONTRACT.md's, when the contract is beside the clone."""
    if not CONTRACT.is_file():
        pytest.skip(f"{CONTRACT} not present")
    text = CONTRACT.read_text()
    section = text.split("## Error codes", 1)[1].split("\n## ", 1)[0]
    file_part, row_part = section.split("Row-level", 1)
    table_row = re.compile(r"^\| ([a-z_]+) \|", re.MULTILINE)

    def codes(part: str) -> tuple[str, ...]:
        return tuple(code for code in table_row.findall(part) if code != "code")

    assert codes(file_part) == FILE_LEVEL_CODES
    assert codes(row_part) == ROW_LEVEL_CODES
    warnings_line = next(
        line for line in section.splitlines() if line.startswith("Warnings never make")
    )
    assert tuple(re.findall(r"`([a-z_]+)`", warnings_line)) == WARNING_CODES
