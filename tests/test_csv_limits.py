"""Issue 11, CSV reading: the size limits, the dialect read, and the cells beyond the header.

A CSV header or record has at most 16,384 cells (Excel's last column, XFD) and a header cell at
most 1,024 characters; more is unreadable_file, naming the file and the line, refused before
anything large is built. Every path is tried: the Arrow fast path (a plain UTF-8 header in the
first 64 KiB), the careful parser's unquoted fast path, and its csv-module path (from the first
quote on). The Table says how the file was written (``dialect``) and keeps the cells beyond the
header's width (``extras``) for the outputs, so that they never read the file again.
"""

from __future__ import annotations

import codecs
import re
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from webinar_validate.errors import UnreadableFile
from webinar_validate.reading import csv as _csv
from webinar_validate.reading import csv_arrow as _csv_arrow
from webinar_validate.reading.dispatch import read_table
from webinar_validate.table import CsvDialect, Table

MAX = 16_384
CAP = 500 << 20  # address space for the capped CLI runs (Python, pandas and pyarrow included)


def write(tmp_path: Path, data: bytes | str, name: str = "s.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def careful_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn off the Arrow fast path."""
    monkeypatch.setattr(_csv_arrow, "read_arrow", lambda *args: None)


def arrow_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test when the careful parser is used."""

    def refuse(*args: object) -> Table:
        raise AssertionError("the careful parser was used")

    monkeypatch.setattr(_csv, "_read", refuse)


PATHS: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "arrow": arrow_only,
    "careful": careful_only,
}


def refused_line(path: Path, **kwargs: int) -> int:
    """The line an UnreadableFile for too many cells names (after checking it names the file)."""
    with pytest.raises(UnreadableFile) as caught:
        read_table(path, max_rows=kwargs.get("max_rows", 0))
    message = str(caught.value)
    assert message.startswith(str(path)), message
    found = re.search(r"the row starting on line ([\d,]+) has more than 16,384 cells", message)
    assert found, message
    assert "spreadsheet" in message  # and it says what to do, in a spreadsheet user's words
    return int(found.group(1).replace(",", ""))


def names(count: int) -> list[str]:
    return [f"c{i}" for i in range(count)]


# --------------------------------------------------------------------------- 16,384 cells


@pytest.mark.parametrize("path_name", ["auto", "careful"])
def test_a_header_of_16384_cells_is_read_and_16385_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path_name: str
) -> None:
    # Short cells, so that the header fits in the 64 KiB the fast path looks at.
    fine = write(tmp_path, ",".join(["h"] * MAX) + "\r\n" + ",".join(["1"] * MAX) + "\r\n")
    wide = write(tmp_path, ",".join(["h"] * (MAX + 1)) + "\r\n1\r\n", "wide.csv")
    if path_name == "careful":
        careful_only(monkeypatch)
    table = read_table(fine, max_rows=0)
    assert len(table.header) == MAX
    assert table.rows == [["1"] * MAX]
    assert table.dialect == CsvDialect("utf-8", False, ",", "\r\n")
    assert refused_line(wide) == 1


def test_arrow_reads_headers_up_to_its_width_and_gives_wider_ones_away(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Arrow sets memory aside per column: past ARROW_COLUMNS the careful parser reads."""
    width = _csv_arrow.ARROW_COLUMNS
    narrow = write(tmp_path, ",".join(names(width)) + "\n" + ",".join(["1"] * width) + "\n")
    wider = write(tmp_path, ",".join(names(width + 1)) + "\n1\n", "wider.csv")
    arrow_only(monkeypatch)
    assert len(read_table(narrow, max_rows=0).header) == width
    with pytest.raises(AssertionError, match="the careful parser was used"):
        read_table(wider, max_rows=0)
    monkeypatch.undo()
    table = read_table(wider, max_rows=0)
    assert table.rows == [["1", *[""] * width]]
    assert table.dialect == CsvDialect("utf-8", False, ",", "\n")


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8", ","),
        ("utf-8-sig", ";"),
        ("utf-8", "\t"),
        ("utf-16", ","),  # with its BOM, as Python writes it
        ("utf-16-be", ";"),
        ("cp1252", ","),
    ],
)
def test_a_header_wider_than_the_limit_is_refused_in_every_encoding_and_delimiter(
    tmp_path: Path, encoding: str, delimiter: str
) -> None:
    """Long names (past the 64 KiB the fast path reads): the careful parser counts them."""
    bom = "\ufeff" if encoding == "utf-16-be" else ""
    for width, refused in ((MAX, False), (MAX + 1, True)):
        header = delimiter.join(["café", *names(width - 1)])
        text = bom + header + "\r\n" + delimiter.join(["x"] * width) + "\r\n"
        path = write(tmp_path, text.encode(encoding), f"{width}.csv")
        if refused:
            assert refused_line(path) == 1
        else:
            table = read_table(path, max_rows=0)
            assert len(table.header) == MAX
            assert table.header[0] == "café"
            assert table.dialect is not None
            assert table.dialect.delimiter == delimiter


