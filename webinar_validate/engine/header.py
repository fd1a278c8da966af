"""The header row: which column is which, by the contract's names (CONTRACT.md, "Headers").

Matching ignores invisible characters (``normalize_header``), and the header_normalized warning
names each one in words. When required columns are missing, one message lists them all and says
where the header probably is: on a later row of the first 20, or on another visible sheet of the
workbook (read from the judged bytes by ``reading.sheets``, only when the header has failed).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from webinar_validate.codes import Code
from webinar_validate.contract import values as _values
from webinar_validate.contract.columns import SessionContract, normalize_header
from webinar_validate.errors import HeaderError, Problem
from webinar_validate.report.model import Warning_
from webinar_validate.table import cell_ref, column_letters

if TYPE_CHECKING:
    from webinar_validate.table import Table

HINT_ROWS = 20
"""A header is looked for on rows 1 to HINT_ROWS (CONTRACT v2, "Headers")."""

INVISIBLE = {
    "\ufeff": "a byte-order mark",
    "\u200b": "a zero-width space",
    "\u200c": "a zero-width non-joiner",
    "\u200d": "a zero-width joiner",
    "\u2060": "a word joiner",
    "\u00a0": "a non-breaking space",
}
"""The invisible characters header matching ignores (as ``normalize_header`` does), in words."""
MOJIBAKE_BOM = "\u00ef\u00bb\u00bf"
_MOJIBAKE_WORDS = "a UTF-8 byte-order mark read as Windows-1252 (ï»¿)"


@dataclass(frozen=True, slots=True)
class Header:
    keys: list[str]
    """Per file column: the contract name, or the header text for an unknown column."""
    known: list[bool]
    warnings: list[Warning_]


def match_header(
    header: Sequence[str],
    contract: SessionContract,
    *,
    strict: bool,
    sheet: str | None = None,
    row_number: int = 1,
    table: Table | None = None,
) -> Header:
    """Map header cells to contract columns; raise HeaderError for a header that cannot work.

    ``sheet`` and ``row_number`` place the header, for the cell a formula_injection names.
    ``table``, the Table the header heads, lets a missing_column message say where the header
    probably is (its first rows and, for a workbook, its other visible sheets).
    """
    by_key = {normalize_header(name): name for name in contract.names}
    keys: list[str] = []
    known: list[bool] = []
    warnings: list[Warning_] = []
    problems: list[Problem] = []
    first_seen: dict[str, int] = {}
    for position, raw in enumerate(header):
        text = _values.trim(raw)
        shown = _visible(text)
        letter = column_letters(position)
        at = _values.formula_start(raw)
        if at is not None:  # judged as given; as trimmed it gives the same answer
            ref = cell_ref(sheet, row_number, position)
            problems.append(
                Problem(
                    Code.FORMULA_INJECTION,
                    f"The header '{_values.trim(raw)}' in {ref} begins with "
                    f"{_values.formula_opening(raw, at)}, which a spreadsheet may run as a "
                    f"formula; rename the column: {_values.formula_remedy(raw, at)}.",
                )
            )
        name = by_key.get(normalize_header(text)) if shown else None
        if name is not None and (text != name or _invisible_in(raw)):
            warnings.append(
                Warning_(code=Code.HEADER_NORMALIZED, message=_normalized(raw, shown, letter, name))
            )
        key = name if name is not None else (text if shown else f"column {letter}")
        if key in first_seen:
            other = column_letters(first_seen[key])
            problems.append(
                Problem(
                    Code.DUPLICATE_COLUMN,
                    f"Columns {other} and {letter} both mean {key}; delete or rename one of them.",
                )
            )
        else:
            first_seen[key] = position
        if name is None:
            message = (
                f"Column {letter} ('{shown}') is not part of the contract"
                if shown
                else f"Column {letter} has no header"
            )
            if strict:
                problems.append(Problem(Code.UNKNOWN_COLUMN, f"{message}; remove it or rename it."))
            else:
                warnings.append(
                    Warning_(
                        code=Code.UNKNOWN_COLUMN,
                        message=f"{message}; its cells are kept as they are.",
                    )
                )
        keys.append(key)
        known.append(name is not None)
    missing = [
        spec.name for spec in contract.columns if spec.required and spec.name not in first_seen
    ]
    if missing:
        hint = _where_the_header_is(contract, set(first_seen), table) if table is not None else None
        listed = _and(missing)
        said = (
            f"The required column {listed} is missing"
            if len(missing) == 1
            else f"The required columns {listed} are missing"
        )
        if hint is None:
            headed = "a column" if len(missing) == 1 else "columns"
            problems.append(Problem(Code.MISSING_COLUMN, f"{said}; add {headed} headed {listed}."))
        else:  # the header is elsewhere: that is the problem to read first
            problems.insert(0, Problem(Code.MISSING_COLUMN, f"{said}; {hint}."))
    if problems:
        raise HeaderError(problems[0].message, problems=tuple(problems))
    return Header(keys, known, warnings)


def _visible(text: str) -> str:
    """A header as a person sees it: invisible characters left out, a non-breaking space shown
    as a space."""
    if not any(ch in INVISIBLE for ch in text):
        return text
    shown = "".join(
        " " if ch == "\u00a0" else ch for ch in text if ch in " \u00a0" or ch not in INVISIBLE
    )
    return _values.trim(shown)


def _invisible_in(raw: str) -> list[str]:
    """The invisible characters (and ``ï»¿``) in a header cell, in words, in order met."""
    found: list[str] = []
    rest = raw.replace(MOJIBAKE_BOM, "\0") if MOJIBAKE_BOM in raw else raw
    for ch in rest:
        words = _MOJIBAKE_WORDS if ch == "\0" else INVISIBLE.get(ch)
        if words is not None and words not in found:
            found.append(words)
    return found


def _normalized(raw: str, shown: str, letter: str, name: str) -> str:
    """The header_normalized warning: what was read, what it is read as, what to do."""
    found = _invisible_in(raw)
    if not found:
        return (
            f"Header '{shown}' in column {letter} is read as {name}; "
            f"rename it to {name} to match the contract exactly."
        )
    marked = raw.replace(MOJIBAKE_BOM, "\0")
    odd = {*INVISIBLE, "\0"}
    skipped = odd | set(_values.TRIMMED)
    lead = next((i for i, ch in enumerate(marked) if ch not in skipped), len(marked))
    trail = next((i for i, ch in enumerate(reversed(marked)) if ch not in skipped), 0)
    inner = marked[lead : len(marked) - trail]
    at_start, at_end = (
        bool(odd & set(marked[:lead])),
        bool(odd & set(marked[len(marked) - trail :])),
    )
    if odd & set(inner) or at_start == at_end:
        place = "contains"
    else:
        place = "begins with" if at_start else "ends with"
    return (
        f"Header '{shown}' in column {letter} {place} {_and(found)}, which is ignored: it is "
        f"read as {name}; retype the header as {name} to remove "
        f"{'it' if len(found) == 1 else 'them'}."
    )


def _and(words: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


# --------------------------------------------------------------------------- where it is


def _held(cells: Sequence[str], by_key: dict[str, str], required: set[str]) -> tuple[int, int]:
    """(required columns, contract columns) that a row's cells would head."""
    names = {by_key.get(normalize_header(cell)) for cell in cells if cell}
    names.discard(None)
    return len(names & required), len(names)


