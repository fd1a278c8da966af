"""Valid cells -> the normalised values CONTRACT.md's table gives for validRows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from webinar_validate import _values
from webinar_validate._checks import BOOLEANS, Context, integers, per_value
from webinar_validate.contract import Kind


def _language(text: str) -> str:
    lang, _, region = text.replace("_", "-").partition("-")
    return f"{lang.lower()}-{region.upper()}" if region else lang.lower()


def _instant_text(ctx: Context, col: str) -> pd.Series:
    instants = ctx.instants(col)[0]
    # numpy's ISO formatting is C code: ~10x faster than strftime, and ms gives ".SSS" exactly.
    naive = instants.dt.tz_convert(None).to_numpy().astype("datetime64[ms]")
    text = [f"{value}Z" for value in np.datetime_as_string(naive, unit="ms").tolist()]
    result = pd.Series(text, index=ctx.frame.index, dtype=object)
    return result.where(instants.notna(), None)


def normalized(ctx: Context, col: str) -> pd.Series:
    """The column's normalised values as Python objects; None where blank."""
    spec = ctx.contract.column(col)
    text = ctx.text(col)
    kind = spec.kind if spec else None
    result: pd.Series
    if kind is None:
        return ctx.raw(col).astype(object)
    if kind is Kind.UUID:
        result = text.str.lower().astype(object)
    elif kind is Kind.INSTANT:
        result = _instant_text(ctx, col)
    elif kind is Kind.TIME_ZONE:
        result = ctx.zones(col)
    elif kind is Kind.CHOICE:
        choices = {c.lower(): c for c in spec.choices} if spec else {}
        result = text.str.lower().map(choices).astype(object)
    elif kind is Kind.EMAILS:
        result = per_value(text, _values.split_emails)
    elif kind is Kind.INTEGER:
        result = integers(ctx, col).astype(object)
    elif kind is Kind.BOOLEAN:
        result = text.str.lower().map(BOOLEANS).astype(object)
    elif kind is Kind.LANGUAGE:
        result = per_value(text, _language)
    elif spec is not None and spec.choices:
        choices = {c.lower(): c for c in spec.choices}
        result = text.str.lower().map(choices).astype(object)
    else:
        result = text.astype(object)
    return result.where(~ctx.blank(col), None)