def test_a_header_split_over_lines_by_a_quoted_value_is_counted_as_one_row(
    tmp_path: Path,
) -> None:
    head = '"start\nDate",'
    fine = write(tmp_path, head + ",".join(names(MAX - 1)) + "\n1\n")
    assert len(read_table(fine, max_rows=0).header) == MAX
    wide = write(tmp_path, head + ",".join(names(MAX)) + "\n1\n", "wide.csv")
    assert refused_line(wide) == 1


def test_delimiters_inside_quoted_values_are_not_cells(tmp_path: Path) -> None:
    """A quoted value full of commas is one cell (a 40,000-comma title is read), while a stray
    quote inside an unquoted value opens nothing: its commas are cells."""
    commas = "," * 40_000
    quoted = write(tmp_path, f'a,b\n"{commas}\n{commas}",2\n3,4\n"{commas}",5\n')
    table = read_table(quoted, max_rows=0)
    assert table.rows == [[f"{commas}\n{commas}", "2"], ["3", "4"], [commas, "5"]]
    assert list(table.lines or []) == [2, 4, 5]
    stray = write(tmp_path, f'a,b\n1,2\nx"{commas}",5\n', "stray.csv")
    assert refused_line(stray) == 3
    header = write(tmp_path, f'a",b{commas}\n1,2\n', "header.csv")
    assert refused_line(header) == 1


@pytest.mark.parametrize("path_name", list(PATHS))
@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quotes-before"])
def test_a_record_wider_than_the_limit_further_down_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path_name: str, quoted: bool
) -> None:
    """A 10-column header, then 1,000 rows, then a record of 16,385 cells (or, first, one of
    exactly 16,384, which is read). With ``quotes-before`` the csv module reads the records."""
    start = "c0,c1,c2,c3,c4,c5,c6,c7,c8,c9\n"
    rows = ('"q",2,3,4,5,6,7,8,9,10\n' if quoted else "1,2,3,4,5,6,7,8,9,10\n") * 1000
    for cells, refused in ((MAX, False), (MAX + 1, True)):
        path = write(tmp_path, start + rows + "," * (cells - 1) + "\n3,4\n", f"{cells}.csv")
        if path_name == "careful":
            careful_only(monkeypatch)
        elif not refused:
            arrow_only(monkeypatch)
        if refused:
            assert refused_line(path) == 1002
        else:
            table = read_table(path, max_rows=0)
            assert len(table) == 1002
            assert table.extra_cells == {}  # the cells beyond the header are all empty
        monkeypatch.undo()


def test_a_record_of_100k_cells_after_a_quoted_value_is_refused_at_its_line(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, 'a,b\n1,"x\ny"\n' + "v," * 100_000 + "\n3,4\n")
    assert refused_line(path) == 4


