"""The three sides of bench/run.py, each run in a child process of its own.

    python bench/sides.py {tradegraph,baseline,limit} --work DIR [--skip STAGE ...]

``DIR`` is what bench/run.py prepared: ``clean/`` (the generated project, which builds),
``invalid/`` (the same with the bad facts added), ``params.json``; tradegraph's side writes
its outputs to ``build/``, where the limit reads ``graph.nq``. A child writes one JSON object
a line on stdout: ``{"start": stage}`` before each timed stage, ``{"stage": name, "seconds":
s}`` after it, and ``rows``, ``violations``, ``triples``, ``notes`` and ``build`` as it learns
them. A stage named by ``--skip`` is not timed (bench/run.py skips the stages a child already
measured, or that passed the budget, when it starts the next child); one whose value later
stages need (loading) is still done, untimed.

- **tradegraph**: what a user runs. ``build_in_store`` (``tradegraph build``, the store in
  memory) of the project with the bad facts, which stops at the validation (the validate stage
  and the violations), then of the clean project (the load stage and the build's wall time);
  every canned query through ``QueryRunner.run`` on the store the build made; graph.ttl as
  the build writes it (``outputs``).
- **baseline**: the obvious stack. The facts into an rdflib dataset, pyshacl, rdflib's SPARQL
  engine through the same query runner, rdflib's Turtle serializer.
- **limit**: the libraries alone, on the same data. ``pyoxigraph.Store.bulk_load`` of the quads
  the build wrote (graph.nq) and of the ontology files; the ``shacl`` engine alone on the
  N-Triples of the project with the bad facts and the ontology, with the same shapes; each
  query's text with its parameter values written in, run by Oxigraph alone (after its setup,
  when it has one); Oxigraph's Turtle writer.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from plan import runs  # noqa: E402

from tradegraph.project import Project  # noqa: E402
from tradegraph.query.catalogue import load_queries  # noqa: E402

T = TypeVar("T")
#: The report's closing line (tradegraph.shacl.validate.Report.text).
_COUNT = re.compile(r"^(\d+) violation\(s\), \d+ warning\(s\)$", re.MULTILINE)


def emit(**record: Any) -> None:
    print(json.dumps(record, default=str), flush=True)


class Stages:
    """Runs the stages of one child: timed, or skipped (and still done, untimed, when needed)."""

    def __init__(self, skip: list[str]) -> None:
        self.skip = set(skip)

    def run(self, name: str, fn: Callable[[], T], *, needed: bool = False) -> T | None:
        if name in self.skip:
            return fn() if needed else None
        emit(start=name)
        start = time.perf_counter()
        value = fn()
        emit(stage=name, seconds=time.perf_counter() - start)
        return value


def _query_runs(project: Project, work: Path) -> dict[str, tuple[str, dict[str, str]]]:
    return runs(load_queries(project), json.loads((work / "params.json").read_text("utf-8")))


# ---- tradegraph

class _Marks:
    """When the build entered each phase, as its progress reports them (perf_counter seconds):
    ``start``, ``loaded`` (the last fact read or triples written), ``validate`` (its first step),
    ``outputs`` and ``end``."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}

    def mark(self, phase: str, *, last: bool = False) -> None:
        if last:
            self.at[phase] = time.perf_counter()
        else:
            self.at.setdefault(phase, time.perf_counter())

    @property
    def load(self) -> float | None:
        return self.span("start", "loaded", "validate", "outputs", "end")

    @property
    def validate(self) -> float | None:
        return self.span("loaded", "outputs", "end") if "loaded" in self.at else self.span("validate", "outputs", "end")

    def span(self, first: str, *ends: str) -> float | None:
        """Seconds from ``first`` to the earliest of ``ends`` that was reached."""
        end = next((self.at[e] for e in ends if e in self.at), None)
        return None if first not in self.at or end is None else end - self.at[first]


