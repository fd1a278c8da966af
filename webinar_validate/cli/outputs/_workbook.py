"""Copies of the judged workbook: loaded from the very bytes the report judged, and saved with
every formula's saved value kept.

openpyxl keeps a formula cell's formula or (``data_only=True``) its saved value, never both, and
saves formula cells with no value: our own reader then reports formula_without_value on the
copy, and a valid workbook would come back invalid. So a workbook with formulas is loaded twice
from the same bytes, and once openpyxl has written the copy, each formula cell's saved value is
put back into the written sheet XML as Excel stores it: ``<v>`` with the type ``t=`` it had
(``str``, ``b``, ``e``, or none for a number).

openpyxl cannot load every workbook that Excel and our reader open (a part missing from
``[Content_Types].xml``, an attribute it does not know, a broken comments part, a bad style
index); it then raises one of many exception types. That is told as one UsageError naming the
file and the cause, never a traceback.
"""

from __future__ import annotations

import io
import os
import re
import warnings
import zipfile
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from webinar_validate.cli.outputs._common import atomic_output
from webinar_validate.errors import UsageError
from webinar_validate.table import Table

if TYPE_CHECKING:
    from openpyxl import Workbook

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# A formula cell as openpyxl writes it: ``<c r="B7" s="3"><f>1+1</f><v /></c>`` (no ``t``).
_WRITTEN_FORMULA = re.compile(
    rb'<c r="([A-Z]{1,3}[0-9]{1,7})"((?:\s+[A-Za-z]+="[^"]*")*)\s*>'
    rb"(<f(?:\s[^>]*)?(?:/>|>[^<]*</f>))<v(?:\s*/>|\s*>\s*</v>)</c>"
)

_Saved = tuple[str, str]
"""A formula's saved value as the sheet XML holds it: (``t`` attribute or "", ``<v>`` text)."""


def cannot(verb: str, source: str, exc: BaseException) -> str:
    """One line: openpyxl cannot ``verb`` ``source``, why, and what to do."""
    cause = _CONTROL.sub(" ", str(exc)).strip()
    cause = f"{type(exc).__name__}: {cause}" if cause else type(exc).__name__
    return (
        f"openpyxl cannot {verb} {source} ({cause[:300]}); open it in Excel, save it again "
        "and rerun."
    )


