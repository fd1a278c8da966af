"""The report's row objects: a valid row, an invalid row and one of its cell errors.

They live apart from the report's envelope (:mod:`.model`) so that the row containers
(:mod:`.rows`) can make them without importing the envelope that holds the containers.
"""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from webinar_validate.codes import Code

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
