"""Write the actor network for Gephi (GEXF), yEd and Cytoscape (GraphML, Cytoscape JSON) and
Graphviz (DOT).

Every writer is deterministic (same network, same bytes) and flattens attributes to what its
tools accept: lists become ``"; "``-joined text in GEXF, GraphML and DOT (Cytoscape JSON keeps
them as lists, which Cytoscape reads as list columns); dates are ISO strings. GEXF is dynamic:
an edge is present over the days of its shared events and an actor over the days of its
events, as spells, those that overlap or touch merged into one (Gephi refuses overlapping
spells), so Gephi's timeline plays the talks day by day. Every format carries the drawing's positions
and colours (:mod:`tradegraph.network.drawing`).

>>> import networkx as nx
>>> g = nx.Graph(title="t", filter="all dates")
>>> g.add_node("a", label="A", kind="person", country="x", posts=["P"]); g.add_node("b", label="B", kind="person")
>>> g.add_edge("a", "b", weight=1, events=["e"], first="2025-07-19", last="2025-07-19")
>>> print(to_dot(g).splitlines()[4])
  "a" [label="A", shape="ellipse", fillcolor="#D55E00", pos="0,0!", kind="person", country="x", posts="P"];
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from tradegraph.network.drawing import node_colors, positions, shape

#: Layout units to points/pixels in the files that carry positions.
SCALE = 120.0
DETAIL_KEYS = ("events", "sources")   # graph-level detail tables that only the HTML page keeps


def flat(value: Any) -> Any:
    """A value as GEXF, GraphML and DOT accept it: lists joined with ``"; "``, None as ``""``.

    >>> flat(["a", "b"]), flat(None), flat(3)
    ('a; b', '', 3)
    """
    if isinstance(value, (list, tuple, set)):
        return "; ".join(str(v) for v in value)
    return "" if value is None else value


def to_gexf(graph: nx.Graph[str]) -> str:
    """GEXF 1.2 with node and edge spells, ``viz`` colour, shape and position."""
    out: nx.Graph[str] = nx.Graph(mode="dynamic")
    pos, colors = positions(graph), node_colors(graph)
    events = graph.graph.get("events", {})
    for node, data in graph.nodes(data=True):
        attrs = {k: flat(v) for k, v in data.items()}
        red, green, blue = (int(colors[node][i:i + 2], 16) for i in (1, 3, 5))
        attrs["viz"] = {"color": {"r": red, "g": green, "b": blue, "a": 1.0},
                        "size": 10.0 + 4 * graph.degree(node, weight="weight"),
                        "shape": shape(data.get("kind", ""), 2),
                        "position": {"x": pos[node][0] * SCALE, "y": pos[node][1] * SCALE, "z": 0.0}}
        attrs["spells"] = _spells(events, data.get("events", []))
        out.add_node(node, **{k: v for k, v in attrs.items() if v != [] and v is not None})
    for left, right, data in graph.edges(data=True):
        attrs = {k: flat(v) for k, v in data.items()}
        attrs["id"] = f"{left}--{right}"
        attrs["spells"] = _spells(events, data.get("events", []))
        out.add_edge(left, right, **{k: v for k, v in attrs.items() if v != []})
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(out)
    meta = writer.xml.find("meta")
    if meta is not None:   # networkx stamps today's date; leave it out so that exports repeat
        meta.attrib.pop("lastmodifieddate", None)
        description = meta.find("description")
        if description is not None:
            description.text = f"{graph.graph.get('title', 'Actor network')}: {graph.graph.get('filter', '')}"
    element = writer.xml.find("graph")
    if element is not None:   # networkx writes name="", an attribute the GEXF 1.2 schema does not have
        element.attrib.pop("name", None)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue().decode("utf-8")


def to_graphml(graph: nx.Graph[str]) -> str:
    """GraphML with typed keys (string, int), a ``color`` and an ``x``/``y`` per node."""
    out = _flat_copy(graph)
    pos, colors = positions(graph), node_colors(graph)
    for node in out:
        out.nodes[node].update(color=colors[node], x=pos[node][0] * SCALE, y=-pos[node][1] * SCALE)
    return "\n".join(nx.generate_graphml(out, encoding="utf-8", prettyprint=True)) + "\n"


def to_cyjs(graph: nx.Graph[str]) -> str:
    """Cytoscape JSON (``.cyjs``): ``elements`` with node positions, lists kept as lists."""
    plain: nx.Graph[str] = nx.Graph(**{k: v for k, v in graph.graph.items() if k not in DETAIL_KEYS})
    plain.add_nodes_from(graph.nodes(data=True))
    for left, right, data in graph.edges(data=True):
        plain.add_edge(left, right, id=f"{left}--{right}", **data)
    document = nx.cytoscape_data(plain)
    pos, colors = positions(graph), node_colors(graph)
    for element in document["elements"]["nodes"]:
        node = element["data"]["value"]
        element["data"]["color"] = colors[node]
        element["position"] = {"x": pos[node][0] * SCALE, "y": -pos[node][1] * SCALE}
    header = {"format_version": "1.0", "generated_by": "tradegraph", "target_cytoscapejs_version": "~3.0"}
    return json.dumps({**header, **document}, indent=2, ensure_ascii=False) + "\n"


def to_dot(graph: nx.Graph[str]) -> str:
    """Graphviz DOT of an undirected graph; ``neato -n2`` keeps the drawing's positions."""
    pos, colors = positions(graph), node_colors(graph)
    title = f"{graph.graph.get('title', 'Actor network')}: {graph.graph.get('filter', '')}"
    lines = [f"graph {_quote('actor-network')} {{",
             f"  graph [label={_quote(title)}, labelloc=t, fontname=Helvetica, overlap=false, outputorder=edgesfirst];",
             '  node [fontname=Helvetica, fontsize=11, style=filled, fontcolor="#000000", color="#333333"];',
             "  edge [fontname=Helvetica, fontsize=9, color=\"#666666\"];"]
    for node, data in graph.nodes(data=True):
        x, y = pos[node]
        attrs = {"label": data.get("label", node), "shape": shape(data.get("kind", ""), 3),
                 "fillcolor": colors[node], "pos": f"{x * SCALE:g},{y * SCALE:g}!"}
        attrs.update({k: v for k, v in data.items() if k != "label"})
        lines.append(f"  {_quote(node)} [{_attributes(attrs)}];")
    for left, right, data in graph.edges(data=True):
        attrs = {"label": str(data.get("weight", 1)), "penwidth": 1 + data.get("weight", 1), **data}
        lines.append(f"  {_quote(left)} -- {_quote(right)} [{_attributes(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


WRITERS: dict[str, Callable[[nx.Graph[str]], str]] = {
    "gexf": to_gexf, "graphml": to_graphml, "cyjs": to_cyjs, "dot": to_dot,
}


def _flat_copy(graph: nx.Graph[str]) -> nx.Graph[str]:
    out: nx.Graph[str] = nx.Graph(**{k: flat(v) for k, v in graph.graph.items() if k not in DETAIL_KEYS})
    for node, data in graph.nodes(data=True):
        out.add_node(node, **{k: flat(v) for k, v in data.items()})
    for left, right, data in graph.edges(data=True):
        out.add_edge(left, right, **{k: flat(v) for k, v in data.items()})
    return out


def _spells(events: dict[str, dict[str, Any]], ids: list[str]) -> list[tuple[str | None, str | None]]:
    """The days the events ``ids`` span, as (start, end) ISO dates, ``None`` an open end; spells
    that overlap or share a day are merged (GEXF readers such as Gephi's refuse overlaps).

    >>> events = {"talks": {"earliest": "2025-04-01", "latest": "2025-07-11"},
    ...           "call": {"earliest": "2025-07-05", "latest": "2025-07-05"},
    ...           "visit": {"earliest": "2025-07-11", "latest": "2025-07-12"},
    ...           "later": {"earliest": "2025-07-19", "latest": None}}
    >>> _spells(events, ["call", "talks", "visit", "later"])
    [('2025-04-01', '2025-07-12'), ('2025-07-19', None)]
    """
    found = {(event.get("earliest"), event.get("latest")) for event in (events.get(i, {}) for i in ids)
             if event.get("earliest") or event.get("latest")}
    merged: list[tuple[str | None, str | None]] = []
    for start, end in sorted(found, key=lambda s: (s[0] or "", s[1] or "\uffff")):
        if merged and (merged[-1][1] is None or start is None or start <= merged[-1][1]):
            first, last = merged[-1]
            merged[-1] = (first, None if last is None or end is None else max(last, end))
        else:
            merged.append((start, end))
    return merged


def _attributes(attrs: dict[str, Any]) -> str:
    return ", ".join(f"{key}={_quote(flat(value))}" for key, value in attrs.items())


def _quote(value: Any) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'
