"""The command line under hostile conditions (issue 11): closed and full outputs, devices and
pipes where files belong, outputs that name inputs, and names and cells that hold line breaks.

Nothing here may end in a traceback, hang, or lose a report: each case is run in a fresh
interpreter when it concerns the process's own streams, or could hang, and through ``main``
otherwise.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from webinar_validate import validate_file
from webinar_validate.cli.display import display
from webinar_validate.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_assets"
FORMATS = ["text", "json", "github"]
HEADER = "courseGroupId,title,startDate,endDate,timeZone,webinarProvider\n"
GOOD_ROW = (
    "427bec6a-233a-47f4-a166-507c5ee906eb,Charts,2026-09-02T15:00:00Z,"
    "2026-09-02T16:00:00Z,UTC,zoom\n"
)
COMMAND = re.compile(r"^::(error|warning) ((?:[a-z]+=[^,:]*)(?:,[a-z]+=[^,:]*)*)::(.*)$")
needs_posix = pytest.mark.skipif(os.name != "posix", reason="pipes, devices and rlimits")


def _run(
    args: list[str],
    cwd: Path,
    *,
    timeout: float = 120,
    memory: int | None = None,
    file_size: int | None = None,
    **kwargs: object,
) -> subprocess.CompletedProcess[str]:
    """``python -m webinar_validate ARGS`` in ``cwd``, optionally under resource limits (so that
    a regression fails the test instead of eating the machine's memory or disk)."""

    def limits() -> None:  # pragma: no cover - runs in the child
        import resource

        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        if file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))

    options: dict[str, object] = {"capture_output": True, **kwargs}
    if "stdout" in kwargs:
        options = {"stderr": subprocess.PIPE, **kwargs}
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "webinar_validate", *args],
        cwd=cwd,
        text=True,
        timeout=timeout,
        preexec_fn=limits if memory or file_size else None,
        check=False,
        **options,
    )


def _copy(tmp_path: Path, name: str, as_name: str | None = None) -> Path:
    target = tmp_path / (as_name or name)
    shutil.copyfile(SAMPLES / name, target)
    return target


def _many_errors(tmp_path: Path, rows: int = 1000) -> Path:
    """A CSV whose report is far larger than a pipe's buffer (64 KiB) in every format."""
    bad = "not-a-uuid,Charts,2026-09-02 15:00,2026-09-02T16:00:00Z,EST,Zoom Meetings\n"
    path = tmp_path / "many.csv"
    path.write_text(HEADER + bad * rows, encoding="utf-8")
    return path


def _unescape_property(text: str) -> str:
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, char)
    return text


# --- what a person sees: one line per error, nothing printed raw ------------------------------


def test_display_shows_control_characters_escaped() -> None:
    assert display("plain text, é and NBSP\u00a0stay") == "plain text, é and NBSP\u00a0stay"
    assert display("a\nb\rc\td") == "a\\nb\\rc\\td"
    assert display("\x00\x1b[31m\x7f\x85\u2028\u2029") == (
        "\\u0000\\u001b[31m\\u007f\\u0085\\u2028\\u2029"
    )
    assert display("abc\u202egpj.csv") == "abc\\u202egpj.csv"  # a name shown backwards
    assert display("bad\udcffbyte.csv") == "bad\\udcffbyte.csv"  # undecodable byte in a name


def test_a_cell_with_a_line_break_is_one_text_line_per_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cells.csv"
    row = GOOD_ROW.replace(",zoom\n", ',"zoom\r\nwebex"\n')
    other = GOOD_ROW.replace(",zoom\n", ",zoom\u2028webex\n")  # a line separator
    other = other.replace("Charts", "Tables")
    path.write_bytes((HEADER + row + other + GOOD_ROW.replace("Charts", "Maps")).encode())
    assert main([str(path)]) == 1
    out = capsys.readouterr().out
    report = validate_file(path)
    errors = [e for r in report.invalid_rows for e in r.errors]
    assert len(errors) == 2  # invalid_choice twice
    lines = out.splitlines()
    assert len(out.split("\n")) == len(errors) + 2  # one line per error, the summary, the end
    assert len(lines) == len(errors) + 1
    assert "'zoom\\r\\nwebex'" in out
    assert "'zoom\\u2028webex'" in out
    assert "\r" not in out
    assert "\u2028" not in out
    assert main(["--format", "github", str(path)]) == 1
    github = capsys.readouterr().out
    assert len(github.splitlines()) == len(errors) + 1
    assert "\u2028" not in github
    assert "'zoom\\u2028webex'" in github
    assert "zoom%0D%0Awebex" in github  # the runner's own escape, which it shows as a line break


