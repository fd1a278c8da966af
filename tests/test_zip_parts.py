"""Issue 11, one reading of a workbook: the parts are the entries every reader reads, and no XML
parser reads a DTD.

Each workbook is built here, byte by byte where a zip writer would refuse it (duplicate names,
a NUL in a name, a second name in an extra field). The decoys hold rows that are judged (a bad
time zone), so a reader that took the decoy answers exit 1, never the refusal (exit 2). What
could abort or blow up the process on a reader that takes the wrong part runs in a child
process, its address space capped at 1 GiB and its peak memory measured.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from make_cases import BASE, s
from make_hostile import (
    _CT,
    _MAIN,
    _PKG,
    _REL,
    BAD_TZ,
    LAUGHS,
    LAUNCHER,
    book_parts,
    cell_xml,
    row_xml,
    sessions_sheet,
    texts,
)

from webinar_validate import validate_file
from webinar_validate.cli.main import main
from webinar_validate.reading.zip_parts import calamine_zip, resolve

GOOD = sessions_sheet([s(1), s(2)])
"""Two valid rows: the sheet the workbook's links name."""
BAD = sessions_sheet(BAD_TZ)
"""A decoy: one row with a bad time zone (exit 1 if it is what gets judged)."""
FAR = sessions_sheet([s(1)]) + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
"""A decoy whose used range is A1:XFD1048576 (calamine would allocate all of it and abort)."""
SHEET = "xl/worksheets/sheet1.xml"
RELS = "xl/_rels/workbook.xml.rels"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
PI_WITH_TAG = "<?x <a?>"
"""A processing instruction whose text looks like a start tag."""
DTD = LAUGHS.removeprefix('<?xml version="1.0"?>')
"""The billion laughs' DOCTYPE, declaring &lol9; (a gigabyte when expanded)."""
VM_CAP = 1 << 30

Member = tuple[str | bytes, bytes | str] | tuple[str | bytes, bytes | str, bytes]


def sheet_xml(sheet_data: str) -> str:
    return f'{DECL}<worksheet xmlns="{_MAIN}"><sheetData>{sheet_data}</sheetData></worksheet>'


def raw_zip(members: Sequence[Member]) -> bytes:
    """A deflated zip written field by field, so that names may repeat or hold a NUL and an
    entry may carry an extra field: (name, data) or (name, data, central extra field)."""
    out = bytearray()
    central = bytearray()
    for member in members:
        name, data = member[0], member[1]
        extra = member[2] if len(member) == 3 else b""
        encoded = name if isinstance(name, bytes) else name.encode()
        raw = data.encode() if isinstance(data, str) else data
        deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
        body = deflate.compress(raw) + deflate.flush()
        fields = struct.pack("<4H3L", 0, 8, 0, 0x5C21, zlib.crc32(raw), len(body), len(raw))
        offset = len(out)
        out += b"PK\x03\x04" + struct.pack("<H", 20) + fields
        out += struct.pack("<2H", len(encoded), 0) + encoded + body
        central += b"PK\x01\x02" + struct.pack("<2H", 20, 20) + fields
        central += struct.pack("<5H2L", len(encoded), len(extra), 0, 0, 0, 0, offset)
        central += encoded + extra
    count = len(members)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central), len(out), 0)
    return bytes(out + central + end)


def book(
    target: str = "worksheets/sheet1.xml",
    *,
    sheet: str = GOOD,
    edits: Mapping[str, bytes | str] | None = None,
    after: Sequence[Member] = (),
) -> bytes:
    """A one-sheet workbook (Sessions) whose sheet link says ``target`` while its sheet is the
    entry xl/worksheets/sheet1.xml, with custom XML as Excel links it; ``edits`` replace or add
    parts, ``after`` are entries appended at the end (names may repeat)."""
    parts = book_parts(sheet)
    rels = parts[RELS]
    assert isinstance(rels, str)
    rels = rels.replace('Target="worksheets/sheet1.xml"', f"Target={quoteattr(target)}")
    # Excel links custom XML (document properties of SharePoint) as ../customXml: no reader
    # here reads it, so that ".." is not refused
    custom = f'<Relationship Id="rId9" Type="{_REL}/customXml" Target="../customXml/item1.xml"/>'
    parts[RELS] = rels.replace("</Relationships>", custom + "</Relationships>")
    parts["customXml/item1.xml"] = '<b:Sources xmlns:b="urn:x-sources"/>'
    parts.update(edits or {})
    return raw_zip([*parts.items(), *after])


