"""The fast CSV path: Arrow's multi-threaded parser reads a plain UTF-8 CSV column-wise.

It takes the files pipelines send (UTF-8, a one-line header) and gives up, returning None, on
anything else, so that the careful parser in ``csv_records`` (which reads every file) decides:
another encoding, a header with quotes, past the limits or wider than ARROW_COLUMNS, many ragged
records, a cell over the size limit, a quote left open at the end, or a row limit on a file too
big to read whole. Arrow and Python's ``csv`` module agree on quoting (doubled quotes, a quote
inside an unquoted value kept as is, CR, LF and CRLF ending records, a blank line being a record
of empty cells); ``tests/test_csv_arrow.py`` checks that both paths give the same Table.

A record narrower or wider than the header (a delimiter in a value that is not quoted) makes
Arrow's threaded read stop; the file, if all of it is UTF-8, is then read again on one thread,
which numbers those records, and each is parsed by the csv module, fitted to the header's width
(its extra cells kept) and put back in its place, without copying the columns. More than
MAX_RAGGED of them, or one of more than 16,384 cells, and the careful parser reads the file (and
refuses that one).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from webinar_validate.errors import WebinarValidateError
from webinar_validate.reading.csv_limits import MAX_COLUMNS, MAX_HEADER_CHARS
from webinar_validate.reading.csv_records import fit_cells, parse_records
from webinar_validate.table import CsvDialect, Table

WHOLE_FILE_LIMIT = 64 << 20
"""With a row limit, files up to this size are read whole (fast); larger ones by the careful
parser, which stops at the limit."""
_TAIL = 64 << 10
MAX_RAGGED = 1_000
"""Most records of another width than the header's put back in place; more: the careful parser."""
_RAGGED_CHARS = 16 << 20  # and at most this much of their text
_RAGGED_ERROR = "CSV parse error: Expected "  # ... N columns, got M: a record of another width
ARROW_COLUMNS = 1_024
"""Widest header Arrow reads; a wider one goes to the careful parser, row by row. Arrow sets
memory aside per column: two rows of 16,384 columns took 1.3 GB of address space."""


def read_arrow(
    source: str, stream: BinaryIO, head: bytes, delimiter: str, max_rows: int, max_cell: int
) -> Table | None:
    """The Table read by Arrow, or None when the careful parser must read the file.

    ``source`` is the file's path and ``stream`` the file opened on it; ``head`` is its first
    bytes (UTF-8, maybe with a BOM). With a row
    limit, a file with more data rows than the limit goes to the careful parser too, which
    counts blank rows exactly and stops at the limit.
    """
    if max_rows and os.fstat(stream.fileno()).st_size > WHOLE_FILE_LIMIT:
        return None
    found = _header(head, delimiter)
    if found is None:
        return None
    table = _read_table(source, stream, head, delimiter, max_rows, max_cell, *found)
    if table is None:  # what Arrow's pool holds now would only crowd the careful parser
        pa.default_memory_pool().release_unused()
    return table


