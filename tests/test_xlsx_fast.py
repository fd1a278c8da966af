"""The XLSX pre-scan's fast route and the column-wise build.

The fast route (``_xlsx_scan._fast``) looks into few cells: it must find exactly what the exact
pass (every row and cell parsed) finds, with a used range that may only be rounded up. Here both
run over generated sheets, cut into tiny blocks so that every kind of cell meets a block edge.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import zipfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from webinar_validate.errors import TooManyRows, UnreadableFile, WebinarValidateError
from webinar_validate.reading import xlsx as _xlsx
from webinar_validate.reading import xlsx_scan as _xlsx_scan
from webinar_validate.reading.dispatch import read_table
from webinar_validate.table import Table
from webinar_validate.table import column_letters as letters

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def book(
    tmp_path: Path, sheet_data: str, shared: list[str] | None = None, prefix: str = ""
) -> Path:
    """A workbook with one sheet 'Sessions' whose <sheetData> content is given (its tags then
    written with ``prefix``)."""
    rels = f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    members = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"/>',
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        f'<sheet name="Sessions" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{_MAIN}"><sheetData>{sheet_data}'
        "</sheetData></worksheet>",
    }
    if prefix:
        sheet = members["xl/worksheets/sheet1.xml"].replace(
            f'xmlns="{_MAIN}"', f'xmlns:x="{_MAIN}"'
        )
        members["xl/worksheets/sheet1.xml"] = re.sub(r"<(/?)(?=[A-Za-z])", rf"<\1{prefix}", sheet)
    if shared is not None:
        rels += f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        items = "".join(f'<si><t xml:space="preserve">{s}</t></si>' for s in shared)
        members["xl/sharedStrings.xml"] = f'<sst xmlns="{_MAIN}">{items}</sst>'
    members["xl/_rels/workbook.xml.rels"] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{rels}</Relationships>"
    )
    path = tmp_path / "book.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, text in members.items():
            zf.writestr(member, text)
    return path


def cell(ref: str, rng: random.Random) -> str:
    """One cell element of a random kind, at ``ref``."""
    kind = rng.randrange(14)
    if kind == 0:
        return f'<c r="{ref}" s="1"/>'  # styled, no content
    if kind == 1:
        return f'<c r="{ref}"><v>{rng.choice(["1", "2.5", "-0", " "])}</v></c>'
    if kind == 2:
        return f'<c r="{ref}" s="2" t="e"><v>{rng.choice(["#N/A", "#DIV/0!"])}</v></c>'
    if kind == 3:
        return f'<c r="{ref}"><f>SUM(A1:A2)</f></c>'  # a formula without a value
    if kind == 4:
        return f'<c r="{ref}"><f>1+1</f><v>2</v></c>'
    if kind == 5:
        return f'<c r="{ref}" t="str"><f>""</f><v></v></c>'
    if kind == 6:
        return f'<c r="{ref}" t="s"><v>{rng.randrange(3)}</v></c>'
    if kind == 7:
        return f'<c s="1" r="{ref}" t="inlineStr"><is><t>late r</t></is></c>'
    if kind == 8:
        return f"<c r='{ref}' t='e'><v>#REF!</v></c>"
    if kind == 9:
        rich = '<r><rPr><color rgb="FF0000"/></rPr><t>rich</t></r>'
        return f'<c r="{ref}" t="inlineStr"><is>{rich}</is></c>'
    if kind == 10:
        return f'<c r="{ref}" t="b"><v>1</v></c>'
    if kind == 11:
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">  </t></is></c>'
    if kind == 12:
        return f'<c r="{ref}"><f t="shared" si="0"/></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>x{rng.randrange(100)}</t></is></c>'


def random_sheet(rng: random.Random, rows: int, columns: int) -> str:
    parts = []
    number = 0
    for _ in range(rows):
        number += rng.choice([1, 1, 1, 2, 7, 130])
        if rng.random() < 0.05:
            parts.append(f'<row r="{number}" s="1" customFormat="1"/>')
            continue
        chosen = sorted(rng.sample(range(columns), rng.randrange(columns + 1)))
        cells = "".join(cell(f"{letters(c)}{number}", rng) for c in chosen)
        parts.append(f'<row r="{number}">{cells}</row>')
    return "".join(parts)


def scans(path: Path, limit: int, chunk: int) -> tuple[Any, Any]:
    """(fast route's Scan or None, exact pass's Scan) of the book's sheet."""
    with zipfile.ZipFile(path) as zf:
        shared = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in zf.namelist() else None
        with zf.open("xl/worksheets/sheet1.xml") as part:
            fast = _xlsx_scan._fast("book", iter(partial(part.read, chunk), b""), limit)
        with zf.open("xl/worksheets/sheet1.xml") as part:
            blanks = _xlsx.SharedBlanks(zf, shared)
            exact = _xlsx_scan._exact("book", iter(partial(part.read, chunk), b""), blanks, limit)
    return fast, exact


