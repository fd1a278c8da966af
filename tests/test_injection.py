"""formula_injection: one judgment, on the cell as given and as sent (issue 11).

CONTRACT.md: a text cell whose first character is tab or carriage return, or whose first
character after any white space (every Unicode space, NBSP, zero-width characters, BOM, tab, CR,
LF) is ``=``, ``+``, ``-`` or ``@``, is invalid; a header cell like that fails the file. The
rule is restated here from the contract (``contract_says_formula``), independently of the
package, so that the tests judge the package rather than repeat it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from make_samples import xlsx_bytes  # pytest puts a test file's folder (tests/) on sys.path

from webinar_validate import validate_file, validate_frame
from webinar_validate.cli.main import main

CASES_DIR = Path(__file__).resolve().parent / "cases"
CG = "3f0c9a4e-1b2c-4d5e-8f90-123456789abc"
BASE = ["courseGroupId", "title", "startDate", "endDate", "timeZone", "webinarProvider"]
TRIGGERS = "=+-@"
_T0 = dt.datetime(2026, 3, 10, 15, 30, tzinfo=dt.UTC)
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- the contract's rule


@cache
def contract_spaces() -> str:
    """Every Unicode space (white space, or a space, line or paragraph separator), plus the
    zero-width characters U+200B..U+200D, U+2060 and the BOM U+FEFF: the contract's list."""
    spaces = (
        chr(code)
        for code in range(sys.maxunicode + 1)
        if chr(code).isspace() or unicodedata.category(chr(code)) in ("Zs", "Zl", "Zp")
    )
    return "".join(spaces) + "\u200b\u200c\u200d\u2060\ufeff"


def contract_says_formula(text: str) -> bool:
    """CONTRACT.md's formula_injection rule, as the contract words it."""
    if text[:1] in ("\t", "\r") and text:
        return True
    rest = text.lstrip(contract_spaces())
    return bool(rest) and rest[0] in TRIGGERS


def has_control(text: str) -> bool:
    """invalid_character: a control character other than tab, line feed and carriage return."""
    return any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text)


def expected_code(text: str) -> str | None:
    """The code a text cell gets from its own checks (the first failing rule is reported)."""
    if has_control(text):
        return "invalid_character"
    return "formula_injection" if contract_says_formula(text) else None


def test_the_rule_as_restated_here() -> None:
    """The restatement itself, on the contract's own examples."""
    assert contract_says_formula("=1+1")
    assert contract_says_formula("\tWelcome")
    assert contract_says_formula('\u00a0 \u200b=HYPERLINK("x")')
    assert not contract_says_formula("Q&A: ask = answer")
    assert not contract_says_formula("  ")
    assert not contract_says_formula("")


# --------------------------------------------------------------------------- helpers


def session(n: int, **values: str) -> dict[str, str]:
    """A valid minimal session n days after 2026-03-10, ``values`` on top."""
    start = _T0 + dt.timedelta(days=n)
    row = {
        "courseGroupId": CG,
        "title": f"Webinar session {n}",
        "startDate": start.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "endDate": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "timeZone": "America/New_York",
        "webinarProvider": "zoom",
    }
    row.update(values)
    return row


def csv_bytes(header: list[str], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(key, "") for key in header])
    return out.getvalue().encode("utf-8")


def write_input(folder: Path, kind: str, header: list[str], rows: list[dict[str, str]]) -> Path:
    path = folder / f"input.{kind}"
    if kind == "csv":
        path.write_bytes(csv_bytes(header, rows))
    else:
        cells = [[row.get(key, "") for key in header] for row in rows]
        path.write_bytes(xlsx_bytes(header, cells))
    return path


