"""Write the hostile corpus in ``tests/cases/hostile/``: ``python tests/make_hostile.py``.

What people really feed the tool, and what an attacker could: broken and disguised containers,
other spreadsheet formats, bombs, odd encodings and line endings, workbooks with hidden, merged,
formula and error cells. Each folder holds one input and ``expected.json`` in the conventions of
``make_cases.py`` (whose helpers it uses); ``tests/test_acceptance.py`` runs them all, and
``tests/test_hostile.py`` adds what a folder cannot express (large files made during the run, a
directory, the CLI as a subprocess, the input left untouched).

Deterministic: rerunning writes the same bytes, except for the inputs other programs make
(``EXTERNAL``: LibreOffice's .xls/.ods/.xlsx, and an encrypted workbook made with
msoffcrypto-tool). Those stamp times and random salts, so they are committed and rewritten only
with ``--external``, which needs ``soffice`` (``apt-get install libreoffice-calc``) and the
``msoffcrypto`` module (``pip install msoffcrypto-tool``: for this script only, never a
dependency of the package). Without it, their inputs are kept and only expected.json is written.

Every input here is small (the three zip bombs are 200-400 KB: deflate packs a run of one byte
about a thousand to one; the widest CSV, 100,000 columns, is under 1 MB). What would be 2 MB and
more (a header of a million columns, gigabyte bombs) is made during the test run by the helpers
here (``huge_header_csv``, ``decompression_bomb``) instead of committed.

Issue 11 added: zip parts that two readers could resolve differently (``zip_part_*``), DTDs
behind processing instructions, comments, BOMs and UTF-16 (``dtd_*``), formulas behind white
space (``formula_injection_after_white_space_*``), the CSV column and header limits
(``csv_*columns*``, ``csv_record_*``, ``csv_header_cell_*``), workbooks openpyxl cannot load
(``openpyxl_refuses_*``) and formulas with saved values (``xlsx_formulas_with_saved_values``).
A formula in a header cell fails the file with a code expected.json cannot hold as file-level
(``formula_header_input``), so test_hostile.py makes that input itself.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import openpyxl
from make_cases import BASE, CASES_DIR, Expected, Row, _cells, _expected, s
from make_samples import Formula, csv_text, fill_sheet, workbook_bytes, xlsx_bytes

HOSTILE_DIR = CASES_DIR / "hostile"
STAMP = (2026, 1, 1, 0, 0, 0)
MIB = 1 << 20

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
    'ContentType="application/xml"/></Types>'
)

EXTERNAL = {
    "xls_real": "input.xls",
    "ods_real": "input.ods",
    "xlsx_saved_by_libreoffice": "input.xlsx",
    "xlsx_encrypted": "input.xlsx",
}
"""Cases whose input another program makes (not byte-reproducible): case name -> file name."""

_WRITTEN: list[str] = []


def write_case(name: str, filename: str, data: bytes | None, exp: Expected) -> None:
    """Write ``hostile/<name>/``; ``data`` None keeps the committed input (an EXTERNAL one)."""
    if name in _WRITTEN:
        raise ValueError(f"case {name} written twice")
    _WRITTEN.append(name)
    folder = HOSTILE_DIR / name
    folder.mkdir(parents=True, exist_ok=True)
    if data is not None:
        for old in folder.glob("input.*"):
            old.unlink()
        (folder / filename).write_bytes(data)
    elif not (folder / filename).is_file():
        print(f"warning: {name}/{filename} is missing: run with --external", file=sys.stderr)
    (folder / "expected.json").write_text(exp.to_json())


def refused(name: str, filename: str, data: bytes | None, *codes: str) -> None:
    """A file that cannot be judged: exit 2 with ``codes``."""
    write_case(name, filename, data, Expected(exit=2, file_errors=codes))


def judged(
    name: str,
    filename: str,
    data: bytes | None,
    rows: Sequence[Row],
    errors: Sequence[tuple[int, str, str]] = (),
    warnings: Sequence[str] = (),
    args: Sequence[str] = (),
) -> None:
    """A file that is judged; ``rows`` are its data rows from sheet/record row 2 on."""
    write_case(name, filename, data, _expected(rows, errors, warnings, args))


# --------------------------------------------------------------------------- building blocks


def texts(row: Row) -> list[str]:
    """A session row's cells under BASE, as text."""
    cells = _cells(BASE, row)
    assert cells is not None
    return [str(v) for v in cells]


def csv_bytes(rows: Sequence[Row], newline: str = "\n", header: Sequence[str] = BASE) -> bytes:
    """UTF-8 CSV of BASE-shaped rows (None: an empty line)."""
    records = [list(header), *(None if r is None else texts(r) for r in rows)]
    return csv_text(records, newline=newline).encode()


def zip_bytes(members: Mapping[str, bytes | str], *, stored: Sequence[str] = ()) -> bytes:
    """A zip of ``members`` with fixed times; names in ``stored`` are not compressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            method = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            zf.writestr(zipfile.ZipInfo(name, STAMP), data, method)
    return out.getvalue()


def cell_xml(ref: str, value: str) -> str:
    """An inline-string cell (the text is XML-escaped by the caller where needed)."""
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'


def letters(index: int) -> str:
    """0-based column index -> A1 letters."""
    out, n = "", index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def row_xml(number: int, values: Sequence[str], attributes: str = "") -> str:
    """A <row> of inline strings from column A; empty values are left out."""
    cells = "".join(cell_xml(f"{letters(i)}{number}", v) for i, v in enumerate(values) if v != "")
    return f'<row r="{number}"{attributes}>{cells}</row>'


def book_parts(
    sheet_data: str,
    *,
    prolog: str = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
    sheet_target: str = "worksheets/sheet1.xml",
    shared: str | None = None,
    workbook_sheets: str = '<sheet name="Sessions" sheetId="1" r:id="rId1"/>',
) -> dict[str, bytes | str]:
    """The parts of a minimal hand-written workbook with one sheet (Sessions)."""
    rels = f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="{sheet_target}"/>'
    if shared is not None:
        rels += f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml": _CT,
        "_rels/.rels": f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        f"{workbook_sheets}</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PKG}">{rels}</Relationships>',
        "xl/" + sheet_target: f'{prolog}<worksheet xmlns="{_MAIN}"><sheetData>{sheet_data}'
        "</sheetData></worksheet>",
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    return parts


def sessions_sheet(rows: Sequence[Row]) -> str:
    """<sheetData> content: BASE in row 1, the rows from row 2 (None: no row element)."""
    xml = row_xml(1, BASE)
    for number, row in enumerate(rows, start=2):
        if row is not None:
            xml += row_xml(number, texts(row))
    return xml


def openpyxl_bytes(build: Callable[[Any], None]) -> bytes:
    """A reproducible workbook built by ``build(workbook)`` with openpyxl."""
    workbook = openpyxl.Workbook()
    build(workbook)
    return workbook_bytes(workbook)


BAD_TZ = [s(1), s(2, timeZone="Eastern")]
BAD_TZ_ERRORS = [(3, "timeZone", "invalid_time_zone")]


# --------------------------------------------------------------------------- bombs


def _sheet_bomb_members() -> tuple[dict[str, bytes | str], bytes, bytes]:
    """A workbook's small parts, and the head and tail of a sheet whose row 2 holds one inline
    string cell: the bomb's letters go between them (what a parser would hold in memory)."""
    parts = book_parts(sessions_sheet([]) + "@", sheet_target="worksheets/sheet1.xml")
    sheet = parts.pop("xl/worksheets/sheet1.xml")
    assert isinstance(sheet, str)
    head, tail = sheet.split("@")
    head += '<row r="2"><c r="A2" t="inlineStr"><is><t>'
    tail = "</t></is></c></row>" + tail
    return parts, head.encode(), tail.encode()


