"""row_objects_json writes exactly what json.dumps(obj, ensure_ascii=False) writes, row by row.

Hand-written tables cover every column type, nulls, every character JSON escapes (and some it
does not), empty values, chunked and sliced arrays, junk bytes under nulls, values across the
escape scan's chunks and rows across several blocks; a hypothesis property covers random tables.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webinar_validate.report import writer as _rowjson
from webinar_validate.report.writer import row_objects_json

CONTROLS = "".join(chr(c) for c in range(32))
TRICKY = ['say "hi"', "back\\slash", '\\"', CONTROLS, "a\x7fb", "line\u2028sep", "🎉 émoji", ""]


@pytest.fixture(autouse=True, params=["column-wise", "json.dumps"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs on both ways of writing rows: column-wise (forced even for a few rows)
    and json.dumps (the way of up to ``_FEW_ROWS`` rows, forced for more)."""
    few = -1 if request.param == "column-wise" else 1 << 40
    monkeypatch.setattr(_rowjson, "_FEW_ROWS", few)
    return str(request.param)


def objects(row_numbers: Any, columns: dict[str, Any]) -> list[dict[str, Any]]:
    """The reference: each row's object, built from Python values."""
    values = {name: col.to_pylist() for name, col in columns.items()}
    return [
        {"rowNumber": rn, "values": {k: v[i] for k, v in values.items()}}
        for i, rn in enumerate(row_numbers.to_pylist())
    ]


def check(row_numbers: Any, columns: dict[str, Any]) -> list[str]:
    """The output is json.dumps of each row's object, text for text; return it."""
    out = row_objects_json(row_numbers, columns)
    assert isinstance(out, pa.Array)
    assert out.type == pa.large_string()
    out.validate(full=True)
    texts = out.to_pylist()
    want = objects(row_numbers, columns)
    assert texts == [json.dumps(obj, ensure_ascii=False) for obj in want]
    assert [json.loads(text) for text in texts] == want
    return texts


def rows(n: int, start: int = 2) -> Any:
    return pa.array(range(start, start + n), pa.int64())


def test_every_type_and_character() -> None:
    strings = [*TRICKY, None, *(ch * 3 for ch in CONTROLS), "x" * 13, "y" * 12]
    n = len(strings)
    lists = [list(TRICKY[: i % 5]) if i % 4 else None for i in range(n)]
    columns = {
        "title": pa.array(strings, pa.string()),
        "large": pa.array(list(reversed(strings)), pa.large_string()),
        "seats": pa.array([None if i % 3 == 0 else (-1) ** i * 10 ** (i % 19) for i in range(n)]),
        "small": pa.array([None if i % 5 == 0 else i - 20 for i in range(n)], pa.int8()),
        "big": pa.array([2**64 - 1 - i for i in range(n)], pa.uint64()),
        "flag": pa.array([None if i % 3 == 0 else i % 2 == 0 for i in range(n)], pa.bool_()),
        "nothing": pa.nulls(n),
        "emails": pa.array(lists, pa.list_(pa.string())),
        "more": pa.array(lists[::-1], pa.large_list(pa.large_string())),
        'odd "name"\\ é\n🎉': pa.array(strings[::-1], pa.string()),
        "": pa.array([[]] * n, pa.list_(pa.string())),
    }
    texts = check(rows(n), columns)
    first = (
        '{"rowNumber": 2, "values": {"title": "say \\"hi\\"", "large": "yyyyyyyyyyyy", '
        '"seats": null, "small": null, "big": 18446744073709551615, "flag": null, '
        '"nothing": null, "emails": null, "more": ["say \\"hi\\"", "back\\\\slash"], '
        '"odd \\"name\\"\\\\ é\\n🎉": "yyyyyyyyyyyy", "": []}}'
    )
    assert texts[0] == first
    assert '"\\u0000\\u0001' in texts[3]
    assert "\\b\\t\\n\\u000b\\f\\r" in texts[3]
    assert "a\x7fb" in texts[4]
    assert "line\u2028sep" in texts[5]


def test_chunked_and_sliced_arrays() -> None:
    strings = pa.array(["pad", *TRICKY, None, "z" * 40, "pad"], pa.string())
    n = len(strings) - 2
    columns = {
        "chunked": pa.chunked_array([strings[1:4], strings[4 : n + 1]]),
        "sliced": strings.slice(1, n),
        "ints": pa.chunked_array([pa.array([1, None], pa.int64()), pa.array(range(n - 2))]),
        "lists": pa.array([["pad"], *[["a", s] for s in TRICKY], [], None, ["pad"]]).slice(1, n),
        "empty chunks": pa.chunked_array([pa.array([], pa.string()), strings.slice(1, n)]),
    }
    check(pa.chunked_array([rows(3), rows(n - 3, 5)]), columns)


