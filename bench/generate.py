"""Write the benchmark's session files (issue 5) into a cache folder, deterministically.

    python bench/generate.py                     # every file into bench/_data/
    python bench/generate.py --sizes 10k,100k    # only some sizes
    python bench/generate.py --out /tmp/wv-bench --force

CSV files of 10k, 100k and 1M rows at 0 %, 5 % and 50 % invalid rows, and XLSX files of 10k and
100k rows at 5 %. Valid rows fill all 18 contract columns the way a real export does (unique
slugs, skus and sessionIds, distinct start instants, about 40 time zones, 60 course groups,
offsets and UTC forms mixed, quoted titles and e-mail lists). Each invalid row breaks exactly one
rule, the kinds taking turns (``KINDS``). A file is skipped when it exists and its sidecar
``<name>.json`` records the same parameters; bump ``VERSION`` when the generator changes.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from webinar_validate.contract.columns import SessionContract

VERSION = 2
SEED = 20260505
HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "_data"

# The contract's own column names, in its order: the one place they are kept.
COLUMNS = SessionContract.DEFAULT.names

# The error kinds an invalid row may carry, one per row, taking turns.
KINDS = (
    "bad_uuid",
    "missing_offset",
    "end_before_start",
    "session_too_long",
    "bad_time_zone",
    "bad_provider",
    "http_url",
    "bad_email",
    "non_integer_seats",
    "zero_seats",
    "bad_boolean",
    "waitlist_without_limit",
    "enrollment_window",
    "bad_language",
    "duplicate_slug",
    "formula_injection",
    "control_character",
)

# (name as written, weight): a realistic spread of ~40 zones, a link and one lower-case spelling.
ZONES = (
    ("America/New_York", 14),
    ("America/Chicago", 8),
    ("America/Denver", 3),
    ("America/Los_Angeles", 9),
    ("America/Phoenix", 1),
    ("America/Anchorage", 0.5),
    ("Pacific/Honolulu", 0.5),
    ("America/Toronto", 3),
    ("America/Vancouver", 1),
    ("America/Mexico_City", 2),
    ("America/Sao_Paulo", 3),
    ("America/Bogota", 1),
    ("America/Argentina/Buenos_Aires", 1),
    ("America/Santiago", 0.5),
    ("America/Lima", 0.5),
    ("Europe/London", 8),
    ("Europe/Dublin", 1),
    ("Europe/Lisbon", 0.5),
    ("Europe/Paris", 4),
    ("Europe/Berlin", 5),
    ("Europe/Madrid", 2),
    ("Europe/Rome", 2),
    ("Europe/Amsterdam", 2),
    ("Europe/Stockholm", 1),
    ("Europe/Warsaw", 1),
    ("Europe/Athens", 0.5),
    ("Europe/Istanbul", 0.5),
    ("Africa/Johannesburg", 1),
    ("Africa/Lagos", 0.5),
    ("Africa/Cairo", 0.5),
    ("Asia/Dubai", 1),
    ("Asia/Kolkata", 4),
    ("Asia/Singapore", 2),
    ("Asia/Hong_Kong", 1),
    ("Asia/Shanghai", 1),
    ("Asia/Tokyo", 2),
    ("Asia/Seoul", 1),
    ("Australia/Sydney", 2),
    ("Australia/Melbourne", 1),
    ("Pacific/Auckland", 0.5),
    ("UTC", 3),
    ("US/Eastern", 1),
    ("america/new_york", 0.5),
)
PROVIDERS = (
    ("zoom", 35),
    ("microsoftTeams", 20),
    ("goToWebinar", 12),
    ("webex", 12),
    ("goToTraining", 5),
    ("adobeConnect", 4),
    ("other", 7),
    ("Zoom", 3),
    ("MicrosoftTeams", 2),
)
JOIN_HOSTS = {
    "zoom": "https://zoom.example.com/j/",
    "microsoftteams": "https://teams.example.com/l/meetup-join/",
    "gotowebinar": "https://global.gotowebinar.example.com/join/",
    "webex": "https://acme.webex.example.com/meet/",
    "gototraining": "https://global.gototraining.example.com/join/",
    "adobeconnect": "https://acme.adobeconnect.example.com/",
    "other": "https://events.example.org/live/",
}
STATUSES = (("published", 60), ("draft", 20), ("Published", 5), ("archived", 5), ("", 10))
LANGUAGES = (
    ("en", 20),
    ("en-US", 30),
    ("en-GB", 10),
    ("pt-BR", 5),
    ("de", 5),
    ("de-DE", 5),
    ("fr", 4),
    ("fr-FR", 4),
    ("es", 5),
    ("es-MX", 3),
    ("ja", 4),
    ("it", 3),
    ("", 2),
)
PRICES = (("0", 40), ("4900", 20), ("9900", 15), ("19900", 10), ("", 15))
SEATS = (("", 20), ("25", 15), ("50", 20), ("100", 20), ("250", 10), ("500", 8), ("1000", 5))
SEATS += (("100.0", 2),)
TOPICS = (
    ("Data Literacy 101", "Reading Charts"),
    ("Onboarding for New Admins", "Roles, Permissions and Groups"),
    ("Advanced Reporting", "Dashboards"),
    ("Customer Success Basics", "The First 90 Days"),
    ("Security Awareness", "Phishing, Passwords and You"),
    ("Product Tour", "What's New This Quarter"),
    ("Leadership Essentials", "Giving Feedback"),
    ("Sales Enablement", "Discovery Calls"),
    ("API Workshop", "Webhooks and Bulk Imports"),
    ("Compliance Refresher", "GDPR, CCPA and HIPAA"),
    ("Course Authoring", "Building Assessments"),
    ("Marketplace Setup", "Pricing and Coupons"),
)
FIRST = ("maria", "sam", "priya", "tom", "aiko", "lena", "omar", "grace", "diego", "chen")
LAST = ("lopez", "okafor", "nair", "becker", "tanaka", "schmidt", "haddad", "kim", "rossi", "li")
DOMAINS = ("example.org", "example.com", "training.example.net")
COURSE_GROUPS = 60

# Replacement values for the invalid kinds (each row takes one, in turn).
BAD_ZONES = ("EST", "CET", "PST", "Eastern", "EST5EDT", "America/NewYork", "GMT+1")
BAD_PROVIDERS = ("Zoom Meetings", "teams", "gotomeeting", "WebEx Events", "skype")
BAD_EMAILS = (
    "maria.lopez@",
    "sam okafor@example.com",
    "priya@@example.org",
    "tom.becker@example",
    "grace.kim@example.org; diego.rossi(at)example.com",
)
BAD_SEATS = ("fifty", "12.5", "10 seats", "1e3")
BAD_BOOLEANS = ("maybe", "Y", "1", "on")
BAD_LANGUAGES = ("english", "en_USA", "e", "EN-usa", "fr-")
FORMULAS = ('=HYPERLINK("https://evil.example","Join")', "=1+1", "+Intro", "@SUM(A1)", "-Recap")
# openpyxl refuses C0 control characters, so the XLSX files carry DEL and C1 ones.
CONTROLS = {"csv": ("\x07", "\x01", "\x7f"), "xlsx": ("\x7f", "\x9d")}

BASE = np.datetime64("2026-01-05T08:00", "ms")
MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS


@dataclass(frozen=True)
class Spec:
    """One benchmark file."""

    rows: int
    invalid_pct: int
    fmt: str  # "csv" or "xlsx"

    @property
    def name(self) -> str:
        return f"sessions_{size_label(self.rows)}_{self.invalid_pct}pct.{self.fmt}"

    def params(self) -> dict[str, object]:
        return {**asdict(self), "seed": SEED, "version": VERSION}


def size_label(rows: int) -> str:
    """10000 -> '10k', 1000000 -> '1M'."""
    if rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}M"
    if rows % 1000 == 0:
        return f"{rows // 1000}k"
    return str(rows)


def parse_size(text: str) -> int:
    """'10k' -> 10000, '1M' -> 1000000, '2500' -> 2500."""
    text = text.strip()
    factor = {"k": 1000, "K": 1000, "m": 1_000_000, "M": 1_000_000}.get(text[-1:], 1)
    return int(text[:-1] if factor > 1 else text) * factor


SIZES = (10_000, 100_000, 1_000_000)
SPECS = tuple(Spec(rows, pct, "csv") for rows in SIZES for pct in (0, 5, 50)) + tuple(
    Spec(rows, 5, "xlsx") for rows in (10_000, 100_000)
)


def specs_for(sizes: set[int] | None) -> list[Spec]:
    """The benchmark's files, limited to some sizes."""
    return sorted((s for s in SPECS if sizes is None or s.rows in sizes), key=lambda s: s.rows)


