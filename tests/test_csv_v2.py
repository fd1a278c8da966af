"""Issue 13: two CSV mistakes explained as what they are.

1. A UTF-8 file with one line saved as Windows-1252 mixes two encodings (CONTRACT v2
   "Encodings"): refused, naming the first line that is not UTF-8, instead of read whole as
   Windows-1252 (every other accent then mojibake, ``SÃ©ance``, and the rows valid).
2. An unquoted comma in a value gives a record more cells than the header: the extra_cells
   message says so and names the value probably split; the errors of the cells it shifted
   (a date "is not a time zone", UTC "is not a provider") are not listed for that row.
3. Text output stays one line per error when cells hold line breaks.
"""

from __future__ import annotations

import codecs
import time
from pathlib import Path

import pytest

from webinar_validate import validate_file
from webinar_validate.cli.main import main
from webinar_validate.errors import UnreadableFile
from webinar_validate.reading.dispatch import read_table

GROUP = "6f5f6278-28d3-463a-9da6-ea2610aa3dff"
HEADER = "courseGroupId,title,startDate,endDate,timeZone,webinarProvider"
MIB = 1 << 20


def row(n: int, title: str, tail: str = "") -> str:
    day = f"2030-03-{n % 28 + 1:02d}"
    return f"{GROUP},{title},{day}T15:30:00.000Z,{day}T16:30:00.000Z,Europe/Paris,zoom{tail}"


