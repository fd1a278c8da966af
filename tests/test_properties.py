"""Properties over generated files (hypothesis), bounded to well under a minute together.

1. A generated table written as CSV (any accepted delimiter, encoding, quoting, line ending,
   with quoted line breaks and blank lines) or as XLSX: every data row is in exactly one of
   valid, invalid or blank, under its spreadsheet row number, and valid rows carry the values
   written, normalised as the contract says.
2. Random byte mutations of the sample files, and of the XML inside the sample workbook, give a
   report and exit status 0, 1 or 2 through the CLI: never an exception.
3. Validation leaves the input's bytes and modification time as they were, with or without an
   --output file.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout, suppress
from dataclasses import dataclass
from itertools import cycle
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from webinar_validate import validate_file
from webinar_validate.cli.main import main

SAMPLES = Path(__file__).resolve().parents[1] / "sample_assets"
SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".csv", ".xlsx"))
HEADER = ["courseGroupId", "title", "startDate", "endDate", "timeZone", "webinarProvider"]
HEADER += ["seatsLimit"]

FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
"""Every property: examples are files on disk and a CLI run, so no per-example deadline."""


@contextmanager
def _folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


# --------------------------------------------------------------------------- 1. round trip

ZONES = {"America/New_York": "america/NEW_york", "Europe/Berlin": "EUROPE/BERLIN", "UTC": "utc"}
PROVIDERS = ["zoom", "goToWebinar", "goToTraining", "webex", "adobeConnect", "microsoftTeams"]
_T0 = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
# Title characters: delimiters, quotes, line breaks and tabs inside; letters Windows-1252 has.
_TITLE_CHARS = [*"abcXYZ019 ,;\t\"'", "\n", "\r\n", "é", "ü", "€", "ß", "Ä"]
_WIDE_CHARS = ["日", "—", "ğ", "😀"]  # not in Windows-1252


@dataclass(frozen=True)
class Session:
    """A generated row: the cells written, whether it is valid, and the values it must give."""

    cells: list[str]
    valid: bool
    expected: dict[str, Any]


def _casing(text: str, pattern: list[bool]) -> str:
    return "".join(c.upper() if up else c.lower() for c, up in zip(text, cycle(pattern)))


@st.composite
def sessions(draw: st.DrawFn, n: int, wide: bool, cr: bool) -> Session:
    """Session ``n`` (its start is n days after _T0, so no two rows repeat one another)."""
    group = str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1)), version=4))
    group_cell = _casing(group, draw(st.lists(st.booleans(), min_size=1, max_size=8)))
    chars = _TITLE_CHARS + (_WIDE_CHARS if wide else [])
    if not cr:
        chars = [c.replace("\r\n", "\n") for c in chars]
    title = "".join(draw(st.lists(st.sampled_from(chars), max_size=24)))
    title = draw(st.sampled_from(["", " ", "  \u00a0"])) + title + draw(st.sampled_from(["", " "]))
    if title[:1] in ("\t", "\r", "-", "+", "=", "@"):
        title = "x" + title
    start = _T0 + dt.timedelta(days=n, minutes=draw(st.integers(0, 600)))
    end = start + dt.timedelta(minutes=draw(st.integers(15, 24 * 60)))
    offset = dt.timedelta(hours=draw(st.integers(-11, 13)), minutes=draw(st.sampled_from([0, 30])))
    zone = draw(st.sampled_from(sorted(ZONES)))
    provider = draw(st.sampled_from(PROVIDERS))
    seats = draw(st.none() | st.integers(1, 5000))
    seats_cell = "" if seats is None else draw(st.sampled_from([str(seats), f"{seats}.0"]))
    cells = [
        group_cell,
        title,
        _stamp(start, offset),
        _stamp(end, offset),
        draw(st.sampled_from([zone, ZONES[zone]])),
        _casing(provider, draw(st.lists(st.booleans(), min_size=1, max_size=4))),
        seats_cell,
    ]
    broken = draw(st.sampled_from([None, None, None, "zone", "provider", "start", "seats"]))
    if broken == "zone":
        cells[4] = "EST"
    elif broken == "provider":
        cells[5] = "skype, but quoted"
    elif broken == "start":
        cells[2] = start.strftime("%m/%d/%Y %H:%M")
    elif broken == "seats":
        cells[6] = "0"
    expected = {
        "courseGroupId": group,
        "title": title.strip() or None,
        "startDate": start.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "endDate": end.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "timeZone": zone,
        "webinarProvider": provider,
        "seatsLimit": seats,
    }
    return Session(cells, broken is None, expected)


def _stamp(moment: dt.datetime, offset: dt.timedelta) -> str:
    local = moment.astimezone(dt.timezone(offset))
    text = local.isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z") if offset == dt.timedelta(0) else text


_BLANKS = [[""] * len(HEADER), [" "] + [""] * (len(HEADER) - 1), ["\u00a0", "\t"] + [""] * 5]


@st.composite
def tables(draw: st.DrawFn, wide: bool, cr: bool) -> list[Session | list[str] | None]:
    """Data rows: sessions, blank records (None: an empty line) and rows of blank cells."""
    rows: list[Session | list[str] | None] = []
    for n in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["session", "session", "session", "empty", "blank cells"]))
        if kind == "session":
            rows.append(draw(sessions(n, wide, cr)))
        else:
            rows.append(None if kind == "empty" else draw(st.sampled_from(_BLANKS)))
    return rows


def _check(report: Any, rows: list[Session | list[str] | None]) -> None:
    """Each row in exactly one of valid, invalid, blank; valid values as written, normalised."""
    pre = report.preflight
    assert pre.rowsRead == pre.valid + pre.invalid + pre.blank
    valid = {row.rowNumber: row.values for row in report.valid_rows}
    invalid = {row.rowNumber for row in report.invalid_rows}
    assert len(valid) == len(report.valid_rows)
    assert len(invalid) == len(report.invalid_rows)
    want_valid = {n: r for n, r in enumerate(rows, start=2) if isinstance(r, Session) and r.valid}
    want_invalid = {
        n for n, r in enumerate(rows, start=2) if isinstance(r, Session) and not r.valid
    }
    assert set(valid) == set(want_valid)
    assert invalid == want_invalid
    assert pre.blank == sum(not isinstance(r, Session) for r in rows)
    event("with valid rows" if want_valid else "no valid row")  # see --hypothesis-show-statistics
    for number, session in want_valid.items():
        assert valid[number] == session.expected, number


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252"]


def _csv_record(cells: list[str], delimiter: str, quote_all: bool) -> str:
    """One record as Excel writes it: a field is quoted when it holds the delimiter, a quote or
    a line break (Python's csv writer leaves a line feed unquoted when lines end in CR)."""
    special = (delimiter, '"', "\r", "\n")
    return delimiter.join(
        '"' + cell.replace('"', '""') + '"'
        if quote_all or any(ch in cell for ch in special)
        else cell
        for cell in cells
    )


@settings(FAST, max_examples=60)
@given(
    data=st.data(),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(ENCODINGS),
    quote_all=st.booleans(),
    newline=st.sampled_from(["\r\n", "\n", "\r"]),
)
def test_csv_rows_are_all_accounted_for_and_round_trip(
    data: st.DataObject, delimiter: str, encoding: str, quote_all: bool, newline: str
) -> None:
    rows = data.draw(tables(wide=encoding != "cp1252", cr=True))
    records = [_csv_record(HEADER, delimiter, quote_all)]
    for row in rows:
        if row is None:
            records.append("")
        else:
            cells = row.cells if isinstance(row, Session) else row
            records.append(_csv_record(cells, delimiter, quote_all))
    raw = "".join(record + newline for record in records).encode(encoding)
    if encoding == "cp1252":  # a file that happens to be valid UTF-8 is read as UTF-8
        with suppress(UnicodeDecodeError):
            assume(raw.decode("utf-8") == raw.decode("cp1252"))
        # ...and one with a valid UTF-8 sequence by chance (Ä€ is U+0100) may be two encodings
        # mixed (CONTRACT v2 "Encodings"): only files without one are surely Windows-1252.
        assume(raw.decode("utf-8", "ignore").isascii())
    with _folder() as folder:
        path = folder / "sessions.csv"
        path.write_bytes(raw)
        _check(validate_file(path), rows)


@settings(FAST, max_examples=25)
@given(data=st.data())
def test_xlsx_rows_are_all_accounted_for_and_round_trip(data: st.DataObject) -> None:
    # XML turns a carriage return into a line feed (Excel writes _x000D_), so none here.
    rows = data.draw(tables(wide=True, cr=False))
    rows = [None if isinstance(r, list) and not any(r) else r for r in rows]  # no cells: no row
    while rows and rows[-1] is None:
        rows.pop()  # an empty row at the end of a sheet is no row at all
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sessions"
    for number, row in enumerate([HEADER, *rows], start=1):
        cells = row.cells if isinstance(row, Session) else row
        for column, value in enumerate(cells or [], start=1):
            if value:
                sheet.cell(number, column, value).data_type = "s"
    with _folder() as folder:
        path = folder / "sessions.xlsx"
        workbook.save(path)
        _check(validate_file(path), rows)


# --------------------------------------------------------------------------- 2. mutations


def _run_cli(args: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(args)
    assert "Traceback" not in err.getvalue()
    return status, out.getvalue()


def _answered(path: Path) -> None:
    status, printed = _run_cli(["--format", "json", str(path)])
    assert status in (0, 1, 2)
    report = json.loads(printed)
    pre = report["extensions"]["preflight"]
    assert pre["rowsRead"] == pre["valid"] + pre["invalid"] + pre["blank"]
    assert (status == 2) == bool(report["errors"])


_MUTATION = st.one_of(
    st.tuples(st.just("set"), st.floats(0, 1), st.binary(min_size=1, max_size=4)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 64)),
    st.tuples(st.just("cut"), st.floats(0, 1), st.just(0)),
)


def _mutate(data: bytes, mutations: list[tuple[str, float, Any]]) -> bytes:
    buffer = bytearray(data)
    for kind, where, what in mutations:
        at = int(where * len(buffer))
        if kind == "set":
            buffer[at : at + len(what)] = what
        elif kind == "insert":
            buffer[at:at] = what
        elif kind == "delete":
            del buffer[at : at + what]
        else:
            del buffer[at:]
    return bytes(buffer)


@settings(FAST, max_examples=60)
@given(
    sample=st.sampled_from(SAMPLE_FILES),
    mutations=st.lists(_MUTATION, min_size=1, max_size=4),
)
def test_mutated_sample_bytes_always_get_a_report(
    sample: Path, mutations: list[tuple[str, float, Any]]
) -> None:
    with _folder() as folder:
        path = folder / sample.name
        path.write_bytes(_mutate(sample.read_bytes(), mutations))
        _answered(path)


_XML_BITS = st.sampled_from(
    [b"<", b">", b"/", b'"', b"&", b"&amp;", b"<row>", b"</c>", b'r="XFD1"', b't="e"', b"\x00"]
)


@settings(FAST, max_examples=40)
@given(
    part=st.sampled_from(
        [
            "xl/worksheets/sheet1.xml",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
        ]
    ),
    mutations=st.lists(
        st.tuples(st.just("set"), st.floats(0, 1), _XML_BITS | st.binary(min_size=1, max_size=3))
        | st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 40)),
        min_size=1,
        max_size=6,
    ),
)
def test_mutated_workbook_xml_always_gets_a_report(
    part: str, mutations: list[tuple[str, float, Any]]
) -> None:
    """Mutations inside a part, re-zipped with a right CRC, reach the XML readers themselves."""
    source = SAMPLES / "sessions_with_errors.xlsx"
    with zipfile.ZipFile(source) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    assert part in members
    members[part] = _mutate(members[part], mutations)
    with _folder() as folder:
        path = folder / "mutated.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members.items():
                zf.writestr(name, data)
        _answered(path)


# --------------------------------------------------------------------------- 3. untouched

CORPUS = sorted(
    p
    for p in (Path(__file__).resolve().parent / "cases").rglob("input.*")
    if p.stat().st_size < 64 * 1024
)


@settings(FAST, max_examples=30)
@given(
    source=st.sampled_from(SAMPLE_FILES + CORPUS),
    fmt=st.sampled_from(["text", "json", "github"]),
    with_output=st.booleans(),
)
def test_the_input_keeps_its_bytes_and_modification_time(
    source: Path, fmt: str, with_output: bool
) -> None:
    with _folder() as folder:
        path = folder / source.name
        path.write_bytes(source.read_bytes())
        os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_123_456_789))
        before = (path.read_bytes(), path.stat().st_mtime_ns)
        args = ["--format", fmt, str(path)]
        if with_output:
            args = ["--output", str(folder / "report.json"), *args]
        status, _printed = _run_cli(args)
        assert status in (0, 1, 2)
        assert (path.read_bytes(), path.stat().st_mtime_ns) == before
        written = sorted(p.name for p in folder.iterdir())
        assert written == sorted([source.name, *(["report.json"] if with_output else [])])
