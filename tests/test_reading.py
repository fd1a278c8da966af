"""reading.read_table: what a user's file becomes, and how a bad file is refused.

Fixtures are built in tmp_path: CSV bytes by hand, workbooks with openpyxl or, where the XML
itself is the point (formulas, error cells, DTDs, bombs), as hand-written zip parts.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gc
import io
import os
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webinar_validate.errors import (
    EmptyFile,
    FileNotFound,
    TooManyRows,
    UnreadableFile,
    UnsupportedFormat,
    UsageError,
    WebinarValidateError,
)
from webinar_validate.reading import csv as _csv
from webinar_validate.reading import csv_arrow as _csv_arrow
from webinar_validate.reading import dispatch as reading
from webinar_validate.reading.dispatch import read_table
from webinar_validate.table import Table

# --------------------------------------------------------------------------- helpers


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def careful_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn off the Arrow fast path: the test is about the careful parser's blocks."""
    monkeypatch.setattr(_csv_arrow, "read_arrow", lambda *args: None)


def places(table: Table) -> list[tuple[int, int | None, list[str]]]:
    """(row number, line, cells) per data row: the short form most assertions use."""
    lines: list[int | None] = [None] * len(table.rows) if table.lines is None else [*table.lines]
    return list(zip(table.row_numbers, lines, table.rows, strict=True))


_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
    'ContentType="application/xml"/></Types>'
)
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def handmade_xlsx(
    tmp_path: Path,
    sheet_data: str,
    *,
    shared: list[str] | None = None,
    name: str = "book.xlsx",
    prolog: str = '<?xml version="1.0" encoding="UTF-8"?>',
) -> Path:
    """A minimal workbook with one sheet 'Sessions' whose <sheetData> content is given."""
    rels = f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    if shared is not None:
        rels += f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    members = {
        "[Content_Types].xml": _CT,
        "_rels/.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
        f'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        f'<sheet name="Sessions" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/'
        f'package/2006/relationships">{rels}</Relationships>',
        "xl/worksheets/sheet1.xml": f'{prolog}<worksheet xmlns="{_MAIN}"><sheetData>'
        f"{sheet_data}</sheetData></worksheet>",
    }
    if shared is not None:
        items = "".join(f'<si><t xml:space="preserve">{s}</t></si>' for s in shared)
        members["xl/sharedStrings.xml"] = f'<sst xmlns="{_MAIN}">{items}</sst>'
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, text in members.items():
            zf.writestr(member, text)
    return path


def row_xml(number: int, *cells: str) -> str:
    """A <row> of inline-string cells from column A (empty strings are left out)."""
    xml = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{text}</t></is></c>'
        for i, text in enumerate(cells)
        if text
    )
    return f'<row r="{number}">{xml}</row>'


def openpyxl_book(tmp_path: Path, build: Callable[[Any], None], name: str = "book.xlsx") -> Path:
    workbook = openpyxl.Workbook()
    build(workbook)
    path = tmp_path / name
    workbook.save(path)
    return path


# --------------------------------------------------------------------------- paths


def test_missing_path_is_file_not_found_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    with pytest.raises(FileNotFound) as caught:
        read_table(path)
    assert str(path) in caught.value.message


def test_directory_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFound, match="folder"):
        read_table(tmp_path)


def test_numbers_package_folder_says_numbers(tmp_path: Path) -> None:
    (tmp_path / "plan.numbers").mkdir()
    with pytest.raises(FileNotFound, match="Numbers"):
        read_table(tmp_path / "plan.numbers")


def test_empty_file_has_no_header_row(tmp_path: Path) -> None:
    with pytest.raises(EmptyFile):
        read_table(write(tmp_path, "empty.csv", b""))


def test_negative_max_rows_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        read_table(write(tmp_path, "a.csv", "h\n1\n"), max_rows=-1)


# --------------------------------------------------------------------------- CSV records


