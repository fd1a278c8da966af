"""The Arrow fast path for CSV: used for plain UTF-8 files, and giving way to the careful parser
(with identical results) whenever a file needs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from webinar_validate.errors import TooManyRows, UnreadableFile
from webinar_validate.reading import csv as _csv
from webinar_validate.reading import csv_arrow as _csv_arrow
from webinar_validate.reading.dispatch import read_table
from webinar_validate.table import Table


def write(tmp_path: Path, data: bytes | str, name: str = "s.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def shape(table: Table) -> tuple[object, ...]:
    lines = None if table.lines is None else list(table.lines)
    return (
        table.header,
        table.header_row_number,
        list(table.row_numbers),
        lines,
        table.rows,
        table.extra_cells,
    )


def careful(path: Path, monkeypatch: pytest.MonkeyPatch, **kwargs: int) -> Table:
    with monkeypatch.context() as patch:
        patch.setattr(_csv_arrow, "read_arrow", lambda *args: None)
        return read_table(path, **kwargs)


def arrow_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> Table:
        raise AssertionError("the careful parser was used")

    monkeypatch.setattr(_csv, "_read", refuse)


@pytest.mark.parametrize(
    "text",
    [
        "a,b\r\n1,2\r\n3,4\r\n",
        "\ufeffa;b\n1;2\n\n;\n",  # BOM, semicolons, a blank line and a blank record
        'a,b\n1,"x\r\ny, ""z"""\n2,"p\rq"\nlast,1',  # quoted line breaks, no final newline
        "a\tb\n é \t\u2028\n",
    ],
)
def test_plain_utf8_files_are_read_by_arrow_as_the_careful_parser_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    path = write(tmp_path, text)
    expected = shape(careful(path, monkeypatch, max_rows=0))
    arrow_only(monkeypatch)
    assert shape(read_table(path, max_rows=0)) == expected


def test_line_numbers_count_line_breaks_inside_quoted_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    arrow_only(monkeypatch)
    table = read_table(write(tmp_path, 'a,b\n1,"x\ny\r\nz"\n2,"p\rq"\n3,3\n'), max_rows=0)
    assert list(table.row_numbers) == [2, 3, 4]
    assert list(table.lines or []) == [2, 5, 7]


@pytest.mark.parametrize(
    "data",
    [
        b"a,b\n1,2,3\n4,5\n",  # ragged records
        "a,b\ncaf\xe9,1\n".encode("cp1252"),  # not UTF-8
        b'"a",b\n1,2\n',  # a quoted header
        b"\na,b\n1,2\n",  # a blank line before the header
        b"a,b,,\n1,2,,\n",  # trailing empty header cells
        b'a,b\n1,2\n3,"open',  # a quote never closed on the last line
        b'a,b\n1,"open\n3,4\n',  # a quote never closed, swallowing lines
        b'a,b\nx"y,"open',  # a stray quote, then one never closed
    ],
)
def test_files_the_fast_path_cannot_judge_get_the_careful_parsers_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes
) -> None:
    path = write(tmp_path, data)
    try:
        expected: object = shape(careful(path, monkeypatch, max_rows=0))
    except UnreadableFile as exc:
        expected = str(exc)
    try:
        got: object = shape(read_table(path, max_rows=0))
    except UnreadableFile as exc:
        got = str(exc)
    assert got == expected


def test_a_row_limit_is_kept_on_the_fast_path(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b\n" + "1,2\n" * 5 + ",\n" * 3)
    assert len(read_table(path, max_rows=5)) == 8  # blank rows do not count
    with pytest.raises(TooManyRows):
        read_table(write(tmp_path, "a,b\n" + "1,2\n" * 6, "t.csv"), max_rows=5)


def test_a_big_file_with_a_row_limit_stops_at_the_limit_without_arrow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_csv_arrow, "WHOLE_FILE_LIMIT", 100)
    path = write(tmp_path, "a,b\n" + "1,2\n" * 100)
    with pytest.raises(TooManyRows):
        read_table(path, max_rows=10)
    arrow_only(monkeypatch)
    assert len(read_table(path, max_rows=0)) == 100