FORGED = "a\n::warning file=x::forged.csv"
AT_START = "::warning file=y::forged.csv"
LEGACY = "##[warning]z.csv"
ESCAPE = "red\x1b[31m.csv"  # a terminal escape sequence


@pytest.fixture
def forged_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Files whose names try to be workflow commands, in the current folder."""
    monkeypatch.chdir(tmp_path)
    _copy(tmp_path, "sessions_with_errors.csv", FORGED)
    _copy(tmp_path, "sessions.csv", AT_START)
    _copy(tmp_path, "sessions.csv", LEGACY)
    _copy(tmp_path, "sessions.csv", ESCAPE)
    (tmp_path / "cols\n::error::x.csv").write_text("title\nx\n", encoding="utf-8")
    return [FORGED, AT_START, LEGACY, ESCAPE, "cols\n::error::x.csv"]


def test_file_names_cannot_forge_workflow_commands(
    forged_names: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--format", "github", *forged_names]) == 2
    lines = capsys.readouterr().out.splitlines()
    commands = [line for line in lines if line.lstrip().startswith("::")]
    plain = [line for line in lines if not line.lstrip().startswith("::")]
    for line in commands:  # each one ours, about a file that was given
        match = COMMAND.match(line)
        assert match, line
        props = dict(item.split("=", 1) for item in match.group(2).split(","))
        assert _unescape_property(props["file"]) in forged_names
        assert "\x1b" not in line
    assert all("##[" not in line for line in plain)  # the runner's legacy command prefix
    assert len(plain) == len(forged_names)  # one summary per file, nothing split off
    assert (
        plain[0] == "a\\n::warning file=x::forged.csv: 2 valid, 14 invalid, 1 blank (17 rows read)"
    )
    assert plain[1].startswith("./::warning file=y::forged.csv: 8 valid")
    assert plain[2].startswith("##\\u005bwarning]z.csv: 8 valid")
    assert plain[3].startswith("red\\u001b[31m.csv: 8 valid")
    assert plain[4] == "cols\\n::error::x.csv: not judged (missing_column)"
    expected = 0
    for name in forged_names:
        report = validate_file(name)
        errors = sum(len(r.errors) for r in report.invalid_rows) + len(report.errors)
        expected += errors + len(report.preflight.warnings)
    assert len(commands) == expected  # one command per error or warning, none split


def test_text_output_shows_a_line_break_in_a_file_name_escaped(
    forged_names: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([FORGED]) == 1
    lines = capsys.readouterr().out.splitlines()
    report = validate_file(FORGED)
    errors = [e for r in report.invalid_rows for e in r.errors]
    assert len(lines) == len(errors) + len(report.preflight.warnings) + 1
    assert all(line.startswith("a\\n::warning file=x::forged.csv:") for line in lines)
    assert main(["cols\n::error::x.csv"]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [captured.err.rstrip("\n")]  # one line
    assert captured.err.startswith("cols\\n::error::x.csv: missing_column ")


# --- a closed or full standard output ---------------------------------------------------------


@needs_posix
@pytest.mark.parametrize("form", FORMATS)
@pytest.mark.parametrize("read", [0, 10], ids=["closed-at-once", "head-c-10"])
def test_a_closed_stdout_ends_quietly(tmp_path: Path, form: str, read: int) -> None:
    """``| head -c 10``: no traceback, nothing on stderr, status 1 as Python's own convention."""
    source = _many_errors(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "webinar_validate", "--format", form, str(source)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    if read:
        assert len(proc.stdout.read(read)) == read
    proc.stdout.close()
    try:
        err = proc.stderr.read().decode()
        status = proc.wait(timeout=120)
    finally:
        proc.kill()
        proc.stderr.close()
    assert "Traceback" not in err
    assert err == ""
    assert status == 1


@needs_posix
@pytest.mark.parametrize("form", FORMATS)
def test_head_1_in_a_shell_pipeline(tmp_path: Path, form: str) -> None:
    source = _many_errors(tmp_path)
    done = subprocess.run(
        f'"{sys.executable}" -m webinar_validate --format {form} many.csv | head -1',
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert source.exists()
    assert done.stderr == ""
    assert len(done.stdout.splitlines()) == 1


@needs_posix
def test_the_output_file_is_still_written_when_stdout_closes(tmp_path: Path) -> None:
    source = _many_errors(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "webinar_validate", "--output", "r.json", str(source)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert err == b""
    assert proc.returncode == 1
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["extensions"]["preflight"]["invalid"] == 1000


@needs_posix
def test_a_stdout_closed_before_the_start_is_quiet(tmp_path: Path) -> None:
    """``>&-``: Python has no stdout at all; nothing to print to is not a failure."""
    source = _copy(tmp_path, "sessions.csv")
    done = subprocess.run(
        f'"{sys.executable}" -m webinar_validate --format json {source.name} >&-',
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stderr == ""
    assert done.returncode == 0


@needs_posix
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("form", FORMATS)
def test_a_full_disk_on_stdout_is_exit_2_with_one_line(tmp_path: Path, form: str) -> None:
    """``>/dev/full`` on an all-valid file: status 2 and one line saying why, no traceback."""
    source = _copy(tmp_path, "sessions.csv")
    with open("/dev/full", "w") as full:
        done = _run(["--format", form, str(source)], tmp_path, stdout=full)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "webinar-validate: cannot write the report to standard output: No space left on device."
    ]


def test_a_console_that_cannot_show_a_character(tmp_path: Path) -> None:
    """An ASCII-only console gets escapes, never a UnicodeEncodeError; JSON stays valid."""
    _copy(tmp_path, "sessions.csv", "café.csv")
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    text = _run(["café.csv"], tmp_path, env=env)
    assert (text.returncode, text.stderr) == (0, "")
    assert text.stdout.startswith("caf\\xe9.csv: 8 valid")
    as_json = _run(["--format", "json", "café.csv"], tmp_path, env=env)
    assert (as_json.returncode, as_json.stderr) == (0, "")
    assert json.loads(as_json.stdout)["extensions"]["preflight"]["source"] == "café.csv"


# --- --schema: a small regular file, read without waiting ----------------------------------------


@needs_posix
@pytest.mark.parametrize("kind", ["/dev/zero", "fifo"])
def test_a_schema_that_is_a_device_or_a_pipe_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    source = _copy(tmp_path, "sessions.csv")
    schema = kind
    if kind == "fifo":
        os.mkfifo(tmp_path / "schema.yaml")
        schema = "schema.yaml"
    started = time.monotonic()
    # a regression reads /dev/zero until memory runs out: limit it so the test fails, not the box
    done = _run(["--schema", schema, source.name], tmp_path, timeout=60, memory=4 << 30)
    assert time.monotonic() - started < 30
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"webinar-validate: schema file {schema} is not a regular file (it is a pipe or a "
        "device); give the path of a .yaml or .json file"
    ]


def test_a_schema_over_1_mib_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "schema.yaml"
    big.write_text("# " + "x" * (2 << 20) + "\n", encoding="utf-8")  # valid YAML: a comment
    assert main(["--schema", str(big), str(SAMPLES / "sessions.csv")]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [err.rstrip("\n")]
    assert "larger than 1 MiB" in err
    fits = tmp_path / "fits.yaml"
    fits.write_text("# " + "x" * ((1 << 20) - 3) + "\n", encoding="utf-8")  # exactly 1 MiB
    assert fits.stat().st_size == 1 << 20
    assert main(["--schema", str(fits), str(SAMPLES / "sessions.csv")]) == 0


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("type.yaml", "columns:\n  - name: x\n    type: [a]\n", "type must be one of"),
        ("deep.json", "[" * 100_000, "nested too deeply"),
        ("deep.yaml", "x: " + "[" * 100_000, "nested too deeply"),
        ("digits.json", '{"max_rows": ' + "9" * 5000 + "}", "a value cannot be read"),
        ("digits.yaml", "max_rows: " + "9" * 5000 + "\n", "a value cannot be read"),
        ("date.yaml", "max_rows: 2024-13-45\n", "month must be in 1..12"),
        (
            "regex.yaml",
            "columns:\n  - name: x\n    pattern: '" + "(" * 2000 + ")" * 2000 + "'\n",
            "is not a valid regular expression",
        ),
        ("latin1.yaml", "# caf\xe9\n", "is not UTF-8 text"),
    ],
)
def test_a_schema_that_breaks_the_parser_is_one_line(
    tmp_path: Path, name: str, text: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1"))
    assert main(["--schema", str(path), str(SAMPLES / "sessions.csv")]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [err.rstrip("\n")]
    assert says in err
    assert len(err) < 600


@needs_posix
def test_a_schema_made_of_yaml_aliases_answers_at_once(tmp_path: Path) -> None:
    """Nine lines of aliases make 9**9 strings; the message shows the value cut short."""
    levels = ["&a0 [" + ",".join(['"lol"'] * 9) + "]"]
    for n in range(1, 9):
        levels.append(f"&a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]")
    text = f"max_session_hours: [{', '.join(levels)}]\n"
    (tmp_path / "bomb.yaml").write_text(text, encoding="utf-8")
    _copy(tmp_path, "sessions.csv")
    started = time.monotonic()
    done = _run(["--schema", "bomb.yaml", "sessions.csv"], tmp_path, timeout=60, memory=4 << 30)
    assert time.monotonic() - started < 30
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1
    assert "max_session_hours must be a number above 0" in done.stderr


# --- --output: a regular file, never an input, written atomically ------------------------------


@needs_posix
def test_an_output_that_is_a_pipe_is_refused_without_waiting(tmp_path: Path) -> None:
    _copy(tmp_path, "sessions.csv")
    os.mkfifo(tmp_path / "report.json")
    done = _run(["--output", "report.json", "sessions.csv"], tmp_path, timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""  # refused before any file is read
    assert done.stderr.splitlines() == [
        "webinar-validate: --output report.json is not a regular file (it is a pipe or a "
        "device); give a file name, such as report.json."
    ]
    # an input that is a pipe is not read either: nothing waits for a writer
    done = _run(["report.json"], tmp_path, timeout=60)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1
    assert "report.json" in done.stderr


@needs_posix
def test_an_output_that_is_a_device_or_a_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = str(SAMPLES / "sessions.csv")
    assert main(["--output", os.devnull, source]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "is not a regular file" in captured.err
    assert main(["--output", str(tmp_path), source]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert main(["--output", str(tmp_path / "no" / "r.json"), source]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_an_output_that_is_an_excluded_input_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    before = _copy(tmp_path, "sessions.csv", "v.csv").read_bytes()
    assert main(["--exclude", "*.csv", "--output", "v.csv", "v.csv"]) == 2
    assert (tmp_path / "v.csv").read_bytes() == before
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "webinar-validate: --output v.csv is the input file v.csv; "
        "choose another path (an input is never overwritten)."
    ]


def test_no_output_may_be_an_excluded_input_or_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    before = _copy(tmp_path, "sessions.csv", "v.csv").read_bytes()
    _copy(tmp_path, "sessions.xlsx")
    assert main(["--exclude", "v.csv", "--fix", "v.csv", "v.csv", "sessions.xlsx"]) == 2
    assert (tmp_path / "v.csv").read_bytes() == before
    assert "--fix v.csv is the input file v.csv" in capsys.readouterr().err
    schema = tmp_path / "schema.yaml"
    schema.write_text("max_rows: 10\n", encoding="utf-8")
    assert main(["--schema", "schema.yaml", "--output", "schema.yaml", "v.csv"]) == 2
    assert schema.read_text(encoding="utf-8") == "max_rows: 10\n"
    assert "is the input file schema.yaml" in capsys.readouterr().err


def test_the_output_is_moved_into_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A new file each time (a reader never sees half of one), and no temporary file left."""
    out = tmp_path / "report.json"
    out.write_text("the last good report\n", encoding="utf-8")
    first = out.stat().st_ino
    held = out.open(encoding="utf-8")  # a reader of the old report keeps reading it whole
    assert main(["--output", str(out), str(SAMPLES / "sessions.csv")]) == 0
    assert held.read() == "the last good report\n"
    held.close()
    assert out.stat().st_ino != first
    assert json.loads(out.read_text(encoding="utf-8"))["extensions"]["preflight"]["valid"] == 8
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    # through a symbolic link: the file it names is replaced, and the link keeps naming it
    real = tmp_path / "reports" / "today.json"
    real.parent.mkdir()
    real.write_text("old\n", encoding="utf-8")
    out.unlink()
    out.symlink_to(real)
    assert main(["--output", str(out), str(SAMPLES / "sessions.csv")]) == 0
    assert out.is_symlink()
    assert json.loads(real.read_text(encoding="utf-8"))["extensions"]["preflight"]["valid"] == 8


@needs_posix
def test_an_output_that_cannot_be_written_keeps_the_last_report(tmp_path: Path) -> None:
    """A disk that fills up while writing (a file-size limit here): status 2, one line, the
    previous report intact and no partial file left behind."""
    _copy(tmp_path, "sessions.csv")
    out = tmp_path / "report.json"
    out.write_text("the last good report\n", encoding="utf-8")
    done = _run(["--output", "report.json", "sessions.csv"], tmp_path, file_size=2000)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        "webinar-validate: cannot write report.json: File too large; it was left as it was."
    ]
    assert done.stdout.endswith("8 valid, 0 invalid, 0 blank (8 rows read)\n")  # report first
    assert out.read_text(encoding="utf-8") == "the last good report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "sessions.csv"]
