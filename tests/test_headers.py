"""Headers (issue 13, CONTRACT v2 "Headers"): a header the user can see is found, invisible
characters are named in words, and missing columns are one message saying where the header
probably is."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from webinar_validate import HeaderError, SessionContract, validate_file
from webinar_validate.cli.main import main
from webinar_validate.contract.columns import normalize_header
from webinar_validate.engine.header import INVISIBLE, MOJIBAKE_BOM, match_header

HEAD = ["courseGroupId", "title", "startDate", "endDate", "timeZone", "webinarProvider"]
ROW = [
    "6f5f6278-28d3-463a-9da6-ea2610aa3dff",
    "Intro",
    "2030-03-11T15:30:00.000Z",
    "2030-03-11T16:30:00.000Z",
    "America/New_York",
    "zoom",
]
FIVE = "courseGroupId, startDate, endDate, timeZone and webinarProvider"


def _warning(header: list[str]) -> str:
    found = match_header(header, SessionContract.DEFAULT, strict=False)
    assert found.keys == HEAD
    (message,) = [w.message for w in found.warnings if w.code == "header_normalized"]
    return message


def _xlsx(
    path: Path, sheets: list[tuple[str, list[list[Any]]]], hidden: tuple[str, ...] = ()
) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        if title in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def _errors(path: Path, **kwargs: Any) -> list[tuple[str, str]]:
    report = validate_file(path, **kwargs)
    assert report.exit_status == 2
    return [(e.extensions.code, e.message) for e in report.errors]


# --------------------------------------------------------------------------- invisible characters


def test_matching_ignores_every_invisible_character_the_warning_names() -> None:
    """normalize_header and the warning's list of names agree: each named character is ignored."""
    for ch in [*INVISIBLE, MOJIBAKE_BOM]:
        assert normalize_header(f"{ch}course{ch}Group{ch}Id{ch}") == "coursegroupid"
    assert normalize_header("\ufeff\ufeffcourseGroupId") == "coursegroupid"


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("\ufeffcourseGroupId", "begins with a byte-order mark"),
        ("\ufeff\ufeffcourseGroupId", "begins with a byte-order mark"),
        ("course\u200bGroupId", "contains a zero-width space"),
        ("courseGroupId\u200d", "ends with a zero-width joiner"),
        ("courseGroupId\u00a0", "ends with a non-breaking space"),
        (
            "ï»¿courseGroupId",
            "begins with a UTF-8 byte-order mark read as Windows-1252 (ï»¿)",
        ),
        ("\ufeffcourse\u200bGroupId", "contains a byte-order mark and a zero-width space"),
    ],
)
def test_an_invisible_character_is_named_in_words(cell: str, words: str) -> None:
    message = _warning([cell, *HEAD[1:]])
    assert words in message
    assert "column A" in message
    assert "courseGroupId" in message
    # no Python repr, and no invisible character printed where the user cannot see it
    assert "\\u" not in message
    assert "\\x" not in message
    assert not set(message) & set(INVISIBLE)


def test_a_header_of_invisible_characters_only_has_no_header() -> None:
    found = match_header([*HEAD, "\ufeff\u200b"], SessionContract.DEFAULT, strict=False)
    messages = [w.message for w in found.warnings]
    assert messages == ["Column G has no header; its cells are kept as they are."]


def test_a_bom_and_the_plain_name_are_one_column_twice() -> None:
    with pytest.raises(HeaderError) as caught:
        match_header([*HEAD, "\ufeffcourseGroupId"], SessionContract.DEFAULT, strict=False)
    assert [p.code for p in caught.value.problems] == ["duplicate_column"]


def test_a_bom_in_a_csv_header_is_valid_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "double-bom.csv"
    path.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbf" + (",".join(HEAD) + "\n" + ",".join(ROW)).encode())
    report = validate_file(path)
    assert report.exit_status == 0
    assert [w.code for w in report.preflight.warnings] == ["header_normalized"]


# --------------------------------------------------------------------------- missing columns