def _read_table(
    source: str,
    stream: BinaryIO,
    head: bytes,
    delimiter: str,
    max_rows: int,
    max_cell: int,
    header: list[str],
    ending: str,
) -> Table | None:
    ragged = _Ragged(len(header))
    try:
        data = _read(source, len(header), delimiter, None, threads=True)
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        # Not UTF-8, a record larger than a block...: the careful parser. A ragged record: the
        # read on one thread, when every byte is UTF-8 (Arrow decodes each record it hands
        # to the handler, and a failure there would be printed, not raised).
        if not str(exc).startswith(_RAGGED_ERROR) or not _is_utf8(source):
            return None
        try:
            data = _read(source, len(header), delimiter, ragged.take, threads=False)
        except (pa.ArrowInvalid, pa.ArrowException):
            return None  # too many ragged records, or one too wide: the careful parser
    columns = data.columns
    del data  # each column is freed as soon as it is replaced
    breaks = _line_breaks(columns, max_cell)
    if breaks is None:
        return None
    if ragged.rows:
        placed = ragged.place(columns, breaks, delimiter)
        if placed is None:
            return None
        columns, breaks = placed
    count = len(breaks)
    if max_rows and count > max_rows:
        return None
    if count and _unsure_end(stream, head, columns, breaks, delimiter):
        return None
    numbers = range(2, count + 2)
    if breaks.any():
        lines = (2 + np.arange(count) + np.concatenate(([0], np.cumsum(breaks)[:-1]))).tolist()
    else:
        lines = numbers
    return Table(
        source=source,
        sheet=None,
        header=header,
        header_row_number=1,
        row_numbers=numbers,
        columns=columns,
        lines=lines,
        extra_cells=ragged.extra_cells,
        dialect=CsvDialect("utf-8", head.startswith(b"\xef\xbb\xbf"), delimiter, ending),
        extras=ragged.extras,
    )


def _read(
    source: str, width: int, delimiter: str, handler: Any | None, *, threads: bool
) -> pa.Table:
    """Arrow's reading of the data records, every cell as a string; ``handler`` is given the
    records of another width than ``width``."""
    names = [f"c{i}" for i in range(width)]
    # Arrow opens the file itself: its reader threads must never share our stream.
    return pa_csv.read_csv(
        source,
        read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1, use_threads=threads),
        parse_options=pa_csv.ParseOptions(
            delimiter=delimiter,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=handler,
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.large_string() for name in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            null_values=[],
        ),
    )


def _is_utf8(source: str) -> bool:
    """Whether the whole file decodes as UTF-8 (read a block at a time)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(source, "rb") as file:
        try:
            while block := file.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _header(head: bytes, delimiter: str) -> tuple[list[str], str] | None:
    """The header cells and the line break after them, when the first line is a plain,
    complete, non-blank one within the limits (the careful parser explains the others)."""
    text = head.removeprefix(b"\xef\xbb\xbf")
    cut = min((i for i in (text.find(b"\n"), text.find(b"\r")) if i >= 0), default=-1)
    if cut < 0 or b'"' in text[:cut]:
        return None
    try:
        line = text[:cut].decode("utf-8")
    except UnicodeDecodeError:
        return None
    if line.count(delimiter) >= ARROW_COLUMNS:
        return None
    cells = line.split(delimiter)
    if not line.strip() or not cells[-1].strip():
        return None  # a blank first line, or trailing empty header cells: the careful parser
    if max(map(len, cells)) > MAX_HEADER_CHARS:
        return None
    ending = "\r\n" if text[cut : cut + 2] == b"\r\n" else chr(text[cut])
    return cells, ending


class _Ragged:
    """Arrow's handler for records of another width than the header's, and their placing."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.rows: list[tuple[int, int, str]] = []  # record number, cells, text
        self.chars = 0
        self.extra_cells: dict[int, int] = {}
        self.extras: dict[int, list[str]] = {}

    def take(self, row: Any) -> str:
        """For the one-thread read: keep the record and its number, within the limits."""
        if (
            row.number is None
            or row.actual_columns > MAX_COLUMNS
            or len(self.rows) >= MAX_RAGGED
            or self.chars + len(row.text) > _RAGGED_CHARS
        ):
            return "error"
        self.rows.append((row.number, row.actual_columns, row.text))
        self.chars += len(row.text)
        return "skip"

    def place(
        self, columns: list[Any], breaks: np.ndarray, delimiter: str
    ) -> tuple[list[Any], np.ndarray] | None:
        """The columns and line breaks with the kept records in place; None on any doubt."""
        at = [number - 2 for number, _, _ in self.rows]  # data-row indices, ascending
        total = len(breaks) + len(at)
        if at != sorted(set(at)) or not at or at[0] < 0 or at[-1] >= total:
            return None
        cells: list[list[str]] = []
        row_breaks = []
        previous = csv.field_size_limit(_RAGGED_CHARS)  # process-wide: restored below
        try:
            for (_, width, text), index in zip(self.rows, at, strict=True):
                records = list(
                    csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
                )
                if len(records) != 1 or len(records[0]) != width:
                    return None  # Arrow and the csv module disagree: the careful parser
                row = records[0]
                extra = fit_cells(row, self.width)
                if extra is not None:
                    self.extra_cells[index], self.extras[index] = extra
                cells.append(row)
                row_breaks.append(text.count("\r") + text.count("\n") - text.count("\r\n"))
        except csv.Error:
            return None
        finally:
            csv.field_size_limit(previous)
        placed = np.zeros(total, dtype=bool)
        placed[at] = True
        all_breaks = np.empty(total, dtype=np.int64)
        all_breaks[placed] = row_breaks
        all_breaks[~placed] = breaks
        for k, column in enumerate(columns):
            columns[k] = _insert(column, at, [row[k] for row in cells])
        return columns, all_breaks


