"""Outputs that lose nothing (issue 11): built from the one reading the report judged, formulas
with their saved values, no traceback when openpyxl cannot load a workbook, no formula laundered
or left live in a file people open, the input's CSV dialect written back, no temporary file left
by SIGTERM, and no input named on the command line taken as an output path."""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import signal
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from webinar_validate import validate_file
from webinar_validate.cli.execute import check_paths
from webinar_validate.cli.main import build_parser, main
from webinar_validate.cli.outputs import annotate, fix, write_invalid, write_valid
from webinar_validate.cli.outputs._common import write_csv
from webinar_validate.cli.outputs.fix import fixed_text
from webinar_validate.contract.columns import SessionContract
from webinar_validate.report.model import (
    BackgroundJob,
    BulkImport,
    Data,
    DryRunReport,
    Extensions,
    InvalidRow,
    Preflight,
    ValidRow,
)

GROUP = "3f0c9a4e-1b2c-4d5e-8f90-123456789abc"
GOOD = {
    "courseGroupId": GROUP,
    "title": "Intro",
    "startDate": "2026-06-01T15:00:00Z",
    "endDate": "2026-06-01T16:00:00Z",
    "timeZone": "America/New_York",
    "webinarProvider": "zoom",
}
HEADER = list(GOOD)


