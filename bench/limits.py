"""What the libraries alone take on the data of one build: the floor under each stage of
``tradegraph build --store`` (issue 16).

    python bench/limits.py --nquads FILE --project P [--store-dir DIR] [--json OUT]

FILE is the N-Quads a build loaded (the facts and the ontology: the build's graph.nq plus the
ontology's quads, or the temporary ``loaded.nq`` kept by a hard link while a build runs). Each
stage runs in a child process of its own, so its peak RSS is its own:

- ``read``: every line of P's bulk files decoded by ``json`` and nothing else (the least any
  Python loader of them does);
- ``bulk_load``: ``pyoxigraph.Store(DIR).bulk_load`` of FILE (on disk, as ``--store`` builds);
- ``validate``: the ``shacl`` engine's ``validate_file`` of FILE against P's SHACL Core shapes
  (tradegraph also runs the SPARQL-based constraints, on Oxigraph);
- ``turtle``: Oxigraph writing the triples of every graph but the ontology's from that store as
  Turtle, graph by graph, with tradegraph's prefixes (graph.ttl).

Prints one line a stage and writes the figures to ``--json``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STAGES = ("read", "bulk_load", "validate", "turtle")


def _read(project: Path, **_: Any) -> int:
    from tradegraph.project import Project

    lines = 0
    for path in Project.open(project).bulk_files():
        with path.open("rb") as stream:
            for line in stream:
                json.loads(line)
                lines += 1
    return lines


def _bulk_load(nquads: Path, store: Path, **_: Any) -> int:
    import pyoxigraph as ox

    target = ox.Store(str(store))
    target.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    target.flush()
    return len(target)


def _validate(nquads: Path, project: Path, **_: Any) -> int:
    import shacl

    from tradegraph.project import Project
    from tradegraph.shacl.plan import core_shapes, plan_shapes
    from tradegraph.shacl.validate import shapes_graph

    shapes = shapes_graph(Project.open(project))
    text = core_shapes(shapes, plan_shapes(shapes)).serialize(format="nt")
    return len(shacl.Shapes.from_turtle(text).validate_file(str(nquads), allow_warnings=True).results)


def _turtle(store: Path, project: Path, **_: Any) -> int:
    import pyoxigraph as ox

    from tradegraph.project import Project
    from tradegraph.rdf.graphs import ONTOLOGY_GRAPH
    from tradegraph.rdf.serialize import prefixes

    base = Project.open(project).base
    source = ox.Store.read_only(str(store))
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != <{base}{ONTOLOGY_GRAPH}>) }}"
    with tempfile.TemporaryFile() as out:
        ox.serialize(source.query(query), out, ox.RdfFormat.TURTLE, prefixes=prefixes(base))
        return out.tell()


def _child(stage: str, options: dict[str, str]) -> None:
    """Run one stage in this process and print its figures as JSON."""
    start = time.perf_counter()
    result = {"read": _read, "bulk_load": _bulk_load, "validate": _validate, "turtle": _turtle}[stage](
        **{key: Path(value) for key, value in options.items()})
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"stage": stage, "seconds": round(seconds, 1), "peak_rss_mb": peak, "result": result}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nquads", type=Path, required=True)
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--store-dir", type=Path, default=None, help="where the on-disk store goes (a new folder)")
    parser.add_argument("--stage", choices=STAGES, action="append", help="only these stages (repeatable)")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--child", choices=STAGES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="limits-", dir=args.store_dir) as scratch:
        store = Path(scratch) / "store"
        options = {"nquads": str(args.nquads.resolve()), "project": str(args.project.resolve()), "store": str(store)}
        if args.child:
            _child(args.child, json.loads(sys.stdin.read()))
            return
        figures = []
        for stage in args.stage or STAGES:
            if stage == "turtle" and not store.exists():  # it reads the store bulk_load made
                subprocess.run([sys.executable, __file__, "--nquads", str(args.nquads), "--project", str(args.project),
                                "--child", "bulk_load"], input=json.dumps(options), text=True, check=True,
                               capture_output=True)
            done = subprocess.run([sys.executable, __file__, "--nquads", str(args.nquads), "--project",
                                   str(args.project), "--child", stage], input=json.dumps(options), text=True,
                                  check=True, capture_output=True)
            figure = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{stage:10} {figure['seconds']:8.1f} s  peak {figure['peak_rss_mb']:6,} MB  ({figure['result']:,})",
                  flush=True)
            figures.append(figure)
    if args.json:
        args.json.write_text(json.dumps({"nquads": str(args.nquads), "stages": figures}, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