def test_csv_basic_table(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "s.csv", "title,seats\nIntro,10\nDeep dive,20\n"))
    assert table.source.endswith("s.csv")
    assert table.sheet is None
    assert table.header == ["title", "seats"]
    assert table.header_row_number == 1
    assert places(table) == [(2, 2, ["Intro", "10"]), (3, 3, ["Deep dive", "20"])]
    assert table.extra_cells == {}
    assert table.typed_dates == set()


def test_csv_blank_lines_keep_their_row_numbers(tmp_path: Path) -> None:
    text = "a,b\n\n1,2\n,\n  ,\t\n3,4\n"
    table = read_table(write(tmp_path, "s.csv", text))
    assert places(table) == [
        (2, 2, ["", ""]),
        (3, 3, ["1", "2"]),
        (4, 4, ["", ""]),
        (5, 5, ["  ", "\t"]),
        (6, 6, ["3", "4"]),
    ]


def test_header_after_leading_blank_lines(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "s.csv", "\n,,\nh1,h2\nx,y\n"))
    assert table.header_row_number == 3
    assert places(table) == [(4, 4, ["x", "y"])]


@pytest.mark.parametrize("quoted", [False, True])
def test_cr_lf_and_crlf_each_end_one_line(tmp_path: Path, quoted: bool) -> None:
    value = '"a"' if quoted else "a"  # a quote switches to the csv-module path
    text = f"h\r\n{value}\rb\nc\r\n\rd"
    table = read_table(write(tmp_path, "s.csv", text))
    expected = [(2, 2, ["a"]), (3, 3, ["b"]), (4, 4, ["c"]), (5, 5, [""]), (6, 6, ["d"])]
    assert places(table) == expected


def test_quoted_value_spanning_lines_is_one_row(tmp_path: Path) -> None:
    text = 'title,notes\r\n"Intro","line one\r\nline two\rline three"\r\n\r\nnext,"say ""hi"""\r\n'
    table = read_table(write(tmp_path, "s.csv", text))
    assert places(table) == [
        (2, 2, ["Intro", "line one\r\nline two\rline three"]),
        (3, 5, ["", ""]),
        (4, 6, ["next", 'say "hi"']),
    ]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('h1,h2\nx,"open\nstill open', 2),  # at the end, no line break
        ('h1,h2\nx,"open\nstill open\n', 2),
        ('h1,h2\na,b\n\nx,"open\nc,d\ne,f\n', 4),  # it would swallow the records after it
        ('h1,h2\nx,"a""', 2),  # a doubled quote is a quote inside the value, not its end
        ('"h1,h2\nx,y\n', 1),  # in the header
        ('\n"h1,h2\nx,y\n', 2),
    ],
)
def test_a_quote_never_closed_is_unreadable_naming_its_line(
    tmp_path: Path, text: str, line: int
) -> None:
    with pytest.raises(UnreadableFile, match=f"never closed.*starting on line {line} ") as caught:
        read_table(write(tmp_path, "s.csv", text))
    assert caught.value.message.startswith(str(tmp_path / "s.csv"))


@pytest.mark.parametrize("text", ['h1,h2\nx,"a"', 'h1,h2\nx,"a"\r', 'h1,h2\nx,"a"b\n'])
def test_a_quote_closed_at_the_very_end_is_fine(tmp_path: Path, text: str) -> None:
    assert len(read_table(write(tmp_path, "s.csv", text)).rows) == 1


def test_runaway_quote_past_the_field_limit_is_unreadable(tmp_path: Path) -> None:
    text = 'h1,h2\nx,"' + "y," * 100_000 + "\n"
    with pytest.raises(UnreadableFile, match="line 2"):
        read_table(write(tmp_path, "s.csv", text))


