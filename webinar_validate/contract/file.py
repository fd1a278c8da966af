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
import reprlib
import stat
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from webinar_validate.contract.columns import (
    ColumnSpec,
    Kind,
    Rule,
    SessionContract,
    normalize_header,
)
from webinar_validate.errors import UsageError

if TYPE_CHECKING:
    import pandera.pandas as pa

__all__ = [
    "COLUMN_KEYS",
    "MAX_SCHEMA_BYTES",
    "TOP_LEVEL_KEYS",
    "TYPES",
    "load_contract",
    "load_schema_file",
    "parse_contract",
]

MAX_SCHEMA_BYTES = 1 << 20
"""The largest schema file read (1 MiB): far more than any real one."""

TYPES: dict[str, Kind] = {
    "text": Kind.TEXT,
    "integer": Kind.INTEGER,
    "boolean": Kind.BOOLEAN,
    "datetime": Kind.INSTANT,
    "uuid": Kind.UUID,
    "url": Kind.URL,
    "email": Kind.EMAIL,  # one address
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
    return load_schema_file(path, base)[0]


def load_schema_file(
    path: str | os.PathLike[str], base: SessionContract | None = None
) -> tuple[SessionContract, pa.DataFrameSchema | None]:
    """A ``--schema`` file: the contract it makes, and the pandera schema to judge by.

    A file of our own format (``columns:`` to add) extends ``base``; a pandera schema in YAML
    (``schema_type: dataframe``, as ``session_schema().to_yaml()`` writes it and a user edits
    it) is the whole contract: its columns, names and checks replace the built-in ones.
    """
    where = os.fspath(path)
    data = _read(where)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(
            f"schema file {where} is not UTF-8 text; save it as UTF-8 (YAML or JSON)"
        ) from None
    parsed = _parse(where, text)
    if isinstance(parsed, Mapping) and "schema_type" in parsed:
        schema = _pandera_schema(where, parsed)
        from webinar_validate.contract.schema import contract_from_schema

        return contract_from_schema(schema, base), schema
    return parse_contract(parsed, source=where, base=base), None


def _pandera_schema(where: str, data: Mapping[str, Any]) -> pa.DataFrameSchema:
    """A pandera schema from its parsed YAML; every problem a UsageError naming the file."""
    import pandera.pandas as pandera_pandas
    from pandera.io.pandas_io import deserialize_schema

    from webinar_validate.contract import schema as _schema  # registers our checks

    try:
        schema: Any = deserialize_schema(dict(data))  # type: ignore[no-untyped-call]
        _schema.check_schema(schema)
    except Exception as exc:
        why = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        raise UsageError(f"{where}: not a pandera schema this tool can judge by: {why}") from None
    if not isinstance(schema, pandera_pandas.DataFrameSchema):
        raise UsageError(f"{where}: a pandera schema of a DataFrame is needed (schema_type)")
    return schema


def _read(where: str) -> bytes:
    """The bytes of a schema file: a regular file of at most MAX_SCHEMA_BYTES, asked before it
    is opened (a pipe would wait for a writer, a device such as /dev/zero never ends)."""
    try:
        info = os.stat(where)
    except FileNotFoundError:
        raise UsageError(f"schema file {where} does not exist") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read schema file {where}: {_reason(exc)}") from None
    _must_be_small_file(where, info)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        # O_NONBLOCK: if a pipe took the file's place since the check, opening it does not wait.
        with open(os.open(where, flags), "rb") as stream:
            _must_be_small_file(where, os.fstat(stream.fileno()))
            data = stream.read(MAX_SCHEMA_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read schema file {where}: {_reason(exc)}") from None
    if len(data) > MAX_SCHEMA_BYTES:
        _too_big(where)
    return data


def _must_be_small_file(where: str, info: os.stat_result) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"schema file {where} is a folder; give the path of a .yaml or .json file")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(
            f"schema file {where} is not a regular file (it is a pipe or a device); "
            "give the path of a .yaml or .json file"
        )
    if info.st_size > MAX_SCHEMA_BYTES:
        _too_big(where)


def _too_big(where: str) -> None:
    raise UsageError(
        f"schema file {where} is larger than 1 MiB, the most a schema file may be; "
        "is it the right file?"
    )


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def _parse(where: str, text: str) -> Any:
    try:
        return _parse_text(where, text)
    except RecursionError:
        raise UsageError(f"{where}: nested too deeply to be a schema file") from None
    except ValueError as exc:  # a number too long, an impossible date: not syntax errors
        why = str(exc).split(":", 1)[0][:120]
        raise UsageError(
            f"{where}: a value cannot be read ({why}); check the numbers and dates"
        ) from None


def _parse_text(where: str, text: str) -> Any:
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
            raise UsageError(
                f"{source}: max_session_hours must be a number above 0, not {_shown(hours)}"
            )
        contract = replace(contract, max_session_hours=float(hours))
    columns = data.get("columns", [])
    if not isinstance(columns, list):
        raise UsageError(f"{source}: columns must be a list of columns, not {_kind(columns)}")
    taken = {normalize_header(name): name for name in contract.names}
    specs: list[ColumnSpec] = []
    rules: dict[str, tuple[Rule, ...]] = dict(contract.extra_rules)
    for number, item in enumerate(columns, start=1):
        spec, _ = _column(item, f"{source}: column {number}", taken)
        taken[normalize_header(spec.name)] = spec.name
        specs.append(spec)
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
    if not isinstance(type_name, str) or type_name not in TYPES:
        raise UsageError(f"{where}: type must be one of {_keys(TYPES)}, not {_shown(type_name)}")
    required = item.get("required", False)
    if not isinstance(required, bool):
        raise UsageError(f"{where}: required must be true or false, not {_shown(required)}")
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
                f"{where}: unknown key {_shown(key)}{place}; the keys allowed are {_keys(allowed)}"
            )


def _whole(value: Any, least: int | None, where: str, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"{where}: {key} must be a whole number, not {_shown(value)}")
    if least is not None and value < least:
        raise UsageError(f"{where}: {key} must be {least} or more, not {value}")
    return value


def _pattern(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise UsageError(
            f"{where}: pattern must be a regular expression in quotes, not {_shown(value)}"
        )
    try:
        re.compile(value)
    except (re.error, RecursionError, OverflowError) as exc:
        why = exc if isinstance(exc, re.error) else "it is nested too deeply"
        raise UsageError(
            f"{where}: pattern {_shown(value)} is not a valid regular expression: {why}"
        ) from None
    return value


def _choices(value: Any, where: str, type_name: str) -> tuple[str, ...]:
    if type_name != "text":
        raise UsageError(f"{where}: choices apply to text columns, not to {type_name}")
    if not isinstance(value, list) or not value:
        raise UsageError(f"{where}: choices must be a non-empty list, not {_shown(value)}")
    out: list[str] = []
    for choice in value:
        if isinstance(choice, bool) or not isinstance(choice, str | int | float):
            hint = " (put yes, no, on and off in quotes)" if isinstance(choice, bool) else ""
            raise UsageError(f"{where}: every choice must be text, not {_shown(choice)}{hint}")
        out.append(str(choice).strip())
    return tuple(out)


def _keys(keys: Mapping[str, Any] | tuple[str, ...]) -> str:
    return ", ".join(keys)


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return _shown(value)


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict = 2, 4, 4
_SHORT.maxstring = _SHORT.maxother = 80


def _shown(value: Any) -> str:
    """A value from the file as a message shows it: cut short, so that a value built from YAML
    aliases (a billion nested lists from a few lines) costs nothing to show."""
    return _SHORT.repr(value)
