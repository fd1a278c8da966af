"""Rows as JSON text, built column-wise, and the report's row lists written a block at a time.

A row is ``{"rowNumber": 2, "values": {"title": "x", ...}}``.

Reports carry every row as such an object. ``json.dumps`` per row takes seconds for a million
rows, and so does chaining Arrow string kernels (escape, quote, join) at tens of nanoseconds per
cell and call. Instead each piece of a row's text is a 16-byte Arrow string *view* of bytes that
exist already: a column's own data (the few values JSON must escape are found by a byte scan and
rewritten alone) or a table of constants (keys, quotes, separators, ``null``...). A block of rows
is a matrix of views, and one cast to binary copies the pieces out in row order, byte for byte
what ``json.dumps(obj, ensure_ascii=False)`` writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from pydantic import TypeAdapter

_ESCAPES = {c: json.dumps(chr(c), ensure_ascii=False)[1:-1] for c in [*range(32), 34, 92]}
_CHUNK = 4096  # bytes per chunk of the escape scan
_BLOCK = 2048  # rows per matrix of views: small enough to stay in cache
_THREADS = 2  # Arrow and numpy release the GIL; the blocks and the columns run in parallel
_THREADED_ROWS = 20_000  # below this many rows a pool's per-task cost outweighs the work
_FEW_ROWS = 32
"""Up to this many rows, each is written by json.dumps: the column-wise path costs some 0.1 ms
a column whatever the rows (seconds for a header out to XFD), json.dumps about 1 µs a cell."""


def _plain(arr: Any) -> Any:
    """The Array itself, or a ChunkedArray's chunks combined."""
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _views(sv: Any) -> npt.NDArray[np.int32]:
    """A string_view Array's views as rows (length, prefix or inline bytes, buffer, offset)."""
    views = np.frombuffer(sv.buffers()[1], np.int32).reshape(-1, 4)
    return views[sv.offset : sv.offset + len(sv)]


