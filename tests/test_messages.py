"""Every message of every acceptance case reads as CONTRACT.md's "Error codes" asks: one
sentence, the column and the value as the user typed it, no Python repr, and what to do.

The cases are the corpus of tests/cases (hostile inputs aside): each code's case is run through
the command line, and every row error, file-level error and warning of its report is held to
the style.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from webinar_validate.cli.main import main

CASES = Path(__file__).resolve().parent / "cases"

NAMES_THE_VALUE = {
    "invalid_uuid",
    "invalid_slug",
    "invalid_datetime",
    "missing_utc_offset",
    "invalid_time_zone",
    "invalid_choice",
    "invalid_url",
    "invalid_integer",
    "out_of_range",
    "invalid_boolean",
    "invalid_language",
    "formula_error",
    "end_not_after_start",
    "session_too_long",
    "enrollment_window",
    "duplicate_value",
}
"""Codes whose message repeats the cell (trimmed); the others describe it (a length, a blank, a
control character, a row)."""

LIKELY_MISTAKES = {"offset_mismatch", "starts_in_the_past", "price_looks_like_units"}
"""Warnings about a likely mistake: they too say what to check."""

SAYS_WHAT_TO_DO = re.compile(
    r"\b(write|use|fill|delete|remove|copy|paste|add|rename|shorten|check|set|give|close|change|"
    r"type|save|open|fix|correct|turn|leave|choose|quote|enter|make|put|localize|format|"
    r"did you mean|let it|split|keep|move)\b",
    re.IGNORECASE,
)
REPR = re.compile(r"\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|\\U[0-9a-f]{8}|\\[nrt]")


def _cases() -> list[Path]:
    return sorted(
        p.parent for p in CASES.glob("*/expected.json") if not p.parent.name.startswith("hostile")
    )


def _report(case: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    expected = json.loads((case / "expected.json").read_text())
    path = next(case.glob("input.*"))
    main(["--format", "json", *expected["args"], str(path)])
    return json.loads(capsys.readouterr().out)


def _sentences(text: str) -> int:
    """How many sentences: an end mark followed by a space and a capital letter starts one."""
    return 1 + len(re.findall(r"[.!?] [A-Z][a-z]", text))


def _style_problems(
    code: str, message: str, column: str | None, value: str, *, remedy: bool = True
) -> list[str]:
    """What breaks the style; ``remedy``: the message must say what to do (an error must; a
    warning that only reports, such as a skipped blank row, need not)."""
    problems = []
    shown = message.replace(value.strip(), "<value>") if value.strip() else message
    if _sentences(shown) != 1:
        problems.append("more than one sentence")
    if not shown.rstrip().endswith((".", "?", ")")):
        problems.append("does not end like a sentence")
    if REPR.search(shown):
        problems.append("Python repr escapes")
    if column and column not in message and code != "duplicate_session":
        problems.append(f"does not name the column {column}")
    if code in NAMES_THE_VALUE and value.strip() and value.strip() not in message:
        problems.append("does not name the value")
    if remedy and not SAYS_WHAT_TO_DO.search(shown):
        problems.append("does not say what to do")
    return problems


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in _cases()])
def test_every_message_of_the_case_keeps_the_style(
    case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _report(case, capsys)
    problems = []
    for row in report["data"]["APIBulkWebinarImport"]["invalidRows"]:
        for error in row["errors"]:
            for problem in _style_problems(
                error["code"], error["message"], error["column"], error["value"]
            ):
                problems.append(f"{error['cell']} {error['code']}: {problem}: {error['message']}")
    for error in report["errors"]:
        code = error["extensions"]["code"]
        for problem in _style_problems(code, error["message"], None, ""):
            problems.append(f"file {code}: {problem}: {error['message']}")
    for warning in report["extensions"]["preflight"]["warnings"]:
        remedy = warning["code"] in LIKELY_MISTAKES
        for problem in _style_problems(
            warning["code"], warning["message"], None, "", remedy=remedy
        ):
            problems.append(f"warning {warning['code']}: {problem}: {warning['message']}")
    assert not problems, "\n".join(problems)


def test_every_row_code_is_held_to_the_style_by_some_case(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from test_acceptance import ROW_LEVEL_CODES  # tests/ is on sys.path under pytest

    seen = {
        code
        for case in _cases()
        for _, _, code in json.loads((case / "expected.json").read_text())["rows"]
    }
    assert set(ROW_LEVEL_CODES) <= seen


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        ("title is too long. Shorten it to 255.", "more than one sentence"),
        ("instructorEmails has 'a@b\\xa0', which is not valid; fix it.", "Python repr escapes"),
        ("timeZone 'Mars' is not an IANA time-zone name.", "does not say what to do"),
    ],
)
def test_the_style_check_catches_what_it_is_for(message: str, problem: str) -> None:
    assert problem in _style_problems("invalid_time_zone", message, "timeZone", "Mars")


# --- the README's "Reading the messages" shows what the tool prints now ---------------------

README_FILES = {
    "bom.csv": "\ufeff\ufeffcourseGroupId,title,startDate,endDate,timeZone,webinarProvider\n"
    "3f0c9a4e-1b2c-4d5e-8f90-123456789abc,Intro,2026-09-10T14:00:00Z,2026-09-10T16:00:00Z,"
    "America/New_York,zoom\n",
    "sessions.csv": "courseGroupId,title,startDate,endDate,timeZone,webinarProvider,priceInCents\n"
    "3f0c9a4e-1b2c-4d5e-8f90-123456789abc,Intro,2026-09-10 10:00,2026-09-10T16:00:00Z,"
    "America/New_York,zoom,49.99\n",
    "comma.csv": "courseGroupId,title,startDate,endDate,timeZone,webinarProvider\n"
    "3f0c9a4e-1b2c-4d5e-8f90-123456789abc,Data, Analytics and You,2026-09-10T15:00:00Z,"
    "2026-09-10T16:00:00Z,UTC,zoom\n",
}


def test_the_readme_examples_are_what_the_tool_prints_now(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Reading the messages", 1)[1].split("\n### ", 1)[0]
    now = [
        line.removeprefix("now:    ") for line in section.splitlines() if line.startswith("now:")
    ]
    assert len(now) == 4
    monkeypatch.chdir(tmp_path)
    printed: list[str] = []
    for name, text in README_FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        main([name])
        printed += capsys.readouterr().out.splitlines()
    for line in now:
        assert line in printed
