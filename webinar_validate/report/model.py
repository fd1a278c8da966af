"""The report, as pydantic models: the API's wire envelope and our typed dry-run report.

The wire model is the documented response of ``POST /incoming/v2/content/session/webinar/bulk``
(rows are opaque JSON objects there). The typed report fills those rows with our shape; its
JSON parses as the wire model too. The report is data, finished when ``validate_*`` returns:
its rows are lists or the row containers of :mod:`.rows`, never a handle on the run. Nothing
here knows pandas; ``valid_frame()`` and ``invalid_frame()`` hand off to :mod:`.frames_out`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, TypeAdapter, field_serializer

from webinar_validate.codes import Code
from webinar_validate.report.items import CellError, CustomCode, InvalidRow, ValidRow, _Model
from webinar_validate.report.rows import JSON_BLOCK, InvalidRows, ValidRows, errors_of

if TYPE_CHECKING:
    import pandas as pd

    from webinar_validate.errors import WebinarValidateError
    from webinar_validate.report.frames_out import FrameTypes
    from webinar_validate.table import Table

__all__ = [
    "JOB_TYPE",
    "BackgroundJob",
    "BulkImport",
    "CellError",
    "CustomCode",
    "Data",
    "DryRunReport",
    "ErrorExtensions",
    "Extensions",
    "FileError",
    "InvalidRow",
    "JobStatus",
    "Preflight",
    "ValidRow",
    "Warning_",
    "WireBackgroundJob",
    "WireData",
    "WireImport",
    "WireResponse",
    "describe",
    "failed_report",
]

JOB_TYPE = "webinarSessionPreflight"


class JobStatus(StrEnum):
    """The public GraphQL schema's ``BackgroundJobStatus``."""

    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETE = "complete"
    FAILED = "failed"


# --- the wire model: exactly what the API documents --------------------------------------------


class WireBackgroundJob(BaseModel):
    """``backgroundJob`` as the API documents it."""

    id: uuid.UUID
    type: str
    description: str
    errorMessage: str | None
    createdAt: datetime
    repeatable: bool
    status: JobStatus


class WireImport(BaseModel):
    """``APIBulkWebinarImport`` as the API documents it: rows are opaque objects."""

    dryRun: bool
    validRows: list[dict[str, Any]]
    invalidRows: list[dict[str, Any]]
    backgroundJob: WireBackgroundJob


class WireData(BaseModel):
    """The ``data`` member of the response."""

    APIBulkWebinarImport: WireImport


class WireResponse(BaseModel):
    """The API's documented response envelope (GraphQL-style ``errors``/``extensions`` allowed)."""

    model_config = ConfigDict(extra="allow")

    data: WireData


# --- our typed report ----------------------------------------------------------------------------


class BackgroundJob(_Model):
    """The local run, described in the API's ``backgroundJob`` shape."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str = JOB_TYPE
    description: str
    errorMessage: str | None = None
    createdAt: datetime = Field(default_factory=lambda: datetime.now(UTC))
    repeatable: bool = False
    status: JobStatus = JobStatus.COMPLETE


def _listed(rows: Sequence[Any]) -> list[Any]:
    """A report's rows as the list its model declares (row containers make their objects)."""
    return rows if isinstance(rows, list) else list(rows)


class BulkImport(_Model):
    """``APIBulkWebinarImport`` with our row objects."""

    # The rows are lists, or (in a validator's report) ValidRows and InvalidRows, which read as
    # such lists and make their objects when dumped. (The docstring is the JSON Schema's.)

    dryRun: Literal[True] = True
    validRows: list[ValidRow] = Field(default_factory=list)
    invalidRows: list[InvalidRow] = Field(default_factory=list)
    backgroundJob: BackgroundJob

    @field_serializer("validRows", return_type=list[ValidRow])
    def _valid_rows(self, rows: Sequence[ValidRow]) -> list[ValidRow]:
        return _listed(rows)

    @field_serializer("invalidRows", return_type=list[InvalidRow])
    def _invalid_rows(self, rows: Sequence[InvalidRow]) -> list[InvalidRow]:
        return _listed(rows)


