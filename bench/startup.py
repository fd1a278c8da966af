"""Start-up cost of the hook against the cost of importing pandera, measured in the same run.

A pre-commit hook pays its start-up on every commit. pandera (with pandas) is the floor: the hook
cannot validate without it. This script times, as the median of N fresh processes each,

    a)  python -c "import pandera.pandas"
    b1) python -m webinar_validate FILE      (FILE: a valid 50-row CSV written to a temp dir)
    b2) webinar-validate FILE                (the installed console script)

and prints the ratios b/a (aim: <= 1.3). Commands run interleaved, round by round, so that load
on the machine falls on all of them alike. Usage: ``python bench/startup.py [N]`` (default 15).
"""

from __future__ import annotations

import csv
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_assets" / "sessions.csv"
ROWS = 50
_DATES = ("startDate", "endDate", "enrollmentStartDate", "enrollmentEndDate")


def write_csv(path: Path, rows: int = ROWS) -> None:
    """A valid CSV of ``rows`` sessions: the sample's rows, repeated a week apart, made unique."""
    with SAMPLE.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        templates = list(reader)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, header)
        writer.writeheader()
        for n in range(rows):
            row = dict(templates[n % len(templates)])
            copy = n // len(templates)
            row["slug"] = f"{row['slug']}-{n}"
            row["sku"] = f"{row['sku']}-{n}"
            if row["sessionId"]:
                row["sessionId"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"session-{n}"))
            for name in _DATES:
                if row[name]:
                    shifted = datetime.fromisoformat(row[name]) + timedelta(weeks=copy)
                    row[name] = shifted.isoformat(timespec="milliseconds")
            writer.writerow(row)


def _time(command: list[str], expect: int) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != expect:
        raise SystemExit(f"{command} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return elapsed


def main(argv: list[str]) -> int:
    """Time the commands and print the table and the ratios."""
    runs = int(argv[0]) if argv else 15
    script = shutil.which("webinar-validate") or str(
        Path(sys.executable).with_name("webinar-validate")
    )
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "sessions-50.csv"
        write_csv(data)
        commands = {
            "a  import pandera.pandas": ([sys.executable, "-c", "import pandera.pandas"], 0),
            "b1 python -m webinar_validate": (
                [sys.executable, "-m", "webinar_validate", str(data)],
                0,
            ),
            "b2 webinar-validate (script)": ([script, str(data)], 0),
        }
        for command, expect in commands.values():  # warm the file cache; check it works
            _time(command, expect)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, (command, expect) in commands.items():
                times[name].append(_time(command, expect))
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"{ROWS}-row valid CSV, median of {runs} runs each (python {sys.version.split()[0]})")
    print(f"{'command':<32}{'median s':>10}{'min s':>10}{'max s':>10}")
    for name, values in times.items():
        print(f"{name:<32}{medians[name]:>10.3f}{min(values):>10.3f}{max(values):>10.3f}")
    base = medians["a  import pandera.pandas"]
    for name in list(commands)[1:]:
        print(f"ratio {name.split()[0]}/a: {medians[name] / base:.2f}  (target <= 1.30)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