@contextmanager
def _watched_build() -> Iterator[_Marks]:
    """Time the phases of ``build_in_store`` through the progress it reports (its ``Progress``
    replaced, for the block, by one that notes the time of each phase and draws nothing)."""
    from tradegraph.build import onstore

    marks = _Marks()
    shown = onstore.Progress

    class Watching(shown):  # type: ignore[misc, valid-type]
        def __init__(self, **_: Any) -> None:
            super().__init__(enabled=False)

        def __enter__(self) -> Any:
            marks.mark("start")
            return super().__enter__()

        def __exit__(self, *exc: Any) -> None:
            marks.mark("end")
            super().__exit__(*exc)

        def facts(self, count: int = 1) -> None:
            marks.mark("loaded", last=True)
            super().facts(count)

        def triples(self, count: int) -> None:
            marks.mark("loaded", last=True)
            super().triples(count)

        def step(self, what: str) -> None:
            marks.mark("outputs" if what == "writing the outputs" else "validate")
            super().step(what)

    onstore.Progress = Watching  # type: ignore[misc]
    try:
        yield marks
    finally:
        onstore.Progress = shown  # type: ignore[misc]


def tradegraph(work: Path, stages: Stages) -> None:
    import pyoxigraph as ox

    from tradegraph.build.onstore import build_in_store, write_turtle
    from tradegraph.errors import ValidationFailed
    from tradegraph.query.run import QueryRunner
    from tradegraph.rdf.graphs import DERIVED_GRAPH

    invalid, clean = Project.open(work / "invalid"), Project.open(work / "clean")
    if "validate" not in stages.skip:
        with _watched_build() as marks:
            try:
                build_in_store(invalid, write=False)
                report = ""
            except ValidationFailed as failed:
                report = failed.report
        found = _COUNT.search(report)
        emit(violations=int(found.group(1)) if found else None)
        seconds = marks.validate
        if seconds is None:
            emit(notes=["the build reported no validation step: validate not measured"])
        else:
            emit(stage="validate", seconds=seconds)
    start = time.perf_counter()
    with _watched_build() as marks:
        result = build_in_store(clean, out=work / "build")
    emit(build={"wall": time.perf_counter() - start, "load": marks.load, "validate": marks.validate,
                "outputs": marks.span("outputs", "end")})
    emit(stage="load", seconds=marks.load)
    emit(triples=result.triple_count())
    # the derived graph (closures, day keys) the build added after its outputs, for the limit's
    # store to hold the same data (not timed: the limit measures the queries, not the derivation)
    derived = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{clean.base}{DERIVED_GRAPH}> {{ ?s ?p ?o }} }}"
    with (work / "derived.nt").open("wb") as stream:
        ox.serialize(result.store.store.query(derived), stream, ox.RdfFormat.N_TRIPLES)
    runner = QueryRunner(clean, engine=result.store.engine())
    for stage, (name, params) in _query_runs(clean, work).items():
        rows = stages.run(stage, lambda name=name, params=params: runner.run(name, **params))  # type: ignore[misc]
        if rows is not None:
            emit(rows={stage: len(rows)})
    # graph.ttl as the build writes it: from the N-Quads each file made (here all of them at once)
    facts = (work / "build" / "graph.nq").read_bytes()
    with (work / "tradegraph.ttl").open("wb") as stream:
        stages.run("turtle", lambda: write_turtle([("graph.nq", facts)], stream, clean.base))


# ---- baseline

def baseline(work: Path, stages: Stages) -> None:
    from tradegraph.build.dataset import load_dataset
    from tradegraph.facts.loader import load_facts
    from tradegraph.query.run import QueryRunner
    from tradegraph.rdf.graphs import union
    from tradegraph.shacl.validate import validate_facts
    from tradegraph.sparql.engine import LocalEngine

    invalid, clean = Project.open(work / "invalid"), Project.open(work / "clean")
    if "validate" not in stages.skip:
        facts = load_facts(invalid)
        report = stages.run("validate", lambda: validate_facts(facts, invalid))
        emit(violations=None if report is None else len(report.violations))
        del facts, report

    def load() -> tuple[Any, Any]:
        facts = load_facts(clean)
        return facts, load_dataset(clean, facts=facts)

    loaded = stages.run("load", load, needed=True)
    assert loaded is not None
    facts, dataset = loaded
    runner = QueryRunner(clean, engine=LocalEngine(dataset))
    for stage, (name, params) in _query_runs(clean, work).items():
        rows = stages.run(stage, lambda name=name, params=params: runner.run(name, **params))  # type: ignore[misc]
        if rows is not None:
            emit(rows={stage: len(rows)})
    stages.run("turtle", lambda: union(facts.dataset).serialize(work / "baseline.ttl", format="turtle"))