def strings_in(value: Any) -> Iterator[str]:
    """Every string a JSON value holds (list items too)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)


def sent(report: Any) -> list[tuple[int, str, str]]:
    """(rowNumber, column, string) of every string validRows send."""
    rows = json.loads(report.model_dump_json())["data"]["APIBulkWebinarImport"]["validRows"]
    return [
        (row["rowNumber"], column, text)
        for row in rows
        for column, value in row["values"].items()
        for text in strings_in(value)
    ]


# --------------------------------------------------------------------------- (a) the corpus


def _corpus() -> list[Any]:
    params = []
    for expected in sorted(CASES_DIR.rglob("expected.json")):
        folder = expected.parent
        spec = json.loads(expected.read_text())
        if spec["exit"] == 2 or not spec["valid"]:
            continue  # no valid row to look at
        inputs = sorted(p for p in folder.iterdir() if p.name.startswith("input."))
        name = folder.relative_to(CASES_DIR).as_posix()
        params.append(pytest.param(inputs[0], spec["args"], id=name))
    return params


CORPUS = _corpus()


def test_the_corpus_has_formula_cases_with_valid_rows() -> None:
    """The corpus walked below holds the cases that once sent a formula as a valid value."""
    names = {param.id for param in CORPUS}
    assert {"formula_injection_leading_space", "formula_injection_leading_space_xlsx"} <= names


@pytest.mark.parametrize(("path", "args"), CORPUS)
def test_every_value_sent_passes_the_rule_again(
    path: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """(a) Every string in validRows, over the whole acceptance corpus, run through the CLI:
    none of them would be a formula_injection if it were checked again."""
    status = main(["--format", "json", *args, str(path)])
    report = json.loads(capsys.readouterr().out)
    assert status in (0, 1)
    rows = report["data"]["APIBulkWebinarImport"]["validRows"]
    assert rows
    bad = [
        (row["rowNumber"], column, text)
        for row in rows
        for column, value in row["values"].items()
        for text in strings_in(value)
        if contract_says_formula(text)
    ]
    assert bad == []


# --------------------------------------------------------------------------- (b) properties

# White space of every kind the contract names (controls among them: invalid_character first),
# the triggers, and ordinary text.
_SPACES = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\u00a0", "\u1680"]
_SPACES += ["\u2000", "\u2007", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000"]
_SPACES += ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
_TEXT = [*"abcXYZ019 ,;'\"&()!/|.", "é", "日", *TRIGGERS, "\t", "\u00a0", "\uff1d"]

cells = st.builds(
    lambda spaces, trigger, text: spaces + trigger + text,
    st.text(st.sampled_from(_SPACES), max_size=4),
    st.sampled_from(["", "", *TRIGGERS, "\t", "\r"]),
    st.text(st.sampled_from(_TEXT), max_size=12),
)


def _check_report(report: Any, titles: list[str], notes: list[str]) -> None:
    expected = sorted(
        [(i + 2, "title", code) for i, t in enumerate(titles) if (code := expected_code(t))]
        + [(i + 2, "note", code) for i, n in enumerate(notes) if (code := expected_code(n))]
    )
    assert sorted(report.flatten()) == expected
    for number, column, text in sent(report):
        assert not contract_says_formula(text), (number, column, text)


@FAST
@given(st.lists(st.tuples(cells, cells), min_size=1, max_size=8))
def test_frames_judge_every_cell_by_the_rule(pairs: list[tuple[str, str]]) -> None:
    """(b) White space, a trigger and text, as a title and as an unknown column's cell, through
    validate_frame: formula_injection exactly where the rule says, and no valid row sends a
    value that starts (after any white space) with a trigger."""
    titles, notes = [t for t, _ in pairs], [n for _, n in pairs]
    frame = pd.DataFrame(
        [session(i, title=t, note=n) for i, (t, n) in enumerate(pairs)],
        columns=[*BASE, "note"],
    )
    _check_report(validate_frame(frame), titles, notes)


@settings(FAST, max_examples=40)
@given(pairs=st.lists(st.tuples(cells, cells), min_size=1, max_size=6))
def test_csv_files_judge_every_cell_by_the_rule(
    pairs: list[tuple[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """(b) The same through validate_file on a CSV (every field quoted, so that a cell may hold
    line breaks)."""
    titles, notes = [t for t, _ in pairs], [n for _, n in pairs]
    rows = [session(i, title=t, note=n) for i, (t, n) in enumerate(pairs)]
    path = write_input(tmp_path_factory.mktemp("csv"), "csv", [*BASE, "note"], rows)
    _check_report(validate_file(path), titles, notes)


# --------------------------------------------------------------------------- (c) the examples

EXAMPLES = {
    "leading_space": ' =HYPERLINK("http://evil.example/x","Join")',
    "nbsp_at": "\u00a0@SUM(1+1)*cmd|' /C calc'!A0",
    "lf_equals": "\n=1+3",
    "zwsp_equals": "\u200b=1+3",
    "bom_equals": "\ufeff=1+3",
    "tab_equals": "\t=1+3",
}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("cell", list(EXAMPLES.values()), ids=list(EXAMPLES))
def test_the_reported_examples_are_formula_injection(cell: str, kind: str, tmp_path: Path) -> None:
    """(c) Each example of the issue, as a title and as an unknown column's cell, in a CSV and
    in a workbook: the row is invalid with formula_injection, the next row stays valid."""
    rows = [session(1, title=cell, note=cell), session(2)]
    report = validate_file(write_input(tmp_path, kind, [*BASE, "note"], rows))
    assert sorted(report.flatten()) == [
        (2, "note", "formula_injection"),
        (2, "title", "formula_injection"),
    ]
    assert report.preflight.valid == 1
    assert all(not contract_says_formula(text) for _, _, text in sent(report))


# --------------------------------------------------------------------------- (d) header cells


@pytest.mark.parametrize(
    ("kind", "cell"), [("csv", "G1"), ("xlsx", "Sessions!G1")], ids=["csv", "xlsx"]
)
@pytest.mark.parametrize(
    "header", ['=HYPERLINK("x")', ' =HYPERLINK("x")', "\u00a0@SUM(1)", "\u200b+1"]
)
def test_a_formula_header_fails_the_file(
    header: str, kind: str, cell: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """(d) A header cell that starts like a formula: exit 2, code formula_injection, and the
    message names the cell."""
    path = write_input(tmp_path, kind, [*BASE, header], [session(1)])
    report = validate_file(path)
    assert report.exit_status == 2
    assert [e.extensions.code for e in report.errors] == ["formula_injection"]
    assert cell in report.errors[0].message
    assert main(["--format", "json", str(path)]) == 2
    printed = json.loads(capsys.readouterr().out)
    assert [e["extensions"]["code"] for e in printed["errors"]] == ["formula_injection"]


def test_a_formula_header_of_a_known_column_fails_the_frame() -> None:
    """``-startDate`` would match startDate (``-`` is ignored in matching), but it starts like
    a formula: the header is judged by the same rule as every cell."""
    frame = pd.DataFrame([session(1)]).rename(columns={"startDate": "-startDate"})
    report = validate_frame(frame)
    assert report.exit_status == 2
    assert [e.extensions.code for e in report.errors] == ["formula_injection"]
    assert "C1" in report.errors[0].message


# --------------------------------------------------------------------------- beyond the examples


@pytest.mark.parametrize(
    "cell",
    [
        "\u180e=1",  # Mongolian vowel separator: white space before Unicode 6.3
        "\u2028=1",
        "\u2029+1",
        "\u200e=1",  # left-to-right mark
        "\u202e@1",  # right-to-left override
        "\u00ad-1",  # soft hyphen
        "\ufe0f=1",  # variation selector
        "\U000e0020=1",  # tag space
        "\u3164=1",  # Hangul filler
        " \u00a0\u200b\ufeff\u2060 \t=1",
        "\u2003\u3000@x",
    ],
)
def test_invisible_characters_do_not_hide_a_formula(cell: str) -> None:
    """The cells an attacker would try next: each is formula_injection, as a title and as an
    unknown column's cell."""
    report = validate_frame(pd.DataFrame([session(1, title=cell, note=cell)]))
    assert sorted(report.flatten()) == [
        (2, "note", "formula_injection"),
        (2, "title", "formula_injection"),
    ]