# --- building the rows --------------------------------------------------------------------------


def _pick(rng: np.random.Generator, table: tuple[tuple[str, float], ...], n: int) -> np.ndarray:
    names = np.array([name for name, _ in table], dtype=object)
    weights = np.array([w for _, w in table], dtype=float)
    return names[rng.choice(len(names), size=n, p=weights / weights.sum())]


_VARIANT = dict(zip("0123456789abcdef", "89ab89ab89ab89ab", strict=True))


def _uuids(rng: np.random.Generator, n: int) -> np.ndarray:
    hexes = rng.bytes(16 * n).hex()
    out = np.empty(n, dtype=object)
    for i in range(n):
        h = hexes[32 * i : 32 * i + 32]
        out[i] = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"
    return out


def _offsets(ms: np.ndarray, zones: np.ndarray) -> np.ndarray:
    """Each instant's UTC offset in minutes in its row's zone."""
    out = np.zeros(len(ms), dtype=np.int64)
    utc = pd.DatetimeIndex(ms.astype("datetime64[ms]")).tz_localize("UTC")
    lowered = pd.Series(zones).str.lower().to_numpy()
    for zone in {z.lower() for z, _ in ZONES}:
        where = lowered == zone
        if not where.any():
            continue
        real = next(z for z, _ in ZONES if z.lower() == zone)
        local = utc[where].tz_convert(real).tz_localize(None)
        out[where] = (local - utc[where].tz_localize(None)).total_seconds().to_numpy() // 60
    return out


