"""Time and memory of the CLI on decompression and XML entity bombs: ``python bench/bombs.py``.

Each bomb is built in a temporary folder (with the builders of ``tests/make_hostile.py``) and
checked by ``python -m webinar_validate --format json BOMB`` as a child process (of a small
launcher, see make_hostile.LAUNCHER). For each it prints the exit status, the wall time and the
child's peak resident memory (``ru_maxrss`` from ``os.wait4``), then the same measured by
``/usr/bin/time -v`` when it is installed. Issue 3's bar:
every bomb answered (exit 2, unreadable_file) in under 10 s and under 500 MiB.

A clean sample file is measured first: most of each figure is Python, pandas and pandera
starting up, not the bomb.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import make_hostile as hostile  # noqa: E402 - found through the path set just above

MAX_SECONDS = 10.0
MAX_MIB = 500.0
GIB = 1 << 30

BOMBS: list[tuple[str, str, Callable[[], bytes]]] = [
    (
        "decompression bomb, 300 MiB sheet",
        "bomb_300mib.xlsx",
        lambda: hostile.decompression_bomb(300 * hostile.MIB),
    ),
    (
        "decompression bomb, 3 GiB sheet",
        "bomb_3gib.xlsx",
        lambda: hostile.decompression_bomb(3 * GIB),
    ),
    (
        "decompression bomb, 200 MiB (under the part limit)",
        "bomb_200mib.xlsx",
        lambda: hostile.decompression_bomb(200 * hostile.MIB),
    ),
    (
        "lying sizes: 3 GiB declared as 4 KiB",
        "bomb_lying.xlsx",
        lambda: hostile.lying_bomb(3 * GIB),
    ),
    (
        "entity bomb (billion laughs) in the sheet",
        "laughs_sheet.xlsx",
        lambda: hostile.entity_bomb("sheet"),
    ),
    (
        "entity bomb in sharedStrings.xml",
        "laughs_shared.xlsx",
        lambda: hostile.entity_bomb("shared"),
    ),
    (
        "entity bomb in a sheet not named .xml",
        "laughs_odd.xlsx",
        lambda: hostile.entity_bomb("odd name"),
    ),
]


def run_child(path: Path) -> tuple[int, float, float, str]:
    """(exit status, wall seconds, peak RSS in MiB, the report's error codes) of one CLI run."""
    status, seconds, mib, report = hostile.measure_cli(path)
    codes = ",".join(e["extensions"]["code"] for e in report["errors"]) or "-"
    return status, seconds, mib, codes


def run_time_v(path: Path) -> tuple[float, float] | None:
    """(wall seconds, peak RSS in MiB) as ``/usr/bin/time -v`` reports them, if it is there."""
    if not os.access("/usr/bin/time", os.X_OK):
        return None
    command = ["/usr/bin/time", "-v", sys.executable, "-m", "webinar_validate", "--format", "json"]
    done = subprocess.run([*command, str(path)], capture_output=True, text=True, check=False)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    wall = re.search(
        r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", done.stderr
    )
    if not peak or not wall:
        return None
    hours, minutes, seconds = wall.groups()
    total = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    return total, int(peak.group(1)) / 1024


def main() -> int:
    """Build each bomb, measure the CLI on it, and return 1 if any misses the bar."""
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        inputs = [("clean sample (start-up cost)", ROOT / "sample_assets" / "sessions.xlsx")]
        for title, name, build in BOMBS:
            path = Path(tmp) / name
            path.write_bytes(build())
            inputs.append((title, path))
        print(f"{'input':52} {'on disk':>9} {'exit':>4} {'seconds':>8} {'peak MiB':>9}  codes")
        for title, path in inputs:
            status, seconds, mib, codes = run_child(path)
            size = f"{path.stat().st_size / 1024:,.0f} KiB"
            verdict = ""
            if path.parent != ROOT / "sample_assets":
                ok = status == 2 and seconds < MAX_SECONDS and mib < MAX_MIB
                failures += not ok
                verdict = "" if ok else "  <-- misses the bar"
            print(f"{title:52} {size:>9} {status:>4} {seconds:8.2f} {mib:9.0f}  {codes}{verdict}")
        print()
        print("/usr/bin/time -v:")
        for title, path in inputs:
            measured = run_time_v(path)
            if measured is None:
                print("  /usr/bin/time is not available")
                break
            seconds, mib = measured
            print(f"  {title:50} {seconds:8.2f} s {mib:8.0f} MiB")
    print()
    print(f"bar: exit 2 in under {MAX_SECONDS:.0f} s and {MAX_MIB:.0f} MiB: ", end="")
    print("all met" if not failures else f"{failures} missed")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
