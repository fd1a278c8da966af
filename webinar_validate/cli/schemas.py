"""Schemas generated from the code: a normalised session row and the report (JSON Schema),
and the contract as pandera YAML.

Regenerate the committed copies with ``python -m webinar_validate.cli.schemas schemas/``; a test
fails when they drift from the code.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from webinar_validate.contract.columns import SessionContract
from webinar_validate.contract.kinds import json_schema
from webinar_validate.report.model import DryRunReport


def row_schema(contract: SessionContract | None = None) -> dict[str, Any]:
    """The JSON Schema of a valid row's normalised ``values``."""
    contract = contract or SessionContract.DEFAULT
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Webinar session row (normalised values of a valid row)",
        "type": "object",
        "properties": {spec.name: json_schema(spec) for spec in contract.columns},
        "required": [spec.name for spec in contract.columns if spec.required],
        "additionalProperties": True,
    }


def report_schema() -> dict[str, Any]:
    """The JSON Schema of the dry-run report."""
    schema = DryRunReport.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def pandera_yaml() -> str:
    """The default contract as pandera YAML (``DataFrameSchema.from_yaml`` reads it back;
    ``--schema`` reads it, edited)."""
    from webinar_validate.contract.schema import session_schema

    return str(session_schema().to_yaml())


SCHEMAS: dict[str, Callable[[], Any]] = {
    "session-row.schema.json": row_schema,
    "report.schema.json": report_schema,
    "session-row.pandera.yaml": pandera_yaml,
}


def render(name: str) -> str:
    """The committed text of one schema file."""
    made = SCHEMAS[name]()
    if isinstance(made, str):
        return made
    return json.dumps(made, indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write every schema into the folder given (default ``schemas``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    folder = Path(args[0] if args else "schemas")
    folder.mkdir(parents=True, exist_ok=True)
    for name in SCHEMAS:
        (folder / name).write_text(render(name), encoding="utf-8")
        print(folder / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
