"""Reading a file: CSV or XLSX bytes -> Table (every cell as text, with its source place).

Reading knows files, not the session contract: no column names here. The format is told by the
first bytes as well as the name: a zip is a workbook (XLSX/XLSM when it holds xl/workbook.xml), an
OLE container is a legacy ``.xls`` or an encrypted workbook, text is CSV. A name that contradicts
the bytes is refused with a message saying what the file really is.

This module dispatches; ``csv`` reads text. A workbook is read whole, once: its bytes are what
``zip_parts`` (with ``zip_names``) resolves into parts (refusing ambiguity, with ``xml`` refusing
DTDs and entities), what ``xlsx`` (with ``xlsx_scan``) reads, what calamine is given, and what the
Table keeps for the outputs, so a file changed during the run is never read twice differently.
Every failure is a WebinarValidateError whose message starts with the file name: a bad file never
ends in a traceback.
"""

from __future__ import annotations

import codecs
import io
import os
import zipfile
from typing import BinaryIO

from webinar_validate._gc import gc_paused
from webinar_validate.errors import (
    EmptyFile,
    FileNotFound,
    UnreadableFile,
    UnsupportedFormat,
    UsageError,
    WebinarValidateError,
)
from webinar_validate.reading.csv import read_csv
from webinar_validate.reading.limits import MAX_PART_BYTES, MAX_WORKBOOK_BYTES
from webinar_validate.table import Table

__all__ = ["MAX_PART_BYTES", "read_table"]

# The workbook readers (zip_parts, xlsx: defusedxml, calamine) are imported when a workbook is
# read, so that a CSV run and a pre-commit hook do not pay for them.
_HEAD = 64 * 1024
_EARLY_CHECK_BYTES = 16 * 1024 * 1024

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORKBOOK_SUFFIXES = frozenset(
    {".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods", ".numbers"}
)
_TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
_SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"{\\rtf", "a Rich Text (RTF) document"),
)
# C0 control bytes that text does not hold (tab, line breaks, form feed and ESC aside).
_CONTROLS = bytes(range(9)) + bytes(range(14, 27)) + bytes(range(28, 32))
_OLE_STREAMS = (
    ("EncryptedPackage", "encrypted"),
    ("Workbook", "xls"),
    ("Book", "xls"),
    ("WordDocument", "doc"),
)


def read_table(
    path: str | os.PathLike[str], *, sheet: str | None = None, max_rows: int = 1000
) -> Table:
    """Read a CSV or XLSX file into a Table, or raise the file-level error that stops it.

    ``sheet`` names the worksheet of a workbook (default: the first visible one; ignored for a
    CSV). Reading stops with TooManyRows once more than ``max_rows`` non-blank data rows have
    been seen (``0``: no limit). The file is only ever opened for reading.
    """
    source = os.fspath(path)
    if max_rows < 0:
        raise UsageError(f"max_rows must be 0 (no limit) or more, not {max_rows}.")
    _check_path(source)
    try:
        stream = open(source, "rb")  # noqa: SIM115 - closed by the with block below
    except OSError as exc:
        raise UnreadableFile(f"{source} cannot be opened ({exc.strerror or exc}).") from None
    with stream, gc_paused():
        try:
            return _dispatch(source, stream, sheet, max_rows)
        except OSError as exc:  # the disk, not the format: reading the bytes failed
            raise UnreadableFile(f"{source} cannot be read ({exc.strerror or exc}).") from None


def _dispatch(source: str, stream: BinaryIO, sheet: str | None, max_rows: int) -> Table:
    head = stream.read(_HEAD)
    if not head:
        raise EmptyFile(
            f"{source} is empty (0 bytes); it has no header row: add one, or start from "
            "the file `webinar-validate template sessions.csv` writes."
        )
    suffix = os.path.splitext(source)[1].lower()
    if head.startswith(_ZIP):
        # the size first: read() sizes its buffer by the file, read(n) would take n bytes
        size = os.fstat(stream.fileno()).st_size
        small = size <= MAX_WORKBOOK_BYTES
        if small and size > _EARLY_CHECK_BYTES:
            _refuse_early(source, stream, len(head))
        data = head + stream.read() if small else b""
        if not small or len(data) > MAX_WORKBOOK_BYTES:  # (or it grew meanwhile)
            raise UnreadableFile(
                f"{source} is a workbook over 1 GiB, too large to check; split its rows into "
                "smaller files."
            )
        return _read_zip(source, data, suffix, sheet, max_rows)
    if head.startswith(_OLE):
        raise _ole_error(source, stream, suffix)
    _refuse_non_text(source, head)
    if suffix in _WORKBOOK_SUFFIXES:
        raise UnreadableFile(f"{source} is a text (CSV) file named {suffix}; rename it to .csv.")
    stream.seek(0)
    return read_csv(source, stream, head, max_rows)


def _refuse_early(source: str, stream: BinaryIO, resume: int) -> None:
    """Refuse a big workbook by its zip directory before reading it all into memory (a part
    declared over 256 MiB, a bomb, encryption). Only an early answer: everything is checked
    again on the bytes that are then read, which are the ones parsed."""
    from webinar_validate.reading.xlsx import DAMAGED
    from webinar_validate.reading.zip_names import check_entries

    try:
        with zipfile.ZipFile(stream) as zf:
            check_entries(source, zf)
    except DAMAGED:
        pass  # the full reading says how it is damaged
    finally:
        stream.seek(resume)


