"""Time whole processes on the benchmark files (issue 5) and print a markdown table.

    python bench/generate.py && python bench/run.py --quick
    python bench/run.py --sizes 1M --runs 3 --timeout 300 --json /tmp/bench.json

Each command runs as its own process, several times per file (5 up to 100k rows, 3 at 1M),
the commands taking turns within each round so that drift on the machine hits them alike; the
table shows medians. A child's peak memory is its own ``ru_maxrss``, read with ``os.wait4``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from generate import DEFAULT_OUT, SIZES, Spec, parse_size, specs_for

# The interpreter of the children: this one, or another environment's (BENCH_PYTHON), such as
# a plain install without the test extras: with hypothesis installed, pandera imports it
# (~0.3 s of start-up that a user's pre-commit environment does not pay).
PY = os.environ.get("BENCH_PYTHON") or sys.executable
# (a) exits with the report's status so that a file the library could not judge (status 2)
# shows as a failure instead of a fast, meaningless time; the work timed is the same.
VALIDATE = (
    "import sys; from webinar_validate import validate_file; "
    "sys.exit(validate_file(sys.argv[1], max_rows=0).exit_status)"
)
READ_CSV = (
    "import sys, pandas as pd; "
    "pd.read_csv(sys.argv[1], dtype=str, engine='pyarrow', keep_default_na=False)"
)
CALAMINE = (
    "import sys; from python_calamine import CalamineWorkbook as W; "
    "W.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()"
)
CLI = (PY, "-m", "webinar_validate", "--max-rows", "0", "--format")

# name -> (argv before the file, formats it applies to)
COMMANDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "a": ((PY, "-c", VALIDATE), ("csv", "xlsx")),
    "b": ((PY, "-c", READ_CSV), ("csv",)),
    "c": ((PY, "-c", CALAMINE), ("xlsx",)),
    "d-json": ((*CLI, "json"), ("csv", "xlsx")),
    "d-text": ((*CLI, "text"), ("csv", "xlsx")),
}
OK_STATUS = (0, 1)  # 1 = some rows invalid, which is what most files are for

# Issue 5's targets: (what, format, rows, invalid % or None for any, ratio at most).
TIME_TARGETS = (
    ("CSV 100k rows", "csv", 100_000, None, 2.0),
    ("CSV 1M rows, 5 % invalid", "csv", 1_000_000, 5, 3.0),
    ("CSV 1M rows, 50 % invalid", "csv", 1_000_000, 50, 4.0),
    ("XLSX 100k rows", "xlsx", 100_000, None, 1.3),
)
MEMORY_TARGET = ("peak memory at 1M rows", 1_000_000, 1.5)


@dataclass
class Run:
    """One child process."""

    seconds: float
    maxrss_kib: int
    status: int | None  # exit status; None when it was killed for the timeout
    stderr: str = ""
    cpu_seconds: float = 0.0  # user + system time of the child (all its threads)
    source: str = ""  # digest of the package's sources when the run started

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUS


@dataclass
class Measure:
    """Every run of one command on one file."""

    command: str
    runs: list[Run] = field(default_factory=list)

    @property
    def timed_out(self) -> bool:
        return any(r.status is None for r in self.runs)

    @property
    def failed(self) -> Run | None:
        return next((r for r in self.runs if r.status is not None and not r.ok), None)

    def seconds(self) -> float | None:
        good = [r.seconds for r in self.runs if r.ok]
        return statistics.median(good) if good and not self.timed_out and not self.failed else None

    def cpu(self) -> float | None:
        good = [r.cpu_seconds for r in self.runs if r.ok]
        return statistics.median(good) if good and not self.timed_out and not self.failed else None

    def peak_mib(self) -> float | None:
        good = [r.maxrss_kib / 1024 for r in self.runs if r.ok]
        return statistics.median(good) if good and not self.timed_out and not self.failed else None

    def statuses(self) -> set[int | None]:
        return {r.status for r in self.runs}


def run_child(argv: list[str], timeout: float) -> Run:
    """Run one process, output to /dev/null; its wall time, own peak RSS and exit status."""
    with tempfile.TemporaryFile() as err, open(os.devnull, "wb") as out:
        killed = threading.Event()
        began = time.perf_counter()
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True
        )

        def kill() -> None:
            killed.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # the child's own group (new session)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, wait_status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - began
        proc.returncode = os.waitstatus_to_exitcode(wait_status)  # reaped here, not by Popen
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", "replace")
    status = None if killed.is_set() else proc.returncode
    return Run(seconds, usage.ru_maxrss, status, tail, usage.ru_utime + usage.ru_stime)


def source_digest() -> str:
    """A short digest of webinar_validate's sources: others may edit them between runs."""
    spec = importlib.util.find_spec("webinar_validate")
    if spec is None or not spec.submodule_search_locations:
        return "?"
    digest = hashlib.sha1()
    for folder in spec.submodule_search_locations:
        for path in sorted(Path(folder).rglob("*.py")):
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def facts() -> list[str]:
    """The environment the numbers were taken in."""

    def version(name: str) -> str:
        if sys.executable != PY:  # the children's environment, not this one
            code = f"from importlib import metadata; print(metadata.version({name!r}))"
            done = subprocess.run([PY, "-c", code], capture_output=True, text=True, check=False)
            return done.stdout.strip() if done.returncode == 0 else "not installed"
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    names = (
        "webinar-validate",
        "pandas",
        "pyarrow",
        "pandera",
        "python-calamine",
        "openpyxl",
        "hypothesis",
    )
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        memory = float("nan")
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        head = ""
    env = {
        k: v
        for k, v in os.environ.items()
        if k.startswith(("OPENBLAS", "OMP_", "MKL_", "ARROW_", "PYTHONDONTWRITE", "PYTHONOPT"))
    }
    lines = [
        f"- python {platform.python_version()} ({PY}) on {platform.platform()}",
        "- " + ", ".join(f"{n} {version(n)}" for n in names),
        f"- nproc {len(os.sched_getaffinity(0))} (cpu_count {os.cpu_count()}), "
        f"memory {memory:.1f} GiB, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"- git HEAD {head or '?'}; webinar_validate sources digest {source_digest()} (the "
        "working tree may hold uncommitted edits; a digest that changes between runs is noted)",
        "- environment: " + (", ".join(f"{k}={v}" for k, v in sorted(env.items())) or "(none)"),
    ]
    return lines


def _s(value: float | None, measure: Measure | None = None, digits: int = 2) -> str:
    if measure is not None and measure.timed_out:
        return "timeout"
    if measure is not None and measure.failed is not None:
        return f"failed ({measure.failed.status})"
    return "—" if value is None else f"{value:.{digits}f}"


def _x(ratio: float | None, suffix: str = "") -> str:
    return "—" if ratio is None else f"{ratio:.1f}x{suffix}"


def _ratio(top: float | None, bottom: float | None) -> float | None:
    return top / bottom if top is not None and bottom else None


def table(results: list[tuple[Spec, dict[str, Measure]]]) -> list[str]:
    """The markdown table of medians."""
    head = (
        "| file | rows | invalid % | a validate_file s | b read_csv s | c calamine s "
        "| d json s | d text s | a/floor | peak a MiB | peak floor MiB | mem a/floor "
        "| peak d json MiB | rows/s (a) | CPU s a | CPU s floor |"
    )
    lines = [head, "|" + "---|" * 16]
    for spec, by in results:
        floor = by.get("b" if spec.fmt == "csv" else "c")
        a = by.get("a")
        t = {name: (m.seconds() if m else None) for name, m in by.items()}
        ta, tf = t.get("a"), floor.seconds() if floor else None
        pa, pf = (a.peak_mib() if a else None), (floor.peak_mib() if floor else None)
        dj = by.get("d-json")
        cells = [
            spec.name,
            f"{spec.rows:,}",
            str(spec.invalid_pct),
            _s(ta, a),
            _s(t.get("b"), by.get("b")),
            _s(t.get("c"), by.get("c")),
            _s(t.get("d-json"), by.get("d-json")),
            _s(t.get("d-text"), by.get("d-text")),
            _x(_ratio(ta, tf), f" (a/{'b' if spec.fmt == 'csv' else 'c'})"),
            _s(pa, a, 0),
            _s(pf, floor, 0),
            _x(_ratio(pa, pf)),
            _s(dj.peak_mib() if dj else None, dj, 0),
            f"{spec.rows / ta:,.0f}" if ta else "—",
            _s(a.cpu() if a else None, a),
            _s(floor.cpu() if floor else None, floor),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def verdicts(results: list[tuple[Spec, dict[str, Measure]]]) -> list[str]:
    """Each issue-5 target against the medians measured (only targets whose files ran)."""
    lines = []
    for what, fmt, rows, pct, limit in TIME_TARGETS:
        for spec, by in results:
            if (
                spec.fmt != fmt
                or spec.rows != rows
                or (pct is not None and spec.invalid_pct != pct)
            ):
                continue
            floor, a = by.get("b" if fmt == "csv" else "c"), by.get("a")
            ratio = _ratio(a.seconds() if a else None, floor.seconds() if floor else None)
            shown = "not measured" if ratio is None else f"{ratio:.2f}x"
            met = ratio is not None and ratio <= limit
            mark = "met" if met else "MISSED"
            lines.append(f"- {what} ({spec.name}): a/floor {shown}, target <= {limit}x: {mark}")
    what, rows, limit = MEMORY_TARGET
    for spec, by in results:
        if spec.rows != rows:
            continue
        floor, a = by.get("b" if spec.fmt == "csv" else "c"), by.get("a")
        ratio = _ratio(a.peak_mib() if a else None, floor.peak_mib() if floor else None)
        shown = "not measured" if ratio is None else f"{ratio:.2f}x"
        mark = "met" if ratio is not None and ratio <= limit else "MISSED"
        lines.append(f"- {what} ({spec.name}): peak a/floor {shown}, target <= {limit}x: {mark}")
    return lines


def notes(results: list[tuple[Spec, dict[str, Measure]]]) -> list[str]:
    """Failures, timeouts and exit statuses that contradict the file's invalid share."""
    lines = []
    digests = [r.source for _, by in results for m in by.values() for r in m.runs]
    if len(set(digests)) > 1:
        lines.append(
            f"- the webinar_validate sources changed during the measurement "
            f"({len(set(digests))} versions: {', '.join(dict.fromkeys(digests))}); rows measured "
            "on different versions are not comparable:"
        )
        for spec, by in results:
            seen = dict.fromkeys(r.source for m in by.values() for r in m.runs)
            lines.append(f"  - {spec.name}: {', '.join(seen)}")
    for spec, by in results:
        expected = 0 if spec.invalid_pct == 0 else 1
        for name, m in by.items():
            if m.timed_out:
                lines.append(f"- {spec.name} {name}: timed out")
            failed = m.failed
            if failed is not None:
                tail = failed.stderr.strip().splitlines()[-1:] or [""]
                lines.append(f"- {spec.name} {name}: exit {failed.status}: {tail[0]}")
            elif name != "b" and name != "c" and not m.timed_out:
                seen = m.statuses()
                if seen != {expected}:
                    lines.append(
                        f"- {spec.name} {name}: exit status {sorted(seen, key=str)}, "
                        f"expected {expected} for {spec.invalid_pct} % invalid rows"
                    )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Measure, then print the environment, the table, the targets and any notes."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_OUT, help="the generated files")
    parser.add_argument("--sizes", help="comma-separated sizes, e.g. 10k,100k (default: all)")
    parser.add_argument("--quick", action="store_true", help="only 10k and 100k")
    parser.add_argument("--runs", type=int, help="runs per command (default 5; 3 at 1M rows)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per run")
    parser.add_argument(
        "--commands", default=",".join(COMMANDS), help="subset of " + ",".join(COMMANDS)
    )
    parser.add_argument("--json", type=Path, help="also write every run's numbers here")
    args = parser.parse_args(argv)
    sizes = {parse_size(s) for s in args.sizes.split(",")} if args.sizes else None
    if args.quick:
        sizes = (sizes or set(SIZES)) & {10_000, 100_000}
    wanted = [c.strip() for c in args.commands.split(",") if c.strip()]
    unknown = set(wanted) - set(COMMANDS)
    if unknown:
        parser.error(f"unknown commands: {', '.join(sorted(unknown))}")

    print("## Environment\n")
    print("\n".join(facts()), flush=True)
    results: list[tuple[Spec, dict[str, Measure]]] = []
    loads: list[float] = []  # the 1-minute load average after each run: others' work shows
    for spec in specs_for(sizes):
        path = args.data / spec.name
        if not path.exists():
            print(f"missing {path}: run python bench/generate.py first", file=sys.stderr)
            continue
        runs = args.runs or (3 if spec.rows >= 1_000_000 else 5)
        names = [n for n in wanted if spec.fmt in COMMANDS[n][1]]
        by = {name: Measure(name) for name in names}
        for k in range(runs):
            for name in names:
                m = by[name]
                if m.timed_out or m.failed is not None:
                    continue  # one timeout or failure is enough: spend the time elsewhere
                digest = source_digest()
                run = run_child([*COMMANDS[name][0], str(path)], args.timeout)
                run.source = digest
                m.runs.append(run)
                loads.append(os.getloadavg()[0])
                state = "timeout" if run.status is None else f"exit {run.status}"
                print(
                    f"{spec.name} run {k + 1}/{runs} {name:7} {run.seconds:8.2f} s "
                    f"(cpu {run.cpu_seconds:7.2f} s) {run.maxrss_kib / 1024:7.0f} MiB  {state}  "
                    f"load {os.getloadavg()[0]:.2f}",
                    file=sys.stderr,
                    flush=True,
                )
        results.append((spec, by))

    print("\n## Medians (seconds of wall time, peak RSS of the child)\n")
    print("\n".join(table(results)))
    print("\n## Targets (issue 5)\n")
    print("\n".join(verdicts(results)) or "- none of the target files ran")
    extra = notes(results)
    if extra:
        print("\n## Notes\n")
        print("\n".join(extra))
    print(
        "\n- CPU s: user + system seconds of the child (median); pyarrow reads with several "
        "threads, so its CPU time may exceed its wall time."
    )
    if loads:
        print(
            f"- 1-minute load average after each run: min {min(loads):.2f}, median "
            f"{statistics.median(loads):.2f}, max {max(loads):.2f} (nproc "
            f"{len(os.sched_getaffinity(0))}); above nproc, other processes shared the cores."
        )
    if args.json:
        dump = [
            {"file": s.name, **asdict(s), "commands": {n: asdict(m) for n, m in by.items()}}
            for s, by in results
        ]
        args.json.write_text(json.dumps(dump, indent=2) + "\n")
    failed = any(m.failed is not None for _, by in results for m in by.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
