"""The selective canned queries on a large store that is already built: milliseconds each.

    python bench/selective.py --project DIR --store DIR [--repeat 5] [--json FILE]

``--project`` is a project made by bench/generate.py and ``--store`` an Oxigraph store of it
written by `tradegraph build --store DIR` (or by ``load_store(project, path=DIR)``). Runs
tariff-in-force, actor-timeline and sources-of with bench/run.py's parameters on the store,
once to warm the caches and then ``--repeat`` times, and prints the median, fastest and
slowest milliseconds and the rows of each. For a floor in the same run it also times a query
that reads one triple (``ASK``), so a figure can be read against what any query costs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import PARAMS  # noqa: E402

from tradegraph.project import Project  # noqa: E402
from tradegraph.query.run import QueryRunner  # noqa: E402
from tradegraph.store.oxigraph import FactStore  # noqa: E402

SELECTIVE = ("tariff-in-force", "actor-timeline", "sources-of")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    project = Project.open(args.project)
    store = FactStore.open(args.store, base=project.base)
    runner = QueryRunner(project, engine=store.engine())
    figures: dict[str, dict[str, float | int]] = {}

    def measure(name: str, fn) -> None:  # type: ignore[no-untyped-def]
        rows = fn()  # warm-up
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        figures[name] = {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times),
                         "rows": rows if isinstance(rows, int) else len(rows)}

    measure("ASK one triple (floor)", lambda: int(bool(store.store.query("ASK { ?s ?p ?o }"))))
    for name in SELECTIVE:
        measure(name, lambda name=name: runner.run(name, **PARAMS.get(name, {})))
    quads = len(store)
    print(f"store {args.store}: {quads:,} quads; {args.repeat} runs after a warm-up")
    print(f"{'query':<28} {'median ms':>10} {'min ms':>8} {'max ms':>8} {'rows':>7}  parameters")
    for name, f in figures.items():
        print(f"{name:<28} {f['median_ms']:>10.1f} {f['min_ms']:>8.1f} {f['max_ms']:>8.1f} {f['rows']:>7}  "
              f"{PARAMS.get(name, {})}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"quads": quads, "repeat": args.repeat, "queries": figures,
                                         "params": {n: PARAMS.get(n, {}) for n in SELECTIVE},
                                         "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"},
                                        indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