def test_missing_columns_are_one_problem_in_plural_or_singular() -> None:
    with pytest.raises(HeaderError) as caught:
        match_header(["title", "timeZone"], SessionContract.DEFAULT, strict=False)
    assert [(p.code, p.message) for p in caught.value.problems] == [
        (
            "missing_column",
            "The required columns courseGroupId, startDate, endDate and webinarProvider are "
            "missing; add columns headed courseGroupId, startDate, endDate and webinarProvider.",
        )
    ]
    with pytest.raises(HeaderError) as caught:
        match_header([h for h in HEAD if h != "timeZone"], SessionContract.DEFAULT, strict=False)
    assert [p.message for p in caught.value.problems] == [
        "The required column timeZone is missing; add a column headed timeZone."
    ]


def test_the_text_output_says_it_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "title.csv"
    path.write_text("Spring sessions\n" + ",".join(HEAD) + "\n" + ",".join(ROW) + "\n")
    assert main([str(path)]) == 2
    captured = capsys.readouterr()
    printed = (captured.out + captured.err).splitlines()
    lines = [line for line in printed if "missing" in line]
    assert len(lines) == 1
    assert f"The required columns {FIVE} are missing" in lines[0]
    assert "the header seems to be on row 2: delete the rows above it" in lines[0]


def test_a_title_row_and_a_blank_row_above_the_header(tmp_path: Path) -> None:
    path = tmp_path / "title.csv"
    path.write_text("Spring sessions,,,\n\n" + ",".join(HEAD) + "\n" + ",".join(ROW) + "\n")
    ((code, message),) = _errors(path)
    assert code == "missing_column"
    assert "the header seems to be on row 3: delete the rows above it" in message


def test_a_header_below_row_20_is_not_suggested(tmp_path: Path) -> None:
    notes = "\n".join(f"note {n}" for n in range(1, 21))
    path = tmp_path / "late.csv"
    path.write_text(notes + "\n" + ",".join(HEAD) + "\n" + ",".join(ROW) + "\n")
    ((_, message),) = _errors(path)
    assert "row 21" not in message
    assert message.endswith(f"add columns headed {FIVE}.")


def test_with_strict_the_misplaced_header_is_said_first(tmp_path: Path) -> None:
    path = tmp_path / "title.csv"
    path.write_text("Spring sessions\n" + ",".join(HEAD) + "\n" + ",".join(ROW) + "\n")
    report = validate_file(path, strict=True)
    codes = [e.extensions.code for e in report.errors]
    assert codes == ["missing_column", "unknown_column"]
    assert "row 2" in (report.result.backgroundJob.errorMessage or "")


def test_a_title_row_in_a_workbook(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "title.xlsx", [("Sessions", [["Spring sessions"], [], HEAD, ROW])])
    ((code, message),) = _errors(path)
    assert code == "missing_column"
    assert "the header seems to be on row 3: delete the rows above it" in message


def test_another_visible_sheet_is_suggested(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "book.xlsx",
        [("Instructions", [["Fill in the sessions sheet"]]), ("Spring 2030", [HEAD, ROW])],
    )
    ((code, message),) = _errors(path)
    assert code == "missing_column"
    assert message == (
        f"The required columns {FIVE} are missing; sheet 'Spring 2030' has the contract's "
        "columns: use --sheet 'Spring 2030'."
    )
    assert validate_file(path, sheet="Spring 2030").exit_status == 0


def test_another_sheet_whose_header_is_lower_down(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "book.xlsx",
        [("Instructions", [["Fill in the sessions sheet"]]), ("Sessions", [["Title"], HEAD, ROW])],
    )
    ((_, message),) = _errors(path)
    assert "sheet Sessions has the contract's columns on row 2: use --sheet Sessions" in message
    assert "delete the rows above" in message


def test_a_hidden_sheet_is_not_suggested(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "book.xlsx",
        [("Instructions", [["Fill in the sessions sheet"]]), ("Sessions", [HEAD, ROW])],
        hidden=("Sessions",),
    )
    ((_, message),) = _errors(path)
    assert "--sheet" not in message
    assert message.endswith(f"add columns headed {FIVE}.")