def _bomb_stream(size: int) -> tuple[bytes, bytes, int]:
    """The raw deflate stream of the bomb sheet (``size`` letters in one cell), its first 64 KiB
    inflated, and its inflated length.

    Each MiB of letters is compressed once and repeated: a full flush makes every compressed
    block independent of what came before, so a gigabyte bomb takes a second to make.
    """
    _parts, head, tail = _sheet_bomb_members()
    block = b"a" * MIB
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    packed = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    end = deflate.compress(tail) + deflate.flush()
    count = size // MIB
    return (
        start + packed * count + end,
        (head + block)[: 64 * 1024],
        len(head) + count * MIB + len(tail),
    )


def _crc_of_bomb(size: int) -> int:
    _parts, head, tail = _sheet_bomb_members()
    block = b"a" * MIB
    crc = zlib.crc32(head)
    for _ in range(size // MIB):
        crc = zlib.crc32(block, crc)
    return zlib.crc32(tail, crc)


def _raw_zip(members: Sequence[tuple[str, bytes, int, int]]) -> bytes:
    """A zip written field by field: (name, deflated bytes, CRC-32, declared size) per member,
    so that a member may declare what it does not hold. No zip64: sizes stay under 4 GiB."""
    out = io.BytesIO()
    central = []
    for name, body, crc, declared in members:
        offset = out.tell()
        encoded = name.encode()
        fields = (20, 0, 8, 0, 0x5C21, crc, len(body), declared, len(encoded))  # 2026-01-01
        out.write(b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", *fields, 0) + encoded + body)
        central.append(
            b"PK\x01\x02"
            + struct.pack("<HHHHHHIIIHHHHHII", 20, *fields, 0, 0, 0, 0, 0, offset)
            + encoded
        )
    start = out.tell()
    directory = b"".join(central)
    count = len(central)
    out.write(directory)
    out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, count, count, len(directory), start, 0))
    return out.getvalue()


def _deflated(data: bytes | str) -> tuple[bytes, int, int]:
    raw = data.encode() if isinstance(data, str) else data
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    return deflate.compress(raw) + deflate.flush(), zlib.crc32(raw), len(raw)


def decompression_bomb(size: int) -> bytes:
    """A workbook whose sheet inflates to about ``size`` bytes (under 4 GiB), sizes declared
    honestly."""
    parts, _head, _tail = _sheet_bomb_members()
    small = [(name, *_deflated(data)) for name, data in parts.items()]
    stream, _first, full = _bomb_stream(size)
    sheet = ("xl/worksheets/sheet1.xml", stream, _crc_of_bomb(size), full)
    return _raw_zip([*small, sheet])


def lying_bomb(size: int, declared: int = 4096) -> bytes:
    """A bomb whose zip directory says the sheet is ``declared`` bytes, with the CRC of that
    many first bytes (so a reader that trusts the sizes finds nothing wrong), while its
    deflate stream inflates to about ``size`` bytes."""
    parts, _head, _tail = _sheet_bomb_members()
    small = [(name, *_deflated(data)) for name, data in parts.items()]
    stream, first, _full = _bomb_stream(size)
    sheet = ("xl/worksheets/sheet1.xml", stream, zlib.crc32(first[:declared]), declared)
    return _raw_zip([*small, sheet])


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)
"""The "billion laughs" prolog: &lol9; expands to 10^9 "lol"s, 3 GB, from under 1 KB."""


def entity_bomb(where: str) -> bytes:
    """A workbook with the billion laughs in its sheet, shared strings, or an oddly named sheet."""
    if where == "sheet":
        return zip_bytes(book_parts(sessions_sheet([]) + row_xml(2, ["&lol9;"]), prolog=LAUGHS))
    if where == "shared":
        shared = LAUGHS + f'<sst xmlns="{_MAIN}"><si><t>&lol9;</t></si></sst>'
        sheet = sessions_sheet([]) + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
        return zip_bytes(book_parts(sheet, shared=shared))
    # A sheet part whose name does not say XML: it is still checked before it is parsed.
    sheet = sessions_sheet([]) + row_xml(2, ["&lol9;"])
    return zip_bytes(book_parts(sheet, prolog=LAUGHS, sheet_target="worksheets/sheet1.dat"))


def xxe_workbook() -> bytes:
    """An external entity in workbook.xml that would read a local file into a sheet name."""
    parts = book_parts(sessions_sheet([s(1)]))
    workbook = parts["xl/workbook.xml"]
    assert isinstance(workbook, str)
    parts["xl/workbook.xml"] = (
        '<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + workbook.replace('name="Sessions"', 'name="&xxe;"')
    )
    return zip_bytes(parts)


# --------------------------------------------------------------------------- other formats


def _biff12(kind: int, data: bytes = b"") -> bytes:
    """One record of an Excel binary (.xlsb) part: type and size as 7-bit varints, then data."""

    def varint(n: int) -> bytes:
        out = bytearray()
        while True:
            n, low = n >> 7, n & 0x7F
            out.append(low | (0x80 if n else 0))
            if not n:
                return bytes(out)

    return varint(kind) + varint(len(data)) + data


def _wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def xlsb_bytes(rows: Sequence[Sequence[str]]) -> bytes:
    """A genuine minimal .xlsb: BIFF12 records, which calamine and LibreOffice both read."""
    workbook = (
        _biff12(0x83)  # BrtBeginBook
        + _biff12(0x8F)  # BrtBeginBundleShs
        + _biff12(0x9C, struct.pack("<II", 0, 1) + _wide("rId1") + _wide("Sessions"))
        + _biff12(0x90)  # BrtEndBundleShs
        + _biff12(0x84)  # BrtEndBook
    )
    width = max(map(len, rows))
    sheet = _biff12(0x81) + _biff12(0x94, struct.pack("<IIII", 0, len(rows) - 1, 0, width - 1))
    sheet += _biff12(0x91)  # BrtBeginSheetData
    for number, cells in enumerate(rows):
        sheet += _biff12(0x00, struct.pack("<IIHHBBB", number, 0, 300, 0, 0, 0, 0)[:17])
        for column, text in enumerate(cells):
            sheet += _biff12(0x06, struct.pack("<II", column, 0) + _wide(text))  # BrtCellSt
    sheet += _biff12(0x92) + _biff12(0x82)  # BrtEndSheetData, BrtEndSheet
    binary = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
    types = _CT.replace(
        "<Default Extension=",
        f'<Default Extension="bin" ContentType="{binary}"/><Default Extension=',
        1,
    )
    rels = f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.bin"/>'
    return zip_bytes(
        {
            "[Content_Types].xml": types,
            "_rels/.rels": f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.bin"/></Relationships>',
            "xl/workbook.bin": workbook,
            "xl/_rels/workbook.bin.rels": f'<Relationships xmlns="{_PKG}">{rels}</Relationships>',
            "xl/worksheets/sheet1.bin": sheet,
        }
    )