def _csv_text(rows: list[dict[str, str]], header: list[str] = HEADER, **dialect: Any) -> str:
    """The CSV text of ``rows`` (each over GOOD) as Python's csv module writes it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", **dialect)
    writer.writerow(header)
    for row in rows:
        writer.writerow([{**GOOD, **row}.get(name, "") for name in header])
    return buffer.getvalue()


def _write_csv(path: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    path.write_bytes(_csv_text(rows, header).encode())
    return path


def _rows_of(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


# --- a workbook written by hand, so that formula cells carry their saved values ---------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_escape(text)}</t></is></c>'


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _letter(column: int) -> str:
    return openpyxl.utils.get_column_letter(column + 1)


def _xlsx(
    rows: list[list[str | None]],
    *,
    formulas: dict[str, str] | None = None,
    edit: Callable[[dict[str, str]], None] | None = None,
) -> bytes:
    """A workbook with sheet ``Sessions`` holding ``rows`` as text; ``formulas`` replace cells
    by reference with raw ``<c>`` XML; ``edit`` may change any part before zipping."""
    formulas = formulas or {}
    xml_rows = []
    for number, row in enumerate(rows, start=1):
        cells = []
        for column, text in enumerate(row):
            ref = f"{_letter(column)}{number}"
            if ref in formulas:
                cells.append(formulas[ref])
            elif text is not None:
                cells.append(_inline(ref, text))
        xml_rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            '<sheet name="Sessions" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": (
            f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            '</cellStyleXfs><cellXfs count="2">'
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            "</cellStyles></styleSheet>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetViews>'
            '<sheetView workbookViewId="0"/></sheetViews>'
            f"<sheetData>{''.join(xml_rows)}</sheetData></worksheet>"
        ),
    }
    if edit is not None:
        edit(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return out.getvalue()


def _table(rows: list[dict[str, str]], header: list[str] = HEADER) -> list[list[str | None]]:
    return [list(header), *([{**GOOD, **row}.get(name) for name in header] for row in rows)]


# --- one reading: a file changed after it was judged changes no output -------------------------


def test_csv_outputs_hold_exactly_the_judged_rows_when_the_file_grows(tmp_path: Path) -> None:
    source = _write_csv(tmp_path / "in.csv", [{"title": f"Intro {n}"} for n in range(3)])
    report = validate_file(source)
    assert (report.preflight.valid, report.preflight.rowsRead) == (3, 3)
    with source.open("a", encoding="utf-8", newline="") as stream:  # appended during the run
        stream.write(_csv_text([{"title": f"Late {n}", "timeZone": "EST"} for n in range(5)]))
    fixed = tmp_path / "fixed.csv"
    fix(report, source, fixed)
    assert _rows_of(fixed) == _rows_of(tmp_path / "in.csv")[:4]
    assert validate_file(fixed).preflight.rowsRead == 3
    annotated = tmp_path / "annotated.xlsx"
    annotate(report, source, annotated)
    sheet = openpyxl.load_workbook(annotated)["in"]
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ["Intro 0", "Intro 1", "Intro 2"]


def test_workbook_outputs_hold_exactly_the_judged_rows_when_the_file_is_replaced(
    tmp_path: Path,
) -> None:
    source = tmp_path / "in.xlsx"
    source.write_bytes(_xlsx(_table([{"title": f"Intro {n}"} for n in range(3)])))
    report = validate_file(source)
    assert report.preflight.valid == 3
    bigger = [{"title": f"Intro {n}", "timeZone": "EST"} for n in range(8)]
    source.write_bytes(_xlsx(_table(bigger)))  # saved again while the run was going
    for name in ("fixed.xlsx", "fixed.csv"):
        out = tmp_path / name
        fix(report, source, out)
        again = validate_file(out)
        assert (again.preflight.valid, again.preflight.rowsRead) == (3, 3), name
    annotate(report, source, tmp_path / "annotated.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "annotated.xlsx")["Sessions"]
    assert sheet.max_row == 4
    assert [c.value for c in sheet["E"][1:]] == ["America/New_York"] * 3


# --- formulas keep their saved values ----------------------------------------------------------

FORMULA_HEADER = [*HEADER, "seatsLimit", "waitlistingEnabled", "notes", "when", "stamp"]
FORMULA_CELLS = {
    # text, a number, a boolean, an empty text result and a date, as Excel saves them, and a
    # date saved as ISO 8601 text (t="d"), as other programs may
    "B{n}": '<c r="B{n}" t="str"><f>"Intro "&amp;"{n}"</f><v>Intro {n}</v></c>',
    "E{n}": '<c r="E{n}" t="str"><f>"America/"&amp;"New_York"</f><v>America/New_York</v></c>',
    "G{n}": '<c r="G{n}"><f>5*10</f><v>50</v></c>',
    "H{n}": '<c r="H{n}" t="b"><f>TRUE()</f><v>1</v></c>',
    "I{n}": '<c r="I{n}" t="str"><f>IF(1,"","x")</f><v></v></c>',
    "J{n}": '<c r="J{n}" s="1"><f>DATE(2026,1,1)</f><v>46023</v></c>',
    "K{n}": '<c r="K{n}" t="d"><f>NOW()</f><v>2026-01-0{n}T10:30:00</v></c>',
}


def _formula_book(invalid: bool) -> bytes:
    formulas = {
        ref.format(n=n): cell.format(n=n) for n in (2, 3) for ref, cell in FORMULA_CELLS.items()
    }
    header = list(FORMULA_HEADER)
    if invalid:  # a formula whose saved value is invalid, and an error value
        formulas["E3"] = '<c r="E3" t="str"><f>"E"&amp;"ST"</f><v>EST</v></c>'
        header.append("check")
        formulas["L3"] = '<c r="L3" t="e"><f>NA()</f><v>#N/A</v></c>'
    return _xlsx(_table([{}, {}], header), formulas=formulas)


@pytest.mark.parametrize("invalid", [False, True], ids=["valid", "invalid"])
@pytest.mark.parametrize("output", ["annotate", "fix"])
def test_formulas_keep_their_saved_values(invalid: bool, output: str, tmp_path: Path) -> None:
    source = tmp_path / "formulas.xlsx"
    source.write_bytes(_formula_book(invalid))
    report = validate_file(source)
    expected = (
        [(3, "timeZone", "invalid_time_zone"), (3, "check", "formula_error")] if invalid else []
    )
    assert report.flatten() == expected
    assert report.preflight.valid == (1 if invalid else 2)
    out = tmp_path / f"{output}.xlsx"
    if output == "annotate":
        annotate(report, source, out)
    else:
        assert fix(report, source, out) == []
    again = validate_file(out, sheet="Sessions")
    assert again.flatten() == expected  # no formula_without_value
    assert (again.preflight.valid, again.preflight.invalid) == (
        report.preflight.valid,
        report.preflight.invalid,
    )
    assert again.exit_status == report.exit_status
    formulas = openpyxl.load_workbook(out)["Sessions"]
    values = openpyxl.load_workbook(out, data_only=True)["Sessions"]
    original = openpyxl.load_workbook(source, data_only=True)["Sessions"]
    for n in (2, 3):
        assert formulas[f"B{n}"].data_type == "f"
        assert formulas[f"B{n}"].value == f'="Intro "&"{n}"'
        assert formulas[f"G{n}"].value == "=5*10"
        for column in "BEGHIJKL" if invalid else "BEGHIJK":
            ref = f"{column}{n}"
            assert values[ref].value == original[ref].value, ref
            assert values[ref].data_type == original[ref].data_type, ref
    if invalid:
        assert formulas["L3"].value == "=NA()"
        assert values["L3"].value == "#N/A"


# --- openpyxl cannot load it: the report, then one line and exit 2 -----------------------------


def _drop_workbook_type(parts: dict[str, str]) -> None:
    parts["[Content_Types].xml"] = re.sub(
        r'<Override PartName="/xl/workbook.xml"[^>]*/>', "", parts["[Content_Types].xml"]
    )


def _bad_style_index(parts: dict[str, str]) -> None:
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace('<c r="B2"', '<c r="B2" s="999"', 1)


def _unknown_attribute(parts: dict[str, str]) -> None:
    workbook = parts["xl/workbook.xml"]
    parts["xl/workbook.xml"] = workbook.replace('name="Sessions"', 'name="Sessions" tag="x"')


def _broken_comments(parts: dict[str, str]) -> None:
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        "</Types>",
        f'<Override PartName="/xl/comments1.xml" ContentType="{_CT}.comments+xml"/></Types>',
    )
    parts["xl/worksheets/_rels/sheet1.xml.rels"] = (
        f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/comments" '
        'Target="../comments1.xml"/></Relationships>'
    )
    parts["xl/comments1.xml"] = (
        f'<comments xmlns="{_MAIN}"><authors><author>x</author></authors><commentList>'
        '<comment ref="B2" authorId="0"><text><t>never closed</comments>'
    )


UNLOADABLE = {
    "content-type": _drop_workbook_type,
    "style-index": _bad_style_index,
    "unknown-attribute": _unknown_attribute,
    "comments": _broken_comments,
}


@pytest.mark.parametrize("flag", ["--annotate", "--fix"])
@pytest.mark.parametrize("what", sorted(UNLOADABLE))
def test_a_workbook_openpyxl_cannot_load_is_reported_then_one_line(
    what: str, flag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "odd.xlsx"
    source.write_bytes(_xlsx(_table([{}, {"title": "Outro"}]), edit=UNLOADABLE[what]))
    out = tmp_path / "out" / "copy.xlsx"
    out.parent.mkdir()
    assert main([str(source), flag, str(out)]) == 2
    captured = capsys.readouterr()
    assert f"{source}: 2 valid, 0 invalid, 0 blank (2 rows read)" in captured.out
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"webinar-validate: {flag}: openpyxl cannot open {source} (")
    assert "save it again" in lines[0]
    assert "Traceback" not in captured.err
    assert os.listdir(out.parent) == []
    # a CSV copy needs no openpyxl: it is written from the judged cells
    assert main([str(source), "--fix", str(tmp_path / "copy.csv")]) == 0
    assert validate_file(tmp_path / "copy.csv").preflight.valid == 2


# --- formulas are never laundered, and never left live in a file people open -------------------


@pytest.mark.parametrize(
    ("column", "raw"),
    [
        ("title", "\t=1+1"),
        ("title", "\r=1+1"),
        ("title", "\t\u00a0=1+1 "),
        ("title", "\r@SUM(A1)"),
        ("webinarProvider", "\t=1+1"),
        ("timeZone", "\t=1+1"),
        ("seatsLimit", "\t=1+1"),
        ("seatsLimit", " -5"),
    ],
)
def test_no_fix_leaves_a_cell_that_starts_like_a_formula(column: str, raw: str) -> None:
    spec = SessionContract.DEFAULT.column(column)
    assert spec is not None
    assert fixed_text(spec, raw, "America/New_York") == raw


def test_fix_keeps_the_tab_that_keeps_a_cell_from_running(tmp_path: Path) -> None:
    source = _write_csv(
        tmp_path / "in.csv",
        [
            {"title": "\t=1+1", "webinarProvider": " ZOOM"},
            {"title": " '=1+1 "},
        ],
    )
    report = validate_file(source)
    assert (2, "title", "formula_injection") in report.flatten()
    out = tmp_path / "fixed.csv"
    fixes = fix(report, source, out)
    assert [(f.cell, f.after) for f in fixes] == [("F2", "zoom"), ("B3", "'=1+1")]
    rows = _rows_of(out)
    assert rows[1][1] == "\t=1+1"
    assert rows[2][1] == "'=1+1"  # trimmed, the apostrophe kept
    assert (2, "title", "formula_injection") in validate_file(out).flatten()


def _running_rows() -> list[dict[str, str]]:
    return [
        {"title": "=1+1"},
        {"title": "@SUM(A1)"},
        {"title": "\t-2"},
    ]


def test_invalid_out_csv_writes_a_leading_apostrophe_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write_csv(tmp_path / "in.csv", _running_rows())
    out = tmp_path / "invalid.csv"
    assert main([str(source), "--invalid-out", str(out)]) == 1
    rows = _rows_of(out)
    assert [row[2] for row in rows[1:]] == ["'=1+1", "'@SUM(A1)", "'\t-2"]
    assert all(row[-1].startswith(f"B{row[0]} formula_injection") for row in rows[1:])
    notes = [line for line in capsys.readouterr().err.splitlines() if "note" in line]
    assert notes == [
        f"webinar-validate: note: 3 cells of {out} that a spreadsheet would run as a formula "
        "start with ' (so they are shown as text)"
    ]


def test_invalid_out_workbook_writes_them_as_text(tmp_path: Path) -> None:
    source = _write_csv(tmp_path / "in.csv", _running_rows())
    out = tmp_path / "invalid.xlsx"
    notes: list[str] = []
    assert write_invalid(validate_file(source), out, notes=notes) == 3
    assert notes == []
    sheet = openpyxl.load_workbook(out).worksheets[0]
    cells = [sheet.cell(n, 3) for n in (2, 3, 4)]
    assert [c.value for c in cells] == ["=1+1", "@SUM(A1)", "\t-2"]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    with zipfile.ZipFile(out) as zf:
        assert b"<f>" not in zf.read("xl/worksheets/sheet1.xml")


HYPERLINK = '=HYPERLINK("https://example.org","x")'


def test_every_csv_output_neutralises_its_header_row(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    assert write_csv(out, [[], [HYPERLINK, "title"], ["=1+1", "a"]], header=1) == 1
    assert _rows_of(out) == [[], ["'" + HYPERLINK, "title"], ["=1+1", "a"]]
    assert write_csv(out, [[HYPERLINK], ["=1+1"], [5]], neutralise=True) == 2
    assert _rows_of(out) == [["'" + HYPERLINK], ["'=1+1"], ["5"]]
    # the split files, from a report whose unknown column is named like a formula
    job = BackgroundJob(description="in.csv: 1 valid, 1 invalid, 0 blank")
    report = DryRunReport(
        data=Data(
            APIBulkWebinarImport=BulkImport(
                validRows=[ValidRow(rowNumber=2, values={"title": "Intro", HYPERLINK: "a"})],
                invalidRows=[
                    InvalidRow(rowNumber=3, values={"title": "Outro", HYPERLINK: "b"}, errors=[])
                ],
                backgroundJob=job,
            )
        ),
        extensions=Extensions(preflight=Preflight(source="in.csv", valid=1, invalid=1)),
    )
    notes: list[str] = []
    write_valid(report, tmp_path / "valid.csv", notes=notes)
    assert _rows_of(tmp_path / "valid.csv") == [["title", "'" + HYPERLINK], ["Intro", "a"]]
    write_invalid(report, tmp_path / "invalid.csv", notes=notes)
    assert _rows_of(tmp_path / "invalid.csv")[0] == [
        "rowNumber",
        "title",
        "'" + HYPERLINK,
        "errors",
    ]
    assert len(notes) == 2


# --- --fix writes the input's encoding, BOM, delimiter and line endings -------------------------

DIALECTS = [
    pytest.param("cp1252", b"", ",", "\r\n", id="cp1252"),
    pytest.param("utf-8", codecs.BOM_UTF8, ",", "\r\n", id="utf-8-bom"),
    pytest.param("utf-16-le", codecs.BOM_UTF16_LE, ",", "\r\n", id="utf-16-le"),
    pytest.param("utf-16-be", codecs.BOM_UTF16_BE, ",", "\r\n", id="utf-16-be"),
    pytest.param("utf-8", b"", ";", "\r\n", id="semicolon"),
    pytest.param("utf-8", b"", "\t", "\r\n", id="tab"),
    pytest.param("utf-8", b"", ",", "\n", id="lf"),
    pytest.param("utf-8", b"", ",", "\r", id="cr"),
    pytest.param("cp1252", b"", ";", "\n", id="cp1252-semicolon-lf"),
]


@pytest.mark.parametrize(("encoding", "bom", "delimiter", "ending"), DIALECTS)
def test_fix_writes_the_input_dialect_back(
    encoding: str, bom: bytes, delimiter: str, ending: str, tmp_path: Path
) -> None:
    header = [*HEADER, "notes"]

    def data(provider: str) -> bytes:
        rows = [
            {"title": "Café, première", "webinarProvider": provider, "notes": "a;b\tc"},
            {"title": "Déjà vu", "notes": "x"},
        ]
        text = _csv_text(rows, header, delimiter=delimiter)
        return bom + text.replace("\r\n", ending).encode(encoding)

    source = tmp_path / "in.csv"
    source.write_bytes(data(" ZOOM"))
    report = validate_file(source)
    assert report.ok, report.flatten()
    out = tmp_path / "fixed.csv"
    assert [(f.cell, f.after) for f in fix(report, source, out)] == [("F2", "zoom")]
    assert out.read_bytes() == data("zoom")
    assert validate_file(out).valid_rows[0].values["title"] == "Café, première"


# --- SIGTERM while an output is written leaves no temporary file -------------------------------

_CHILD = """
import signal, sys, time
from webinar_validate.cli.outputs._common import atomic_output

