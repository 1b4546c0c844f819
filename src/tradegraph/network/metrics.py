"""Network metrics of the actor network: who is central, and who brokers between groups.

For every actor: its degree (how many others it shared an event with), its number of shared
events (the sum of its edge weights), its betweenness centrality, its community (greedy
modularity), and its brokerage: how many pairs of its neighbours are linked only through it,
counted by Gould and Fernandez's roles with countries as the groups (undirected, so the
gatekeeper and representative roles are one):

- ``coordinator``: the broker and both neighbours are of one country;
- ``consultant``: the two neighbours share a country and the broker is of another;
- ``representative``: the broker shares its country with one of the two;
- ``liaison``: all three are of different countries.

>>> import networkx as nx

from tradegraph.network.report import text_table
>>> g = nx.Graph()
>>> g.add_nodes_from([("a", {"country": "jp", "label": "A"}), ("b", {"country": "us", "label": "B"}),
...                   ("c", {"country": "us", "label": "C"})])
>>> g.add_edge("a", "b", weight=2); g.add_edge("a", "c", weight=1)
>>> row = network_metrics(g)[0]
>>> row["id"], row["degree"], row["events"], row["consultant"], row["brokerage"]
('a', 2, 3, 1, 1)
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import networkx as nx

from tradegraph.network.report import text_table

ROLES = ("coordinator", "consultant", "representative", "liaison")
TABLE_COLUMNS = ("id", "label", "kind", "country", "degree", "events", "betweenness", "community",
                 "brokerage", "broker_role")


def network_metrics(graph: nx.Graph[str]) -> list[dict[str, Any]]:
    """One row per actor, most central first (betweenness, then shared events, then id)."""
    betweenness = nx.betweenness_centrality(graph, normalized=True) if len(graph) else {}
    community = _communities(graph)
    rows = []
    for node in graph.nodes:
        data = graph.nodes[node]
        roles = _brokerage(graph, node)
        rows.append({
            "id": node, "label": data.get("label", node), "kind": data.get("kind", ""),
            "country": data.get("country", ""), "degree": graph.degree(node),
            "events": int(graph.degree(node, weight="weight")),
            "betweenness": round(betweenness.get(node, 0.0), 4), "community": community[node],
            **roles, "brokerage": sum(roles.values()),
            "broker_role": max(ROLES, key=lambda r: (roles[r], -ROLES.index(r))) if any(roles.values()) else "",
        })
    return sorted(rows, key=lambda r: (-r["betweenness"], -r["events"], r["id"]))


def metrics_table(rows: list[dict[str, Any]]) -> str:
    """The rows as an aligned text table.

    >>> print(metrics_table([{"id": "a", "label": "A", "kind": "person", "country": "jp", "degree": 1,
    ...     "events": 2, "betweenness": 0.5, "community": 1, "brokerage": 0, "broker_role": ""}]))
    id  label  kind    country  degree  events  betweenness  community  brokerage  broker_role
    a   A      person  jp       1       2       0.5          1          0
    """
    return text_table(rows, TABLE_COLUMNS)


def _brokerage(graph: nx.Graph[str], node: Any) -> dict[str, int]:
    counts = dict.fromkeys(ROLES, 0)
    own = graph.nodes[node].get("country") or f"?{node}"
    for left, right in combinations(sorted(graph.neighbors(node)), 2):
        if graph.has_edge(left, right):
            continue
        a = graph.nodes[left].get("country") or f"?{left}"
        b = graph.nodes[right].get("country") or f"?{right}"
        if a == b:
            counts["coordinator" if a == own else "consultant"] += 1
        else:
            counts["representative" if own in (a, b) else "liaison"] += 1
    return counts


def _communities(graph: nx.Graph[str]) -> dict[Any, int]:
    """Community numbers from 1, largest community first; isolated actors get their own."""
    if graph.number_of_edges() == 0:
        return {node: i for i, node in enumerate(sorted(graph.nodes), start=1)}
    found = nx.community.greedy_modularity_communities(graph, weight="weight")
    ordered = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    return {node: number for number, members in enumerate(ordered, start=1) for node in members}
