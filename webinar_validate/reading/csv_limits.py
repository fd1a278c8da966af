"""CSV size limits: at most 16,384 cells in a header or record, 1,024 characters in a header cell.

Python's csv module builds a whole record before anyone can count its cells, so a record of a
million cells would cost gigabytes before it could be refused. The careful parser therefore
feeds it lines through ``BoundedLines``: in groups with few enough delimiters that no record can
pass the limit unseen, and with the cells counted exactly (``CellCounter``, which splits as the
csv module does) only where a record might. Lines without quotes need no counter: there every
delimiter ends a cell (``first_wide_line``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate

from webinar_validate.errors import UnreadableFile
from webinar_validate.table import cell_ref

MAX_COLUMNS = 16_384
"""Most cells in a CSV header or record (Excel's last column is XFD); more is unreadable_file."""
MAX_HEADER_CHARS = 1_024
"""Longest header cell (characters); longer is unreadable_file."""
_GROUP = MAX_COLUMNS // 2  # characters per group of lines while a record is open
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
# The rest of a quoted value from inside it: doubled quotes, then the quote that closes it.
_QUOTED_REST = r'[^"]*+(?:""[^"]*+)*+"(?!")'


class TooManyCells(Exception):
    """A record has more than MAX_COLUMNS cells; ``line`` is where it starts (1-based)."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def too_many_cells(source: str, line: int, delimiter: str, *, header: bool) -> UnreadableFile:
    """The error for a row (the header when ``header``) of more than MAX_COLUMNS cells."""
    if header:
        hint = (
            "keep only the columns the import needs (delete the empty columns at the right) "
            "and save it again"
        )
    else:
        hint = (
            f"a {_NAMES.get(delimiter, repr(delimiter))} inside a value that is not quoted "
            "splits it into cells: put that value in double quotes, or save the file again "
            "from the spreadsheet"
        )
    return UnreadableFile(
        f"{source}: the row starting on line {line:,} has more than {MAX_COLUMNS:,} cells, more "
        f"columns than a spreadsheet holds (A to XFD), so the file cannot be checked; {hint}."
    )


def check_header(source: str, cells: list[str], row_number: int, line: int) -> None:
    """Raise when a header cell is longer than MAX_HEADER_CHARS characters."""
    if max(map(len, cells), default=0) <= MAX_HEADER_CHARS:
        return
    column = next(i for i, cell in enumerate(cells) if len(cell) > MAX_HEADER_CHARS)
    raise UnreadableFile(
        f"{source}: header cell {cell_ref(None, row_number, column)} (line {line:,}) is "
        f"{len(cells[column]):,} characters long, and a column name is at most "
        f"{MAX_HEADER_CHARS:,}; check that row {row_number:,} is the header row and shorten "
        "that name."
    )


def first_wide_line(lines: list[str], delimiter: str) -> int | None:
    """The index of the first unquoted line of more than MAX_COLUMNS cells, or None."""
    if not lines or max(map(len, lines)) < MAX_COLUMNS:  # so few characters, so few cells
        return None
    for index, line in enumerate(lines):
        if len(line) >= MAX_COLUMNS and line.count(delimiter) >= MAX_COLUMNS:
            return index
    return None


class CellCounter:
    """Counts the cells of records in text fed to it, splitting them as the csv module does.

    A quote opens a quoted value only at the start of a cell; in a quoted value a delimiter or
    line break is text and ``""`` is a quote; after the closing quote, or in a value that did
    not start with one, every character up to the delimiter is text (``strict=False``). A line
    break outside a quoted value ends the record. Text is fed in whole lines.
    """

    def __init__(self, delimiter: str, line: int) -> None:
        import re

        self.delimiter = delimiter
        self.start = line  # where the record being counted starts
        self.line = line  # where the next text fed starts
        self.cells = 1
        self.quoted = False
        self._rest = re.compile(_QUOTED_REST)
        self._special = re.compile('["\r\n]')

    def feed(self, text: str) -> None:
        """Count the cells in ``text``; raise TooManyCells when a record passes the limit."""
        d, rest, special = self.delimiter, self._rest, self._special
        cells, pos, end = self.cells, 0, len(text)
        here, counted = self.line, 0  # the line of text[counted]
        self.line += _breaks(text, 0, end)
        if self.quoted:
            match = rest.match(text)
            if match is None:
                return  # the quoted value goes on
            pos, self.quoted = match.end(), False
        begins = -1 if pos else 0  # where the current record begins in ``text``, if it does
        while pos < end:
            found = special.search(text, pos)
            stop = end if found is None else found.start()
            cells += text.count(d, pos, stop)
            if cells > MAX_COLUMNS:
                raise TooManyCells(self.start)
            if found is None:
                break
            if text[stop] != '"':  # a line break outside quotes: the next record begins
                pos = stop + (2 if text.startswith("\r\n", stop) else 1)
                here += _breaks(text, counted, pos)
                cells, counted, begins, self.start = 1, pos, pos, here
            elif stop == begins or text[stop - 1] == d:  # a quote starting a cell opens a value
                match = rest.match(text, stop + 1)
                if match is None:
                    self.cells, self.quoted = cells, True
                    return
                pos = match.end()
            else:
                pos = stop + 1  # a quote inside an unquoted value is text
        self.cells = cells


def _breaks(text: str, start: int, end: int) -> int:
    """The line breaks (CR, LF, CRLF: one each) in ``text[start:end]``."""
    return (
        text.count("\n", start, end) + text.count("\r", start, end) - text.count("\r\n", start, end)
    )


class BoundedLines:
    """Lines for the csv module, in groups that keep every record's cells within the limit.

    Iterating yields lists of lines, in groups of fewer characters than MAX_COLUMNS (or
    ``_GROUP`` while a record is open; a longer line is a group alone). While the record in
    progress (the lines since the last record the reader completed, as ``done()``
    tells) and the next group hold fewer than MAX_COLUMNS delimiters, no record can pass the
    limit and nothing is counted. Otherwise, and for a record that spans more than one group
    boundary (so that its text need not be kept), a CellCounter counts exactly until a record
    ends with a group. Raises TooManyCells (its line is the reader's).
    """

    def __init__(
        self, blocks: Iterable[list[str]], delimiter: str, done: Callable[[], int]
    ) -> None:
        self._blocks = blocks
        self._delimiter = delimiter
        self._done = done
        self.fed = 0
        """Lines handed to the reader so far."""
        self.group: list[str] = []
        """The group handed to the reader last."""

    def last_line(self, line_num: int) -> str:
        """The reader's line ``line_num`` (1-based), which must be in the last group."""
        return self.group[line_num - (self.fed - len(self.group)) - 1]

    def __iter__(self) -> Iterator[list[str]]:
        delimiter = self._delimiter
        tail = ""  # the start of the record in progress, from the last group, while not counted
        counter: CellCounter | None = None
        for block in self._blocks:
            ends = list(accumulate(map(len, block)))  # cheaper than counting in each line
            start = before = 0
            while start < len(block):
                in_progress = self.fed - self._done()
                # A group's characters bound its delimiters. With a record open, leave it room.
                room = _GROUP if in_progress and counter is None else MAX_COLUMNS - 1
                end = max(bisect_right(ends, before + room, start), start + 1)
                group = block[start:end] if start or end < len(block) else block
                total = ends[end - 1] - before
                if total > room:  # one long line
                    total = group[0].count(delimiter)
                before, start = ends[end - 1], end
                if counter is None and in_progress:
                    first = self.fed - in_progress + 1
                    if in_progress > len(self.group):  # a record over several groups: count it
                        counter = CellCounter(delimiter, first)
                        counter.feed(tail + "".join(self.group))
                    else:
                        tail = "".join(self.group[-in_progress:])
                        if tail.count(delimiter) + total >= MAX_COLUMNS:
                            counter = CellCounter(delimiter, first)
                            counter.feed(tail)
                elif counter is None and total >= MAX_COLUMNS:
                    counter = CellCounter(delimiter, self.fed + 1)
                if counter is not None:
                    counter.feed("".join(group))
                    if not counter.quoted:
                        counter = None  # a record ended with the group: back to the bound
                self.fed += len(group)
                self.group = group
                yield group
