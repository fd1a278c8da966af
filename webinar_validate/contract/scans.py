"""C-speed stand-ins for per-cell string operations, read off an Arrow string array's buffers.

A regular expression over a million-row column costs a pass of per-value work; the first and
last UTF-8 byte of every value, gathered by numpy through the offsets buffer, answers the same
question (does it start with ``=``? could ``strip()`` change it?) in a few milliseconds.

Every function takes one ``pa.StringArray`` or ``pa.LargeStringArray`` (a ``pa.ChunkedArray``
has its chunks combined first). A sliced array's offsets are read from ``array.offset`` on; its
data buffer may be shared with other slices, so only the bytes between its first and last offset
are looked at. A null counts as an empty value, whatever bytes its slot spans.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar, cast

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

U8 = npt.NDArray[np.uint8]
Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
Offsets = npt.NDArray[np.signedinteger[Any]]  # int32 or int64, as Arrow stores them


F = TypeVar("F", bound=Callable[..., Any])


def _chunkwise(func: F) -> F:
    """Run ``func`` on each chunk of a ``pa.ChunkedArray`` and join the numpy results: combining
    the chunks first would copy the whole column (a CSV read by Arrow has one per block)."""

    @functools.wraps(func)
    def each(array: Any, *args: Any) -> Any:
        if isinstance(array, pa.ChunkedArray) and array.num_chunks != 1:
            if array.num_chunks == 0:
                return func(pa.array([], array.type), *args)
            return np.concatenate([func(chunk, *args) for chunk in array.chunks])
        return func(array, *args)

    return cast(F, each)


class _Buffers(NamedTuple):
    """One array's buffers as numpy views; only the validity bitmap is copied (unpacked)."""

    offsets: Offsets  # the array's own len + 1 offsets
    data: U8  # the whole, possibly shared, data buffer (empty when Arrow holds none)
    valid: Bools | None  # None when no value is null


def _array(array: Any) -> Any:
    """``array`` as one string or large-string Arrow array."""
    if isinstance(array, pa.ChunkedArray):
        array = array.chunk(0) if array.num_chunks == 1 else array.combine_chunks()
    if not isinstance(array, pa.StringArray | pa.LargeStringArray):
        raise TypeError(f"expected a pyarrow string or large_string array, not {array.type!r}")
    return array


def _buffers(array: Any) -> _Buffers:
    """The offsets, data and validity of ``array`` (its slice only, for the offsets and nulls)."""
    array = _array(array)
    n: int = len(array)
    start: int = array.offset
    bitmap, offsets, data = array.buffers()
    kind = "<i8" if isinstance(array, pa.LargeStringArray) else "<i4"  # Arrow is little-endian
    if offsets is None or n == 0:  # Arrow may leave the offsets out of an empty array
        return _Buffers(np.zeros(n + 1, dtype=kind), np.zeros(0, np.uint8), None)
    valid = None
    if array.null_count:
        bits = np.unpackbits(np.frombuffer(bitmap, np.uint8), count=start + n, bitorder="little")
        valid = bits[start:].view(np.bool_)
    return _Buffers(
        np.frombuffer(offsets, dtype=kind, count=start + n + 1)[start:],
        np.zeros(0, np.uint8) if data is None else np.frombuffer(data, np.uint8),
        valid,
    )


def _filled(bufs: _Buffers) -> Bools:
    """True for each non-empty, non-null value."""
    filled: Bools = bufs.offsets[1:] > bufs.offsets[:-1]
    return filled if bufs.valid is None else filled & bufs.valid


def _byte_at(bufs: _Buffers, at: Offsets, filled: Bools) -> U8:
    """``bufs.data[at]`` for the filled values; 0 for the others (their ``at`` may be out of
    range: ``mode="clip"`` keeps the gather in bounds and the mask zeroes what it read).
    """
    if not bufs.data.size:
        return np.zeros(len(at), dtype=np.uint8)
    out = np.take(bufs.data, at, mode="clip")
    if not filled.all():
        out[~filled] = 0
    return out


def _first(bufs: _Buffers, filled: Bools) -> U8:
    return _byte_at(bufs, bufs.offsets[:-1], filled)


