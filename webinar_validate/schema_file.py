"""``--schema FILE``: extend the contract without Python, from a YAML or JSON file.

The file adds columns and can set the limits::

    max_rows: 2000            # optional; --max-rows on the command line wins
    max_session_hours: 48     # optional
    columns:
      - name: region
        type: text            # text (default), integer, boolean, datetime, uuid, url, email
        required: true
        choices: [EMEA, AMER, APAC]
      - name: costCenter
        pattern: "[A-Z]{2}-[0-9]{4}"
        max_length: 7

Every mistake in the file, an unknown key above all, is a :class:`UsageError` naming the file and
the key: the command exits with status 2 before it reads any spreadsheet.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from webinar_validate.codes import Code
from webinar_validate.contract import ColumnSpec, Kind, Rule, SessionContract, normalize_header
from webinar_validate.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

    from webinar_validate._context import Context

__all__ = ["COLUMN_KEYS", "TOP_LEVEL_KEYS", "TYPES", "load_contract", "parse_contract"]

TYPES: dict[str, Kind] = {
    "text": Kind.TEXT,
    "integer": Kind.INTEGER,
    "boolean": Kind.BOOLEAN,
    "datetime": Kind.INSTANT,
    "uuid": Kind.UUID,
    "url": Kind.URL,
    "email": Kind.TEXT,  # one address; judged by the extra rule below
}
TOP_LEVEL_KEYS = ("columns", "max_rows", "max_session_hours")
COLUMN_KEYS = (
    "name",
    "type",
    "required",
    "pattern",
    "choices",
    "max_length",
    "minimum",
    "description",
)
_TEXT_LIKE = ("text", "email", "url", "uuid")


def load_contract(
    path: str | os.PathLike[str], base: SessionContract | None = None
) -> SessionContract:
    """The contract ``base`` (default: the session contract) extended by a schema file."""
    where = os.fspath(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"schema file {where} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read schema file {where}: {exc}") from None
    return parse_contract(_parse(where, text), source=where, base=base)


def _parse(where: str, text: str) -> Any:
    if where.lower().endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(
                f"{where}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
            ) from None
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise UsageError(f"{where}: not valid YAML{at}: {problem}") from None


def parse_contract(
    data: Any, *, source: str = "<schema>", base: SessionContract | None = None
) -> SessionContract:
    """The contract ``base`` extended by already-parsed schema data (a mapping)."""
    base = base or SessionContract.DEFAULT
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise UsageError(
            f"{source}: the schema must be a mapping with the keys {_keys(TOP_LEVEL_KEYS)}"
        )
    _no_unknown_keys(data, TOP_LEVEL_KEYS, source, "at the top level")
    contract = base
    if "max_rows" in data:
        contract = replace(contract, max_rows=_whole(data["max_rows"], 0, source, "max_rows"))
    if "max_session_hours" in data:
        hours = data["max_session_hours"]
        if isinstance(hours, bool) or not isinstance(hours, int | float) or not hours > 0:
            raise UsageError(f"{source}: max_session_hours must be a number above 0, not {hours!r}")
        contract = replace(contract, max_session_hours=float(hours))
    columns = data.get("columns", [])
    if not isinstance(columns, list):
        raise UsageError(f"{source}: columns must be a list of columns, not {_kind(columns)}")
    taken = {normalize_header(name): name for name in contract.names}
    specs: list[ColumnSpec] = []
    rules: dict[str, tuple[Rule, ...]] = dict(contract.extra_rules)
    for number, item in enumerate(columns, start=1):
        spec, is_email = _column(item, f"{source}: column {number}", taken)
        taken[normalize_header(spec.name)] = spec.name
        specs.append(spec)
        if is_email:
            rules[spec.name] = (*rules.get(spec.name, ()), _ONE_EMAIL)
    return replace(contract.with_columns(specs), extra_rules=rules)


def _column(item: Any, where: str, taken: dict[str, str]) -> tuple[ColumnSpec, bool]:
    if not isinstance(item, Mapping):
        raise UsageError(f"{where} must be a mapping with a name, not {_kind(item)}")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise UsageError(f"{where} needs a name (the column's header text)")
    name = name.strip()
    where = f"{where} ({name})"
    _no_unknown_keys(item, COLUMN_KEYS, where, "")
    if normalize_header(name) in taken:
        other = taken[normalize_header(name)]
        raise UsageError(
            f"{where}: {other} is already a column of the contract; a schema file adds new "
            "columns (subclass SessionContract in Python to change an existing one)"
        )
    type_name = item.get("type", "text")
    if type_name not in TYPES:
        raise UsageError(f"{where}: type must be one of {_keys(TYPES)}, not {type_name!r}")
    required = item.get("required", False)
    if not isinstance(required, bool):
        raise UsageError(f"{where}: required must be true or false, not {required!r}")
    pattern = item.get("pattern")
    if pattern is not None:
        pattern = _pattern(pattern, where)
    choices = _choices(item["choices"], where, type_name) if "choices" in item else ()
    max_length = None
    if "max_length" in item:
        if type_name not in _TEXT_LIKE:
            raise UsageError(f"{where}: max_length applies to text columns, not to {type_name}")
        max_length = _whole(item["max_length"], 1, where, "max_length")
    minimum = None
    if "minimum" in item:
        if type_name != "integer":
            raise UsageError(f"{where}: minimum applies to integer columns, not to {type_name}")
        minimum = _whole(item["minimum"], None, where, "minimum")
    description = item.get("description", "")
    if not isinstance(description, str):
        raise UsageError(f"{where}: description must be text, not {_kind(description)}")
    spec = ColumnSpec(
        name,
        TYPES[type_name],
        required=required,
        max_length=max_length,
        choices=choices,
        minimum=minimum,
        pattern=pattern,
        description=description,
    )
    return spec, type_name == "email"


def _no_unknown_keys(
    data: Mapping[Any, Any], allowed: tuple[str, ...], where: str, at: str
) -> None:
    for key in data:
        if key not in allowed:
            place = f" {at}" if at else ""
            raise UsageError(
                f"{where}: unknown key {key!r}{place}; the keys allowed are {_keys(allowed)}"
            )


def _whole(value: Any, least: int | None, where: str, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"{where}: {key} must be a whole number, not {value!r}")
    if least is not None and value < least:
        raise UsageError(f"{where}: {key} must be {least} or more, not {value}")
    return value


def _pattern(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise UsageError(f"{where}: pattern must be a regular expression in quotes, not {value!r}")
    try:
        re.compile(value)
    except re.error as exc:
        raise UsageError(
            f"{where}: pattern {value!r} is not a valid regular expression: {exc}"
        ) from None
    return value


def _choices(value: Any, where: str, type_name: str) -> tuple[str, ...]:
    if type_name != "text":
        raise UsageError(f"{where}: choices apply to text columns, not to {type_name}")
    if not isinstance(value, list) or not value:
        raise UsageError(f"{where}: choices must be a non-empty list, not {value!r}")
    out: list[str] = []
    for choice in value:
        if isinstance(choice, bool) or not isinstance(choice, str | int | float):
            hint = " (put yes, no, on and off in quotes)" if isinstance(choice, bool) else ""
            raise UsageError(f"{where}: every choice must be text, not {choice!r}{hint}")
        out.append(str(choice).strip())
    return tuple(out)


def _keys(keys: Mapping[str, Any] | tuple[str, ...]) -> str:
    return ", ".join(keys)


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


# --- the email type: exactly one address -----------------------------------------------------


def _not_one_email(ctx: Context, column: str) -> pd.Series:
    from webinar_validate._context import per_value

    return ~ctx.blank(column) & per_value(ctx.text(column), _email_problem).notna()


def _email_problem(cell: str) -> str | None:
    from webinar_validate import _values

    if len(_values.split_emails(cell)) > 1:
        return "give one address only"
    return _values.email_problem(cell)


def _one_email_msg(ctx: Context, column: str, index: Any, value: str) -> str:
    text = value.strip()
    return f"{column} {text!r} is not a valid e-mail address: {_email_problem(text)}"


_ONE_EMAIL = Rule(Code.INVALID_EMAIL, _not_one_email, _one_email_msg)
