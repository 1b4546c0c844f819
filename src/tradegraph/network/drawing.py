"""How the actor network is drawn, the same in every output: positions, colours and shapes.

Positions come from a seeded spring layout of each connected component, the components
packed left to right, largest first, so the HTML page, the picture, Gephi (GEXF
``viz:position``) and Graphviz (``pos``) all show the same drawing. Colours are the
Okabe-Ito palette (safe for colour-blind readers), one per country in id order; shapes
tell the kind of actor.

>>> import networkx as nx
>>> g = nx.Graph([("a", "b")]); g.add_node("c")
>>> sorted(positions(g))
['a', 'b', 'c']
>>> country_colors(["utopia", "atlantis"])
{'atlantis': '#D55E00', 'utopia': '#0072B2'}
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import networkx as nx

PALETTE = ("#D55E00", "#0072B2", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
NO_COUNTRY = "#999999"
GAP = 3.0   # layout units between components

#: kind -> (Cytoscape.js shape, matplotlib marker, Gephi viz:shape, Graphviz shape)
SHAPES = {
    "person": ("ellipse", "o", "disc", "ellipse"),
    "government": ("rectangle", "s", "square", "box"),
    "ministry": ("diamond", "D", "diamond", "diamond"),
    "party": ("hexagon", "h", "triangle", "hexagon"),
    "organization": ("triangle", "^", "triangle", "triangle"),
    "delegation": ("pentagon", "p", "disc", "pentagon"),
}


def country_colors(countries: Iterable[str]) -> dict[str, str]:
    """A colour for each country id (sorted ids take the palette in order, then it repeats)."""
    return {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(sorted(set(countries)))}


def node_colors(graph: nx.Graph[str]) -> dict[Any, str]:
    """The colour of each node: its country's, or grey when it has none. Colours are given
    out over ``graph.graph["countries"]`` when set (every country of the data, so that a
    filtered network keeps the colours of the whole one)."""
    countries = {node: data.get("country") or "" for node, data in graph.nodes(data=True)}
    colors = country_colors(graph.graph.get("countries") or [c for c in countries.values() if c])
    return {node: colors.get(country, NO_COUNTRY) for node, country in countries.items()}


def shape(kind: str, target: int) -> str:
    """The shape of a kind of actor for ``target`` (0 Cytoscape.js, 1 matplotlib, 2 Gephi, 3 Graphviz)."""
    return SHAPES.get(kind, SHAPES["organization"])[target]


def positions(graph: nx.Graph[str], *, seed: int = 7) -> dict[Any, tuple[float, float]]:
    """Node positions in layout units (about one unit between neighbours), y pointing up."""
    components = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
    layouts = [_normalized(_component_layout(_ordered_subgraph(graph, members), seed)) for members in components]
    sizes = [(max(p[0] for p in lay.values()), max(p[1] for p in lay.values())) for lay in layouts]
    total = sum(w + GAP for w, _ in sizes)
    tallest = max((h for _, h in sizes), default=0.0) + GAP
    rows = max(1, round(math.sqrt(total / (1.8 * tallest)))) if sizes else 1
    max_width = total / rows
    placed: dict[Any, tuple[float, float]] = {}
    x = top = row_height = 0.0
    for local, (width, height) in zip(layouts, sizes):
        if x > 0 and x + width > max_width:
            x, top, row_height = 0.0, top - row_height - GAP, 0.0
        for node, (px, py) in local.items():
            placed[node] = (round(x + px, 3), round(top - (height - py), 3))
        x += width + GAP
        row_height = max(row_height, height)
    return placed


def _normalized(layout: dict[Any, tuple[float, float]]) -> dict[Any, tuple[float, float]]:
    """The layout moved so that its lowest x and y are 0."""
    low_x = min(p[0] for p in layout.values())
    low_y = min(p[1] for p in layout.values())
    return {node: (x - low_x, y - low_y) for node, (x, y) in layout.items()}


def _ordered_subgraph(graph: nx.Graph[str], members: list[Any]) -> nx.Graph[str]:
    """The component as a graph whose nodes and edges iterate in sorted order (a subgraph
    view iterates in set order, which changes between runs and so would the layout)."""
    sub: nx.Graph[str] = nx.Graph()
    sub.add_nodes_from(members)
    sub.add_edges_from(sorted((min(u, v), max(u, v)) for u, v in graph.subgraph(members).edges))
    return sub


def _component_layout(graph: nx.Graph[str], seed: int) -> dict[Any, tuple[float, float]]:
    size = len(graph)
    if size == 1:
        return {next(iter(graph)): (0.0, 0.0)}
    if size == 2:
        left, right = sorted(graph)
        return {left: (0.0, 0.0), right: (2.2, 0.0)}
    raw = nx.spring_layout(graph, seed=seed, iterations=200, weight=None)
    scale = 1.3 * math.sqrt(size)
    return _level({node: (float(p[0]) * scale, float(p[1]) * scale) for node, p in sorted(raw.items())})


def _level(layout: dict[Any, tuple[float, float]]) -> dict[Any, tuple[float, float]]:
    """The layout turned so that its longest axis lies flat: labels sit under their nodes, so
    lines that run across rather than down keep clear of them."""
    import numpy

    points = numpy.array(list(layout.values()))
    centred = points - points.mean(axis=0)
    _, vectors = numpy.linalg.eigh(centred.T @ centred)
    axis = vectors[:, -1] if vectors[0, -1] >= 0 else -vectors[:, -1]   # the main axis, pointing right
    turn = numpy.array([[axis[0], axis[1]], [-axis[1], axis[0]]])
    flat = centred @ turn.T
    return {node: (float(x), float(y)) for node, (x, y) in zip(layout, flat)}
