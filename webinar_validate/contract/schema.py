"""The contract as a pandera schema: ``session_schema(contract)`` and ``SessionRow``.

Every rule is one pandera Check named by its error code. A built-in rule's logic is a check
method registered with ``pandera.extensions.register_check_method`` (``Check.too_long(
max_length=255)``), so a schema written with ``to_yaml()`` reads back with ``from_yaml()`` and
judges the same. A cell's own checks are column checks; rules that compare cells are
DataFrame-level checks whose ``column`` statistic names the column they report on; a rule of
the user's (a Python :class:`Rule`) is a DataFrame-level check of its own.

The checks reach the engine's per-run cache (:class:`Context`) when it is validating, and
compute everything afresh when the schema is used with pandera alone.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera import extensions

from webinar_validate.contract.cache import Context
from webinar_validate.contract.checks import OWN_CHECKS, UNKNOWN_COLUMN, built_in, own_rules
from webinar_validate.contract.columns import (
    SESSION_COLUMNS,
    ColumnSpec,
    Kind,
    Rule,
    SessionContract,
)
from webinar_validate.contract.cross import CROSS_CHECKS, cross_checks

__all__ = [
    "SessionRow",
    "check_schema",
    "column_rules",
    "contract_from_schema",
    "session_schema",
    "unknown_column_checks",
]


def column_rules(contract: SessionContract, spec: ColumnSpec) -> tuple[Rule, ...]:
    """A column's own rules in judging order: the built-in ones, then the user's."""
    return own_rules(spec) + tuple(r for r in contract.added_rules(spec.name) if r.own)


def _own_rules_of(contract: SessionContract) -> Callable[[str], tuple[Rule, ...]]:
    def rules(name: str) -> tuple[Rule, ...]:
        return column_rules(contract, contract.column(name) or UNKNOWN_COLUMN)

    return rules


def _context(cells: pd.Series | pd.DataFrame) -> Context:
    contract = SessionContract.DEFAULT
    return Context.of(cells, contract, _own_rules_of(contract))


def _series_check(name: str) -> None:
    names = OWN_CHECKS[name][3]

    def check(series: pd.Series, **stats: Any) -> pd.Series:
        ctx = _context(series)
        return ~ctx.failing(str(series.name), built_in(name, **stats))

    _register(check, name, names, pd.Series)


def _frame_check(name: str) -> None:
    names = ("column", *CROSS_CHECKS[name][3])

    def check(frame: pd.DataFrame, **stats: Any) -> pd.Series:
        column = stats.pop("column")
        ctx = _context(frame)
        return _passes_but(frame, column, ctx.failing(column, built_in(name, **stats)))

    _register(check, name, names, pd.DataFrame)


def _passes_but(frame: pd.DataFrame, column: str, fails: pd.Series) -> pd.Series:
    """A DataFrame check's result: True for each row but where ``column`` fails (the check's
    ``column`` statistic names the cell)."""
    return pd.Series(~fails.to_numpy(dtype=bool), index=frame.index)


def _register(check: Callable[..., Any], name: str, names: tuple[str, ...], kind: type) -> None:
    if hasattr(pa.Check, name):  # registered once a process (a module reloaded keeps it)
        return
    check.__name__ = check.__qualname__ = name
    params = [inspect.Parameter("cells", inspect.Parameter.POSITIONAL_ONLY)]
    params += [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None) for n in names]
    check.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    extensions.register_check_method(
        check, statistics=list(names), supported_types=kind, check_type="vectorized"
    )


for _name in OWN_CHECKS:
    _series_check(_name)
for _name in CROSS_CHECKS:
    _frame_check(_name)


def _yaml_ready(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def as_check(rule: Rule, column: str | None = None) -> pa.Check:
    """A rule as a pandera Check named by its code (``column``: the column a DataFrame-level
    check reports on)."""
    options = {"error": str(rule.code), "ignore_na": False}
    if rule.check:
        stats = {name: _yaml_ready(value) for name, value in rule.stats}
        if column is not None:
            stats = {"column": column, **stats}
        method: Callable[..., pa.Check] = getattr(pa.Check, rule.check)
        return method(**stats, **options)
    return _user_check(rule, column or "")


def _user_check(rule: Rule, column: str) -> pa.Check:
    """A rule of the user's: a DataFrame-level check (it may read any column), named by its
    code; not a registered method, so it is not written to YAML."""

    def check(frame: pd.DataFrame) -> pd.Series:
        return _passes_but(frame, column, _context(frame).failing(column, rule))

    check.rule = rule  # type: ignore[attr-defined]  # how the engine finds its message
    check.column = column  # type: ignore[attr-defined]
    return pa.Check(
        check,
        name=str(rule.code),
        error=str(rule.code),
        ignore_na=False,
        statistics={"column": column},
    )


def user_rule(check: pa.Check) -> tuple[Rule, str] | None:
    """(the rule, the column it reports on) of a check made from a rule of the user's."""
    function = getattr(check, "_check_fn", None)
    rule = getattr(function, "rule", None)
    return (rule, getattr(function, "column", "")) if isinstance(rule, Rule) else None


COMPARED = ("column", "start", "when", "seats", "opens", "session_end", "course", "title")
"""The statistics of the built-in cross-cell checks that name a column."""


