"""``tradegraph viz``: the actor network as one self-contained HTML page that works offline.

The page inlines cytoscape.js (installed from the npm registry and bundled into the wheel,
its MIT notice kept), its own script and style from ``templates/``, and the network as JSON
in a ``<script type="application/json">`` block with ``<``, ``>`` and ``&`` escaped. Its
Content-Security-Policy forbids every request, so nothing loads from the network.

>>> import networkx as nx
>>> g = nx.Graph(title="Actor network", filter="all dates", events={})
>>> g.add_node("a", label="A </script>", kind="person", country="", country_name="", posts=[],
...            wikidata="", events=[])
>>> page = render_html(g)
>>> "A </script>" in page, "A \\\\u003c/script\\\\u003e" in page
(False, True)
"""

from __future__ import annotations

import html
import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import networkx as nx

from tradegraph.build.provider import validated_graph
from tradegraph.errors import UsageError
from tradegraph.facts.model import load_model
from tradegraph.network.drawing import SHAPES, country_colors, node_colors, positions, shape
from tradegraph.network.graph import NetworkFilter, actor_network
from tradegraph.project import Project, javascript_file

PIXELS = 75.0          # layout units to page pixels


def viz(project: Project, output: Path | str, *, filters: NetworkFilter | None = None,
        fmt: str | None = None) -> bytes:
    """The project's actor network drawn for ``output``: an HTML page for ``.html``, a
    picture for ``.png`` or ``.svg`` (or as ``fmt`` says, for an output without a suffix)."""
    kind = fmt or Path(output).suffix.lower().lstrip(".")
    if kind not in ("html", "htm", "png", "svg"):
        raise UsageError(f"cannot draw the network as {Path(output).name!r}",
                         expected="an output file ending in .html, .png or .svg, or --format html|png|svg",
                         hint="for GEXF, GraphML, Cytoscape JSON or DOT use `tradegraph export`")
    graph = actor_network(validated_graph(project), filters)
    if kind in ("png", "svg"):
        from tradegraph.network.picture import render_picture

        return render_picture(graph, kind)
    return render_html(graph).encode("utf-8")


def render_html(graph: nx.Graph[str]) -> str:
    """The page for ``graph`` (an :func:`~tradegraph.network.actor_network`)."""
    title = f"{graph.graph.get('title', 'Actor network')}"
    parts = {
        "title": html.escape(title),
        "style": _template("network.css"),
        "library": _no_end_tag(javascript_file("cytoscape.min.js").read_text("utf-8")),
        "app": _no_end_tag(_template("network.js")),
        "data": script_json(page_data(graph)),
    }
    return re.sub(r"\{\{(\w+)\}\}", lambda m: parts[m.group(1)], _template("network.html"))


def page_data(graph: nx.Graph[str]) -> dict[str, Any]:
    """What the page draws: nodes with positions, colours and shapes, edges, events, legend."""
    pos, colors = positions(graph), node_colors(graph)
    labels = load_model().network.actors   # kind -> its name in legends
    events: dict[str, Any] = graph.graph.get("events", {})
    nodes = [{
        "id": node, "label": data.get("label", node), "kind": data.get("kind", ""),
        "kind_label": labels.get(data.get("kind", ""), data.get("kind", "")),
        "country": data.get("country", ""), "country_name": data.get("country_name", ""),
        "posts": data.get("posts", []), "wikidata": data.get("wikidata", ""), "color": colors[node],
        "shape": shape(data.get("kind", ""), 0), "events": data.get("events", []),
        "x": round(pos[node][0] * PIXELS, 1), "y": round(-pos[node][1] * PIXELS, 1),
    } for node, data in graph.nodes(data=True)]
    edges = [{"id": f"{left}--{right}", "source": left, "target": right, "events": data.get("events", []),
              "within": data.get("within", [])} for left, right, data in graph.edges(data=True)]
    names: dict[str, str] = {d["country"]: str(d.get("country_name") or "")
                             for _, d in graph.nodes(data=True) if d.get("country")}
    palette = country_colors(graph.graph.get("countries") or names)
    countries = [{"id": c, "name": names[c], "color": palette[c]} for c in sorted(names)]
    if any(not d.get("country") for _, d in graph.nodes(data=True)):
        countries.append({"id": "", "name": "No country given", "color": "#999999"})
    kinds = [{"kind": k, "label": labels[k], "shape": SHAPES[k][0]}
             for k in SHAPES if any(d.get("kind") == k for _, d in graph.nodes(data=True))]
    sources = {s["id"]: {k: v for k, v in s.items() if k != "evidence"}
               for event in events.values() for s in event["sources"]}
    days = sorted({day for event in events.values() for day in (event["earliest"], event["latest"]) if day})
    return {"title": graph.graph.get("title", "Actor network"), "filter": graph.graph.get("filter", ""),
            "nodes": nodes, "edges": edges, "events": events, "countries": countries, "kinds": kinds,
            "sources": [sources[k] for k in sorted(sources)], "days": days}


def script_json(data: Any) -> str:
    """JSON safe inside ``<script>``: no ``<``, ``>`` or ``&`` and no line separators.

    >>> script_json({"q": "</script><!--"})
    '{"q": "\\\\u003c/script\\\\u003e\\\\u003c!--"}'
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _template(name: str) -> str:
    return files("tradegraph.network").joinpath("templates", name).read_text("utf-8")


def _no_end_tag(script: str) -> str:
    """Script text that cannot close its ``<script>`` element early."""
    return re.sub(r"</(script)", r"<\\/\1", script, flags=re.IGNORECASE)
