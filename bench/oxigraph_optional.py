"""What an OPTIONAL costs in Oxigraph: one pattern, or two (issue 16).

    python bench/oxigraph_optional.py [--events 100000 1000000] [--window 2000] [--repeat 5] [--json FILE]

A store of N events in named graphs of 25 (queried as their union, as tradegraph does), each
with a first and a last day key, a time node with its earliest day (``?e ex:when ?w . ?w
ex:earliest ?x``) and a status with a notation; a calendar of the days; ``--window`` events (the
same number at every N) fall in the window the query asks for, every other event before it. The
query takes the window's events (the calendar's days, then each day's events with their keys
and time nodes: the same rows at every N) and adds the status's notation three ways:

- ``two patterns``: ``OPTIONAL { ?e ex:status ?s . ?s ex:notation ?n }``;
- ``path``: ``OPTIONAL { ?e ex:status/ex:notation ?n }``;
- ``nested``: ``OPTIONAL { ?e ex:status ?s OPTIONAL { ?s ex:notation ?n } }``.

Prints the median milliseconds of each (and the rows, equal for all) per size, and writes them
to ``--json``. The rows do not change with N; the first two grow with it: past a few patterns on
its left, Oxigraph's planner answers an OPTIONAL whose right side is a join or a path by reading
that side over the whole store and joining it by hash, while it answers one of a single pattern
(with the next nested inside it) for each row. (With one pattern fewer on the left, the end key,
all three stay flat: the choice is the planner's, from the shape of the query, not the data.)
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

EX = "http://example.org/"
PREFIXES = f"PREFIX ex: <{EX}>\n"
LEFT = """?day ex:dayBegin ?begin FILTER(?begin >= 1000)
  ?e ex:begin ?begin ; ex:end ?end ; ex:when ?w .
  ?w ex:earliest ?x ."""
QUERIES = {
    "two patterns": f"SELECT ?e ?n WHERE {{ {LEFT} OPTIONAL {{ ?e ex:status ?s . ?s ex:notation ?n }} }}",
    "path": f"SELECT ?e ?n WHERE {{ {LEFT} OPTIONAL {{ ?e ex:status/ex:notation ?n }} }}",
    "nested": f"SELECT ?e ?n WHERE {{ {LEFT} OPTIONAL {{ ?e ex:status ?s OPTIONAL {{ ?s ex:notation ?n }} }} }}",
}


def node(local: str) -> ox.NamedNode:
    return ox.NamedNode(EX + local)


def store_of(events: int, window: int) -> ox.Store:
    """``window`` events on the days 1000..1009, every other on the days 0..999."""
    store = ox.Store()
    begin, end, when, earliest, status, notation = (node(p) for p in ("begin", "end", "when", "earliest", "status",
                                                                        "notation"))
    quads = [ox.Quad(node(f"day{d}"), node("dayBegin"), ox.Literal(str(d), datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#integer"))) for d in range(1010)]
    quads += [ox.Quad(node(f"s{k}"), notation, ox.Literal(f"status-{k}")) for k in range(50)]
    for n in range(events):
        day = 1000 + n % 10 if n < window else n % 1000
        e, w, g = node(f"e{n}"), node(f"w{n}"), node(f"graph{n // 25}")
        quads += [ox.Quad(e, begin, ox.Literal(str(day), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")), g),
                  ox.Quad(e, end, ox.Literal(str(day + 1), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")), g),
                  ox.Quad(e, when, w, g), ox.Quad(w, earliest, ox.Literal(f"x{n}"), g),
                  ox.Quad(e, status, node(f"s{n % 50}"), g)]
    store.bulk_extend(quads)
    return store


def measure(events: int, window: int, repeat: int) -> dict[str, Any]:
    store = store_of(events, window)
    found: dict[str, Any] = {"events": events}
    for name, text in QUERIES.items():
        times, rows = [], 0
        for _ in range(repeat):
            started = time.perf_counter()
            rows = sum(1 for _ in store.query(PREFIXES + text, use_default_graph_as_union=True))  # type: ignore[union-attr]
            times.append(time.perf_counter() - started)
        found[name] = {"median_ms": round(statistics.median(times) * 1000, 2), "rows": rows}
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--window", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    results = [measure(n, args.window, args.repeat) for n in args.events]
    for found in results:
        print(f"{found['events']:>9,} events: " + "; ".join(
            f"{name} {found[name]['median_ms']:.1f} ms ({found[name]['rows']} rows)" for name in QUERIES))
    if args.json:
        args.json.write_text(json.dumps({"pyoxigraph": ox.__version__, "window": args.window, "runs": results},
                                        indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
