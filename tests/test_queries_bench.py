"""bench/queries.py on a small synthetic project: every canned query gives the same rows on
rdflib and Oxigraph with the benchmark's parameters (the shapes of data the real graph lacks:
power-law participants, tariffs with versions, facts without a participation node)."""

from __future__ import annotations

import sys

import pytest

from tradegraph.project import Project

from .conftest import REPO

pytestmark = [pytest.mark.slow,
              pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")]


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory):
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from generate import generate

        import queries as bench_queries
    finally:
        sys.path.remove(str(REPO / "bench"))
    root = tmp_path_factory.mktemp("synthetic")
    generate(120, seed=3, bad_rate=0.02, out=root)
    return bench_queries, Project.open(root)


@pytest.mark.slow
def test_every_query_gives_the_same_rows_on_both_engines(bench) -> None:
    module, project = bench
    figures = module.measure(project, 120, repeat=1, timeout=0, rdflib=True)
    assert set(figures["queries"]) == {p.stem for p in (REPO / "queries").glob("*.rq")}
    assert {name: row["same_rows"] for name, row in figures["queries"].items()
            if not row["same_rows"]} == {}
    assert "ratio" in module.table(figures)
