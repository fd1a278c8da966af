"""The verdict of pandera's run, as arrays: the first failing check of each failing cell.

A :class:`Plan` reads the schema the run validates by: each column's checks become its rules
in judging order (its own column checks, then the DataFrame-level checks that report on it).
pandera's failure cases say which check failed on which row; :func:`first_failures` keeps the
first one of each cell as sorted integer arrays. A check that is not in the schema is not run
and cannot fail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.pandas as pa

from webinar_validate.contract.checks import OWN_CHECKS, built_in
from webinar_validate.contract.columns import Rule
from webinar_validate.contract.cross import CROSS_CHECKS
from webinar_validate.contract.schema import check_schema, known_check, user_rule


@dataclass
class Plan:
    """What the schema asks of each column, as the rules the run computes and explains."""

    rules: dict[str, list[Rule]] = field(default_factory=dict)
    """Per column, its rules in judging order."""
    column_checks: dict[str, list[int]] = field(default_factory=dict)
    """Per column, the rule of each of its pandera checks (by check number)."""
    frame_checks: list[tuple[str, int]] = field(default_factory=list)
    """Per DataFrame-level check (by check number): the column it reports on, and its rule."""

    def own(self, column: str) -> tuple[Rule, ...]:
        """The rules of a cell's own checks on a column."""
        return tuple(rule for rule in self.rules.get(column, ()) if rule.own)


def plan_of(
    schema: pa.DataFrameSchema,
    unknown: Sequence[str] = (),
    unknown_checks: Sequence[pa.Check] = (),
) -> Plan:
    """The rules of every check of ``schema``, column by column, and of ``unknown_checks`` on
    each ``unknown`` column after them (as if they were columns of the schema: building a
    schema of thousands of columns costs pandera a deep copy of each)."""
    check_schema(schema)
    plan = Plan()
    for name, column in schema.columns.items():
        rules = plan.rules.setdefault(str(name), [])
        numbers = plan.column_checks.setdefault(str(name), [])
        for check in column.checks:
            numbers.append(len(rules))
            rules.append(_column_rule(check))
    shared = [_column_rule(check) for check in unknown_checks]
    for name in unknown:
        plan.rules[name] = list(shared)
        plan.column_checks[name] = list(range(len(shared)))
    for check in schema.checks:
        found = user_rule(check)
        if found is None:
            stats = dict(check.statistics or {})
            reported = str(stats.pop("column", ""))
            rule = built_in(known_check(check, CROSS_CHECKS), **stats)
        else:
            rule, reported = found
        rules = plan.rules.setdefault(reported, [])
        plan.frame_checks.append((reported, len(rules)))
        rules.append(rule)
    return plan


def _column_rule(check: pa.Check) -> Rule:
    found = user_rule(check)
    if found is not None:
        return found[0]
    return built_in(known_check(check, OWN_CHECKS), **(check.statistics or {}))


@dataclass(frozen=True)
class Failures:
    """The first failing rule of each failing cell, sorted by row, then column (frame order)."""

    index: np.ndarray
    """The frame index of the row, per failure."""
    column: np.ndarray
    """The failing column, as its position in ``columns``."""
    rule: np.ndarray
    """The failing rule, as its position in ``rules``."""
    columns: list[str]
    rules: list[Rule]

    @classmethod
    def none(cls, plan: Plan) -> Failures:
        """No failing cell."""
        empty = np.zeros(0, dtype=np.int64)
        return cls(empty, empty, empty, list(plan.rules), [])


def first_failures(plan: Plan, cases: pd.DataFrame) -> Failures:
    """The first failing rule of each failing cell, from pandera's failure cases.

    Rules are numbered column by column in judging order; a cell's first failing rule is the
    lowest number among its failure cases.
    """
    columns = list(plan.rules)
    rules = [rule for column in columns for rule in plan.rules[column]]
    starts = np.cumsum([0, *(len(plan.rules[c]) for c in columns)])[:-1]
    first_rule = dict(zip(columns, starts.tolist(), strict=True))
    position = {column: c for c, column in enumerate(columns)}
    where = pd.to_numeric(cases["index"], errors="coerce")
    if where.isna().any():  # a check that could not run: never a verdict about a cell
        problem = cases[where.isna()].iloc[0]
        raise RuntimeError(f"the check {problem['check']} could not run: {problem['failure_case']}")
    number = cases["check_number"].to_numpy(dtype=np.int64)
    on_frame = (cases["schema_context"] == "DataFrameSchema").to_numpy(dtype=bool)
    # Each (column, check) pair is looked up once, not once per failing cell.
    codes, names = pd.factorize(cases["column"].astype(str))
    width = int(number.max()) + 1 if len(number) else 1
    keys = np.where(on_frame, -1 - number, np.asarray(codes, dtype=np.int64) * width + number)
    unique, inverse = np.unique(keys, return_inverse=True)
    column_of = np.empty(len(unique), dtype=np.int64)
    rule_of = np.empty(len(unique), dtype=np.int64)
    for u, key in enumerate(unique.tolist()):
        if key < 0:
            name, nth = plan.frame_checks[-1 - key]
        else:
            name = str(names[key // width])
            nth = plan.column_checks[name][key % width]
        column_of[u] = position[name]
        rule_of[u] = first_rule[name] + nth
    column = column_of[inverse]
    rule = rule_of[inverse]
    index = where.to_numpy().astype(np.int64)
    order = np.lexsort((rule, column, index))
    index, column, rule = index[order], column[order], rule[order]
    first = np.ones(len(index), dtype=bool)
    first[1:] = (index[1:] != index[:-1]) | (column[1:] != column[:-1])
    return Failures(index[first], column[first], rule[first], columns, rules)
