"""How long `tradegraph build` takes on the small bundled graph, as a user runs it.

    python bench/bundled.py [--repeat 5] [--json bench/results/bundled.json]

Runs the `tradegraph` command (a new process each time, so imports count) in a copy of the
repository's project, ``--repeat`` times, and prints the median, the fastest and the slowest
wall-clock seconds, and the median CPU seconds of the child (user + system). For a baseline
in the same run, it also times `python -c pass` (the interpreter starting), and
`tradegraph --version` (the CLI starting); the build's own work is the difference.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def timed(command: list[str], cwd: Path, repeat: int) -> dict[str, float]:
    """Median, fastest and slowest wall seconds, and median child CPU seconds, of ``command``."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = os.times()
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        after = os.times()
        cpus.append(after.children_user - before.children_user + after.children_system - before.children_system)
    return {"median": statistics.median(walls), "min": min(walls), "max": max(walls),
            "cpu_median": statistics.median(cpus)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    script = Path(sys.executable).parent / "tradegraph"
    with tempfile.TemporaryDirectory(prefix="tradegraph-bundled-") as folder:
        project = Path(folder) / "project"
        shutil.copytree(REPO / "graph", project / "graph")
        shutil.copy(REPO / "tradegraph.yaml", project) if (REPO / "tradegraph.yaml").exists() else None
        figures = {
            "python -c pass": timed([sys.executable, "-c", "pass"], project, args.repeat),
            "tradegraph --version": timed([str(script), "--version"], project, args.repeat),
            "tradegraph build": timed([str(script), "build"], project, args.repeat),
        }
    print(f"{'command':<24} {'median s':>9} {'min s':>7} {'max s':>7} {'cpu s':>7}   ({args.repeat} runs)")
    for name, f in figures.items():
        print(f"{name:<24} {f['median']:>9.3f} {f['min']:>7.3f} {f['max']:>7.3f} {f['cpu_median']:>7.3f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"repeat": args.repeat, "commands": figures,
                                         "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"},
                                        indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