def write(tmp_path: Path, data: bytes, name: str = "book.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def judge(path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    """(exit status, file-level codes) of the CLI on ``path``, which must answer in seconds."""
    started = time.perf_counter()
    status = main(["--format", "json", *args, str(path)])
    assert time.perf_counter() - started < 20
    report = json.loads(capsys.readouterr().out)
    return status, [error["extensions"]["code"] for error in report["errors"]]


CAPPED = (
    "import resource, runpy, sys\n"
    f"resource.setrlimit(resource.RLIMIT_AS, ({VM_CAP}, {VM_CAP}))\n"
    "sys.argv[0] = 'webinar_validate'\n"
    "runpy.run_module('webinar_validate', run_name='__main__', alter_sys=True)\n"
)
"""``python -m webinar_validate`` with its address space capped at 1 GiB."""


def judge_in_child(path: Path) -> tuple[int, list[str], float]:
    """(exit status, file-level codes, peak MiB) of the CLI on ``path`` in a child capped at
    1 GiB of address space, started by make_hostile's launcher (which measures the child's own
    peak); an abort (a signal) is a negative status."""
    command = [sys.executable, "-c", CAPPED, "--format", "json", str(path)]
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    status, seconds, kib = json.loads(done.stderr.splitlines()[-1])
    assert seconds < 60
    codes = [e["extensions"]["code"] for e in json.loads(done.stdout or "{}").get("errors", [])]
    return status, codes, kib / 1024


# --------------------------------------------------------------------------- links and entries


@pytest.mark.parametrize(
    ("target", "decoy"),
    [
        ("../xl/worksheets/sheet1.xml", "xl/../xl/worksheets/sheet1.xml"),
        ("/xl/../xl/worksheets/sheet1.xml", "xl/../xl/worksheets/sheet1.xml"),
        ("./worksheets/sheet1.xml", "xl/./worksheets/sheet1.xml"),
        ("worksheets//sheet1.xml", "xl/worksheets//sheet1.xml"),
        ("worksheets\\sheet1.xml", "xl/worksheets\\sheet1.xml"),
        ("worksheets/sheet%31.xml", "xl/worksheets/sheet%31.xml"),
        ("worksheets/Sheet1.xml", "xl/worksheets/Sheet1.xml"),
    ],
    ids=["dotdot", "absolute-dotdot", "dot", "double-slash", "backslash", "percent", "case"],
)
def test_a_link_not_written_plainly_is_refused_whatever_entry_it_could_mean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str, decoy: str
) -> None:
    """The link names the valid sheet after the usual resolution and the decoy literally (or,
    ignoring letter case, both): which one a reader takes is its own business, so neither is."""
    assert judge(write(tmp_path, book(), "plain.xlsx"), capsys) == (0, [])  # the twist matters
    assert judge(write(tmp_path, book(sheet=BAD), "bad.xlsx"), capsys) == (1, [])
    path = write(tmp_path, book(target, after=[(decoy, sheet_xml(BAD))]))
    assert judge(path, capsys) == (2, ["unreadable_file"])


def test_a_decoy_with_a_far_cell_behind_a_dotdot_link_never_aborts(tmp_path: Path) -> None:
    """calamine would allocate A1:XFD1048576 of the decoy the guards never saw: exit 134."""
    dotdot = "xl/../xl/worksheets/sheet1.xml"
    path = write(tmp_path, book("../xl/worksheets/sheet1.xml", after=[(dotdot, sheet_xml(FAR))]))
    status, codes, peak = judge_in_child(path)
    assert (status, codes) == (2, ["unreadable_file"])
    assert peak < 400


def test_two_entries_with_one_name_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, book(after=[(SHEET, sheet_xml(BAD))]))
    assert judge(path, capsys) == (2, ["unreadable_file"])


def test_entry_names_that_differ_only_in_letter_case_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, book(after=[("xl/worksheets/SHEET1.xml", sheet_xml(BAD))]))
    assert judge(path, capsys) == (2, ["unreadable_file"])


def test_an_entry_name_with_a_nul_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Python's zipfile cuts the name at the NUL (so this entry shadows the sheet for it);
    calamine's zip reader keeps the whole name (so it reads the other one)."""
    data = book(sheet=BAD, after=[(SHEET.encode() + b"\0x", sheet_xml(GOOD))])
    assert judge(write(tmp_path, data), capsys) == (2, ["unreadable_file"])


