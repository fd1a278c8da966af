"""The command line: parse arguments, call the library, pick a reporter. Nothing else.

pandas and pandera are imported only when a file is actually validated, so ``--help`` and
``--version`` answer at once (a pre-commit hook pays start-up on every commit).
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from webinar_validate import cli_outputs
from webinar_validate._lazy_rows import errors_of
from webinar_validate._version import __version__

if TYPE_CHECKING:
    from webinar_validate.report import DryRunReport

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
        prog="webinar-validate",
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


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


def _text_report(report: DryRunReport, out: TextIO, err: TextIO) -> None:
    pre = report.preflight
    if not report.judged:
        # One line per file, whatever the number of problems: easy to read and to grep.
        codes = ",".join(dict.fromkeys(str(p.extensions.code) for p in report.errors))
        print(f"{pre.source}: {codes} {' '.join(p.message for p in report.errors)}", file=err)
        return
    for _, errors in errors_of(report.invalid_rows):  # a block at a time, no row objects
        for error in errors:
            print(f"{pre.source}:{error.cell} {error.code} {error.message}", file=out)
    for warning in pre.warnings:
        print(f"{pre.source}: warning {warning.code} {warning.message}", file=out)
    print(
        f"{pre.source}: {pre.valid} valid, {pre.invalid} invalid, {pre.blank} blank "
        f"({pre.rowsRead} rows read)",
        file=out,
    )


def _write_json(reports: list[DryRunReport], out: TextIO) -> None:
    """One report object, or an array of them, written piece by piece (rows are streamed)."""
    write = _utf8_writer(out)
    if len(reports) == 1:
        write(reports[0].iter_json_bytes())
    else:
        write([b"["])
        for n, report in enumerate(reports):
            write([b",\n" if n else b"\n"])
            write(report.iter_json_bytes())
        write([b"\n]"])
    write([b"\n"])


def _utf8_writer(out: TextIO) -> Callable[[Iterable[bytes]], None]:
    """Writes UTF-8 pieces to ``out``: straight to its bytes when it is UTF-8 text over a
    binary stream (stdout, a file), else decoded to its text layer."""
    binary = getattr(out, "buffer", None)
    encoding = getattr(out, "encoding", None) or ""
    if binary is not None and _is_utf8(encoding):
        out.flush()

        def to_bytes(pieces: Iterable[bytes]) -> None:
            binary.writelines(pieces)
            binary.flush()

        return to_bytes

    def to_text(pieces: Iterable[bytes]) -> None:
        out.writelines(piece.decode() for piece in pieces)

    return to_text


def _is_utf8(encoding: str) -> bool:
    import codecs

    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``webinar-validate``; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["template"]:
        return cli_outputs.template_main(argv[1:])
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else 2
    files = [path for path in args.files if not _excluded(path, args.exclude)]
    if args.output and any(_same_file(args.output, f) for f in files if os.path.exists(f)):
        print(
            f"webinar-validate: --output {args.output} is one of the input files; "
            "choose another path (the input is never overwritten).",
            file=sys.stderr,
        )
        return 2
    problem = cli_outputs.check_paths(args, files)
    if problem:
        print(f"webinar-validate: {problem}", file=sys.stderr)
        return 2
    contract = None
    if args.schema:
        from webinar_validate.errors import UsageError
        from webinar_validate.schema_file import load_contract

        try:
            contract = load_contract(args.schema)
        except UsageError as exc:
            print(f"webinar-validate: {exc.message}", file=sys.stderr)
            return 2
    reports: list[DryRunReport] = []
    if files:
        from webinar_validate.validation import validate_file

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
        print("webinar-validate: no files to check", file=sys.stderr)
    if args.format == "json":
        _write_json(reports, sys.stdout)
    elif args.format == "github":
        from webinar_validate._github import github_report

        for report in reports:
            github_report(report, sys.stdout)
    else:
        for report in reports:
            _text_report(report, sys.stdout, sys.stderr)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as stream:
                _write_json(reports, stream)
        except OSError as exc:
            print(f"webinar-validate: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
            return 2
    status = max((report.exit_status for report in reports), default=0)
    return max(status, cli_outputs.run(args, reports, sys.stdout, sys.stderr, contract=contract))