@pytest.mark.parametrize("quoted", [False, True])
def test_a_10_mb_cell_is_read_whole(tmp_path: Path, quoted: bool) -> None:
    big = "x" * (10 << 20)
    cell = f'"{big}"' if quoted else big
    table = read_table(write(tmp_path, "s.csv", f"h1,h2\na,{cell}\nb,c\n"))
    assert places(table)[1] == (3, 3, ["b", "c"])
    assert table.rows[0][1] == big
    assert csv.field_size_limit() == 131072  # the csv module's own limit is left as found


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("h1,h2\na," + "x" * 2000 + "\n", "a line"),  # the fast path
        ('h1,h2\n"a",' + "x" * 2000 + "\n", "a line"),  # the csv-module path
        ('h1,h2\n"a","' + "x\n" * 1000 + '"\n', "a cell"),  # short lines, one long cell
    ],
)
def test_lines_and_cells_past_the_cap_are_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, what: str
) -> None:
    careful_only(monkeypatch)
    monkeypatch.setattr(_csv, "MAX_CELL_CHARS", 1000)
    monkeypatch.setattr(_csv, "_BLOCK", 64)
    with pytest.raises(UnreadableFile, match=rf"{what} over .*starting on line 2\)"):
        read_table(write(tmp_path, "s.csv", text))
    assert csv.field_size_limit() == 131072


def test_quote_after_the_first_block_keeps_numbering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    careful_only(monkeypatch)
    monkeypatch.setattr(_csv, "_BLOCK", 16)
    text = "h1,h2\r\n" + "".join(f"r{i},v\r\n" for i in range(10)) + '"q\r\nq",z\r\nlast,1\r\n'
    table = read_table(write(tmp_path, "s.csv", text))
    assert places(table)[-2:] == [(12, 12, ["q\r\nq", "z"]), (13, 14, ["last", "1"])]
    assert list(table.row_numbers) == list(range(2, 14))


# --------------------------------------------------------------------------- CSV encodings


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("name\nCafé €\n".encode(), "Café €"),
        (codecs.BOM_UTF8 + "name\nCafé\n".encode(), "Café"),
        ("name\nCafé €\n".encode("utf-16"), "Café €"),  # with BOM, native order
        (codecs.BOM_UTF16_LE + "name\nCafé\n".encode("utf-16-le"), "Café"),
        (codecs.BOM_UTF16_BE + "name\nCafé\n".encode("utf-16-be"), "Café"),
        ("name\nCafé €\n".encode("cp1252"), "Café €"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16-le", "utf16-be", "cp1252"],
)
def test_each_encoding_decodes(tmp_path: Path, data: bytes, expected: str) -> None:
    table = read_table(write(tmp_path, "s.csv", data))
    assert table.header == ["name"]  # no BOM left on the first header cell
    assert table.rows == [[expected]]


def test_bytes_undefined_in_cp1252_are_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="no text encoding"):
        read_table(write(tmp_path, "s.csv", b"name\nabc\x81def\n"))


def test_utf8_bom_with_invalid_utf8_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="UTF-8"):
        read_table(write(tmp_path, "s.csv", codecs.BOM_UTF8 + b"name\ncaf\xe9\n"))


def test_utf16_without_bom_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="UTF-16"):
        read_table(write(tmp_path, "s.csv", "name,seats\nIntro,10\n".encode("utf-16-le")))


def test_a_stray_nul_stays_in_the_cell(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "s.csv", "name,seats\n" + "x" * 200 + "\x00y,1\n"))
    assert table.rows[0][0].endswith("\x00y")  # validation reports invalid_character


def test_limit_stops_before_undecodable_bytes_further_on(tmp_path: Path) -> None:
    text = b"name\n" + b"row\n" * 300_000 + b"\x81\n"  # the bad byte is past the first block
    with pytest.raises(TooManyRows):
        read_table(write(tmp_path, "s.csv", text), max_rows=10)


# --------------------------------------------------------------------------- CSV delimiters


@pytest.mark.parametrize(
    ("text", "header"),
    [
        ("a,b;c\n", ["a", "b;c"]),
        ("a;b;c,d\n", ["a", "b", "c,d"]),
        ("a\tb\tc;d\n", ["a", "b", "c;d"]),
        ("a;b,c\n", ["a;b", "c"]),  # a tie goes to the comma
        ('"x;y;z",b,c;d\n', ["x;y;z", "b", "c;d"]),  # delimiters inside quotes do not count
        ("\n\na;b\n", ["a", "b"]),  # the header line decides, not a blank line before it
        ("single\n", ["single"]),
    ],
)
def test_delimiter_is_the_most_frequent_in_the_header(
    tmp_path: Path, text: str, header: list[str]
) -> None:
    assert read_table(write(tmp_path, "s.csv", text)).header == header