def write(tmp_path: Path, data: bytes, name: str = "sessions.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def utf8_lines(count: int, bad: set[int], newline: bytes = b"\n") -> bytes:
    """A header and ``count`` rows titled Séance (UTF-8); the lines in ``bad`` (1-based, the
    header being line 1) are Windows-1252."""
    lines = [HEADER.encode()]
    for n in range(1, count + 1):
        text = row(n, f"Séance {n}")
        lines.append(text.encode("cp1252" if n + 1 in bad else "utf-8"))
    return newline.join(lines) + newline


# --------------------------------------------------------------------------- 1. encodings


@pytest.mark.parametrize(
    ("bad", "newline", "line"),
    [
        ({7}, b"\n", 7),  # the file: one line pasted from a Windows-1252 file
        ({2}, b"\r\n", 2),  # the bad line first: the UTF-8 ones come after it
        ({4, 6}, b"\r", 4),  # CR line endings; the first bad line is named
    ],
    ids=["line-7", "first-line-crlf", "two-lines-cr"],
)
def test_a_utf8_file_with_windows_1252_lines_is_refused(
    tmp_path: Path, bad: set[int], newline: bytes, line: int
) -> None:
    path = write(tmp_path, utf8_lines(8, bad, newline))
    report = validate_file(path)
    assert [e.extensions.code for e in report.errors] == ["unreadable_file"]
    message = report.errors[0].message
    assert f"sessions.csv mixes two encodings: line {line} is not UTF-8" in message
    assert "é is saved as Windows-1252" in message
    assert "CSV UTF-8" in message
    assert report.valid_rows == []  # no mojibake reaches validRows


def test_a_utf8_bom_file_with_a_windows_1252_line_names_that_line(tmp_path: Path) -> None:
    path = write(tmp_path, codecs.BOM_UTF8 + utf8_lines(5, {5}))
    with pytest.raises(UnreadableFile, match="line 5 is not UTF-8"):
        read_table(path)


def test_a_byte_no_encoding_has_in_a_utf8_file_is_named_by_value(tmp_path: Path) -> None:
    """0x81 is not Windows-1252 either; the file is still UTF-8 elsewhere: mixed, line 3."""
    data = utf8_lines(3, set()).replace(b"S\xc3\xa9ance 2", b"S\x81ance 2")
    with pytest.raises(UnreadableFile, match=r"line 3 is not UTF-8 .*byte 0x81"):
        read_table(write(tmp_path, data))


def test_a_file_that_is_windows_1252_throughout_is_still_read(tmp_path: Path) -> None:
    path = write(tmp_path, utf8_lines(8, set(range(2, 10))))
    table = read_table(path)
    assert table.dialect is not None
    assert table.dialect.encoding == "cp1252"
    assert [cells[1] for cells in table.rows] == [f"Séance {n}" for n in range(1, 9)]


@pytest.mark.parametrize("title", ["NESCAFÉ® Live", "Straße€", "ÉTÉ…"])
def test_a_windows_1252_capital_and_symbol_are_no_utf8_evidence(tmp_path: Path, title: str) -> None:
    """É® and ß€ are valid UTF-8 by chance (U+026E, U+07C0), but no text holds those: the file
    is Windows-1252 throughout, as Excel wrote it."""
    text = HEADER + "\r\n" + row(1, "Séance") + "\r\n" + row(2, title) + "\r\n"
    table = read_table(write(tmp_path, text.encode("cp1252")))
    assert [cells[1] for cells in table.rows] == ["Séance", title]


def test_a_utf8_character_across_the_block_boundary_is_seen(tmp_path: Path) -> None:
    """The Windows-1252 é is on line 2; the only UTF-8 é straddles the first 1 MiB block."""
    first = (HEADER + "\n" + row(1, "S\xe9ance") + "\n").encode("cp1252")
    filler = row(2, "x" * 100).encode() + b"\n"
    data = first + filler * ((MIB - len(first)) // len(filler))
    pad = MIB - 1 - len(data) - len(f"{GROUP},".encode())
    data += f"{GROUP},".encode() + b"y" * pad  # the é's first byte is the block's last
    assert len(data) == MIB - 1
    data += "é".encode() + row(3, "").split(",", 2)[2].encode() + b"\n"
    assert data[MIB - 1 : MIB + 1] == "é".encode()
    with pytest.raises(UnreadableFile, match="line 2 is not UTF-8"):
        read_table(write(tmp_path, data), max_rows=0)


def test_a_1_mb_mixed_file_is_refused_and_a_cp1252_one_read_in_bounded_time(
    tmp_path: Path,
) -> None:
    """A megabyte of Windows-1252 rows with one UTF-8 line at the very end is mixed; the same
    rows without it are Windows-1252. Both are decided in well under a second or two."""
    body = "".join(row(n, f"Séance {n} à Genève") + "\n" for n in range(1, 9_000)).encode("cp1252")
    assert len(body) > MIB
    plain = write(tmp_path, HEADER.encode() + b"\n" + body, "plain.csv")
    mixed = write(tmp_path, HEADER.encode() + b"\n" + body + row(1, "Séance").encode(), "mix.csv")
    started = time.perf_counter()
    with pytest.raises(UnreadableFile, match="line 2 is not UTF-8"):
        read_table(mixed, max_rows=0)
    table = read_table(plain, max_rows=0)
    assert time.perf_counter() - started < 4
    assert len(table) == 8_999
    assert table.rows[-1][1] == "Séance 8999 à Genève"


# --------------------------------------------------------------------------- 2. shifted cells


def errors_of(path: Path) -> list[tuple[int, str, str, str]]:
    report = validate_file(path)
    return [
        (r.rowNumber, e.cell, str(e.code), e.message) for r in report.invalid_rows for e in r.errors
    ]


def test_an_unquoted_comma_in_a_title_is_named_and_its_shift_not_blamed(tmp_path: Path) -> None:
    text = "\n".join([HEADER, row(1, "Data, Analytics and You"), row(2, "Fine")]) + "\n"
    found = errors_of(write(tmp_path, text.encode()))
    assert [(n, cell, code) for n, cell, code, _ in found] == [(2, "G2", "extra_cells")]
    message = found[0][3]
    for word in (
        "one cell more than the header",
        'title "Data, Analytics and You" (B2 and C2) is probably one value split at its comma',
        "double quotes",
        "their errors are not listed",
    ):
        assert word in message
    # What v1 said instead, sending the user to cells that are right:
    assert "time zone" not in message
    assert "add a header" not in message


def test_errors_before_the_split_stay(tmp_path: Path) -> None:
    text = HEADER + "\n" + row(1, "A, B").replace(GROUP, "not-a-uuid") + "\n"
    found = errors_of(write(tmp_path, text.encode()))
    assert [(cell, code) for _, cell, code, _ in found] == [
        ("A2", "invalid_uuid"),
        ("G2", "extra_cells"),
    ]


def test_two_values_split_are_both_named(tmp_path: Path) -> None:
    header = HEADER + ",sku"
    text = header + "\n" + row(1, "A, B", ",S, 3") + "\n"
    found = errors_of(write(tmp_path, text.encode()))
    assert [(cell, code) for _, cell, code, _ in found] == [("H2", "extra_cells")]
    assert 'title "A, B" (B2 and C2) and sku "S, 3" (H2 and I2) are probably' in found[0][3]
    assert "2 cells more than the header" in found[0][3]


def test_a_value_beyond_the_header_keeps_every_error_and_the_old_remedies(
    tmp_path: Path,
) -> None:
    """No join makes the row fit: nothing is guessed, the cells' own errors are listed."""
    text = HEADER + "\n" + row(1, "Title", ",oops").replace("zoom", "zooom") + "\n"
    found = errors_of(write(tmp_path, text.encode()))
    assert [(cell, code) for _, cell, code, _ in found] == [
        ("F2", "invalid_choice"),
        ("G2", "extra_cells"),
    ]
    message = found[1][3]
    assert "probably" not in message
    assert "one cell more than the header (G2 is beyond the last headed column, F)" in message
    assert "add a header for column G or delete the value" in message


def test_a_trailing_text_column_does_not_make_a_guess_of_a_real_extra_value(
    tmp_path: Path,
) -> None:
    """Joining sku with the extra value fits, but so does the row as read: no guess."""
    text = HEADER + ",sku\n" + row(1, "Title", ",S1,oops") + "\n"
    found = errors_of(write(tmp_path, text.encode()))
    assert [(cell, code) for _, cell, code, _ in found] == [("H2", "extra_cells")]
    assert "probably" not in found[0][3]


def test_a_shifted_row_with_a_real_error_after_the_split_is_still_explained(
    tmp_path: Path,
) -> None:
    """The split leaves one cell that does not fit (zooom): far fewer than as read, so the
    guess stands; the row is invalid either way, and zooom shows once the value is quoted."""
    text = HEADER + "\n" + row(1, "A, B").replace("zoom", "zooom") + "\n"
    found = errors_of(write(tmp_path, text.encode()))
    assert [(cell, code) for _, cell, code, _ in found] == [("G2", "extra_cells")]
    assert 'title "A, B" (B2 and C2) is probably' in found[0][3]


# --------------------------------------------------------------------------- 3. text output


def test_line_breaks_in_cells_never_split_a_text_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        HEADER
        + "\n"
        + row(1, '"Line\none", more')
        + "\n"
        + row(2, "T").replace("Europe/Paris", '"Europe\r\nParis"')
        + "\n"
        + row(3, "T").replace("zoom", '"zo\u2028om"')
        + "\n"
    )
    path = write(tmp_path, text.encode())
    assert main([str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4  # three errors and the summary
    assert all(line.startswith(str(path)) for line in out)
    assert '"Line\\none, more" (B2 and C2)' in out[0]
