"""Outputs people act on: an annotated workbook, a fixed copy, split files and a template.

Each takes a :class:`~webinar_validate.report.model.DryRunReport` (and, where it needs the
cells, the file that was validated) and writes one file, atomically, never onto the input::

    annotate(report, "sessions.xlsx", "sessions.annotated.xlsx")
    fixes = fix(report, "sessions.xlsx", "sessions.fixed.xlsx")
    write_valid(report, "ready.csv"); write_invalid(report, "to_fix.xlsx")
    write_template("template.xlsx")

openpyxl is imported here, so the CLI imports this package only when an output is asked for.
"""

from __future__ import annotations

from webinar_validate.cli.outputs.annotate import annotate
from webinar_validate.cli.outputs.fix import Fix, fix
from webinar_validate.cli.outputs.split import write_invalid, write_valid
from webinar_validate.cli.outputs.template import write_template

__all__ = ["Fix", "annotate", "fix", "write_invalid", "write_template", "write_valid"]
