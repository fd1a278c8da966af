"""Write the acceptance cases in ``tests/cases/``: ``python tests/make_cases.py``.

Each case is a folder holding one input file (``input.csv``, ``input.xlsx``, or another name for
the format cases) and ``expected.json``: what CONTRACT.md says the CLI must report for it. The
expectations are written here by hand, from the contract alone; the counts are derived from the
rows written and the expected errors. Deterministic: rerunning gives the same bytes, so the
generated files are committed. Only the folders named here are (re)written; other folders under
``tests/cases/`` (``hostile/``, ...) are left alone.

Conventions a reader of expected.json needs:

- ``rows`` lists ``[rowNumber, column, code]``, sorted. ``column`` is the contract's spelling for
  a known column, the header as written for an unknown one, and ``"*"`` for ``extra_cells``:
  the contract names no column for a cell beyond the header (the harness does not compare it).
- A file that cannot be judged (exit 2) expects no rows, zero counts and no warnings.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
from make_samples import (
    COLUMNS,
    ERROR_SAMPLE_EXPECTED_CSV,
    ERROR_SAMPLE_EXPECTED_XLSX,
    VALID_SESSIONS,
    Formula,
    as_csv_row,
    as_xlsx_row,
    csv_text,
    error_rows_csv,
    error_rows_xlsx,
    fill_sheet,
    fixed_uuid,
    save_workbook,
    write_xlsx,
    xlsx_bytes,
)
from openpyxl.chart import BarChart, Reference

CASES_DIR = Path(__file__).resolve().parent / "cases"

CG = fixed_uuid("case:course-group")
CG2 = fixed_uuid("case:course-group-2")
S1 = fixed_uuid("case:session-1")
S2 = fixed_uuid("case:session-2")

# The columns of a minimal case: the required ones plus title (duplicate_session needs it).
BASE = ["courseGroupId", "title", "startDate", "endDate", "timeZone", "webinarProvider"]
REQUIRED = ["courseGroupId", "startDate", "endDate", "timeZone", "webinarProvider"]
_T0 = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)

Row = dict[str, object] | list[object] | None
Err = tuple[int, str, str]


def iso(moment: datetime) -> str:
    """``2026-03-11T15:30:00.000Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def s(n: int, **values: object) -> dict[str, object]:
    """A valid minimal session n days after 2026-03-10 (15:30-16:30 UTC), ``values`` on top.

    Titles and start dates differ between rows, so no two rows are a duplicate_session.
    """
    start = _T0 + timedelta(days=n)
    row: dict[str, object] = {
        "courseGroupId": CG,
        "title": f"Webinar session {n}",
        "startDate": iso(start),
        "endDate": iso(start + timedelta(hours=1)),
        "timeZone": "America/New_York",
        "webinarProvider": "zoom",
    }
    row.update(values)
    return row


def full(n: int, **values: object) -> dict[str, object]:
    """A valid session over every contract column, ``values`` on top."""
    start = _T0 + timedelta(days=n)
    row = s(
        n,
        sessionId=fixed_uuid(f"case:full-session-{n}"),
        slug=f"webinar-session-{n}",
        sku=f"WS-{n:03d}",
        joinUrl="",
        instructorEmails="alex.kim@example.org",
        seatsLimit="50",
        waitlistingEnabled="yes",
        enrollmentStartDate=iso(start - timedelta(days=30)),
        enrollmentEndDate=iso(start),
        priceInCents="0",
        status="published",
        language="en-US",
    )
    row.update(values)
    return row


def text_of(length: int) -> str:
    """Readable title text of exactly ``length`` characters, no white space at either end."""
    words = "Dashboards that people read with worked examples and a live build " * 8
    text = words[:length]
    text = text[:-1] + "x" if text.endswith(" ") else text
    assert len(text) == length
    assert text == text.strip()
    return text


def slug_of(length: int) -> str:
    """A slug matching the contract's pattern, exactly ``length`` characters."""
    slug = ("webinar-" * 40)[:length]
    slug = slug[:-1] + "x" if slug.endswith("-") else slug
    assert len(slug) == length
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    return slug


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class Expected:
    """The expected.json of one case."""

    exit: int
    args: Sequence[str] = ()
    file_errors: Sequence[str] = ()
    rows: Sequence[Err] = ()
    warnings: Sequence[str] = ()
    valid: int = 0
    invalid: int = 0
    blank: int = 0

    def to_json(self) -> str:
        """expected.json text: one key a line, one error a line."""
        rows = [list(err) for err in sorted(self.rows)]
        fields: list[tuple[str, object]] = [
            ("args", list(self.args)),
            ("exit", self.exit),
            ("file_errors", sorted(self.file_errors)),
            ("rows", rows),
            ("warnings", sorted(set(self.warnings))),
            ("valid", self.valid),
            ("invalid", self.invalid),
            ("blank", self.blank),
        ]
        lines = []
        for key, value in fields:
            if key == "rows" and rows:
                inner = ",\n".join("    " + json.dumps(r, ensure_ascii=False) for r in rows)
                rendered = "[\n" + inner + "\n  ]"
            else:
                rendered = json.dumps(value, ensure_ascii=False)
            lines.append(f"  {json.dumps(key)}: {rendered}")
        return "{\n" + ",\n".join(lines) + "\n}\n"


_WRITTEN: set[str] = set()


def _write(name: str, filename: str, data: bytes | Callable[[Path], None], exp: Expected) -> None:
    if name in _WRITTEN:
        raise ValueError(f"case {name} written twice")
    _WRITTEN.add(name)
    folder = CASES_DIR / name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("input.*"):
        old.unlink()
    if isinstance(data, bytes):
        (folder / filename).write_bytes(data)
    else:
        data(folder / filename)
    (folder / "expected.json").write_text(exp.to_json())


