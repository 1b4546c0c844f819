"""tradegraph against the obvious stack and against the libraries alone, on the same facts, in one run.

    python bench/run.py --events N [--baseline-budget S] [--limit-budget S] [--json FILE] [--no-baseline] [--keep DIR]
    python bench/run.py --events N --store-dir DIR --no-baseline [--json FILE] [--keep DIR]

Generates a project (bench/generate.py, seed 1, 1% bad facts kept apart), prints the
parameters the generator picked for the selective queries, and measures three sides, each in
child processes of its own (bench/sides.py; peak RSS is each child's own, from ``wait4``):

- **tradegraph**: ``tradegraph build`` as the CLI runs it (``build_in_store``, the store in
  memory), stage by stage; the canned queries through the query runner on the store it made;
  graph.ttl written from that store.
- **baseline**: rdflib, pyshacl and rdflib's SPARQL engine. A stage that runs past
  ``--baseline-budget`` seconds (default 120) is stopped (its child killed) and shown as not
  measured; a new child goes on with the next stage.
- **limit**: the same libraries doing only the work: ``pyoxigraph.Store.bulk_load`` of the quads
  the build wrote, the ``shacl`` engine alone on the same N-Triples and shapes, Oxigraph alone
  running each query's text with its values written in (after its setup, when it has one),
  Oxigraph's Turtle writer. With ``--limit-budget`` a limit stage is stopped as a baseline one
  is (the ``shacl`` engine alone evaluates the SPARQL constraints itself, which takes over
  fifteen minutes at 100k events).

The validate stage runs on the project with the bad facts (so each side reports its
violations); every other stage on the project without them, which builds. The queries are
the project's canned queries read at run time (bench/plan.py says which take the generated
parameters). Rows and violations are compared across the sides: a difference is printed in
capitals and the exit status is 1. End to end is, for tradegraph, the build's wall time (load,
validation and every output) plus every query; for the others, load + validate + every query +
Turtle. Prints one table and writes ``--json`` (keys ``events``, ``triples``, ``stages``
(name -> ``tradegraph``, ``baseline``, ``limit`` seconds), ``peak_rss_mb``, ``violations``,
``rows``, ``params``); bench/report.py turns bench/results/*.json into bench/RESULTS.md.

With ``--store-dir DIR`` (for a million events) it measures instead `tradegraph build --store
DIR` run as a command (wall seconds and peak RSS), then, on that store, each selective
query's median of 5 runs and each aggregate query once.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from plan import runs, selective  # noqa: E402

SIDES = ("tradegraph", "baseline", "limit")
#: Stages whose loss stops a side: every later stage needs what they make.
NEEDED = {"load"}
#: Runs of each selective query on the store (the median is kept); an aggregate runs once.
REPEAT = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--baseline-budget", type=float, default=120.0,
                        help="seconds a baseline stage may take before it is stopped (default 120)")
    parser.add_argument("--limit-budget", type=float, default=None,
                        help="seconds a limit stage may take before it is stopped (default: no limit)")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-baseline", action="store_true", help="measure tradegraph and the limit only")
    parser.add_argument("--store-dir", type=Path, default=None,
                        help="build on disk here with `tradegraph build --store` and time the queries on it")
    parser.add_argument("--keep", type=Path, default=None,
                        help="generate the project into this directory and keep it; reuse it if it is there")
    args = parser.parse_args()
    if args.store_dir is not None and not args.no_baseline:
        parser.error("--store-dir measures tradegraph alone: add --no-baseline")
    with _work(args.keep) as work:
        params = _prepare(work, args.events, args.seed)
        print(f"parameters: {json.dumps(params)}", file=sys.stderr)
        if args.store_dir is not None:
            figures = store_figures(work, args.store_dir, args.events, params)
            print(store_table(figures))
            failed = False
        else:
            sides = {"tradegraph": side("tradegraph", work, None), "limit": side("limit", work, args.limit_budget),
                     "baseline": {} if args.no_baseline else side("baseline", work, args.baseline_budget)}
            figures = table_figures(args.events, params, sides,
                                    {"baseline": args.baseline_budget, "limit": args.limit_budget})
            print(table(figures))
            failed = bool(figures["differences"])
    figures["command"] = " ".join(["python bench/run.py", *sys.argv[1:]])
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
    if failed:
        sys.exit(1)


@contextmanager
def _work(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="tradegraph-bench-") as folder:
        yield Path(folder)


def _prepare(work: Path, events: int, seed: int) -> dict[str, str]:
    """clean/ (the generated project), invalid/ (the same and the bad facts), params.json; reused
    when ``work`` holds them for the same events and seed."""
    from generate import generate

    made = work / "made.json"
    wanted = {"events": events, "seed": seed}
    if not (made.is_file() and json.loads(made.read_text("utf-8")) == wanted):
        for name in ("clean", "invalid", "build"):
            shutil.rmtree(work / name, ignore_errors=True)
        counts = generate(events, seed=seed, bad_rate=0.01, out=work / "clean", bad_apart=True)
        print(f"generated {counts}", file=sys.stderr)
        shutil.copytree(work / "clean" / "graph", work / "invalid" / "graph")
        shutil.copy(work / "clean" / "tradegraph.yaml", work / "invalid")
        shutil.copy(work / "clean" / "bad-facts.jsonl", work / "invalid" / "graph" / "bulk")
        shutil.copy(work / "clean" / "params.json", work)
        made.write_text(json.dumps(wanted) + "\n", "utf-8")
    else:
        print(f"reusing the project in {work}", file=sys.stderr)
    shutil.rmtree(work / "build", ignore_errors=True)
    params: dict[str, str] = json.loads((work / "params.json").read_text("utf-8"))
    return params


# ---- the sides, in child processes

def side(name: str, work: Path, budget: float | None, *, script: Path = HERE / "sides.py") -> dict[str, Any]:
    """Run one side (``script``, bench/sides.py) in child processes: what it measured and reported.

    A stage that passes ``budget`` seconds has its child killed and is listed in ``stopped``;
    a new child then goes on with the stages after it, unless the side cannot go on without it.
    """
    found: dict[str, Any] = {"stages": {}, "rows": {}, "notes": [], "stopped": [], "peak_rss_mb": 0.0}
    skip: list[str] = []
    while True:
        command = [sys.executable, str(script), name, "--work", str(work)]
        child = subprocess.Popen([*command, *(a for s in skip for a in ("--skip", s))], stdout=subprocess.PIPE, text=True)
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_read, args=(child, lines), daemon=True).start()
        current, killed, deadline = None, False, None
        while True:
            try:
                line = lines.get(timeout=None if deadline is None else max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                child.kill()
                killed = True
                break
            if line is None:
                break
            record = json.loads(line)
            print(f"  {name}: {line.strip()[:150]}", file=sys.stderr)
            if "start" in record:
                current = record["start"]
                deadline = None if budget is None else time.monotonic() + budget
            elif "stage" in record:
                found["stages"][record["stage"]] = record["seconds"]
                skip.append(record["stage"])
                current, deadline = None, None
            else:
                for key, value in record.items():
                    if isinstance(found.get(key), dict):
                        found[key].update(value)
                    elif isinstance(found.get(key), list):
                        found[key].extend(value)
                    else:
                        found[key] = value
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = status
        found["peak_rss_mb"] = max(found["peak_rss_mb"], usage.ru_maxrss / 1024)
        if killed and current is not None:
            found["stopped"].append(current)
            skip.append(current)
            if current in NEEDED:
                found["notes"].append(f"{current} stopped at the budget: the stages after it were not run")
                return found
            continue
        if status != 0:
            found["notes"].append(f"failed (wait status {status}) in {current or 'preparation'}")
        return found


def _read(child: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    assert child.stdout is not None
    for line in child.stdout:
        lines.put(line)
    lines.put(None)


# ---- the table

def table_figures(events: int, params: dict[str, str], sides: dict[str, dict[str, Any]],
                  budgets: dict[str, float | None]) -> dict[str, Any]:
    ours = sides["tradegraph"]
    names = [*ours["stages"]]
    for found in sides.values():
        names += [n for n in found.get("stages", {}) if n not in names]
    order = ["validate", "load", *sorted(n for n in names if n.startswith("query ")), "turtle"]
    stages = {n: {s: sides[s].get("stages", {}).get(n) for s in SIDES} for n in order if n in names}
    stages["end to end"] = {s: _end_to_end(s, sides[s], order) for s in SIDES}
    rows = {n: {s: sides[s].get("rows", {}).get(n) for s in SIDES} for n in order if n.startswith("query ")}
    violations = {s: sides[s].get("violations") for s in SIDES}
    differences = [f"rows of {n}: {v}" for n, v in rows.items() if _differ(v)]
    if _differ({s: violations[s] for s in ("tradegraph", "baseline")}):
        differences.append(f"violations: {violations}")
    notes = {s: [*sides[s].get("notes", []),
                 *(f"{n}: stopped at the budget of {budgets.get(s) or 0:.0f} s, not measured"
                   for n in sides[s].get("stopped", []))]
             for s in SIDES}
    if not sides["baseline"]:
        notes["baseline"] = ["not run (--no-baseline)"]
    return {"events": events, "triples": ours.get("triples"), "params": params, "stages": stages,
            "peak_rss_mb": {s: round(sides[s]["peak_rss_mb"], 1) if sides[s] else None for s in SIDES},
            "violations": violations, "rows": rows, "build": ours.get("build"), "differences": differences,
            "notes": notes, "baseline_budget_s": budgets["baseline"], "limit_budget_s": budgets["limit"],
            "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"}


def _end_to_end(name: str, found: dict[str, Any], order: list[str]) -> float | None:
    """tradegraph: the build's wall time and every query; the others: every stage. None when a
    stage the sum needs was not measured."""
    stages = found.get("stages", {})
    if name == "tradegraph":
        parts = [found.get("build", {}).get("wall"), *(stages.get(n) for n in order if n.startswith("query "))]
    else:
        parts = [stages.get(n) for n in order]
    return None if not stages or any(p is None for p in parts) else sum(parts)


def _first(values: Any) -> Any:
    return next((v for v in values if v is not None), "")


def _differ(values: dict[str, Any]) -> bool:
    return len({v for v in values.values() if v is not None}) > 1


def _seconds(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}x" if a is not None and b else "-"


def table(f: dict[str, Any]) -> str:
    """The run as one text table: seconds per side and stage, the ratios, rows, RSS, violations."""
    head = f"events {f['events']:,}" + (f", triples {f['triples']:,}" if f["triples"] else "")
    lines = [head, "parameters: " + ", ".join(f"{k} {v}" for k, v in f["params"].items()),
             f"{'stage':<40}{'tradegraph s':>13}{'baseline s':>12}{'limit s':>10}{'tg/limit':>10}{'base/tg':>9}"
             f"{'rows':>10}"]
    for name, v in f["stages"].items():
        rows = f["rows"].get(name, {})
        shown = " / ".join(str(rows.get(s)) for s in SIDES) if _differ(rows) else str(_first(rows.values()))
        lines.append(f"{name:<40}{_seconds(v['tradegraph']):>13}{_seconds(v['baseline']):>12}{_seconds(v['limit']):>10}"
                     f"{_ratio(v['tradegraph'], v['limit']):>10}{_ratio(v['baseline'], v['tradegraph']):>9}{shown:>10}")
    for key, label in (("peak_rss_mb", "peak RSS MB"), ("violations", "violations")):
        values = [str(f[key][s]) if f[key][s] is not None else "-" for s in SIDES]
        lines.append(f"{label:<40}{values[0]:>13}{values[1]:>12}{values[2]:>10}")
    if f.get("build"):
        b = f["build"]
        lines.append(f"tradegraph build (clean project): {_seconds(b['wall'])} s wall = load {_seconds(b['load'])}"
                     f" + validate {_seconds(b['validate'])} + outputs {_seconds(b['outputs'])}")
    for name, notes in f["notes"].items():
        lines += [f"{name}: {note}" for note in notes]
    if _differ(f["violations"]) and not f["differences"]:
        lines.append("the limit's violations differ from tradegraph's (shown, not counted as a failure: "
                     "the shacl engine alone is not tradegraph's reference, pyshacl is)")
    lines += [f"DIFFERENT {d}" for d in f["differences"]]
    return "\n".join(lines)


# ---- --store-dir: the build as a command, the queries on its store

def store_figures(work: Path, store: Path, events: int, params: dict[str, str]) -> dict[str, Any]:
    from tradegraph.project import Project
    from tradegraph.query.catalogue import load_queries
    from tradegraph.query.run import store_runner

    command = [str(Path(sys.executable).parent / "tradegraph"), "build", "--project", str(work / "clean"),
               "--out", str(work / "build"), "--store", str(store)]
    start = time.perf_counter()
    child = subprocess.Popen(command)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = status
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"`{' '.join(command)}` failed (wait status {status})")
    figures: dict[str, Any] = {
        "mode": "store", "events": events, "triples": None, "quads": _lines(work / "build" / "graph.nq"),
        "params": params, "build_command": " ".join(command), "stages": {"build": {"tradegraph": wall, "baseline": None,
                                                                            "limit": None}},
        "peak_rss_mb": {"tradegraph": round(usage.ru_maxrss / 1024, 1), "baseline": None, "limit": None},
        "violations": {"tradegraph": 0, "baseline": None, "limit": None}, "rows": {}, "repeat": {},
        "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"}
    project = Project.open(work / "clean")
    runner = store_runner(project, store)
    for stage, (name, given) in runs(load_queries(project), params).items():
        times, rows = [], 0
        for _ in range(REPEAT if selective(stage) else 1):
            begun = time.perf_counter()
            rows = len(runner.run(name, **given))
            times.append(time.perf_counter() - begun)
        figures["stages"][stage] = {"tradegraph": statistics.median(times), "baseline": None, "limit": None}
        figures["rows"][stage] = {"tradegraph": rows, "baseline": None, "limit": None}
        figures["repeat"][stage] = len(times)
        print(f"  {stage}: {statistics.median(times):.4f} s, {rows} rows, {len(times)} run(s)", file=sys.stderr)
    return figures


def _lines(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 24), b""))


def store_table(f: dict[str, Any]) -> str:
    lines = [f"events {f['events']:,}, quads {f['quads']:,}; {f['build_command']}",
             "parameters: " + ", ".join(f"{k} {v}" for k, v in f["params"].items()),
             f"{'stage':<40}{'seconds':>10}{'runs':>6}{'rows':>10}",
             f"{'build (wall)':<40}{f['stages']['build']['tradegraph']:>10.2f}",
             f"{'build peak RSS MB':<40}{f['peak_rss_mb']['tradegraph']:>10.0f}"]
    for name, v in f["stages"].items():
        if name != "build":
            lines.append(f"{name:<40}{v['tradegraph']:>10.4f}{f['repeat'][name]:>6}{f['rows'][name]['tradegraph']:>10}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