def assert_same(fast: Any, exact: Any) -> None:
    assert fast.formulas == exact.formulas
    assert fast.errors == exact.errors
    assert fast.last_column == exact.last_column
    assert exact.last_row <= fast.last_row <= _xlsx_scan._row_bound(exact.last_row)


@pytest.mark.parametrize("seed", range(40))
def test_the_fast_route_finds_what_the_exact_pass_finds(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    sheet = random_sheet(rng, rows=rng.randrange(1, 60), columns=rng.randrange(1, 40))
    path = book(tmp_path, sheet, shared=["title", "  ", "Intro"], prefix="x:" if seed % 4 else "")
    for chunk in (64, 700, 1 << 20):
        fast, exact = scans(path, 0, chunk)
        assert fast is not None
        assert_same(fast, exact)


def test_rows_far_down_keep_the_bound_within_one_percent(tmp_path: Path) -> None:
    rows = "".join(
        f'<row r="{n}"><c r="A{n}"><v>1</v></c><c r="C{n}"><v>2</v></c></row>'
        for n in range(123_400, 123_460)
    )
    fast, exact = scans(book(tmp_path, rows), 0, 256)
    assert (exact.last_row, exact.last_column) == (123_459, 2)
    assert (fast.last_row, fast.last_column) == (123_999, 2)  # 3 significant digits


@pytest.mark.parametrize(
    "odd",
    [
        '<row r="5"><c t="inlineStr"><is><t>no reference</t></is></c></row>',
        '<row r="5"><c r="B" t="inlineStr"><is><t>no row in it</t></is></c></row>',
        "<row r=\"5\"><c r='B5' t='inlineStr'><is><t>single quotes</t></is></c></row>",
        '<row r="5"><c r="b5"><v>1</v></c></row>',
        '<row r="5"><c r="ABCD5"><v>1</v></c></row>',
        '<row r="5"><c\n r="B5"><v>1</v></c></row>',
    ],
)
def test_cells_in_unusual_forms_are_read_like_the_exact_pass(tmp_path: Path, odd: str) -> None:
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 5))
    path = book(tmp_path, rows + odd + '<row r="6"><c r="A6"><v>6</v></c></row>')
    for chunk in (64, 1 << 20):
        fast, exact = scans(path, 0, chunk)
        if fast is not None:  # None: the cell is placed by its row, the exact pass decides
            assert_same(fast, exact)


@pytest.mark.parametrize("max_rows", [0, 1000])
@pytest.mark.parametrize(
    "far",
    [
        '<c r="XFD1048576"><v>1</v></c>',
        '<c r="A1048576"><v>1</v></c><c r="XFD7"><v>1</v></c>',
        '<c s="0" r="XFD1048576"><v>1</v></c>',
        '<c r="xfd1048576"><v>1</v></c>',
        '<c r="XFD01048576"><v>1</v></c>',
    ],
)
def test_a_stray_cell_deep_in_the_sheet_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, far: str, max_rows: int
) -> None:
    monkeypatch.setattr(_xlsx_scan, "_CHUNK", 512)  # the stray cell sits in a later block
    rows = [
        f'<row r="{n}"><c r="A{n}"><v>{n}</v></c><c r="B{n}"><v>1</v></c>' for n in range(1, 80)
    ]
    rows[40] += far
    sheet = "</row>".join(rows) + "</row>"
    with pytest.raises(UnreadableFile, match=re.escape("used range of A1:XFD1048576")):
        read_table(book(tmp_path, sheet), max_rows=max_rows)


