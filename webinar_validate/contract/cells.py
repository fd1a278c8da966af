"""Column-wise helpers every check and the cache share: Arrow views of text columns, trimming,
ISO 8601 instants parsed by Arrow, per-distinct-value work, and a small thread pool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa

from webinar_validate.contract import scans as _bytescan
from webinar_validate.contract import values as _values
from webinar_validate.contract.values import ISO_WITH_OFFSET
from webinar_validate.table import take

_MAX_DIGITS = 15
T = TypeVar("T")
R = TypeVar("R")
THREADS = 2
"""Column work on big files runs on this many threads (Arrow's kernels release the GIL)."""


def to_int(text: object) -> int | None:
    """A whole number's value, or None when it is not text or has more than 15 digits."""
    if not isinstance(text, str):
        return None
    whole = text.split(".", 1)[0]
    if len(whole.lstrip("+-")) > _MAX_DIGITS:
        return None
    return int(whole)


def _as_text(cells: pd.Series) -> pd.Series:
    """A column given to a check outside a run, as text cells: missing values are blank."""
    if isinstance(cells.dtype, pd.StringDtype):
        return cells.fillna("")
    return pd.Series(
        pd.array(["" if _missing(v) else str(v) for v in cells.tolist()], dtype="str"),
        index=cells.index,
    )


def _missing(value: object) -> bool:
    try:
        return value is None or bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def on_threads(func: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[func(item) for item in items]``, computed on THREADS threads."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(func, items))


_PARSE_BLOCK = 1 << 16


def arrow_values(series: pd.Series) -> Any:
    """The Arrow array behind a Series, chunked as it is stored (no copy); None when the Series
    is not Arrow-backed (the checks then fall back to pandas' own string methods)."""
    if not hasattr(series.array, "__arrow_array__"):
        return None
    return pa.array(series.array)


def trimmed_text(raw: pd.Series) -> pd.Series:
    """The cells without the white space around them (``_values.TRIMMED``, what
    ``_values.trim`` removes); the column itself when no cell changes (the usual case), so that
    a big file is not held twice."""
    values = arrow_values(raw)
    if values is not None:
        stripped = _bytescan.trimmed(values, _values.TRIMMED)  # first and last bytes decide
        if stripped is values:
            return raw
        text = pd.Series(pd.array(stripped, dtype="str"), index=raw.index)
    else:
        text = raw.str.strip(_values.TRIMMED)
    if raw.str.len().sum() == text.str.len().sum():
        return raw
    return text


def arrow_column(series: pd.Series) -> Any:
    """An Arrow-backed Series as one Arrow array (its chunks combined)."""
    array = pa.array(series.array)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def parse_instants(text: pd.Series, keep: pd.Series, *, utc: bool) -> pd.Series:
    """``pd.to_datetime(text.where(keep), format="ISO8601", utc=utc, errors="coerce")``, in
    microseconds, by Arrow's C parser (~7x faster); a block with a value Arrow refuses (an
    impossible date such as 30 February) is parsed by pandas instead, so the result is the same.
    """
    import pyarrow.compute as pc

    values = arrow_column(text)
    values = pc.if_else(pa.array(keep.to_numpy(dtype=bool)), values, pa.scalar(None, values.type))
    unit = pa.timestamp("us", tz="UTC" if utc else None)
    out = np.empty(len(values), dtype="datetime64[us]")
    for start in range(0, len(values), _PARSE_BLOCK):
        part = values.slice(start, _PARSE_BLOCK)
        try:
            parsed = pc.cast(part, unit).to_numpy(zero_copy_only=False)
        except pa.ArrowInvalid:
            some = pd.Series(part.to_pylist(), dtype=object)
            found = pd.to_datetime(some, format="ISO8601", utc=utc, errors="coerce")
            parsed = (found.dt.tz_convert(None) if utc else found).to_numpy()
        out[start : start + len(part)] = parsed.astype("datetime64[us]")
    result: Any = pd.Series(out, index=text.index)
    instants: pd.Series = result.dt.tz_localize("UTC") if utc else result
    return instants


def _ends_with_offset(text: pd.Series) -> pd.Series:
    """Of cells shaped like ISO_SHAPE, True where the offset is there: ``Z`` last, or ``+`` or
    ``-`` sixth from the end (a time without offset has only digits, ``:``, ``.``, or the ``T``
    or the space between date and time there: ``2026-09-10 10:00``). Read off the bytes: one
    regular expression per column instead of two."""
    values = arrow_values(text)
    if values is None:
        return text.str.fullmatch(ISO_WITH_OFFSET).fillna(False).astype(bool)
    last = _bytescan.byte_from_end(values, 1)
    sign = _bytescan.byte_from_end(values, 6)
    ends = (last == ord("Z")) | (sign == ord("+")) | (sign == ord("-"))
    return pd.Series(ends, index=text.index)


def _places(index: pd.Index, wanted: list[Any]) -> tuple[np.ndarray, list[Any]]:
    """(positions in ``index``, labels) of the wanted labels it holds."""
    where = index.get_indexer(pd.Index(wanted))
    found = where >= 0
    return where[found], index[where[found]].tolist()


def at(series: pd.Series, index: Any) -> Any:
    """One cell of a Series, untyped (pandas-stubs types ``.at`` as a union of every scalar)."""
    value: Any = series.at[index]
    return value


def per_value(series: pd.Series, func: Any) -> pd.Series:
    """Apply a per-value function once per distinct value; an object Series (None for NA)."""
    codes, results = per_value_codes(series, func)
    return pd.Series(results[codes], index=series.index, dtype=object)


def per_value_codes(series: pd.Series, func: Any) -> tuple[np.ndarray, np.ndarray]:
    """(codes, results): ``func`` of each distinct value once, ``results[codes]`` each cell's
    (the last result, None, is an NA cell's: code -1)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    results[:-1] = [func(value) for value in uniques]
    results[-1] = None
    return np.asarray(codes), results


def values_at(series: pd.Series, positions: np.ndarray) -> list[Any]:
    """The values of an extension-typed Series at ``positions``, as Python objects; text
    backed by Arrow is taken from the span of the positions alone (``table.take``)."""
    values = arrow_values(series)
    if values is not None and (
        pa.types.is_large_string(values.type) or pa.types.is_string(values.type)
    ):
        found: list[Any] = take(values, positions).to_pylist()
        return found
    listed: list[Any] = series.array.take(positions).tolist()
    return listed
