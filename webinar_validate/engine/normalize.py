"""Valid cells -> the normalised values CONTRACT.md's table gives for validRows, as Arrow arrays
(each kind's normaliser is in ``contract.kinds``).

Columns stay column-wise (Arrow) so that a million valid rows cost arrays, not a million dicts:
the report builds row objects only when they are asked for, and writes JSON from the arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from webinar_validate.contract import cache as _context
from webinar_validate.contract.cache import Context
from webinar_validate.contract.cells import on_threads
from webinar_validate.contract.columns import Kind
from webinar_validate.contract.kinds import normalized


class Taken:
    """What normalising the valid rows reads, taken out of a run: per column its text, blanks,
    the cells as read, and the parses its kind needs (instants, zones, whole numbers), as
    references to arrays the run made. It is not the run: no rule mask, no other cache.

    The valid rows are normalised from it when the report's rows are first used, so that
    ``validate_*`` does not pay for values nobody reads; it keeps what it read until then.
    """

    def __init__(self, ctx: Context, keys: list[str]) -> None:
        self.contract = ctx.contract
        self._text = {key: ctx.text(key) for key in keys}
        self._raw = {key: ctx.raw(key) for key in keys if ctx.contract.column(key) is None}
        kinds = {key: spec.kind for key in keys if (spec := ctx.contract.column(key))}
        self._instants = {k: ctx.instants(k) for k, kind in kinds.items() if kind is Kind.INSTANT}
        self._zones = {k: ctx.zones(k) for k, kind in kinds.items() if kind is Kind.TIME_ZONE}
        self._integers = {k: ctx.integers(k) for k, kind in kinds.items() if kind is Kind.INTEGER}

    def text(self, col: str) -> pd.Series:
        return self._text[col]

    def raw(self, col: str) -> pd.Series:
        return self._raw[col]

    def blank(self, col: str) -> pd.Series:
        return self._text[col] == ""

    def instants(self, col: str) -> tuple[pd.Series, pd.Series]:
        return self._instants[col]

    def zones(self, col: str) -> pd.Series:
        return self._zones[col]

    def integers(self, col: str) -> pd.Series:
        return self._integers[col]


def later(ctx: Context, keys: list[str], positions: np.ndarray) -> Callable[[], dict[str, Any]]:
    """``normalized_columns`` made when called, from what the run has :class:`Taken`."""
    taken = Taken(ctx, keys)

    def make() -> dict[str, Any]:
        return normalized_columns(taken, keys, positions)

    return make


def normalized_columns(
    ctx: Context | Taken, keys: list[str], positions: np.ndarray
) -> dict[str, Any]:
    """Each column's normalised values at the frame ``positions`` of the valid rows.

    Columns are normalised two at a time on big files: Arrow's kernels release the GIL, and
    every parse they read (text, dates, zones, integers) was cached by the checks.
    """
    where = pa.array(positions, type=pa.int64())

    def one(key: str) -> Any:
        return normalized(ctx, key).take(where)

    if len(positions) < _context.THREADED_ROWS:
        return {key: one(key) for key in keys}
    return dict(zip(keys, on_threads(one, keys), strict=True))
