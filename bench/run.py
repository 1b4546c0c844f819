"""tradegraph's pipeline against the obvious stack, on the same synthetic facts, in one run.

    python bench/run.py --events 20000 [--json bench/results/20k.json] [--no-baseline]

Generates a project (bench/generate.py, 1% bad facts), then runs each side in a child
process of its own (so each has its own peak RSS, read with resource.getrusage):

- tradegraph: facts streamed into Oxigraph (on disk above 200k events), the fast SHACL path,
  the canned queries on the store with pyoxigraph substitutions, Turtle written by Oxigraph;
  and, for reference, a raw pyoxigraph bulk load of the same quads (graph.nq).
- baseline: the same facts loaded into an in-memory rdflib dataset, pyshacl, rdflib's SPARQL
  engine (initBindings), rdflib's Turtle serializer.

Prints a table (seconds of each stage and their ratio, peak RSS, triples, violations, rows)
and writes the JSON with the keys events, triples, stages, peak_rss_mb, violations, rows.
A side that passes --budget seconds is stopped; the stages it finished are kept.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
#: Parameters that name things the generator makes, for the selective queries.
#: p-100 is a typical busy official (p-0 is the busiest of all, by the generator's power law).
PARAMS: dict[str, dict[str, str]] = {
    "actor-timeline": {"actor": "p-100"}, "tariff-in-force": {"target": "c-01", "on": "2025-06-01"},
    "sources-of": {"node": "e-10"}, "who-met-whom": {"before": "2025-06-01"},
    "measure-history": {"target": "c-01"}, "travel": {"actor": "p-100"},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-baseline", action="store_true", help="run tradegraph's side only")
    parser.add_argument("--budget", type=float, default=600, help="seconds each side may take")
    parser.add_argument("--keep", type=Path, default=None,
                        help="generate the project into this directory and keep it; reuse it if it is there")
    parser.add_argument("--side", choices=["tradegraph", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        (run_tradegraph if args.side == "tradegraph" else run_baseline)(args.project, args.events)
        return
    with tempfile.TemporaryDirectory(prefix="tradegraph-bench-") as folder:
        project = args.keep or Path(folder) / "project"
        if (project / "graph" / "bulk" / "facts.jsonl").is_file():
            print(f"reusing {project} (made by bench/generate.py)", file=sys.stderr)
        else:
            sys.path.insert(0, str(HERE))
            from generate import generate

            made = generate(args.events, seed=args.seed, bad_rate=0.01, out=project)
            print(f"generated {made}", file=sys.stderr)
        sides = {"tradegraph": _side("tradegraph", project, args)}
        sides["baseline"] = {} if args.no_baseline else _side("baseline", project, args)
    figures = _figures(args.events, sides)
    print(_table(figures))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")


def _side(name: str, project: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Run one side in a child process; its stdout is one JSON object a line.

    The child is killed when it passes ``--budget`` seconds, even in the middle of a stage;
    the stages it finished are kept and ``stopped`` says so.
    """
    command = [sys.executable, __file__, "--side", name, "--project", str(project), "--events", str(args.events)]
    found: dict[str, Any] = {"stages": {}, "rows": {}}
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    timer = threading.Timer(args.budget, child.kill)
    timer.start()
    try:
        assert child.stdout is not None
        for line in child.stdout:
            record = json.loads(line)
            for key in ("stages", "rows"):
                found[key].update(record.get(key, {}))
            found.update({k: v for k, v in record.items() if k not in ("stages", "rows")})
            print(f"  {name}: {line.strip()[:160]}", file=sys.stderr)
        child.wait()
    finally:
        timer.cancel()
    if child.returncode != 0:
        found["stopped"] = (f"stopped after {args.budget:.0f} s" if child.returncode == -9
                            else f"failed with exit code {child.returncode}")
    return found


def _emit(**record: Any) -> None:
    print(json.dumps(record, default=str), flush=True)