def _offset_text(minutes: np.ndarray) -> np.ndarray:
    table = {
        m: f"{'-' if m < 0 else '+'}{abs(m) // 60:02d}:{abs(m) % 60:02d}" for m in set(minutes)
    }
    return np.array([table[m] for m in minutes], dtype=object)


def _instants(ms: np.ndarray, offsets: np.ndarray, styles: np.ndarray) -> np.ndarray:
    """ISO 8601 text: style 0 ``...:00.000Z``, 1 ``...:00Z``, 2 ``...:00-04:00``, 3 ``...-04:00``
    without seconds, 4 naive local time (no offset: the missing_offset kind)."""
    out = np.empty(len(ms), dtype=object)
    utc = ms.astype("datetime64[ms]")
    local = (ms + offsets * MINUTE_MS).astype("datetime64[ms]")
    for style in np.unique(styles):
        where = styles == style
        if style == 0:
            text = np.char.add(np.datetime_as_string(utc[where], unit="ms"), "Z")
        elif style == 1:
            text = np.char.add(np.datetime_as_string(utc[where], unit="s"), "Z")
        elif style == 2:
            text = np.datetime_as_string(local[where], unit="s").astype(object)
            text = text + _offset_text(offsets[where])
        elif style == 3:
            text = np.datetime_as_string(local[where], unit="m").astype(object)
            text = text + _offset_text(offsets[where])
        else:
            text = np.datetime_as_string(local[where], unit="s")
        out[where] = text.astype(object)
    return out


