"""The command line of the outputs: ``--annotate``, ``--fix``, ``--valid-out``, ``--invalid-out``
``--output`` and the ``template`` subcommand. ``cli.main`` wires them in; this module parses,
checks the paths and writes.

The output flags take exactly one input FILE (several inputs would need invented names). The
overwrite policy, the same for every output (``--output``, the output flags and ``template``):
an existing file is overwritten (the "wrote" line says so), but no output path may be an input
file named on the command line (excluded or not), the ``--schema`` file, a folder, or another
output's path. Outputs are built from the report and the Table it judged, never from a
second read of the input. An output that cannot be written (openpyxl cannot load the workbook, a
full disk) is one line on stderr and exit status 2, after the report. Nothing here imports
openpyxl or pandas until an output is asked for, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from webinar_validate.cli.display import counted, say
from webinar_validate.cli.paths import OVERWRITES, OVERWRITES_SHORT, replacing, same_file
from webinar_validate.cli.reporters import summary, write_json

if TYPE_CHECKING:
    from webinar_validate.contract.columns import SessionContract
    from webinar_validate.report.model import DryRunReport

PROG = "webinar-validate"
OUTPUT_FLAGS = {
    "annotate": "--annotate",
    "fix": "--fix",
    "valid_out": "--valid-out",
    "invalid_out": "--invalid-out",
}
_SUFFIXES = {"annotate": (".xlsx",)}
_TABLE_SUFFIXES = (".csv", ".xlsx")


def _say(text: str, stream: TextIO) -> None:
    """Print one line, control characters escaped (``\\n``), never raw."""
    say(stream, text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the output flags to ``webinar-validate``'s parser (a second call changes nothing)."""
    try:
        group = parser.add_argument_group(
            "files to act on (with one input FILE)",
            description=OVERWRITES,
        )
        group.add_argument(
            "--annotate",
            metavar="OUT.xlsx",
            help="write a copy with every invalid cell red and commented, an errors column "
            f"and a Summary sheet ({OVERWRITES_SHORT})",
        )
    except argparse.ArgumentError:  # already added (cli.main wires this module in)
        return
    group.add_argument(
        "--fix",
        metavar="OUT",
        help="write a corrected copy (.csv or .xlsx) with only safe fixes, list each fix and "
        f"check the copy again ({OVERWRITES_SHORT})",
    )
    group.add_argument(
        "--valid-out",
        metavar="FILE",
        help=f"write the valid rows, ready to upload (.csv or .xlsx; {OVERWRITES_SHORT})",
    )
    group.add_argument(
        "--invalid-out",
        metavar="FILE",
        help=f"write the invalid rows with rowNumber and errors (.csv or .xlsx; "
        f"{OVERWRITES_SHORT})",
    )