def test_tsv_reads_with_tabs(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "s.tsv", "a\tb\n1\t2\n"))
    assert table.rows == [["1", "2"]]


# --------------------------------------------------------------------------- width


def test_header_drops_trailing_empty_cells_keeps_middle_ones(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "s.csv", "a,,b, ,\n1,2,3,4,5\n"))
    assert table.header == ["a", "", "b"]
    assert table.rows == [["1", "2", "3"]]
    assert table.extra_cells == {0: 3}


def test_rows_are_padded_and_cut_noting_extra_cells(tmp_path: Path) -> None:
    text = "a,b,c\n1\n1,2,3,,\n1,2,3,, x\n1,2,3,4\n"
    table = read_table(write(tmp_path, "s.csv", text))
    assert table.rows == [["1", "", ""]] + [["1", "2", "3"]] * 3
    assert table.extra_cells == {2: 4, 3: 3}  # trailing empty cells (Excel's) are fine


def test_extra_cells_on_the_quoted_path(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "s.csv", 'a,b\n"1",2,3\n"1"\n'))
    assert table.rows == [["1", "2"], ["1", ""]]
    assert table.extra_cells == {0: 2}


def test_only_blank_lines_is_empty(tmp_path: Path) -> None:
    with pytest.raises(EmptyFile, match="no header row"):
        read_table(write(tmp_path, "s.csv", codecs.BOM_UTF8 + b"\r\n , \r\n,,\r\n"))


# --------------------------------------------------------------------------- row limit


@pytest.mark.parametrize("quoted", [False, True])
def test_too_many_rows_counts_non_blank_rows_only(tmp_path: Path, quoted: bool) -> None:
    cell = '"x"' if quoted else "x"
    text = f"h\n{cell}\n\n , \n{cell}\n\n"
    table = read_table(write(tmp_path, "s.csv", text), max_rows=2)
    assert len(table.rows) == 5  # blank rows are returned (validation counts them)
    with pytest.raises(TooManyRows, match="more than 1 data rows"):
        read_table(write(tmp_path, "s.csv", text), max_rows=1)


def test_default_limit_is_1000_and_zero_means_none(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "h\n" + "x\n" * 1001)
    with pytest.raises(TooManyRows) as caught:
        read_table(path)
    assert "1,000 data rows" in caught.value.message
    assert caught.value.message.startswith(str(path))
    assert len(read_table(path, max_rows=0).rows) == 1001
    assert len(read_table(write(tmp_path, "t.csv", "h\n" + "x\n" * 1000)).rows) == 1000


# --------------------------------------------------------------------------- CSV property


_ALPHABET = st.sampled_from(["a", "b", ",", '"', "\r", "\n", "\r\n", " ", "é", "\x85", "\u2028"])


def _ends_inside_quotes(text: str) -> bool:
    """Whether the csv module (strict=False) is still inside a quoted value at the end."""
    state = "start"
    for ch in text:
        if state == "quoted":
            state = "after quote" if ch == '"' else "quoted"
        elif state in ("start", "after quote"):  # after a quote, a quote is a doubled one
            state = "quoted" if ch == '"' else "start" if ch in ",\r\n" else "field"
        elif ch in ",\r\n":
            state = "start"
    return state == "quoted"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.lists(_ALPHABET, max_size=60).map("".join),
    block=st.integers(1, 9),
    arrow=st.booleans(),
)
def test_blocks_and_fast_path_agree_with_the_csv_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, block: int, arrow: bool
) -> None:
    """Whatever the block size, and whether Arrow or the careful parser reads the file,
    records, row numbers and lines match one csv-module parse; a file that ends inside a quoted
    value is refused."""
    monkeypatch.setattr(_csv, "_BLOCK", block)
    if not arrow:
        careful_only(monkeypatch)
    text = "h1,h2,h3,h4\n" + body
    path = write(tmp_path, "p.csv", text.encode())
    if _ends_inside_quotes(text):
        with pytest.raises(UnreadableFile, match="never closed"):
            read_table(path, max_rows=0)
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    expected = []
    start = 1
    for number, cells in enumerate(reader, start=1):
        if number > 1:
            expected.append((number, start, (cells + [""] * 4)[:4]))
        start = reader.line_num + 1
    assert places(read_table(path, max_rows=0)) == expected


