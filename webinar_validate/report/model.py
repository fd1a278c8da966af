"""The report, as pydantic models: the API's wire envelope and our typed dry-run report.

The wire model is the documented response of ``POST /incoming/v2/content/session/webinar/bulk``
(rows are opaque JSON objects there). The typed report fills those rows with our shape; its
JSON parses as the wire model too. Nothing here knows pandas; ``valid_frame()`` and
``invalid_frame()`` hand off to :mod:`webinar_validate.engine.frames`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    TypeAdapter,
)

from webinar_validate.codes import Code
from webinar_validate.report.rows import (
    JSON_BLOCK,
    InvalidRows,
    ValidRows,
    _LazyRows,
    columns_json,
    lines_json,
    rows_json,
)

if TYPE_CHECKING:
    import pandas as pd

    from webinar_validate.contract.columns import SessionContract
    from webinar_validate.errors import WebinarValidateError
    from webinar_validate.table import Table

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


_TRUSTED: dict[type, set[str]] = {}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)

    @classmethod
    def trusted(cls, **fields: Any) -> Self:
        """Build from values the validator already checked, skipping pydantic's validation.

        A report can hold a million rows: ``model_construct`` costs ~12 us a row, this ~1 us.
        Every field must be given; a test round-trips such reports through validation.
        """
        expected = _TRUSTED.get(cls)
        if expected is None:  # pydantic's class attributes are slow to read: once per class
            expected = set() if cls.__private_attributes__ else set(cls.__pydantic_fields__)
            _TRUSTED[cls] = expected
        if not expected or fields.keys() != expected:
            raise TypeError(f"{cls.__name__}.trusted needs exactly its fields and no private ones")
        obj = cls.__new__(cls)
        object.__setattr__(obj, "__dict__", fields)
        object.__setattr__(obj, "__pydantic_fields_set__", set(fields))
        object.__setattr__(obj, "__pydantic_extra__", None)
        object.__setattr__(obj, "__pydantic_private__", None)
        return obj


CustomCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
"""The snake_case code of a rule a user added to the contract."""


class CellError(_Model):
    """One failing cell or rule of a row."""

    column: str | None = Field(description="The contract column (or header) the error is about.")
    cell: str = Field(description="A1-style cell, with the sheet for a workbook: Sessions!F7.")
    code: Code | CustomCode = Field(union_mode="left_to_right")
    message: str
    value: str = Field(description="The cell as read.")
    line: int | None = Field(
        default=None,
        description="CSV only: the physical line where the record starts.",
        exclude_if=lambda v: v is None,
    )


class ValidRow(_Model):
    """A row the import would accept, with its normalised values."""

    rowNumber: int
    values: dict[str, Any]


class InvalidRow(_Model):
    """A row the import would reject: the cells as read and every error."""

    rowNumber: int
    values: dict[str, str]
    errors: list[CellError]


class BackgroundJob(_Model):
    """The local run, described in the API's ``backgroundJob`` shape."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str = JOB_TYPE
    description: str
    errorMessage: str | None = None
    createdAt: datetime = Field(default_factory=lambda: datetime.now(UTC))
    repeatable: bool = False
    status: JobStatus = JobStatus.COMPLETE


