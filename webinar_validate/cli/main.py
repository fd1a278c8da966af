"""The command line, in three steps: :func:`parse` (argv -> options), :func:`build` (options ->
a :class:`Plan`: the files to judge, the contract and the reporter) and :func:`execute` (judge
the files, print the reports, write the outputs -> the exit status).

pandas and pandera are imported only when a file is actually validated, so ``--help`` and
``--version`` answer at once (a pre-commit hook pays start-up on every commit).

What a person sees: every line printed goes through :func:`display`, so a control character in
a file name or a cell is shown escaped (``\\n``) and one error is one line. Standard output and
standard error are wrapped so that a closed pipe (``| head``) ends the run quietly and a stream
that cannot be written (``>/dev/full``) is one line on stderr and exit status 2, never a
traceback; ``--output`` and the other output files are still written.
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO, cast

from webinar_validate._clock import CLOCK_VARIABLE, read_instant
from webinar_validate._version import __version__
from webinar_validate.cli import execute as output_flags
from webinar_validate.cli.display import Guarded, display, say
from webinar_validate.cli.execute import PROG
from webinar_validate.cli.reporters import REPORTERS, Reporter

if TYPE_CHECKING:
    from datetime import datetime

    from webinar_validate.contract.columns import SessionContract
    from webinar_validate.report.model import DryRunReport


_CSV_SUFFIXES = (".csv", ".tsv", ".txt")


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``webinar-validate``; return the exit status."""
    out, err = Guarded(sys.stdout), Guarded(sys.stderr)
    with (
        contextlib.redirect_stdout(cast(TextIO, out)),
        contextlib.redirect_stderr(cast(TextIO, err)),
    ):
        status = _steps(list(sys.argv[1:] if argv is None else argv), out, err)
        out.flush()
        if out.failure is not None and not out.closed_pipe:
            reason = getattr(out.failure, "strerror", None) or str(out.failure)
            say(err, f"{PROG}: cannot write the report to standard output: {reason}.")
        err.flush()
    if out.failure is None:
        return status
    # A closed pipe ends the run quietly, as Python itself does (status 1, or 2 when that is
    # worse); an output that could not be written is status 2.
    return max(status, 1) if out.closed_pipe else 2


def _steps(argv: list[str], out: Guarded, err: Guarded) -> int:
    """parse -> build -> execute; a step that ends the run early gives the exit status."""
    if argv[:1] == ["template"]:
        return output_flags.template_main(argv[1:])
    options = parse(argv)
    if isinstance(options, int):
        return options
    plan = build(options, err)
    if isinstance(plan, int):
        return plan
    return execute(plan, out, err)