# The default action (SIGINT's in a process started in the background; and whatever the test
# run's own handlers were): the process ends at once, no clean-up runs unless it is caught.
signal.signal(getattr(signal, sys.argv[2]), signal.SIG_DFL)
before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
with atomic_output(sys.argv[1] + ".first") as temporary:
    open(temporary, "w").close()
assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before
with atomic_output(sys.argv[1]) as temporary:
    with open(temporary, "w") as stream:
        stream.write("half a file")
    print("writing", flush=True)
    time.sleep(60)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT"])
def test_a_signal_during_a_slow_write_leaves_no_temporary_file(name: str, tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(target), name],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "writing\n"
        assert any(p.name.startswith(".webinar-validate-") for p in tmp_path.iterdir())
        child.send_signal(getattr(signal, name))
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate()
    assert child.returncode == -getattr(signal, name)  # still ends by the signal
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx.first"]


# --- an output path may be no input named on the command line ----------------------------------


def test_no_output_may_be_any_input_named_excluded_or_not(tmp_path: Path) -> None:
    kept = _write_csv(tmp_path / "kept.csv", [{}])
    skipped = _write_csv(tmp_path / "skipped.csv", [{}])
    parser = build_parser()
    named = [str(kept), str(skipped), "--exclude", "skipped.csv"]
    for flag in ("--fix", "--valid-out", "--invalid-out", "--output"):
        args = parser.parse_args([*named, flag, str(skipped)])
        problem = check_paths(args, [str(kept), str(skipped)], judged=[str(kept)])
        assert problem is not None, flag
        assert f"{flag} {skipped} is the input file" in problem
        # even when the caller passes only the files it will judge
        assert check_paths(args, [str(kept)]) == problem
    args = parser.parse_args([*named, "--fix", str(tmp_path / "fixed.csv")])
    assert check_paths(args, [str(kept), str(skipped)], judged=[str(kept)]) is None
    assert main([*named, "--fix", str(skipped)]) == 2
    assert skipped.read_bytes() == _csv_text([{}]).encode()