def test_junk_under_nulls_is_ignored() -> None:
    data = b'ok"\x01junk\\' + b"x" * 30 + b"ok"
    validity = pa.array([True, False, True]).buffers()[1]
    buffers = [validity, pa.py_buffer(np.array([0, 2, 39, 41], np.int32)), pa.py_buffer(data)]
    junk = pa.Array.from_buffers(pa.string(), 3, buffers)
    offsets = np.array([0, 1, 3, 3], np.int32)
    kind = pa.list_(pa.string())
    lists = pa.Array.from_buffers(
        kind, 3, [validity, pa.py_buffer(offsets)], children=[pa.array(["a", "b", "c"])]
    )
    check(rows(3), {"junk": junk, "lists": lists})


def test_read_only_views_are_copied(monkeypatch: pytest.MonkeyPatch) -> None:
    """Values are escaped in the cast's own views; should a pyarrow hand them out read-only,
    they are copied first."""
    real, calls = _rowjson._views, []

    def views(sv: Any) -> Any:
        found = real(sv)
        calls.append(sv)
        return found if len(calls) > 1 else np.frombuffer(found.tobytes(), found.dtype)

    monkeypatch.setattr(_rowjson, "_views", views)
    strings = pa.array(["pad", *TRICKY, None, "z" * 40]).slice(1)
    text = _rowjson._text(strings).cast(pa.string()).to_pylist()
    assert text[:-2] == [json.dumps(s, ensure_ascii=False)[1:-1] for s in TRICKY]
    assert text[-1] == "z" * 40


def test_long_values_and_many_blocks() -> None:
    chunk = _rowjson._CHUNK
    long = ["a" * (chunk - 1) + '"' + "b" * chunk + "\n", "c" * (3 * chunk) + "\\", "d" * 5000]
    n = 3 * _rowjson._BLOCK + 17
    quote = '"'
    strings = [long[i] if i < 3 else f"row {i} {quote * (i % 97 == 0)}" for i in range(n)]
    columns = {
        "text": pa.array(strings),
        "tail": pa.array(["e" * (i % 7) + ("\t" if i == n - 1 else "") for i in range(n)]),
        "n": pa.array(range(n)),
    }
    check(rows(n, start=10**12), columns)


def test_no_rows_and_no_columns() -> None:
    empty = row_objects_json(rows(0), {"a": pa.array([], pa.string()), "b": pa.nulls(0)})
    assert len(empty) == 0
    assert empty.type == pa.large_string()
    assert row_objects_json(rows(0), {}).to_pylist() == []
    assert check(rows(2), {}) == [
        '{"rowNumber": 2, "values": {}}',
        '{"rowNumber": 3, "values": {}}',
    ]


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="one value per row"):
        row_objects_json(rows(2), {"a": pa.array(["x"])})
    with pytest.raises(TypeError, match="no JSON"):
        row_objects_json(rows(1), {"a": pa.array([1.5])})


INT_TYPES = [(pa.int8(), -(2**7), 2**7 - 1), (pa.int64(), -(2**63), 2**63 - 1)]
INT_TYPES += [(pa.uint64(), 0, 2**64 - 1), (pa.int32(), -(2**31), 2**31 - 1)]
TEXT = st.text(st.characters(codec="utf-8"), max_size=20) | st.sampled_from(TRICKY)


@st.composite
def columns_of(draw: st.DrawFn, n: int) -> Any:
    """One random column of n values, maybe chunked or sliced."""
    kind = draw(st.sampled_from(["string", "large_string", "int", "bool", "null", "list"]))
    none = st.none()
    if kind in ("string", "large_string"):
        arr = pa.array(draw(st.lists(none | TEXT, min_size=n, max_size=n)), getattr(pa, kind)())
    elif kind == "int":
        typ, lo, hi = draw(st.sampled_from(INT_TYPES))
        arr = pa.array(draw(st.lists(none | st.integers(lo, hi), min_size=n, max_size=n)), typ)
    elif kind == "bool":
        arr = pa.array(draw(st.lists(none | st.booleans(), min_size=n, max_size=n)), pa.bool_())
    elif kind == "null":
        arr = pa.nulls(n)
    else:
        items = st.lists(TEXT, max_size=4)
        typ = draw(st.sampled_from([pa.list_(pa.string()), pa.large_list(pa.large_string())]))
        arr = pa.array(draw(st.lists(none | items, min_size=n, max_size=n)), typ)
    how = draw(st.sampled_from(["plain", "chunked", "sliced"]))
    if how == "chunked":
        cut = draw(st.integers(0, n))
        return pa.chunked_array([arr[:cut], arr[cut:]], arr.type)
    if how == "sliced":
        return pa.concat_arrays([arr, arr]).slice(n, n)
    return arr


@st.composite
def tables(draw: st.DrawFn) -> tuple[Any, dict[str, Any]]:
    n = draw(st.integers(0, 12))
    names = draw(st.lists(TEXT, max_size=6, unique=True))
    numbers = draw(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=n, max_size=n))
    return pa.array(numbers, pa.int64()), {name: draw(columns_of(n)) for name in names}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(tables())
def test_random_tables_match_json_dumps(table: tuple[Any, dict[str, Any]]) -> None:
    check(*table)
