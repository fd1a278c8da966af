"""Where one validation spends its time and memory, phase by phase (issue 5's profile).

    python bench/phases.py bench/_data/sessions_1M_5pct.csv [more files...]

Each file runs in a fresh process: imports, reading (the Table), the contract's checks (pandera
and our vectorised rules), the rest of judging (messages, invalid rows, lazy valid rows), and
writing the JSON report to /dev/null, with the process's resident memory after each phase.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
started = time.perf_counter()
marks = []
def rss():
    with open("/proc/self/status") as status:
        line = next(l for l in status if l.startswith("VmRSS"))
    return int(line.split()[1]) // 1024
def mark(name, since):
    now = time.perf_counter()
    marks.append((name, round(now - since, 2), rss()))
    return now
import webinar_validate.engine.run as validation
from webinar_validate.reading.dispatch import read_table
t = mark("imports", started)
table = read_table(sys.argv[1], max_rows=0)
t = mark("read", t)
spent = {}
run_schema = validation._run_schema
def timed(ctx, contract):
    begun = time.perf_counter()
    try:
        return run_schema(ctx, contract)
    finally:
        spent["checks"] = time.perf_counter() - begun
validation._run_schema = timed
report = validation.validate_table(table)
now = time.perf_counter()
marks.append(("checks", round(spent["checks"], 2), None))
marks.append(("judge (the rest)", round(now - t - spent["checks"], 2), rss()))
t = now
with open("/dev/null", "w") as out:
    out.writelines(report.iter_json())
t = mark("JSON to /dev/null", t)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps({"marks": marks, "total": round(time.perf_counter() - started, 2),
                  "peak": peak, "valid": report.preflight.valid,
                  "invalid": report.preflight.invalid}))
"""


def main(argv: list[str]) -> int:
    """Print a phase table per file."""
    if not argv:
        print(__doc__)
        return 2
    for name in argv:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, name], capture_output=True, text=True, check=False
        )
        if done.returncode:
            print(f"{name}: failed\n{done.stderr}")
            continue
        result = json.loads(done.stdout)
        print(f"\n{Path(name).name}: {result['valid']:,} valid, {result['invalid']:,} invalid")
        print("| phase | seconds | RSS after, MiB |\n|---|---|---|")
        for phase, seconds, rss in result["marks"]:
            print(f"| {phase} | {seconds:.2f} | {'' if rss is None else rss} |")
        print(f"| total | {result['total']:.2f} | peak {result['peak']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