def test_next_line_is_a_control_character_first() -> None:
    """U+0085 is white space and a C1 control: invalid_character is reported (first rule)."""
    report = validate_frame(pd.DataFrame([session(1, title="\x85=1")]))
    assert report.flatten() == [(2, "title", "invalid_character")]


@pytest.mark.parametrize("cell", ["\uff1d1+1", "\uff0b1", "Q&A = answer", "'=1+1", "x=1"])
def test_text_that_is_not_a_formula_stays_valid(cell: str) -> None:
    """Full-width equals and plus signs (U+FF1D, U+FF0B) are not in the contract's rule:
    spreadsheets do not run a cell that starts with them, so they stay valid (a decision)."""
    report = validate_frame(pd.DataFrame([session(1, title=cell, note=cell)]))
    assert report.flatten() == []


def test_numbers_and_dates_are_not_judged_as_text() -> None:
    """Signs in number columns are numbers, not formulas; the values sent are integers."""
    frame = pd.DataFrame(
        [
            session(1, seatsLimit=" +5", priceInCents="-0"),
            session(2, seatsLimit="10", priceInCents="-1"),
            session(3, startDate="-2026-03-13T15:30:00Z"),
        ]
    )
    report = validate_frame(frame)
    assert sorted(report.flatten()) == [
        (3, "priceInCents", "out_of_range"),
        (4, "startDate", "invalid_datetime"),
    ]
    values = json.loads(report.model_dump_json())["data"]["APIBulkWebinarImport"]["validRows"]
    assert (values[0]["values"]["seatsLimit"], values[0]["values"]["priceInCents"]) == (5, 0)


