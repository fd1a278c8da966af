"""Reporters: one per ``--format``, found by name in :data:`REPORTERS`.

A reporter prints the reports of one run (one per file judged, in order) to standard output;
the text reporter puts a file that could not be judged on standard error. Every line goes through
:func:`~webinar_validate.cli.display.display`, so one error is one line. Rows are read a block at
a time (a report may hold a million errors), and printing stops at once when standard output
goes away. The report's rows are imported only when there are reports, so ``--help`` stays fast.

``--format github`` prints GitHub Actions workflow commands, one per error, so that CI annotates
the file: ``::error file=F,line=L,col=C,title=CODE::CELL: MESSAGE``. For a CSV, ``line`` is the
physical line where the record starts; a workbook has no lines, so ``line`` is the row number.
``col`` is the column's position (A = 1). Each file ends with the text format's summary line.
Nothing a file name or a cell holds can become a command of its own: every property and message
is escaped as the runner expects (``%``, CR and LF; ``:`` and ``,`` in properties), other control
characters are shown as the text format shows them (``\\u001b``), and the summary lines, which
are plain log lines, are made inert: no raw line break, never ``::`` at the start (a relative
name is shown as ``./NAME``) and never the runner's older ``##[`` prefix anywhere.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING

from webinar_validate.cli.display import Gone, Guarded, Pieces, counted, display, listed

if TYPE_CHECKING:
    from webinar_validate.report.error_table import CellLike
    from webinar_validate.report.model import DryRunReport

_LETTERS = re.compile(r"([A-Z]+)[0-9]+$")


class Reporter(ABC):
    """Prints the reports of one run in one format."""

    def report(self, reports: Sequence[DryRunReport], out: Guarded, err: Guarded) -> None:
        """Print ``reports``; stop at once when standard output goes away."""
        out.stop = True
        try:
            self.write(reports, out, err)
            out.flush()
        except Gone:
            pass
        finally:
            out.stop = False

    @abstractmethod
    def write(self, reports: Sequence[DryRunReport], out: Guarded, err: Guarded) -> None:
        """Write ``reports`` to ``out`` (and ``err``)."""


class TextReporter(Reporter):
    """``--format text``: ``FILE:CELL CODE MESSAGE`` per error, each warning, then one summary
    line per file; a file that could not be judged is one line per problem, each with its code,
    on standard error."""

    def write(self, reports: Sequence[DryRunReport], out: Guarded, err: Guarded) -> None:
        for report in reports:
            self._file(report, out, err)

    def _file(self, report: DryRunReport, out: Guarded, err: Guarded) -> None:
        from webinar_validate.report.rows import errors_of

        pre = report.preflight
        source = display(pre.source)
        if not report.judged:
            # One line per problem, each with its code (--strict may find several): easy to
            # read and to grep, like the lines of the errors in rows.
            for problem in report.errors:
                err.write(f"{source}: {display(f'{problem.extensions.code} {problem.message}')}\n")
            return
        write = out.write  # one call per line: a report may hold a million errors
        for _, errors in errors_of(report.invalid_rows):  # a block at a time, no row objects
            for error in errors:
                write(f"{source}:{display(f'{error.cell} {error.code} {error.message}')}\n")
        for warning in pre.warnings:
            write(f"{source}: warning {warning.code} {display(warning.message)}\n")
        write(f"{source}: {summary(pre.valid, pre.invalid, pre.blank, pre.rowsRead)}\n")


class JsonReporter(Reporter):
    """``--format json``: the report object, or an array of them when several files are given
    (an empty array when none), written as UTF-8 pieces with the rows streamed."""

    def write(self, reports: Sequence[DryRunReport], out: Guarded, err: Guarded) -> None:
        write_json(reports, out.write_pieces)


class GithubReporter(Reporter):
    """``--format github``: a workflow command per error and warning, then the summary line."""

    def write(self, reports: Sequence[DryRunReport], out: Guarded, err: Guarded) -> None:
        for report in reports:
            self._file(report, out)

    def _file(self, report: DryRunReport, out: Guarded) -> None:
        from webinar_validate.report.rows import errors_of

        pre = report.preflight
        if not report.judged:
            for problem in report.errors:
                code = problem.extensions.code
                print(_command("error", problem.message, file=pre.source, title=code), file=out)
            codes = listed(dict.fromkeys(str(p.extensions.code) for p in report.errors))
            print(_plain_line(pre.source, f"not judged ({codes})"), file=out)
            return
        write = out.write  # one call per line: a report may hold a million errors
        for number, errors in errors_of(report.invalid_rows):  # a block at a time, no row objects
            for error in errors:
                write(_error_line(pre.source, number, error) + "\n")
        for warning in pre.warnings:
            print(
                _command("warning", warning.message, file=pre.source, title=warning.code), file=out
            )
        line = summary(pre.valid, pre.invalid, pre.blank, pre.rowsRead)
        print(_plain_line(pre.source, line), file=out)


REPORTERS: dict[str, Reporter] = {
    "text": TextReporter(),
    "json": JsonReporter(),
    "github": GithubReporter(),
}
"""Every ``--format``, by its name, in the order ``--help`` lists them."""


def summary(valid: int, invalid: int, blank: int, read: int) -> str:
    """A file's summary line after its name: ``2 valid, 14 invalid, 1 blank (17 rows read)``."""
    return f"{valid} valid, {invalid} invalid, {blank} blank ({counted(read, 'row')} read)"


def write_json(reports: Sequence[DryRunReport], write: Pieces) -> None:
    """One report object, or an array of them, written piece by piece (rows are streamed)."""
    if len(reports) == 1:
        write(reports[0].iter_json_bytes())
    else:
        write([b"["])
        for n, report in enumerate(reports):
            write([b",\n" if n else b"\n"])
            write(report.iter_json_bytes())
        write([b"\n]"])
    write([b"\n"])


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as the Actions runner expects."""
    return display(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    """A workflow command's property value (``file=``, ``title=``), escaped."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def column_number(cell: str) -> int | None:
    """``Sessions!AB7`` -> 28: the 1-based column of an A1-style cell reference."""
    match = _LETTERS.search(cell)
    if match is None:
        return None
    number = 0
    for letter in match.group(1):
        number = number * 26 + ord(letter) - 64
    return number


def _plain_line(source: str, rest: str) -> str:
    """``SOURCE: REST`` as a log line the runner reads as text, never as a workflow command.

    The runner takes a line for a command when it starts with ``::`` after white space, or when
    it holds ``##[`` anywhere (its legacy form); only a file name can bring either here.
    """
    name = display(source)
    if name.lstrip().startswith("::"):
        name = f"./{name}"  # only a relative path can start so; ./ names the same file
    return f"{name}: {rest}".replace("##[", "##\\u005b")


def _command(kind: str, message: str, **properties: object) -> str:
    """``::kind key=value,...::message``, skipping properties that are None."""
    props = ",".join(
        f"{key}={escape_property(str(value))}"
        for key, value in properties.items()
        if value is not None
    )
    return f"::{kind} {props}::{escape_data(message)}"


def _error_line(source: str, row_number: int, error: CellLike) -> str:
    line = error.line if error.line is not None else row_number
    return _command(
        "error",
        f"{error.cell}: {error.message}",
        file=source,
        line=line,
        col=column_number(error.cell),
        title=str(error.code),
    )
