"""The workbook size limits (CONTRACT.md "Reading a file", README "Limits"): one place for the
figures that the dispatcher and the zip guards both apply, importable without either."""

from __future__ import annotations

MAX_PART_BYTES = 256 * 1024 * 1024
"""Largest declared uncompressed size of any workbook part (CONTRACT: resource limits)."""
MAX_WORKBOOK_BYTES = 1 << 30
"""Largest workbook file: it is read into memory once, and every step reads those bytes."""
