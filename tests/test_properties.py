"""Property-based tests of the loader (hypothesis).

- Any YAML structure in a fact file gives either a graph or a typed tradegraph error.
- Any text at all gives either a YAML value or a typed error.
- Generated valid facts survive load -> export (Turtle, TriG, JSON-LD) -> parse unchanged.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from tradegraph.errors import TradegraphError
from tradegraph.facts.loader import load_facts
from tradegraph.files.yamlfile import dump_yaml, parse_yaml
from tradegraph.project import Project
from tradegraph.rdf import serialize
from tradegraph.rdf.graphs import union

from .conftest import FIXTURES

SETTINGS = settings(max_examples=int(__import__("os").environ.get("TG_HYPOTHESIS_EXAMPLES", "60")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# text an analyst could type: any printable character of any script, and line breaks
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\t"),
               max_size=40)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), TEXT,
                    st.sampled_from(["ana", "bo", "fish", "2025-03-13", "2025-13-45", "meeting", "happened"]))
KEYS = st.one_of(TEXT, st.sampled_from(["id", "kind", "when", "participants", "status", "evidence",
                                        "source", "facts", "rate", "holder", "of", "published"]))
YAML_VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(KEYS, inner, max_size=5)),
                           max_leaves=25)


def _project_with(text: str, name: str = "sources/fuzz.yaml") -> tuple[Path, Path]:
    tmp = Path(tempfile.mkdtemp())
    project = tmp / "p"
    shutil.copytree(FIXTURES / "minimal", project)
    (project / "graph" / name).write_text(text, encoding="utf-8")
    return tmp, project


@SETTINGS
@given(document=YAML_VALUES, as_actors=st.booleans())
def test_any_yaml_gives_a_graph_or_a_typed_error(document: object, as_actors: bool) -> None:
    text = yaml.safe_dump(document, allow_unicode=True)
    tmp, project = _project_with(text, "fuzz.yaml" if as_actors else "sources/fuzz.yaml")
    try:
        load_facts(Project.open(project))
    except TradegraphError as error:
        assert str(error).startswith("graph/")  # every message says where
    finally:
        shutil.rmtree(tmp)


@SETTINGS
@given(document=YAML_VALUES)
def test_any_source_shaped_yaml_gives_a_graph_or_a_typed_error(document: object) -> None:
    header = {"id": "fuzz", "title": "t", "publisher": "atlantis-government", "published": "2025-03-14"}
    facts = document if isinstance(document, list) else [document]
    text = yaml.safe_dump({"source": header, "facts": facts}, allow_unicode=True)
    tmp, project = _project_with(text)
    try:
        load_facts(Project.open(project))
    except TradegraphError:
        pass
    finally:
        shutil.rmtree(tmp)


@SETTINGS
@given(text=st.text(max_size=200))
def test_any_text_gives_a_value_or_a_typed_error(text: str) -> None:
    try:
        parse_yaml(text, "x.yaml")
    except TradegraphError as error:
        assert str(error).startswith("x.yaml")


DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))


@st.composite
def meetings(draw: st.DrawFn) -> dict[str, object]:
    start = draw(DAYS)
    when: object
    form = draw(st.sampled_from(["day", "month", "range", "open"]))
    if form == "day":
        when = {"date": start.isoformat(), "text": draw(TEXT) or "on a day"}
    elif form == "month":
        when = start.strftime("%Y-%m")
    elif form == "range":
        when = {"from": start.isoformat(),
                "to": (start + timedelta(days=draw(st.integers(0, 400)))).isoformat()}
    else:
        when = {"from": start.isoformat()}
    record: dict[str, object] = {
        "kind": draw(st.sampled_from(["meeting", "phone-call", "visit", "talks"])),
        "participants": draw(st.sampled_from([["ana", "bo"], [{"actor": "ana", "role": "host"}, "bo"]])),
        "when": when,
        "status": draw(st.sampled_from(["happened", "planned", "uncertain", "cancelled"])),
        "evidence": draw(st.lists(TEXT.filter(lambda t: t.strip() != ""), min_size=1, max_size=3)),
    }
    if draw(st.booleans()):
        record["label"] = draw(TEXT.filter(lambda t: t.strip() != ""))
    if draw(st.booleans()):
        record["topics"] = ["fish"]
    return record


@pytest.mark.slow
@SETTINGS
@given(records=st.lists(meetings(), min_size=1, max_size=5))
def test_valid_facts_round_trip_through_every_rdf_export(records: list[dict[str, object]]) -> None:
    for index, record in enumerate(records):
        record["id"] = f"generated-{index}"
    header = {"id": "generated-source", "title": "Generated", "publisher": "atlantis-government",
              "published": "2025-03-14"}
    tmp, project = _project_with(dump_yaml({"source": header, "facts": records}))
    try:
        facts = load_facts(Project.open(project))
        graph = union(facts.dataset)
        assert isomorphic(Graph().parse(data=serialize.turtle(graph, facts.base), format="turtle"), graph)
        assert isomorphic(Graph().parse(data=serialize.jsonld(graph, facts.base), format="json-ld"), graph)
        trig = Dataset().parse(data=serialize.trig(facts.dataset, facts.base), format="trig")
        assert isomorphic(union(trig), graph)
        for record in records:  # every evidence string comes back exactly
            node = next(s for s in graph.subjects() if str(s).endswith("/" + str(record["id"])))
            evidence = {str(o) for o in graph.objects(node, facts.dataset.namespace_manager.expand_curie("tg:evidence"))}
            assert evidence == {str(e).strip() for e in record["evidence"]}  # type: ignore[union-attr]
    finally:
        shutil.rmtree(tmp)
