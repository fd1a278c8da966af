"""Write the sample files in ``sample_assets/``: ``python tests/make_samples.py``.

Deterministic (the same bytes on every run) and stdlib + openpyxl only, so the generated files can
be committed and regenerated without noise. The rows are also imported by ``make_cases.py``,
which turns the samples into acceptance cases with their expected outcome.
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import zipfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = ROOT / "sample_assets"

# The contract's columns, in the contract's order (CONTRACT.md "Columns").
COLUMNS = [
    "courseGroupId",
    "sessionId",
    "title",
    "slug",
    "sku",
    "startDate",
    "endDate",
    "timeZone",
    "webinarProvider",
    "joinUrl",
    "instructorEmails",
    "seatsLimit",
    "waitlistingEnabled",
    "enrollmentStartDate",
    "enrollmentEndDate",
    "priceInCents",
    "status",
    "language",
]
NUMBER_COLUMNS = ("seatsLimit", "priceInCents")

_FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
_FIXED_CORE_TIME = "2026-01-01T00:00:00Z"


def fixed_uuid(seed: str) -> str:
    """A deterministic, well-formed version-4 UUID (lower case) derived from ``seed``."""
    return str(uuid.UUID(bytes=hashlib.sha256(seed.encode()).digest()[:16], version=4))


CG_DATA_LITERACY = fixed_uuid("course-group:data-literacy")
CG_ONBOARDING = fixed_uuid("course-group:admin-onboarding")
CG_ANALYTICS_LATAM = fixed_uuid("course-group:analytics-latam")


# --------------------------------------------------------------------------- writing helpers


def csv_field(value: str, delimiter: str = ",") -> str:
    """Quote a field the way Excel does: only when it holds the delimiter, a quote or a newline."""
    if any(ch in value for ch in (delimiter, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_text(
    records: Sequence[Sequence[str] | None], delimiter: str = ",", newline: str = "\n"
) -> str:
    """CSV text; a ``None`` record is an empty line. Every record ends with ``newline``."""
    lines = [
        "" if rec is None else delimiter.join(csv_field(v, delimiter) for v in rec)
        for rec in records
    ]
    return "".join(line + newline for line in lines)


class Formula:
    """An XLSX formula cell; ``cached`` is the computed value saved with it (None: none saved)."""

    def __init__(self, formula: str, cached: str | int | None = None) -> None:
        self.formula = formula
        self.cached = cached


def fill_sheet(
    ws: Any, rows: Sequence[Sequence[object] | None], start_row: int = 1
) -> dict[str, str | int]:
    """Write rows to a worksheet; ``None`` leaves the row out (an empty row in the sheet).

    Strings are always text cells, even when they begin with ``=`` (openpyxl would otherwise
    store them as formulas); ``Formula`` objects become formula cells. Empty strings and None
    leave the cell out. Returns cell ref -> cached value of the formulas that have one.
    """
    cached: dict[str, str | int] = {}
    for offset, values in enumerate(rows):
        if values is None:
            continue
        for col, value in enumerate(values, start=1):
            if value is None or value == "":
                continue
            cell = ws.cell(row=start_row + offset, column=col)
            if isinstance(value, Formula):
                cell.value = "=" + value.formula
                if value.cached is not None:
                    cached[cell.coordinate] = value.cached
            else:
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"
    return cached


def workbook_bytes(
    wb: openpyxl.Workbook, patch: Callable[[str, bytes], bytes] | None = None
) -> bytes:
    """The bytes of ``wb`` as an .xlsx, byte-for-byte reproducible.

    openpyxl stamps the zip entries and docProps/core.xml with the current time; the archive is
    rewritten with fixed times. ``patch(part_name, data)`` may edit any part on the way.
    """
    wb.properties.creator = "webinar_validate tests"
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                    rb"\g<1>" + _FIXED_CORE_TIME.encode() + rb"\g<2>",
                    data,
                )
            if patch is not None:
                data = patch(info.filename, data)
            dst.writestr(
                zipfile.ZipInfo(info.filename, _FIXED_ZIP_TIME), data, zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


def save_workbook(
    wb: openpyxl.Workbook, path: Path, patch: Callable[[str, bytes], bytes] | None = None
) -> None:
    """Save ``wb`` to ``path`` reproducibly (see ``workbook_bytes``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(wb, patch))


