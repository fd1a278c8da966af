"""The command line: parse arguments, call the library, pick a reporter. Nothing else.

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
from typing import TYPE_CHECKING, Any, TextIO, cast

from webinar_validate._version import __version__
from webinar_validate.cli import execute as cli_outputs
from webinar_validate.cli.display import Gone, Guarded, Pieces, display, say
from webinar_validate.report.rows import errors_of

if TYPE_CHECKING:
    from webinar_validate.report.model import DryRunReport

PROG = "webinar-validate"
FORMATS = ("text", "json", "github")


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (no limit) or more")
    return value


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
        choices=FORMATS,
        default="text",
        help="output format (default: text; github: workflow commands that annotate a CI run)",
    )
    parser.add_argument(
        "--sheet", metavar="NAME", help="worksheet to read (default: first visible)"
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
        "--output", metavar="FILE", help="also write the JSON report (an array for several files)"
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
        help="YAML or JSON file adding columns and setting limits (see the README)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    cli_outputs.add_arguments(parser)
    return parser


def _excluded(path: str, globs: Sequence[str]) -> bool:
    name = os.path.basename(path)
    return any(fnmatch.fnmatch(path, g) or fnmatch.fnmatch(name, g) for g in globs)


def _text_report(report: DryRunReport, out: Any, err: Any) -> None:
    pre = report.preflight
    source = display(pre.source)
    if not report.judged:
        # One line per file, whatever the number of problems: easy to read and to grep.
        codes = ",".join(dict.fromkeys(str(p.extensions.code) for p in report.errors))
        messages = " ".join(p.message for p in report.errors)
        err.write(f"{source}: {codes} {display(messages)}\n")
        return
    write = out.write  # one call per line: a report may hold a million errors
    for _, errors in errors_of(report.invalid_rows):  # a block at a time, no row objects
        for error in errors:
            write(f"{source}:{display(f'{error.cell} {error.code} {error.message}')}\n")
    for warning in pre.warnings:
        write(f"{source}: warning {warning.code} {display(warning.message)}\n")
    write(
        f"{source}: {pre.valid} valid, {pre.invalid} invalid, {pre.blank} blank "
        f"({pre.rowsRead} rows read)\n"
    )


def _write_json(reports: list[DryRunReport], write: Pieces) -> None:
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


def _write_output(path: str, reports: list[DryRunReport], err: Any) -> int:
    """Write the JSON report to ``--output`` atomically; 2 (and one line) when it cannot be."""
    from webinar_validate.cli.outputs._common import atomic_output

    # Through a symbolic link to the file it names, so the link keeps working.
    target = os.path.realpath(path)
    try:
        with atomic_output(target) as temporary, open(temporary, "wb") as stream:
            _write_json(reports, stream.writelines)
    except OSError as exc:
        say(err, f"{PROG}: cannot write {path}: {exc.strerror or exc}; it was left as it was.")
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``webinar-validate``; return the exit status."""
    out, err = Guarded(sys.stdout), Guarded(sys.stderr)
    with (
        contextlib.redirect_stdout(cast(TextIO, out)),
        contextlib.redirect_stderr(cast(TextIO, err)),
    ):
        status = _run(list(sys.argv[1:] if argv is None else argv), out, err)
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


def _run(argv: list[str], out: Guarded, err: Guarded) -> int:
    if argv[:1] == ["template"]:
        return cli_outputs.template_main(argv[1:])
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else 2
    files = [path for path in args.files if not _excluded(path, args.exclude)]
    # Asked before any file is read; every input named, excluded or not, is protected.
    problem = cli_outputs.check_paths(args, args.files, judged=files)
    if problem:
        say(err, f"{PROG}: {problem}")
        return 2
    contract = None
    if args.schema:
        from webinar_validate.contract.file import load_contract
        from webinar_validate.errors import UsageError

        try:
            contract = load_contract(args.schema)
        except UsageError as exc:
            say(err, f"{PROG}: {exc.message}")
            return 2
    reports: list[DryRunReport] = []
    if files:
        from webinar_validate.engine.run import validate_file

        reports = [
            validate_file(
                path,
                sheet=args.sheet,
                max_rows=args.max_rows,
                strict=args.strict,
                contract=contract,
            )
            for path in files
        ]
    else:
        # Everything was excluded: answered without importing pandas or pandera.
        say(err, f"{PROG}: no files to check")
    _report(args.format, reports, out, err)
    status = max((report.exit_status for report in reports), default=0)
    if args.output is not None:
        status = max(status, _write_output(args.output, reports, err))
    written = cli_outputs.run(
        args, reports, cast(TextIO, out), cast(TextIO, err), contract=contract
    )
    return max(status, written)


def _report(form: str, reports: list[DryRunReport], out: Guarded, err: Guarded) -> None:
    """Print the reports in ``form``; stop at once when standard output goes away."""
    out.stop = True
    try:
        if form == "json":
            _write_json(reports, out.write_pieces)
        elif form == "github":
            from webinar_validate.cli.github import github_report

            for report in reports:
                github_report(report, out)
        else:
            for report in reports:
                _text_report(report, out, err)
        out.flush()
    except Gone:
        pass
    finally:
        out.stop = False