def test_each_address_of_an_email_list_is_judged_as_sent() -> None:
    """instructorEmails sends each address on its own: one that starts like a formula after a
    separator is formula_injection too (e-mail syntax allows ``=`` and ``+`` first)."""
    frame = pd.DataFrame(
        [
            session(1, instructorEmails="alex@example.org; =1+1@example.org"),
            session(2, instructorEmails="alex@example.org,\u00a0-cmd@example.org"),
            session(3, instructorEmails="alex@example.org; sam+1@example.org"),
        ]
    )
    report = validate_frame(frame)
    assert sorted(report.flatten()) == [
        (2, "instructorEmails", "formula_injection"),
        (3, "instructorEmails", "formula_injection"),
    ]
    assert all(not contract_says_formula(text) for _, _, text in sent(report))


# --------------------------------------------------------------------------- one truth


def test_trimming_removes_only_what_the_rule_looks_past() -> None:
    """Every character trimming removes (Python's strip, Arrow's trim, the package's
    ``TRIMMED``) is one the rule skips; ``TRIMMED`` is exactly Python's white space."""
    import pyarrow as pa

    from webinar_validate.contract import scans as _bytescan
    from webinar_validate.contract import values as _values

    every = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    python_ws = {ch for ch in every if ch.isspace()}
    assert set(_values.TRIMMED) == python_ws
    padded = pa.array([ch + "x" + ch for ch in every], pa.large_string())
    kept = pa.compute.utf8_trim_whitespace(padded).to_pylist()
    arrow_ws = {ch for ch, text in zip(every, kept, strict=True) if text == "x"}
    assert arrow_ws == python_ws
    ours = _bytescan.trimmed(padded, _values.TRIMMED).to_pylist()
    assert {ch for ch, text in zip(every, ours, strict=True) if text == "x"} == python_ws
    assert python_ws <= set(_values.SKIPPED_BEFORE_FORMULA)
    assert set(contract_spaces()) <= set(_values.SKIPPED_BEFORE_FORMULA)
    assert not set(_values.SKIPPED_BEFORE_FORMULA) & set(TRIGGERS)


@FAST
@given(st.text(st.sampled_from([*_SPACES, *_TEXT, "\u200e", "\u180e", "\U000e0001"]), max_size=12))
def test_a_cell_is_judged_as_sent(text: str) -> None:
    """Whenever the trimmed text that would be sent starts like a formula, so does the cell as
    given: one answer, whichever of the two is judged (the cell may also start with a tab)."""
    from webinar_validate.contract import values as _values

    if _values.formula_start(_values.trim(text)) is not None:
        assert _values.formula_start(text) is not None
    assert (_values.formula_start(text) is not None) == contract_says_formula(text) or any(
        ch in text for ch in "\u200e\u180e\U000e0001"
    )
    assert _values.trim(text) == text.strip()


_SCAN_CHARS = [*_SPACES, *_TEXT, "\u200e", "\u180e", "\u3042", "\U000e0001", "\U0001f600", "\x00"]


@settings(FAST, max_examples=300)
@given(
    st.lists(st.one_of(st.none(), st.text(st.sampled_from(_SCAN_CHARS), max_size=6)), max_size=30),
    st.integers(1, 4),
)
def test_the_byte_scan_is_the_rule(values: list[str | None], chunks: int) -> None:
    """The column-wise check (first two bytes, then Arrow's trim for the values that may start
    with skipped characters) answers as the per-value rule does, sliced and chunked arrays
    too; so does the path for Series that are not Arrow-backed."""
    import pyarrow as pa

    from webinar_validate.contract import values as _values
    from webinar_validate.contract.checks import starts_like_formula

    want = [v is not None and _values.formula_start(v) is not None for v in values]
    flat = pa.array(["pad", *values], pa.large_string()).slice(1)
    size = max(1, -(-len(values) // chunks))
    pieces = [flat.slice(i, size) for i in range(0, len(values), size)] or [flat]
    chunked = pa.chunked_array(pieces, pa.large_string())
    for array in (flat, chunked):
        series = pd.Series(pd.array(array, dtype="str"))
        assert starts_like_formula(series).tolist() == want
    plain = pd.Series(values, dtype=object)
    assert starts_like_formula(plain).tolist() == want


def test_the_byte_scan_reads_no_byte_of_the_next_value() -> None:
    """A value that is one skipped character, followed by a value that starts like a formula:
    the scan looks at each value's own bytes only."""
    import pyarrow as pa

    from webinar_validate.contract import values as _values
    from webinar_validate.contract.checks import starts_like_formula

    values = [" ", "=1", "\u00a0", "@1", "\u3000", "-1", "", "+1", "\t", "x", " x", "\u200b"]
    values += ["\u3042", "=", " ", "\u00a0x", "=2"]
    want = [_values.formula_start(v) is not None for v in values]
    series = pd.Series(pd.array(pa.array(values, pa.large_string()), dtype="str"))
    assert starts_like_formula(series).tolist() == want
    assert want[:4] == [False, True, False, True]