def test_styled_cells_without_content_do_not_widen_the_range(tmp_path: Path) -> None:
    sheet = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>h</t></is></c><c r="XFD1" s="3"/></row>'
        '<row r="1048576"><c r="XFD1048576" s="3"/></row>'
    )
    table = read_table(book(tmp_path, sheet), max_rows=0)
    assert table.header == ["h"]
    assert len(table) == 0


def test_a_wide_header_is_bounded_once_per_row(tmp_path: Path) -> None:
    header = "".join(
        f'<c r="{letters(c)}1" t="inlineStr"><is><t>h{c}</t></is></c>' for c in range(3000)
    )
    sheet = f'<row r="1">{header}</row><row r="2"><c r="A2"><v>1</v></c></row>'
    fast, exact = scans(book(tmp_path, sheet), 0, 1 << 20)
    assert_same(fast, exact)
    assert fast.last_column == 2999


def test_the_row_limit_counts_rows_exactly_when_the_bound_is_crossed(tmp_path: Path) -> None:
    blank = '<c r="A{0}" t="inlineStr"><is><t xml:space="preserve"> </t></is></c>'
    text = '<c r="A{0}" t="inlineStr"><is><t>v</t></is></c>'
    rows = [f'<row r="{n}">{(text if n % 3 == 1 else blank).format(n)}</row>' for n in range(1, 31)]
    path = book(tmp_path, "".join(rows))  # 30 rows with cells, 10 of them non-blank
    fast, _ = scans(path, 10, 256)
    assert fast is None  # 30 rows might be too many for 10: the exact pass counts
    assert len(read_table(path, max_rows=9)) == 29  # the header and 9 non-blank data rows
    with pytest.raises(TooManyRows):
        read_table(path, max_rows=8)
    fast, exact = scans(path, 29, 256)
    assert fast is not None
    assert_same(fast, exact)


def test_formulas_and_errors_are_found_in_every_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_xlsx_scan, "_CHUNK", 300)
    rows = [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" '
        't="inlineStr"><is><t>b</t></is></c></row>'
    ]
    for n in range(2, 40):
        second = '<c r="B{0}"><f>X</f></c>' if n % 2 else '<c r="B{0}" t="e"><v>#N/A</v></c>'
        rows.append(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c>{second.format(n)}</row>')
    table = read_table(book(tmp_path, "".join(rows)), max_rows=0)
    cells = table.rows
    assert [row[1] for row in cells] == ["#N/A" if n % 2 == 0 else "" for n in range(2, 40)]
    assert table.formulas_without_value == {(n - 2, 1) for n in range(3, 40, 2)}


def test_the_table_is_built_column_by_column(tmp_path: Path) -> None:
    sheet = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c><c r="B2" t="inlineStr"><is>'
        '<t>b</t></is></c><c r="C2" t="inlineStr"><is><t>c</t></is></c></row>'
        '<row r="3"><c r="A3"><v>10</v></c><c r="B3" t="b"><v>1</v></c><c r="E3" '
        't="inlineStr"><is><t>far</t></is></c></row>'
        '<row r="4"><c r="D4" t="inlineStr"><is><t> </t></is></c><c r="E4" t="inlineStr"><is>'
        "<t>x</t></is></c></row>"
        '<row r="5"><c r="A5"><v>0.1</v></c><c r="B5" t="e"><v>#N/A</v></c></row>'
        '<row r="7"><c r="C7"><f>X</f></c></row>'
    )
    table = read_table(book(tmp_path, sheet), max_rows=0)
    assert table.header == ["a", "b", "c"]
    assert table.header_row_number == 2
    assert list(table.row_numbers) == [3, 4, 5, 6, 7]
    for column in table.columns:
        assert column.type == pa.large_string()
        assert column.null_count == 0
    assert table.rows == [
        ["10", "TRUE", ""],
        ["", "", ""],
        ["0.1", "#N/A", ""],
        ["", "", ""],
        ["", "", ""],
    ]
    assert table.extra_cells == {0: 4, 1: 4}
    assert table.formulas_without_value == {(4, 2)}


