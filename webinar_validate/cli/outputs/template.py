"""``webinar-validate template``: an import file to start from, with one valid example row.

The header is the contract's columns in the contract's order. An XLSX template also helps while
typing: drop-down lists for webinarProvider, status, waitlistingEnabled and timeZone (the zones
on a hidden ``Lists`` sheet, too many for an inline list), an input message on every column
saying what it takes, text-formatted columns (so Excel does not retype dates, IDs or codes),
sensible widths and a frozen header.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from webinar_validate.cli.outputs._common import (
    Value,
    atomic_output,
    output_format,
    set_text,
    set_value,
    write_csv,
)
from webinar_validate.contract import values as _values
from webinar_validate.contract.columns import (
    PROVIDERS,
    STATUSES,
    Col,
    ColumnSpec,
    Kind,
    SessionContract,
)
from webinar_validate.table import column_letters

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

SHEET_TITLE = "Sessions"
LISTS_TITLE = "Lists"
ZONES_NAME = "TimeZones"

EXAMPLE: dict[str, Value] = {
    Col.COURSE_GROUP_ID: "3f0c9a4e-1b2c-4d5e-8f90-123456789abc",
    Col.SESSION_ID: None,  # blank: a new session (an ID here would update that session)
    Col.TITLE: "Data Literacy 101: Dashboards",
    Col.SLUG: "data-literacy-101-2026-09-02",
    Col.SKU: "DL101-0902",
    Col.START_DATE: "2026-09-02T11:00:00-04:00",
    Col.END_DATE: "2026-09-02T12:00:00-04:00",
    Col.TIME_ZONE: "America/New_York",
    Col.WEBINAR_PROVIDER: "zoom",
    Col.JOIN_URL: "https://zoom.us/j/123456789",
    Col.INSTRUCTOR_EMAILS: "maria.lopez@example.org; sam.okafor@example.org",
    Col.SEATS_LIMIT: 50,
    Col.WAITLISTING_ENABLED: "yes",
    Col.ENROLLMENT_START_DATE: "2026-08-01T00:00:00.000Z",
    Col.ENROLLMENT_END_DATE: "2026-09-01T23:59:00.000Z",
    Col.PRICE_IN_CENTS: 0,
    Col.STATUS: "published",
    Col.LANGUAGE: "en-US",
}
"""The example row: a valid session (the template's own test validates it)."""

_LISTS: dict[str, tuple[str, ...]] = {
    Col.WEBINAR_PROVIDER: PROVIDERS,
    Col.STATUS: STATUSES,
    Col.WAITLISTING_ENABLED: ("yes", "no"),
}


def write_template(
    out_path: str | os.PathLike[str],
    *,
    contract: SessionContract | None = None,
    rows: int = 1000,
) -> None:
    """Write an import template (.csv or .xlsx) with the header and one example row.

    ``rows`` is how many data rows the XLSX drop-downs and input messages cover.
    """
    kind = output_format(out_path, "template", ("csv", "xlsx"))
    contract = contract or SessionContract.DEFAULT
    header = list(contract.names)
    example = [EXAMPLE.get(spec.name) for spec in contract.columns]
    if kind == "csv":
        write_csv(out_path, [header, example])
        return
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.workbook.defined_name import DefinedName

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new Workbook always has one sheet
    sheet.title = SHEET_TITLE
    zones = _values.accepted_zones()
    lists = book.create_sheet(LISTS_TITLE)
    for number, zone in enumerate(zones, start=1):
        set_text(lists.cell(number, 1), zone)
    lists.sheet_state = "hidden"
    book.defined_names[ZONES_NAME] = DefinedName(
        ZONES_NAME, attr_text=f"{LISTS_TITLE}!$A$1:$A${len(zones)}"
    )
    head_fill = PatternFill(fill_type="solid", start_color="FFD9E1F2", end_color="FFD9E1F2")
    for column, (spec, value) in enumerate(zip(contract.columns, example, strict=True), start=1):
        cell = sheet.cell(1, column)
        set_text(cell, spec.name)
        cell.font = Font(bold=True)
        cell.fill = head_fill
        set_value(sheet.cell(2, column), value)
        _column(sheet, column, spec, value, rows)
    sheet.freeze_panes = "A2"
    with atomic_output(out_path) as temporary:
        book.save(temporary)


def _column(sheet: Worksheet, column: int, spec: ColumnSpec, example: Value, rows: int) -> None:
    """Width, number format, input message and drop-down of one template column."""
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = column_letters(column - 1)
    dimension = sheet.column_dimensions[letter]
    dimension.width = min(45, max(12, len(spec.name), len(str(example or ""))) + 2)
    if spec.kind is not Kind.INTEGER:
        dimension.number_format = "@"  # new cells are text: Excel keeps dates and IDs as typed
    prompt = ("Required. " if spec.required else "") + (spec.description or spec.kind.value)
    options = _LISTS.get(spec.name) or (spec.choices if spec.kind is Kind.CHOICE else ())
    if spec.name == Col.TIME_ZONE:
        validation = DataValidation(
            type="list",
            formula1=f"={ZONES_NAME}",
            errorStyle="warning",
            error="Not in the list of IANA time-zone names; the import will reject it.",
        )
    elif options and len(",".join(options)) <= 250:
        validation = DataValidation(
            type="list",
            formula1='"' + ",".join(options) + '"',
            errorStyle="stop",
            error=f"Choose one of: {', '.join(options)}."[:255],
        )
    else:
        validation = DataValidation()
    validation.allow_blank = True
    validation.showInputMessage = True
    validation.showErrorMessage = validation.type == "list"
    validation.errorTitle = spec.name[:32] if validation.type == "list" else None
    validation.promptTitle = spec.name[:32]
    validation.prompt = prompt[:255]
    validation.add(f"{letter}2:{letter}{rows + 1}")
    sheet.add_data_validation(validation)