# ---- limit

def limit(work: Path, stages: Stages) -> None:
    import pyoxigraph as ox
    import shacl

    from tradegraph.facts.loader import load_facts
    from tradegraph.query.catalogue import find_query
    from tradegraph.query.run import QueryRunner
    from tradegraph.rdf.graphs import DERIVED_GRAPH, ONTOLOGY_GRAPH, ontology_graph
    from tradegraph.rdf.namespaces import QUERY_PREFIXES
    from tradegraph.shacl.validate import shapes_graph
    from tradegraph.sparql.text import bind_terms
    from tradegraph.store.engine import StoreEngine

    invalid, clean = Project.open(work / "invalid"), Project.open(work / "clean")
    if "validate" not in stages.skip:  # untimed: the same triples and shapes, as N-Triples files
        data, shapes = work / "limit-data.nt", work / "limit-shapes.nt"
        with data.open("wb") as out:
            for graph in [*load_facts(invalid).dataset.graphs(), ontology_graph(invalid)]:
                graph.serialize(out, format="nt")
        shapes_graph(invalid).serialize(shapes, format="nt")

        def validate() -> Any:
            return shacl.Shapes.from_turtle(shapes.read_text("utf-8")).validate_file(str(data), allow_warnings=True)

        report = stages.run("validate", validate)
        emit(violations=None if report is None else sum(1 for r in report.results if str(r.severity) == "Violation"))
    store = ox.Store()
    ontology = ox.NamedNode(clean.base + ONTOLOGY_GRAPH)

    def load() -> None:
        store.bulk_load(path=str(work / "build" / "graph.nq"), format=ox.RdfFormat.N_QUADS)
        for path in clean.ontology_files():
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ontology)
        store.bulk_load(path=str(work / "derived.nt"), format=ox.RdfFormat.N_TRIPLES,
                        to_graph=ox.NamedNode(clean.base + DERIVED_GRAPH))

    stages.run("load", load, needed=True)
    runner = QueryRunner(clean, engine=StoreEngine(store))
    texts = {}
    for stage, (name, params) in _query_runs(clean, work).items():
        query = find_query(clean, name)
        bound = runner.bindings(query, params)
        texts[stage] = text = bind_terms(query.text, bound)
        # a query with a setup: the setup too is run each time (its answer is the one written in)
        setup = bind_terms(query.setup, {k: v for k, v in bound.items() if k not in query.computed}) \
            if query.setup else None

        def count(text: str = text, setup: str | None = setup) -> int:
            if setup is not None:
                list(store.query(setup, prefixes=QUERY_PREFIXES, use_default_graph_as_union=True))
            return sum(1 for _ in store.query(text, prefixes=QUERY_PREFIXES, use_default_graph_as_union=True))

        rows = stages.run(stage, count)
        if rows is not None:
            emit(rows={stage: rows})
    (work / "limit-queries.json").write_text(json.dumps(texts, indent=2) + "\n", "utf-8")
    facts_only = (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                  f"FILTER (?g != <{ontology.value}>) }}")
    with (work / "limit.ttl").open("wb") as stream:
        stages.run("turtle", lambda: ox.serialize(store.query(facts_only), stream, ox.RdfFormat.TURTLE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("side", choices=["tradegraph", "baseline", "limit"])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--skip", action="append", default=[])
    args = parser.parse_args()
    warnings.simplefilter("ignore", DeprecationWarning)
    stages = Stages(args.skip)
    if args.side == "tradegraph":
        tradegraph(args.work, stages)
    elif args.side == "baseline":
        baseline(args.work, stages)
    else:
        limit(args.work, stages)


if __name__ == "__main__":
    main()