def known_check(check: pa.Check, checks: Mapping[str, object]) -> str:
    """The name of a built-in check; ValueError naming the ones there are for any other."""
    name = str(check.name)
    if name not in checks:
        raise ValueError(
            f"the schema's check {name} is not one of webinar_validate's: "
            f"use {', '.join(sorted(checks))}"
        )
    return name


def check_schema(schema: pa.DataFrameSchema) -> None:
    """ValueError, in words a user can act on, for a schema the engine cannot judge by: a check
    that is not ours, or a cross-cell check naming a column the schema does not have."""
    for column in schema.columns.values():
        for check in column.checks:
            if user_rule(check) is None:
                known_check(check, OWN_CHECKS)
    for check in schema.checks:
        if user_rule(check) is not None:
            continue
        known_check(check, CROSS_CHECKS)
        for key in COMPARED:
            name = (check.statistics or {}).get(key)
            if isinstance(name, str) and name not in schema.columns:
                raise ValueError(
                    f"the schema's check {check.name} names the column {name} ({key}), which "
                    "the schema does not have: rename it there too, or remove the check"
                )


def unknown_column_checks() -> list[pa.Check]:
    """The checks of a column the contract does not know: those of a text column."""
    return [as_check(rule) for rule in own_rules(UNKNOWN_COLUMN)]


def session_schema(contract: SessionContract | None = None) -> pa.DataFrameSchema:
    """The pandera schema of a contract (the default one when None), usable with pandera alone.

    ``session_schema().validate(df, lazy=True)`` raises ``SchemaErrors`` whose failure cases
    name each failing cell (column, index) with the error code as the check. Cells are text;
    a missing value is a blank cell.
    """
    contract = contract or SessionContract.DEFAULT
    columns = {
        spec.name: pa.Column(
            checks=[as_check(rule) for rule in own_rules(spec)],
            required=spec.required,
            nullable=True,
            description=spec.description or None,
        )
        for spec in contract.columns
    }
    checks = [
        as_check(built_in(name, **stats), column) for name, column, stats in cross_checks(contract)
    ]
    for spec in contract.columns:
        checks += [as_check(rule, spec.name) for rule in contract.added_rules(spec.name)]
    return pa.DataFrameSchema(
        columns, checks=checks, strict=False, coerce=False, name="session row"
    )


_KINDS = {
    "invalid_uuid": Kind.UUID,
    "invalid_slug": Kind.SLUG,
    "invalid_datetime": Kind.INSTANT,
    "invalid_time_zone": Kind.TIME_ZONE,
    "invalid_url": Kind.URL,
    "invalid_integer": Kind.INTEGER,
    "invalid_boolean": Kind.BOOLEAN,
    "invalid_language": Kind.LANGUAGE,
}


def contract_from_schema(
    schema: pa.DataFrameSchema, base: SessionContract | None = None
) -> SessionContract:
    """The contract a pandera schema describes: its columns, whether each is required, and
    what its checks say of it (the kind, a length, choices, a minimum, a pattern).

    A schema written by ``session_schema(...).to_yaml()`` and edited (a column renamed, choices
    or lengths changed) reads back as the contract it now describes.
    """
    base = base or SessionContract.DEFAULT
    specs = [_spec_of(str(name), column) for name, column in schema.columns.items()]
    hours = [
        float(check.statistics["max_hours"])
        for check in schema.checks
        if check.name == "session_too_long" and check.statistics.get("max_hours") is not None
    ]
    return replace(
        base,
        columns=tuple(specs),
        max_session_hours=hours[0] if hours else base.max_session_hours,
        extra_rules={},
    )


def _spec_of(name: str, column: Any) -> ColumnSpec:
    stats = {str(check.name): dict(check.statistics) for check in column.checks}
    kind = next((_KINDS[n] for n in stats if n in _KINDS), Kind.TEXT)
    if "invalid_email" in stats:
        kind = Kind.EMAIL if stats["invalid_email"].get("single") else Kind.EMAILS
    elif kind is Kind.TEXT and "invalid_choice" in stats:
        kind = Kind.CHOICE
    pattern = stats.get("invalid_slug", stats.get("invalid_pattern", {})).get("pattern")
    return ColumnSpec(
        name,
        kind,
        required="required_cell" in stats,
        max_length=stats.get("too_long", {}).get("max_length"),
        choices=tuple(stats.get("invalid_choice", {}).get("choices") or ()),
        minimum=stats.get("out_of_range", {}).get("minimum"),
        pattern=pattern,
        description=column.description or "",
    )


def _session_row() -> type[pa.DataFrameModel]:
    """A DataFrameModel of the default contract over text cells: its fields are the contract's
    columns, and its schema is ``session_schema()`` itself (every rule, cross-cell ones too)."""
    from pandera.typing import Series

    annotations: dict[str, Any] = {}
    body: dict[str, Any] = {"__module__": __name__, "__doc__": _ROW_DOC}
    for spec in SESSION_COLUMNS:
        annotations[spec.name] = Series[str] if spec.required else Series[str] | None
        body[spec.name] = pa.Field(nullable=True, description=spec.description)
    body["__annotations__"] = annotations

    def to_schema(cls: type[pa.DataFrameModel]) -> pa.DataFrameSchema:
        return session_schema()

    body["to_schema"] = classmethod(to_schema)
    return type("SessionRow", (pa.DataFrameModel,), body)


_ROW_DOC = """One session row of the default contract, over text cells: use it with
``pandera.check_types`` (``def load(df: DataFrame[SessionRow])``)."""

SessionRow = _session_row()
