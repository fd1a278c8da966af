"""The careful CSV parser: decoded text -> records, with their spreadsheet row and physical line.

Record k (1-based, blank lines included) is spreadsheet row k; ``lines`` holds the physical line
where each record starts (CR, LF and CRLF each end one line). Text arrives in blocks, so that
reading stops soon after the row limit (``Sink`` enforces it). Blocks without a double quote take
a fast path (``str.split``, where line == record); from the first quote on, Python's ``csv``
module parses the rest so that quoted values may span lines. Guards: a line or a cell over
MAX_CELL_CHARS (32 Mi characters) is refused (a 10 MB title is still read, and judged too long),
and so is a quote that is never closed: it would swallow every record after it. A header or
record of more than 16,384 cells, or a header cell over 1,024 characters, is refused before it is
split (``csv_limits``), so that a line of a million commas costs little.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from itertools import chain, repeat

from webinar_validate.errors import EmptyFile, UnreadableFile
from webinar_validate.reading.csv_limits import (
    BoundedLines,
    TooManyCells,
    check_header,
    first_wide_line,
    too_many_cells,
)
from webinar_validate.reading.limits import too_many_rows
from webinar_validate.table import CsvDialect, Table

MAX_CELL_CHARS = 32 << 20
"""Longest CSV cell, and longest physical line, read (characters); longer is unreadable_file."""
# Every character str.strip() removes: a row is blank when each cell is empty after strip().
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
# What str.splitlines() also breaks at, but CSV does not.
_OTHER_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _too_long(source: str, line: int, what: str, max_cell: int, *, quoted: bool) -> UnreadableFile:
    hint = '; look for a " that is never closed' if quoted else ""
    return UnreadableFile(
        f"{source} has {what} over {max_cell >> 20} Mi characters (record starting on "
        f"line {line:,}), too large to check{hint}."
    )


class _LineTooLong(Exception):
    """A physical line grew past the cell limit before its end was seen."""


def parse_records(text: str, delimiter: str) -> list[list[str]]:
    """The header and records of ``text`` as the careful parser reads them (errors raised)."""
    sink = Sink("<text>", delimiter, 0, MAX_CELL_CHARS)
    parse_chunks("<text>", iter([text]), sink)
    table = sink.table()
    return [table.header, *table.rows]


def parse_chunks(source: str, chunks: Iterator[str], sink: Sink) -> None:
    """Split the text into records and hand them to ``sink``, fast path first."""
    pending = ""
    for chunk in chunks:
        text = pending + chunk
        if '"' in chunk:  # the pending text held none, or it would have switched already
            _parse_quoted(source, chain([text], chunks), sink)
            return
        # Hold back the last, maybe incomplete, line; a final CR may be half of a CRLF.
        end = len(text) - 1 if text.endswith("\r") else len(text)
        cut = max(text.rfind("\n", 0, end), text.rfind("\r", 0, end)) + 1
        pending = text[cut:]
        if cut:
            whole = text[:cut]
            sink.take_lines(_lines(whole), whole)
        if len(pending) > sink.max_cell:
            raise _too_long(source, sink.records + 1, "a line", sink.max_cell, quoted=False)
        if first_wide_line([pending], sink.delimiter) is not None:  # before it grows further
            raise sink.too_wide(sink.records + 1)
    if pending:
        sink.take_lines(_lines(pending), pending)


def _lines(text: str) -> list[str]:
    """The lines of ``text`` (which ends at a line break or at the end of the file)."""
    if not any(other in text for other in _OTHER_BREAKS):
        return text.splitlines()  # twice as fast as replacing CRLF, when nothing else breaks
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not lines[-1]:
        lines.pop()
    return lines


def _line_blocks(chunks: Iterable[str], max_cell: int) -> Iterator[list[str]]:
    """Physical lines with their terminators (CR, LF or CRLF), a list per block of text."""
    carry = ""
    for chunk in chunks:
        if "\n" not in chunk and "\r" not in chunk and not carry.endswith("\r"):
            carry += chunk  # a long line: no need to split it again and again
        else:
            lines = io.StringIO(carry + chunk, newline="").readlines()
            carry = lines.pop() if lines and not lines[-1].endswith("\n") else ""  # CR: CRLF?
            yield lines
        if len(carry) > max_cell:
            raise _LineTooLong
    if carry:
        yield [carry]


def _parse_quoted(source: str, chunks: Iterable[str], sink: Sink) -> None:
    """Parse the rest with the csv module: a quoted value may span lines (hot loop, inlined).

    The reader asks for another line after the last one only while a quoted value is still
    open, so a record it completes after the lines ran out holds a quote that is never closed.
    """
    ran_out: list[int] = []  # len(rows) when the reader asked past the last line
    rows, row_numbers, lines = sink.rows, sink.row_numbers, sink.lines
    # The feed keeps each record within the cell limit; it asks where the last record ended.
    feed = BoundedLines(_line_blocks(chunks, sink.max_cell), sink.delimiter, lambda: consumed)
    reader = csv.reader(
        chain.from_iterable(chain(feed, _mark_end(ran_out, rows))),
        delimiter=sink.delimiter,
        strict=False,
    )
    base = sink.records  # records so far == physical lines so far (the fast path had no quotes)
    record, consumed = base, 0
    limit, nonblank, cap = sink.limit, sink.nonblank, sink.max_cell
    previous_limit = csv.field_size_limit(cap)  # process-wide: restored below
    try:
        if sink.header is None:
            for cells in reader:
                start, record, consumed = base + consumed + 1, record + 1, reader.line_num
                if ran_out:
                    raise _unclosed(source, start)
                if cells and (cells[0].strip() or "".join(cells).strip()):
                    sink.set_header(cells, record, start)
                    sink.line_ending = _ending(feed.last_line(consumed))
                    break
        width = sink.width
        for cells in reader:
            record += 1
            line, consumed = base + consumed + 1, reader.line_num
            if cells and (cells[0].strip() or "".join(cells).strip()):
                nonblank += 1
                if nonblank > limit and limit:
                    raise too_many_rows(source, limit)
            if len(cells) != width:
                sink.fit(cells, len(rows))
            rows.append(cells)
            row_numbers.append(record)
            lines.append(line)
    except _LineTooLong:
        raise _too_long(source, base + consumed + 1, "a line", cap, quoted=True) from None
    except TooManyCells as exc:
        raise sink.too_wide(base + exc.line) from None
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise _too_long(source, base + consumed + 1, "a cell", cap, quoted=True) from None
        raise UnreadableFile(
            f"{source} cannot be read as CSV at line {base + consumed + 1:,} ({exc}); "
            'check for a " that is never closed.'
        ) from None
    finally:
        csv.field_size_limit(previous_limit)
    if ran_out and len(rows) > ran_out[0]:
        raise _unclosed(source, lines[-1])
    sink.records, sink.nonblank = record, nonblank


def _mark_end(ran_out: list[int], rows: list[list[str]]) -> Iterator[list[str]]:
    """An empty last block whose reading notes how many rows were complete by then."""
    ran_out.append(len(rows))
    yield from ()


def _unclosed(source: str, line: int) -> UnreadableFile:
    return UnreadableFile(
        f'{source} has a quoted value that is never closed: the " opened in the record starting '
        f"on line {line:,} runs to the end of the file, swallowing every line after it; add the "
        'missing " and save again.'
    )


class Sink:
    """Collects records into header, rows and their places; enforces the row limit.

    ``max_cell`` is the longest cell, and longest physical line, read (characters).
    """

    def __init__(self, source: str, delimiter: str, max_rows: int, max_cell: int) -> None:
        self.source = source
        self.delimiter = delimiter
        self.limit = max_rows
        self.max_cell = max_cell
        self.strip_chars = delimiter + WHITESPACE
        self.records = 0
        self.header: list[str] | None = None
        self.header_row = 0
        self.width = 0
        self.nonblank = 0
        self.rows: list[list[str]] = []
        self.row_numbers: list[int] = []
        self.lines: list[int] = []
        self.extra_cells: dict[int, int] = {}
        self.extras: dict[int, list[str]] = {}
        self.line_ending = "\r\n"

    def too_wide(self, line: int) -> UnreadableFile:
        """The error for the record starting on ``line`` having too many cells."""
        return too_many_cells(self.source, line, self.delimiter, header=self.header is None)

    def take_lines(self, lines: list[str], text: str) -> None:
        """Records that are whole physical lines without quotes: line number == row number.

        ``text`` is what ``lines`` were split from (their line breaks included).
        """
        first = self.records + 1
        wide = first_wide_line(lines, self.delimiter)
        if wide is not None:
            before = any(map(str.strip, lines[:wide], repeat(self.strip_chars)))
            header = self.header is None and not before
            raise too_many_cells(self.source, first + wide, self.delimiter, header=header)
        self.records += len(lines)
        if self.header is None:
            chars = self.strip_chars
            for i, line in enumerate(lines):
                if line.strip(chars):
                    self.set_header(line.split(self.delimiter), first + i, first + i)
                    # The header's line break: it is in the first characters of ``text``.
                    size = sum(map(len, lines[: i + 1])) + 2 * (i + 1)
                    physical = io.StringIO(text[:size], newline="").readlines()[i]
                    self.line_ending = _ending(physical)
                    lines, first = lines[i + 1 :], first + i + 1
                    break
            else:
                return
        blanks = list(map(str.strip, lines, repeat(self.strip_chars))).count("")
        self._count(len(lines) - blanks)
        rows = [line.split(self.delimiter) for line in lines]
        width = self.width
        if rows and (min(map(len, rows)) != width or max(map(len, rows)) != width):
            base = len(self.rows)
            for i, cells in enumerate(rows):
                if len(cells) != width:
                    self.fit(cells, base + i)
        numbers = list(range(first, first + len(rows)))
        self.rows.extend(rows)
        self.row_numbers.extend(numbers)
        self.lines.extend(numbers)

    def set_header(self, cells: list[str], row_number: int, line: int) -> None:
        """Take ``cells`` (of row ``row_number``, starting on ``line``) as the header."""
        check_header(self.source, cells, row_number, line)
        while cells and not cells[-1].strip():
            cells.pop()
        self.header, self.header_row, self.width = cells, row_number, len(cells)

    def _count(self, nonblank: int) -> None:
        self.nonblank += nonblank
        if self.limit and self.nonblank > self.limit:
            raise too_many_rows(self.source, self.limit)

    def fit(self, cells: list[str], index: int) -> None:
        """Pad or cut ``cells`` in place to the header's width, keeping non-empty extra cells."""
        extra = fit_cells(cells, self.width)
        if extra is not None:
            self.extra_cells[index], self.extras[index] = extra

    def table(self, encoding: str = "utf-8", bom: bool = False) -> Table:
        """The Table read, its text having been decoded with ``encoding`` (after a BOM or not)."""
        if self.header is None:
            raise EmptyFile(
                f"{self.source} has no header row (it holds only blank lines): add one, or "
                "start from the file `webinar-validate template sessions.csv` writes."
            )
        return Table(
            source=self.source,
            sheet=None,
            header=self.header,
            header_row_number=self.header_row,
            rows=self.rows,
            row_numbers=self.row_numbers,
            lines=self.lines,
            extra_cells=self.extra_cells,
            dialect=CsvDialect(encoding, bom, self.delimiter, self.line_ending),
            extras=self.extras,
        )


def fit_cells(cells: list[str], width: int) -> tuple[int, list[str]] | None:
    """Pad or cut ``cells`` in place to ``width``.

    Returns the column of the first non-empty cell beyond ``width`` and the cells beyond it
    (trailing empty ones dropped), or None when there is none.
    """
    if len(cells) <= width:
        cells.extend([""] * (width - len(cells)))
        return None
    beyond = cells[width:]
    del cells[width:]
    while beyond and not beyond[-1].strip():
        beyond.pop()
    if not beyond:
        return None
    first = next(i for i, cell in enumerate(beyond) if cell.strip())
    return width + first, beyond


def _ending(line: str) -> str:
    """The line break that ends ``line``: CRLF, LF or CR (CRLF when it has none)."""
    if line.endswith("\r\n"):
        return "\r\n"
    return line[-1] if line.endswith(("\n", "\r")) else "\r\n"