class Data(_Model):
    """The ``data`` member."""

    APIBulkWebinarImport: BulkImport


class ErrorExtensions(_Model):
    """The machine-readable part of a file-level error."""

    code: Code


class FileError(_Model):
    """A GraphQL-style error: why the file could not be judged."""

    message: str
    extensions: ErrorExtensions


class Warning_(_Model):
    """A warning: never makes a row invalid."""

    code: Code
    message: str
    cell: str | None = Field(
        default=None,
        description=(
            "A1-style cell the warning is about, with the sheet for a workbook: Sessions!F7 "
            "(the first such cell when the message lists several)."
        ),
        exclude_if=lambda v: v is None,
    )


class Preflight(_Model):
    """What was read and how it was judged."""

    source: str
    sheet: str | None = None
    rowsRead: int = 0
    valid: int = 0
    invalid: int = 0
    blank: int = 0
    warnings: list[Warning_] = Field(default_factory=list)


class Extensions(_Model):
    """The ``extensions`` member."""

    preflight: Preflight


class DryRunReport(_Model):
    """The whole report of one file or frame, in the API's envelope."""

    data: Data
    errors: list[FileError] = Field(default_factory=list)
    extensions: Extensions
    _contract: Any = PrivateAttr(default=None)
    """The SessionContract the rows were judged by (for outputs that fix cells; data only)."""
    _frame_types: FrameTypes | None = PrivateAttr(default=None)
    """The contract's columns and each column's pandas dtype, for ``valid_frame()``."""
    _table: Table | None = PrivateAttr(default=None)
    """The Table that was judged (None for a file that could not be judged): outputs are built
    from it, never from a second read of the input."""

    @property
    def judged_table(self) -> Table | None:
        """The Table whose cells this report judged (None when the file was not judged)."""
        return self._table

    @property
    def result(self) -> BulkImport:
        """The ``APIBulkWebinarImport`` member."""
        return self.data.APIBulkWebinarImport

    @property
    def preflight(self) -> Preflight:
        """The counts and warnings."""
        return self.extensions.preflight

    @property
    def valid_rows(self) -> Sequence[ValidRow]:
        """Rows the import would accept."""
        return self.result.validRows

    @property
    def invalid_rows(self) -> Sequence[InvalidRow]:
        """Rows the import would reject."""
        return self.result.invalidRows

    @property
    def judged(self) -> bool:
        """False when the file could not be judged at all."""
        return not self.errors

    @property
    def ok(self) -> bool:
        """True when the file was judged and every row is valid (warnings allowed)."""
        return self.judged and not self.invalid_rows

    @property
    def exit_status(self) -> int:
        """0 every row valid, 1 some rows invalid, 2 the file could not be judged."""
        if not self.judged:
            return 2
        return 1 if self.invalid_rows else 0

    def flatten(self) -> list[tuple[int, str | None, str]]:
        """``[(rowNumber, column, code), ...]`` of every row error, in row order."""
        return [
            (number, e.column, str(e.code))
            for number, errors in errors_of(self.invalid_rows)
            for e in errors
        ]

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data, in the wire shape."""
        return self.model_dump(mode="json")

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON text, in the wire shape."""
        return "".join(self.iter_json(indent=indent))

    def iter_json(self, *, indent: int | None = 2) -> Iterator[str]:
        """The report as JSON text, in pieces: rows are written a block at a time, so a million
        rows never exist as one string; the validator's rows are written from their arrays, one
        line each, without making a row object."""
        for piece in self._json_pieces(indent):
            yield piece if isinstance(piece, str) else piece.decode()

    def iter_json_bytes(self, *, indent: int | None = 2) -> Iterator[bytes]:
        """The same pieces as :meth:`iter_json`, as UTF-8 bytes: the valid rows' blocks are
        never decoded into str only to be encoded again on the way to a file."""
        for piece in self._json_pieces(indent):
            yield piece.encode() if isinstance(piece, str) else piece

    def _json_pieces(self, indent: int | None) -> Iterator[str | bytes]:
        from webinar_validate.report.writer import columns_json, lines_json, rows_json

        result = self.result
        rows, invalid = result.validRows, result.invalidRows
        listed = isinstance(rows, list) and isinstance(invalid, list)
        if listed and len(rows) + len(invalid) <= JSON_BLOCK:
            yield self.model_dump_json(indent=indent)
            return
        skip = {"data": {"APIBulkWebinarImport": {"validRows", "invalidRows"}}}
        envelope = self.model_dump_json(indent=indent, exclude=skip)
        colon = ": " if indent is not None else ":"
        head, marker, tail = envelope.partition(f'"dryRun"{colon}true,')
        outer = "\n" + " " * (3 * indent) if indent is not None else ""
        yield f'{head}{marker}{outer}"validRows"{colon}['
        if isinstance(rows, ValidRows):
            yield from columns_json(rows.row_numbers, rows.columns, indent, JSON_BLOCK)
        else:
            yield from rows_json(_VALID_ROWS, rows, indent, JSON_BLOCK)
        yield f'{outer if len(rows) else ""}],{outer}"invalidRows"{colon}['
        if isinstance(invalid, InvalidRows):
            yield from lines_json(invalid.json_lines(), indent)
        else:
            yield from rows_json(_INVALID_ROWS, invalid, indent, JSON_BLOCK)
        yield f"{outer if invalid else ''}],{tail}"

    def valid_frame(self) -> pd.DataFrame:
        """The normalised valid rows as a DataFrame with typed columns, indexed by rowNumber."""
        from webinar_validate.report.frames_out import valid_frame

        return valid_frame(self.valid_rows, self.invalid_rows, self._types())

    def invalid_frame(self) -> pd.DataFrame:
        """The invalid rows' cells as given, plus ``rowNumber`` and an ``errors`` column."""
        from webinar_validate.report.frames_out import invalid_frame

        return invalid_frame(self.valid_rows, self.invalid_rows, self._types())

    def _types(self) -> FrameTypes | None:
        """What types the frames' columns; a report not judged has no columns."""
        from webinar_validate.report.frames_out import FrameTypes

        if not self.judged:
            return FrameTypes((), {})
        return self._frame_types

    def raise_for_status(self) -> DryRunReport:
        """Raise the file-level error again when the file could not be judged; else return self."""
        from webinar_validate.errors import Problem, raise_problems

        if self.errors:
            raise_problems(tuple(Problem(e.extensions.code, e.message) for e in self.errors))
        return self