@dataclass(slots=True)
class BookCopy:
    """A workbook to change and save: loaded from the judged bytes, formulas and values kept."""

    book: Workbook
    """The workbook as loaded (formulas as formulas): change this one."""
    values: Workbook | None
    """The same bytes loaded with ``data_only=True`` (None when there is no formula)."""
    source: str
    """The file name as the user gave it, for messages."""
    notes: list[str]
    """What the copy cannot keep (parts openpyxl drops, images, macros, chart styling)."""

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the workbook to ``path`` atomically, each formula with its saved value."""
        buffer = io.BytesIO()
        try:
            self.book.save(buffer)
        except Exception as exc:  # openpyxl's writer raises many types on what it loaded
            raise UsageError(cannot("write a copy of", self.source, exc)) from exc
        data = buffer.getvalue()
        saved = self._saved_values()
        if saved:
            data = self._with_values(data, saved)
        with atomic_output(path) as temporary, open(temporary, "wb") as stream:
            stream.write(data)

    def _saved_values(self) -> dict[str, dict[str, _Saved]]:
        """Per written sheet part, the saved value of each formula cell that had one."""
        from openpyxl.worksheet.worksheet import Worksheet

        if self.values is None:
            return {}
        found: dict[str, dict[str, _Saved]] = {}
        for sheet in self.book.worksheets:
            if sheet.title not in self.values.sheetnames:
                continue  # a sheet the output added
            judged = self.values[sheet.title]
            if not isinstance(judged, Worksheet):
                continue
            cells: dict[str, _Saved] = {}
            # _cells: iter_rows would create every empty cell of the used range.
            for (row, column), cell in sheet._cells.items():
                if cell.data_type != "f":
                    continue
                value = judged._cells.get((row, column))
                saved = _saved(value, self.values.epoch) if value is not None else None
                if saved is not None:
                    cells[cell.coordinate] = saved
            if cells:
                found[sheet.path.lstrip("/")] = cells  # path: set by the save just done
        return found

    def _with_values(self, data: bytes, saved: dict[str, dict[str, _Saved]]) -> bytes:
        out = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(data)) as written,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy,
        ):
            for info in written.infolist():
                part = written.read(info)
                wanted = saved.get(info.filename)
                if wanted:
                    part = _put_values(part, wanted)
                    if wanted:  # what _put_values did not find is left in ``wanted``
                        raise UsageError(
                            f"the copy of {self.source} would lose the saved values of "
                            f"{len(wanted)} formulas (for example {next(iter(wanted))}); "
                            "nothing written."
                        )
                copy.writestr(info, part)
        return out.getvalue()


def _saved(cell: Any, epoch: Any) -> _Saved | None:
    """A data_only cell's value as Excel saves a formula's result; None when none was saved."""
    from openpyxl.styles.numbers import is_date_format

    value = cell.value
    if value is None:
        # t="str" with an empty <v>: a formula whose result is empty text (=IF(A1="","",A1))
        return ("str", "") if cell.data_type == "str" else None
    if cell.data_type == "e":
        return "e", str(value)
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, date | time) and not is_date_format(cell.number_format):
        return "d", value.isoformat()  # saved as an ISO 8601 text (t="d"), not a date serial
    if isinstance(value, date | time | timedelta):  # a number in a date or time format
        value = _to_excel(value, epoch)
    if isinstance(value, int):
        return "", str(value)
    if isinstance(value, float):
        return "", repr(value)  # the shortest text that reads back as the same double
    return "str", str(value)


def _to_excel(value: date | time | timedelta, epoch: Any) -> float | int:
    from openpyxl.utils.datetime import to_excel

    serial: float | int = to_excel(value, epoch)  # type: ignore[no-untyped-call]
    return serial


def _put_values(xml: bytes, wanted: dict[str, _Saved]) -> bytes:
    """``xml`` with the saved value of each formula cell in ``wanted`` (removed as found)."""

    def put(match: re.Match[bytes]) -> bytes:
        ref = match.group(1).decode()
        saved = wanted.pop(ref, None)
        if saved is None:
            return match.group(0)
        kind, text = saved
        kind_attr = f' t="{kind}"'.encode() if kind else b""
        value = escape(text).encode()
        return (
            b'<c r="' + match.group(1) + b'"' + match.group(2) + kind_attr + b">"
            + match.group(3) + b"<v>" + value + b"</v></c>"
        )  # fmt: skip

    return _WRITTEN_FORMULA.sub(put, xml)


def open_copy(table: Table) -> BookCopy:
    """Load the workbook ``table`` was read from, from the bytes that were judged.

    Raises UsageError (one line: the file and the cause) when openpyxl cannot load it.
    """
    import openpyxl

    if table.workbook is None or table.sheet is None:
        raise UsageError(
            f"the report of {table.source} does not hold the workbook it judged; "
            "validate the file again."
        )
    data = table.workbook
    try:
        with warnings.catch_warnings(record=True) as caught:
            # openpyxl warns about parts it drops (data-validation extensions and the like):
            # they are facts about the copy to tell the user, not failures.
            warnings.simplefilter("always")
            book = openpyxl.load_workbook(io.BytesIO(data))
            values = (
                openpyxl.load_workbook(io.BytesIO(data), data_only=True)
                if _has_formulas(book)
                else None
            )
    except Exception as exc:  # openpyxl raises many types (KeyError, TypeError, OSError...)
        raise UsageError(cannot("open", table.source, exc)) from exc
    if table.sheet not in book.sheetnames:
        raise UsageError(cannot("open", table.source, KeyError(f"no sheet {table.sheet}")))
    notes = sorted({f"the copy drops a part of {table.source}: {w.message}" for w in caught})
    return BookCopy(book, values, table.source, notes + _lost(data, table.source))


def _has_formulas(book: Workbook) -> bool:
    return any(cell.data_type == "f" for sheet in book.worksheets for cell in sheet._cells.values())


def _lost(data: bytes, source: str) -> list[str]:
    """Notes on what openpyxl cannot keep in a copy of the workbook ``data``."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
    notes = []
    lost = []
    if any(name.startswith("xl/media/") for name in names) and not _has_pillow():
        lost.append("images")
    if any(name.startswith("xl/vbaProject") for name in names):
        lost.append("macros")
    if lost:
        notes.append(f"the copy of {source} has no {' or '.join(lost)} (openpyxl cannot keep them)")
    if any(name.startswith("xl/charts/") for name in names):
        notes.append(f"the charts of {source} are rebuilt in the copy and may lose some styling")
    return notes


def _has_pillow() -> bool:
    """openpyxl copies a workbook's images only when Pillow is installed."""
    import importlib.util

    return importlib.util.find_spec("PIL") is not None