def _last(bufs: _Buffers, filled: Bools) -> U8:
    return _byte_at(bufs, bufs.offsets[1:] - 1, filled)


@_chunkwise
def first_byte(array: Any) -> U8:
    """The first UTF-8 byte of each value; 0 for an empty or null value."""
    bufs = _buffers(array)
    return _first(bufs, _filled(bufs))


@_chunkwise
def last_byte(array: Any) -> U8:
    """The last UTF-8 byte of each value; 0 for an empty or null value."""
    bufs = _buffers(array)
    return _last(bufs, _filled(bufs))


@_chunkwise
def byte_from_end(array: Any, k: int) -> U8:
    """The ``k``-th UTF-8 byte from each value's end (1: the last); 0 where the value is null
    or shorter than ``k`` bytes."""
    bufs = _buffers(array)
    long_enough = (bufs.offsets[1:] - bufs.offsets[:-1]) >= k
    if bufs.valid is not None:
        long_enough &= bufs.valid
    return _byte_at(bufs, bufs.offsets[1:] - k, long_enough)


@_chunkwise
def written_offset(array: Any) -> npt.NDArray[np.float64]:
    """The UTC offset each value ends with (``±hh:mm``), in minutes; NaN where it ends
    otherwise. Only the values whose sixth byte from the end is a sign are read further."""
    bufs = _buffers(array)
    ends = bufs.offsets[1:]
    minutes = np.full(len(ends), np.nan)
    if not bufs.data.size:
        return minutes
    long_enough = (ends - bufs.offsets[:-1]) >= 6
    if bufs.valid is not None:
        long_enough &= bufs.valid
    sign = _byte_at(bufs, ends - 6, long_enough)
    at = np.flatnonzero((sign == ord("+")) | (sign == ord("-")))
    last = ends[at]
    shaped = bufs.data[last - 3] == ord(":")
    total = np.zeros(len(at), dtype=np.int64)
    for back, weight in ((5, 600), (4, 60), (2, 10), (1, 1)):
        digit = bufs.data[last - back].astype(np.int64) - ord("0")
        shaped &= (digit >= 0) & (digit <= 9)
        total += digit * weight
    minutes[at[shaped]] = np.where(sign[at[shaped]] == ord("-"), -1, 1) * total[shaped]
    return minutes


@_chunkwise
def has_control(array: Any) -> Bools:
    """True where the value holds a control character other than tab, line feed and carriage
    return: U+0000-U+0008, U+000B, U+000C, U+000E-U+001F, U+007F-U+009F. In UTF-8 these are
    the bytes themselves, or 0xC2 followed by 0x80-0x9F; neither occurs inside another
    character's bytes, so each found byte names its value exactly."""
    bufs = _buffers(array)
    n = len(bufs.offsets) - 1
    found: Bools = np.zeros(n, dtype=np.bool_)
    if n == 0 or not bufs.data.size:
        return found
    lo, hi = int(bufs.offsets[0]), int(bufs.offsets[-1])
    data = bufs.data[lo:hi]
    if not data.size or (data.min() >= 0x20 and not (data >= 0x7F).any()):
        return found  # plain printable ASCII (most columns): two passes decide
    at = _where_control_may_start(data)
    byte = data[at]
    after = data[np.minimum(at + 1, len(data) - 1)]
    c1 = (byte == 0xC2) & (after >= 0x80) & (after <= 0x9F) & (at + 1 < len(data))
    c0 = (byte < 0x20) & (byte != 0x09) & (byte != 0x0A) & (byte != 0x0D)
    hits = at[c0 | (byte == 0x7F) | c1]
    if hits.size:
        rows = np.searchsorted(bufs.offsets, hits + lo, side="right") - 1
        found[rows] = True
    return found if bufs.valid is None else found & bufs.valid


_SCAN = 1 << 18  # bytes per step: the masks of a step stay in the CPU's cache (~4x faster)


def _where_control_may_start(data: U8) -> Ints:
    """Positions of the bytes below 0x20, 0x7F and 0xC2."""
    found: list[Ints] = []
    for start in range(0, len(data), _SCAN):
        part = data[start : start + _SCAN]
        mask = part < 0x20
        mask |= part == 0x7F
        mask |= part == 0xC2
        where = np.flatnonzero(mask)
        if where.size:
            found.append(where + start)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