class _BuildsRows(_Model):
    """pydantic reads a list's items directly: lazy rows are built before a dump."""

    def _build_rows(self) -> None:
        for value in self.__dict__.values():
            if isinstance(value, _LazyRows):
                value.build()
            elif isinstance(value, _BuildsRows):
                value._build_rows()

    def model_dump(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """As pydantic's, after building lazy rows."""
        self._build_rows()
        return super().model_dump(*args, **kwargs)

    def model_dump_json(self, *args: Any, **kwargs: Any) -> str:
        """As pydantic's, after building lazy rows."""
        self._build_rows()
        return super().model_dump_json(*args, **kwargs)


class BulkImport(_BuildsRows):
    """``APIBulkWebinarImport`` with our row objects."""

    dryRun: Literal[True] = True
    validRows: list[ValidRow] = Field(default_factory=list)
    invalidRows: list[InvalidRow] = Field(default_factory=list)
    backgroundJob: BackgroundJob


class Data(_BuildsRows):
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


class DryRunReport(_BuildsRows):
    """The whole report of one file or frame, in the API's envelope."""

    data: Data
    errors: list[FileError] = Field(default_factory=list)
    extensions: Extensions
    _contract: SessionContract | None = PrivateAttr(default=None)
    """The contract the rows were judged by: it types the columns of ``valid_frame()``."""
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
    def valid_rows(self) -> list[ValidRow]:
        """Rows the import would accept."""
        return self.result.validRows

    @property
    def invalid_rows(self) -> list[InvalidRow]:
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
        return [(r.rowNumber, e.column, str(e.code)) for r in self.invalid_rows for e in r.errors]

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data, in the wire shape."""
        return self.model_dump(mode="json")

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON text, in the wire shape."""
        return "".join(self.iter_json(indent=indent))

    def iter_json(self, *, indent: int | None = 2) -> Iterator[str]:
        """The report as JSON text, in pieces: rows are written a block at a time (valid rows
        from their columns), so a million rows never exist as one string, nor valid rows as
        objects. Rows not yet made into objects are written from their arrays, one line each."""
        for piece in self._json_pieces(indent):
            yield piece if isinstance(piece, str) else piece.decode()

    def iter_json_bytes(self, *, indent: int | None = 2) -> Iterator[bytes]:
        """The same pieces as :meth:`iter_json`, as UTF-8 bytes: the valid rows' blocks are
        never decoded into str only to be encoded again on the way to a file."""
        for piece in self._json_pieces(indent):
            yield piece.encode() if isinstance(piece, str) else piece

    def _json_pieces(self, indent: int | None) -> Iterator[str | bytes]:
        result = self.result
        lazy = any(
            isinstance(rows, _LazyRows) and rows.pending
            for rows in (result.validRows, result.invalidRows)
        )
        if len(result.validRows) + len(result.invalidRows) <= JSON_BLOCK and not lazy:
            yield self.model_dump_json(indent=indent)
            return
        skip = {"data": {"APIBulkWebinarImport": {"validRows", "invalidRows"}}}
        envelope = BaseModel.model_dump_json(self, indent=indent, exclude=skip)  # rows unbuilt
        colon = ": " if indent is not None else ":"
        head, marker, tail = envelope.partition(f'"dryRun"{colon}true,')
        outer = "\n" + " " * (3 * indent) if indent is not None else ""
        yield f'{head}{marker}{outer}"validRows"{colon}['
        rows = result.validRows
        parts = rows.columns() if isinstance(rows, ValidRows) else None
        if parts is not None:
            yield from columns_json(*parts, indent)
        else:
            yield from rows_json(_VALID_ROWS, rows, indent)
        yield f'{outer if len(rows) else ""}],{outer}"invalidRows"{colon}['
        invalid = result.invalidRows
        if isinstance(invalid, InvalidRows) and invalid.pending:
            yield from lines_json(invalid.json_lines(), indent)
        else:
            yield from rows_json(_INVALID_ROWS, invalid, indent)
        yield f"{outer if invalid else ''}],{tail}"

    def valid_frame(self) -> pd.DataFrame:
        """The normalised valid rows as a DataFrame with typed columns, indexed by rowNumber."""
        from webinar_validate.engine.frames import valid_frame

        return valid_frame(self, self._contract)

    def invalid_frame(self) -> pd.DataFrame:
        """The invalid rows' cells as given, plus ``rowNumber`` and an ``errors`` column."""
        from webinar_validate.engine.frames import invalid_frame

        return invalid_frame(self, self._contract)

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
    source: str, error: WebinarValidateError, sheet: str | None = None
) -> DryRunReport:
    """The report of a file that could not be judged."""
    job = BackgroundJob(
        description=f"{source}: not judged", errorMessage=error.message, status=JobStatus.FAILED
    )
    return DryRunReport(
        data=Data(APIBulkWebinarImport=BulkImport(backgroundJob=job)),
        errors=[
            FileError(message=p.message, extensions=ErrorExtensions(code=p.code))
            for p in error.problems
        ],
        extensions=Extensions(preflight=Preflight(source=source, sheet=sheet)),
    )
