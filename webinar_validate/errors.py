"""Exceptions: only a file that cannot be judged raises; invalid rows are data.

The tree::

    WebinarValidateError          any failure that stops a file from being judged (exit status 2)
    ├── FileNotFound              file_not_found
    ├── UnsupportedFormat         unsupported_format
    ├── UnreadableFile            unreadable_file
    ├── EmptyFile                 empty_file
    ├── TooManyRows               too_many_rows
    ├── HeaderError               missing_column / duplicate_column / unknown_column /
    │                             formula_injection in a header cell (one or more)
    └── UsageError                the command, an output path or a --schema file is wrong
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from webinar_validate.codes import Code


@dataclass(frozen=True, slots=True)
class Problem:
    """One file-level problem: a code and a sentence a spreadsheet user understands."""

    code: Code
    message: str


class WebinarValidateError(Exception):
    """Base of every file-level failure; carries one or more problems."""

    code: Code = Code.UNREADABLE_FILE

    def __init__(self, message: str, *, problems: tuple[Problem, ...] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: tuple[Problem, ...] = problems or (Problem(self.code, message),)


class FileNotFound(WebinarValidateError):
    """The path does not exist or is not a file."""

    code = Code.FILE_NOT_FOUND


class UnsupportedFormat(WebinarValidateError):
    """Not a CSV or XLSX file."""

    code = Code.UNSUPPORTED_FORMAT


class UnreadableFile(WebinarValidateError):
    """Corrupt, encrypted, undecodable, or past the resource limits."""

    code = Code.UNREADABLE_FILE


class EmptyFile(WebinarValidateError):
    """No header row at all."""

    code = Code.EMPTY_FILE


class TooManyRows(WebinarValidateError):
    """More non-blank data rows than the limit."""

    code = Code.TOO_MANY_ROWS


class HeaderError(WebinarValidateError):
    """The header row breaks the contract: missing, duplicate or (strict) unknown columns, or a
    header cell that a spreadsheet would run as a formula."""

    code = Code.MISSING_COLUMN


class UsageError(WebinarValidateError):
    """The command, an output path or a schema file was used wrongly."""

    code = Code.USAGE


def raise_problems(problems: tuple[Problem, ...]) -> NoReturn:
    """Raise the exception class of the first problem's code, carrying every problem."""
    kinds: tuple[type[WebinarValidateError], ...] = (
        FileNotFound,
        UnsupportedFormat,
        UnreadableFile,
        EmptyFile,
        TooManyRows,
        UsageError,
    )
    first = problems[0]
    by_code = {kind.code: kind for kind in kinds}
    header_codes = {
        Code.MISSING_COLUMN,
        Code.DUPLICATE_COLUMN,
        Code.UNKNOWN_COLUMN,
        Code.FORMULA_INJECTION,
    }
    kind = (
        HeaderError if first.code in header_codes else by_code.get(first.code, WebinarValidateError)
    )
    error = kind(first.message, problems=problems)
    raise error
