"""XLSX -> Table: a streaming pass over the sheet's XML, then calamine, then columns of text.

python-calamine reads a whole worksheet into memory and allocates the rectangle from A1 to the
last used cell densely (cells at A1 and XFD1048576 abort the process). So before it loads a
sheet, ``xlsx_scan.prescan`` streams the sheet's XML once: it stops with TooManyRows past the
limit (a huge sheet costs no more than its first rows), bounds the used range, and notes what
calamine does not say: formula cells without a saved value, and error cells (``#N/A``), which
calamine reads as empty. The zip-level guards run before this (``zip_parts.resolve``), and
calamine reads the very bytes pre-scanned: ``zip_parts.calamine_zip`` holds no other sheet, and
calamine must read the sheet names as this package does. The Table is built column by column
from calamine's rows, and keeps the file's bytes for the outputs that copy the workbook.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib
from decimal import Decimal
from functools import partial
from typing import IO, TYPE_CHECKING, Any
from xml.etree import ElementTree
from xml.parsers import expat

import python_calamine

from webinar_validate.errors import EmptyFile, UnreadableFile, UsageError
from webinar_validate.reading.limits import too_many_rows
from webinar_validate.reading.xlsx_cells import unescape_x
from webinar_validate.reading.xlsx_scan import Scan, prescan
from webinar_validate.reading.xml import XML_SUFFIXES, refuse_dtd, refusing_handlers
from webinar_validate.reading.zip_names import ambiguous
from webinar_validate.reading.zip_parts import Parts, Sheet, calamine_zip
from webinar_validate.table import Table, cell_ref

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

MAX_CELLS = 1 << 23
"""Largest A1-to-last-cell rectangle handed to calamine (about 256 MiB of its cells)."""

DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    expat.ExpatError,
    ElementTree.ParseError,
    python_calamine.CalamineError,
)
"""What the zip, XML and calamine readers raise for bytes that are no readable workbook."""


def damaged(source: str, exc: BaseException) -> UnreadableFile:
    """The error for a workbook whose bytes a reader refused, with the reader's reason."""
    reason = " ".join(str(exc).split()) or type(exc).__name__
    return UnreadableFile(f"{source} is damaged ({reason}); open it in Excel and save it again.")


_Cell = int | float | str | bool | dt.time | dt.date | dt.datetime | dt.timedelta
_NUMBERS = frozenset({bool, int, float})
_DATES = frozenset({dt.date, dt.datetime, dt.time})
_ROWS_AT_ONCE = 1 << 14


def read_xlsx(source: str, parts: Parts, sheet: str | None, max_rows: int) -> Table:
    """Read one worksheet of a workbook whose parts ``zip_parts.resolve`` resolved."""
    zf = parts.zf
    try:
        chosen = _choose(source, parts.sheets, sheet)
        if chosen.part not in zf.NameToInfo:
            raise UnreadableFile(
                f"{source} is damaged: sheet '{chosen.name}' has no data part; "
                "open it and save it again."
            )
        if not chosen.part.lower().endswith(XML_SUFFIXES):  # the others were checked already
            with zf.open(chosen.part) as member:
                refuse_dtd(source, chosen.part, member)
        open_part = partial(zf.open, chosen.part)
        scan = prescan(source, open_part, SharedBlanks(zf, parts.shared), max_rows, MAX_CELLS)
        if (scan.last_row + 1) * (scan.last_column + 1) > MAX_CELLS:
            corner = cell_ref(None, scan.last_row, scan.last_column)
            raise UnreadableFile(
                f"{source} has a used range of A1:{corner} in sheet '{chosen.name}', too large "
                "to check; delete the stray cells far below or right of the data and save again."
            )
        raw = _load(source, parts, chosen)
    except DAMAGED as exc:
        raise damaged(source, exc) from None
    return _build(source, chosen.name, raw, scan, max_rows, workbook=parts.data)


class SharedBlanks:
    """Which shared strings are blank, parsed lazily and only as far as asked."""

    def __init__(self, zf: zipfile.ZipFile, part: str | None) -> None:
        self._zf, self._part = zf, part
        self._stream: IO[bytes] | None = None
        self._done = part is None
        self._count = 0
        self._blank: set[int] = set()
        self._texts: list[str] = []
        self._in_text = False
        self._phonetic = 0
        self._parser = expat.ParserCreate(namespace_separator="}")
        self._parser.buffer_text = True
        refusing_handlers(self._parser)  # a DTD raises (the part's prolog was refused before)
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.CharacterDataHandler = self._data

    def is_blank(self, index: int) -> bool:
        while index >= self._count and not self._done:
            self._advance()
        return index in self._blank

    def _advance(self) -> None:
        if self._stream is None:
            assert self._part is not None
            self._stream = self._zf.open(self._part)
        chunk = self._stream.read(1 << 20)
        self._parser.Parse(chunk, not chunk)
        if not chunk:
            self._done = True
            self._stream.close()

    def _start(self, name: str, attributes: object) -> None:
        local = name.rpartition("}")[2]
        if local == "si":
            self._texts = []
        elif local == "rPh":
            self._phonetic += 1
        elif local == "t" and not self._phonetic:
            self._in_text = True

    def _end(self, name: str) -> None:
        local = name.rpartition("}")[2]
        if local == "t":
            self._in_text = False
        elif local == "rPh":
            self._phonetic -= 1
        elif local == "si":
            if not unescape_x("".join(self._texts)).strip():
                self._blank.add(self._count)
            self._count += 1

    def _data(self, text: str) -> None:
        if self._in_text:
            self._texts.append(text)


