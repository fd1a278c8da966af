"""Hostile inputs beyond what a case folder expresses: the CLI as a real process over the whole
corpus, large files made during the run, paths that are not files, the resource guards, and
output paths that would overwrite an input.

The corpus itself (``tests/cases/hostile/``, written by ``make_hostile.py``) is checked case by
case in ``test_acceptance.py``; here it is run once more through ``python -m webinar_validate``
to be sure that nothing prints a traceback and that no input is touched. Issue 11's classes are
checked here too, each through a capped CLI process (a case may abort the process), with what a
folder cannot hold: a formula in a header, a file name that forges output lines, the outputs of
workbooks openpyxl cannot load, and the saved values of formulas in the copies.
test_hostile_limits.py has the CSV limits and the whole corpus under memory and CPU caps.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import make_hostile as hostile  # pytest puts a test file's folder (tests/) on sys.path
import pytest

from webinar_validate import validate_file
from webinar_validate.cli.main import main
from webinar_validate.errors import UnreadableFile
from webinar_validate.reading.dispatch import read_table

HOSTILE = Path(__file__).resolve().parent / "cases" / "hostile"
MIB = 1 << 20


def _cases() -> list[tuple[Path, dict[str, Any]]]:
    found = []
    for expected in sorted(HOSTILE.glob("*/expected.json")):
        inputs = sorted(expected.parent.glob("input.*"))
        assert len(inputs) == 1, expected.parent
        found.append((inputs[0], json.loads(expected.read_text())))
    return found


CASES = _cases()


def _fingerprint(paths: list[Path]) -> dict[Path, tuple[bytes, int]]:
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths}


def _status_of(report: dict[str, Any]) -> int:
    if report["errors"]:
        return 2
    return 1 if report["data"]["APIBulkWebinarImport"]["invalidRows"] else 0


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "webinar_validate", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# --------------------------------------------------------------------------- the corpus


def test_the_corpus_is_large_and_varied() -> None:
    assert len(CASES) >= 30
    suffixes = {path.suffix for path, _ in CASES}
    assert {".csv", ".xlsx", ".xls", ".xlsb", ".ods", ".numbers", ".xlsm"} <= suffixes
    statuses = {expected["exit"] for _, expected in CASES}
    assert statuses == {0, 1, 2}
    assert all(not expected["args"] for _, expected in CASES)  # one CLI run can take them all


@pytest.mark.slow
def test_the_whole_corpus_through_the_cli_process() -> None:
    """One process per output format over every input: each answered, none with a traceback,
    and no input written to."""
    paths = [path for path, _ in CASES]
    before = _fingerprint(paths)

    done = _cli("--format", "json", *map(str, paths))
    assert "Traceback" not in done.stderr
    assert done.stderr == ""
    reports = json.loads(done.stdout)
    assert len(reports) == len(paths)
    for (path, expected), report in zip(CASES, reports, strict=True):
        assert report["extensions"]["preflight"]["source"] == str(path)
        assert _status_of(report) == expected["exit"], path
    assert done.returncode == 2  # the worst status wins

    done = _cli(*map(str, paths))  # text: one stderr line per file that cannot be judged
    assert "Traceback" not in done.stderr
    refused = [str(path) for path, expected in CASES if expected["exit"] == 2]
    lines = done.stderr.splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == refused
    judged = [str(path) for path, expected in CASES if expected["exit"] != 2]
    summaries = [  # "(1 row read)", "(0 rows read)"
        line for line in done.stdout.splitlines() if line.endswith((" row read)", " rows read)"))
    ]
    assert [line.split(": ", 1)[0] for line in summaries] == judged

    assert _fingerprint(paths) == before


def test_a_report_written_elsewhere_leaves_the_inputs_alone(tmp_path: Path) -> None:
    paths = [path for path, _ in CASES]
    before = _fingerprint(paths)
    listing = sorted(p.name for p in HOSTILE.rglob("*"))
    out = tmp_path / "report.json"
    sample = [p for p in paths if "columns" not in p.parent.name][:20]  # the wide CSVs are slow
    assert main(["--format", "json", "--output", str(out), *map(str, sample)]) in (0, 1, 2)
    assert len(json.loads(out.read_text())) == 20
    assert _fingerprint(paths) == before
    assert sorted(p.name for p in HOSTILE.rglob("*")) == listing


def test_latin1_bytes_in_utf8_are_two_encodings_mixed() -> None:
    """A Latin-1 é on line 2 and UTF-8 on line 3: mixed (CONTRACT v2 "Encodings"), refused
    naming line 2, not read whole as Windows-1252 (which turned the UTF-8 ä into Ã¤)."""
    report = validate_file(HOSTILE / "csv_latin1_in_utf8" / "input.csv")
    assert [e.extensions.code for e in report.errors] == ["unreadable_file"]
    assert "line 2 is not UTF-8" in report.errors[0].message


# --------------------------------------------------------------------------- paths


@pytest.mark.parametrize("kind", ["missing", "directory", "numbers package"])
def test_a_path_that_is_not_a_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / ("plan.numbers" if kind == "numbers package" else "sessions.csv")
    if kind != "missing":
        path.mkdir()
        (path / "Index").mkdir()
    done = _cli("--format", "json", str(path))
    assert done.returncode == 2
    assert done.stderr == ""
    report = json.loads(done.stdout)
    assert [e["extensions"]["code"] for e in report["errors"]] == ["file_not_found"]
    if kind == "numbers package":
        assert "Numbers" in report["errors"][0]["message"]


# --------------------------------------------------------------------------- large inputs


@pytest.fixture(scope="module")
def big_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


HEADER = ",".join(hostile.BASE)


@pytest.mark.parametrize("quoted", [False, True])
def test_a_10_mb_cell_is_read_and_judged_too_long(tmp_path: Path, quoted: bool) -> None:
    cells = hostile.texts(hostile.s(1))
    title = "Webinar " + "x" * (10 * MIB)
    cells[1] = f'"{title}"' if quoted else title
    rows = [",".join(cells), ",".join(hostile.texts(hostile.s(2)))]
    path = tmp_path / "big_cell.csv"
    path.write_text("\r\n".join([HEADER, *rows]) + "\r\n")
    report = validate_file(path)
    assert report.flatten() == [(2, "title", "too_long")]
    assert [row.rowNumber for row in report.valid_rows] == [3]  # the row after it is not lost
    assert report.invalid_rows[0].errors[0].line == 2


def test_a_cell_past_the_csv_limit_is_refused_in_bounded_time(tmp_path: Path) -> None:
    path = tmp_path / "huge_cell.csv"
    path.write_text(f'{HEADER}\n"{"x" * (33 * MIB)}",,,,,\n')
    started = time.perf_counter()
    report = validate_file(path)
    assert time.perf_counter() - started < 20
    assert [e.extensions.code for e in report.errors] == ["unreadable_file"]
    assert "32 Mi characters" in report.errors[0].message


def test_a_csv_of_a_million_rows_stops_after_the_limit(big_dir: Path) -> None:
    """Rows are streamed and reading stops after max-rows + 1: bytes that no encoding reads,
    2 MiB into the file, are never decoded."""
    path = big_dir / "million.csv"
    with path.open("wb") as out:
        out.write(f"{HEADER}\n".encode())
        out.write(b"x,,,,,\n" * 1_000_000)
        out.write(b"\x81\x8d\x8f\x90\x9d\n")
    assert path.stat().st_size > 2 * MIB
    started = time.perf_counter()
    report = validate_file(path, max_rows=5)
    assert time.perf_counter() - started < 5
    assert [e.extensions.code for e in report.errors] == ["too_many_rows"]
    with pytest.raises(UnreadableFile, match="no text encoding"):
        read_table(path, max_rows=0)  # without a limit, the whole file is read


def test_a_sheet_of_300k_rows_stops_after_the_limit(big_dir: Path) -> None:
    rows = "".join(hostile.row_xml(n, [f"v{n}"]) for n in range(2, 300_002))
    parts = hostile.book_parts(hostile.row_xml(1, hostile.BASE) + rows + "<row r=")  # cut off
    path = big_dir / "rows.xlsx"
    path.write_bytes(hostile.zip_bytes(parts))
    started = time.perf_counter()
    report = validate_file(path)
    assert time.perf_counter() - started < 5
    assert [e.extensions.code for e in report.errors] == ["too_many_rows"]


def test_a_header_16384_columns_wide_is_read(big_dir: Path) -> None:
    header = [*hostile.BASE, *(f"extra{i}" for i in range(16384 - len(hostile.BASE)))]
    sheet = hostile.row_xml(1, header) + hostile.row_xml(2, hostile.texts(hostile.s(1)))
    path = big_dir / "wide.xlsx"
    path.write_bytes(hostile.zip_bytes(hostile.book_parts(sheet)))
    started = time.perf_counter()
    table = read_table(path)
    assert time.perf_counter() - started < 10
    assert len(table.header) == 16384
    assert table.header[-1] == "extra16377"
    assert table.rows == [[*hostile.texts(hostile.s(1)), *[""] * (16384 - len(hostile.BASE))]]


# --------------------------------------------------------------------------- the bombs


@pytest.mark.slow
@pytest.mark.parametrize(
    "build",
    [
        lambda: hostile.decompression_bomb(3 << 30),
        lambda: hostile.decompression_bomb(200 * MIB),
        lambda: hostile.lying_bomb(3 << 30),
        lambda: hostile.entity_bomb("sheet"),
        lambda: hostile.entity_bomb("shared"),
    ],
    ids=["3-gib-sheet", "200-mib-sheet", "lying-sizes", "laughs-in-sheet", "laughs-in-strings"],
)
def test_a_bomb_answers_in_seconds_and_little_memory(big_dir: Path, build: Any) -> None:
    """Issue 3's bar, with room for a busy machine: under 10 s and 500 MiB (bench/bombs.py
    prints the figures; they are about 1.5 s and 130 MiB, most of it Python starting up)."""
    path = big_dir / "bomb.xlsx"
    path.write_bytes(build())
    status, seconds, mib, report = hostile.measure_cli(path, timeout=120)
    assert status == 2
    assert [e["extensions"]["code"] for e in report["errors"]] == ["unreadable_file"]
    assert seconds < 10
    assert mib < 500


def test_a_part_nobody_parses_is_still_held_to_the_size_limit(tmp_path: Path) -> None:
    parts = hostile.book_parts(hostile.sessions_sheet([hostile.s(1)]))
    path = tmp_path / "media.xlsx"
    path.write_bytes(hostile.zip_bytes(parts))
    with zipfile.ZipFile(path, "a") as zf, zf.open("xl/media/image1.png", "w") as member:
        block = bytes(MIB)
        for _ in range(257):
            member.write(block)
    report = validate_file(path)
    assert [e.extensions.code for e in report.errors] == ["unreadable_file"]
    assert "256 MiB" in report.errors[0].message


# --------------------------------------------------------------------------- never overwrite


def _input(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "sessions.csv"
    path.parent.mkdir()
    path.write_text(f"{HEADER}\n" + ",".join(hostile.texts(hostile.s(1))) + "\n")
    return path


@pytest.mark.parametrize("how", ["same", "symlink", "dot-dot", "hard link", "symlinked folder"])
def test_an_output_that_is_an_input_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    source = _input(tmp_path)
    monkeypatch.chdir(tmp_path)
    if how == "same":
        output = str(source)
    elif how == "symlink":
        (tmp_path / "report.json").symlink_to(source)
        output = "report.json"
    elif how == "dot-dot":
        (tmp_path / "other").mkdir()
        output = "other/../data/./sessions.csv"
    elif how == "hard link":
        os.link(source, tmp_path / "report.json")
        output = "report.json"
    else:
        (tmp_path / "alias").symlink_to(tmp_path / "data")
        output = "alias/sessions.csv"
    before = _fingerprint([source])
    status = main(["--format", "json", "--output", output, "data/sessions.csv"])
    assert status == 2
    assert "never overwritten" in capsys.readouterr().err
    assert _fingerprint([source]) == before


# --------------------------------------------------------------------------- issue 11
# One test per class of the issue's corpus, each through CLI processes under the caps of
# make_hostile.run_capped: a case that aborts the process (calamine allocating a decoy sheet's
# A1:XFD1048576) fails its class here instead of taking the test run down.

ISSUE_11 = {
    "zip_part_ambiguity": "zip_part_",
    "dtd_behind_prolog": "dtd_",
    "formula_injection_after_white_space": "formula_injection_after_white_space_",
    "csv_limits": (
        "csv_header_16385_columns",
        "csv_100000_columns",
        "csv_record_16385_cells",
        "csv_header_cell_1025_chars",
        "csv_header_cell_1024_chars",
        "csv_16384_columns_fine",
    ),
    "openpyxl_refuses": "openpyxl_refuses_",
    "formulas_with_saved_values": ("xlsx_formulas_with_saved_values",),
}
"""Class -> the case folders (a name prefix, or the names) it is made of."""


def _class_cases(spec: str | tuple[str, ...]) -> list[tuple[Path, dict[str, Any]]]:
    if isinstance(spec, str):
        found = [(p, e) for p, e in CASES if p.parent.name.startswith(spec)]
    else:
        found = [(p, e) for p, e in CASES if p.parent.name in spec]
        assert len(found) == len(spec), spec
    assert found, spec
    return found


def _rows_of(report: dict[str, Any]) -> list[list[Any]]:
    return sorted(
        [row["rowNumber"], "*" if e["code"] == "extra_cells" else e["column"], e["code"]]
        for row in report["data"]["APIBulkWebinarImport"]["invalidRows"]
        for e in row["errors"]
    )


def _sane(done: hostile.Capped, what: str) -> list[str]:
    """What is wrong with how a capped CLI process ended, whatever it decided."""
    return hostile.capped_problems(done, what)


def _reports(paths: list[str]) -> tuple[list[dict[str, Any] | None], list[str]]:
    """The JSON report of each path, from one capped CLI process (10 s of CPU a file); when
    that process fails, from one process per path, to tell which input it was."""
    seconds = hostile.CPU_SECONDS * len(paths)
    try:
        done = hostile.run_capped(["--format", "json", *paths], cpu=seconds, timeout=seconds * 3)
        if not _sane(done, "") and done.stderr == "":
            found = json.loads(done.stdout)
            return (found if len(paths) > 1 else [found]), []
    except subprocess.TimeoutExpired:
        pass
    reports: list[dict[str, Any] | None] = []
    problems = []
    for path in paths:
        name = Path(path).parent.name
        try:
            done = hostile.run_capped(["--format", "json", path])
        except subprocess.TimeoutExpired:
            problems.append(f"{name}: no answer in 60 s")
            reports.append(None)
            continue
        found = _sane(done, name)
        problems += found
        reports.append(None if found else json.loads(done.stdout))
    return reports, problems


@pytest.mark.parametrize("name", list(ISSUE_11))
def test_issue_11_class_through_the_cli(name: str) -> None:
    """Each case of the class gets its expected.json verdict from a capped CLI process, with no
    traceback and no signal (10 s of CPU a file, 500 MiB at the peak)."""
    cases = _class_cases(ISSUE_11[name])
    reports, problems = _reports([str(path) for path, _ in cases])
    for (path, expected), report in zip(cases, reports, strict=True):
        if report is None:
            continue
        got = {
            "exit": _status_of(report),
            "file_errors": sorted(e["extensions"]["code"] for e in report["errors"]),
            "rows": _rows_of(report),
        }
        want = {key: expected[key] for key in got}
        if got != want:
            problems.append(f"{path.parent.name}: got {got}, want {want}")
    assert not problems, "\n".join(problems)


def test_the_dtd_cases_answer_fast_in_little_memory() -> None:
    """Every DTD case in its own capped process: refused with under 10 s of CPU and 500 MiB
    (the billion laughs would be 3 GB), start-up included."""
    problems = []
    for path, _expected in _class_cases(ISSUE_11["dtd_behind_prolog"]):
        name = path.parent.name
        done = hostile.run_capped(["--format", "json", str(path)])
        found = _sane(done, name)
        if not found:
            codes = [e["extensions"]["code"] for e in json.loads(done.stdout)["errors"]]
            if (done.returncode, codes) != (2, ["unreadable_file"]):
                found.append(f"{name}: exit {done.returncode} {codes}")
        problems += found
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_formula_in_the_header_fails_the_file(tmp_path: Path, kind: str) -> None:
    """CONTRACT: a header cell like a formula fails the file (exit 2, code formula_injection)."""
    path = tmp_path / f"sessions.{kind}"
    path.write_bytes(hostile.formula_header_input(kind))
    done = hostile.run_capped(["--format", "json", str(path)])
    assert not _sane(done, path.name)
    assert done.returncode == 2
    report = json.loads(done.stdout)
    assert [e["extensions"]["code"] for e in report["errors"]] == ["formula_injection"]


FORGED = "::warning file=x::forged"


@pytest.mark.parametrize("fmt", ["text", "github"])
@pytest.mark.parametrize("content", ["invalid_row", "unreadable"])
def test_a_file_name_cannot_forge_output_lines(tmp_path: Path, fmt: str, content: str) -> None:
    """A CSV named with a newline and a workflow command: the name is printed escaped, so no
    output line is the forged command, and the run ends as usual."""
    path = tmp_path / f"sessions\n{FORGED}.csv"
    if content == "invalid_row":
        path.write_bytes(hostile.csv_bytes(hostile.BAD_TZ))
    else:
        path.write_bytes(hostile.csv_bytes(hostile.BAD_TZ).decode().encode("utf-32"))
    done = hostile.run_capped(["--format", fmt, str(path)])
    assert not _sane(done, "forged name")
    assert done.returncode == (1 if content == "invalid_row" else 2)
    lines = (done.stdout + done.stderr).splitlines()
    assert lines
    assert not [line for line in lines if line.startswith(FORGED)]


def _output_run(case: str, flag: str, out: Path, fmt: str = "text") -> hostile.Capped:
    path = HOSTILE / case / "input.xlsx"
    before = _fingerprint([path])
    done = hostile.run_capped(["--format", fmt, flag, str(out), str(path)])
    assert _fingerprint([path]) == before
    assert not list(out.parent.glob(".webinar-validate-*"))
    return done


@pytest.mark.parametrize("flag", ["--annotate", "--fix"])
@pytest.mark.parametrize(
    "case",
    [
        "openpyxl_refuses_content_type",
        "openpyxl_refuses_sheet_attribute",
        "openpyxl_refuses_comments",
        "openpyxl_refuses_style_index",
    ],
)
def test_a_workbook_openpyxl_cannot_load_still_gets_its_report(
    tmp_path: Path, case: str, flag: str
) -> None:
    """CONTRACT v2: the report is printed, then exit 2 with one line saying why the copy could
    not be written; never a traceback. A --fix copy built without openpyxl may succeed instead:
    then it is written and checked again (exit 1, the row still invalid)."""
    out = tmp_path / "copy.xlsx"
    done = _output_run(case, flag, out)
    assert not _sane(done, f"{case} {flag}")
    assert "Sessions!E3 invalid_time_zone" in done.stdout
    assert "1 valid, 1 invalid, 0 blank (2 rows read)" in done.stdout
    if flag == "--annotate" or done.returncode == 2:
        assert done.returncode == 2
        assert len(done.stderr.splitlines()) == 1, done.stderr
        assert not out.exists()
    else:
        assert done.returncode == 1
        assert out.is_file()


@pytest.mark.parametrize("flag", ["--annotate", "--fix"])
def test_formula_values_survive_the_copies(tmp_path: Path, flag: str) -> None:
    """CONTRACT v2: a formula cell keeps its saved value in every workbook written, so the valid
    workbook's copy is valid too (no formula_without_value)."""
    out = tmp_path / "copy.xlsx"
    done = _output_run("xlsx_formulas_with_saved_values", flag, out)
    assert not _sane(done, flag)
    assert done.returncode == 0
    again = validate_file(out)
    assert again.flatten() == []
    assert again.exit_status == 0
    assert again.preflight.valid == 3
