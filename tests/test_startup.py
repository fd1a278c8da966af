"""Start-up: what answers without pandas/pandera, `--exclude`, and several files per call."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from webinar_validate.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_assets"

_PROBE = """
import contextlib, io, json, sys
from webinar_validate.cli.main import main
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    status = main(json.loads(sys.argv[1]))
heavy = sorted(m for m in ("pandas", "pandera", "pyarrow", "numpy") if m in sys.modules)
print(json.dumps({"status": status, "heavy": heavy, "out": out.getvalue(), "err": err.getvalue()}))
"""


def _probe(args: list[str]) -> dict:
    """Run ``main(args)`` in a fresh interpreter; report its status, output and heavy imports."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=120,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--version"],
        ["--exclude", "*.csv", "sample_assets/sessions.csv", "sample_assets/template.csv"],
        [
            "--exclude",
            "sessions*",
            "--exclude",
            "template.csv",
            *sorted(str(p) for p in SAMPLES.glob("*.[cx]s*")),
        ],
    ],
    ids=["help", "version", "all-excluded", "all-excluded-two-globs"],
)
def test_answers_without_importing_pandas_or_pandera(args: list[str]) -> None:
    result = _probe(args)
    assert result["status"] == 0
    assert result["heavy"] == []


def test_validating_a_file_does_import_them() -> None:
    """The probe above can see the imports it checks for."""
    result = _probe(["sample_assets/sessions.csv"])
    assert result["status"] == 0
    assert {"pandas", "pandera"} <= set(result["heavy"])


def test_all_files_excluded_says_so_and_exits_0() -> None:
    result = _probe(["--exclude", "*_errors.*", "sample_assets/sessions_with_errors.csv"])
    assert result["status"] == 0
    assert result["err"] == "webinar-validate: no files to check\n"
    assert result["out"] == ""
    as_json = _probe(["--format", "json", "--exclude", "*.csv", "x/sessions.csv"])
    assert json.loads(as_json["out"]) == []
    assert as_json["heavy"] == []


def test_exclude_matches_the_path_as_given_or_the_file_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = str(SAMPLES / "sessions_with_errors.csv")
    good = str(SAMPLES / "sessions.csv")
    assert main(["--exclude", "sessions_with_errors.*", bad, good]) == 0
    assert main(["--exclude", "*/sample_assets/*_errors.csv", bad, good]) == 0
    out = capsys.readouterr().out
    assert "sessions_with_errors" not in out
    assert out.count("sessions.csv: 8 valid") == 2
    assert main(["--exclude", "errors", bad]) == 1  # a glob, not a substring


def test_many_files_are_judged_alone_grouped_by_file_and_the_worst_status_wins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What pre-commit does: pass a batch of files in one call."""
    good = str(SAMPLES / "sessions.csv")
    bad_csv = str(SAMPLES / "sessions_with_errors.csv")
    bad_xlsx = str(SAMPLES / "sessions_with_errors.xlsx")
    assert main([good, bad_csv, bad_xlsx, good]) == 1
    lines = capsys.readouterr().out.splitlines()
    owners = [line.split(":", 1)[0] for line in lines]
    # each file's lines are together, in the order the files were given, its summary last
    groups = [owner for i, owner in enumerate(owners) if i == 0 or owners[i - 1] != owner]
    assert groups == [good, bad_csv, bad_xlsx, good]
    summaries = [line for line in lines if line.endswith("rows read)")]
    assert [s.split(":", 1)[0] for s in summaries] == groups
    assert main([bad_csv, str(tmp_path / "missing.csv"), good]) == 2
    assert main([good, good]) == 0