def _check_path(source: str) -> None:
    if not os.path.exists(source):
        raise FileNotFound(f"{source} does not exist.")
    if os.path.isdir(source):
        hint = " (an Apple Numbers document? export it as .xlsx or .csv)"
        extra = hint if source.lower().rstrip("/\\").endswith(".numbers") else ""
        raise FileNotFound(f"{source} is a folder, not a file{extra}.")
    if not os.path.isfile(source):
        raise FileNotFound(f"{source} is not a regular file.")


def _read_zip(source: str, data: bytes, suffix: str, sheet: str | None, max_rows: int) -> Table:
    from webinar_validate.reading.xlsx import DAMAGED, damaged, read_xlsx
    from webinar_validate.reading.zip_parts import resolve

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except DAMAGED:
        raise UnreadableFile(
            f"{source} is damaged or incomplete: it starts like an XLSX (zip) file but cannot "
            "be opened as one; save it again from Excel."
        ) from None
    with zf:
        try:
            _classify_zip(source, zf)
            if suffix in _TEXT_SUFFIXES:
                raise UnreadableFile(
                    f"{source} is an Excel workbook named {suffix}; rename it to .xlsx."
                )
            parts = resolve(source, data, zf)
        except DAMAGED as exc:
            raise damaged(source, exc) from None
        return read_xlsx(source, parts, sheet, max_rows)


def _classify_zip(source: str, zf: zipfile.ZipFile) -> None:
    """Return when the zip is an XLSX/XLSM workbook; otherwise raise saying what it is."""
    names = set(zf.namelist())
    if "xl/workbook.xml" in names:
        return
    if "mimetype" in names:
        with zf.open("mimetype") as member:
            mime = member.read(100)
        if mime.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            raise UnsupportedFormat(
                f"{source} is an OpenDocument spreadsheet (.ods); save it as .xlsx or .csv."
            )
        if mime.startswith(b"application/vnd.oasis.opendocument"):
            raise UnsupportedFormat(
                f"{source} is an OpenDocument file, not a spreadsheet; save the data as .xlsx "
                "or .csv."
            )
    if "xl/workbook.bin" in names:
        raise UnsupportedFormat(
            f"{source} is an Excel binary workbook (.xlsb); save it as .xlsx or .csv."
        )
    if any(name.startswith("Index/") and name.endswith(".iwa") for name in names):
        raise UnsupportedFormat(
            f"{source} is an Apple Numbers document; export it as .xlsx or .csv."
        )
    for part, what in (("word/document.xml", "a Word"), ("ppt/presentation.xml", "a PowerPoint")):
        if part in names:
            raise UnsupportedFormat(
                f"{source} is {what} document, not a spreadsheet; save the data as .xlsx or .csv."
            )
    raise UnreadableFile(f"{source} is a zip archive, not an Excel workbook (no xl/workbook.xml).")


def _ole_error(source: str, stream: BinaryIO, suffix: str) -> WebinarValidateError:
    """What an OLE (compound document) file is: an encrypted workbook, a legacy .xls, other."""
    wanted = [(name.encode("utf-16-le"), kind) for name, kind in _OLE_STREAMS]
    found: set[str] = set()
    stream.seek(0)
    tail = b""
    while chunk := stream.read(1 << 20):
        window = tail + chunk
        found.update(kind for name, kind in wanted if name in window)
        tail = window[-64:]
    if "encrypted" in found:
        return UnreadableFile(
            f"{source} is a password-protected (encrypted) workbook; open it in Excel, remove "
            "the password and save it again."
        )
    if "xls" in found or (not found and suffix in (".xls", ".xlt")):
        return UnsupportedFormat(
            f"{source} is a legacy Excel 97-2003 workbook (.xls); save it as .xlsx or .csv."
        )
    if "doc" in found:
        return UnsupportedFormat(
            f"{source} is a Word 97-2003 document, not a spreadsheet; save the data as .xlsx or "
            ".csv."
        )
    return UnsupportedFormat(
        f"{source} is an old-style Microsoft Office (OLE) file, not a spreadsheet this tool "
        "reads; save it as .xlsx or .csv."
    )


def _refuse_non_text(source: str, head: bytes) -> None:
    """Raise when the first bytes are not CSV text, saying what they are instead."""
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            raise UnsupportedFormat(
                f"{source} is {what}, not a spreadsheet; save or export the data as .xlsx or .csv."
            )
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise UnreadableFile(
            f"{source} is UTF-32 text, which is not accepted; save it as CSV UTF-8."
        )
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    start = head[:4096].removeprefix(codecs.BOM_UTF8).lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table")):
        raise UnsupportedFormat(
            f"{source} is a web page (HTML), not a spreadsheet file; open it in Excel and save "
            "it as .xlsx or .csv."
        )
    if start.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        raise UnsupportedFormat(
            f"{source} is an Excel 2003 XML spreadsheet; save it as .xlsx or .csv."
        )
    nuls = head.count(0)
    if (
        nuls
        and nuls >= len(head) // 4
        and max(head[0::2].count(0), head[1::2].count(0)) >= 0.9 * nuls
    ):
        raise UnreadableFile(
            f"{source} looks like UTF-16 text without a byte-order mark; save it as CSV UTF-8."
        )
    if (len(head) - len(head.translate(None, _CONTROLS))) * 20 > len(head):
        raise UnreadableFile(f"{source} is a binary file, not CSV text or an XLSX workbook.")