def _is_blank(row: Row) -> bool:
    if row is None:
        return True
    values = row.values() if isinstance(row, dict) else row
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _expected(
    rows: Sequence[Row], errors: Sequence[Err], warnings: Sequence[str], args: Sequence[str]
) -> Expected:
    """Counts derived from the rows (data row i is sheet/record row i + 2) and the errors."""
    blank_numbers = {i + 2 for i, row in enumerate(rows) if _is_blank(row)}
    invalid_numbers = {err[0] for err in errors}
    for number in invalid_numbers:
        if number in blank_numbers or not 2 <= number < len(rows) + 2:
            raise ValueError(f"expected error on row {number}, which is blank or absent")
    warnings = list(warnings)
    if blank_numbers and "blank_row" not in warnings:
        raise ValueError("a blank row needs the blank_row warning")
    return Expected(
        exit=1 if errors else 0,
        args=args,
        rows=errors,
        warnings=warnings,
        valid=len(rows) - len(blank_numbers) - len(invalid_numbers),
        invalid=len(invalid_numbers),
        blank=len(blank_numbers),
    )


def _cells(header_keys: Sequence[str], row: Row) -> list[object] | None:
    if row is None:
        return None
    if isinstance(row, list):
        return row
    unknown = set(row) - set(header_keys)
    if unknown:
        raise ValueError(f"row has values for columns not in the header: {sorted(unknown)}")
    return [row.get(key, "") for key in header_keys]


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16":  # little-endian with BOM, as Excel's "Unicode text" is
        return b"\xff\xfe" + text.encode("utf-16-le")
    return text.encode(encoding)


def csv_case(
    name: str,
    header: Sequence[str],
    rows: Sequence[Row],
    errors: Sequence[Err] = (),
    warnings: Sequence[str] = (),
    args: Sequence[str] = (),
    *,
    keys: Sequence[str] | None = None,
    delimiter: str = ",",
    newline: str = "\n",
    encoding: str = "utf-8",
) -> None:
    """A CSV case. ``keys`` name the dict keys of each header column (default: the header)."""
    keys = list(keys or header)
    records = [list(header), *(_cells(keys, row) for row in rows)]
    as_text = [None if rec is None else [str(v) for v in rec] for rec in records]
    data = _encode(csv_text(as_text, delimiter, newline), encoding)
    _write(name, "input.csv", data, _expected(rows, errors, warnings, args))


def csv_file_case(
    name: str,
    header: Sequence[str],
    rows: Sequence[Row],
    codes: Sequence[str],
    args: Sequence[str] = (),
    keys: Sequence[str] | None = None,
) -> None:
    """A CSV that cannot be judged: exit 2 with ``codes``. Dict values of absent columns drop."""
    keys = list(keys or header)
    kept = [{k: v for k, v in r.items() if k in keys} if isinstance(r, dict) else r for r in rows]
    records = [list(header), *(_cells(keys, row) for row in kept)]
    as_text = [None if rec is None else [str(v) for v in rec] for rec in records]
    data = csv_text(as_text).encode()
    _write(name, "input.csv", data, Expected(exit=2, args=args, file_errors=codes))


def xlsx_case(
    name: str,
    header: Sequence[str],
    rows: Sequence[Row],
    errors: Sequence[Err] = (),
    warnings: Sequence[str] = (),
    args: Sequence[str] = (),
    sheet: str = "Sessions",
) -> None:
    """A one-sheet XLSX case: header in row 1, data rows from row 2 (None = an empty row)."""
    cells = [_cells(header, row) for row in rows]
    _write(
        name,
        "input.xlsx",
        lambda path: write_xlsx(path, header, cells, sheet),
        _expected(rows, errors, warnings, args),
    )


def workbook_case(
    name: str,
    build: Callable[[openpyxl.Workbook], None],
    rows: Sequence[Row],
    errors: Sequence[Err] = (),
    warnings: Sequence[str] = (),
    args: Sequence[str] = (),
) -> None:
    """An XLSX case with several sheets; ``rows`` are the data rows of the sheet to be read."""
    wb = openpyxl.Workbook()
    build(wb)
    _write(
        name,
        "input.xlsx",
        lambda path: save_workbook(wb, path),
        _expected(rows, errors, warnings, args),
    )


def file_case(name: str, filename: str, data: bytes, codes: Sequence[str]) -> None:
    """A byte-exact input that cannot be judged."""
    _write(name, filename, data, Expected(exit=2, file_errors=codes))