# --------------------------------------------------------------------------- XLSX


def _sessions_book(workbook: Any) -> None:
    hidden = workbook.active
    hidden.title = "Lookups"
    hidden.sheet_state = "hidden"
    hidden["A1"] = "not this one"
    workbook.create_chartsheet("Chart", 0)
    sheet = workbook.create_sheet("Sessions")
    sheet["B3"], sheet["C3"], sheet["D3"] = "title", "seats", "start"
    sheet["B4"], sheet["C4"], sheet["D4"] = "Intro", 10.0, dt.datetime(2025, 3, 1, 10, 30)
    sheet["B6"], sheet["C6"] = "  Deep dive ", 0.1 + 0.2
    sheet["B8"] = None  # an empty trailing row is no row
    very_hidden = workbook.create_sheet("Secret")
    very_hidden.sheet_state = "veryHidden"
    very_hidden["A1"] = "secret header"
    very_hidden["A2"] = "secret value"


def test_xlsx_first_visible_worksheet_with_its_row_numbers(tmp_path: Path) -> None:
    table = read_table(openpyxl_book(tmp_path, _sessions_book))
    assert table.sheet == "Sessions"
    assert table.lines is None
    assert table.header == ["", "title", "seats", "start"]  # column A is empty, kept as ''
    assert table.header_row_number == 3
    assert places(table) == [
        (4, None, ["", "Intro", "10", "2025-03-01T10:30:00"]),
        (5, None, ["", "", "", ""]),
        (6, None, ["", "  Deep dive ", "0.3", ""]),  # strings are not trimmed
    ]
    assert table.typed_dates == {(0, 3)}


def test_sheet_option_reads_a_named_even_hidden_sheet(tmp_path: Path) -> None:
    path = openpyxl_book(tmp_path, _sessions_book)
    assert read_table(path, sheet="Secret").rows == [["secret value"]]
    assert read_table(path, sheet="secret").sheet == "Secret"  # sheet names ignore case


def test_unknown_sheet_is_a_usage_error_listing_the_sheets(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="'Chart', 'Lookups', 'Sessions', 'Secret'"):
        read_table(openpyxl_book(tmp_path, _sessions_book), sheet="Nope")


def test_a_chart_sheet_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="chartsheet"):
        read_table(openpyxl_book(tmp_path, _sessions_book), sheet="Chart")


def test_no_visible_worksheet_is_unreadable(tmp_path: Path) -> None:
    path = handmade_xlsx(tmp_path, row_xml(1, "h"))
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b"r:id=", b'state="hidden" r:id=')
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    with pytest.raises(UnreadableFile, match="no visible worksheet"):
        read_table(path)


def test_typed_cells_become_text_by_meaning(tmp_path: Path) -> None:
    def build(workbook: Any) -> None:
        sheet = workbook.active
        sheet.append(["n", "f", "big", "small", "bool", "dt", "ms", "date", "time", "dur", "s"])
        sheet.append(
            [
                10.0,
                1.5,
                1e20,
                1e-05,
                True,
                dt.datetime(2025, 3, 1, 10, 0),
                dt.datetime(2025, 3, 1, 10, 0, 0, 250000),
                dt.date(2025, 3, 1),
                dt.time(9, 30),
                dt.timedelta(hours=30),
                "  =text ",
            ]
        )
        sheet.append([-3, 12345678901234, None, None, False])

    table = read_table(openpyxl_book(tmp_path, build))
    assert table.rows[0] == [
        "10",
        "1.5",
        "100000000000000000000",
        "0.00001",
        "TRUE",
        "2025-03-01T10:00:00",
        "2025-03-01T10:00:00.250",
        "2025-03-01T00:00:00",
        "09:30:00",
        "30:00:00",
        "  =text ",
    ]
    assert table.rows[1][:5] == ["-3", "12345678901234", "", "", "FALSE"]
    assert table.typed_dates == {(0, 5), (0, 6), (0, 7), (0, 8)}


