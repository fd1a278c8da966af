"""The public API is pinned: a name added or removed is a decision, not an accident."""

from __future__ import annotations

import subprocess
import sys

import webinar_validate

EXPECTED = [
    "CellError",
    "Code",
    "ColumnSpec",
    "DryRunReport",
    "EmptyFile",
    "FileNotFound",
    "HeaderError",
    "InvalidRow",
    "Kind",
    "Rule",
    "SessionContract",
    "SessionRow",
    "TooManyRows",
    "UnreadableFile",
    "UnsupportedFormat",
    "UsageError",
    "ValidRow",
    "WebinarValidateError",
    "WireResponse",
    "__version__",
    "session_schema",
    "validate_file",
    "validate_frame",
]


def test_all_is_pinned() -> None:
    assert sorted(webinar_validate.__all__) == EXPECTED


def test_every_exported_name_resolves_and_is_documented() -> None:
    for name in webinar_validate.__all__:
        value = getattr(webinar_validate, name)
        if name != "__version__":
            assert value.__doc__, name


def test_importing_the_package_does_not_import_pandas() -> None:
    code = (
        "import sys, webinar_validate.cli.main; "
        "print('pandas' in sys.modules, 'pandera' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_the_readme_documents_every_exported_name() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The public API", 1)[1].split("\n### ", 1)[0]
    for name in webinar_validate.__all__:
        assert f"`{name}`" in section, name