def _slugify(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def build(spec: Spec) -> dict[str, np.ndarray]:
    """The file's columns as object arrays of text."""
    n = spec.rows
    rng = np.random.default_rng([SEED, n, spec.invalid_pct, spec.fmt == "xlsx"])
    col: dict[str, np.ndarray] = {}

    groups = _uuids(rng, COURSE_GROUPS)
    group = rng.integers(0, COURSE_GROUPS, size=n)
    topic = group % len(TOPICS)
    col["courseGroupId"] = groups[group]
    upper = rng.random(n) < 0.05  # "any case" (CONTRACT.md): some ids pasted upper-case
    col["courseGroupId"][upper] = [g.upper() for g in groups[group[upper]]]

    col["sessionId"] = np.where(rng.random(n) < 0.5, _uuids(rng, n), "").astype(object)

    part = rng.integers(1, 13, size=n)
    names = [f"{a}: {b}" for a, b in TOPICS]
    col["title"] = np.array(
        [f"{names[t]} (Part {p})" if p > 1 else names[t] for t, p in zip(topic, part, strict=True)],
        dtype=object,
    )
    slugs = [_slugify(a) for a, _ in TOPICS]
    codes = ["".join(w[0] for w in a.split()).upper() for a, _ in TOPICS]
    col["slug"] = np.array([f"{slugs[t]}-{i}" for i, t in enumerate(topic)], dtype=object)
    col["sku"] = np.array([f"{codes[t]}-{i:07d}" for i, t in enumerate(topic)], dtype=object)

    zones = _pick(rng, ZONES, n)
    col["timeZone"] = zones
    # Distinct start instants (one minute apart, shuffled) so duplicate_session never fires.
    start = BASE.astype(np.int64) + rng.permutation(n).astype(np.int64) * MINUTE_MS
    end = start + rng.choice([30, 45, 60, 90, 120, 180], size=n) * MINUTE_MS
    style = rng.choice(4, size=n, p=[0.4, 0.2, 0.3, 0.1])
    start_off = _offsets(start, zones)
    col["startDate"] = _instants(start, start_off, style)
    col["endDate"] = _instants(end, _offsets(end, zones), style)

    provider = _pick(rng, PROVIDERS, n)
    col["webinarProvider"] = provider
    has_url = (rng.random(n) < 0.7) | (provider == "other")
    digits = rng.integers(10**10, 10**11, size=n)
    col["joinUrl"] = np.array(
        [
            f"{JOIN_HOSTS[p.lower()]}{d}" if u else ""
            for p, d, u in zip(provider, digits, has_url, strict=True)
        ],
        dtype=object,
    )

    # Each course group has three instructors; a cell names one or two of them.
    people = [f"{f}.{last}@{d}" for f in FIRST for last in LAST for d in DOMAINS]
    staff = rng.choice(len(people), size=(COURSE_GROUPS, 3))
    first, second = rng.integers(0, 3, size=n), rng.integers(0, 3, size=n)
    count = rng.choice(3, size=n, p=[0.1, 0.6, 0.3])
    sep = rng.choice(["; ", ", ", ";"], size=n)
    emails = np.empty(n, dtype=object)
    for i in range(n):
        g = group[i]
        if count[i] == 0:
            emails[i] = ""
        elif count[i] == 1 or first[i] == second[i]:
            emails[i] = people[staff[g, first[i]]]
        else:
            emails[i] = people[staff[g, first[i]]] + sep[i] + people[staff[g, second[i]]]
    col["instructorEmails"] = emails

    seats = _pick(rng, SEATS, n)
    col["seatsLimit"] = seats
    waitlist = _pick(rng, (("yes", 30), ("no", 40), ("Yes", 5), ("true", 5), ("", 20)), n)
    waitlist[seats == ""] = _pick(rng, (("no", 60), ("", 30), ("false", 10)), n)[seats == ""]
    col["waitlistingEnabled"] = waitlist

    enrol = rng.random(n) < 0.4
    opens = start - rng.choice([7, 14, 30], size=n) * DAY_MS
    closes = start - rng.choice([1, 2, 24], size=n) * HOUR_MS
    zero = np.zeros(n, dtype=np.int64)
    col["enrollmentStartDate"] = np.where(enrol, _instants(opens, zero, zero), "").astype(object)
    col["enrollmentEndDate"] = np.where(enrol, _instants(closes, zero, zero), "").astype(object)

    col["priceInCents"] = _pick(rng, PRICES, n)
    col["status"] = _pick(rng, STATUSES, n)
    col["language"] = _pick(rng, LANGUAGES, n)

    _break(spec, rng, col, start, end, start_off, style)
    return {name: col[name] for name in COLUMNS}


def _break(
    spec: Spec,
    rng: np.random.Generator,
    col: dict[str, np.ndarray],
    start: np.ndarray,
    end: np.ndarray,
    start_off: np.ndarray,
    style: np.ndarray,
) -> None:
    """Make ``invalid_pct`` % of the rows (never the first) break one rule each."""
    n = spec.rows
    bad = np.sort(
        rng.choice(np.arange(1, n), size=round(n * spec.invalid_pct / 100), replace=False)
    )
    kinds = np.array(KINDS, dtype=object)[rng.permutation(len(bad)) % len(KINDS)]
    valid = np.ones(n, dtype=bool)
    valid[bad] = False
    valid_rows = np.flatnonzero(valid)

    def rows(kind: str) -> np.ndarray:
        return bad[kinds == kind]

    def some(values: tuple[str, ...], where: np.ndarray) -> np.ndarray:
        """The values in turn, one per row of ``where``."""
        return np.array(values, dtype=object)[np.arange(len(where)) % len(values)]

    r = rows("bad_uuid")
    col["courseGroupId"][r] = [
        "TBD" if k % 3 == 0 else g[:35] for k, g in enumerate(col["courseGroupId"][r])
    ]
    r = rows("missing_offset")
    col["startDate"][r] = _instants(start[r], start_off[r], np.full(len(r), 4))
    r = rows("end_before_start")
    col["endDate"][r] = _instants(start[r] - HOUR_MS, start_off[r], style[r])
    r = rows("session_too_long")
    col["endDate"][r] = _instants(start[r] + 30 * HOUR_MS, start_off[r], style[r])
    r = rows("bad_time_zone")
    col["timeZone"][r] = some(BAD_ZONES, r)
    r = rows("bad_provider")
    col["webinarProvider"][r] = some(BAD_PROVIDERS, r)
    r = rows("http_url")
    col["joinUrl"][r] = [
        "http://" + (u[len("https://") :] if u else "events.example.org/live/1")
        for u in col["joinUrl"][r]
    ]
    r = rows("bad_email")
    col["instructorEmails"][r] = some(BAD_EMAILS, r)
    r = rows("non_integer_seats")
    col["seatsLimit"][r] = some(BAD_SEATS, r)
    r = rows("zero_seats")
    col["seatsLimit"][r] = "0"
    r = rows("bad_boolean")
    col["waitlistingEnabled"][r] = some(BAD_BOOLEANS, r)
    r = rows("waitlist_without_limit")
    col["seatsLimit"][r] = ""
    col["waitlistingEnabled"][r] = "yes"
    r = rows("enrollment_window")
    zero = np.zeros(len(r), dtype=np.int64)
    late = np.arange(len(r)) % 2 == 0
    opens = np.where(late, start[r] - DAY_MS, start[r] - 7 * DAY_MS)
    closes = np.where(late, start[r] - 2 * DAY_MS, end[r] + DAY_MS)
    col["enrollmentStartDate"][r] = _instants(opens, zero, zero)
    col["enrollmentEndDate"][r] = _instants(closes, zero, zero)
    r = rows("bad_language")
    col["language"][r] = some(BAD_LANGUAGES, r)
    r = rows("duplicate_slug")
    earlier = valid_rows[np.searchsorted(valid_rows, r) - 1]  # row 0 is always valid
    col["slug"][r] = col["slug"][earlier]
    r = rows("formula_injection")
    col["title"][r] = some(FORMULAS, r)
    r = rows("control_character")
    chars = CONTROLS[spec.fmt]
    col["title"][r] = [
        f"{t[:8]}{chars[k % len(chars)]}{t[8:]}" for k, t in enumerate(col["title"][r])
    ]


# --- writing ------------------------------------------------------------------------------------


def write_csv(columns: dict[str, np.ndarray], path: Path) -> None:
    """Write as Excel does: CRLF, quotes only where needed."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows(zip(*columns.values(), strict=True))


def _typed(value: str) -> object:
    """Numbers as a spreadsheet types them; everything else (dates included) as text."""
    if value.isdigit():
        return int(value)
    if value == "100.0":
        return 100.0
    return value


def write_xlsx(columns: dict[str, np.ndarray], path: Path) -> None:
    """Write with openpyxl's write-only mode; seatsLimit and priceInCents as typed numbers.

    Text that begins with ``=`` is stored as a text cell (as Excel saves a cell typed with a
    leading apostrophe), not as a formula: the formula_injection kind stays what it is.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sessions")
    sheet.append(list(COLUMNS))
    numeric = {COLUMNS.index("seatsLimit"), COLUMNS.index("priceInCents")}

    def cell(i: int, v: str) -> object:
        if v == "":
            return None
        if i in numeric:
            return _typed(v)
        if v.startswith("="):
            text = WriteOnlyCell(sheet, value=v)
            text.data_type = "s"
            return text
        return v

    for row in zip(*columns.values(), strict=True):
        sheet.append([cell(i, v) for i, v in enumerate(row)])
    book.save(path)


def generate(spec: Spec, out: Path, *, force: bool = False) -> tuple[Path, bool]:
    """Write one file unless it is there with the same parameters; (path, written)."""
    path = out / spec.name
    sidecar = path.with_name(path.name + ".json")
    if not force and path.exists() and sidecar.exists():
        try:
            if json.loads(sidecar.read_text()) == spec.params():
                return path, False
        except ValueError:
            pass
    columns = build(spec)
    tmp = path.with_name(f".{path.name}.tmp")
    (write_csv if spec.fmt == "csv" else write_xlsx)(columns, tmp)
    os.replace(tmp, path)
    sidecar.write_text(json.dumps(spec.params(), indent=2) + "\n")
    return path, True


def main(argv: list[str] | None = None) -> int:
    """Generate the benchmark files."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="cache folder")
    parser.add_argument("--sizes", help="comma-separated sizes to write, e.g. 10k,100k")
    parser.add_argument("--quick", action="store_true", help="only 10k and 100k")
    parser.add_argument("--force", action="store_true", help="rewrite files that exist")
    args = parser.parse_args(argv)
    sizes = {parse_size(s) for s in args.sizes.split(",")} if args.sizes else None
    if args.quick:
        sizes = (sizes or set(SIZES)) & {10_000, 100_000}
    args.out.mkdir(parents=True, exist_ok=True)
    for spec in specs_for(sizes):
        began = time.perf_counter()
        path, written = generate(spec, args.out, force=args.force)
        took = time.perf_counter() - began
        size = path.stat().st_size / 2**20
        state = f"written in {took:.1f} s" if written else "up to date, skipped"
        print(f"{path}  {size:7.1f} MiB  {state}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