def test_formula_without_saved_value(tmp_path: Path) -> None:
    def build(workbook: Any) -> None:
        sheet = workbook.active
        sheet.append(["a", "b", "c"])
        sheet.append(["x", 2, "=B2*2"])  # openpyxl saves no computed value
        sheet.append(["y", 3, 4])

    table = read_table(openpyxl_book(tmp_path, build))
    assert table.rows[0] == ["x", "2", ""]
    assert table.formulas_without_value == {(0, 2)}


def test_formula_with_saved_value_and_error_cells(tmp_path: Path) -> None:
    sheet = (
        row_xml(1, "a", "b", "c")
        + '<row r="2"><c r="A2"><f>1+1</f><v>2</v></c><c r="B2" t="e"><f>1/0</f>'
        '<v>#DIV/0!</v></c><c r="C2" t="str"><f>""</f><v></v></c></row>'
    )
    table = read_table(handmade_xlsx(tmp_path, sheet), max_rows=0)
    assert table.rows == [["2", "#DIV/0!", ""]]
    assert table.formulas_without_value == set()


def test_xlsx_extra_cells_and_trailing_header_cells(tmp_path: Path) -> None:
    sheet = row_xml(1, "a", "b") + row_xml(2, "1", "2", "3") + row_xml(3, "1", "2")
    table = read_table(handmade_xlsx(tmp_path, sheet))
    assert table.header == ["a", "b"]
    assert table.rows == [["1", "2"], ["1", "2"]]
    assert table.extra_cells == {0: 2}


def test_xlsx_too_many_rows_ignores_blank_rows(tmp_path: Path) -> None:
    # shared string 1 is blank: rows holding only it are blank rows, not data rows
    sheet = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c></row>'
        '<row r="3"><c r="A3" t="s"><v>1</v></c></row>'
        '<row r="4"><c r="A4" t="inlineStr"><is><t xml:space="preserve"> </t></is></c></row>'
        '<row r="5" s="1" customFormat="1"/>'
        '<row r="6"><c r="A6"><v>7</v></c></row>'
    )
    path = handmade_xlsx(tmp_path, sheet, shared=["title", "  ", "Intro"])
    table = read_table(path, max_rows=2)
    assert places(table) == [
        (2, None, ["Intro"]),
        (3, None, ["  "]),
        (4, None, [" "]),
        (5, None, [""]),
        (6, None, ["7"]),
    ]
    with pytest.raises(TooManyRows):
        read_table(path, max_rows=1)


def test_xlsx_row_limit_stops_before_calamine_loads_the_sheet(tmp_path: Path) -> None:
    rows = "".join(row_xml(i, f"v{i}") for i in range(1, 200_001))
    path = handmade_xlsx(tmp_path, rows)
    started = time.perf_counter()
    with pytest.raises(TooManyRows):
        read_table(path)
    assert time.perf_counter() - started < 1.0


def test_empty_sheet_has_no_header_row(tmp_path: Path) -> None:
    with pytest.raises(EmptyFile, match="no header row"):
        read_table(handmade_xlsx(tmp_path, '<row r="1" s="2" customFormat="1"/>'))


def test_prefixed_xml_is_read(tmp_path: Path) -> None:
    path = handmade_xlsx(tmp_path, "")
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    parts["xl/worksheets/sheet1.xml"] = (
        f'<x:worksheet xmlns:x="{_MAIN}"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr">'
        '<x:is><x:t>h</x:t></x:is></x:c></x:row><x:row r="2"><x:c r="A2"><x:f>1</x:f></x:c>'
        "</x:row></x:sheetData></x:worksheet>"
    ).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    for max_rows in (1000, 0):  # the scan parses cells while counting rows, and for formulas
        table = read_table(path, max_rows=max_rows)
        assert table.header == ["h"]
        assert places(table) == [(2, None, [""])]  # calamine alone would not see this row
        assert table.formulas_without_value == {(0, 0)}