def _where_the_header_is(contract: SessionContract, found: set[str], table: Table) -> str | None:
    """Where the header probably is, in words; None when no row of the first HINT_ROWS (of
    this sheet, or of another visible sheet of the workbook) heads more required columns."""
    by_key = {normalize_header(name): name for name in contract.names}
    required = {spec.name for spec in contract.columns if spec.required}
    have = len(found & required)
    enough = max(have + 1, (len(required) + 1) // 2)
    best: tuple[tuple[int, int], str | None, int, bool] | None = None
    for sheet, rows in _first_rows(table):
        first = True
        for number, cells in rows:
            if not "".join(cells).strip():
                continue
            if sheet == table.sheet and number <= table.header_row_number:
                first = False
                continue
            score = _held(cells, by_key, required)
            if score[0] >= enough and (best is None or score > best[0]):
                best = (score, sheet, number, first)
            first = False
    if best is None:
        return None
    _, sheet, number, first = best
    if sheet == table.sheet:
        return f"the header seems to be on row {number}: delete the rows above it"
    assert sheet is not None
    named = sheet if sheet.replace("_", "").isalnum() else f"'{sheet}'"
    option = f"--sheet {shlex.quote(sheet)}"
    if first:
        return f"sheet {named} has the contract's columns: use {option}"
    return (
        f"sheet {named} has the contract's columns on row {number}: use {option} and delete "
        "the rows above that row"
    )


def _first_rows(table: Table) -> list[tuple[str | None, list[tuple[int, list[str]]]]]:
    """(sheet, [(row number, cells)]) for rows 1..HINT_ROWS: the Table's own sheet first, then
    the workbook's other visible sheets, read from the bytes judged (``reading.sheets``)."""
    if table.workbook is not None:
        from webinar_validate.reading.sheets import first_rows

        tops = first_rows(table.source, table.workbook, rows=HINT_ROWS, also=table.sheet)
        if tops:
            own = [(top.name, top.rows) for top in tops if top.name == table.sheet]
            other = [(top.name, top.rows) for top in tops if top.name != table.sheet]
            return [*own, *other]
    indices = [i for i, number in enumerate(table.row_numbers[:HINT_ROWS]) if number <= HINT_ROWS]
    rows = table.row_values(indices)
    return [
        (
            table.sheet,
            [
                (table.row_numbers[i], [*cells, *table.extras.get(i, ())])
                for i, cells in zip(indices, rows, strict=True)
            ],
        )
    ]
