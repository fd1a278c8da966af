"""The README is part of the product: its examples run, its excerpt is real, its hooks exist."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from webinar_validate.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    """The fenced code blocks whose info string is ``language`` ("" for plain fences)."""
    blocks: list[str] = []
    current: list[str] | None = None
    info = ""
    for line in README.splitlines():
        if line.startswith("```"):
            if current is None:
                current, info = [], line[3:].strip()
            else:
                if info == language:
                    blocks.append("\n".join(current) + "\n")
                current = None
        elif current is not None:
            current.append(line)
    return blocks


@pytest.mark.parametrize("index", range(len(_blocks("python"))))
def test_python_examples_run(index: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(_blocks("python")[index], f"README.md python block {index}", "exec"), {})


def test_readme_names_every_hook_id() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    for hook in hooks:
        assert f"id: {hook['id']}" in README


def test_the_cli_excerpt_is_what_the_cli_prints(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    block = next(b for b in _blocks("") if "sessions_with_errors.xlsx:" in b)
    assert main(["sample_assets/sessions_with_errors.xlsx"]) == 1
    printed = capsys.readouterr().out.splitlines()
    for line in block.splitlines():
        assert line in printed


def test_the_two_commands_are_there() -> None:
    shell = _blocks("sh")
    assert any("webinar-validate sample_assets/" in b for b in shell)
    assert any('pip install -e ".[test]" && python -m pytest -q' in b for b in shell)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install --quiet -e ".[test]" && python -m pytest -q' in ci


def test_every_test_the_limits_and_security_sections_name_exists() -> None:
    """The README's "Limits" and "Security" claims each name a test; each must be real."""
    import re

    sections = README.split("## Limits", 1)[1].split("## Performance", 1)[0]
    named = set(re.findall(r"`(test_[a-z0-9_]+)`", sections))
    assert len(named) >= 20
    sources = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    missing = sorted(name for name in named if f"def {name}(" not in sources)
    assert not missing, f"README names tests that do not exist: {missing}"