def _choose(source: str, sheets: list[Sheet], requested: str | None) -> Sheet:
    if requested is not None:
        found = [s for s in sheets if s.name == requested] or [
            s for s in sheets if s.name.casefold() == requested.casefold()
        ]
        if not found:
            listed = ", ".join(repr(s.name) for s in sheets) or "none"
            raise UsageError(
                f"{source} has no sheet named '{requested}'; its sheets are {listed}: use one "
                "of them with --sheet."
            )
        chosen = found[0]
        if chosen.kind != "worksheet":
            raise UsageError(
                f"{source} sheet {chosen.name!r} is a {chosen.kind or 'non-worksheet'}, not a "
                "worksheet of rows; choose another with --sheet."
            )
    else:
        visible = [s for s in sheets if s.kind == "worksheet" and s.state == "visible"]
        if not visible:
            raise UnreadableFile(
                f"{source} has no visible worksheet (every sheet is hidden or a chart); unhide "
                "one or name it with --sheet."
            )
        chosen = visible[0]
    return chosen


def _build(
    source: str,
    sheet: str,
    raw: list[list[_Cell]],
    scan: Scan,
    limit: int,
    *,
    workbook: bytes | None = None,
) -> Table:
    """The Table from calamine's rows (emptied on the way), column by column; ``workbook`` is
    the file's bytes, kept for the outputs that copy it."""
    # calamine's rows end at its last value: reach the rows that only hold formulas without a
    # value or error cells too, so that they are reported rather than lost.
    last = max(max((row for row, _ in scan.formulas), default=0), max(scan.errors, default=0))
    raw.extend([] for _ in range(last - len(raw)))
    for row_number, errors in scan.errors.items():
        values = raw[row_number - 1] if 0 < row_number <= len(raw) else []
        for column, text in errors:
            if column < len(values) and values[column] == "":
                values[column] = text
    header: list[str] | None = None
    header_row = 0
    for position, values in enumerate(raw):
        texts = [value if type(value) is str else _text(value) for value in values]
        if "".join(texts).strip():
            while texts and not texts[-1].strip():
                texts.pop()
            header, header_row = texts, position + 1
            break
    if header is None:
        raise EmptyFile(
            f"{source} has no header row (sheet '{sheet}' is empty): add one in row 1, or "
            "use --sheet to choose the sheet that holds the sessions."
        )
    del raw[:header_row]
    count, width = len(raw), len(header)
    if limit and count > limit and sum(map(_filled, raw)) > limit:
        raise too_many_rows(source, limit)
    import numpy as np  # here: numpy and pyarrow cost start-up time; only a workbook needs them
    import pyarrow as pa

    full = max(map(len, raw), default=0)
    for values in raw:
        if len(values) < full:  # only the rows added above are short
            values.extend([""] * (full - len(values)))
    extra_cells: dict[int, int] = {}
    typed_dates: set[tuple[int, int]] = set()
    parts: list[list[Any]] = [[] for _ in range(width)]
    for start in range(0, count, _ROWS_AT_ONCE):  # a slice at a time: its cells then go
        stop = min(start + _ROWS_AT_ONCE, count)
        grid = np.array(raw[start:stop], dtype=object).reshape(stop - start, full)
        raw[start:stop] = [[]] * (stop - start)
        for column in range(width, full):
            for index in np.flatnonzero(grid[:, column] != "").tolist():
                value = grid[index, column]
                if type(value) is not str or value.strip():
                    extra_cells.setdefault(start + index, column)
        for column, part in enumerate(parts):
            found = grid[:, column] if column < full else np.full(stop - start, "", dtype=object)
            part.append(_column_text(found, column, typed_dates, start))
        del grid
    raw.clear()
    columns = [pa.chunked_array(part, type=pa.large_string()) for part in parts]
    formulas = {
        (row - header_row - 1, column)
        for row, column in scan.formulas
        if row > header_row and column < width and row - header_row - 1 < count
    }
    return Table(
        source=source,
        sheet=sheet,
        header=header,
        header_row_number=header_row,
        columns=columns,
        row_numbers=list(range(header_row + 1, header_row + 1 + count)),
        extra_cells=dict(sorted(extra_cells.items())),
        typed_dates=typed_dates,
        formulas_without_value=formulas,
        workbook=workbook,
    )


