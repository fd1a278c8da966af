"""The stable error and warning codes of CONTRACT.md, in one enum.

Tests, users and scripts match on these identifiers, never on messages.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    """Every code the tool reports: file-level, row-level and warnings."""

    # file-level: the file cannot be judged (exit status 2)
    FILE_NOT_FOUND = "file_not_found"
    UNSUPPORTED_FORMAT = "unsupported_format"
    UNREADABLE_FILE = "unreadable_file"
    EMPTY_FILE = "empty_file"
    MISSING_COLUMN = "missing_column"
    DUPLICATE_COLUMN = "duplicate_column"
    TOO_MANY_ROWS = "too_many_rows"
    UNKNOWN_COLUMN = "unknown_column"  # file-level only with strict; a warning otherwise
    USAGE = "usage"  # the command or a schema file was used wrongly (exit status 2)

    # row-level: the row goes to invalidRows (exit status 1)
    REQUIRED = "required"
    INVALID_UUID = "invalid_uuid"
    TOO_LONG = "too_long"
    INVALID_SLUG = "invalid_slug"
    INVALID_DATETIME = "invalid_datetime"
    MISSING_UTC_OFFSET = "missing_utc_offset"
    END_NOT_AFTER_START = "end_not_after_start"
    SESSION_TOO_LONG = "session_too_long"
    INVALID_TIME_ZONE = "invalid_time_zone"
    INVALID_CHOICE = "invalid_choice"
    INVALID_URL = "invalid_url"
    INVALID_EMAIL = "invalid_email"
    INVALID_INTEGER = "invalid_integer"
    OUT_OF_RANGE = "out_of_range"
    INVALID_BOOLEAN = "invalid_boolean"
    WAITLIST_WITHOUT_LIMIT = "waitlist_without_limit"
    ENROLLMENT_WINDOW = "enrollment_window"
    INVALID_LANGUAGE = "invalid_language"
    DUPLICATE_VALUE = "duplicate_value"
    DUPLICATE_SESSION = "duplicate_session"
    FORMULA_INJECTION = "formula_injection"  # file-level too, for a header cell
    FORMULA_ERROR = "formula_error"
    FORMULA_WITHOUT_VALUE = "formula_without_value"
    INVALID_CHARACTER = "invalid_character"
    EXTRA_CELLS = "extra_cells"
    INVALID_PATTERN = "invalid_pattern"  # a user-added column's own pattern (--schema)

    # warnings: never make a row invalid
    HEADER_NORMALIZED = "header_normalized"
    BLANK_ROW = "blank_row"
    # warnings for likely mistakes (CONTRACT.md v2): each names its cell
    OFFSET_MISMATCH = "offset_mismatch"
    STARTS_IN_THE_PAST = "starts_in_the_past"
    PRICE_LOOKS_LIKE_UNITS = "price_looks_like_units"
    NOTHING_TO_IMPORT = "nothing_to_import"  # ours, outside the contract (as USAGE is)


FILE_LEVEL_CODES = frozenset(
    {
        Code.FILE_NOT_FOUND,
        Code.UNSUPPORTED_FORMAT,
        Code.UNREADABLE_FILE,
        Code.EMPTY_FILE,
        Code.MISSING_COLUMN,
        Code.DUPLICATE_COLUMN,
        Code.TOO_MANY_ROWS,
        Code.UNKNOWN_COLUMN,
        Code.USAGE,
        Code.FORMULA_INJECTION,  # a header cell that starts like a formula
    }
)
WARNING_CODES = frozenset(
    {
        Code.HEADER_NORMALIZED,
        Code.UNKNOWN_COLUMN,
        Code.BLANK_ROW,
        Code.OFFSET_MISMATCH,
        Code.STARTS_IN_THE_PAST,
        Code.PRICE_LOOKS_LIKE_UNITS,
        Code.NOTHING_TO_IMPORT,
    }
)