def test_an_entry_with_a_second_name_in_an_extra_field_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Info-ZIP's Unicode Path field renames an entry for calamine's zip reader, not for
    Python's: here the decoy is xl/worksheets/x.xml for one and the sheet for the other."""
    name = SHEET.encode()
    field = struct.pack("<B", 1) + struct.pack("<L", zlib.crc32(b"xl/worksheets/x.xml")) + name
    extra = struct.pack("<2H", 0x7075, len(field)) + field
    data = book(after=[("xl/worksheets/x.xml", sheet_xml(BAD), extra)])
    assert judge(write(tmp_path, data), capsys) == (2, ["unreadable_file"])


def test_a_package_that_names_another_workbook_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """_rels/.rels tells calamine (and Excel) where the workbook is: here a whole decoy under
    other/, while xl/workbook.xml is what a reader that assumes xl/ reads."""
    decoy = book_parts(BAD)
    edits = {
        "_rels/.rels": f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="other/workbook.xml"/></Relationships>',
    }
    after = [("other/" + name[3:], data) for name, data in decoy.items() if name.startswith("xl/")]
    data = book(edits=edits, after=after)
    assert judge(write(tmp_path, data), capsys) == (2, ["unreadable_file"])


def test_content_types_that_name_another_workbook_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """openpyxl (which writes the outputs' copies) finds the workbook by its content type."""
    override = (
        '<Override PartName="/xl/other.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/></Types>'
    )
    data = book(edits={"[Content_Types].xml": _CT.replace("</Types>", override)})
    assert judge(write(tmp_path, data), capsys) == (2, ["unreadable_file"])


def shared_book(link: str | None, *, decoy: str | None = None) -> bytes:
    """Row 2's title is shared string 0 of xl/sharedStrings.xml; the workbook links the shared
    strings as ``link`` (None: not at all), and ``decoy`` is another strings part."""
    cells = texts(s(1))
    row = row_xml(2, cells).replace(cell_xml("B2", cells[1]), '<c r="B2" t="s"><v>0</v></c>')
    parts = book_parts(row_xml(1, BASE) + row)
    parts["xl/sharedStrings.xml"] = f'<sst xmlns="{_MAIN}"><si><t>{cells[1]}</t></si></sst>'
    if link is not None:
        rels = parts[RELS]
        assert isinstance(rels, str)
        parts[RELS] = rels.replace(
            "</Relationships>",
            f'<Relationship Id="rId9" Type="{_REL}/sharedStrings" Target="{link}"/>'
            "</Relationships>",
        )
    if decoy is not None:
        parts["xl/" + decoy] = f'<sst xmlns="{_MAIN}"><si><t> </t></si></sst>'
    return raw_zip(list(parts.items()))


@pytest.mark.parametrize(
    ("link", "decoy"),
    [("strings.xml", "strings.xml"), (None, None)],
    ids=["linked-under-another-name", "not-linked"],
)
def test_shared_strings_that_readers_find_differently_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], link: str | None, decoy: str | None
) -> None:
    """calamine and openpyxl read xl/sharedStrings.xml whatever the links say; Excel reads
    what they link (another part, or none)."""
    plain = write(tmp_path, shared_book("sharedStrings.xml"), "plain.xlsx")
    assert judge(plain, capsys) == (0, [])
    path = write(tmp_path, shared_book(link, decoy=decoy))
    assert judge(path, capsys) == (2, ["unreadable_file"])


def two_sheet_book(first: str, second: str, first_sheet: str, second_sheet: str) -> bytes:
    """Two sheets: ``first`` and ``second`` are their <sheet> elements' attributes (rId1 and
    rId2), linked to sheet1.xml and sheet2.xml, which hold the given sheet data."""
    parts = book_parts(
        first_sheet,
        workbook_sheets=f'<sheet {first} sheetId="1" r:id="rId1"/>'
        f'<sheet {second} sheetId="2" r:id="rId2"/>',
    )
    rels = parts[RELS]
    assert isinstance(rels, str)
    parts[RELS] = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rId2" Type="{_REL}/worksheet" Target="worksheets/sheet2.xml"/>'
        "</Relationships>",
    )
    parts["xl/worksheets/sheet2.xml"] = sheet_xml(second_sheet)
    return raw_zip(list(parts.items()))


def test_sheet_names_that_calamine_reads_otherwise_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A raw tab in an attribute is a space to an XML parser, a tab to calamine; a character
    reference is a tab to both. So the visible sheet (a tab) is, for calamine, the hidden
    one's name too, and it would load the hidden sheet."""
    data = two_sheet_book('name="A\tB" state="hidden"', 'name="A&#9;B"', BAD, GOOD)
    assert judge(write(tmp_path, data), capsys) == (2, ["unreadable_file"])