@_chunkwise
def starts_with_any(array: Any, chars: str) -> Bools:
    """True where the value's first character is one of ``chars`` (ASCII only): the same as
    ``Series.str.match("^[...]")`` on the characters, and False for an empty or null value.
    """
    if not chars.isascii():
        raise ValueError(f"starts_with_any takes ASCII characters only, not {chars!r}")
    bufs = _buffers(array)
    filled = _filled(bufs)
    hit: Bools = np.isin(_first(bufs, filled), np.frombuffer(chars.encode(), np.uint8))
    return hit & filled


class _StartTables(NamedTuple):
    """Byte tables for :func:`starts_like`."""

    state: U8  # 256: _HIT at the bytes of ``first`` and ``then``, _MAYBE at the first bytes
    # of the UTF-8 encodings of ``skipped``, 0 elsewhere
    then: Bools  # 256: the bytes of ``then``
    leads: Bools  # 256: the first bytes of the UTF-8 encodings of ``skipped``
    pairs: Bools  # 256 * 256, at 256 * byte + next: their first two bytes (a one-byte one: any)


_HIT, _MAYBE = 1, 2


@functools.cache
def _start_tables(first: str, skipped: str, then: str) -> _StartTables:
    if not (first + then).isascii() or set(then) & set(skipped):
        raise ValueError(f"expected ASCII {first!r} and {then!r}, {then!r} not in {skipped!r}")
    state = np.zeros(256, dtype=np.uint8)
    thens, leads = np.zeros(256, dtype=np.bool_), np.zeros(256, dtype=np.bool_)
    pairs = np.zeros(256 * 256, dtype=np.bool_)
    thens[list(then.encode())] = True
    for ch in skipped:
        code = ch.encode("utf-8", "surrogatepass")
        leads[code[0]] = True
        if len(code) == 1:
            pairs[code[0] * 256 : code[0] * 256 + 256] = True
        else:
            pairs[code[0] * 256 + code[1]] = True
    state[leads] = _MAYBE
    state[list((first + then).encode())] = _HIT  # a tab is first, though also skipped
    return _StartTables(state, thens, leads, pairs)


@_chunkwise
def starts_like(array: Any, first: str, skipped: str, then: str) -> Bools:
    """True where the value's first character is one of ``first``, or where its first
    character once any leading characters of ``skipped`` are passed over is one of ``then``
    (``first`` and ``then`` ASCII, ``then`` sharing no character with ``skipped``); False for
    an empty or null value.

    The first two bytes answer for every value that does not start with a character of
    ``skipped`` or starts with one ASCII character of it and then another character; only the
    others (rare in real files: several leading spaces, an invisible or non-ASCII space) are
    trimmed, by ``pc.utf8_ltrim``, which compares whole characters, and answered by the first
    byte left.
    """
    tables = _start_tables(first, skipped, then)
    bufs = _buffers(array)
    filled = _filled(bufs)
    state = tables.state[_first(bufs, filled)]  # the first byte is 0 where empty or null
    hit: Bools = state == _HIT
    maybe = state == _MAYBE
    maybe &= filled
    if maybe.any():
        head = _first(bufs, filled)
        long_enough = (bufs.offsets[1:] - bufs.offsets[:-1]) >= 2
        second = _byte_at(bufs, bufs.offsets[:-1] + 1, long_enough)
        second[~long_enough] = 0xFF  # nothing after the first byte: 0xFF is in no table
        one_byte = head < 0x80
        # one skipped ASCII character and then one that cannot be skipped: the second decides
        decided = maybe & one_byte & ~tables.leads[second]
        hit |= decided & tables.then[second]
        # a first character of several bytes: its first two say whether it may be skipped
        pair = (head.astype(np.uint16) << 8) | second
        maybe &= ~decided & (one_byte | tables.pairs[pair])
    if maybe.any():
        rest = pc.utf8_ltrim(_array(array).filter(pa.array(maybe)), skipped)
        hit[maybe] = tables.then[first_byte(rest)]
    return hit


