"""The fast CSV path: Arrow's multi-threaded parser reads a plain UTF-8 CSV column-wise.

It takes the files pipelines send (UTF-8, a one-line header, every record as wide as the
header) and gives up, returning None, on anything else, so that the careful parser in ``_csv``
(which reads every file) decides: another encoding, a header with quotes, a ragged record, a
cell over the size limit, a quote left open at the end, or a row limit on a file too big to read
whole. Arrow and Python's ``csv`` module agree on quoting (doubled quotes, a quote inside an
unquoted value kept as is, CR, LF and CRLF ending records, a blank line being a record of empty
cells); ``tests/test_csv_arrow.py`` checks that both paths give the same Table.
"""

from __future__ import annotations

import io
import os
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from webinar_validate.errors import WebinarValidateError
from webinar_validate.table import Table

WHOLE_FILE_LIMIT = 64 << 20
"""With a row limit, files up to this size are read whole (fast); larger ones by the careful
parser, which stops at the limit."""
_TAIL = 64 << 10


def read_arrow(
    source: str, stream: BinaryIO, head: bytes, delimiter: str, max_rows: int, max_cell: int
) -> Table | None:
    """The Table read by Arrow, or None when the careful parser must read the file.

    ``source`` is the file's path and ``stream`` the file opened on it; ``head`` is its first
    bytes (UTF-8, maybe with a BOM). With a row
    limit, a file with more data rows than the limit goes to the careful parser too, which
    counts blank rows exactly and stops at the limit.
    """
    try:
        size = os.fstat(stream.fileno()).st_size
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None  # not a file on disk
    if max_rows and size > WHOLE_FILE_LIMIT:
        return None
    header = _header(head, delimiter)
    if header is None:
        return None
    names = [f"c{i}" for i in range(len(header))]
    try:
        # Arrow opens the file itself: its reader threads must never share our stream.
        data = pa_csv.read_csv(
            source,
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.large_string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None  # ragged, not UTF-8, a record larger than a block...: the careful parser
    columns = [data.column(name) for name in names]
    breaks = _line_breaks(columns, max_cell)
    if breaks is None:
        return None
    count = data.num_rows
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
    )


def _header(head: bytes, delimiter: str) -> list[str] | None:
    """The header cells, when the first line is a plain, complete, non-blank one."""
    text = head.removeprefix(b"\xef\xbb\xbf")
    cut = min((i for i in (text.find(b"\n"), text.find(b"\r")) if i >= 0), default=-1)
    if cut < 0 or b'"' in text[:cut]:
        return None
    try:
        line = text[:cut].decode("utf-8")
    except UnicodeDecodeError:
        return None
    cells = line.split(delimiter)
    if not line.strip() or not cells[-1].strip():
        return None  # a blank first line, or trailing empty header cells: the careful parser
    return cells


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
    from webinar_validate._csv import parse_records

    first = head.removeprefix(b"\xef\xbb\xbf")
    cut = min(i for i in (first.find(b"\n"), first.find(b"\r")) if i >= 0)
    try:
        records = parse_records((first[:cut] + b"\n" + last).decode("utf-8"), delimiter)
    except (UnicodeDecodeError, WebinarValidateError):
        return True  # any doubt: the careful parser reads the whole file
    expected = [column[-1].as_py() for column in columns]
    return len(records) != 2 or records[1] != expected
