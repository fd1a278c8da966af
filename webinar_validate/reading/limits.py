"""The reading limits (CONTRACT.md "Reading a file", README "Limits"): one place for the figures
that the dispatcher and the zip guards both apply, and for the row limit's error that the CSV and
XLSX readers both raise, importable without any of them."""

from __future__ import annotations

from webinar_validate.errors import TooManyRows

MAX_PART_BYTES = 256 * 1024 * 1024
"""Largest declared uncompressed size of any workbook part (CONTRACT: resource limits)."""
MAX_WORKBOOK_BYTES = 1 << 30
"""Largest workbook file: it is read into memory once, and every step reads those bytes."""


def too_many_rows(source: str, limit: int) -> TooManyRows:
    """The error for a file with more than ``limit`` non-blank data rows."""
    return TooManyRows(
        f"{source} has more than {limit:,} data rows, the limit; split the file or raise "
        "--max-rows."
    )