def test_a_sheet_element_outside_the_sheets_list_is_not_read(tmp_path: Path) -> None:
    """A <sheet> inside a defined name (which calamine skips) names a small sheet: the guards
    must pre-scan the sheet calamine loads, the one with a cell at XFD1048576."""
    parts = book_parts(FAR)
    workbook = parts["xl/workbook.xml"]
    assert isinstance(workbook, str)
    hidden = '<definedNames><definedName name="n"><sheet name="Sessions" r:id="rId2"/>'
    hidden += "</definedName></definedNames>"
    parts["xl/workbook.xml"] = workbook.replace("<sheets>", hidden + "<sheets>")
    rels = parts[RELS]
    assert isinstance(rels, str)
    parts[RELS] = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rId2" Type="{_REL}/worksheet" Target="worksheets/sheet2.xml"/>'
        "</Relationships>",
    )
    parts["xl/worksheets/sheet2.xml"] = sheet_xml(GOOD)
    status, codes, _peak = judge_in_child(write(tmp_path, raw_zip(list(parts.items()))))
    assert (status, codes) == (2, ["unreadable_file"])


def test_calamine_is_given_only_the_parts_inspected(tmp_path: Path) -> None:
    """Its zip holds the workbook, the styles, the shared strings and the one sheet read, with
    links of our own: no other sheet, no decoy, nothing a reader could find by another name."""
    parts = book_parts(GOOD, shared=f'<sst xmlns="{_MAIN}"><si><t>x</t></si></sst>')
    parts["xl/styles.xml"] = f'<styleSheet xmlns="{_MAIN}"/>'
    rels = parts[RELS]
    assert isinstance(rels, str)
    parts[RELS] = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
    )
    parts["docProps/app.xml"] = "<Properties/>"
    parts["xl/worksheets/unlinked.xml"] = sheet_xml(BAD)
    data = raw_zip(list(parts.items()))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        resolved = resolve("book.xlsx", data, zf)
        given = calamine_zip(resolved, resolved.sheets[0])
        with zipfile.ZipFile(io.BytesIO(given)) as copy:
            assert copy.testzip() is None
            assert sorted(copy.namelist()) == sorted(
                [
                    "_rels/.rels",
                    RELS,
                    "xl/workbook.xml",
                    "xl/sharedStrings.xml",
                    "xl/styles.xml",
                    SHEET,
                ]
            )
            for name in ("xl/workbook.xml", "xl/sharedStrings.xml", "xl/styles.xml", SHEET):
                assert copy.read(name) == zf.read(name)


def test_the_judged_table_keeps_the_very_bytes_of_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, book(sheet=BAD))
    report = validate_file(path)
    table = report.judged_table
    assert table is not None
    assert table.workbook == path.read_bytes()


# --------------------------------------------------------------------------- DTDs


def with_prolog(part: str, prolog: str, *, use: bool = False, utf16: bool = False) -> bytes:
    """A valid one-row workbook (its title a shared string, its styles linked) whose ``part``
    starts with ``prolog`` and then the billion laughs' DTD; ``use`` puts &lol9; in it."""
    cells = texts(s(1))
    row = row_xml(2, cells).replace(cell_xml("B2", cells[1]), '<c r="B2" t="s"><v>0</v></c>')
    parts = book_parts(
        row_xml(1, BASE) + row,
        shared=f'<sst xmlns="{_MAIN}"><si><t>{cells[1]}</t></si></sst>',
    )
    parts["xl/styles.xml"] = f'<styleSheet xmlns="{_MAIN}"/>'
    rels = parts[RELS]
    assert isinstance(rels, str)
    parts[RELS] = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
    )
    name, old, new = {
        "workbook": ("xl/workbook.xml", 'name="Sessions"', 'name="&lol9;"'),
        "rels": (RELS, 'Target="sharedStrings.xml"', 'Target="&lol9;"'),
        "package": ("_rels/.rels", 'Id="rId1"', 'Id="&lol9;"'),
        "types": ("[Content_Types].xml", 'Extension="xml"', 'Extension="&lol9;"'),
        "shared": ("xl/sharedStrings.xml", f"<t>{cells[1]}</t>", "<t>&lol9;</t>"),
        "styles": ("xl/styles.xml", "<styleSheet ", '<styleSheet a="&lol9;" '),
        "sheet": (SHEET, ">zoom<", ">&lol9;<"),
    }[part]
    text = parts[name]
    assert isinstance(text, str)
    assert text.count(old) == 1
    for declaration in (DECL, '<?xml version="1.0" encoding="UTF-8"?>'):
        text = text.removeprefix(declaration)
    text = prolog + DTD + (text.replace(old, new) if use else text)
    parts[name] = b"\xff\xfe" + text.encode("utf-16-le") if utf16 else text.encode()
    return raw_zip(list(parts.items()))