def _escaped(data: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """Which bytes JSON escapes: control characters, quote, backslash."""
    return np.asarray((data < 32) | (data == 34) | (data == 92))


def _special(arr: Any) -> tuple[npt.NDArray[np.intp], list[int]]:
    """The valid rows of a string Array that hold a byte JSON escapes, and the bytes found.

    4 KiB chunks are cleared by two memchr scans (and a minimum); only the chunks that hold such
    a byte are then looked at byte by byte. UTF-8 never uses these bytes inside a character.
    """
    bufs = arr.buffers()
    if len(arr) == 0 or bufs[2] is None:
        return np.empty(0, np.intp), []
    offs = np.frombuffer(bufs[1], np.int64 if pa.types.is_large_string(arr.type) else np.int32)
    offs = offs[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(bufs[2], np.uint8)[offs[0] : offs[-1]]
    full = len(data) - len(data) % _CHUNK
    chunks = data[:full].reshape(-1, _CHUNK)
    text = chunks.view(f"S{_CHUNK}").ravel()
    flagged = (np.strings.find(text, b'"') >= 0) | (np.strings.find(text, b"\\") >= 0)
    if len(chunks) and chunks.min() < 32:
        flagged |= chunks.min(axis=1) < 32
    picked = np.flatnonzero(flagged)
    hits = np.flatnonzero(_escaped(chunks[picked].ravel()))
    tail = full + np.flatnonzero(_escaped(data[full:]))
    at = np.concatenate([picked[hits // _CHUNK] * _CHUNK + hits % _CHUNK, tail])
    rows = np.unique(np.searchsorted(offs, (at + offs[0]).astype(offs.dtype), "right") - 1)
    if arr.null_count:
        rows = rows[arr.is_valid().to_numpy(zero_copy_only=False)[rows]]
    return rows, np.unique(data[at]).tolist()


def _text(arr: Any) -> Any:
    """A string or string_view Array of each value's JSON-escaped text, quotes left out."""
    rows, seen = _special(arr)
    if len(rows) == 0:
        return arr
    fixed = arr.take(pa.array(rows))
    for c in sorted(seen, key=lambda c: c != 92):  # the backslash first: the others add some
        fixed = pc.replace_substring(fixed, chr(c), _ESCAPES[c])
    sv, fixed = arr.cast(pa.string_view()), fixed.cast(pa.string_view())
    if not _views(sv).flags.writeable:  # pyarrow 26 hands out the cast's new buffer writable
        views = pa.py_buffer(_views(sv).copy())
        sv = pa.Array.from_buffers(sv.type, len(sv), [None, views, *sv.buffers()[2:]])
    patch = _views(fixed).copy()
    patch[:, 2] += (len(sv.buffers()) - 2) * (patch[:, 0] > 12)  # out-of-line views only
    _views(sv)[rows] = patch  # in place: the cast's views are new, and nobody else's yet
    bufs = [*sv.buffers(), *fixed.buffers()[2:]]
    return pa.Array.from_buffers(pa.string_view(), len(arr), bufs, offset=sv.offset)


class _Column(NamedTuple):
    """How a column is written. A row's state picks its opener (what follows the key) and its
    closer; the value text, if the column has one, goes between them."""

    openers: list[str]
    closers: list[str]
    state: npt.NDArray[np.int8]
    text: Any  # a string_view Array, or None
    size: int  # bytes of text


def _column(col: Any) -> _Column:
    """The pieces of one column (or of the row numbers)."""
    col = _plain(col)
    t = col.type
    valid = col.is_valid().to_numpy(zero_copy_only=False).view(np.int8)
    openers, closers, state, text = ["null", ""], ["", ""], valid, None
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        openers, closers, text = ["null", '"'], ["", '"'], _text(col)
    elif pa.types.is_integer(t):
        text = col
    elif pa.types.is_boolean(t):
        openers, closers = ["null", "false", "true"], ["", "", ""]
        state = valid + col.fill_null(False).to_numpy(zero_copy_only=False).view(np.int8)
    elif pa.types.is_null(t):
        openers, closers = ["null"], [""]
    elif pa.types.is_list(t) or pa.types.is_large_list(t):
        child = _text(col.values).cast(col.values.type)
        offsets = pa.array(col.offsets.to_numpy())  # from_arrays refuses a sliced one with a mask
        lists = type(col).from_arrays(offsets, child, mask=col.is_null())
        openers, closers = ["null", "[]", '["'], ["", "", '"]']
        state = valid * (1 + (np.diff(offsets.to_numpy()) > 0)).astype(np.int8)
        text = pc.binary_join(lists, pa.scalar('", "', child.type))
    else:
        raise TypeError(f"no JSON for a column of type {t}")
    if text is not None:
        text = text.cast(pa.string_view())  # nulls become empty views
    size = 0 if text is None else int(_views(text)[:, 0].sum())
    return _Column(openers, closers, state, text, size)


def row_objects_json(row_numbers: Any, columns: dict[str, Any]) -> Any:
    """Element i is the JSON text of {"rowNumber": row_numbers[i], "values": {name:
    columns[name][i], ...}}, exactly as ``json.dumps(obj, ensure_ascii=False)`` writes it.

    Columns are Arrays or ChunkedArrays as long as ``row_numbers``, of string, large_string,
    integer, bool, null, or (large_)list of string type. Returns a large_string Array.
    """
    rn = _plain(row_numbers)
    n, k = len(rn), len(columns)
    if rn.null_count:
        raise ValueError("row numbers cannot be null")
    if any(len(c) != n for c in columns.values()):
        raise ValueError("every column needs one value per row number")
    if n <= _FEW_ROWS:
        return _few_rows_json(rn, columns)
    if n < _THREADED_ROWS:  # a pool's per-task cost outweighs the work (16,384 columns of a row)
        cols = [_column(rn), *(_column(c) for c in columns.values())]
    else:
        with ThreadPoolExecutor(_THREADS) as pool:
            numbers = pool.submit(_column, rn)
            cols = [numbers.result(), *pool.map(_column, columns.values())]
    # Each row is m pairs of pieces: ('{"rowNumber": ', number), then per column (joint, value),
    # and (end, nothing). A joint closes the value before it, names the key and opens the next.
    m = k + 2
    bufs: list[Any] = []
    bases = np.zeros(m, np.int32)  # where each value's data buffers start in bufs
    for p, c in enumerate(cols):
        bases[p] = len(bufs)
        bufs += [] if c.text is None else c.text.buffers()[2:]
    values = [None if c.text is None else _views(c.text).view(np.complex128).ravel() for c in cols]
    values.append(None)  # the end's
    states = np.zeros((n, m), np.int8)
    for j, c in enumerate(cols[1:], 1):
        states[:, j] = c.state
    tables, closers, sep = [['{"rowNumber": ']], [""], ', "values": {'
    for name, c in zip(columns, cols[1:], strict=True):
        key = json.dumps(name, ensure_ascii=False)
        tables.append([s + sep + key + ": " + o for s in closers for o in c.openers])
        closers, sep = c.closers, ", "
    tables.append([s + ("}}" if k else ', "values": {}}') for s in closers])
    first = np.cumsum([0] + [len(tab) for tab in tables[:-1]], dtype=np.int32)
    opens = np.array([1] + [len(c.openers) for c in cols[1:]] + [1], np.int8)
    consts = pa.array([c for tab in tables for c in tab], pa.string()).cast(pa.string_view())
    table = _views(consts).copy()
    table[:, 2] += len(bufs) * (table[:, 0] > 12)
    bufs += consts.buffers()[2:]
    table16 = table.view(np.complex128).ravel()  # one 16-byte view per element
    widest = sum(max(len(c.encode()) for c in tab) for tab in tables)
    out = pa.allocate_buffer(n * widest + sum(c.size for c in cols))
    out_np = np.frombuffer(out, np.uint8)
    offsets = np.zeros(n + 1, np.int64)

    def block(a: int, previous: Future[int] | None) -> int:
        """Write rows a.. after the bytes of the block ``previous``; return where it ends."""
        b = min(a + _BLOCK, n)
        pieces = np.empty((b - a, m, 2), np.complex128)
        s = states[a:b]
        pieces[:, 0, 0] = table16[0]
        joints = first[1:] + (s[:, :-1] * opens[1:] + s[:, 1:])
        np.take(table16, joints, out=pieces[:, 1:, 0], mode="clip")
        for p, v in enumerate(values):
            pieces[:, p, 1] = 0 if v is None else v[a:b]
        vals = pieces.view(np.int32).reshape(b - a, m, 2, 4)[:, :, 1]
        vals[:, :, 2] += bases * (vals[:, :, 0] > 12)
        flat = pa.Array.from_buffers(
            pa.binary_view(), (b - a) * m * 2, [None, pa.py_buffer(pieces), *bufs]
        )
        text = flat.cast(pa.large_binary())
        ends = np.frombuffer(text.buffers()[1], np.int64)[: len(flat) + 1 : 2 * m]
        start = 0 if previous is None else previous.result()
        offsets[a + 1 : b + 1] = ends[1:] + start
        out_np[start : start + ends[-1]] = np.frombuffer(text.buffers()[2], np.uint8, ends[-1])
        return start + int(ends[-1])

    done: Future[int] | None = None
    with ThreadPoolExecutor(_THREADS) as pool:
        for a in range(0, n, _BLOCK):
            done = pool.submit(block, a, done)
    total = 0 if done is None else done.result()
    data = out.slice(0, total)
    return pa.Array.from_buffers(pa.large_string(), n, [None, pa.py_buffer(offsets), data])


_KINDS = (
    pa.types.is_string,
    pa.types.is_large_string,
    pa.types.is_integer,
    pa.types.is_boolean,
    pa.types.is_null,
    pa.types.is_list,
    pa.types.is_large_list,
)
"""The column types ``row_objects_json`` writes (a list's items are text)."""


def _few_rows_json(row_numbers: Any, columns: dict[str, Any]) -> Any:
    """``row_objects_json`` of a few rows, each by json.dumps."""
    for column in columns.values():
        t = column.type
        if not any(kind(t) for kind in _KINDS):
            raise TypeError(f"no JSON for a column of type {t}")
    lists = [(name, column.to_pylist()) for name, column in columns.items()]
    texts = [
        json.dumps(
            {"rowNumber": number, "values": {name: cells[i] for name, cells in lists}},
            ensure_ascii=False,
        )
        for i, number in enumerate(row_numbers.to_pylist())
    ]
    return pa.array(texts, pa.large_string())


# --- the report's row lists, a block at a time -------------------------------------------------


def rows_json(
    adapter: TypeAdapter[Any], rows: Sequence[Any], indent: int | None, size: int
) -> Iterator[str]:
    """Row objects as the inside of a JSON list, ``size`` at a time, at the report's depth."""
    for n, start in enumerate(range(0, len(rows), size)):
        block = list(rows[start : start + size])
        text = adapter.dump_json(block, indent=indent).decode()
        body = text[1:-1]  # the list's items; JSON strings hold no raw line breaks
        if indent is not None:
            body = body.rstrip("\n").replace("\n", "\n" + " " * (3 * indent))
        yield ("," if n else "") + body


def lines_json(blocks: Iterable[list[str]], indent: int | None) -> Iterator[str]:
    """Rows given as JSON text, one per line, as the inside of the report's list."""
    inner = "\n" + " " * (4 * indent) if indent is not None else ""
    first = True
    for block in blocks:
        if block:
            yield ("" if first else ",") + inner + f",{inner}".join(block)
            first = False


def columns_json(
    numbers: Any, columns: dict[str, Any], indent: int | None, size: int
) -> Iterator[bytes]:
    """Valid rows from their row numbers (int64) and Arrow columns, one compact object per
    line, ``size`` at a time, as UTF-8 bytes (no str is made of them: the CLI writes them as
    they are)."""
    inner = "\n" + " " * (4 * indent) if indent is not None else ""
    numbers = _plain(pa.array(numbers, type=pa.int64()))
    for start in range(0, len(numbers), size):
        stop = min(start + size, len(numbers))
        block = {key: column.slice(start, stop - start) for key, column in columns.items()}
        texts = row_objects_json(numbers.slice(start, stop - start), block)
        yield (("," if start else "") + inner).encode() + _joined(texts, f",{inner}")


def _joined(texts: Any, separator: str) -> bytes:
    """An Arrow string array joined in C into one piece of UTF-8 (no Python object per row)."""
    whole = pa.LargeListArray.from_arrays(pa.array([0, len(texts)], pa.int64()), texts)
    joined = pc.binary_join(whole, pa.scalar(separator, texts.type))[0]
    data: bytes = joined.as_buffer().to_pybytes()
    return data
