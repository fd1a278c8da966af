"""Issue 13: the command line and the README say what is true.

Counts agree with their nouns, a fix line shows text as a person reads it (never Python's repr),
a file that cannot be judged is one line per problem with its code, every output follows one
overwrite policy, ``--sheet`` on a CSV says so, ``--now`` sets the run's clock, and the README's
claims are the tool's behaviour.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from webinar_validate import validate_file
from webinar_validate.cli.display import shown_value
from webinar_validate.cli.main import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
NOW = "2026-01-01T00:00:00Z"
HEADER = "courseGroupId,title,startDate,endDate,timeZone,webinarProvider,instructorEmails"
GOOD = (
    "427bec6a-233a-47f4-a166-507c5ee906eb,Data Literacy {n},2030-03-1{n}T15:30:00.000Z,"
    "2030-03-1{n}T17:00:00.000Z,America/New_York,zoom,maria.lopez@example.org"
)


def _csv(path: Path, *rows: str) -> Path:
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return path


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line]


# --- 1. counts agree with their nouns ------------------------------------------------------


def test_one_of_each_is_said_in_the_singular(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = GOOD.format(n=1).replace("America/New_York", "EST")
    source = _csv(tmp_path / "one.csv", bad)
    annotated, invalid = tmp_path / "a.xlsx", tmp_path / "bad.csv"
    args = ["--now", NOW, str(source), "--annotate", str(annotated), "--invalid-out", str(invalid)]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert f"{source}: 0 valid, 1 invalid, 0 blank (1 row read)" in _lines(out)
    assert f"wrote {annotated}: 1 invalid cell in 1 row marked red" in out
    assert f"wrote {invalid}: 1 invalid row with its errors" in out
    assert "rows" not in out.replace("invalid row ", "")  # no "1 rows" anywhere


def test_several_are_said_in_the_plural(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _csv(tmp_path / "two.csv", GOOD.format(n=1), GOOD.format(n=2))
    fixed, valid = tmp_path / "fixed.csv", tmp_path / "ready.csv"
    assert main(["--now", NOW, str(source), "--fix", str(fixed), "--valid-out", str(valid)]) == 0
    out = _lines(capsys.readouterr().out)
    assert f"{source}: 2 valid, 0 invalid, 0 blank (2 rows read)" in out
    assert any(f"wrote {fixed} with 0 fixes;" in line for line in out)
    assert f"webinar-validate: wrote {valid}: 2 valid rows, ready to upload" in out


def test_one_fix_and_one_valid_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _csv(tmp_path / "one.csv", GOOD.format(n=1).replace(",zoom,", ",ZOOM,"))
    fixed = tmp_path / "fixed.csv"
    assert main(["--now", NOW, str(source), "--fix", str(fixed)]) == 0
    out = _lines(capsys.readouterr().out)
    assert "F2 ZOOM -> zoom" in out
    assert f"webinar-validate: wrote {fixed} with 1 fix; checking it again:" in out
    assert f"{fixed}: 1 valid, 0 invalid, 0 blank (1 row read)" in out


# --- 2. a fix line shows text as a person reads it -----------------------------------------


def test_a_fix_line_names_the_invisible_character_never_a_python_repr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = GOOD.format(n=1).replace("example.org", "example.org\u00a0")
    source = _csv(tmp_path / "nbsp.csv", row)
    assert main(["--now", NOW, str(source), "--fix", str(tmp_path / "fixed.csv")]) == 0
    (line,) = [line for line in _lines(capsys.readouterr().out) if line.startswith("G2 ")]
    assert line == 'G2 "maria.lopez@example.org\\u00a0" -> maria.lopez@example.org'
    assert "'" not in line
    assert "\\xa0" not in line
    assert "\xa0" not in line


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("zoom", "zoom"),
        ("", '""'),
        (" zoom ", '" zoom "'),
        ("a\tb", '"a\\tb"'),
        ("\ufeffzoom", '"\\ufeffzoom"'),
        ("zo\u200bom", '"zo\\u200bom"'),
        ("it's", "it's"),
        ("Montréal", "Montréal"),
    ],
)
def test_shown_value_quotes_only_what_would_hide(text: str, shown: str) -> None:
    assert shown_value(text) == shown


# --- 3. a file that cannot be judged: one line per problem, each with its code -------------


def test_strict_prints_each_problem_on_its_own_line_with_its_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "notes.csv"
    source.write_text("title,Notes\nWebinar,bring slides\n", encoding="utf-8")
    assert main(["--strict", str(source)]) == 2
    err = _lines(capsys.readouterr().err)
    assert len(err) == 2
    assert any(
        line.startswith(f"{source}: missing_column The required columns courseGroupId")
        for line in err
    )
    assert any(line.startswith(f"{source}: unknown_column Column B") for line in err)
    assert main(["--strict", "--format", "github", str(source)]) == 2
    last = _lines(capsys.readouterr().out)[-1]
    assert last in (
        f"{source}: not judged (missing_column and unknown_column)",
        f"{source}: not judged (unknown_column and missing_column)",
    )


# --- 4. one overwrite policy for every output ------------------------------------------------


def test_every_output_overwrites_an_existing_file_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _csv(tmp_path / "in.csv", GOOD.format(n=1))
    outputs = {
        "--output": tmp_path / "report.json",
        "--annotate": tmp_path / "a.xlsx",
        "--fix": tmp_path / "fixed.csv",
        "--valid-out": tmp_path / "ready.xlsx",
        "--invalid-out": tmp_path / "bad.csv",
    }
    for path in outputs.values():
        path.write_bytes(b"old")
    args = [str(source), "--now", NOW]
    for flag, path in outputs.items():
        args += [flag, str(path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    for flag, path in outputs.items():
        assert path.read_bytes() != b"old", flag
        if flag != "--output":  # the JSON report has no "wrote" line
            assert f"wrote {path}, replacing the file that was there" in out, flag
    template = tmp_path / "template.csv"
    template.write_bytes(b"old")
    assert main(["template", str(template)]) == 0
    assert f"wrote {template}, replacing the file that was there" in capsys.readouterr().out
    assert validate_file(template).exit_status == 0


@pytest.mark.parametrize(
    "flag", ["--output", "--annotate", "--fix", "--valid-out", "--invalid-out"]
)
def test_no_output_overwrites_the_input(
    flag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _csv(tmp_path / "in.csv", GOOD.format(n=1))
    before = source.read_bytes()
    target = source.with_suffix(".xlsx") if flag == "--annotate" else source
    if flag == "--annotate":  # an .xlsx input, so that the suffix is allowed
        shutil.copy(ROOT / "sample_assets" / "sessions.xlsx", target)
        before = target.read_bytes()
    assert main([str(target), flag, str(target)]) == 2
    assert "is the input file" in capsys.readouterr().err
    assert target.read_bytes() == before


def test_help_states_the_overwrite_policy_for_every_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = build_parser()
    helps = {a.option_strings[0]: a.help or "" for a in parser._actions if a.option_strings}
    for flag in ("--output", "--annotate", "--fix", "--valid-out", "--invalid-out"):
        assert "overwritten" in helps[flag], flag
        assert "input never" in helps[flag], flag
    assert main(["template", "--help"]) == 0
    assert "overwrite" in capsys.readouterr().out
    policy = README.split("**Overwriting**", 1)[1].split("\n\n", 1)[0]
    assert "overwritten" in policy
    assert "`template`" in policy
    assert "refused" in policy


# --- 5. --sheet on a CSV ----------------------------------------------------------------------


def test_sheet_on_a_csv_is_said_per_csv_file_and_the_status_is_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = _csv(tmp_path / "sessions.csv", GOOD.format(n=1))
    book = tmp_path / "sessions.xlsx"
    shutil.copy(ROOT / "sample_assets" / "sessions.xlsx", book)
    plain = main(["--now", NOW, str(csv), str(book)])
    capsys.readouterr()
    assert main(["--now", NOW, "--sheet", "Sessions", str(csv), str(book)]) == plain == 0
    err = _lines(capsys.readouterr().err)
    assert err == [
        f"webinar-validate: --sheet Sessions does not apply to {csv}, a CSV file; "
        "it was read as it is"
    ]


# --- 6. --now --------------------------------------------------------------------------------


def test_now_is_the_runs_clock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    source = _csv(tmp_path / "in.csv", GOOD.format(n=1))  # starts in 2030
    assert main(["--format", "json", "--now", "2031-01-01T00:00:00+01:00", str(source)]) == 0
    report = json.loads(capsys.readouterr().out)
    warnings = report["extensions"]["preflight"]["warnings"]
    assert [w["code"] for w in warnings] == ["starts_in_the_past"]
    # The instant, in UTC as the contract's createdAt is.
    created = report["data"]["APIBulkWebinarImport"]["backgroundJob"]["createdAt"]
    assert created.startswith("2030-12-31T23:00:00")
    assert created.endswith("Z")
    assert main(["--format", "json", "--now", NOW, str(source)]) == 0
    assert json.loads(capsys.readouterr().out)["extensions"]["preflight"]["warnings"] == []


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("tomorrow", "is not an ISO 8601 date-time"),
        ("2026-01-01T09:00", "has no UTC offset"),
        ("", "is not an ISO 8601 date-time"),
    ],
)
def test_a_bad_now_is_a_usage_error_in_one_line(
    value: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _csv(tmp_path / "in.csv", GOOD.format(n=1))
    assert main(["--now", value, str(source)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = _lines(captured.err)
    assert len(err) == 1
    assert says in err[0]
    assert err[0].startswith("webinar-validate: --now")


# --- 7. the README says what is true -----------------------------------------------------------


def test_the_xls_excerpt_is_what_the_cli_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    block = README.split("an `.xls`) prints one line per", 1)[1].split("```", 2)[1]
    (excerpt,) = _lines(block)
    shutil.copy(
        ROOT / "tests" / "cases" / "hostile" / "xls_real" / "input.xls", tmp_path / "old.xls"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["old.xls"]) == 2
    assert _lines(capsys.readouterr().err) == [excerpt]


def test_the_library_claims_about_len() -> None:
    assert "`len(report)` is a `TypeError`" in README
    report = validate_file(ROOT / "sample_assets" / "sessions_with_errors.csv")
    assert (len(report.valid_rows), len(report.invalid_rows)) == (2, 14)
    with pytest.raises(TypeError):
        len(report)  # type: ignore[arg-type]


def test_valid_frame_of_a_polars_frame_is_pandas() -> None:
    pl = pytest.importorskip("polars")
    import pandas as pd

    from webinar_validate import validate_frame

    assert "`valid_frame()` and `invalid_frame()` still return pandas" in README
    frame = pl.read_csv(ROOT / "sample_assets" / "sessions.csv", infer_schema=False)
    report = validate_frame(frame)
    assert isinstance(report.valid_frame(), pd.DataFrame)
    assert isinstance(report.invalid_frame(), pd.DataFrame)


def test_any_case_is_claimed_where_it_is_true(tmp_path: Path) -> None:
    table = README.split("## The contract", 1)[1].split("Error codes.", 1)[0]
    rows = {line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("|")}
    for column in ("courseGroupId", "timeZone", "webinarProvider", "waitlistingEnabled", "status"):
        assert "any case" in rows[column], column
    header = "courseGroupId,startDate,endDate,timeZone,webinarProvider,status,waitlistingEnabled,"
    source = tmp_path / "cases.csv"
    source.write_text(
        header + "seatsLimit,language,region\n"
        "427BEC6A-233A-47F4-A166-507C5EE906EB,2030-03-10T15:30:00Z,2030-03-10T17:00:00Z,"
        "america/new_york,ZOOM,PUBLISHED,Yes,5,EN-us,emea\n",
        encoding="utf-8",
    )
    schema = tmp_path / "schema.yaml"
    schema.write_text("columns:\n  - name: region\n    choices: [EMEA, AMER]\n", encoding="utf-8")
    from webinar_validate.contract.file import load_contract

    report = validate_file(source, contract=load_contract(schema))
    assert report.ok
    values = report.valid_rows[0].values
    assert (values["webinarProvider"], values["status"], values["region"]) == (
        "zoom",
        "published",
        "EMEA",
    )
    assert values["waitlistingEnabled"] is True
    assert "matched in any case" in README


def test_formula_injection_in_an_unknown_column_is_said_and_true(tmp_path: Path) -> None:
    assert re.search(r"`formula_injection` judges their cells too: a `Notes` column", README)
    source = tmp_path / "notes.csv"
    source.write_text(
        HEADER + ",Notes\n" + GOOD.format(n=1) + ",- confirm room\n", encoding="utf-8"
    )
    report = validate_file(source)
    assert report.flatten() == [(2, "Notes", "formula_injection")]


def test_versions_are_cut_as_the_readme_says() -> None:
    from webinar_validate._version import __version__

    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", __version__)
    assert "webinar_validate/_version.py" in README
    assert "`vX.Y.Z`" in README
    assert f"rev: v{__version__}" in README