def numbers_bytes() -> bytes:
    """An Apple Numbers document saved as a single file: a zip of .iwa (protobuf) streams."""
    return zip_bytes(
        {
            "Index/Document.iwa": b"\x00\x1f\x00\x00\x00" + bytes(range(31)),
            "Index/Metadata.iwa": b"\x00\x08\x00\x00\x00" + bytes(8),
            "Metadata/DocumentIdentifier": b"2B8C7A3E-4D0F-4E36-9C1B-6B0D4A1E9F00",
            "Metadata/Properties.plist": b"bplist00\xd1\x01\x02",
            "preview.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
        },
        stored=("Index/Document.iwa", "Index/Metadata.iwa"),
    )


def spreadsheet_2003_xml(rows: Sequence[Sequence[str]]) -> bytes:
    """An Excel 2003 XML Spreadsheet (SpreadsheetML), as Excel's "XML Spreadsheet 2003" saves."""
    body = "".join(
        "<Row>" + "".join(f'<Cell><Data ss:Type="String">{v}</Data></Cell>' for v in row) + "</Row>"
        for row in rows
    )
    return (
        '<?xml version="1.0"?>\r\n<?mso-application progid="Excel.Sheet"?>\r\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">\r\n'
        f'<Worksheet ss:Name="Sessions"><Table>{body}</Table></Worksheet>\r\n</Workbook>\r\n'
    ).encode()


def docx_bytes() -> bytes:
    """A Word document (a zip with word/document.xml) named .xlsx."""
    body = f'<w:document xmlns:w="{_MAIN}"><w:body><w:p/></w:body></w:document>'
    return zip_bytes({"[Content_Types].xml": _CT, "word/document.xml": body})


# --------------------------------------------------------------------------- external inputs


