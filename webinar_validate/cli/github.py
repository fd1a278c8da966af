"""``--format github``: GitHub Actions workflow commands, one per error, so CI annotates the file.

``::error file=F,line=L,col=C,title=CODE::CELL: MESSAGE``. For a CSV, ``line`` is the physical
line where the record starts; a workbook has no lines, so ``line`` is the row number. ``col`` is
the column's position (A = 1). Each file ends with the text format's summary line.

Nothing a file name or a cell holds can become a command of its own: every property and message
is escaped as the runner expects (``%``, CR and LF; ``:`` and ``,`` in properties), other control
characters are shown as the text format shows them (``\\u001b``), and the summary lines, which
are plain log lines, are made inert: no raw line break, never ``::`` at the start (a relative
name is shown as ``./NAME``) and never the runner's older ``##[`` prefix anywhere.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from webinar_validate.cli.display import display
from webinar_validate.report.rows import CellLike, errors_of

if TYPE_CHECKING:
    from webinar_validate.report.model import DryRunReport

_LETTERS = re.compile(r"([A-Z]+)[0-9]+$")


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as the Actions runner expects."""
    return display(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    """A workflow command's property value (``file=``, ``title=``), escaped."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def plain_line(source: str, rest: str) -> str:
    """``SOURCE: REST`` as a log line the runner reads as text, never as a workflow command.

    The runner takes a line for a command when it starts with ``::`` after white space, or when
    it holds ``##[`` anywhere (its legacy form); only a file name can bring either here.
    """
    name = display(source)
    if name.lstrip().startswith("::"):
        name = f"./{name}"  # only a relative path can start so; ./ names the same file
    return f"{name}: {rest}".replace("##[", "##\\u005b")


def column_number(cell: str) -> int | None:
    """``Sessions!AB7`` -> 28: the 1-based column of an A1-style cell reference."""
    match = _LETTERS.search(cell)
    if match is None:
        return None
    number = 0
    for letter in match.group(1):
        number = number * 26 + ord(letter) - 64
    return number


def command(kind: str, message: str, **properties: object) -> str:
    """``::kind key=value,...::message``, skipping properties that are None."""
    props = ",".join(
        f"{key}={escape_property(str(value))}"
        for key, value in properties.items()
        if value is not None
    )
    return f"::{kind} {props}::{escape_data(message)}"


def _error_line(source: str, row_number: int, error: CellLike) -> str:
    line = error.line if error.line is not None else row_number
    return command(
        "error",
        f"{error.cell}: {error.message}",
        file=source,
        line=line,
        col=column_number(error.cell),
        title=str(error.code),
    )


def github_report(report: DryRunReport, out: Any) -> None:
    """Print one file's report as workflow commands, then its summary line."""
    pre = report.preflight
    if not report.judged:
        for problem in report.errors:
            print(
                command("error", problem.message, file=pre.source, title=problem.extensions.code),
                file=out,
            )
        codes = ",".join(dict.fromkeys(str(p.extensions.code) for p in report.errors))
        print(plain_line(pre.source, f"not judged ({codes})"), file=out)
        return
    write = out.write  # one call per line: a report may hold a million errors
    for number, errors in errors_of(report.invalid_rows):  # a block at a time, no row objects
        for error in errors:
            write(_error_line(pre.source, number, error) + "\n")
    for warning in pre.warnings:
        print(command("warning", warning.message, file=pre.source, title=warning.code), file=out)
    summary = (
        f"{pre.valid} valid, {pre.invalid} invalid, {pre.blank} blank ({pre.rowsRead} rows read)"
    )
    print(plain_line(pre.source, summary), file=out)