# Parse: argv -> options.


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``webinar-validate``."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Check a webinar-session bulk-import CSV/XLSX before you upload it to Thought "
            "Industries. Exit status: 0 every row valid, 1 some rows invalid, 2 a file could "
            "not be judged or the command was used wrongly."
        ),
        epilog="Also: webinar-validate template OUT.xlsx|OUT.csv writes an import template.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="CSV or XLSX files to check")
    parser.add_argument(
        "--format",
        choices=tuple(REPORTERS),
        default="text",
        help="output format (default: text; github: workflow commands that annotate a CI run)",
    )
    parser.add_argument(
        "--sheet",
        metavar="NAME",
        help="worksheet to read (default: first visible); a CSV file is read as it is, with a "
        "note on stderr",
    )
    parser.add_argument(
        "--max-rows",
        type=_non_negative,
        default=None,
        metavar="N",
        help="most non-blank data rows allowed (default 1000; 0 for no limit)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="fail a file that has columns the contract lacks"
    )
    parser.add_argument(
        "--output",
        metavar="FILE",
        help="also write the JSON report (an array for several files); an existing FILE is "
        "overwritten, an input never",
    )
    parser.add_argument(
        "--now",
        metavar="ISO-8601",
        help="the instant the run treats as now, with its UTC offset (2026-09-01T09:00:00Z), "
        "for tests and reproducible CI runs (default: the clock)",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip files whose path or file name matches GLOB (repeatable)",
    )
    parser.add_argument(
        "--schema",
        metavar="FILE",
        help="YAML or JSON file adding columns and setting limits, or a pandera schema in YAML "
        "(schemas/session-row.pandera.yaml, edited) that redefines the columns (see the README)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    output_flags.add_arguments(parser)
    return parser


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (no limit) or more")
    return value


def parse(argv: Sequence[str]) -> argparse.Namespace | int:
    """The options ``argv`` gives, or the exit status of ``--help``, ``--version`` or a usage
    error (argparse has printed what to print)."""
    try:
        return build_parser().parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2


# Build: options -> what to run.


@dataclass(frozen=True, slots=True)
class Plan:
    """What a run does: its options, the files to judge, the contract and the reporter."""

    options: argparse.Namespace
    files: list[str]
    contract: SessionContract | None
    reporter: Reporter
    schema: Any = None
    """A pandera schema read from ``--schema`` (judge by it), else None."""


def build(options: argparse.Namespace, err: Guarded) -> Plan | int:
    """The plan for ``options``, or exit status 2 (after one line on ``err``) when the output
    paths or the ``--schema`` file cannot be used. Nothing is read but the schema file."""
    files = [path for path in options.files if not _excluded(path, options.exclude)]
    # Asked before any file is read; every input named, excluded or not, is protected.
    problem = output_flags.check_paths(options, options.files, judged=files)
    if problem:
        say(err, f"{PROG}: {problem}")
        return 2
    clock = options.now if options.now is not None else os.environ.get(CLOCK_VARIABLE) or None
    if clock is not None:
        now = _instant(clock)
        if isinstance(now, str):
            where = "" if options.now is not None else f" (from ${CLOCK_VARIABLE})"
            say(err, f"{PROG}: {now}{where}")
            return 2
        options.now = now
    contract, schema = None, None
    if options.schema:
        from webinar_validate.contract.file import load_schema_file
        from webinar_validate.errors import UsageError

        try:
            contract, schema = load_schema_file(options.schema)
        except UsageError as exc:
            say(err, f"{PROG}: {exc.message}")
            return 2
    return Plan(options, files, contract, REPORTERS[options.format], schema)


def _instant(text: str) -> datetime | str:
    """``--now``'s aware datetime, or why ``text`` is not one (a usage error: one line)."""
    try:
        return read_instant(text, f"--now {display(text)}")
    except ValueError as exc:
        return str(exc)


def _excluded(path: str, globs: Sequence[str]) -> bool:
    name = os.path.basename(path)
    return any(fnmatch.fnmatch(path, g) or fnmatch.fnmatch(name, g) for g in globs)


# Execute: judge, report, write the outputs -> the exit status.


def execute(plan: Plan, out: Guarded, err: Guarded) -> int:
    """Judge the files, print the reports, write ``--output`` and the other outputs; return the
    exit status: the worst of the reports' and the outputs'."""
    reports = _judge(plan, err)
    plan.reporter.report(reports, out, err)
    status = max((report.exit_status for report in reports), default=0)
    if plan.options.output is not None:
        status = max(
            status, output_flags.write_output(plan.options.output, reports, cast(TextIO, err))
        )
    written = output_flags.run(
        plan.options, reports, cast(TextIO, out), cast(TextIO, err), contract=plan.contract
    )
    return max(status, written)


def _judge(plan: Plan, err: Guarded) -> list[DryRunReport]:
    if not plan.files:
        # Everything was excluded: answered without importing pandas or pandera.
        say(err, f"{PROG}: no files to check")
        return []
    from webinar_validate.engine.run import validate_file

    options = plan.options
    # The clock is passed only when --now is given: the library's default is the real clock.
    clock = {"now": options.now} if options.now is not None else {}
    reports = []
    for path in plan.files:
        report = validate_file(
            path,
            sheet=options.sheet,
            max_rows=options.max_rows,
            strict=options.strict,
            contract=plan.contract,
            schema=plan.schema,
            **clock,
        )
        if options.sheet is not None and _read_as_csv(report, path):
            # pre-commit passes the same arguments to every file, CSV and XLSX alike: say that
            # the option did nothing here, and judge the file as it is (the status is unchanged).
            say(
                err,
                f"{PROG}: --sheet {options.sheet} does not apply to {path}, a CSV file; it was "
                "read as it is",
            )
        reports.append(report)
    return reports


def _read_as_csv(report: DryRunReport, path: str) -> bool:
    """Whether ``path`` was read as a CSV: the judged Table says so (it has a CSV dialect);
    a file that could not be judged is taken by its name."""
    table = report.judged_table
    if table is not None:
        return table.dialect is not None
    return os.path.splitext(path)[1].lower() in _CSV_SUFFIXES