def cache_formula_values(
    sheet_part: str, values: dict[str, str | int]
) -> Callable[[str, bytes], bytes]:
    """A ``save_workbook`` patch giving formula cells of one sheet a saved computed value.

    openpyxl cannot write cached values; Excel always does. ``values`` maps a cell ref (``P2``)
    to the value: an int is a number, a str a formula string result (``t="str"``).
    """

    def patch(part: str, data: bytes) -> bytes:
        if part != sheet_part:
            return data
        text = data.decode()
        for ref, value in values.items():
            pattern = re.compile(rf'<c r="{ref}"( [^>]*)?><f>(.*?)</f>(?:<v ?/>|<v></v>)</c>')
            kind = ' t="str"' if isinstance(value, str) else ""
            saved = xml_escape(str(value))
            text, count = pattern.subn(
                lambda m, r=ref, k=kind, v=saved: (
                    f'<c r="{r}"{m.group(1) or ""}{k}><f>{m.group(2)}</f><v>{v}</v></c>'
                ),
                text,
            )
            if count != 1:
                raise RuntimeError(f"formula cell {ref} not found in {part}")
        return text.encode()

    return patch


def xlsx_bytes(
    header: Sequence[str], rows: Sequence[Sequence[object] | None], sheet: str = "Sessions"
) -> bytes:
    """A one-sheet workbook: header in row 1 (none if empty), data from row 2 (None = empty row)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    cached = fill_sheet(ws, [list(header), *rows] if header else [])
    return workbook_bytes(wb, cache_formula_values("xl/worksheets/sheet1.xml", cached))


def write_xlsx(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[object] | None],
    sheet: str = "Sessions",
) -> None:
    """Write ``xlsx_bytes(header, rows, sheet)`` to ``path``."""
    path.write_bytes(xlsx_bytes(header, rows, sheet))


# --------------------------------------------------------------------------- the sample rows


def session(**values: object) -> dict[str, object]:
    """A row as a dict over every contract column; columns not given are blank."""
    unknown = set(values) - set(COLUMNS)
    if unknown:
        raise ValueError(f"not contract columns: {sorted(unknown)}")
    return {col: values.get(col, "") for col in COLUMNS}


def as_csv_row(row: dict[str, object]) -> list[str]:
    """Every value as CSV text (a typed value written as Excel would save it to CSV)."""
    out = []
    for col in COLUMNS:
        value = row[col]
        if isinstance(value, datetime):
            value = value.strftime("%Y-%m-%dT%H:%M:%S")
        elif isinstance(value, Formula):
            value = "=" + value.formula
        out.append(str(value))
    return out


def as_xlsx_row(row: dict[str, object]) -> list[object]:
    """seatsLimit/priceInCents as typed numbers when they are whole numbers; the rest as given."""
    out: list[object] = []
    for col in COLUMNS:
        value = row[col]
        if col in NUMBER_COLUMNS and isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            value = int(value)
        out.append(value)
    return out


VALID_SESSIONS = [
    session(
        courseGroupId=CG_DATA_LITERACY,
        title="Data Literacy 101: Reading Charts",
        slug="data-literacy-101-2026-03-10",
        sku="DL101-0310",
        startDate="2026-03-10T15:30:00.000Z",
        endDate="2026-03-10T17:00:00.000Z",
        timeZone="America/New_York",
        webinarProvider="zoom",
        joinUrl="https://zoom.example.com/j/81234567890",
        instructorEmails="maria.lopez@example.org",
        seatsLimit="50",
        waitlistingEnabled="yes",
        enrollmentStartDate="2026-02-10T00:00:00.000Z",
        enrollmentEndDate="2026-03-10T15:00:00.000Z",
        priceInCents="0",
        status="published",
        language="en-US",
    ),
    session(
        courseGroupId=CG_DATA_LITERACY,
        sessionId=fixed_uuid("session:dl101-0317"),
        title="Data Literacy 101: Reading Charts",
        slug="data-literacy-101-2026-03-17",
        sku="DL101-0317",
        startDate="2026-03-17T10:30:00-04:00",
        endDate="2026-03-17T12:00:00-04:00",
        timeZone="America/New_York",
        webinarProvider="goToWebinar",
        instructorEmails="maria.lopez@example.org; sam.okafor@example.com",
        seatsLimit="50",
        waitlistingEnabled="no",
        priceInCents="0",
        status="published",
        language="en-US",
    ),
    session(
        courseGroupId=CG_ONBOARDING,
        title="Onboarding for New Admins",
        slug="admin-onboarding-2026-04-02",
        sku="ONB-0402",
        startDate="2026-04-02T09:00:00+01:00",
        endDate="2026-04-02T10:30:00+01:00",
        timeZone="Europe/London",
        webinarProvider="microsoftTeams",
        joinUrl="https://teams.example.com/l/meetup-join/admin-onboarding-0402",
        instructorEmails="priya.nair@example.com",
        waitlistingEnabled="no",
        priceInCents="4900",
        status="draft",
        language="en-GB",
    ),
    session(
        courseGroupId=CG_ONBOARDING,
        title="Onboarding for New Admins",
        slug="admin-onboarding-2026-04-09",
        sku="ONB-0409",
        startDate="2026-04-09T14:00:00+01:00",
        endDate="2026-04-09T15:30:00+01:00",
        timeZone="Europe/London",
        webinarProvider="webex",
        instructorEmails="priya.nair@example.com, tom.becker@example.org",
        seatsLimit="25",
        waitlistingEnabled="yes",
        priceInCents="4900",
        status="published",
        language="en-GB",
    ),
    session(
        courseGroupId=CG_ANALYTICS_LATAM,
        title="Visualización de datos en la práctica",
        slug="visualizacion-de-datos-2026-05-05",
        sku="VIZ-ES-0505",
        startDate="2026-05-05T17:00:00.000Z",
        endDate="2026-05-05T19:00:00.000Z",
        timeZone="America/Mexico_City",
        webinarProvider="other",
        joinUrl="https://meet.example.com/j/84512",
        instructorEmails="ana.ruiz@example.org",
        seatsLimit="100",
        waitlistingEnabled="no",
        priceInCents="2500",
        status="published",
        language="es-MX",
    ),
    session(
        courseGroupId=CG_ANALYTICS_LATAM,
        title="Fundamentos de Análise de Dados",
        slug="fundamentos-analise-2026-05-12",
        sku="FAD-PT-0512",
        startDate="2026-05-12T14:00:00-03:00",
        endDate="2026-05-12T16:00:00-03:00",
        timeZone="America/Sao_Paulo",
        webinarProvider="adobeConnect",
        instructorEmails="joao.silva@example.org",
        seatsLimit="30",
        waitlistingEnabled="yes",
        enrollmentStartDate="2026-04-01T00:00:00-03:00",
        enrollmentEndDate="2026-05-11T23:59:00-03:00",
        priceInCents="9900",
        status="pending",
        language="pt-BR",
    ),
    session(
        courseGroupId=CG_DATA_LITERACY,
        title="Quarterly Product Update \u2013 Q2 2026",
        slug="product-update-2026-q2",
        sku="PU-2026Q2",
        startDate="2026-06-30T23:00:00Z",
        endDate="2026-07-01T01:00:00Z",
        timeZone="UTC",
        webinarProvider="goToTraining",
        instructorEmails="product.team@example.com",
        status="authoring",
        language="en",
    ),
    session(
        courseGroupId=CG_ONBOARDING,
        sessionId=fixed_uuid("session:legacy-reporting-0120"),
        title="Legacy Reporting Walkthrough (Archived)",
        slug="legacy-reporting-2026-01-20",
        sku="LR-0120",
        startDate="2026-01-20T10:00:00+09:00",
        endDate="2026-01-20T11:00:00+09:00",
        timeZone="Asia/Tokyo",
        webinarProvider="zoom",
        seatsLimit="20",
        waitlistingEnabled="no",
        priceInCents="0",
        status="archived",
        language="ja",
    ),
]


def _error_row(number: int, **values: object) -> dict[str, object]:
    """A row of the error sample: a valid session on 2026-09-<number>, with ``values`` on top."""
    base: dict[str, object] = {
        "courseGroupId": CG_DATA_LITERACY,
        "title": "Data Literacy 102: Dashboards",
        "slug": f"dashboards-2026-09-{number:02d}",
        "sku": f"DL102-09{number:02d}",
        "startDate": f"2026-09-{number:02d}T15:00:00.000Z",
        "endDate": f"2026-09-{number:02d}T16:00:00.000Z",
        "timeZone": "America/New_York",
        "webinarProvider": "zoom",
        "instructorEmails": "maria.lopez@example.org",
        "seatsLimit": "40",
        "waitlistingEnabled": "no",
        "priceInCents": "0",
        "status": "published",
        "language": "en-US",
    }
    base.update(values)
    return session(**base)


_LONG_TITLE = (
    "Data Literacy 102: Dashboards that people actually read, with worked examples from sales, "
    "finance, support and operations teams, a live build of a KPI dashboard from raw exports, "
    "a review of the ten most common chart mistakes and how to avoid them, plus an open Q&A "
    "with the instructors and a take-home checklist for your next quarterly review deck"
)
assert len(_LONG_TITLE) > 255

_SESSION_3 = fixed_uuid("session:dl102-0903")

# (row, what the row shows). Row numbers: the header is row 1, so element i is row i + 2.
# The XLSX variant differs in two cells: row 8's startDate is a typed Excel date-time and
# row 18's title is a formula with no saved value.
ERROR_SESSIONS: list[tuple[dict[str, object] | None, str]] = [
    (_error_row(2), "valid"),
    (
        _error_row(
            3,
            sessionId=_SESSION_3,
            webinarProvider="other",
            joinUrl="https://meet.example.com/j/5521",
            seatsLimit="80",
            waitlistingEnabled="yes",
            enrollmentStartDate="2026-08-01T00:00:00.000Z",
            enrollmentEndDate="2026-09-02T23:59:00.000Z",
            language="es-MX",
        ),
        "valid",
    ),
    (_error_row(4, courseGroupId="", timeZone="EST"), "required + invalid_time_zone"),
    (_error_row(5, courseGroupId="DL-102", title=_LONG_TITLE), "invalid_uuid + too_long"),
    (_error_row(6, slug="Data Literacy 102"), "invalid_slug"),
    (_error_row(7, startDate="09/07/2026 3:00 PM"), "invalid_datetime"),
    (_error_row(8, startDate="2026-09-08T11:00:00"), "missing_utc_offset"),
    (_error_row(9, endDate="2026-09-09T14:00:00.000Z"), "end_not_after_start"),
    (
        _error_row(10, endDate="2026-09-12T15:00:00.000Z", webinarProvider="Zoom Meetings"),
        "session_too_long + invalid_choice",
    ),
    (
        _error_row(
            11,
            webinarProvider="other",
            joinUrl="http://meet.example.com/j/5522",
            instructorEmails="maria.lopez@example.org; sam.okafor at example.com",
        ),
        "invalid_url + invalid_email",
    ),
    (_error_row(12, seatsLimit="fifty", priceInCents="-500"), "invalid_integer + out_of_range"),
    (_error_row(13, waitlistingEnabled="maybe", language="English"), "invalid_boolean + lang"),
    (
        _error_row(
            14,
            seatsLimit="",
            waitlistingEnabled="yes",
            enrollmentStartDate="2026-09-10T00:00:00.000Z",
            enrollmentEndDate="2026-09-01T00:00:00.000Z",
        ),
        "waitlist_without_limit + enrollment_window",
    ),
    (None, "blank row"),
    (
        _error_row(16, sessionId=_SESSION_3, slug="dashboards-2026-09-02"),
        "duplicate_value (sessionId of row 3, slug of row 2)",
    ),
    (
        _error_row(17, startDate="2026-09-02T15:00:00.000Z", endDate="2026-09-02T16:00:00.000Z"),
        "duplicate_session (row 2)",
    ),
    (
        _error_row(18, title=Formula("1+1"), sku="@DL102-0918"),
        "formula_injection (CSV) / formula_without_value (XLSX) + formula_injection",
    ),
]

# The row-level errors each error sample must produce, as [rowNumber, column, code].
ERROR_SAMPLE_EXPECTED_CSV = [
    [4, "courseGroupId", "required"],
    [4, "timeZone", "invalid_time_zone"],
    [5, "courseGroupId", "invalid_uuid"],
    [5, "title", "too_long"],
    [6, "slug", "invalid_slug"],
    [7, "startDate", "invalid_datetime"],
    [8, "startDate", "missing_utc_offset"],
    [9, "endDate", "end_not_after_start"],
    [10, "endDate", "session_too_long"],
    [10, "webinarProvider", "invalid_choice"],
    [11, "instructorEmails", "invalid_email"],
    [11, "joinUrl", "invalid_url"],
    [12, "priceInCents", "out_of_range"],
    [12, "seatsLimit", "invalid_integer"],
    [13, "language", "invalid_language"],
    [13, "waitlistingEnabled", "invalid_boolean"],
    [14, "enrollmentEndDate", "enrollment_window"],
    [14, "waitlistingEnabled", "waitlist_without_limit"],
    [16, "sessionId", "duplicate_value"],
    [16, "slug", "duplicate_value"],
    [17, "startDate", "duplicate_session"],
    [18, "sku", "formula_injection"],
    [18, "title", "formula_injection"],
]
ERROR_SAMPLE_EXPECTED_XLSX = [
    [18, "title", "formula_without_value"] if err == [18, "title", "formula_injection"] else err
    for err in ERROR_SAMPLE_EXPECTED_CSV
]


def error_rows_csv() -> list[list[str] | None]:
    """The error sample as CSV records (``None`` = the blank line)."""
    return [None if row is None else as_csv_row(row) for row, _ in ERROR_SESSIONS]


def error_rows_xlsx() -> list[list[object] | None]:
    """The error sample as worksheet rows, with row 8's startDate a typed date-time."""
    rows: list[list[object] | None] = []
    for row, _ in ERROR_SESSIONS:
        if row is None:
            rows.append(None)
            continue
        cells = as_xlsx_row(row)
        if row["startDate"] == "2026-09-08T11:00:00":
            cells[COLUMNS.index("startDate")] = datetime(2026, 9, 8, 11, 0)
        rows.append(cells)
    return rows