def test_a_record_whose_lines_are_each_narrow_enough_is_counted_whole(tmp_path: Path) -> None:
    """Quoted line breaks split one record of 4 x 5,001 cells over lines of about 5,000."""
    part = ',"a\nb"' + ",x" * 5_000
    path = write(tmp_path, "a,b\n1,2\nr" + part * 4 + "\n3,4\n")
    assert refused_line(path) == 3
    fine = write(tmp_path, "a,b\n1,2\nr" + part * 3 + "\n3,4\n", "fine.csv")
    table = read_table(fine, max_rows=0)
    assert len(table) == 3
    assert list(table.lines or []) == [2, 3, 7]
    assert len(table.extras[1]) == 3 * 5_001 - 1


# --------------------------------------------------------------------------- 1,024 characters


@pytest.mark.parametrize(
    ("path_name", "quoted"),
    [("arrow", False), ("careful", False), ("careful", True)],  # a quoted header is careful's
)
def test_a_header_cell_of_1024_characters_is_read_and_1025_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path_name: str, quoted: bool
) -> None:
    for length, refused in ((1024, False), (1025, True)):
        name = "x," * (length // 2) + "y" * (length % 2) if quoted else "n" * length
        cell = f'"{name}"' if quoted else name
        path = write(tmp_path, f"a,{cell}\n1,2\n", f"{length}.csv")
        if refused:
            monkeypatch.undo()
            with pytest.raises(UnreadableFile) as caught:
                read_table(path)
            message = str(caught.value)
            assert message.startswith(str(path))
            assert "B1" in message
            assert "line 1" in message
            assert "1,025 characters" in message
            assert "1,024" in message
        else:
            PATHS[path_name](monkeypatch)
            assert read_table(path).header == ["a", name]


def test_an_enormous_header_cell_is_refused(tmp_path: Path) -> None:
    """Past the 4 MiB the delimiter is looked for in, and quoted or not."""
    plain = write(tmp_path, "a" * (5 << 20) + ",b\n1,2\n")
    quoted = write(tmp_path, '"' + "a,\n" * (2 << 20) + '",b\n1,2\n', "q.csv")
    for path in (plain, quoted):
        with pytest.raises(UnreadableFile, match="header cell A1"):
            read_table(path)


# --------------------------------------------------------------------------- little memory


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))


HUGE = {
    "header-of-1M-columns": lambda: (",".join(names(1_000_000)) + "\n1\n").encode(),
    "header-of-30MB-commas": lambda: b"a" + b"," * (30 << 20) + b"\n1\n",
    "line-of-30MB-commas-no-end": lambda: b"," * (30 << 20),
    "header-then-a-30MB-record-of-commas": lambda: b"a,b\n1,2\n" + b"," * (30 << 20) + b"\n",
    "utf-16-header-of-1M-columns": lambda: (
        codecs.BOM_UTF16_LE + ";".join(names(1_000_000)).encode("utf-16-le")
    ),
    "quoted-header-of-1M-columns": lambda: b'"a\nb",' + b"x," * 1_000_000 + b"\n1\n",
}


@pytest.mark.parametrize("build", list(HUGE.values()), ids=list(HUGE))
def test_huge_rows_are_refused_quickly_in_little_memory(
    tmp_path: Path, build: Callable[[], bytes]
) -> None:
    """The CLI in a process of 500 MiB of address space (on main, a 1M-column header was
    killed at 5.4 GB, a 30 MB header of commas at 19 GB)."""
    path = write(tmp_path, build())
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", "webinar_validate", str(path)],
        capture_output=True,
        text=True,
        timeout=300,  # a backstop for a hang; the bound is on CPU time, which load does not skew
        check=False,
        preexec_fn=_limit_address_space,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    assert "Traceback" not in done.stderr
    assert done.returncode == 2, done.stderr
    assert "unreadable_file" in done.stdout + done.stderr
    assert "16,384 cells" in done.stdout + done.stderr
    assert cpu < 10  # start-up included; bench has the figures (well under 2 s of reading)


