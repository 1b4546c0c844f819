"""Network files: networkx reads back the same nodes and edges; Graphviz draws the DOT file."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from itertools import pairwise
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradegraph.facts.loader import load_facts
from tradegraph.network.formats import WRITERS, flat
from tradegraph.network.graph import actor_network
from tradegraph.project import Project

from .conftest import FIXTURES

NETWORK = FIXTURES / "network"
# pydot's parser still calls pyparsing's old camelCase names
pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated - use:DeprecationWarning")


@pytest.fixture(scope="module")
def graph() -> nx.Graph:
    return actor_network(load_facts(Project.open(NETWORK)))


def read(fmt: str, text: str) -> nx.Graph:
    if fmt == "gexf":
        return nx.read_gexf(io.BytesIO(text.encode("utf-8")))
    if fmt == "graphml":
        return nx.read_graphml(io.BytesIO(text.encode("utf-8")))
    if fmt == "cyjs":
        return nx.cytoscape_graph(json.loads(text))
    return nx.Graph(nx.nx_pydot.from_pydot(_pydot_graph(text)))


def _pydot_graph(text: str):  # type: ignore[no-untyped-def]
    import pydot

    (parsed,) = pydot.graph_from_dot_data(text)
    return parsed


def pairs(graph: nx.Graph) -> set[tuple[str, str]]:
    return {tuple(sorted((str(u), str(v)))) for u, v in graph.edges}  # type: ignore[misc]


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_network_file_reads_back_the_same_nodes_and_edges(graph: nx.Graph, fmt: str) -> None:
    back = read(fmt, WRITERS[fmt](graph))
    assert sorted(str(n) for n in back.nodes) == sorted(graph.nodes)
    assert pairs(back) == pairs(graph)
    for u, v, weight in graph.edges(data="weight"):
        assert float(str(back.edges[u, v]["weight"]).strip('"')) == weight


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_attributes_are_flattened_to_text_and_numbers(graph: nx.Graph, fmt: str) -> None:
    back = read(fmt, WRITERS[fmt](graph))
    ana = back.nodes["ana"]
    assert ana["label"] == "Ana Example" and ana["kind"] == "person" and ana["country"] == "atlantis"
    assert ana["posts"] == "Trade Minister of Atlantis; former Foreign Minister of Atlantis"
    edge = back.edges["ana", "bo"]
    assert edge["events"] == "ana-bo-meeting; ana-bo-call" and edge["first"] == "2025-03-13"
    assert all(not isinstance(v, (list, dict)) or k in ("spells", "viz") for k, v in ana.items())


def test_gexf_is_dynamic_with_a_spell_per_event(graph: nx.Graph) -> None:
    text = WRITERS["gexf"](graph)
    assert 'mode="dynamic"' in text and 'timeformat="date"' in text
    assert "lastmodifieddate" not in text   # networkx would stamp today's date
    back = read("gexf", text)
    assert back.edges["ana", "bo"]["spells"] == [("2025-03-13", "2025-03-13"), ("2025-03-20", "2025-03-20")]
    assert back.nodes["cy"]["spells"] == [("2025-02-01", "2025-02-28"), ("2025-03-25", "2025-03-25")]
    assert back.nodes["ana"]["viz"]["color"] == {"r": 213, "g": 94, "b": 0, "a": 1.0}


def test_cytoscape_json_keeps_lists_and_positions(graph: nx.Graph) -> None:
    document = json.loads(WRITERS["cyjs"](graph))
    assert document["format_version"] == "1.0" and "events" not in document["data"]
    ana = next(n for n in document["elements"]["nodes"] if n["data"]["id"] == "ana")
    assert ana["data"]["events"] == ["chamber-forum", "ana-bo-meeting", "ana-bo-call"]   # solo ones too
    assert set(ana["position"]) == {"x", "y"}
    edge = next(e for e in document["elements"]["edges"] if e["data"]["id"] == "ana--bo")
    assert edge["data"]["types"] == ["meeting", "phone-call"]


def test_dot_escapes_quotes_and_backslashes() -> None:
    g = nx.Graph(title='a "quoted" title', filter="x")
    g.add_node("n", label='He said "no" \\ left', kind="person")
    text = WRITERS["dot"](g)
    assert r'label="He said \"no\" \\ left"' in text
    assert _pydot_graph(text).get_node('"n"')[0].get("label") == r'"He said \"no\" \\ left"'


def test_flat() -> None:
    assert flat(("a", "b")) == "a; b" and flat(None) == "" and flat(2.5) == 2.5


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed (.ci/run installs it)")
def test_graphviz_draws_the_dot_file(graph: nx.Graph, tmp_path: Path) -> None:
    source = tmp_path / "network.dot"
    source.write_text(WRITERS["dot"](graph), "utf-8")
    for engine in (["dot"], ["neato", "-n2"]):
        done = subprocess.run([*engine, "-Tsvg", str(source)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert done.stderr == "" and "Ana Example" in done.stdout and "<svg" in done.stdout


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 10)), min_size=0, max_size=8))
def test_gexf_spells_never_overlap_and_cover_exactly_the_event_days(ranges: list[tuple[int, int]]) -> None:
    """Gephi refuses overlapping spells: whatever the events' day ranges, the spells written are
    in order, apart (not even sharing a day) and cover exactly the days of the events."""
    from datetime import date, timedelta

    from tradegraph.network.formats import _spells

    day = lambda n: (date(2025, 4, 1) + timedelta(days=n)).isoformat()  # noqa: E731
    events = {f"e{i}": {"earliest": day(start), "latest": day(start + length)}
              for i, (start, length) in enumerate(ranges)}
    spells = _spells(events, list(events))
    assert all(a[1] is not None and b[0] is not None and a[1] < b[0] for a, b in pairwise(spells))
    covered = {n for start, length in ranges for n in range(start, start + length + 1)}
    assert {n for n in range(80) if any(s <= day(n) <= e for s, e in spells)} == covered