def test_the_sheet_read_is_not_suggested_again(tmp_path: Path) -> None:
    """With --sheet naming a sheet without the columns, another visible sheet is suggested."""
    path = _xlsx(
        tmp_path / "book.xlsx",
        [("Sessions", [HEAD, ROW]), ("Notes", [["see Sessions"]])],
    )
    ((_, message),) = _errors(path, sheet="Notes")
    assert "use --sheet Sessions" in message


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _hand_made(path: Path, sheets: list[tuple[str, str]], shared: list[str]) -> Path:
    """A minimal workbook as Excel writes one: shared strings, and sheets of ``<row>`` XML."""
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(sheets) + 1)
    )
    rels += f'<Relationship Id="rIdS" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    listed = "".join(
        f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>'
        for n, (name, _) in enumerate(sheets, start=1)
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{listed}</sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{_PKG}">{rels}</Relationships>'
        )
        zf.writestr("xl/sharedStrings.xml", f'<sst xmlns="{_MAIN}">{"".join(shared)}</sst>')
        for n, (_, rows) in enumerate(sheets, start=1):
            zf.writestr(
                f"xl/worksheets/sheet{n}.xml",
                f'<worksheet xmlns="{_MAIN}"><sheetData>{rows}</sheetData></worksheet>',
            )
    return path


def test_shared_strings_rich_text_and_inline_strings_are_read_for_the_hint(
    tmp_path: Path,
) -> None:
    """Excel writes text as shared strings (rich text in runs, phonetic guides aside); other
    programs write inline strings: the other sheet's header is read from either."""
    shared = [
        "<si><t>Read me first</t></si>",
        "<si><t>courseGroupId</t></si>",
        "<si><r><t>start</t></r><r><rPr><b/></rPr><t>Date</t></r><rPh><t>x</t></rPh></si>",
        "<si><t>endDate</t></si>",
    ]
    inline = "".join(
        f'<c r="{letter}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for letter, name in (("D", "timeZone"), ("E", "webinarProvider"))
    )
    sessions = (
        f'<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="s"><v>2</v></c>'
        f'<c r="C1" t="s"><v>3</v></c>{inline}</row>'
    )
    path = _hand_made(
        tmp_path / "book.xlsx",
        [("Notes", '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), ("Sessions", sessions)],
        shared,
    )
    ((_, message),) = _errors(path)
    assert "sheet Sessions has the contract's columns: use --sheet Sessions" in message


def test_a_good_workbook_never_reads_the_other_sheets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hint costs a good file nothing: its sheets are read only when the header fails."""
    from webinar_validate.reading import sheets

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("first_rows called for a good header")

    monkeypatch.setattr(sheets, "first_rows", refuse)
    path = _xlsx(tmp_path / "good.xlsx", [("Sessions", [HEAD, ROW]), ("Other", [HEAD])])
    assert validate_file(path).exit_status == 0


def test_the_hint_reads_the_judged_bytes_not_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other sheets come from the bytes that were judged: a file replaced after the
    reading does not change the answer."""
    from webinar_validate.reading import dispatch

    path = _xlsx(
        tmp_path / "book.xlsx",
        [("Instructions", [["Fill in the sessions sheet"]]), ("Sessions", [HEAD, ROW])],
    )
    other = _xlsx(tmp_path / "other.xlsx", [("Instructions", [["x"]]), ("Notes", [["y"]])])
    read = dispatch.read_table

    def read_then_replace(*args: Any, **kwargs: Any) -> Any:
        table = read(*args, **kwargs)
        path.write_bytes(other.read_bytes())
        return table

    monkeypatch.setattr(dispatch, "read_table", read_then_replace)
    ((_, message),) = _errors(path)
    assert "use --sheet Sessions" in message


def test_an_unreadable_workbook_gives_no_hint_and_no_crash() -> None:
    from webinar_validate.reading.sheets import first_rows

    assert first_rows("x.xlsx", b"PK\x03\x04 not a zip") == []
    buffer = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active.append(HEAD)
    wb.save(buffer)
    (top,) = first_rows("x.xlsx", buffer.getvalue())
    assert top.rows == [(1, HEAD)]