def test_running_out_of_memory_while_reading_is_one_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def exhausted(*args: object) -> Table:
        raise MemoryError

    monkeypatch.setattr(_csv, "_read", exhausted)
    careful_only(monkeypatch)
    path = write(tmp_path, "a,b\n1,2\n")
    with pytest.raises(UnreadableFile, match="too large to check in the memory available"):
        read_table(path)


# --------------------------------------------------------------------------- the dialect


DIALECTS = [
    ("utf-8", b"a,b\r\n1,2\r\n", CsvDialect("utf-8", False, ",", "\r\n")),
    ("utf-8 LF", b"a;b\n1;2\n", CsvDialect("utf-8", False, ";", "\n")),
    ("utf-8 CR", b"a\tb\r1\t2\r", CsvDialect("utf-8", False, "\t", "\r")),
    ("utf-8 BOM", b"\xef\xbb\xbfa,b\n1,2\n", CsvDialect("utf-8", True, ",", "\n")),
    ("one line, no ending", b"a,b", CsvDialect("utf-8", False, ",", "\r\n")),
    ("one line, LF", b"a;b\n", CsvDialect("utf-8", False, ";", "\n")),
    ("blank lines first", b"\r\n\n,,\na,b\r1,2\r", CsvDialect("utf-8", False, ",", "\r")),
    (
        "quoted header, LF inside, CRLF after",
        b'"a\nb",c\r\n1,2\r\n',
        CsvDialect("utf-8", False, ",", "\r\n"),
    ),
    (
        "quote on line 2",
        b'a,b\n"1",2\r\n',
        CsvDialect("utf-8", False, ",", "\n"),
    ),
    (
        "utf-16 LE",
        codecs.BOM_UTF16_LE + "a;b\r\n1;2\r\n".encode("utf-16-le"),
        CsvDialect("utf-16-le", True, ";", "\r\n"),
    ),
    (
        "utf-16 BE",
        codecs.BOM_UTF16_BE + "a\tb\n1\t2\n".encode("utf-16-be"),
        CsvDialect("utf-16-be", True, "\t", "\n"),
    ),
    ("cp1252", "café,b\r1,2\r".encode("cp1252"), CsvDialect("cp1252", False, ",", "\r")),
    (
        "cp1252, quoted",
        '"café";b\n"1";2\n'.encode("cp1252"),
        CsvDialect("cp1252", False, ";", "\n"),
    ),
]


@pytest.mark.parametrize(
    ("data", "dialect"), [d[1:] for d in DIALECTS], ids=[d[0] for d in DIALECTS]
)
@pytest.mark.parametrize("path_name", ["auto", "careful"])
def test_the_dialect_is_how_the_file_was_written(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    data: bytes,
    dialect: CsvDialect,
    path_name: str,
) -> None:
    if path_name == "careful":
        careful_only(monkeypatch)
    assert read_table(write(tmp_path, data), max_rows=0).dialect == dialect


def test_plain_utf8_files_get_their_dialect_from_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    arrow_only(monkeypatch)
    for data, dialect in (
        (b"\xef\xbb\xbfa;b\r\n1;2\r\n", CsvDialect("utf-8", True, ";", "\r\n")),
        (b"a\tb\r1\t2\r", CsvDialect("utf-8", False, "\t", "\r")),
        (b"a,b\n1,2", CsvDialect("utf-8", False, ",", "\n")),
    ):
        assert read_table(write(tmp_path, data), max_rows=0).dialect == dialect


