"""Valid cells -> the normalised values CONTRACT.md's table gives for validRows, as Arrow arrays.

Columns stay column-wise (Arrow) so that a million valid rows cost arrays, not a million dicts:
the report builds row objects only when they are asked for, and writes JSON from the arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from webinar_validate.contract import cache as _context
from webinar_validate.contract import values as _values
from webinar_validate.contract.cache import Context
from webinar_validate.contract.cells import arrow_column, on_threads
from webinar_validate.contract.columns import Kind


def _language(text: str) -> str:
    lang, _, region = text.replace("_", "-").partition("-")
    return f"{lang.lower()}-{region.upper()}" if region else lang.lower()


def _arrow(series: pd.Series, kind: Any = None) -> Any:
    """A Series (Arrow-backed text, or Python objects with None) as one Arrow array."""
    if isinstance(series.dtype, (pd.StringDtype, pd.Int64Dtype)):
        array = arrow_column(series)
        return array if kind is None else array.cast(kind)
    return pa.array(series.to_numpy(dtype=object), type=kind, from_pandas=True)


def _instant_text(ctx: Context | Taken, col: str) -> Any:
    instants = pa.array(ctx.instants(col)[0])
    # Formatting a zoned timestamp looks up the zone per value (~3 s a million); the values are
    # UTC already, so format them as naive ones and write the T and the Z.
    naive = pc.cast(pc.cast(instants, pa.timestamp("ms", tz="UTC"), safe=False), pa.timestamp("ms"))
    text = pc.utf8_replace_slice(pc.cast(naive, pa.string()), 10, 11, "T")
    return pc.binary_join_element_wise(text, "Z", "")


def _per_unique(text: pd.Series, func: Any, kind: Any) -> Any:
    """``func`` of each distinct cell, as an Arrow array of ``kind`` (null where ``func`` gives
    None): one call and one Python object per distinct value, not per row."""
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    values = pa.array([*(func(value) for value in uniques), None], type=kind)
    return values.take(pa.array(np.where(codes < 0, len(uniques), codes)))


def _choices(text: pd.Series, choices: tuple[str, ...]) -> Any:
    table = {c.lower(): c for c in choices}
    return _per_unique(text, lambda value: table.get(value.lower()), pa.string())


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


def normalized(ctx: Context | Taken, col: str) -> Any:
    """The column's normalised values as an Arrow array; null where blank (every row)."""
    spec = ctx.contract.column(col)
    text = ctx.text(col)
    kind = spec.kind if spec else None
    if kind is None:
        return _arrow(ctx.raw(col))  # carried through unchanged, blanks included
    if kind is Kind.UUID:
        result = _arrow(text.str.lower())
    elif kind is Kind.INSTANT:
        result = _instant_text(ctx, col)
    elif kind is Kind.TIME_ZONE:
        result = _arrow(ctx.zones(col), pa.string())
    elif kind is Kind.CHOICE or (spec is not None and spec.choices):
        result = _choices(text, spec.choices if spec else ())
    elif kind is Kind.EMAILS:
        result = _per_unique(text, _values.split_emails, pa.list_(pa.string()))
    elif kind is Kind.INTEGER:
        result = _arrow(ctx.integers(col), pa.int64())
    elif kind is Kind.BOOLEAN:
        result = _per_unique(text, lambda value: _values.BOOLEANS.get(value.lower()), pa.bool_())
    elif kind is Kind.LANGUAGE:
        result = _per_unique(text, _language, pa.string())
    else:
        result = _arrow(text)
    blank = ctx.blank(col).to_numpy(dtype=bool)
    if blank.any():
        result = pc.if_else(pa.array(blank), pa.scalar(None, result.type), result)
    return result


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
