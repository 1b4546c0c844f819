"""``tradegraph viz -o network.png|svg``: a static picture of the actor network for a report.

Drawn with matplotlib (Agg, no screen needed) in the same layout, colours and shapes as the
HTML page: 1920 px wide, names in boxes that stay readable over the lines, the number of
shared events on each line, a legend of countries, kinds and line widths, and a title that
says which dates (and other filters) the picture shows. Output repeats byte for byte.
"""

from __future__ import annotations

import io
import math
from typing import Any

import networkx as nx

from tradegraph.errors import UsageError
from tradegraph.network.drawing import SHAPES, country_colors, node_colors, positions, shape

PICTURE_FORMATS = ("png", "svg")
WIDTH_INCHES, DPI = 16.0, 120
HEADER_INCHES = 1.15


def render_picture(graph: nx.Graph[str], fmt: str = "png") -> bytes:
    """The network drawn as PNG or SVG bytes."""
    if fmt not in PICTURE_FORMATS:
        raise UsageError(f"unknown picture format '{fmt}'", expected="png or svg")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.lines import Line2D

    pos, colors = positions(graph), node_colors(graph)
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    span_x, span_y = max(max(xs) - min(xs), 1.0), max(max(ys) - min(ys), 1.0)
    plot_height = WIDTH_INCHES * 0.74 * (span_y + 1.3) / (span_x + 2.0)
    height = min(max(plot_height + HEADER_INCHES, 6.0), 14.0)
    top = 1 - HEADER_INCHES / height
    with plt.rc_context({"svg.hashsalt": "tradegraph", "font.family": "DejaVu Sans"}):
        fig = plt.figure(figsize=(WIDTH_INCHES, height), dpi=DPI)
        ax = fig.add_axes((0.02, 0.03, 0.74, top - 0.03))
        ax.set_axis_off()
        _draw_edges(ax, graph, pos)
        _draw_nodes(ax, graph, pos, colors)
        ax.set_xlim(min(xs) - 1.0, max(xs) + 1.0)
        ax.set_ylim(min(ys) - 0.8, max(ys) + 0.5)
        ax.set_aspect("equal", adjustable="box")
        ax.set_anchor("NW")
        fig.suptitle(f"{graph.graph.get('title', 'Actor network')}: {graph.graph.get('filter', 'all dates')}",
                     x=0.02, y=1 - 0.2 / height, ha="left", va="top", fontsize=20, fontweight="bold")
        fig.text(0.02, 1 - 0.68 / height, _subtitle(graph), va="top", fontsize=12, color="#444")
        legend = fig.add_axes((0.78, 0.03, 0.2, top - 0.03))
        legend.set_axis_off()
        slot = 1.0
        for heading, handles in _legend_groups(graph, Line2D):
            box = legend.legend(handles=handles, title=heading, loc="upper left", bbox_to_anchor=(0, slot),
                                frameon=False, fontsize=12, title_fontsize=13, handlelength=2.6,
                                borderaxespad=0, labelspacing=0.7, alignment="left")
            legend.add_artist(box)
            slot -= (0.5 + 0.3 * len(handles)) / ((top - 0.03) * height)
        buffer = io.BytesIO()
        metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {}
        fig.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata, facecolor="white")
        plt.close(fig)
    return buffer.getvalue()


def _draw_edges(ax: Any, graph: nx.Graph[str], pos: dict[Any, tuple[float, float]]) -> None:
    for left, right, data in graph.edges(data=True):
        weight = data.get("weight", 1)
        (x1, y1), (x2, y2) = pos[left], pos[right]
        ax.plot([x1, x2], [y1, y2], color="#8a8a8a", linewidth=_edge_width(weight),
                solid_capstyle="round", zorder=1)
        ax.text((x1 + x2) / 2, (y1 + y2) / 2, str(weight), fontsize=11, ha="center", va="center", zorder=5,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "#bbbbbb", "lw": 0.6})


def _draw_nodes(ax: Any, graph: nx.Graph[str], pos: dict[Any, tuple[float, float]], colors: dict[Any, str]) -> None:
    for node, data in graph.nodes(data=True):
        x, y = pos[node]
        size = 260 + 90 * len(data.get("events", []))
        ax.scatter([x], [y], s=size, marker=shape(data.get("kind", ""), 1), c=colors[node],
                   edgecolors="#222222", linewidths=1.5, zorder=3)
        ax.annotate(data.get("label", node), (x, y), xytext=(0, -(size ** 0.5) / 2 - 8),
                    textcoords="offset points", ha="center", va="top", fontsize=13, zorder=4,
                    bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "none", "alpha": 0.9})


def _subtitle(graph: nx.Graph[str]) -> str:
    events = graph.graph.get("events", {})
    sources = {s["id"] for event in events.values() for s in event.get("sources", [])}
    return (f"{len(graph)} actors and {graph.number_of_edges()} links from {len(events)} events in "
            f"{len(sources)} source(s). A line joins two actors who took part in an event together; "
            "its number counts those events.")


def _legend_groups(graph: nx.Graph[str], line: Any) -> list[tuple[str, list[Any]]]:
    names = {d["country"]: d.get("country_name") or d["country"] for _, d in graph.nodes(data=True)
             if d.get("country")}
    countries = [line([], [], linestyle="none", marker="o", markersize=13, markerfacecolor=color,
                    markeredgecolor="#222222", label=names[country])
               for country, color in country_colors(graph.graph.get("countries") or names).items()
               if country in names]
    if any(not d.get("country") for _, d in graph.nodes(data=True)):
        countries.append(line([], [], linestyle="none", marker="o", markersize=13, markerfacecolor="#999999",
                            markeredgecolor="#222222", label="no country given"))
    kinds = [k for k in SHAPES if any(d.get("kind") == k for _, d in graph.nodes(data=True))]
    shapes = [line([], [], linestyle="none", marker=SHAPES[k][1], markersize=13, markerfacecolor="#bbbbbb",
                   markeredgecolor="#222222", label=k) for k in kinds]
    lines = [line([], [], color="#8a8a8a", linewidth=_edge_width(n), label=f"{n} shared event{'s' if n > 1 else ''}")
             for n in (1, 3)]
    return [("Country", countries), ("Kind of actor", shapes), ("Line width", lines)]


def _edge_width(weight: int) -> float:
    return 1.2 + 2.5 * math.sqrt(weight)