BEHIND_PI = '<?xml version="1.0"?>' + PI_WITH_TAG


@pytest.mark.parametrize(
    ("part", "prolog", "utf16"),
    [
        ("workbook", BEHIND_PI, False),
        ("rels", BEHIND_PI, False),
        ("package", BEHIND_PI, False),
        ("types", BEHIND_PI, False),
        ("shared", BEHIND_PI, False),
        ("styles", BEHIND_PI, False),
        ("sheet", BEHIND_PI, False),
        ("workbook", '<?xml version="1.0"?><!-- a comment -->' + PI_WITH_TAG, False),
        ("workbook", "\ufeff" + BEHIND_PI, False),
        ("types", '<?xml version="1.0" encoding="UTF-16"?>' + PI_WITH_TAG, True),
    ],
    ids=[
        "workbook",
        "workbook-rels",
        "package-rels",
        "content-types",
        "shared-strings",
        "styles",
        "sheet",
        "after-a-comment",
        "after-a-bom",
        "utf16-content-types",
    ],
)
def test_a_dtd_behind_a_processing_instruction_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], part: str, prolog: str, utf16: bool
) -> None:
    """Declared, not used: a text search that takes ``<a`` in the instruction for the root
    element stops looking before the DTD, and the workbook is judged as if it had none."""
    path = write(tmp_path, with_prolog(part, prolog, utf16=utf16))
    assert judge(path, capsys) == (2, ["unreadable_file"])


def test_a_dtd_that_a_comment_seems_to_swallow_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``<!--`` inside a processing instruction starts no comment: the DTD after it is real,
    even though a comment that ends later makes it look commented out to a text search."""
    data = with_prolog("workbook", '<?xml version="1.0"?><?x <!-- ?>')
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    # a comment after the DTD, before the root element, closes the one that seems to open
    assert members["xl/workbook.xml"].count(b"]><workbook") == 1
    members["xl/workbook.xml"] = members["xl/workbook.xml"].replace(
        b"]><workbook", b"]><!-- -->\n<workbook"
    )
    path = write(tmp_path, raw_zip(list(members.items())))
    assert judge(path, capsys) == (2, ["unreadable_file"])


def test_a_dtd_inside_the_sheet_data_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not XML, but calamine would skip it and read the rows: refused, not judged."""
    data = book(sheet=GOOD.replace('<row r="2"', '<!DOCTYPE x [<!ENTITY e "y">]><row r="2"', 1))
    assert judge(write(tmp_path, data), capsys) == (2, ["unreadable_file"])


@pytest.mark.parametrize(
    ("part", "prolog", "utf16"),
    [
        ("workbook", BEHIND_PI, False),
        ("rels", BEHIND_PI, False),
        ("types", '<?xml version="1.0" encoding="UTF-16"?>' + PI_WITH_TAG, True),
    ],
    ids=["workbook", "workbook-rels", "utf16-content-types"],
)
def test_laughs_behind_a_processing_instruction_are_refused_in_little_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], part: str, prolog: str, utf16: bool
) -> None:
    """Declared, then used: &lol9; is a gigabyte to a parser that expands it (expat's own
    amplification limit may stop it first, which is no reason to let it start)."""
    declared = write(tmp_path, with_prolog(part, prolog, utf16=utf16), "declared.xlsx")
    assert judge(declared, capsys) == (2, ["unreadable_file"])
    used = write(tmp_path, with_prolog(part, prolog, use=True, utf16=utf16), "used.xlsx")
    status, codes, peak = judge_in_child(used)
    assert (status, codes) == (2, ["unreadable_file"])
    assert peak < 400


def test_a_workbook_file_over_1_gib_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """README "Limits": a workbook is read into memory once, so its file size is capped first."""
    from webinar_validate.reading.dispatch import MAX_WORKBOOK_BYTES

    path = tmp_path / "huge.xlsx"
    with path.open("wb") as stream:  # sparse: 1 GiB + 1 byte on disk costs nothing
        stream.write(b"PK\x03\x04")
        stream.truncate(MAX_WORKBOOK_BYTES + 1)
    started = time.perf_counter()
    report = validate_file(path)
    assert time.perf_counter() - started < 5  # refused by its size, not read
    assert [e.extensions.code for e in report.errors] == ["unreadable_file"]
    assert "over 1 GiB" in report.errors[0].message