_VALID_ROWS: TypeAdapter[list[ValidRow]] = TypeAdapter(list[ValidRow])
_INVALID_ROWS: TypeAdapter[list[InvalidRow]] = TypeAdapter(list[InvalidRow])


def describe(source: str, sheet: str | None, valid: int, invalid: int, blank: int) -> str:
    """``sessions.xlsx, sheet Sessions: 998 valid, 2 invalid, 1 blank``."""
    where = f"{source}, sheet {sheet}" if sheet else source
    return f"{where}: {valid} valid, {invalid} invalid, {blank} blank"


def failed_report(
    source: str,
    error: WebinarValidateError,
    sheet: str | None = None,
    *,
    now: datetime | None = None,
) -> DryRunReport:
    """The report of a file that could not be judged (``now``: the run's clock, for
    ``createdAt``; default: the current time)."""
    job = BackgroundJob(
        description=f"{source}: not judged",
        errorMessage=error.message,
        status=JobStatus.FAILED,
        createdAt=now or datetime.now(UTC),
    )
    return DryRunReport(
        data=Data(APIBulkWebinarImport=BulkImport(backgroundJob=job)),
        errors=[
            FileError(message=p.message, extensions=ErrorExtensions(code=p.code))
            for p in error.problems
        ],
        extensions=Extensions(preflight=Preflight(source=source, sheet=sheet)),
    )