def _insert(column: Any, at: list[int], cells: list[str]) -> pa.ChunkedArray:
    """``column`` with ``cells`` put in so that they end up at the indices ``at`` (no copy)."""
    extra = pa.array(cells, type=pa.large_string())
    chunks = []
    taken = 0  # rows of ``column`` placed so far
    for j, index in enumerate(at):
        if index - j > taken:
            chunks += column.slice(taken, index - j - taken).chunks
            taken = index - j
        chunks.append(extra.slice(j, 1))
    chunks += column.slice(taken).chunks
    return pa.chunked_array(chunks, type=pa.large_string())


def _line_breaks(columns: list[Any], max_cell: int) -> np.ndarray | None:
    """Line breaks inside each record (CR, LF, CRLF: one each); None past the cell limit."""
    total = np.zeros(len(columns[0]) if columns else 0, dtype=np.int64)
    for column in columns:
        spans = False
        for chunk in column.chunks:
            data = chunk.buffers()[2]
            if data is None:
                continue
            if data.size > max_cell and pc.max(pc.utf8_length(chunk)).as_py() > max_cell:
                return None
            if not spans:  # one copy per chunk until a line break is seen
                raw = data.to_pybytes()
                spans = b"\n" in raw or b"\r" in raw
        if spans:
            counts = (
                pc.count_substring(column, "\r").to_numpy()
                + pc.count_substring(column, "\n").to_numpy()
                - pc.count_substring(column, "\r\n").to_numpy()
            )
            total += counts
    return total


def _unsure_end(
    stream: BinaryIO, head: bytes, columns: list[Any], breaks: np.ndarray, delimiter: str
) -> bool:
    """True when the last record might hold a quote never closed (the careful parser says).

    A quote left open swallows the rest of the file into the last record, which Arrow accepts
    silently. Then the last record spans lines, or its one line has a quote: only those are
    checked, by parsing the header and the last line with the careful parser.
    """
    if breaks[-1]:
        return True
    stream.seek(0, io.SEEK_END)
    end = stream.tell()
    stream.seek(max(0, end - _TAIL))
    tail = stream.read()
    last = tail.rstrip(b"\r\n")
    last = last[max(last.rfind(b"\n"), last.rfind(b"\r")) + 1 :]
    if b'"' not in last:
        return False
    if len(last) >= _TAIL - 1:
        return True
    first = head.removeprefix(b"\xef\xbb\xbf")
    cut = min(i for i in (first.find(b"\n"), first.find(b"\r")) if i >= 0)
    try:
        records = parse_records((first[:cut] + b"\n" + last).decode("utf-8"), delimiter)
    except (UnicodeDecodeError, WebinarValidateError):
        return True  # any doubt: the careful parser reads the whole file
    expected = [column[-1].as_py() for column in columns]
    return len(records) != 2 or records[1] != expected