def test_typed_columns_keep_their_meaning_and_dates() -> None:
    raw: list[list[Any]] = [
        ["n", "when", "mixed"],
        [1.0, dt.datetime(2025, 3, 1, 10, 0, 0, 250000), True],
        ["", dt.date(2025, 3, 2), 1.0],
        [1e20, dt.time(9, 30), "x"],
        [0.1 + 0.2, "", 1],
    ]
    table = _xlsx._build("book", "S", raw, _xlsx_scan.Scan(), 0)
    assert table.rows == [
        ["1", "2025-03-01T10:00:00.250", "TRUE"],
        ["", "2025-03-02T00:00:00", "1"],
        ["100000000000000000000", "09:30:00", "x"],
        ["0.3", "", "1"],
    ]
    assert table.typed_dates == {(0, 1), (1, 1), (2, 1)}
    assert raw == []  # calamine's rows were let go as the columns were made


def test_an_empty_data_area_gives_empty_columns() -> None:
    table = _xlsx._build("book", "S", [["", ""], ["a", "b", ""]], _xlsx_scan.Scan(), 0)
    assert isinstance(table, Table)
    assert table.header == ["a", "b"]
    assert [len(column) for column in table.columns] == [0, 0]


def _numbers() -> Iterator[int]:
    yield from (0, 1, 7, 9, 10, 99, 100, 101, 109, 110, 999, 1000, 1001, 123_456, 1_048_576)


@pytest.mark.parametrize("least", list(_numbers())[1:])
def test_at_least_matches_exactly_the_numbers_not_below(least: int) -> None:
    pattern = re.compile(_xlsx_scan._at_least(str(least), "0123456789"))
    for value in sorted({*range(0, 2000), *range(least - 50, least + 50), 10**7 - 1}):
        if value >= 0:
            assert bool(pattern.match(f'{value}"')) == (value >= least), value


@pytest.mark.parametrize("column", [0, 1, 17, 24, 25, 26, 27, 51, 700, 701, 702, 16383])
def test_at_least_matches_exactly_the_columns_past_one(column: int) -> None:
    pattern = re.compile(_xlsx_scan._at_least(letters(column + 1), _LETTERS))
    for other in range(0, 18278, 7 if column > 1000 else 1):
        assert bool(pattern.match(letters(other) + "5")) == (other > column), other


@pytest.mark.parametrize("row", list(_numbers()))
def test_row_bounds_are_round_and_close(row: int) -> None:
    bound = _xlsx_scan._row_bound(row)
    assert row <= bound <= row * 1.01 + 9
    assert len(str(bound + 1).rstrip("0")) <= 3


def test_bounds_that_keep_moving_hand_over_to_the_exact_pass(tmp_path: Path) -> None:
    # each row a column wider than the one before, and the block's last cell in column A:
    # every row would need a regex of its own
    rows = [f'<row r="{n}"><c r="{letters(n)}{n}"><v>1</v></c></row>' for n in range(1, 1501)]
    rows.append('<row r="1501"><c r="A1501"><v>1</v></c></row>')
    fast, exact = scans(book(tmp_path, "".join(rows)), 0, 1 << 20)
    assert fast is None
    assert (exact.last_row, exact.last_column) == (1501, 1500)


CASES = sorted((Path(__file__).resolve().parent / "cases").glob("**/input.xlsx"))


def _outcome(path: Path, max_rows: int) -> Any:
    try:
        table = read_table(path, max_rows=max_rows)
    except WebinarValidateError as exc:  # the outcome compared is then the error
        return type(exc).__name__, str(exc)
    return (
        table.header,
        table.header_row_number,
        list(table.row_numbers),
        table.rows,
        table.extra_cells,
        table.typed_dates,
        table.formulas_without_value,
    )


@pytest.mark.parametrize("path", CASES, ids=[p.parent.name for p in CASES])
def test_every_workbook_in_the_corpus_reads_as_by_the_exact_pass(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for max_rows in (0, 3):
        fast = _outcome(path, max_rows)
        with monkeypatch.context() as patched:
            patched.setattr(_xlsx_scan, "_fast", lambda *args: None)
            assert _outcome(path, max_rows) == fast
