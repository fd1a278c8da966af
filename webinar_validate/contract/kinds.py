"""Each kind's knowledge in one place: how a valid cell is normalised for validRows, its pandas
dtype in ``valid_frame()``, its JSON Schema, and the one safe fix ``--fix`` may make of it.

A kind's checks are in ``checks`` (``own_rules``); everything else a kind means is here, so a
new Kind is a change to ``columns``, ``checks`` and this module.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from webinar_validate.contract import values as _values
from webinar_validate.contract.columns import ColumnSpec, Kind, SessionContract
from webinar_validate.contract.values import ISO_SHAPE, ISO_WITH_OFFSET

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

# pandas, numpy and pyarrow are imported where values are normalised: ``--fix`` and the JSON
# Schema need neither, and ``webinar-validate template`` answers without them.


class Parsed(Protocol):
    """What normalising reads of a run: the run's Context, or what was taken out of it."""

    contract: SessionContract

    def text(self, col: str) -> pd.Series: ...  # pragma: no cover - a protocol
    def raw(self, col: str) -> pd.Series: ...  # pragma: no cover - a protocol
    def blank(self, col: str) -> pd.Series: ...  # pragma: no cover - a protocol
    def instants(self, col: str) -> tuple[pd.Series, pd.Series]: ...  # pragma: no cover
    def zones(self, col: str) -> pd.Series: ...  # pragma: no cover - a protocol
    def integers(self, col: str) -> pd.Series: ...  # pragma: no cover - a protocol


# --- normalised values (validRows) -----------------------------------------------------------


def _language(text: str) -> str:
    lang, _, region = text.replace("_", "-").partition("-")
    return f"{lang.lower()}-{region.upper()}" if region else lang.lower()


def _arrow(series: pd.Series, kind: Any = None) -> Any:
    """A Series (Arrow-backed text, or Python objects with None) as one Arrow array."""
    import pandas as pd
    import pyarrow as pa

    from webinar_validate.contract.cells import arrow_column

    if isinstance(series.dtype, (pd.StringDtype, pd.Int64Dtype)):
        array = arrow_column(series)
        return array if kind is None else array.cast(kind)
    return pa.array(series.to_numpy(dtype=object), type=kind, from_pandas=True)


def _instant_text(ctx: Parsed, col: str) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    instants = pa.array(ctx.instants(col)[0])
    # Formatting a zoned timestamp looks up the zone per value (~3 s a million); the values are
    # UTC already, so format them as naive ones and write the T and the Z.
    naive = pc.cast(pc.cast(instants, pa.timestamp("ms", tz="UTC"), safe=False), pa.timestamp("ms"))
    text = pc.utf8_replace_slice(pc.cast(naive, pa.string()), 10, 11, "T")
    return pc.binary_join_element_wise(text, "Z", "")


def _per_unique(text: pd.Series, func: Any, kind: Any) -> Any:
    """``func`` of each distinct cell, as an Arrow array of ``kind`` (null where ``func`` gives
    None): one call and one Python object per distinct value, not per row."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    values = pa.array([*(func(value) for value in uniques), None], type=kind)
    return values.take(pa.array(np.where(codes < 0, len(uniques), codes)))


def _choices(text: pd.Series, choices: tuple[str, ...]) -> Any:
    import pyarrow as pa

    table = {c.lower(): c for c in choices}
    return _per_unique(text, lambda value: table.get(value.lower()), pa.string())


def normalized(ctx: Parsed, col: str) -> Any:
    """The column's normalised values as an Arrow array; null where blank (every row)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    spec = ctx.contract.column(col)
    text = ctx.text(col)
    kind = spec.kind if spec else None
    if kind is None:
        return _arrow(ctx.raw(col))  # carried through unchanged, blanks included
    if kind is Kind.UUID:
        result = _arrow(text.str.lower())
    elif kind is Kind.INSTANT:
        result = _instant_text(ctx, col)
    elif kind is Kind.TIME_ZONE:
        result = _arrow(ctx.zones(col), pa.string())
    elif kind is Kind.CHOICE or (spec is not None and spec.choices):
        result = _choices(text, spec.choices if spec else ())
    elif kind is Kind.EMAILS:
        result = _per_unique(text, _values.split_emails, pa.list_(pa.string()))
    elif kind is Kind.INTEGER:
        result = _arrow(ctx.integers(col), pa.int64())
    elif kind is Kind.BOOLEAN:
        result = _per_unique(text, lambda value: _values.BOOLEANS.get(value.lower()), pa.bool_())
    elif kind is Kind.LANGUAGE:
        result = _per_unique(text, _language, pa.string())
    else:
        result = _arrow(text)
    blank = ctx.blank(col).to_numpy(dtype=bool)
    if blank.any():
        result = pc.if_else(pa.array(blank), pa.scalar(None, result.type), result)
    return result


# --- valid_frame() dtypes -------------------------------------------------------------------

INSTANT_DTYPE = "datetime64[us, UTC]"
DTYPES: dict[Kind, str] = {
    Kind.INTEGER: "Int64",
    Kind.BOOLEAN: "boolean",
    Kind.INSTANT: INSTANT_DTYPE,
    Kind.EMAILS: "object",
}
"""The pandas dtype of ``valid_frame()``'s column of each kind; any other kind is ``str``."""


def frame_dtypes(contract: SessionContract, keys: Sequence[str]) -> dict[str, str]:
    """The pandas dtype of each of the contract's columns, and ``str`` for the file's others."""
    dtypes = dict.fromkeys(keys, "str")
    for spec in contract.columns:
        dtypes[spec.name] = DTYPES.get(spec.kind, "str")
    return dtypes