def _filled(values: list[_Cell]) -> bool:
    """Whether a row has a non-blank cell (typed cells are never blank)."""
    return any(type(value) is not str or value.strip() for value in values)


def _column_text(
    cells: npt.NDArray[np.object_], column: int, typed_dates: set[tuple[int, int]], first: int
) -> Any:
    """Cells of a column (from row ``first``) as Arrow strings, noting those typed as dates."""
    import pyarrow as pa

    # malloc reuses the memory calamine freed; pyarrow's default pool would add twice as much
    pool = pa.system_memory_pool()
    try:
        array = pa.array(cells, type=pa.large_string(), memory_pool=pool)
        if not array.null_count:
            return array
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        pass  # typed cells: numbers, dates, booleans
    values: list[_Cell] = cells.tolist()
    kinds = set(map(type, values))
    if kinds & _DATES:
        typed_dates.update(
            (first + index, column)
            for index, value in enumerate(values)
            if isinstance(value, dt.date | dt.time)
        )
    if len(kinds & _NUMBERS) < 2:  # no equal keys of different text (1 == 1.0 == True)
        text = {value: value if type(value) is str else _text(value) for value in set(values)}
        texts = list(map(text.__getitem__, values))
    else:
        texts = [value if type(value) is str else _text(value) for value in values]
    return pa.array(texts, type=pa.large_string(), memory_pool=pool)


def _load(source: str, parts: Parts, sheet: Sheet) -> list[list[_Cell]]:
    """The sheet's cells from calamine, row i being sheet row i + 1 and column j column j.

    calamine reads ``calamine_zip``'s zip, whose only sheet part is the one pre-scanned, and must
    read the sheet names as this package did.
    """
    names = [s.name for s in parts.sheets]
    book = io.BytesIO(calamine_zip(parts, sheet))
    try:
        with python_calamine.CalamineWorkbook.from_filelike(book) as workbook:
            book.close()  # calamine holds its own copy: this one goes before the cells come
            if workbook.sheet_names != names:
                theirs = ", ".join(map(repr, workbook.sheet_names))
                raise ambiguous(
                    source,
                    f"its sheet names read as {', '.join(map(repr, names))} or as {theirs}, "
                    "depending on the program",
                )
            rows: list[list[_Cell]] = workbook.get_sheet_by_name(sheet.name).to_python(
                skip_empty_area=False
            )
    except python_calamine.PasswordError:
        raise UnreadableFile(
            f"{source} is password-protected (encrypted); remove the password and save it again."
        ) from None
    except (python_calamine.CalamineError, ValueError, OverflowError) as exc:
        raise damaged(source, exc) from None
    except BaseException as exc:
        # A Rust panic inside calamine surfaces as pyo3's PanicException, a BaseException:
        # it comes from the file's bytes, so it is a damaged file, not a crash.
        if type(exc).__name__ != "PanicException":
            raise
        raise damaged(source, exc) from None
    return rows


def _text(value: _Cell) -> str:
    """A typed cell as text by meaning (calamine gives datetime before date: check it first)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return _stamp(value)
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00"
    if isinstance(value, dt.time):
        return _clock(value)
    if isinstance(value, dt.timedelta):
        return _duration(value)
    return str(value)


def _number(value: float) -> str:
    """A number as Excel shows it, at 15 significant digits: 10.0 -> 10, 0.1 + 0.2 -> 0.3."""
    text = format(value, ".15g")
    if "e" in text and value == value and abs(value) != float("inf"):
        exact = Decimal(text)
        if -20 <= exact.adjusted() <= 20:
            text = format(exact, "f")
    return "0" if text == "-0" else text


def _millis(micro: int) -> int:
    return (micro + 500) // 1000


def _stamp(value: dt.datetime) -> str:
    millis = _millis(value.microsecond)
    value = value.replace(microsecond=0) + dt.timedelta(milliseconds=millis)
    return value.isoformat(timespec="milliseconds" if value.microsecond else "seconds")


def _clock(value: dt.time) -> str:
    seconds = value.hour * 3600 + value.minute * 60 + value.second
    millis = seconds * 1000 + _millis(value.microsecond)
    text = f"{millis // 3_600_000 % 24:02d}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d}"
    return f"{text}.{millis % 1000:03d}" if millis % 1000 else text


def _duration(value: dt.timedelta) -> str:
    """A duration as Excel's [h]:mm:ss shows it: 30 hours -> 30:00:00."""
    millis = round(value.total_seconds() * 1000)
    sign, millis = ("-", -millis) if millis < 0 else ("", millis)
    text = f"{sign}{millis // 3_600_000}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d}"
    return f"{text}.{millis % 1000:03d}" if millis % 1000 else text
