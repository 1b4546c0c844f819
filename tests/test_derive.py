"""The derived graph (build/derive.py): closures and day keys, the same from rdflib and from
Oxigraph, never among the facts, and enough for every canned query to do without `*` and `+`
paths; events-before-deadline answers for one deadline, chosen by a rule the tests pin."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, XSD, Literal, URIRef
from rdflib.paths import MulPath
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

from tradegraph.build.dataset import load_dataset
from tradegraph.build.derive import derive_store
from tradegraph.build.provider import validated_graph
from tradegraph.project import Project
from tradegraph.query.catalogue import load_queries
from tradegraph.query.run import QueryRunner
from tradegraph.rdf.graphs import DERIVED_GRAPH
from tradegraph.rdf.namespaces import TG
from tradegraph.rdf.oxterms import from_ox
from tradegraph.store.oxigraph import load_store

from .conftest import FIXTURES, REPO

pytestmark = pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")

PROJECTS = {"real": REPO, "fixture": FIXTURES / "queries", "minimal": FIXTURES / "minimal"}


def _python(project: Project) -> set:
    return set(load_dataset(project).graph(URIRef(project.base + DERIVED_GRAPH)))


def _store(project: Project) -> set:
    store = load_store(project).store
    derive_store(store, project.base)
    derive_store(store, project.base)  # again: replaces, never adds
    name = ox.NamedNode(project.base + DERIVED_GRAPH)
    return {tuple(from_ox(t) for t in (q.subject, q.predicate, q.object))
            for q in store.quads_for_pattern(None, None, None, name)}


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_rdflib_and_oxigraph_derive_the_same_triples(name: str) -> None:
    project = Project.open(PROJECTS[name])
    python = _python(project)
    assert python and python == _store(project)


def test_the_last_day_a_date_can_hold_has_no_day_after_it_on_either_engine(tmp_path: Path) -> None:
    """9999-12-31 ends at a midnight no xsd:date can name: neither engine gives it a key or a calendar day."""
    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "minimal", root)
    source = root / "graph" / "sources" / "first-article.yaml"
    source.write_text(source.read_text("utf-8").replace("date: 2025-03-13", "date: 9999-12-31"), "utf-8")
    project = Project.open(root)
    python = _python(project)
    assert python == _store(project)
    assert (URIRef(project.base + "ana-bo-meeting"), TG.earliestBegin,
            Literal("9999-12-31T00:00:00", datatype=XSD.dateTime)) in python
    assert not any(p == TG.latestEnd and s == URIRef(project.base + "ana-bo-meeting") for s, p, _ in python)


def test_closures_and_day_keys_of_the_fixture() -> None:
    project = Project.open(FIXTURES / "queries")
    derived = _python(project)
    node = lambda local: URIRef(project.base + local)  # noqa: E731
    midnight = lambda day: Literal(f"{day}T00:00:00", datatype=XSD.dateTime)  # noqa: E731
    assert {(TG.Meeting, TG.kindOf, TG.Meeting), (TG.Meeting, TG.kindOf, TG.Interaction),
            (TG.Meeting, TG.kindOf, TG.Event)} <= derived
    assert (TG.Event, TG.kindOf, TG.Meeting) not in derived
    assert (node("fish"), TG.withinTopic, node("tariffs")) in derived
    assert (node("fish"), TG.withinTopic, node("fish")) not in derived  # transitive, not reflexive
    assert (node("fish-tariff-20"), TG.supersedes, node("fish-tariff-10")) in derived
    # a day: from its midnight to the next; an open interval ends on the first report (03-14)
    assert {(node("ana-bo-meeting"), TG.earliestBegin, midnight("2025-03-13")),
            (node("ana-bo-meeting"), TG.latestEnd, midnight("2025-03-14"))} <= derived
    assert {(node("ana-cy-call"), TG.earliestBegin, midnight("2025-02-01")),
            (node("ana-cy-call"), TG.latestEnd, midnight("2025-03-15"))} <= derived
    # the calendar: one node for each day a key falls on, and no other
    assert {(node("day/2025-03-13"), RDF.type, TG.CalendarDay),
            (node("day/2025-03-13"), TG.dayBegin, midnight("2025-03-13"))} <= derived
    keys = {o for _, p, o in derived if p in (TG.earliestBegin, TG.latestEnd)}
    assert {o for _, p, o in derived if p == TG.dayBegin} == keys
    assert {s for s, p, _ in derived if p == TG.dayBegin} == {s for s, p, o in derived if p == RDF.type and o == TG.CalendarDay}


def test_the_derived_graph_is_no_fact_and_is_made_again_on_reuse(tmp_path: Path) -> None:
    from tradegraph.build.pipeline import build

    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "queries", root)
    project = Project.open(root)
    loaded = validated_graph(project)
    name = URIRef(project.base + DERIVED_GRAPH)
    derived = set(loaded.dataset.graph(name))
    assert derived and not any(p == TG.kindOf for _, p, _ in loaded.graph)  # the facts' view leaves it out
    build(project)
    assert "derived" not in (root / "build" / "graph.trig").read_text("utf-8")
    assert "kindOf" not in (root / "build" / "graph.ttl").read_text("utf-8")
    reused = validated_graph(project)
    assert reused.origin is not None and set(reused.dataset.graph(name)) == derived


def test_a_store_build_holds_the_derived_graph_but_its_outputs_do_not(tmp_path: Path) -> None:
    from tradegraph.build.pipeline import build

    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "queries", root)
    project = Project.open(root)
    result = build(project, store=tmp_path / "store")
    name = ox.NamedNode(project.base + DERIVED_GRAPH)
    assert any(True for _ in result.store.store.quads_for_pattern(None, None, None, name))
    for output in ("graph.ttl", "graph.nq"):
        assert f"{project.base}graph/ontology" not in (root / "build" / output).read_text("utf-8"), output
        assert "kindOf" not in (root / "build" / output).read_text("utf-8"), output


def test_no_shape_names_a_derived_term(shapes) -> None:
    derived = {TG.kindOf, TG.withinTopic, TG.withinEvent, TG.supersedes, TG.earliestBegin, TG.latestEnd}
    assert not [t for t in shapes for term in t if term in derived]


def _paths(node: object) -> list[MulPath]:
    if isinstance(node, MulPath):
        return [node]
    found: list[MulPath] = []
    if isinstance(node, dict):
        for value in node.values():
            found += _paths(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            found += _paths(value)
    return found


@pytest.mark.parametrize("name", sorted(load_queries(Project.open(REPO))))
def test_no_canned_query_follows_a_star_or_plus_path(name: str) -> None:
    query = load_queries(Project.open(REPO))[name]
    assert _paths(translateQuery(parseQuery(query.text)).algebra) == []


# ------------------------------------------------------------------ the default deadline

def _with_deadlines(tmp_path: Path, deadlines: dict[str, str]) -> QueryRunner:
    """The query fixture with its April 1 deadline replaced by ``deadlines`` (id: day)."""
    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "queries", root)
    path = root / "graph" / "sources" / "first-report.yaml"
    text = path.read_text("utf-8")
    records = "".join(f"  - id: {key}\n    kind: deadline\n    label: deadline {key}\n    when: {day}\n"
                      f"    evidence: before the April 1 deadline\n\n" for key, day in deadlines.items())
    start = text.index("  - id: april-deadline")
    end = text.index("\n\n", start) + 2
    text = text[:start] + records + text[end:]
    path.write_text(text, "utf-8")
    return QueryRunner(Project.open(root))


def _chosen(runner: QueryRunner) -> set[str]:
    return {row["deadline_name"] for row in runner.run("events-before-deadline", days=3660)}


def test_the_default_deadline_is_the_first_after_the_newest_source(tmp_path: Path) -> None:
    # the sources were published on 03-14 and 03-20: the first deadline after 03-20 is 04-01
    runner = _with_deadlines(tmp_path, {"d-0315": "2025-03-15", "d-0501": "2025-05-01", "d-0401": "2025-04-01"})
    assert _chosen(runner) == {"deadline d-0401"}
    assert {r["deadline_name"] for r in runner.run("events-before-deadline", deadline="d-0315", days=3660)} == \
        {"deadline d-0315"}


def test_the_default_deadline_is_the_last_when_none_comes_after(tmp_path: Path) -> None:
    runner = _with_deadlines(tmp_path, {"d-0301": "2025-03-01", "d-0318": "2025-03-18"})
    assert _chosen(runner) == {"deadline d-0318"}
