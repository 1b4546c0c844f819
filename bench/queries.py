"""Every canned query on Oxigraph and on rdflib, on the same synthetic project, in this process.

    python bench/queries.py [--events 2000 | --project DIR] [--repeat 3] [--timeout 600] [--no-rdflib]
                            [--query NAME ...]

Generates a project (bench/generate.py, 1% bad facts) or takes one it made, loads it into an
Oxigraph store (the build's path) and into an in-memory rdflib dataset (the baseline), runs
every canned query on both with the generator's parameters (bench/plan.py: ``given``), checks
that both give the same rows, and prints a table of the median seconds of each (over --repeat
runs; a run over 10 s is not repeated) and their ratio. Writes bench/results/queries-<events>.json. A query that passes
--timeout seconds on rdflib is stopped and shown as such. A project with its own queries/
runs those instead of the built-in ones, which is how to measure a rewrite against the old text.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from plan import given  # noqa: E402

from tradegraph.build.dataset import load_dataset  # noqa: E402
from tradegraph.build.derive import derive_store  # noqa: E402
from tradegraph.project import Project  # noqa: E402
from tradegraph.query.catalogue import load_queries  # noqa: E402
from tradegraph.query.run import QueryRunner  # noqa: E402
from tradegraph.sparql.engine import LocalEngine  # noqa: E402
from tradegraph.store.oxigraph import load_store  # noqa: E402

#: A run longer than this is not repeated: the median of one is honest enough at that scale.
REPEAT_BELOW_S = 10.0


class Timeout(BaseException):
    """A query ran past --timeout (a BaseException: rdflib catches Exception in places)."""


def _alarm(signum: int, frame: Any) -> None:
    raise Timeout


def median_seconds(fn: Callable[[], Any], repeat: int, timeout: float | None) -> tuple[float | None, Any, int]:
    """The median seconds of ``fn`` over up to ``repeat`` runs, its last result and the runs made;
    ``None`` seconds when a run passed ``timeout`` (rdflib is pure Python, so SIGALRM stops it)."""
    times: list[float] = []
    result = None
    for _ in range(repeat):
        if timeout:
            signal.setitimer(signal.ITIMER_REAL, timeout)
        start = time.perf_counter()
        try:
            result = fn()
        except Timeout:
            return None, None, len(times) + 1
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        times.append(time.perf_counter() - start)
        if times[-1] > REPEAT_BELOW_S:
            break
    return statistics.median(times), result, len(times)


def measure(project: Project, events: int, repeat: int, timeout: float, rdflib: bool,
            only: list[str] | None = None) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        start = time.perf_counter()
        store = load_store(project)
        derive_store(store.store, project.base)  # what `build --store` adds after validating
        figures: dict[str, Any] = {"events": events, "triples": len(store),
                                   "load_s": {"oxigraph": round(time.perf_counter() - start, 3)}, "queries": {}}
        runners = {"oxigraph": QueryRunner(project, engine=store.engine())}
        if rdflib:
            start = time.perf_counter()
            runners["rdflib"] = QueryRunner(project, engine=LocalEngine(load_dataset(project)))
            figures["load_s"]["rdflib"] = round(time.perf_counter() - start, 3)
        generated = json.loads((project.root / "params.json").read_text("utf-8"))
        for name in sorted(set(load_queries(project)) & set(only or load_queries(project))):
            params = given(name, generated)
            row: dict[str, Any] = {"params": params}
            answers = {}
            for engine, runner in runners.items():
                def once(runner: Any = runner, name: str = name, params: dict[str, Any] = params) -> Any:
                    return runner.run(name, **params)

                seconds, rows, runs = median_seconds(once, repeat, timeout if engine == "rdflib" else None)
                row[engine] = None if seconds is None else round(seconds, 4)
                row[f"{engine}_runs"] = runs
                answers[engine] = rows
            row["rows"] = len(answers["oxigraph"])
            if rdflib and row["rdflib"] is not None:
                row["same_rows"] = list(answers["rdflib"]) == list(answers["oxigraph"])
                row["ratio"] = round(row["rdflib"] / max(row["oxigraph"], 1e-4), 1)
            figures["queries"][name] = row
            print(f"  {name}: {row}", file=sys.stderr, flush=True)
    return figures


def table(figures: dict[str, Any]) -> str:
    lines = [f"events {figures['events']:,}, triples {figures['triples']:,}, load s {figures['load_s']}",
             f"{'query':<26}{'rows':>8}{'oxigraph s':>12}{'rdflib s':>11}{'ratio':>9}  same rows"]
    for name, row in figures["queries"].items():
        rdflib = row.get("rdflib")
        shown = "-" if "rdflib" not in row else (f"{rdflib:.3f}" if rdflib is not None else "stopped")
        ratio = f"{row['ratio']}x" if "ratio" in row else "-"
        lines.append(f"{name:<26}{row['rows']:>8}{row['oxigraph']:>12.3f}{shown:>11}{ratio:>9}  "
                     f"{row.get('same_rows', '-')}")
    total = {e: sum(r.get(e) or 0 for r in figures["queries"].values()) for e in ("oxigraph", "rdflib")}
    lines.append(f"{'total':<26}{'':>8}{total['oxigraph']:>12.3f}{total['rdflib']:>11.3f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000, help="facts in the generated project")
    parser.add_argument("--project", type=Path, help="use this project instead of generating one")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs per query (the median is kept)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds an rdflib query may take")
    parser.add_argument("--no-rdflib", action="store_true", help="Oxigraph only (for large projects)")
    parser.add_argument("--query", action="append", help="only this query (repeatable); all by default")
    parser.add_argument("--json", type=Path, help="where to write the figures "
                        "(default bench/results/queries-<events>.json)")
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    with tempfile.TemporaryDirectory(prefix="tradegraph-queries-") as folder:
        root = args.project or Path(folder) / "project"
        if args.project is None:
            print(f"generated {generate(args.events, seed=args.seed, bad_rate=0.01, out=root)}", file=sys.stderr)
        figures = measure(Project.open(root), args.events, args.repeat, args.timeout, not args.no_rdflib, args.query)
    print(table(figures))
    out = args.json or HERE / "results" / f"queries-{args.events}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
