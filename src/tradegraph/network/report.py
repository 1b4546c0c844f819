"""Plain-text and JSON reports of the actor network for ``tradegraph network``.

>>> print(text_table([{"a": "x", "b": 1}, {"a": "longer", "b": 22}], ("a", "b")))
a       b
x       1
longer  22
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import networkx as nx

EDGE_COLUMNS = ("actor", "other", "events", "first", "last", "types", "modes")


def text_table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    """``rows`` as an aligned table with a header line; lists are joined with commas."""
    cells = [list(columns)] + [[_cell(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in cells)


def edge_rows(graph: nx.Graph[str]) -> list[dict[str, Any]]:
    """One row per link, the most shared events first."""
    rows = [{"actor": graph.nodes[u].get("label", u), "other": graph.nodes[v].get("label", v),
             "actor_id": u, "other_id": v, **data} for u, v, data in graph.edges(data=True)]
    return sorted(rows, key=lambda r: (-r.get("weight", 1), r["actor_id"], r["other_id"]))


def network_report(graph: nx.Graph[str], fmt: str) -> str:
    """The links as a table (``fmt="table"``) or the whole network as JSON (``"json"``)."""
    if fmt == "json":
        document = {
            "filter": graph.graph.get("filter", ""),
            "nodes": [{"id": n, **d} for n, d in graph.nodes(data=True)],
            "links": [{"source": u, "target": v, **d} for u, v, d in graph.edges(data=True)],
            "events": graph.graph.get("events", {}),
        }
        return json.dumps(document, indent=2, ensure_ascii=False)
    rows = [{**row, "events": row.get("weight", 1)} for row in edge_rows(graph)]
    isolated = sorted(graph.nodes[n].get("label", n) for n in graph if graph.degree(n) == 0)
    lines = [f"{len(graph)} actors, {graph.number_of_edges()} links ({graph.graph.get('filter', '')})"]
    lines.append(text_table(rows, EDGE_COLUMNS))
    if isolated:
        lines.append("without a shared event: " + ", ".join(isolated))
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)
