"""The pre-commit hook, run by the real pre-commit framework the way another repository uses it.

A temporary git repository's ``.pre-commit-config.yaml`` points at this checkout (``repo:`` its
path, ``rev:`` a commit): pre-commit clones it, builds the hook's virtualenv with pip and runs
``pre-commit run --all-files``. The hook must fail on a bad asset, naming the cell and the code,
and pass once only good assets are left.

pre-commit clones a commit, never the working tree. On a clean checkout (CI) that commit is HEAD.
While the checkout has uncommitted changes the test commits a snapshot of the working tree
(tracked and untracked files that git does not ignore) into a scratch repository and points at
that instead, so that it checks the code that is about to be committed rather than the last
commit. Building the hook's environment downloads the dependencies once (a minute or so).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_assets"
INSTALL_TIMEOUT = 1200  # seconds: the first run builds the hook's virtualenv with pip
RUN_TIMEOUT = 300
# What pip says when the package index cannot be reached: then the test cannot run here.
OFFLINE = re.compile(
    r"NewConnectionError|Temporary failure in name resolution|Network is unreachable|"
    r"No matching distribution found|ProxyError|ConnectTimeout"
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]


def _git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}
    done = subprocess.run(
        ["git", "--no-optional-locks", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed in {cwd}: {done.stderr.strip()}")
    return done.stdout


def _new_repo(path: Path) -> Path:
    path.mkdir(parents=True)
    _git("init", "--quiet", cwd=path)
    _git("config", "user.name", "webinar-validate tests", cwd=path)
    _git("config", "user.email", "tests@example.invalid", cwd=path)
    _git("config", "commit.gpgsign", "false", cwd=path)
    return path


def _commit(repo: Path, message: str) -> str:
    _git("add", "--all", cwd=repo)
    _git("commit", "--quiet", "--no-verify", "-m", message, cwd=repo)
    return _git("rev-parse", "HEAD", cwd=repo).strip()


def _hook_repository(scratch: Path) -> tuple[str, str]:
    """The (repo, rev) for the config: this checkout at HEAD, or a snapshot of its working tree."""
    try:
        head = _git("rev-parse", "HEAD", cwd=ROOT).strip()
    except RuntimeError:
        pytest.skip(f"{ROOT} is not a git checkout with a commit: nothing for pre-commit to clone")
    if not _git("status", "--porcelain", cwd=ROOT).strip():
        try:
            _git("cat-file", "-e", "HEAD:.pre-commit-hooks.yaml", cwd=ROOT)
        except RuntimeError:
            pytest.skip(".pre-commit-hooks.yaml is not committed at HEAD: there is no hook yet")
        return str(ROOT), head
    files = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    snapshot = _new_repo(scratch / "hook-repo")
    for name in filter(None, files.split("\0")):
        source = ROOT / name
        if source.is_file():  # skip files deleted in the working tree
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    if not (snapshot / ".pre-commit-hooks.yaml").is_file():
        pytest.skip("this checkout has no .pre-commit-hooks.yaml: there is no hook yet")
    return str(snapshot), _commit(snapshot, f"snapshot of the working tree at {head[:12]}")


def _pre_commit(
    user: Path, home: Path, timeout: int, *extra: str
) -> subprocess.CompletedProcess[str]:
    # The venv's scripts first on PATH: our own config's `language: system` hook needs them.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "PATH": path}
    env.pop("PRE_COMMIT", None)
    command = [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"]
    command.extend(extra)
    done = subprocess.run(
        command, cwd=user, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    log = home / "pre-commit.log"
    everything = (
        done.stdout + done.stderr + (log.read_text(errors="replace") if log.exists() else "")
    )
    if done.returncode not in (0, 1):
        if OFFLINE.search(everything):
            pytest.skip("the package index is unreachable: pre-commit cannot build the hook")
        raise AssertionError(f"pre-commit crashed ({done.returncode}):\n{everything}")
    return done


def test_published_hook_manifest_follows_pre_commit_rules() -> None:
    from pre_commit.clientlib import load_manifest

    hooks = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    hook = next(h for h in hooks if h["id"] == "webinar-validate")
    assert hook["language"] == "python"
    assert hook["types"] == ["file"]  # not only text: a workbook is binary
    assert re.search(hook["files"], "assets/Sessions.XLSX")
    assert re.search(hook["files"], "a/b.csv")
    assert not re.search(hook["files"], "notes.txt")


def test_our_own_config_runs_the_hook_on_the_good_samples_only() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for repo in config["repos"] for h in repo["hooks"]]
    assert hook["id"] == "webinar-validate"
    checked = [
        p.relative_to(ROOT).as_posix()
        for p in sorted(SAMPLES.iterdir())
        if re.search(hook["files"], p.relative_to(ROOT).as_posix())
        and not re.search(hook["exclude"], p.relative_to(ROOT).as_posix())
    ]
    assert checked == [
        "sample_assets/sessions.csv",
        "sample_assets/sessions.xlsx",
        "sample_assets/template.csv",
    ]
    from webinar_validate.cli.main import main

    assert main([str(ROOT / name) for name in checked]) == 0


def test_our_own_config_passes_with_pre_commit(tmp_path: Path) -> None:
    try:
        _git("rev-parse", "HEAD", cwd=ROOT)
    except RuntimeError:
        pytest.skip(f"{ROOT} is not a git checkout: pre-commit has no files to run on")
    done = _pre_commit(ROOT, tmp_path / "home", RUN_TIMEOUT, "--config", ".pre-commit-config.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"webinar-validate \(sample assets\)\.+Passed", done.stdout), done.stdout


def test_pre_commit_fails_on_a_bad_asset_and_passes_on_good_ones(tmp_path: Path) -> None:
    repo, rev = _hook_repository(tmp_path)
    user = _new_repo(tmp_path / "user-repo")
    (user / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n      - id: webinar-validate\n",
        encoding="utf-8",
    )
    assets = user / "assets"
    assets.mkdir()
    shutil.copy2(SAMPLES / "sessions.csv", assets / "sessions.csv")
    shutil.copy2(SAMPLES / "sessions_with_errors.csv", assets / "bad.csv")
    shutil.copy2(SAMPLES / "sessions_with_errors.xlsx", assets / "Bad.XLSX")  # binary, any case
    (assets / "notes.txt").write_text("not an asset: the hook leaves it alone\n", encoding="utf-8")
    _commit(user, "assets, two of them bad")
    home = tmp_path / "pre-commit-home"

    failed = _pre_commit(user, home, INSTALL_TIMEOUT)
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert "webinar-validate" in output
    assert "Failed" in output
    # the output names the file, the cell and the code, for the CSV and for the workbook
    assert "assets/bad.csv:H4 invalid_time_zone timeZone 'EST'" in output
    assert "assets/Bad.XLSX:Sessions!H4 invalid_time_zone" in output
    assert "assets/sessions.csv: 8 valid, 0 invalid" in output
    assert "notes.txt" not in output

    _git("rm", "--quiet", "assets/bad.csv", "assets/Bad.XLSX", cwd=user)
    shutil.copy2(SAMPLES / "sessions.xlsx", assets / "sessions.xlsx")
    _commit(user, "only good assets left")
    passed = _pre_commit(user, home, RUN_TIMEOUT)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"webinar-validate\.+Passed", passed.stdout), passed.stdout