# --- JSON Schema of a normalised value ------------------------------------------------------

_INSTANT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$"


def json_schema(spec: ColumnSpec) -> dict[str, Any]:
    """The JSON Schema of one column's normalised value in validRows."""
    schema: dict[str, Any]
    if spec.kind is Kind.INTEGER:
        schema = {"type": "integer"}
        if spec.minimum is not None:
            schema["minimum"] = spec.minimum
    elif spec.kind is Kind.BOOLEAN:
        schema = {"type": "boolean"}
    elif spec.kind is Kind.EMAILS:
        schema = {"type": "array", "items": {"type": "string", "format": "email"}, "minItems": 1}
    elif spec.kind is Kind.UUID:
        lower = _values.UUID.replace("A-F", "")
        schema = {"type": "string", "format": "uuid", "pattern": f"^{lower}$"}
    elif spec.kind is Kind.INSTANT:
        schema = {"type": "string", "format": "date-time", "pattern": _INSTANT}
    elif spec.kind is Kind.TIME_ZONE:
        schema = {"type": "string", "enum": _values.accepted_zones()}
    elif spec.kind is Kind.URL:
        schema = {"type": "string", "format": "uri", "pattern": "^https://"}
    elif spec.kind is Kind.LANGUAGE:
        schema = {"type": "string", "pattern": "^[a-z]{2}(?:-[A-Z]{2})?$"}
    else:
        schema = {"type": "string"}
    if spec.choices:
        schema["enum"] = list(spec.choices)
    if spec.max_length is not None:
        schema["maxLength"] = spec.max_length
    if spec.pattern is not None:
        schema["pattern"] = spec.pattern
    if spec.description:
        schema["description"] = spec.description
    if not spec.required:
        schema = {"anyOf": [schema, {"type": "null"}]} | (
            {"description": schema.pop("description")} if "description" in schema else {}
        )
    return schema


# --- the safe fix of a cell (--fix) ---------------------------------------------------------

_OFFSET = re.compile(r"[+-][0-9]{2}:[0-9]{2}")
_BOOLEANS = {"yes": "yes", "true": "yes", "no": "no", "false": "no"}
_MAX_DIGITS = 15


class _Patterns(NamedTuple):
    uuid: re.Pattern[str]
    whole: re.Pattern[str]
    language: re.Pattern[str]
    control: re.Pattern[str]
    instant: re.Pattern[str]
    with_offset: re.Pattern[str]


@cache
def _patterns() -> _Patterns:
    """The checks' own patterns, so that a fix accepts exactly what the checks accept."""
    return _Patterns(
        re.compile(_values.UUID),
        re.compile(_values.WHOLE_NUMBER),
        re.compile(_values.LANGUAGE),
        re.compile(_values.CONTROL),
        re.compile(ISO_SHAPE),
        re.compile(ISO_WITH_OFFSET),
    )


def fixed_text(spec: ColumnSpec, raw: str, zone: str | None) -> str:
    """The safe fix of one cell of a known column (``raw`` itself when there is none).

    ``zone`` is the row's canonical time zone when its timeZone cell is valid, else None.
    """
    after = _fixed(spec, raw, zone)
    if after != raw and runs_as_formula(after):
        # The fix would make (or keep) a cell that a spreadsheet runs: removing a leading tab,
        # CR or white space that kept it from running, say. Not a safe change.
        return raw
    return after


def _fixed(spec: ColumnSpec, raw: str, zone: str | None) -> str:
    patterns = _patterns()
    if patterns.control.search(raw):
        return raw
    if not spec.judged_as_number_or_date and runs_as_formula(raw):
        return raw  # flagged formula_injection: the user decides what the cell should say
    text = _values.trim(raw)  # what is checked and sent
    kind = spec.kind
    if spec.choices:
        return {c.lower(): c for c in spec.choices}.get(text.lower(), text)
    if kind is Kind.UUID and patterns.uuid.fullmatch(text):
        return text.lower()
    if kind is Kind.TIME_ZONE:
        return _values.canonical_zone(text) or text
    if kind is Kind.BOOLEAN:
        return _BOOLEANS.get(text.lower(), text)
    if kind is Kind.LANGUAGE and patterns.language.fullmatch(text):
        language, _, region = text.replace("_", "-").partition("-")
        return f"{language.lower()}-{region.upper()}" if region else language.lower()
    if kind is Kind.INTEGER and patterns.whole.fullmatch(text):
        whole = text.split(".", 1)[0]
        return str(int(whole)) if len(whole.lstrip("+-")) <= _MAX_DIGITS else text
    if kind is Kind.INSTANT and patterns.instant.fullmatch(text):
        return _fixed_instant(text, zone, has_offset=bool(patterns.with_offset.fullmatch(text)))
    return text


def _fixed_instant(text: str, zone: str | None, *, has_offset: bool) -> str:
    """A date-time of ISO_SHAPE in its ``T`` form (a space may stand for the T); one without an
    offset gets the offset ``zone`` implies, or stays as written when there is none."""
    written = _values.t_form(text)  # the user's own digits, with the T the contract shows
    if has_offset:
        return written
    if zone is None:
        return text
    resolved, _ = _values.resolve_local(text, zone)
    suffix = resolved[19:] if resolved else ""
    # A gap or overlap time has no one offset: it stays as the user wrote it.
    return written + suffix if _OFFSET.fullmatch(suffix) else text


def runs_as_formula(text: str) -> bool:
    """Whether a spreadsheet may run ``text`` as a formula: the contract's formula_injection
    rule itself (``values.formula_start``), which gives the same answer for the text as given
    and as trimmed for sending; every output asks it."""
    return _values.formula_start(text) is not None