def ods_bytes() -> bytes:
    """A small but genuine OpenDocument spreadsheet (a zip container that is not a workbook)."""
    mimetype = b"application/vnd.oasis.opendocument.spreadsheet"
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">\n'
        ' <manifest:file-entry manifest:full-path="/" manifest:version="1.2"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>\n'
        ' <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>\n'
        "</manifest:manifest>\n"
    )
    cells = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{h}</text:p></table:table-cell>'
        for h in BASE
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Sessions">'
        f"<table:table-row>{cells}</table:table-row>"
        "</table:table></office:spreadsheet></office:body></office:document-content>\n"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        stamp = (2026, 1, 1, 0, 0, 0)
        zf.writestr(zipfile.ZipInfo("mimetype", stamp), mimetype, zipfile.ZIP_STORED)
        zf.writestr(zipfile.ZipInfo("META-INF/manifest.xml", stamp), manifest, zipfile.ZIP_DEFLATED)
        zf.writestr(zipfile.ZipInfo("content.xml", stamp), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --------------------------------------------------------------------------- the cases


def file_level_cases() -> None:
    """Files that cannot be judged: exit 2, no rows."""
    file_case("empty_file", "input.csv", b"", ["empty_file"])
    _write(
        "empty_file_xlsx",
        "input.xlsx",
        lambda path: write_xlsx(path, [], []),
        Expected(exit=2, file_errors=["empty_file"]),
    )
    no_end = [c for c in BASE if c != "endDate"]
    csv_file_case("missing_column", no_end, [s(1), s(2)], ["missing_column"], keys=no_end)
    no_end_tz = [c for c in BASE if c not in ("endDate", "timeZone")]
    csv_file_case(
        "missing_column_two",
        no_end_tz,
        [s(1)],
        ["missing_column"],  # one message names both (CONTRACT.md v2, "Headers")
        keys=no_end_tz,
    )
    csv_file_case(
        "duplicate_column",
        [*BASE, "Start Date"],
        [{**s(1), "dup": s(1)["startDate"]}],
        ["duplicate_column"],
        keys=[*BASE, "dup"],
    )
    csv_file_case(
        "duplicate_column_exact",
        [*BASE, "title"],
        [{**s(1), "dup": "Webinar session one"}],
        ["duplicate_column"],
        keys=[*BASE, "dup"],
    )
    csv_file_case(
        "too_many_rows", BASE, [s(1), s(2), s(3)], ["too_many_rows"], args=["--max-rows", "2"]
    )
    csv_file_case(
        "too_many_rows_default",
        REQUIRED,
        [s(n) for n in range(1001)],
        ["too_many_rows"],
        keys=REQUIRED,
    )
    csv_file_case(
        "unknown_column_strict",
        [*BASE, "internalNote"],
        [s(1, internalNote="VIP cohort"), s(2)],
        ["unknown_column"],
        args=["--strict"],
    )
    # A header cell that a spreadsheet would run: the file cannot be judged (issue 11).
    csv_file_case(
        "formula_injection_header",
        [*BASE, '=HYPERLINK("https://evil.example.com","x")'],
        [s(1), s(2)],
        ["formula_injection"],
    )
    _write(
        "formula_injection_header_xlsx",
        "input.xlsx",
        lambda path: write_xlsx(
            path, [*BASE, "\u00a0@internalNote"], [_cells(BASE, s(1)), _cells(BASE, s(2))]
        ),
        Expected(exit=2, file_errors=["formula_injection"]),
    )
    # An OLE2 compound file (legacy .xls, or an encrypted workbook): signature + padding.
    ole = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(1536 - 8)
    file_case("unsupported_format", "input.xls", ole, ["unsupported_format"])
    file_case("unsupported_format_ods", "input.ods", ods_bytes(), ["unsupported_format"])
    # A workbook cut in half: a zip container (so a workbook), but corrupt.
    whole = xlsx_bytes(BASE, [_cells(BASE, s(1)), _cells(BASE, s(2))])
    file_case("unreadable_file", "input.xlsx", whole[: len(whole) // 2], ["unreadable_file"])
    # Not UTF-8, no UTF-16 BOM, and 0x81/0x8D are undefined in Windows-1252.
    header = ",".join(BASE).encode()
    body = ",".join(str(v) for v in s(1).values()).encode().replace(b"Webinar", b"Web\x81in\x8dar")
    file_case(
        "unreadable_file_encoding", "input.csv", header + b"\n" + body + b"\n", ["unreadable_file"]
    )


def valid_cases() -> None:
    """Files with every row valid (exit 0), in the formats and shapes the contract accepts."""
    plain = [
        full(1),
        full(2, webinarProvider="other", joinUrl="https://meet.example.com/j/2", seatsLimit="20"),
        full(
            3,
            sessionId="",
            slug="",
            sku="",
            title="",
            instructorEmails="",
            seatsLimit="",
            waitlistingEnabled="",
            enrollmentStartDate="",
            enrollmentEndDate="",
            priceInCents="",
            status="",
            language="",
        ),
    ]
    csv_case("valid_csv", COLUMNS, plain)
    typed = [
        full(1, seatsLimit=50, priceInCents=0),
        full(2, seatsLimit=10.0, waitlistingEnabled=True, priceInCents=4900),
        full(3, seatsLimit="", waitlistingEnabled=False, priceInCents=0),
    ]
    xlsx_case("valid_xlsx", COLUMNS, typed)
    csv_case("header_only", COLUMNS, [], [], ["nothing_to_import"])
    csv_case(
        "any_case_values",
        COLUMNS,
        [
            full(
                1,
                courseGroupId=CG.upper(),
                sessionId=S1.upper(),
                timeZone="america/new_york",
                webinarProvider="MICROSOFTTEAMS",
                waitlistingEnabled="YES",
                status="Published",
                language="EN-us",
            ),
            full(
                2,
                timeZone="utc",
                webinarProvider="gotowebinar",
                waitlistingEnabled="False",
                status="LOGINRESTRICTION",
                language="pt-br",
            ),
            full(3, webinarProvider="Other", joinUrl="https://meet.example.com/j/3"),
        ],
    )
    csv_case(
        "valid_time_zones",
        BASE,
        [
            s(1, timeZone="US/Eastern"),
            s(2, timeZone="UTC"),
            s(3, timeZone="America/Argentina/Buenos_Aires"),
            s(4, timeZone="asia/kolkata"),
            s(5, timeZone="Europe/Kyiv"),
        ],
    )
    csv_case(
        "trim_whitespace",
        [*BASE, "seatsLimit", "waitlistingEnabled"],
        [
            s(
                1,
                courseGroupId=f"  {CG}  ",
                startDate=" " + str(s(1)["startDate"]),
                timeZone=" America/New_York ",
                webinarProvider="\u00a0zoom\u00a0",
                seatsLimit=" 25 ",
                waitlistingEnabled=" yes",
            ),
            s(2, title="\u00a0Webinar session 2\u00a0"),
        ],
    )
    csv_case(
        "short_record",
        [*BASE, "sku", "language"],
        [[*s(1).values()], s(2, sku="SKU-2", language="en")],
    )
    csv_case(
        "trailing_empty_headers",
        [*BASE, "", ""],
        [[*s(1).values(), "", ""], [*s(2).values(), "", ""]],
    )
    csv_case("utf8_bom", BASE, [s(1), s(2, title="Überblick")], encoding="utf-8-sig")
    csv_case(
        "windows_1252",
        BASE,
        [s(1, title="Café \u2013 Einführung für Admins (€49)"), s(2, title="Señales y métricas")],
        encoding="cp1252",
    )
    csv_case("max_rows_zero_unlimited", BASE, [s(1), s(2), s(3)], args=["--max-rows", "0"])
    csv_case(
        "max_rows_blank_not_counted",
        BASE,
        [s(1), None, None, s(4)],
        warnings=["blank_row"],
        args=["--max-rows", "2"],
    )
    csv_case("blank_row_trailing", BASE, [s(1), s(2), None], warnings=["blank_row"])
    csv_case(
        "unknown_column",
        [*BASE, "internalNote"],
        [s(1, internalNote="VIP cohort"), s(2)],
        warnings=["unknown_column"],
    )
    normalized = [
        "Course Group ID",
        "title",
        "start_date",
        "END-DATE",
        "timezone",
        "WebinarProvider",
    ]
    csv_case(
        "header_normalized_strict",
        normalized,
        [s(1), s(2)],
        warnings=["header_normalized"],
        args=["--strict"],
        keys=BASE,
    )
    csv_case(
        "header_normalized",
        normalized,
        [s(1), s(2, endDate="2026-03-12T15:00:00.000Z"), s(3)],
        [(3, "endDate", "end_not_after_start")],
        warnings=["header_normalized"],
        keys=BASE,
    )


def row_rule_cases() -> None:
    """One row-level code in focus per case; the other cells valid."""
    csv_case(
        "required",
        BASE,
        [
            s(1, courseGroupId=""),
            s(2, timeZone="   "),
            s(3, webinarProvider="\u00a0"),
            s(4, startDate=""),
            s(5, endDate=""),
            s(6),
        ],
        [
            (2, "courseGroupId", "required"),
            (3, "timeZone", "required"),
            (4, "webinarProvider", "required"),
            (5, "startDate", "required"),
            (6, "endDate", "required"),
        ],
    )
    csv_case(
        "required_join_url",
        [*BASE, "joinUrl"],
        [
            s(1, webinarProvider="other"),
            s(2, webinarProvider="OTHER"),
            s(3, webinarProvider="other", joinUrl="https://meet.example.com/j/3"),
            s(4),
        ],
        [(2, "joinUrl", "required"), (3, "joinUrl", "required")],
    )
    csv_case(
        "invalid_uuid",
        [*BASE, "sessionId"],
        [
            s(1, courseGroupId="course-101"),
            s(2, sessionId="12345"),
            s(3, courseGroupId=CG[:-1]),
            s(4, courseGroupId=CG[:-1] + "g"),
            s(5, sessionId=S1),
        ],
        [
            (2, "courseGroupId", "invalid_uuid"),
            (3, "sessionId", "invalid_uuid"),
            (4, "courseGroupId", "invalid_uuid"),
            (5, "courseGroupId", "invalid_uuid"),
        ],
    )
    csv_case(
        "too_long",
        [*BASE, "slug", "sku"],
        [
            s(1, title=text_of(256)),
            s(2, sku="SKU-" + "0" * 61),
            s(3, slug=slug_of(256)),
            s(4, title=text_of(255), sku="SKU-" + "0" * 60, slug=slug_of(255)),
            s(5, title="  " + text_of(255) + "\u00a0 "),
        ],
        [(2, "title", "too_long"), (3, "sku", "too_long"), (4, "slug", "too_long")],
    )
    csv_case(
        "invalid_slug",
        [*BASE, "slug"],
        [
            s(1, slug="intro to apis"),
            s(2, slug="intro--apis"),
            s(3, slug="Intro-APIs"),
            s(4, slug="intro-apis-"),
            s(5, slug="intro-apis-2026"),
        ],
        [
            (2, "slug", "invalid_slug"),
            (3, "slug", "invalid_slug"),
            (4, "slug", "invalid_slug"),
            (5, "slug", "invalid_slug"),
        ],
    )
    csv_case(
        "invalid_datetime",
        BASE,
        [
            s(1, startDate="09/04/2025 3:30 PM"),
            s(2, startDate="2026-02-30T10:00Z"),
            s(3, endDate="2026-03-13T25:00:00Z"),
            s(4, startDate="next Tuesday"),
            s(5),
        ],
        [
            (2, "startDate", "invalid_datetime"),
            (3, "startDate", "invalid_datetime"),
            (4, "endDate", "invalid_datetime"),
            (5, "startDate", "invalid_datetime"),
        ],
    )
    csv_case(
        "invalid_datetime_date_only",
        BASE,
        [s(1, startDate="2026-03-11"), s(2)],
        [(2, "startDate", "invalid_datetime")],
    )
    csv_case(
        "missing_utc_offset_text",
        [*BASE, "enrollmentEndDate"],
        [
            s(1, startDate="2026-03-11T15:30:00"),
            # 18:00 is after the endDate 16:30Z under any offset: still only missing_utc_offset
            s(2, startDate="2026-03-12T18:00"),
            s(3, endDate="2026-03-13T16:30:00.000"),
            s(4, enrollmentEndDate="2026-03-01T00:00:00"),
        ],
        [
            (2, "startDate", "missing_utc_offset"),
            (3, "startDate", "missing_utc_offset"),
            (4, "endDate", "missing_utc_offset"),
            (5, "enrollmentEndDate", "missing_utc_offset"),
        ],
    )
    xlsx_case(
        "missing_utc_offset_typed_xlsx",
        BASE,
        [
            s(1, startDate=datetime(2026, 3, 11, 11, 30)),
            s(2),
            s(3, endDate=datetime(2026, 3, 13, 12, 30)),
        ],
        [(2, "startDate", "missing_utc_offset"), (4, "endDate", "missing_utc_offset")],
    )
    csv_case(
        "end_not_after_start",
        BASE,
        [
            s(1, endDate=s(1)["startDate"]),
            s(2, startDate="2026-03-12T10:00:00-05:00", endDate="2026-03-12T14:00:00Z"),
            s(3, startDate="2026-03-13T10:00:00-05:00", endDate="2026-03-13T15:30:00Z"),
            s(4, endDate="2026-03-13T16:30:00.000Z"),
        ],
        [
            (2, "endDate", "end_not_after_start"),
            (3, "endDate", "end_not_after_start"),
            (5, "endDate", "end_not_after_start"),
        ],
        # -05:00 is New York before 8 March; on 12-13 March it is -04:00: a likely mistake
        ["offset_mismatch"],
    )
    csv_case(
        "session_too_long",
        BASE,
        [
            s(1, endDate="2026-03-12T15:30:00.000Z"),  # exactly 24 hours: allowed
            s(2, endDate="2026-03-13T15:31:00.000Z"),  # 24 hours and a minute
            s(3, startDate="2026-03-13T00:00:00+05:00", endDate="2026-03-13T23:00:00-05:00"),
            # 27.5 h apart on the wall clock, 20.5 h apart in fact: allowed
            s(4, startDate="2026-03-14T20:00:00-05:00", endDate="2026-03-15T23:30:00+02:00"),
        ],
        [(3, "endDate", "session_too_long"), (4, "endDate", "session_too_long")],
        ["offset_mismatch"],  # -05:00 for New York in mid-March (it is -04:00 then)
    )
    csv_case(
        "invalid_time_zone",
        BASE,
        [
            s(1, timeZone="EST"),
            s(2, timeZone="CET"),
            s(3, timeZone="EST5EDT"),
            s(4, timeZone="Eastern"),
            s(5, timeZone="Mars/Olympus_Mons"),
            s(6, timeZone="America/Chicago"),
        ],
        [
            (2, "timeZone", "invalid_time_zone"),
            (3, "timeZone", "invalid_time_zone"),
            (4, "timeZone", "invalid_time_zone"),
            (5, "timeZone", "invalid_time_zone"),
            (6, "timeZone", "invalid_time_zone"),
        ],
    )
    csv_case(
        "invalid_choice",
        [*BASE, "joinUrl", "status"],
        [
            s(1, webinarProvider="Zoom Meetings"),
            s(2, status="live"),
            s(3, webinarProvider="others"),  # joinUrl blank: no `required`, the choice failed
            s(4, webinarProvider="teams", status="published"),
            s(5, status="published"),
        ],
        [
            (2, "webinarProvider", "invalid_choice"),
            (3, "status", "invalid_choice"),
            (4, "webinarProvider", "invalid_choice"),
            (5, "webinarProvider", "invalid_choice"),
        ],
    )
    csv_case(
        "invalid_url",
        [*BASE, "joinUrl"],
        [
            s(1, webinarProvider="other", joinUrl="http://meet.example.com/j/1"),
            s(2, webinarProvider="other", joinUrl="meet.example.com/j/2"),
            s(3, webinarProvider="other", joinUrl="https://"),
            s(4, webinarProvider="other", joinUrl="https://meet.example.com/j/4?pwd=abc"),
        ],
        [
            (2, "joinUrl", "invalid_url"),
            (3, "joinUrl", "invalid_url"),
            (4, "joinUrl", "invalid_url"),
        ],
    )
    csv_case(
        "invalid_url_not_other",
        [*BASE, "joinUrl"],
        [
            s(1, joinUrl="ftp://files.example.com/j/1"),
            s(2, joinUrl="https://zoom.example.com/j/2"),
        ],
        [(2, "joinUrl", "invalid_url")],
    )
    csv_case(
        "invalid_email",
        [*BASE, "instructorEmails"],
        [
            s(1, instructorEmails="alex@example.org;bob at example.com"),
            s(2, instructorEmails="alex.example.org"),
            s(3, instructorEmails="alex@@example.org"),
            s(4, instructorEmails="alex@example.org, bea@example.com"),
            s(5, instructorEmails="Alex.Kim@Example.org;bea@example.com"),
        ],
        [
            (2, "instructorEmails", "invalid_email"),
            (3, "instructorEmails", "invalid_email"),
            (4, "instructorEmails", "invalid_email"),
        ],
    )
    csv_case(
        "invalid_integer",
        [*BASE, "seatsLimit", "priceInCents"],
        [
            s(1, seatsLimit="ten"),
            s(2, priceInCents="19.99"),
            s(3, seatsLimit="12abc"),
            s(4, seatsLimit="25", priceInCents="4900"),
        ],
        [
            (2, "seatsLimit", "invalid_integer"),
            (3, "priceInCents", "invalid_integer"),
            (4, "seatsLimit", "invalid_integer"),
        ],
    )
    csv_case(
        "out_of_range",
        [*BASE, "seatsLimit", "priceInCents"],
        [
            s(1, seatsLimit="0"),
            s(2, priceInCents="-1"),  # a number column: not formula_injection
            s(3, seatsLimit="-5"),
            s(4, seatsLimit="1", priceInCents="0"),
        ],
        [
            (2, "seatsLimit", "out_of_range"),
            (3, "priceInCents", "out_of_range"),
            (4, "seatsLimit", "out_of_range"),
        ],
    )
    csv_case(
        "invalid_boolean",
        [*BASE, "seatsLimit", "waitlistingEnabled"],
        [
            s(1, waitlistingEnabled="maybe"),
            s(2, waitlistingEnabled="on"),
            s(3, seatsLimit="10", waitlistingEnabled="YES"),
            s(4, waitlistingEnabled="False"),
            s(5, seatsLimit="5", waitlistingEnabled="true"),
        ],
        [
            (2, "waitlistingEnabled", "invalid_boolean"),
            (3, "waitlistingEnabled", "invalid_boolean"),
        ],
    )
    csv_case(
        "waitlist_without_limit",
        [*BASE, "seatsLimit", "waitlistingEnabled"],
        [
            s(1, waitlistingEnabled="yes"),
            s(2, waitlistingEnabled="TRUE"),
            s(3, waitlistingEnabled="no"),
            s(4, seatsLimit="20", waitlistingEnabled="yes"),
        ],
        [
            (2, "waitlistingEnabled", "waitlist_without_limit"),
            (3, "waitlistingEnabled", "waitlist_without_limit"),
        ],
    )
    csv_case(
        "enrollment_window",
        [*BASE, "enrollmentStartDate", "enrollmentEndDate"],
        [
            s(
                1,
                enrollmentStartDate="2026-03-01T00:00:00.000Z",
                enrollmentEndDate="2026-03-01T00:00:00.000Z",
            ),
            s(
                2,
                enrollmentStartDate="2026-03-05T00:00:00.000Z",
                enrollmentEndDate="2026-03-01T00:00:00.000Z",
            ),
            s(3, enrollmentStartDate="2026-03-01T00:00:00.000Z", enrollmentEndDate=s(3)["endDate"]),
            s(4, enrollmentEndDate="2026-03-10T00:00:00.000Z"),
            # 05:00Z is after 04:00Z although 00:00 < 04:00 on the wall clock
            s(
                5,
                enrollmentStartDate="2026-03-01T00:00:00-05:00",
                enrollmentEndDate="2026-03-01T04:00:00Z",
            ),
        ],
        [
            (2, "enrollmentEndDate", "enrollment_window"),
            (3, "enrollmentEndDate", "enrollment_window"),
            (6, "enrollmentEndDate", "enrollment_window"),
        ],
    )
    csv_case(
        "enrollment_window_after_end",
        [*BASE, "enrollmentEndDate"],
        [
            s(1, enrollmentEndDate="2026-03-12T00:00:00.000Z"),
            s(2, enrollmentEndDate="2026-03-12T12:00:00-05:00"),  # 17:00Z, after 16:30Z
            s(3, enrollmentEndDate="2026-03-13T11:30:00-05:00"),  # 16:30Z, the endDate itself
        ],
        [
            (2, "enrollmentEndDate", "enrollment_window"),
            (3, "enrollmentEndDate", "enrollment_window"),
        ],
        ["offset_mismatch"],  # -05:00 for New York in mid-March
    )
    csv_case(
        "invalid_language",
        [*BASE, "language"],
        [
            s(1, language="english"),
            s(2, language="eng"),
            s(3, language="EN-us"),
            s(4, language="pt-BR"),
            s(5, language="fr"),
        ],
        [(2, "language", "invalid_language"), (3, "language", "invalid_language")],
    )
    csv_case(
        "duplicate_value",
        [*BASE, "sessionId", "slug", "sku"],
        [
            s(1, sessionId=S1, slug="intro-a", sku="SKU-A"),
            s(2, sessionId=S1, slug="intro-b", sku=""),
            s(3, sessionId=S2, slug="intro-a", sku="SKU-A "),
            s(4, sessionId="", slug="intro-a", sku=""),
            s(5, sessionId="", slug="intro-c", sku="SKU-C"),
        ],
        [
            (3, "sessionId", "duplicate_value"),
            (4, "slug", "duplicate_value"),
            (4, "sku", "duplicate_value"),
            (5, "slug", "duplicate_value"),
        ],
    )
    csv_case(
        "duplicate_value_uuid_case",
        [*BASE, "sessionId"],
        [s(1, sessionId=S1), s(2, sessionId=S1.upper())],
        [(3, "sessionId", "duplicate_value")],
    )
    csv_case(
        "duplicate_session",
        BASE,
        [
            s(1),
            s(1, endDate="2026-03-11T17:30:00.000Z"),
            s(1, title="Webinar session 1 (repeat)"),
            s(1, courseGroupId=CG2),
        ],
        [(3, "startDate", "duplicate_session")],
    )
    csv_case(
        "duplicate_session_normalized",
        BASE,
        [s(1), s(1, courseGroupId=CG.upper(), startDate="2026-03-11T10:30:00-05:00")],
        [(3, "startDate", "duplicate_session")],
    )
    csv_case(
        "formula_injection",
        [*BASE, "sku"],
        [
            s(1, title='=HYPERLINK("https://evil.example.com","Join")'),
            s(2, sku="+SKU-2"),
            s(3, title="@SUM(A1:A2)"),
            s(4, sku="-SKU-4"),
            s(5, title="\tWelcome"),
            s(6, title="Q&A: ask = answer"),
        ],
        [
            (2, "title", "formula_injection"),
            (3, "sku", "formula_injection"),
            (4, "title", "formula_injection"),
            (5, "sku", "formula_injection"),
            (6, "title", "formula_injection"),
        ],
    )
    csv_case(
        "formula_injection_cr",
        BASE,
        [s(1, title="\rWelcome"), s(2)],
        [(2, "title", "formula_injection")],
    )
    csv_case(
        "formula_injection_unknown_column",
        [*BASE, "internalNote"],
        [s(1, internalNote="=1+1"), s(2, internalNote="ok")],
        [(2, "internalNote", "formula_injection")],
        warnings=["unknown_column"],
    )
    # The value sent (trimmed) is the value checked: white space, invisible characters and line
    # breaks before a formula do not hide it (issue 11); number columns keep their signs.
    hidden_header = [*BASE, "sku", "priceInCents", "internalNote"]
    hidden = [
        s(1, title=' =HYPERLINK("https://evil.example.com","Join")'),
        s(2, title="\u00a0@SUM(1+1)*cmd|' /C calc'!A0"),
        s(3, title="\n=1+3"),
        s(4, sku="\u200b=1+1"),
        s(5, title="\ufeff-2+3"),
        s(6, title="\u2003\u3000+1", internalNote="ok"),
        s(7, internalNote=" =1+1"),
        s(8, title=" Q&A = answer ", sku="\uff1dWS-8", priceInCents=" -0"),
        s(9, priceInCents="+100"),
    ]
    hidden_errors = [
        (2, "title", "formula_injection"),
        (3, "title", "formula_injection"),
        (4, "title", "formula_injection"),
        (5, "sku", "formula_injection"),
        (6, "title", "formula_injection"),
        (7, "title", "formula_injection"),
        (8, "internalNote", "formula_injection"),
    ]
    csv_case(
        "formula_injection_leading_space",
        hidden_header,
        hidden,
        hidden_errors,
        warnings=["unknown_column"],
    )
    xlsx_case(
        "formula_injection_leading_space_xlsx",
        hidden_header,
        hidden,
        hidden_errors,
        warnings=["unknown_column"],
    )
    csv_case(
        "formula_injection_email_list",
        [*BASE, "instructorEmails"],
        [
            s(1, instructorEmails="alex.kim@example.org; =1+1@example.org"),
            s(2, instructorEmails="alex.kim@example.org, sam+events@example.org"),
            s(3, instructorEmails=" +1@example.org"),
        ],
        [
            (2, "instructorEmails", "formula_injection"),
            (4, "instructorEmails", "formula_injection"),
        ],
    )
    xlsx_case(
        "formula_without_value_xlsx",
        BASE,
        [s(1, title=Formula("1+1")), s(2)],
        [(2, "title", "formula_without_value")],
    )
    xlsx_case(
        "formula_with_value_xlsx",
        [*BASE, "priceInCents"],
        [
            s(
                1,
                title=Formula('"Webinar "&"session 1"', "Webinar session 1"),
                priceInCents=Formula("2*50", 100),
            ),
            s(2, priceInCents=0),
        ],
    )
    csv_case(
        "invalid_character",
        [*BASE, "sku"],
        [s(1, title="Intro\x07Part 1"), s(2, sku="SKU\x012"), s(3)],
        [(2, "title", "invalid_character"), (3, "sku", "invalid_character")],
    )
    csv_case(
        "formula_error",
        [*BASE, "sku"],
        [
            s(1, courseGroupId="#N/A"),  # a VLOOKUP that found nothing, exported as text
            s(2, startDate="#VALUE!", sku=" #REF! "),
            s(3, title="#DIV/0! is not an error here"),
        ],
        [
            (2, "courseGroupId", "formula_error"),
            (3, "sku", "formula_error"),
            (3, "startDate", "formula_error"),
        ],
    )
    csv_case(
        "extra_cells",
        BASE,
        [
            [*s(1).values(), "oops"],
            [*s(2).values(), "", "", ""],  # trailing empty cells, as Excel writes: fine
            [*s(3).values(), "", "late"],
        ],
        [(2, "*", "extra_cells"), (4, "*", "extra_cells")],
    )
    csv_case(
        "multi_error_row",
        [*BASE, "seatsLimit", "waitlistingEnabled", "priceInCents", "language"],
        [
            s(1, courseGroupId="abc", timeZone="EST", seatsLimit="many"),
            s(
                2,
                webinarProvider="zoomx",
                language="english",
                priceInCents="-100",
                waitlistingEnabled="yes",
            ),
            s(3),
        ],
        [
            (2, "courseGroupId", "invalid_uuid"),
            (2, "seatsLimit", "invalid_integer"),
            (2, "timeZone", "invalid_time_zone"),
            (3, "language", "invalid_language"),
            (3, "priceInCents", "out_of_range"),
            (3, "waitlistingEnabled", "waitlist_without_limit"),
            (3, "webinarProvider", "invalid_choice"),
        ],
    )
    csv_case(
        "cross_rules_skipped",
        [
            *BASE,
            "joinUrl",
            "seatsLimit",
            "waitlistingEnabled",
            "enrollmentStartDate",
            "enrollmentEndDate",
        ],
        [
            s(1, seatsLimit="abc", waitlistingEnabled="yes"),
            s(2, waitlistingEnabled="maybe"),
            s(3, enrollmentStartDate="tomorrow", enrollmentEndDate="2026-03-01T00:00:00.000Z"),
            s(4, endDate="soon", enrollmentEndDate="2026-03-20T00:00:00.000Z"),
            s(5, webinarProvider="webinarx"),
        ],
        [
            (2, "seatsLimit", "invalid_integer"),
            (3, "waitlistingEnabled", "invalid_boolean"),
            (4, "enrollmentStartDate", "invalid_datetime"),
            (5, "endDate", "invalid_datetime"),
            (6, "webinarProvider", "invalid_choice"),
        ],
    )


def layout_cases() -> None:
    """Row numbering, blank rows, delimiters, encodings, line endings and sheets."""
    csv_case(
        "blank_row",
        BASE,
        [s(1), None, [""] * len(BASE), s(4, timeZone="Eastern")],
        [(5, "timeZone", "invalid_time_zone")],
        warnings=["blank_row"],
    )
    xlsx_case(
        "blank_row_xlsx",
        BASE,
        [s(1), None, s(3, timeZone="Eastern")],
        [(4, "timeZone", "invalid_time_zone")],
        warnings=["blank_row"],
    )
    csv_case(
        "multiline_title",
        BASE,
        [
            s(1),
            s(2, title="Dashboards\nPart 2"),
            s(3, timeZone="Eastern"),
            None,
            s(5, webinarProvider="skype"),
        ],
        [(4, "timeZone", "invalid_time_zone"), (6, "webinarProvider", "invalid_choice")],
        warnings=["blank_row"],
        newline="\r\n",
    )
    csv_case(
        "cr_line_endings",
        BASE,
        [s(1), s(2, timeZone="Eastern"), s(3)],
        [(3, "timeZone", "invalid_time_zone")],
        newline="\r",
    )
    csv_case(
        "semicolon_delimiter",
        [*BASE, "instructorEmails"],
        [
            s(1, title="Intro, part 1", instructorEmails="alex@example.org,bea@example.com"),
            s(2, timeZone="Eastern"),
        ],
        [(3, "timeZone", "invalid_time_zone")],
        delimiter=";",
    )
    csv_case(
        "utf16_tab",
        BASE,
        [s(1, title="Präsentation: Überblick"), s(2, webinarProvider="teams")],
        [(3, "webinarProvider", "invalid_choice")],
        delimiter="\t",
        newline="\r\n",
        encoding="utf-16",
    )
    bad_tz = [s(1), s(2, timeZone="Eastern")]
    bad_tz_errors = [(3, "timeZone", "invalid_time_zone")]

    def sheet_option(wb: openpyxl.Workbook) -> None:
        intro = wb.active
        assert intro is not None
        intro.title = "Instructions"
        fill_sheet(intro, [["Fill in the Other tab, one session a row."]])
        fill_sheet(wb.create_sheet("Other"), [BASE, *(_cells(BASE, r) for r in bad_tz)])

    workbook_case(
        "sheet_option_xlsx", sheet_option, bad_tz, bad_tz_errors, args=["--sheet", "Other"]
    )

    def hidden_first(wb: openpyxl.Workbook) -> None:
        old = wb.active
        assert old is not None
        old.title = "Old import"
        fill_sheet(old, [["id", "name"], ["1", "not a session"]])
        old.sheet_state = "hidden"
        lookup = wb.create_sheet("Lookup")
        fill_sheet(lookup, [["provider"], ["zoom"]])
        lookup.sheet_state = "veryHidden"
        sessions = wb.create_sheet("Sessions")
        fill_sheet(sessions, [BASE, *(_cells(BASE, r) for r in bad_tz)])
        wb.active = 2

    workbook_case("hidden_first_sheet_xlsx", hidden_first, bad_tz, bad_tz_errors)

    def chart_first(wb: openpyxl.Workbook) -> None:
        sessions = wb.active
        assert sessions is not None
        sessions.title = "Sessions"
        fill_sheet(sessions, [BASE, *(_cells(BASE, r) for r in bad_tz)])
        chart = BarChart()
        chart.add_data(Reference(sessions, min_col=1, min_row=1, max_row=3), titles_from_data=True)
        wb.create_chartsheet("Chart", 0).add_chart(chart)
        wb.active = 1

    workbook_case("chartsheet_first_xlsx", chart_first, bad_tz, bad_tz_errors)
    xlsx_case("sheet_name_quoted_xlsx", BASE, bad_tz, bad_tz_errors, sheet="Spring 2026")
    xlsx_case(
        "xlsx_typed_numbers",
        [*BASE, "sku", "seatsLimit", "waitlistingEnabled", "priceInCents"],
        [
            s(1, seatsLimit=10.0, priceInCents=0),
            s(2, seatsLimit=10.5),
            s(3, priceInCents=-100),
            s(4, seatsLimit=5, waitlistingEnabled=True),
            s(5, sku=12345, waitlistingEnabled=False),
        ],
        [(3, "seatsLimit", "invalid_integer"), (4, "priceInCents", "out_of_range")],
    )


def sample_cases() -> None:
    """The files of sample_assets/, with the outcome each is meant to show."""
    csv_case("sample_template_csv", COLUMNS, [], [], ["nothing_to_import"])
    csv_case("sample_sessions_csv", COLUMNS, [as_csv_row(r) for r in VALID_SESSIONS])
    xlsx_case("sample_sessions_xlsx", COLUMNS, [as_xlsx_row(r) for r in VALID_SESSIONS])
    csv_case(
        "sample_with_errors_csv",
        COLUMNS,
        list(error_rows_csv()),
        [(int(e[0]), str(e[1]), str(e[2])) for e in ERROR_SAMPLE_EXPECTED_CSV],
        warnings=["blank_row"],
    )
    xlsx_case(
        "sample_with_errors_xlsx",
        COLUMNS,
        list(error_rows_xlsx()),
        [(int(e[0]), str(e[1]), str(e[2])) for e in ERROR_SAMPLE_EXPECTED_XLSX],
        warnings=["blank_row"],
    )


def main() -> None:
    """Write every case folder named here."""
    CASES_DIR.mkdir(exist_ok=True)
    file_level_cases()
    valid_cases()
    row_rule_cases()
    layout_cases()
    sample_cases()
    print(f"wrote {len(_WRITTEN)} cases to {CASES_DIR}")


if __name__ == "__main__":
    main()