def _chosen(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    """(dest, flag, path) of each output flag given."""
    return [
        (dest, flag, path) for dest, flag in OUTPUT_FLAGS.items() if (path := getattr(args, dest))
    ]


def check_paths(
    args: argparse.Namespace,
    files: Sequence[str] | None = None,
    *,
    judged: Sequence[str] | None = None,
) -> str | None:
    """Why the output paths cannot be used as given, or None.

    ``files`` are the input files named on the command line, excluded or not (default
    ``args.files``; pass the expanded list when the CLI expands folders or patterns): no output,
    ``--output`` included, may be any of them, nor any of ``args.files`` or the ``--schema``
    file. ``judged`` are the files that will be judged (default ``files``): the output flags
    need exactly one.
    """
    chosen = _chosen(args)
    named = list(args.files)
    inputs = [*(files or ()), *(f for f in named if files is None or f not in files)]
    if args.schema:
        inputs.append(args.schema)  # read too: never overwritten
    outputs = [(flag, path) for _, flag, path in chosen]
    if args.output:
        outputs.append(("--output", args.output))
    for flag, path in outputs:
        problem = _path_problem(flag, path, inputs)
        if problem:
            return problem
    if not chosen:
        return None
    counted = list(judged if judged is not None else files if files is not None else named)
    flags = ", ".join(flag for _, flag, _ in chosen)
    if len(counted) != 1:
        return f"with {flags}, give exactly one input FILE (not {len(counted)}); run once per file."
    for dest, flag, path in chosen:
        allowed = _SUFFIXES.get(dest, _TABLE_SUFFIXES)
        if os.path.splitext(path)[1].lower() not in allowed:
            return f"{flag} {path} must end in {' or '.join(allowed)}."
    for i, (flag, path) in enumerate(outputs):
        for other_flag, other in outputs[i + 1 :]:
            if same_file(path, other):
                return f"{flag} and {other_flag} both name {path}; give each output its own path."
    return None


def _path_problem(flag: str, output: str, inputs: Sequence[str]) -> str | None:
    """Why an output cannot be written as given, or None. Asked before any file is read."""
    example = ", such as report.json" if flag == "--output" else ""
    if not output:
        return f"{flag} needs a file name{example}."
    for source in inputs:  # every input named, excluded or not, and the schema file
        if same_file(output, source):
            return (
                f"{flag} {output} is the input file {source}; choose another path "
                "(an input is never overwritten)."
            )
    try:
        mode: int | None = os.stat(output).st_mode
    except FileNotFoundError:
        mode = None
    except (OSError, ValueError) as exc:
        return f"{flag} {output} cannot be used: {getattr(exc, 'strerror', None) or exc}."
    if mode is not None and stat.S_ISDIR(mode):
        return f"{flag} {output} is a folder; give a file name{example}."
    if mode is not None and not stat.S_ISREG(mode):
        return (
            f"{flag} {output} is not a regular file (it is a pipe or a device); "
            f"give a file name{example}."
        )
    folder = os.path.dirname(os.path.realpath(output))
    if not os.path.isdir(folder):
        return f"{flag} {output}: the folder {folder} does not exist."
    return None


def write_output(path: str, reports: Sequence[DryRunReport], err: TextIO) -> int:
    """Write the JSON report to ``--output`` atomically; 2 (and one line) when it cannot be."""
    from webinar_validate.cli.outputs._common import atomic_output

    # Through a symbolic link to the file it names, so the link keeps working.
    target = os.path.realpath(path)
    try:
        with atomic_output(target) as temporary, open(temporary, "wb") as stream:
            write_json(reports, stream.writelines)
    except OSError as exc:
        say(err, f"{PROG}: cannot write {path}: {exc.strerror or exc}; it was left as it was.")
        return 2
    return 0


def run(
    args: argparse.Namespace,
    reports: Sequence[DryRunReport],
    out: TextIO,
    err: TextIO,
    *,
    contract: SessionContract | None = None,
) -> int:
    """Write the outputs asked for; return 2 when one could not be written, else 0.

    Fix lines and summaries go to ``out`` with ``--format text`` and to ``err`` otherwise, so a
    JSON report on stdout stays parseable.
    """
    chosen = _chosen(args)
    if not chosen:
        return 0
    flags = ", ".join(flag for _, flag, _ in chosen)
    (report,) = reports  # check_paths let the output flags through with exactly one input
    if not report.judged:
        _say(f"{PROG}: {report.preflight.source} could not be judged; {flags} not written.", err)
        return 2
    channel = out if args.format == "text" else err
    from webinar_validate.errors import WebinarValidateError

    status = 0
    for dest, flag, path in chosen:
        # openpyxl's own failures are caught where it loads and saves (one line naming the file
        # and the cause); anything else raised here is a bug of ours and is not hidden.
        try:
            _ACTIONS[dest](args, report, path, channel, err, contract)
        except WebinarValidateError as exc:
            _say(f"{PROG}: {flag}: {exc.message}", err)
            status = 2
        except OSError as exc:
            _say(f"{PROG}: cannot write {path}: {exc.strerror or exc}", err)
            status = 2
    return status


def _annotate(
    args: argparse.Namespace,
    report: DryRunReport,
    path: str,
    out: TextIO,
    err: TextIO,
    contract: SessionContract | None,
) -> None:
    from webinar_validate.cli.outputs import annotate

    replaced = replacing(path)
    notes = annotate(report, report.preflight.source, path)
    cells = {e.cell for row in report.invalid_rows for e in row.errors}
    rows = len(report.invalid_rows)
    _say(
        f"{PROG}: wrote {path}{replaced}: {counted(len(cells), 'invalid cell')} in "
        f"{counted(rows, 'row')} marked red, with comments and a Summary sheet",
        out,
    )
    for note in notes:
        _say(f"{PROG}: note: {note}", err)


def _fix(
    args: argparse.Namespace,
    report: DryRunReport,
    path: str,
    out: TextIO,
    err: TextIO,
    contract: SessionContract | None,
) -> None:
    from webinar_validate.cli.outputs import fix
    from webinar_validate.engine.run import validate_file

    notes: list[str] = []
    replaced = replacing(path)
    fixes = fix(report, report.preflight.source, path, contract=contract, notes=notes)
    for item in fixes:
        _say(str(item), out)
    made = counted(len(fixes), "fix", "fixes")
    table = report.judged_table
    same_cells = not fixes and table is not None and table.dialect is not None
    if same_cells and path.lower().endswith(".csv"):
        # A CSV copy of a CSV with no fix holds the judged cells in the input's own dialect:
        # its verdict is the report's (checking it again cost a wide file seconds).
        _say(
            f"{PROG}: wrote {path}{replaced} with {made}; the same cells, so the same verdict:",
            out,
        )
        again = report
    else:
        _say(f"{PROG}: wrote {path}{replaced} with {made}; checking it again:", out)
        sheet = report.preflight.sheet if path.lower().endswith(".xlsx") else None
        again = validate_file(
            path,
            sheet=sheet,
            max_rows=args.max_rows,
            strict=args.strict,
            contract=contract,
            **({"now": args.now} if args.now is not None else {}),
        )
    for note in notes:
        _say(f"{PROG}: note: {note}", err)
    pre = again.preflight
    name = path if again is report else pre.source
    if not again.judged:
        for problem in again.errors:  # one line per problem, each with its code
            _say(f"{pre.source}: {problem.extensions.code} {problem.message}", err)
        return
    _say(f"{name}: {summary(pre.valid, pre.invalid, pre.blank, pre.rowsRead)}", out)
    left = Counter(str(e.code) for row in again.invalid_rows for e in row.errors)
    if left:
        codes = ", ".join(f"{code} x{n}" for code, n in left.most_common())
        _say(f"{name}: left to fix by hand: {codes}", out)


def _valid_out(
    args: argparse.Namespace,
    report: DryRunReport,
    path: str,
    out: TextIO,
    err: TextIO,
    contract: SessionContract | None,
) -> None:
    _split_out(report, path, out, err, contract, valid=True)


def _invalid_out(
    args: argparse.Namespace,
    report: DryRunReport,
    path: str,
    out: TextIO,
    err: TextIO,
    contract: SessionContract | None,
) -> None:
    _split_out(report, path, out, err, contract, valid=False)


def _split_out(
    report: DryRunReport,
    path: str,
    out: TextIO,
    err: TextIO,
    contract: SessionContract | None,
    *,
    valid: bool,
) -> None:
    from webinar_validate.cli.outputs import write_invalid, write_valid

    notes: list[str] = []
    write = write_valid if valid else write_invalid
    replaced = replacing(path)
    count = write(report, path, contract=contract, notes=notes)
    if valid:
        what = f"{counted(count, 'valid row')}, ready to upload"
    else:
        what = f"{counted(count, 'invalid row')} with {'its' if count == 1 else 'their'} errors"
    _say(f"{PROG}: wrote {path}{replaced}: {what}", out)
    for note in notes:
        _say(f"{PROG}: note: {note}", err)


_ACTIONS = {
    "annotate": _annotate,
    "fix": _fix,
    "valid_out": _valid_out,
    "invalid_out": _invalid_out,
}


def template_main(argv: Sequence[str]) -> int:
    """``webinar-validate template OUT.xlsx|OUT.csv [--force]``; ``argv`` follows ``template``."""
    parser = argparse.ArgumentParser(
        prog=f"{PROG} template",
        description="Write an import template: the contract's header and one valid example "
        "row; an .xlsx also gets drop-down lists, input messages and a frozen header. "
        + OVERWRITES,
    )
    parser.add_argument(
        "out", metavar="OUT.xlsx|OUT.csv", help=f"the file to write ({OVERWRITES_SHORT})"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="accepted so that older scripts still run; OUT is overwritten without it too",
    )
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help and usage errors
        return exc.code if isinstance(exc.code, int) else 2
    target: str = args.out
    if os.path.splitext(target)[1].lower() not in _TABLE_SUFFIXES:
        print(f"{PROG} template: {target} must end in .xlsx or .csv.", file=sys.stderr)
        return 2
    if os.path.isdir(target):
        print(f"{PROG} template: {target} is a folder; give a file name.", file=sys.stderr)
        return 2
    if os.path.lexists(target) and not os.path.isfile(target):
        print(
            f"{PROG} template: {target} is not a regular file (it is a pipe or a device); "
            "give a file name.",
            file=sys.stderr,
        )
        return 2
    from webinar_validate.cli.outputs.template import write_template

    replaced = replacing(target)

    try:
        write_template(target)
    except OSError as exc:
        print(f"{PROG} template: cannot write {target}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(
        f"{PROG}: wrote {target}{replaced}: the header and one example row; check it with "
        f"{PROG} {target}"
    )
    return 0