def _soffice(source: bytes, suffix: str, target: str, workdir: Path) -> bytes:
    """Convert ``source`` (a file with ``suffix``) with LibreOffice: ``target`` is
    ``--convert-to``'s argument (``xls``, ``ods``, ``xml:MS Excel 2003 XML``, ...)."""
    src = workdir / f"source{suffix}"
    src.write_bytes(source)
    out = workdir / "out"
    profile = (workdir / "profile").as_uri()
    command = ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to"]
    subprocess.run(
        [*command, target, "--outdir", str(out), str(src)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    made = [p for p in out.iterdir() if p.is_file()]
    assert len(made) == 1, made
    data = made[0].read_bytes()
    shutil.rmtree(out)
    return data


def _encrypt(plain: bytes, password: str) -> bytes:
    """``plain`` (an .xlsx) encrypted as Excel does: ECMA-376 agile encryption in an OLE file."""
    from msoffcrypto.format.ooxml import OOXMLFile  # only for making this input

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt(password, out)
    locked = out.getvalue()
    check = OOXMLFile(io.BytesIO(locked))
    check.load_key(password=password)
    opened = io.BytesIO()
    check.decrypt(opened)
    assert opened.getvalue() == plain
    return locked


def external_inputs(source: bytes, formula_source: bytes) -> dict[str, bytes]:
    """The inputs other programs make, keyed by case name."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        made = {
            "xls_real": _soffice(source, ".xlsx", "xls", work),
            "ods_real": _soffice(source, ".xlsx", "ods", work),
            "xlsx_saved_by_libreoffice": _soffice(
                formula_source, ".xlsx", "xlsx:Calc MS Excel 2007 XML", work
            ),
        }
    made["xlsx_encrypted"] = _encrypt(source, "webinar")
    return made


# --------------------------------------------------------------------------- the cases


def csv_cases() -> None:
    """Text files: encodings, line endings, quotes, control characters, headers, disguises."""
    rows: list[Row] = [s(1, title="Intro\x00duction"), s(2)]
    judged("csv_nul_byte", "input.csv", csv_bytes(rows), rows, [(2, "title", "invalid_character")])
    rows = [s(1, title="\x1b[31mRed alert\x1b[0m"), s(2, title="Ding\x07"), s(3)]
    errors = [(2, "title", "invalid_character"), (3, "title", "invalid_character")]
    judged("csv_terminal_control_chars", "input.csv", csv_bytes(rows), rows, errors)

    # Every record ends differently (CRLF, LF, CR in turn); a quoted title spans lines.
    rows = [
        s(1),
        s(2, timeZone="Eastern"),
        None,
        s(4, title="Line one\r\nline two\rline three\nline four"),
        s(5, webinarProvider="skype"),
        s(6),
    ]
    records = [BASE, *(None if r is None else texts(r) for r in rows)]
    endings = ["\r\n", "\n", "\r"]
    data = "".join(csv_text([rec], newline=endings[i % 3]) for i, rec in enumerate(records))
    errors = [(3, "timeZone", "invalid_time_zone"), (6, "webinarProvider", "invalid_choice")]
    judged("csv_mixed_line_endings", "input.csv", data.encode(), rows, errors, ["blank_row"])

    lines = csv_bytes([s(1), s(2), s(3), s(4)]).decode().splitlines(keepends=True)
    lines[3] = lines[3].replace("Webinar session 3", '"Webinar, session 3')  # never closed
    refused("csv_unterminated_quote", "input.csv", "".join(lines).encode(), "unreadable_file")

    text = csv_bytes(BAD_TZ).decode()
    refused("csv_utf16_without_bom", "input.csv", text.encode("utf-16-le"), "unreadable_file")
    judged(
        "csv_utf16_big_endian_bom",
        "input.csv",
        b"\xfe\xff" + text.encode("utf-16-be"),
        BAD_TZ,
        BAD_TZ_ERRORS,
    )
    refused("csv_utf32", "input.csv", text.encode("utf-32"), "unreadable_file")
    # UTF-8 lines and a Latin-1 "é": two encodings mixed (CONTRACT v2 "Encodings"), refused
    # rather than read whole as Windows-1252 (which made the UTF-8 "ä" and en dash "Ã¤", "â€“").
    latin = csv_bytes([s(1, title="Café Deutsch")]).decode().encode("latin-1")
    utf8 = csv_bytes([s(2, title="Präsentation \u2013 Teil 2")]).split(b"\n", 1)[1]
    refused("csv_latin1_in_utf8", "input.csv", latin + utf8, "unreadable_file")
    judged(
        "csv_tab_delimited_named_csv",
        "input.csv",
        csv_text([BASE, *map(texts, BAD_TZ)], delimiter="\t").encode(),
        BAD_TZ,
        BAD_TZ_ERRORS,
    )

    header = [*BASE, "Title "]
    raw = csv_text([header, [*texts(s(1)), "again"]]).encode()
    refused("csv_duplicate_headers", "input.csv", raw, "duplicate_column")
    header = [*BASE, "notes", "notes"]
    raw = csv_text([header, [*texts(s(1)), "a", "b"]]).encode()
    refused("csv_duplicate_unknown_headers", "input.csv", raw, "duplicate_column")
    header_only = b"\xef\xbb\xbf" + ",".join(BASE).encode() + b"\r\n"
    judged("csv_header_only", "input.csv", header_only, [], [], ["nothing_to_import"])
    refused("csv_blank_lines_only", "input.csv", b"\r\n \r\n\t\r\n,,,\r\n\r\n", "empty_file")

    short = texts(s(2))[:3]  # endDate, timeZone and webinarProvider missing
    records = [BASE, texts(s(1)), short, [*texts(s(3)), "", ""], [*texts(s(4)), "", "stray"]]
    errors = [
        (3, "endDate", "required"),
        (3, "timeZone", "required"),
        (3, "webinarProvider", "required"),
        (5, "*", "extra_cells"),
    ]
    judged(
        "csv_ragged_rows",
        "input.csv",
        csv_text(records).encode(),
        [s(1), s(2), s(3), s(4)],
        errors,
    )

    # More than the 1,000-row limit, then a quote never closed: reading stopped before it.
    many = ",".join(BASE) + "\n" + "x,,,,,\n" * 1001 + 'x,"never closed\n' + "y,,,,,\n" * 9
    refused("csv_too_many_rows_then_open_quote", "input.csv", many.encode(), "too_many_rows")

    refused("csv_named_xlsx", "input.xlsx", csv_bytes(BAD_TZ), "unreadable_file")
    refused(
        "pdf_named_csv",
        "input.csv",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        "unsupported_format",
    )
    refused("gzip_named_csv", "input.csv", gzip_bytes(csv_bytes(BAD_TZ)), "unsupported_format")
    html = "<html><body><table><tr><td>courseGroupId</td></tr></table></body></html>\n"
    refused("html_named_xls", "input.xls", html.encode(), "unsupported_format")


def gzip_bytes(data: bytes) -> bytes:
    """gzip with a fixed time stamp."""
    import gzip

    return gzip.compress(data, mtime=0)


def container_cases() -> None:
    """Zip containers that are broken, disguised, or another format's."""
    whole = xlsx_bytes(BASE, [texts(s(1)), texts(s(2))])
    refused("xlsx_truncated", "input.xlsx", whole[: len(whole) * 6 // 10], "unreadable_file")
    refused("xlsx_truncated_end_record", "input.xlsx", whole[:-30], "unreadable_file")

    body = zip_bytes(book_parts(sessions_sheet([s(n) for n in range(1, 40)])))
    at = body.index(b"xl/worksheets/sheet1.xml") + 200
    garbled = body[:at] + bytes(b ^ 0x5A for b in body[at : at + 64]) + body[at + 64 :]
    refused("xlsx_corrupt_deflate", "input.xlsx", garbled, "unreadable_file")
    stored = zip_bytes(
        book_parts(sessions_sheet([s(1), s(2)])), stored=["xl/worksheets/sheet1.xml"]
    )
    assert stored.count(b"Webinar session 2") == 1
    tampered = stored.replace(b"Webinar session 2", b"Webinar session X")  # the CRC no longer fits
    refused("xlsx_corrupt_crc", "input.xlsx", tampered, "unreadable_file")

    refused(
        "xlsx_random_bytes",
        "input.xlsx",
        random.Random(20260101).randbytes(8192),
        "unreadable_file",
    )
    refused("xlsx_zero_bytes", "input.xlsx", b"", "empty_file")
    refused("xlsx_is_a_word_document", "input.xlsx", docx_bytes(), "unsupported_format")
    refused(
        "zip_not_a_workbook",
        "input.xlsx",
        zip_bytes({"sessions.csv": csv_bytes(BAD_TZ)}),
        "unreadable_file",
    )
    refused("xlsx_named_csv", "input.csv", whole, "unreadable_file")
    rows = [BASE, texts(s(1))]
    refused("xlsb_real", "input.xlsb", xlsb_bytes(rows), "unsupported_format")
    refused("numbers_style", "input.numbers", numbers_bytes(), "unsupported_format")
    xml = spreadsheet_2003_xml(rows)
    refused("excel_2003_xml_named_xls", "input.xls", xml, "unsupported_format")


def external_cases(made: dict[str, bytes]) -> None:
    """Files LibreOffice and msoffcrypto-tool make (kept as committed unless ``made`` has them)."""
    for name in ("xls_real", "ods_real"):
        refused(name, EXTERNAL[name], made.get(name), "unsupported_format")
    refused("xlsx_encrypted", "input.xlsx", made.get("xlsx_encrypted"), "unreadable_file")
    judged(
        "xlsx_saved_by_libreoffice",
        "input.xlsx",
        made.get("xlsx_saved_by_libreoffice"),
        BAD_TZ,
        BAD_TZ_ERRORS,
    )


def workbook_cases() -> None:
    """Readable workbooks with what spreadsheets hold: hidden and merged cells, formulas, errors."""
    hidden = '<sheet name="Sessions" sheetId="1" state="hidden" r:id="rId1"/>'
    hidden += '<sheet name="Lookup" sheetId="2" state="veryHidden" r:id="rId1"/>'
    parts = book_parts(sessions_sheet(BAD_TZ), workbook_sheets=hidden)
    refused("xlsx_no_visible_sheet", "input.xlsx", zip_bytes(parts), "unreadable_file")

    def chart_first(wb: Any) -> None:
        from openpyxl.chart import BarChart, Reference

        sheet = wb.active
        sheet.title = "Sessions"
        fill_sheet(sheet, [BASE, *map(texts, BAD_TZ)])
        chart = BarChart()
        chart.add_data(Reference(sheet, min_col=1, min_row=1, max_row=3), titles_from_data=True)
        wb.create_chartsheet("Chart", 0).add_chart(chart)
        wb.active = 0

    judged(
        "xlsx_chart_sheet_first", "input.xlsx", openpyxl_bytes(chart_first), BAD_TZ, BAD_TZ_ERRORS
    )

    def hidden_row(wb: Any) -> None:
        sheet = wb.active
        sheet.title = "Sessions"
        fill_sheet(sheet, [BASE, *map(texts, BAD_TZ)])
        sheet.row_dimensions[3].hidden = True
        sheet.column_dimensions["E"].hidden = True

    judged(
        "xlsx_hidden_row_and_column",
        "input.xlsx",
        openpyxl_bytes(hidden_row),
        BAD_TZ,
        BAD_TZ_ERRORS,
    )

    def merged(wb: Any) -> None:
        sheet = wb.active
        sheet.title = "Sessions"
        fill_sheet(sheet, [BASE, *map(texts, [s(1), s(2), s(3)])])
        sheet.merge_cells("A2:A3")  # courseGroupId: only A2 keeps its value, as in Excel
        sheet.merge_cells("C4:D4")  # startDate and endDate: D4 is emptied

    errors = [(3, "courseGroupId", "required"), (4, "endDate", "required")]
    judged("xlsx_merged_cells", "input.xlsx", openpyxl_bytes(merged), [s(1), s(2), s(3)], errors)

    rows = [s(1, title=Formula('"Webinar "&"one"')), s(2)]
    errors = [(2, "title", "formula_without_value")]
    judged(
        "xlsx_formula_without_value",
        "input.xlsx",
        xlsx_bytes(BASE, [_cells(BASE, r) for r in rows]),
        rows,
        errors,
    )

    sheet = (
        row_xml(1, BASE)
        + row_xml(2, [*texts(s(1))[:2], "", *texts(s(1))[3:]])[:-6]
        + '<c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
        + row_xml(3, ["", *texts(s(2))[1:]])[:-6]
        + '<c r="A3" t="e"><v>#REF!</v></c></row>'
    )
    errors = [(2, "startDate", "formula_error"), (3, "courseGroupId", "formula_error")]
    judged("xlsx_error_cells", "input.xlsx", zip_bytes(book_parts(sheet)), [s(1), s(2)], errors)

    rows = [s(1, title="Intro_x0000_duction"), s(2, title="Alert_x001B_[0m"), s(3)]
    errors = [(2, "title", "invalid_character"), (3, "title", "invalid_character")]
    judged(
        "xlsx_escaped_control_chars",
        "input.xlsx",
        zip_bytes(book_parts(sessions_sheet(rows))),
        rows,
        errors,
    )

    # 16,384 columns, A to XFD: a stray cell in XFD2, and row 3 filled all the way across.
    far = cell_xml("XFD2", "stray")
    across = "".join(cell_xml(f"{letters(c)}3", "x") for c in range(len(BASE), 16384))
    sheet = row_xml(1, BASE) + row_xml(2, texts(s(1)))[:-6] + far + "</row>"
    sheet += row_xml(3, texts(s(2)))[:-6] + across + "</row>"
    errors = [(2, "*", "extra_cells"), (3, "*", "extra_cells")]
    judged(
        "xlsx_16384_columns_wide", "input.xlsx", zip_bytes(book_parts(sheet)), [s(1), s(2)], errors
    )

    far_cell = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    parts = book_parts(sessions_sheet([s(1)]) + far_cell)
    refused("xlsx_used_range_to_xfd1048576", "input.xlsx", zip_bytes(parts), "unreadable_file")
    parts = book_parts(sessions_sheet([s(1)]))
    del parts["xl/worksheets/sheet1.xml"]
    refused("xlsx_missing_sheet_part", "input.xlsx", zip_bytes(parts), "unreadable_file")
    shared = f'<sst xmlns="{_MAIN}"><si><t>courseGroupId</t></si></sst>'
    sheet = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>7</v></c></row>'
    parts = book_parts(sheet, shared=shared)
    refused("xlsx_shared_string_out_of_range", "input.xlsx", zip_bytes(parts), "unreadable_file")
    parts = book_parts(sessions_sheet(BAD_TZ))
    sheet_text = parts["xl/worksheets/sheet1.xml"]
    assert isinstance(sheet_text, str)
    utf16 = sheet_text.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    parts["xl/worksheets/sheet1.xml"] = b"\xff\xfe" + utf16.encode("utf-16-le")
    refused("xlsx_utf16_sheet_xml", "input.xlsx", zip_bytes(parts), "unreadable_file")

    bad_tz_book = xlsx_bytes(BASE, [texts(r) for r in BAD_TZ])
    judged(
        "xlsx_trailing_junk",
        "input.xlsx",
        bad_tz_book + b"\0" * 64 + b"junk\n",
        BAD_TZ,
        BAD_TZ_ERRORS,
    )
    with zipfile.ZipFile(io.BytesIO(bad_tz_book)) as src:
        members = {info.filename: src.read(info) for info in src.infolist()}
    strict = {  # ISO/IEC 29500 Strict: Excel's "Strict Open XML Spreadsheet" namespaces
        name: data.replace(
            b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            b"http://purl.oclc.org/ooxml/spreadsheetml/main",
        ).replace(
            b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
            b"http://purl.oclc.org/ooxml/officeDocument/relationships",
        )
        for name, data in members.items()
    }
    judged("xlsx_strict_ooxml_namespaces", "input.xlsx", zip_bytes(strict), BAD_TZ, BAD_TZ_ERRORS)
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # macros are never run, only kept
    macro_book = zip_bytes({**members, "xl/vbaProject.bin": vba})
    judged("xlsm_with_macros", "input.xlsm", macro_book, BAD_TZ, BAD_TZ_ERRORS)

    # More rows than the limit, then XML that breaks off: the scan stops before the break.
    rows_xml = row_xml(1, BASE) + "".join(row_xml(n, ["x"]) for n in range(2, 1004))
    parts = book_parts(rows_xml + '<row r="1004"><c r="A1004" t="inl')
    sheet_text = parts["xl/worksheets/sheet1.xml"]
    assert isinstance(sheet_text, str)
    parts["xl/worksheets/sheet1.xml"] = sheet_text.split("</sheetData>")[0]
    refused("xlsx_too_many_rows_then_broken_xml", "input.xlsx", zip_bytes(parts), "too_many_rows")


def bomb_cases() -> None:
    """Decompression and XML entity bombs: each refused before anything inflates or expands."""
    refused("bomb_300_mib_sheet", "input.xlsx", decompression_bomb(300 * MIB), "unreadable_file")
    refused(
        "bomb_200_mib_sheet_under_part_limit",
        "input.xlsx",
        decompression_bomb(200 * MIB),
        "unreadable_file",
    )
    refused("bomb_lying_zip_sizes", "input.xlsx", lying_bomb(300 * MIB), "unreadable_file")
    refused("entity_bomb_sheet", "input.xlsx", entity_bomb("sheet"), "unreadable_file")
    refused("entity_bomb_shared_strings", "input.xlsx", entity_bomb("shared"), "unreadable_file")
    refused(
        "entity_bomb_sheet_not_named_xml", "input.xlsx", entity_bomb("odd name"), "unreadable_file"
    )
    refused("xxe_external_entity", "input.xlsx", xxe_workbook(), "unreadable_file")


# --------------------------------------------------------------------------- issue 11

PI_WITH_TAG = "<?x <a?>"
"""A processing instruction whose text looks like a start tag: a guard that takes the first
``<a`` for the root element stops looking for a DTD before the DTD."""
_DECL = '<?xml version="1.0"?>'
LAUGHS_DTD = LAUGHS.removeprefix(_DECL)
"""The billion laughs' DOCTYPE alone, to put behind whatever precedes it."""

DECOY_FAR_CELL = sessions_sheet([s(1)]) + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
"""A decoy sheet whose used range is A1:XFD1048576 (calamine would allocate all of it)."""
DECOY_INJECTION_ROWS = [
    s(1, title='=HYPERLINK("http://evil.example")'),
    s(2, title="@SUM(1+1)*cmd|' /C calc'!A0"),
]
DECOY_FORMULA_TITLES = sessions_sheet(DECOY_INJECTION_ROWS)
"""A decoy sheet whose titles a spreadsheet would run: the sheet the guards never saw."""


def ambiguous_workbook(
    target: str,
    decoys: Mapping[str, str] | None = None,
    *,
    extra: Sequence[tuple[str, str]] = (),
) -> bytes:
    """A workbook whose sheet relationship says ``target``; the entry xl/worksheets/sheet1.xml
    holds a valid sheet, each of ``decoys`` (entry name -> sheetData) another sheet, and
    ``extra`` (name, sheetData) are appended as further entries, duplicate names allowed."""
    parts = book_parts(sessions_sheet([s(1), s(2)]))
    rels = parts["xl/_rels/workbook.xml.rels"]
    assert isinstance(rels, str)
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        'Target="worksheets/sheet1.xml"', f'Target="{xml_escape(target, {chr(34): "&quot;"})}"'
    )
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert isinstance(sheet, str)
    body = sheet.split("<sheetData>")[1].split("</sheetData>")[0]
    for name, data in (decoys or {}).items():
        parts[name] = sheet.replace(body, data)
    members = [(name, *_deflated(data)) for name, data in parts.items()]
    members += [(name, *_deflated(sheet.replace(body, data))) for name, data in extra]
    return _raw_zip(members)


def prolog_bomb(where: str, prolog: str, *, encoding: str = "utf-8", use: bool = True) -> bytes:
    """A valid one-row workbook whose part ``where`` (workbook, rels, shared, sheet) starts with
    ``prolog`` and then the billion laughs' DTD, &lol9; used in the part (``use``) or only
    declared; ``encoding`` utf-16 writes that part as UTF-16LE with a BOM."""
    cells = texts(s(1))
    row = row_xml(2, cells).replace(cell_xml("B2", cells[1]), '<c r="B2" t="s"><v>0</v></c>')
    parts = book_parts(
        row_xml(1, BASE) + row, shared=f'<sst xmlns="{_MAIN}"><si><t>{cells[1]}</t></si></sst>'
    )
    name, old, new = {
        "workbook": ("xl/workbook.xml", 'name="Sessions"', 'name="&lol9;"'),
        "rels": ("xl/_rels/workbook.xml.rels", 'Target="sharedStrings.xml"', 'Target="&lol9;"'),
        "shared": ("xl/sharedStrings.xml", f"<t>{cells[1]}</t>", "<t>&lol9;</t>"),
        "sheet": ("xl/worksheets/sheet1.xml", ">zoom<", ">&lol9;<"),
    }[where]
    text = parts[name]
    assert isinstance(text, str)
    assert text.count(old) == 1
    text = text.removeprefix('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')
    text = prolog + LAUGHS_DTD + (text.replace(old, new) if use else text)
    if encoding == "utf-16":
        parts[name] = b"\xff\xfe" + text.encode("utf-16-le")
    else:
        parts[name] = text.encode()
    return zip_bytes(parts)


def small_entity_behind_pi() -> bytes:
    """workbook.xml names its sheet with a small internal entity, declared behind a processing
    instruction: harmless in size, but a parser that expands it reads another sheet name than
    one that does not (and neither may read a DTD at all)."""
    parts = book_parts(sessions_sheet(BAD_TZ))
    workbook = parts["xl/workbook.xml"]
    assert isinstance(workbook, str)
    parts["xl/workbook.xml"] = (
        _DECL
        + PI_WITH_TAG
        + '<!DOCTYPE workbook [<!ENTITY n "Sessions">]>'
        + workbook.replace('name="Sessions"', 'name="&n;"')
    )
    return zip_bytes(parts)


INJECTION_TITLES = [
    ' =HYPERLINK("http://evil.example")',
    "\u00a0@SUM(1+1)*cmd|' /C calc'!A0",
    "\n=1+3",
    "\u200b=1",
    "\ufeff-2+3",
    "\t=1+1",
]
"""Titles that a spreadsheet runs once the white space before them is trimmed (or skipped)."""
INJECTION_ROWS = [*(s(n, title=t) for n, t in enumerate(INJECTION_TITLES, start=1)), s(7)]
INJECTION_ERRORS = [(n + 2, "title", "formula_injection") for n in range(len(INJECTION_TITLES))]
FORMULA_HEADER = '=HYPERLINK("x")'
"""A header cell that is a formula: it fails the file (exit 2, formula_injection)."""


def formula_header_input(kind: str) -> bytes:
    """A CSV or XLSX whose header has a formula cell after BASE (made in test_hostile.py:
    expected.json cannot hold formula_injection as a file-level code)."""
    header = [*BASE, FORMULA_HEADER]
    rows = [[*texts(s(1)), "note"], [*texts(s(2)), "note"]]
    if kind == "csv":
        return csv_text([header, *rows]).encode()
    return xlsx_bytes(header, rows)


MAX_COLUMNS = 16384
MAX_HEADER_CELL = 1024


def wide_header(columns: int) -> list[str]:
    """BASE, then unknown columns ``c7``, ``c8``, ... up to ``columns`` in all."""
    return [*BASE, *(f"c{i}" for i in range(len(BASE) + 1, columns + 1))]


def wide_csv(columns: int, record_cells: int | None = None) -> bytes:
    """A CSV whose header is ``columns`` wide and one valid session row padded with ``v`` to
    ``record_cells`` cells (default: the header's width)."""
    width = columns if record_cells is None else record_cells
    row = texts(s(1))
    row += ["v"] * (width - len(row))
    return (",".join(wide_header(columns)) + "\n" + ",".join(row) + "\n").encode()


def long_record_csv(cells: int) -> bytes:
    """BASE, then one record of ``cells`` cells: a valid session, empty cells, and ``x`` last."""
    row = [*texts(s(1)), *[""] * (cells - len(BASE) - 1), "x"]
    return (",".join(BASE) + "\n" + ",".join(row) + "\n").encode()


def header_cell_csv(length: int) -> bytes:
    """BASE plus a readable unknown header of ``length`` characters, and a valid row."""
    name = "note " + "x" * (length - 5)
    return csv_text([[*BASE, name], [*texts(s(1)), "ok"]]).encode()


def huge_header_csv(path: Path, columns: int = 1_000_000) -> None:
    """A header of ``columns`` columns (2 MB and more: made during the test, not committed)."""
    with path.open("wb") as out:
        out.write(",".join(BASE).encode())
        out.write(b",x" * (columns - len(BASE)))
        out.write(b"\n" + ",".join(texts(s(1))).encode() + b"\n")


def _edit_parts(data: bytes, edits: Mapping[str, Callable[[str], str]]) -> bytes:
    """The workbook ``data`` with the text of some parts edited (each edit must change it)."""
    members: dict[str, bytes | str] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            members[info.filename] = zf.read(info)
    for name, edit in edits.items():
        old = members[name]
        text = old.decode() if isinstance(old, bytes) else old
        new = edit(text)
        assert new != text, name
        members[name] = new
    return zip_bytes(members)


def _replace_once(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert text.count(old) == 1, (old, text[:200])
        return text.replace(old, new)

    return edit


BAD_TZ_BOOK_ROWS = [texts(r) for r in BAD_TZ]

_COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"


def openpyxl_refuses(what: str) -> bytes:
    """A BAD_TZ workbook that Excel and our reader open, but openpyxl.load_workbook cannot."""
    book = xlsx_bytes(BASE, BAD_TZ_BOOK_ROWS)
    if what == "content_type":
        # The workbook part's Override is gone; xml parts default to application/xml.
        override = '<Override PartName="/xl/workbook.xml" ContentType="{}" />'.format(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
        )
        return _edit_parts(book, {"[Content_Types].xml": _replace_once(override, "")})
    if what == "sheet_attribute":
        return _edit_parts(
            book, {"xl/workbook.xml": _replace_once('name="Sessions"', 'name="Sessions" tag="x"')}
        )
    if what == "comments":
        rels = (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/comments" '
            'Target="../comments1.xml"/></Relationships>'
        )
        broken = f'<comments xmlns="{_MAIN}"><authors><author>x</author></authors><commentList>'
        broken += '<comment ref="A2" authorId="0"><text><t>never closed</comments>'
        override = f'<Override PartName="/xl/comments1.xml" ContentType="{_COMMENTS_TYPE}"/>'
        with zipfile.ZipFile(io.BytesIO(book)) as zf:
            members: dict[str, bytes | str] = {i.filename: zf.read(i) for i in zf.infolist()}
        types = members["[Content_Types].xml"]
        assert isinstance(types, bytes)
        members["[Content_Types].xml"] = types.replace(b"</Types>", override.encode() + b"</Types>")
        members["xl/worksheets/_rels/sheet1.xml.rels"] = rels
        members["xl/comments1.xml"] = broken
        return zip_bytes(members)
    assert what == "style_index"
    return _edit_parts(
        book, {"xl/worksheets/sheet1.xml": _replace_once('<c r="E3" ', '<c r="E3" s="99" ')}
    )


FORMULA_VALUE_ROWS = [
    s(
        1,
        title=Formula('"Webinar "&"session 1"', "Webinar session 1"),
        webinarProvider=Formula('LOWER("ZOOM")', "zoom"),
    ),
    s(2, timeZone=Formula('"America/"&"New_York"', "America/New_York")),
    s(3),
]
"""Valid rows with formula cells whose computed values are saved, as Excel saves them."""


def ambiguity_cases() -> None:
    """Relationship targets and zip entries that two readers could resolve to different bytes."""
    dotdot = "xl/../xl/worksheets/sheet1.xml"
    for name, data in (
        ("zip_part_dotdot_decoy_xfd1048576", DECOY_FAR_CELL),
        ("zip_part_dotdot_decoy_formula_titles", DECOY_FORMULA_TITLES),
    ):
        book = ambiguous_workbook("../xl/worksheets/sheet1.xml", {dotdot: data})
        refused(name, "input.xlsx", book, "unreadable_file")
    targets = {
        "zip_part_absolute_dotdot": ("/xl/../xl/worksheets/sheet1.xml", dotdot),
        "zip_part_dot_slash": ("./worksheets/sheet1.xml", "xl/./worksheets/sheet1.xml"),
        "zip_part_double_slash": ("worksheets//sheet1.xml", "xl/worksheets//sheet1.xml"),
        "zip_part_backslash": ("worksheets\\sheet1.xml", "xl/worksheets\\sheet1.xml"),
        "zip_part_percent_escape": ("worksheets/sheet%31.xml", "xl/worksheets/sheet%31.xml"),
    }
    for name, (target, decoy) in targets.items():
        book = ambiguous_workbook(target, {decoy: DECOY_FORMULA_TITLES})
        refused(name, "input.xlsx", book, "unreadable_file")
    # No decoy: only a reader that ignores letter case finds xl/worksheets/sheet1.xml.
    book = ambiguous_workbook("worksheets/Sheet1.xml")
    refused("zip_part_letter_case_target", "input.xlsx", book, "unreadable_file")
    extra = [("xl/worksheets/sheet1.xml", DECOY_FORMULA_TITLES)]
    book = ambiguous_workbook("worksheets/sheet1.xml", extra=extra)
    refused("zip_part_duplicate_entry", "input.xlsx", book, "unreadable_file")
    book = ambiguous_workbook(
        "worksheets/sheet1.xml", {"xl/worksheets/Sheet1.xml": DECOY_FORMULA_TITLES}
    )
    refused("zip_part_names_differ_in_case", "input.xlsx", book, "unreadable_file")


def prolog_cases() -> None:
    """DTDs behind what a text search skips wrongly (a processing instruction that looks like a
    tag, a comment, a BOM, UTF-16): the parser itself must refuse them, used or only declared."""
    behind_pi = _DECL + PI_WITH_TAG
    for where, part in (
        ("workbook", "workbook"),
        ("rels", "rels"),
        ("shared", "shared_strings"),
        ("sheet", "sheet"),
    ):
        for use, how in ((True, "laughs"), (False, "unused_dtd")):
            data = prolog_bomb(where, behind_pi, use=use)
            refused(f"dtd_after_pi_{how}_in_{part}", "input.xlsx", data, "unreadable_file")
    for name, prolog, encoding in (
        ("dtd_after_comment_with_tag", _DECL + "<!-- <a -->", "utf-8"),
        ("dtd_after_bom_and_pi", "\ufeff" + behind_pi, "utf-8"),
        ("dtd_after_pi_utf16", '<?xml version="1.0" encoding="UTF-16"?>' + PI_WITH_TAG, "utf-16"),
    ):
        data = prolog_bomb("workbook", prolog, encoding=encoding)
        refused(name, "input.xlsx", data, "unreadable_file")
    data = prolog_bomb("workbook", behind_pi, encoding="utf-16", use=False)
    refused("dtd_after_pi_unused_dtd_utf16", "input.xlsx", data, "unreadable_file")
    refused("dtd_after_pi_small_entity", "input.xlsx", small_entity_behind_pi(), "unreadable_file")


def injection_cases() -> None:
    """Formulas behind leading white space, as given and as trimmed, in a CSV and a workbook."""
    judged(
        "formula_injection_after_white_space_csv",
        "input.csv",
        csv_bytes(INJECTION_ROWS),
        INJECTION_ROWS,
        INJECTION_ERRORS,
    )
    judged(
        "formula_injection_after_white_space_xlsx",
        "input.xlsx",
        xlsx_bytes(BASE, [texts(r) for r in INJECTION_ROWS]),
        INJECTION_ROWS,
        INJECTION_ERRORS,
    )


def csv_limit_cases() -> None:
    """CONTRACT v2's CSV limits: 16,384 columns in a header or record, 1,024-character headers."""
    refused(
        "csv_header_16385_columns",
        "input.csv",
        wide_csv(MAX_COLUMNS + 1, len(BASE)),
        "unreadable_file",
    )
    refused("csv_100000_columns", "input.csv", wide_csv(100_000), "unreadable_file")
    refused(
        "csv_record_16385_cells", "input.csv", long_record_csv(MAX_COLUMNS + 1), "unreadable_file"
    )
    refused(
        "csv_header_cell_1025_chars",
        "input.csv",
        header_cell_csv(MAX_HEADER_CELL + 1),
        "unreadable_file",
    )
    judged(
        "csv_header_cell_1024_chars",
        "input.csv",
        header_cell_csv(MAX_HEADER_CELL),
        [s(1)],
        warnings=["unknown_column"],
    )
    judged(
        "csv_16384_columns_fine",
        "input.csv",
        wide_csv(MAX_COLUMNS),
        [s(1)],
        warnings=["unknown_column"],
    )


def outputs_cases() -> None:
    """Workbooks openpyxl cannot load (outputs then fail cleanly) and formulas with values."""
    for what in ("content_type", "sheet_attribute", "comments", "style_index"):
        judged(
            f"openpyxl_refuses_{what}",
            "input.xlsx",
            openpyxl_refuses(what),
            BAD_TZ,
            BAD_TZ_ERRORS,
        )
    cells = [_cells(BASE, r) for r in FORMULA_VALUE_ROWS]
    judged(
        "xlsx_formulas_with_saved_values",
        "input.xlsx",
        xlsx_bytes(BASE, cells),
        FORMULA_VALUE_ROWS,
    )


def external_sources() -> tuple[bytes, bytes]:
    """What the external programs convert: a BAD_TZ workbook, and one with a formula in it."""
    plain = xlsx_bytes(BASE, [texts(r) for r in BAD_TZ])
    with_formula = [_cells(BASE, s(1, webinarProvider=Formula('LOWER("ZOOM")'))), texts(BAD_TZ[1])]
    return plain, xlsx_bytes(BASE, with_formula)


def main(argv: Sequence[str] | None = None) -> None:
    """Write every hostile case; ``--external`` also remakes the inputs of EXTERNAL."""
    args = list(sys.argv[1:] if argv is None else argv)
    made = external_inputs(*external_sources()) if "--external" in args else {}
    HOSTILE_DIR.mkdir(parents=True, exist_ok=True)
    csv_cases()
    container_cases()
    external_cases(made)
    workbook_cases()
    bomb_cases()
    ambiguity_cases()
    prolog_cases()
    injection_cases()
    csv_limit_cases()
    outputs_cases()
    stale = sorted(p.name for p in HOSTILE_DIR.iterdir() if p.name not in _WRITTEN)
    if stale:
        print(f"warning: folders not written by this script: {stale}", file=sys.stderr)
    print(f"wrote {len(_WRITTEN)} hostile cases to {HOSTILE_DIR}")


if __name__ == "__main__":
    main()


# A child's ru_maxrss also counts the address space it was forked from (the kernel keeps the
# high-water mark of the memory it replaces at exec), so a child of a large process would report
# that process's size. The CLI is therefore started by a small launcher, which reports its own
# child's exit status, wall time and ru_maxrss (KiB) from os.wait4.
LAUNCHER = """
import json, os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=sys.stdout, stderr=subprocess.DEVNULL)
_pid, status, usage = os.wait4(child.pid, 0)
child.returncode = os.waitstatus_to_exitcode(status)
figures = [child.returncode, time.perf_counter() - started, usage.ru_maxrss]
print(json.dumps(figures), file=sys.stderr)
"""


def measure_cli(path: Path, timeout: float | None = None) -> tuple[int, float, float, Any]:
    """(exit status, wall seconds, peak RSS in MiB, JSON report) of ``webinar-validate`` on path."""
    command = [sys.executable, "-m", "webinar_validate", "--format", "json", str(path)]
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    status, seconds, kib = json.loads(done.stderr.splitlines()[-1])
    return status, seconds, kib / 1024, json.loads(done.stdout)


MEMORY_CAP = 500 * MIB
"""The most memory one run of the CLI may take in the tests: its peak resident size, measured
(a plain run takes about 140 MiB, pandas, pyarrow and pandera included). Address-space caps
fail runs that are well within it: RLIMIT_AS counts what is only reserved (malloc's 64 MiB
thread arenas, Arrow's pools), so runs of 270 MiB resident failed under 500 MiB of it ("can't
start new thread", ArrowMemoryError), and RLIMIT_DATA counts writable memory never touched, so
a run of 330 MiB resident failed under 500 MiB of that."""
MEMORY_BACKSTOP = 2 << 30
"""RLIMIT_DATA of a run: not the measure, only what keeps a runaway from taking the machine."""
CPU_SECONDS = 10
"""CPU time for one run (RLIMIT_CPU: SIGXCPU past it), which a busy machine does not stretch."""

# The launcher caps itself, starts the command as its child, and writes the child's exit status,
# peak RSS and CPU time from os.wait4 to a file. The child is forked from the small launcher,
# not from pytest, so its ru_maxrss is its own (see LAUNCHER above).
_CAPPED = """
import json, os, resource, subprocess, sys
memory, cpu, report = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
child = subprocess.Popen(sys.argv[4:])
_pid, status, usage = os.wait4(child.pid, 0)
with open(report, "w") as out:
    cpu_seconds = usage.ru_utime + usage.ru_stime
    json.dump([os.waitstatus_to_exitcode(status), usage.ru_maxrss, cpu_seconds], out)
"""


@dataclass(frozen=True)
class Capped:
    """How a capped run of the CLI ended."""

    returncode: int
    """The CLI's exit status; negative: the signal that ended it (SIGXCPU: over CPU_SECONDS)."""
    stdout: str
    stderr: str
    peak_mib: float
    cpu_seconds: float
    wall_seconds: float


def capped_problems(done: Capped, what: str) -> list[str]:
    """What is wrong with how a capped CLI process ended, whatever it decided: over its CPU time,
    a signal, an exit outside 0/1/2, a traceback, or over MEMORY_CAP at its peak."""
    problems = []
    if done.returncode == -signal.SIGXCPU:
        problems.append(f"{what}: over {CPU_SECONDS} s of CPU ({done.cpu_seconds:.0f} s)")
    elif done.returncode < 0:
        first = next((line for line in done.stderr.splitlines() if line.strip()), "")
        problems.append(f"{what}: killed by signal {-done.returncode} ({first[:200]})")
    elif done.returncode not in (0, 1, 2):
        problems.append(f"{what}: exit {done.returncode}")
    if "Traceback" in done.stderr:
        problems.append(f"{what}: traceback ({done.stderr.strip().splitlines()[-1][:200]})")
    if done.peak_mib >= MEMORY_CAP / MIB:
        problems.append(f"{what}: {done.peak_mib:.0f} MiB at its peak")
    return problems


def run_capped(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    timeout: float = 60,
    memory: int = MEMORY_BACKSTOP,
    cpu: int = CPU_SECONDS,
    module: Sequence[str] = ("-m", "webinar_validate"),
) -> Capped:
    """``python -m webinar_validate *args`` with ``cpu`` seconds of CPU and ``memory`` bytes of
    RLIMIT_DATA; its peak RSS is measured (compare it with MEMORY_CAP). ``timeout`` wall seconds
    (a backstop for a run that waits rather than computes) raise TimeoutExpired."""
    handle, report = tempfile.mkstemp(prefix="capped-", suffix=".json")
    os.close(handle)
    command = [sys.executable, "-c", _CAPPED, str(memory), str(cpu), report]
    started = time.perf_counter()
    try:
        with subprocess.Popen(
            [*command, sys.executable, *module, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            start_new_session=True,  # so that a timeout ends the CLI too, not just the launcher
        ) as process:
            try:
                out, err = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
                raise
        wall = time.perf_counter() - started
        text = Path(report).read_text()
    finally:
        os.unlink(report)
    if process.returncode or not text:
        raise RuntimeError(f"the launcher failed ({process.returncode}): {err[-2000:]!r}")
    status, kib, cpu_seconds = json.loads(text)
    decode = partial(bytes.decode, encoding="utf-8", errors="replace")
    return Capped(status, decode(out), decode(err), kib / 1024, cpu_seconds, wall)