def _timed(stage: str, fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    value = fn()
    _emit(stages={stage: time.perf_counter() - start})
    return value


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _queries(project: Any, runner: Any) -> None:
    from tradegraph.query.catalogue import load_queries

    for name in sorted(load_queries(project)):
        rows = _timed(f"query {name}", lambda name=name: runner.run(name, **PARAMS.get(name, {})))
        _emit(rows={name: len(rows)})


def run_tradegraph(path: Path, events: int) -> None:
    import pyoxigraph as ox

    from tradegraph.build.onstore import outputs
    from tradegraph.project import Project
    from tradegraph.query.run import QueryRunner
    from tradegraph.shacl.fast import validate_store
    from tradegraph.shacl.validate import shapes_graph
    from tradegraph.store.oxigraph import load_store

    project = Project.open(path)
    folder = Path(tempfile.mkdtemp(prefix="tradegraph-store-"))
    on_disk = folder / "store" if events > 200_000 else None
    store = _timed("load", lambda: load_store(project, path=on_disk))
    report = _timed("validate", lambda store=store: validate_store(store.store, shapes=shapes_graph(project),
                                                                    facts=store.facts))
    _emit(violations=len(report.violations), triples=len(store) - _ontology_size(store))
    _queries(project, QueryRunner(project, engine=store.engine()))
    turtle = outputs(store, "")["graph.ttl"]
    with open(folder / "graph.ttl", "wb") as stream:
        _timed("turtle", lambda: turtle(stream))  # type: ignore[operator]
    with open(folder / "graph.nq", "wb") as stream:
        outputs(store, "")["graph.nq"](stream)  # type: ignore[operator]
    _emit(peak_rss_mb=_rss_mb())  # the pipeline's peak, before the reference load below
    del store
    raw = ox.Store(str(folder / "raw")) if on_disk else ox.Store()
    _timed("raw pyoxigraph bulk load", lambda: raw.bulk_load(path=str(folder / "graph.nq"), format=ox.RdfFormat.N_QUADS))
    shutil.rmtree(folder, ignore_errors=True)


def _ontology_size(store: Any) -> int:
    import pyoxigraph as ox

    return len(list(store.store.quads_for_pattern(None, None, None, ox.NamedNode(store.base + "graph/ontology"))))


def run_baseline(path: Path, events: int) -> None:
    from tradegraph.build.dataset import load_dataset
    from tradegraph.facts.loader import load_facts
    from tradegraph.project import Project
    from tradegraph.query.run import QueryRunner
    from tradegraph.rdf.graphs import union
    from tradegraph.shacl.validate import validate_facts
    from tradegraph.sparql.engine import LocalEngine

    project = Project.open(path)
    facts = _timed("load", lambda: load_facts(project))
    report = _timed("validate", lambda: validate_facts(facts, project))
    graph = union(facts.dataset)
    _emit(violations=len(report.violations), triples=len(graph))
    dataset = load_dataset(project, facts=facts)
    _queries(project, QueryRunner(project, engine=LocalEngine(dataset)))
    _timed("turtle", lambda: graph.serialize(format="turtle"))
    _emit(peak_rss_mb=_rss_mb())


def _figures(events: int, sides: dict[str, dict[str, Any]]) -> dict[str, Any]:
    ours, base = sides["tradegraph"], sides["baseline"]
    names = list(ours["stages"])
    stages = {n: {"tradegraph": ours["stages"].get(n), "baseline": base.get("stages", {}).get(n)} for n in names}
    def total(side: dict[str, Any]) -> float | None:  # only for a side that ran every stage
        parts = [v for k, v in side.get("stages", {}).items() if k != "raw pyoxigraph bulk load"]
        complete = len(parts) == len([n for n in names if n != "raw pyoxigraph bulk load"])
        return sum(parts) if parts and complete and not side.get("stopped") else None
    stages["end to end"] = {"tradegraph": total(ours), "baseline": total(base)}
    return {"events": events, "triples": ours.get("triples"), "stages": stages,
            "peak_rss_mb": {"tradegraph": ours.get("peak_rss_mb"), "baseline": base.get("peak_rss_mb")},
            "violations": {"tradegraph": ours.get("violations"), "baseline": base.get("violations")},
            "rows": {q: {"tradegraph": ours["rows"].get(q), "baseline": base.get("rows", {}).get(q)}
                     for q in ours["rows"]},
            "baseline_note": base.get("stopped") or ("skipped" if not base else None),
            "tradegraph_note": ours.get("stopped"),
            "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"}


def _table(f: dict[str, Any]) -> str:
    def s(x: float | None) -> str:
        return "-" if x is None else f"{x:.3f}"
    lines = [f"events {f['events']:,}, triples {f['triples']:,}" if f["triples"] else f"events {f['events']:,}",
             f"{'stage':<34} {'tradegraph s':>13} {'baseline s':>11} {'ratio':>8}"]
    for name, v in f["stages"].items():
        ratio = f"{v['baseline'] / v['tradegraph']:.1f}x" if v["tradegraph"] and v["baseline"] else "-"
        lines.append(f"{name:<34} {s(v['tradegraph']):>13} {s(v['baseline']):>11} {ratio:>8}")
    for key in ("peak_rss_mb", "violations"):
        lines.append(f"{key:<34} {f[key]['tradegraph']!s:>13} {f[key]['baseline']!s:>11}")
    for q, v in f["rows"].items():
        lines.append(f"{'rows ' + q:<34} {v['tradegraph']!s:>13} {v['baseline']!s:>11}")
    for side in ("tradegraph", "baseline"):
        if f.get(f"{side}_note"):
            lines.append(f"{side}: {f[f'{side}_note']}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