@_chunkwise
def may_need_trim(array: Any) -> Bools:
    """True for each value ``str.strip()`` could change; never False for one it changes.

    A value is flagged when its first or last byte is at most 0x20 (ASCII whitespace and the other
    C0 bytes) or at least 0x80 (part of a multi-byte character, which may be Unicode whitespace:
    U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028/9, U+202F, U+205F, U+3000); an empty or null
    value is not.
    """
    bufs = _buffers(array)
    filled = _filled(bufs)
    # (byte - 0x21) wraps below 0x21, so one comparison tests "<= 0x20 or >= 0x80"
    edge = np.uint8(0x21)
    first = (_first(bufs, filled) - edge) >= np.uint8(0x80 - 0x21)
    last = (_last(bufs, filled) - edge) >= np.uint8(0x80 - 0x21)
    flagged: Bools = (first | last) & filled
    return flagged


def trimmed(array: Any, chars: str | None = None) -> Any:
    """``array`` with leading and trailing white space removed from each value: the characters
    ``chars`` (``pc.utf8_trim``), or by default what Python's ``str.strip()`` and pandas'
    ``Series.str.strip()`` remove (``pc.utf8_trim_whitespace``, the same set); nulls stay null.

    When :func:`may_need_trim` flags no value, ``array`` itself is returned (a few milliseconds
    per million values, against ~12 for the trim). Otherwise the whole array is trimmed: putting
    back only the flagged values (``pc.replace_with_mask``) costs more than trimming them all.
    A ``pa.ChunkedArray`` comes back as a one-chunk ``pa.ChunkedArray``. ``chars`` may hold no
    ASCII character above the space: :func:`may_need_trim` looks for the others only.
    """
    if chars is not None and any("!" <= ch <= "\x7f" for ch in chars):
        raise ValueError(f"trimmed() cannot trim ASCII characters above the space: {chars!r}")
    if not may_need_trim(array).any():
        return array

    def trim(chunk: Any) -> Any:
        return pc.utf8_trim_whitespace(chunk) if chars is None else pc.utf8_trim(chunk, chars)

    if isinstance(array, pa.ChunkedArray):
        _array(array.chunk(0) if array.num_chunks else pa.array([], array.type))  # its type
        return pa.chunked_array([trim(chunk) for chunk in array.chunks], array.type)
    return trim(_array(array))


def is_ascii_only(array: Any) -> bool:
    """True when every byte between the array's first and last offset is below 0x80, so each
    value is ASCII (a null slot spanning a non-ASCII byte makes it False, to no harm).
    """
    if isinstance(array, pa.ChunkedArray) and array.num_chunks > 1:
        return all(_ascii_only(_buffers(chunk)) for chunk in array.chunks)
    return _ascii_only(_buffers(array))


def _ascii_only(bufs: _Buffers) -> bool:
    span = bufs.data[int(bufs.offsets[0]) : int(bufs.offsets[-1])]
    return not span.size or int(span.max()) < 0x80


@_chunkwise
def char_lengths(array: Any) -> Ints:
    """The number of characters (code points) of each value, as ``Series.str.len()`` counts
    them, with 0 for a null (where pandas gives NaN).

    When every byte is ASCII the byte lengths are the answer; otherwise ``pc.utf8_length``.
    """
    array = _array(array)
    bufs = _buffers(array)
    if not _ascii_only(bufs):
        counted = pc.utf8_length(array).fill_null(0)
        return np.asarray(counted.to_numpy(zero_copy_only=False), dtype=np.int64)
    lengths = np.diff(bufs.offsets).astype(np.int64, copy=False)
    if bufs.valid is not None:
        lengths[~bufs.valid] = 0
    return lengths


def non_empty(values: pa.Array | pa.ChunkedArray) -> Bools:
    """True where a string is not empty (a null counts as empty), read off the offsets alone."""
    parts = []
    for chunk in values.chunks if isinstance(values, pa.ChunkedArray) else [values]:
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            chunk = chunk.cast(pa.large_string())  # string views: offsets need a copy
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(chunk.buffers()[1], dtype=width)
        lengths = np.diff(offsets[chunk.offset : chunk.offset + len(chunk) + 1])
        filled = lengths > 0
        if chunk.null_count:
            filled &= chunk.is_valid().to_numpy(zero_copy_only=False)
        parts.append(filled)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
