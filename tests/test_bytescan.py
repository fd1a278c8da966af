"""The byte-buffer scans of ``_bytescan`` against pandas' and Python's per-value answers."""

from __future__ import annotations

import itertools
import re
import string
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from webinar_validate.contract import scans as bytescan
from webinar_validate.contract.scans import (
    byte_from_end,
    char_lengths,
    first_byte,
    has_control,
    is_ascii_only,
    last_byte,
    may_need_trim,
    starts_with_any,
    trimmed,
)
from webinar_validate.contract.values import CONTROL

INJECTION_CHARS = "=+-@\t\r"
INJECTION_START = "^[" + re.escape(INJECTION_CHARS) + "]"
"""A formula's first character, by a regular expression: what the byte scan must agree with."""
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
# whitespace of every kind, with neighbours that share its lead or last bytes (é, €, U+2010)
# or look like it (\x00, \x7f, U+200B zero-width space, U+FEFF BOM: strip() keeps them all)
EDGY = WHITESPACE + "ab=+-@é€\u2010\u200b\ufeff\x00\x7f\U0001f600"

texts = st.one_of(
    st.text(),
    st.text(alphabet=EDGY),
    st.text(alphabet=string.printable),
)
values_lists = st.lists(st.one_of(st.none(), texts), max_size=20)


@st.composite
def arrays(
    draw: st.DrawFn, text: st.SearchStrategy[str] | None = None
) -> tuple[list[str | None], Any]:
    """A string or large-string array, maybe a slice of a longer one, and its values."""
    values = draw(values_lists if text is None else st.lists(st.one_of(st.none(), text)))
    array = pa.array(values, draw(st.sampled_from([pa.string(), pa.large_string()])))
    start = draw(st.integers(0, len(values)))
    stop = draw(st.integers(start, len(values)))
    return values[start:stop], array.slice(start, stop - start)


def _series(values: list[str | None]) -> pd.Series:
    return pd.Series(values, dtype="str")


def _pylist(series: pd.Series) -> list[str | None]:
    return pa.array(series.array).to_pylist()


@given(arrays())
def test_first_and_last_byte(case: tuple[list[str | None], Any]) -> None:
    values, array = case
    encoded = [(v or "").encode() for v in values]
    assert first_byte(array).tolist() == [b[0] if b else 0 for b in encoded]
    assert last_byte(array).tolist() == [b[-1] if b else 0 for b in encoded]
    assert first_byte(array).dtype == last_byte(array).dtype == np.uint8


CONTROLS = "".join(chr(c) for c in [*range(0, 0x20), *range(0x7F, 0xA1)])


@given(arrays(st.text(alphabet=CONTROLS + EDGY + "\u0100\u0180\u0c80")))
def test_has_control_matches_the_control_regex(case: tuple[list[str | None], Any]) -> None:
    values, array = case
    expected = _series(values).str.contains(CONTROL, regex=True).fillna(False).tolist()
    assert has_control(array).tolist() == expected


@given(arrays(st.text(alphabet=CONTROLS + "ab\u00e9")), st.integers(1, 5))
def test_has_control_scans_in_steps_without_losing_a_byte(
    case: tuple[list[str | None], Any], step: int
) -> None:
    values, array = case
    expected = _series(values).str.contains(CONTROL, regex=True).fillna(False).tolist()
    with mock.patch.object(bytescan, "_SCAN", step):  # a step boundary splits 0xC2 0x80 too
        assert has_control(array).tolist() == expected


@given(arrays(), st.integers(1, 8))
def test_byte_from_end(case: tuple[list[str | None], Any], k: int) -> None:
    values, array = case
    encoded = [(v or "").encode() for v in values]
    assert byte_from_end(array, k).tolist() == [b[-k] if len(b) >= k else 0 for b in encoded]


@given(arrays())
def test_starts_with_any_matches_the_injection_regex(case: tuple[list[str | None], Any]) -> None:
    values, array = case
    expected = _series(values).str.match(INJECTION_START).tolist()
    assert starts_with_any(array, INJECTION_CHARS).tolist() == expected


@given(arrays())
def test_may_need_trim_flags_every_value_strip_changes(case: tuple[list[str | None], Any]) -> None:
    values, array = case
    flags = may_need_trim(array).tolist()
    assert len(flags) == len(values)
    for value, flag in zip(values, flags, strict=True):
        if not value:
            assert not flag
        elif value.strip() != value:
            assert flag
        elif value.isascii() and value[0] > " " and value[-1] > " ":
            assert not flag  # ASCII is judged exactly


@given(arrays())
def test_trimmed_matches_pandas_strip(case: tuple[list[str | None], Any]) -> None:
    values, array = case
    result = trimmed(array)
    assert result.type == array.type
    assert result.to_pylist() == _pylist(_series(values).str.strip())
    assert result.to_pylist() == [None if v is None else v.strip() for v in values]
    if not may_need_trim(array).any():
        assert result is array


@given(arrays())
def test_char_lengths_match_pandas_len(case: tuple[list[str | None], Any]) -> None:
    values, array = case
    expected = _series(values).str.len().fillna(0).astype("int64").tolist()
    lengths = char_lengths(array)
    assert lengths.dtype == np.int64
    assert lengths.tolist() == expected == [len(v or "") for v in values]


@given(arrays())
def test_is_ascii_only(case: tuple[list[str | None], Any]) -> None:
    values, array = case
    assert is_ascii_only(array) == all((v or "").isascii() for v in values)