README = """\
# Sample assets

Small, real-looking webinar-session import files, used by the README, the tests and the repo's
own pre-commit hook. Generated: do not edit by hand; regenerate with

    python tests/make_samples.py

- `template.csv`: the header row only, columns in the contract's order: a blank import template.
- `sessions.csv`, `sessions.xlsx` (sheet `Sessions`): 8 valid sessions using every column; the
  XLSX has seatsLimit/priceInCents as typed numbers. Both validate with exit status 0.
- `sessions_with_errors.csv`, `sessions_with_errors.xlsx` (sheet `Sessions`): 17 data rows:
  rows 2 and 3 valid, row 15 blank, every other row with one or two deliberate errors that
  together show the row-level codes (exit status 1). In the XLSX, F8 is a typed Excel
  date-time (`missing_utc_offset`) and C18 is a formula with no saved value
  (`formula_without_value`; the CSV has `=1+1` as text there: `formula_injection`).

The expected errors of each file are pinned by `tests/cases/sample_*` (see `tests/make_cases.py`).
"""


def main() -> None:
    """Write every sample file."""
    SAMPLES_DIR.mkdir(exist_ok=True)
    (SAMPLES_DIR / "template.csv").write_bytes(csv_text([COLUMNS]).encode())
    valid_csv = [as_csv_row(row) for row in VALID_SESSIONS]
    (SAMPLES_DIR / "sessions.csv").write_bytes(csv_text([COLUMNS, *valid_csv]).encode())
    write_xlsx(SAMPLES_DIR / "sessions.xlsx", COLUMNS, [as_xlsx_row(r) for r in VALID_SESSIONS])
    (SAMPLES_DIR / "sessions_with_errors.csv").write_bytes(
        csv_text([COLUMNS, *error_rows_csv()]).encode()
    )
    write_xlsx(SAMPLES_DIR / "sessions_with_errors.xlsx", COLUMNS, error_rows_xlsx())
    (SAMPLES_DIR / "README.md").write_text(README)


if __name__ == "__main__":
    main()
