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

from webinar_validate.contract.columns import ColumnSpec, Kind, SessionContract
from webinar_validate.contract.values import UUID, accepted_zones
from webinar_validate.report.model import DryRunReport

_INSTANT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$"


def _column_schema(spec: ColumnSpec) -> dict[str, Any]:
    """The JSON Schema of one column's normalised value in validRows."""
    schema: dict[str, Any]
    if spec.kind is Kind.INTEGER:
        schema = {"type": "integer"}
        if spec.minimum is not None:
            schema["minimum"] = spec.minimum
    elif spec.kind is Kind.BOOLEAN:
        schema = {"type": "boolean"}
    elif spec.kind is Kind.EMAILS:
        schema = {"type": "array", "items": {"type": "string", "format": "email"}, "minItems": 1}
    elif spec.kind is Kind.UUID:
        schema = {"type": "string", "format": "uuid", "pattern": f"^{UUID.replace('A-F', '')}$"}
    elif spec.kind is Kind.INSTANT:
        schema = {"type": "string", "format": "date-time", "pattern": _INSTANT}
    elif spec.kind is Kind.TIME_ZONE:
        schema = {"type": "string", "enum": accepted_zones()}
    elif spec.kind is Kind.URL:
        schema = {"type": "string", "format": "uri", "pattern": "^https://"}
    elif spec.kind is Kind.LANGUAGE:
        schema = {"type": "string", "pattern": "^[a-z]{2}(?:-[A-Z]{2})?$"}
    else:
        schema = {"type": "string"}
    if spec.choices:
        schema["enum"] = list(spec.choices)
    if spec.max_length is not None:
        schema["maxLength"] = spec.max_length
    if spec.pattern is not None:
        schema["pattern"] = spec.pattern
    if spec.description:
        schema["description"] = spec.description
    if not spec.required:
        schema = {"anyOf": [schema, {"type": "null"}]} | (
            {"description": schema.pop("description")} if "description" in schema else {}
        )
    return schema


def row_schema(contract: SessionContract | None = None) -> dict[str, Any]:
    """The JSON Schema of a valid row's normalised ``values``."""
    contract = contract or SessionContract.DEFAULT
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Webinar session row (normalised values of a valid row)",
        "type": "object",
        "properties": {spec.name: _column_schema(spec) for spec in contract.columns},
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
