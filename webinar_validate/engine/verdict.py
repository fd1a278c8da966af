"""The verdict of pandera's run, as arrays: the first failing check of each failing cell."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from webinar_validate.contract.columns import Rule, check_name

if TYPE_CHECKING:
    from webinar_validate.contract.cache import Context


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
    def none(cls, ctx: Context) -> Failures:
        """No failing cell."""
        empty = np.zeros(0, dtype=np.int64)
        return cls(empty, empty, empty, list(ctx.rules), [])


def first_failures(ctx: Context, cases: pd.DataFrame) -> Failures:
    """The first failing rule of each failing cell, from pandera's failure cases (which name the
    column) and the run's rule masks (which say the rule), a column at a time.

    Rules are numbered column by column in judging order.
    """
    columns = list(ctx.rules)
    rules = [rule for column in columns for rule in ctx.rules[column]]
    first_rule = np.cumsum([0, *(len(ctx.rules[column]) for column in columns)])
    number = {check_name(column): c for c, column in enumerate(columns)}
    found = cases["check"].map(number)
    where = pd.to_numeric(cases["index"], errors="coerce")
    keep = (found.notna() & where.notna()).to_numpy(dtype=bool)
    column = found.to_numpy()[keep].astype(np.int64)
    index = where.to_numpy()[keep].astype(np.int64)
    rule = np.full(len(index), -1, dtype=np.int64)
    for c in np.unique(column).tolist():
        picked = np.flatnonzero(column == c)
        rows = ctx.frame.index.get_indexer(pd.Index(index[picked]))
        masks = np.column_stack(
            [
                ctx.failing(columns[c], each).to_numpy(dtype=bool)[rows]
                for each in ctx.rules[columns[c]]
            ]
        )
        rule[picked] = first_rule[c] + masks.argmax(axis=1)
    order = np.lexsort((column, index))
    return Failures(index[order], column[order], rule[order], columns, rules)