@given(values_lists, st.lists(st.integers(0, 20), max_size=4))
def test_chunked_arrays_give_what_one_array_gives(
    values: list[str | None], cuts: list[int]
) -> None:
    # chunk by chunk (a CSV read by Arrow comes in many): no chunk is combined into a copy
    bounds = sorted({0, len(values), *(min(c, len(values)) for c in cuts)})
    parts = [values[a:b] for a, b in itertools.pairwise(bounds)]
    chunked = pa.chunked_array(parts or [[]], pa.large_string())
    flat = pa.array(values, pa.large_string())
    for scan in (first_byte, last_byte, may_need_trim, char_lengths, has_control):
        assert scan(chunked).tolist() == scan(flat).tolist()
    assert starts_with_any(chunked, "=+").tolist() == starts_with_any(flat, "=+").tolist()
    assert byte_from_end(chunked, 2).tolist() == byte_from_end(flat, 2).tolist()
    assert is_ascii_only(chunked) == is_ascii_only(flat)
    result = trimmed(chunked)
    assert isinstance(result, pa.ChunkedArray)
    assert result.to_pylist() == trimmed(flat).to_pylist()


def test_examples() -> None:
    array = pa.array(["=SUM(A1)", " padded ", "", None, "\u00a0nbsp", "café", "\tx", "plain"])
    assert starts_with_any(array, INJECTION_CHARS).tolist() == [
        *[True, False, False, False, False, False, True, False]
    ]
    assert may_need_trim(array).tolist() == [False, True, False, False, True, True, True, False]
    assert trimmed(array).to_pylist() == [
        *["=SUM(A1)", "padded", "", None, "nbsp", "café", "x", "plain"]
    ]
    assert char_lengths(array).tolist() == [8, 8, 0, 0, 5, 4, 2, 5]
    assert first_byte(array).tolist()[:5] == [ord("="), ord(" "), 0, 0, 0xC2]
    assert last_byte(array).tolist()[5] == 0xA9  # é is C3 A9


def test_untouched_array_is_returned_itself() -> None:
    array = pa.array(["a", "b c", None, ""], pa.large_string())
    assert trimmed(array) is array
    chunked = pa.chunked_array([array])
    assert trimmed(chunked) is chunked


def test_a_slice_looks_only_at_its_own_bytes() -> None:
    array = pa.array(["é ", "ab", "cd", " ü"])
    middle = array.slice(1, 2)
    assert is_ascii_only(middle)
    assert not is_ascii_only(array)
    assert char_lengths(middle).tolist() == [2, 2]
    assert trimmed(middle) is middle


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
@pytest.mark.parametrize("hidden", [" é", "\t@ "])
def test_a_null_slot_holding_bytes_counts_as_empty(kind: Any, hidden: str) -> None:
    data = (hidden + "=x").encode()
    width = np.int64 if kind == pa.large_string() else np.int32
    offsets = pa.py_buffer(np.array([0, len(data) - 2, len(data)], dtype=width).tobytes())
    validity = pa.py_buffer(bytes([0b10]))  # value 0 is null but spans the hidden bytes
    array = pa.Array.from_buffers(kind, 2, [validity, offsets, pa.py_buffer(data)])
    assert array.to_pylist() == [None, "=x"]
    assert first_byte(array).tolist() == [0, ord("=")]
    assert last_byte(array).tolist() == [0, ord("x")]
    assert starts_with_any(array, "=@\t ").tolist() == [False, True]
    assert may_need_trim(array).tolist() == [False, False]
    assert char_lengths(array).tolist() == [0, 2]
    assert trimmed(array) is array


@pytest.mark.parametrize("space", list(WHITESPACE))
def test_every_kind_of_whitespace_is_flagged_at_either_end(space: str) -> None:
    array = pa.array([space + "a", "a" + space, "a" + space + "a", space])
    assert may_need_trim(array).tolist() == [True, True, False, True]
    assert trimmed(array).to_pylist() == ["a", "a", "a" + space + "a", ""]


@pytest.mark.parametrize(
    "array",
    [
        pa.Array.from_buffers(pa.string(), 3, [None, pa.py_buffer(bytes(16)), pa.py_buffer(b"")]),
        pa.array(["", "", ""], pa.large_string()),
        pa.nulls(3, pa.string()),  # Arrow shares one zeroed buffer among all three buffers
        pa.array(["x ", "", "", "", " y"]).slice(1, 3),
    ],
    ids=["empty-data-buffer", "all-empty", "all-null", "empty-slice-of-full"],
)
def test_arrays_without_bytes(array: Any) -> None:
    assert first_byte(array).tolist() == last_byte(array).tolist() == [0, 0, 0]
    assert may_need_trim(array).tolist() == [False, False, False]
    assert starts_with_any(array, "\x00 ").tolist() == [False, False, False]
    assert char_lengths(array).tolist() == [0, 0, 0]
    assert is_ascii_only(array)
    assert trimmed(array) is array


def test_empty_arrays() -> None:
    empty = pa.array([], pa.large_string())
    assert first_byte(empty).tolist() == char_lengths(empty).tolist() == []
    assert trimmed(empty) is empty


def test_wrong_inputs_are_refused() -> None:
    with pytest.raises(TypeError, match="string"):
        first_byte(pa.array([1, 2]))
    with pytest.raises(ValueError, match="ASCII"):
        starts_with_any(pa.array(["a"]), "\u00a0")


@given(arrays(), st.integers(1, 4))
def test_non_empty_is_what_pandas_says(case: tuple[list[str | None], Any], parts: int) -> None:
    """The blank-row test reads string lengths off the offsets: sliced, chunked and views."""
    values, array = case
    expected = [bool(v) for v in values]
    assert bytescan.non_empty(array).tolist() == expected
    size = -(-len(values) // parts) or 1
    chunked = pa.chunked_array(
        [array.slice(i, size) for i in range(0, len(array), size)] or [array], type=array.type
    )
    assert bytescan.non_empty(chunked).tolist() == expected
    assert bytescan.non_empty(array.cast(pa.string_view())).tolist() == expected
