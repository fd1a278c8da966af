"""The header row: which column is which, by the contract's names (CONTRACT.md, "Headers")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from webinar_validate.codes import Code
from webinar_validate.contract import values as _values
from webinar_validate.contract.columns import SessionContract, normalize_header
from webinar_validate.errors import HeaderError, Problem
from webinar_validate.report.model import Warning_
from webinar_validate.table import cell_ref, column_letters


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
) -> Header:
    """Map header cells to contract columns; raise HeaderError for a header that cannot work.

    ``sheet`` and ``row_number`` place the header, for the cell a formula_injection names.
    """
    by_key = {normalize_header(name): name for name in contract.names}
    keys: list[str] = []
    known: list[bool] = []
    warnings: list[Warning_] = []
    problems: list[Problem] = []
    first_seen: dict[str, int] = {}
    for position, raw in enumerate(header):
        text = _values.trim(raw)
        letter = column_letters(position)
        at = _values.formula_start(raw)
        if at is not None:  # judged as given; as trimmed it gives the same answer
            ref = cell_ref(sheet, row_number, position)
            problems.append(
                Problem(
                    Code.FORMULA_INJECTION,
                    f"The header {raw!r} in {ref} begins with "
                    f"{_values.formula_opening(raw, at)}, which a spreadsheet may run as a "
                    f"formula; rename the column: {_values.formula_remedy(raw, at)}.",
                )
            )
        name = by_key.get(normalize_header(text)) if text else None
        if name is not None and text != name:
            warnings.append(
                Warning_(
                    code=Code.HEADER_NORMALIZED,
                    message=f"Header {text!r} in column {letter} is read as {name}; "
                    f"rename it to {name} to match the contract exactly.",
                )
            )
        key = name if name is not None else (text or f"column {letter}")
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
                f"Column {letter} ({text!r}) is not part of the contract"
                if text
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
    for spec in contract.columns:
        if spec.required and spec.name not in first_seen:
            problems.append(
                Problem(
                    Code.MISSING_COLUMN,
                    f"The required column {spec.name} is missing; add a column headed {spec.name}.",
                )
            )
    if problems:
        raise HeaderError(problems[0].message, problems=tuple(problems))
    return Header(keys, known, warnings)