def test_a_workbook_has_no_dialect_and_no_extras(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[1] / "sample_assets" / "sessions.xlsx"
    table = read_table(sample)
    assert table.dialect is None
    assert table.extras == {}
    csv_table = read_table(sample.with_suffix(".csv"))
    assert csv_table.dialect is not None


# --------------------------------------------------------------------------- the extra cells


RAGGED = (
    "a,b,c\r\n"
    "1,2,3\r\n"
    "4,5,6,x,, \r\n"  # extras, trailing empty cells dropped
    '7,"8\n8",9,,"y\nz"\r\n'  # line breaks in a kept cell and in an extra one
    "10,11\r\n"  # narrower: padded, nothing extra
    "12,13,14,,\r\n"  # only empty extra cells, as Excel writes them
    "15,16,17, ,w\r\n"
    "18,19,20\r\n"
)


@pytest.mark.parametrize("path_name", list(PATHS))
def test_extras_keep_the_cells_beyond_the_header_on_both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path_name: str
) -> None:
    path = write(tmp_path, RAGGED)
    PATHS[path_name](monkeypatch)
    table = read_table(path, max_rows=0)
    assert table.rows == [
        ["1", "2", "3"],
        ["4", "5", "6"],
        ["7", "8\n8", "9"],
        ["10", "11", ""],
        ["12", "13", "14"],
        ["15", "16", "17"],
        ["18", "19", "20"],
    ]
    assert table.extra_cells == {1: 3, 2: 4, 5: 4}
    assert table.extras == {1: ["x"], 2: ["", "y\nz"], 5: [" ", "w"]}
    assert list(table.row_numbers) == [2, 3, 4, 5, 6, 7, 8]
    assert list(table.lines or []) == [2, 3, 4, 7, 8, 9, 10]
    assert table.dialect == CsvDialect("utf-8", False, ",", "\r\n")


def test_extras_on_the_fast_path_past_its_ragged_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More ragged records than the fast path puts back: the careful parser, same Table."""
    monkeypatch.setattr(_csv_arrow, "MAX_RAGGED", 2)
    table = read_table(write(tmp_path, RAGGED), max_rows=0)
    assert table.extras == {1: ["x"], 2: ["", "y\nz"], 5: [" ", "w"]}
    assert list(table.lines or []) == [2, 3, 4, 7, 8, 9, 10]


def test_extras_in_a_big_file_read_by_arrow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ragged records among many (several Arrow blocks) are put back in their places."""
    lines = [f"{i},t{i}" for i in range(200_000)]
    for i in (0, 7, 99_999, 150_001, 199_999):
        lines[i] += f",extra{i}"
    path = write(tmp_path, "n,title\n" + "\n".join(lines) + "\n")
    arrow_only(monkeypatch)
    table = read_table(path, max_rows=0)
    assert len(table) == 200_000
    assert table.extras == {i: [f"extra{i}"] for i in (0, 7, 99_999, 150_001, 199_999)}
    assert table.row_values([7, 8, 199_999]) == [["7", "t7"], ["8", "t8"], ["199999", "t199999"]]
    assert table.lines is not None
    assert table.lines[199_999] == 200_001


def test_extras_in_a_windows_1252_file(tmp_path: Path) -> None:
    """A ragged record that is not UTF-8: Arrow is not handed it (it would print a decoding
    error rather than raise one), and the careful parser keeps its extra cells."""
    data = "a;b\r\n1;2\r\ncafé;crème;brûlée\r\n3;4\r\n".encode("cp1252")
    table = read_table(write(tmp_path, data), max_rows=0)
    assert table.dialect == CsvDialect("cp1252", False, ";", "\r\n")
    assert table.rows == [["1", "2"], ["café", "crème"], ["3", "4"]]
    assert table.extras == {1: ["brûlée"]}


@pytest.mark.parametrize("path_name", list(PATHS))
def test_only_rows_with_extra_cells_have_extras(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path_name: str
) -> None:
    path = write(tmp_path, "a,b\n1,2\n3,4,,\n5\n6,7,8\n")
    PATHS[path_name](monkeypatch)
    table = read_table(path, max_rows=0)
    assert table.rows == [["1", "2"], ["3", "4"], ["5", ""], ["6", "7"]]
    assert table.extra_cells == {3: 2}
    assert table.extras == {3: ["8"]}