# --------------------------------------------------------------------------- resource guards


def test_part_declared_over_256_mib_is_refused_fast(tmp_path: Path) -> None:
    path = handmade_xlsx(tmp_path, row_xml(1, "h"))
    block = b"\0" * (1 << 24)
    with (
        zipfile.ZipFile(path, "a", compresslevel=1) as zf,
        zf.open("xl/media/zeros.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(17):  # 272 MiB of zeros, about 1 MiB compressed
            member.write(block)
    started = time.perf_counter()
    with pytest.raises(UnreadableFile, match="256 MiB"):
        read_table(path)
    assert time.perf_counter() - started < 1.0


def test_zip_bomb_under_the_size_limit_is_refused(tmp_path: Path) -> None:
    sheet = row_xml(1, "h") + '<row r="2"><c r="A2" t="inlineStr"><is><t>' + "a" * (20 << 20)
    sheet += "</t></is></c></row>"
    with pytest.raises(UnreadableFile, match="zip bomb"):
        read_table(handmade_xlsx(tmp_path, sheet))


def test_dtd_in_a_sheet_part_is_refused(tmp_path: Path) -> None:
    prolog = (
        '<?xml version="1.0"?><!-- a comment <x> --><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>'
    )
    with pytest.raises(UnreadableFile, match="DTD"):
        read_table(handmade_xlsx(tmp_path, row_xml(1, "&a;"), prolog=prolog))


@pytest.mark.parametrize(
    "far",
    [
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
        # calamine places a cell by its own reference, whatever its row element says
        '<row r="2"><c r="A2"><v>1</v></c><c r="XFD1048576"><v>1</v></c><c r="B2"/></row>',
        '<row r="2"><c r="A2"><v>1</v></c><c s="0" r="XFD1048576"><v>1</v></c></row>',
    ],
)
def test_used_range_far_from_a1_is_refused_not_allocated(tmp_path: Path, far: str) -> None:
    # calamine would allocate the whole rectangle and abort the process
    for max_rows in (1000, 0):
        with pytest.raises(UnreadableFile, match="A1:XFD1048576"):
            read_table(handmade_xlsx(tmp_path, row_xml(1, "h") + far), max_rows=max_rows)


# --------------------------------------------------------------------------- formats


def ole_file(tmp_path: Path, name: str, stream_name: str) -> Path:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024 + stream_name.encode("utf-16-le")
    return write(tmp_path, name, data + b"\0" * 512)


def zip_file(tmp_path: Path, name: str, members: dict[str, bytes]) -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return path


_ODS = {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}


@pytest.mark.parametrize(
    ("make", "error", "says"),
    [
        (lambda p: ole_file(p, "locked.xlsx", "EncryptedPackage"), UnreadableFile, "password"),
        (lambda p: ole_file(p, "old.xls", "Workbook"), UnsupportedFormat, r"\.xls\)"),
        (lambda p: ole_file(p, "old.xls", ""), UnsupportedFormat, r"97-2003 workbook \(\.xls\)"),
        (lambda p: ole_file(p, "notes.doc", "WordDocument"), UnsupportedFormat, "Word"),
        (lambda p: zip_file(p, "s.ods", _ODS), UnsupportedFormat, "OpenDocument spreadsheet"),
        (lambda p: zip_file(p, "s.xlsb", {"xl/workbook.bin": b"x"}), UnsupportedFormat, "xlsb"),
        (
            lambda p: zip_file(p, "s.numbers", {"Index/Document.iwa": b"x"}),
            UnsupportedFormat,
            "Numbers",
        ),
        (lambda p: zip_file(p, "s.xlsx", {"a.txt": b"x"}), UnreadableFile, "zip archive"),
        (lambda p: write(p, "s.pdf", b"%PDF-1.7\n..."), UnsupportedFormat, "PDF"),
        (lambda p: write(p, "s.xls", b"%PDF-1.7\n..."), UnsupportedFormat, "PDF"),
        (lambda p: write(p, "s.xlsx", "a,b\n1,2\n"), UnreadableFile, r"text \(CSV\).*\.csv"),
        (lambda p: write(p, "s.xls", "a\tb\n1\t2\n"), UnreadableFile, "named .xls"),
        (lambda p: write(p, "s.xls", "<html><table>"), UnsupportedFormat, "HTML"),
        (lambda p: write(p, "s.csv", b"\x89PNG\r\n\x1a\n\0\0"), UnsupportedFormat, "PNG"),
        (lambda p: write(p, "s.csv", bytes(range(256)) * 4), UnreadableFile, "binary"),
        (lambda p: write(p, "s.csv", b"\xff\xfe\0\0a\0\0\0"), UnreadableFile, "UTF-32"),
        (
            lambda p: zip_file(p, "s.csv", {"xl/workbook.xml": b"<workbook/>"}),
            UnreadableFile,
            "rename it to .xlsx",
        ),
    ],
    ids=[
        "encrypted",
        "xls",
        "xls-by-name",
        "doc",
        "ods",
        "xlsb",
        "numbers",
        "zip",
        "pdf",
        "pdf-named-xls",
        "text-named-xlsx",
        "text-named-xls",
        "html-named-xls",
        "png",
        "binary",
        "utf32",
        "xlsx-named-csv",
    ],
)
def test_what_the_bytes_are_is_said(
    tmp_path: Path,
    make: Callable[[Path], Path],
    error: type[WebinarValidateError],
    says: str,
) -> None:
    path = make(tmp_path)
    with pytest.raises(error, match=says) as caught:
        read_table(path)
    message = caught.value.message
    assert message.startswith(str(path))
    assert message.endswith(".")
    assert "\n" not in message


def test_truncated_workbook_is_unreadable(tmp_path: Path) -> None:
    whole = openpyxl_book(tmp_path, _sessions_book).read_bytes()
    path = write(tmp_path, "cut.xlsx", whole[: len(whole) // 2])
    with pytest.raises(UnreadableFile, match="damaged"):
        read_table(path)


def test_corrupt_member_is_unreadable(tmp_path: Path) -> None:
    path = handmade_xlsx(tmp_path, row_xml(1, "h") + row_xml(2, "x" * 5000))
    data = bytearray(path.read_bytes())
    at = data.find(b"xl/worksheets/sheet1.xml") + 60
    data[at : at + 40] = b"\x55" * 40  # garble the sheet's compressed bytes
    with pytest.raises(UnreadableFile):
        read_table(write(tmp_path, "bad.xlsx", bytes(data)))


@pytest.mark.parametrize("name", ["s.csv", "book.xlsx"])
def test_the_input_is_never_written(tmp_path: Path, name: str) -> None:
    path = (
        write(tmp_path, name, "a,b\n1,2\n")
        if name.endswith(".csv")
        else openpyxl_book(tmp_path, _sessions_book, name)
    )
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    path.chmod(0o444)
    read_table(path)
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_calamine_refusal_is_unreadable(tmp_path: Path) -> None:
    path = handmade_xlsx(tmp_path, '<row r="1"><c r="A1" t="s"><v>9</v></c></row>', shared=["a"])
    with pytest.raises(UnreadableFile, match="damaged"):
        read_table(path, max_rows=0)


def test_sheet_option_is_ignored_for_a_csv(tmp_path: Path) -> None:
    assert read_table(write(tmp_path, "s.csv", "a\n1\n"), sheet="Sessions").rows == [["1"]]


def test_garbage_collector_is_left_as_found(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "a\n1\n")
    assert gc.isenabled()
    read_table(path)
    assert gc.isenabled()
    with pytest.raises(TooManyRows):
        read_table(write(tmp_path, "t.csv", "a\n1\n2\n"), max_rows=1)
    assert gc.isenabled()


def test_public_surface() -> None:
    assert reading.__all__ == ["MAX_PART_BYTES", "read_table"]
