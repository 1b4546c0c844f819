"""What stands in the way of events-before-deadline at scale, in Oxigraph alone (issue 16).

    python bench/oxigraph_window.py [--events 100000 1000000] [--repeat 5] [--json FILE]

A store of N events, each with a day key (``tg:earliestBegin``, midnight of a day of 2025), a
calendar of the days that hold one (``?day tg:dayBegin ?begin``: 365 nodes) and one deadline
with its own day key. The same window, the 30 days before the deadline, is asked four ways:

- ``constants``: the calendar's days in the window, bounds written in, then the events of each
  day (an index lookup a day);
- ``scan``: every event's key tested against the bounds written in;
- ``from the deadline``: as ``constants``, with the bounds taken from the deadline's key in the
  same query (what a canned query has to do, the deadline being a parameter or a default it
  computes); also with no ``BIND`` between the patterns (one group), and with the days chosen
  in a subquery;
- ``bounds in VALUES``: as ``constants``, the bounds given in a ``VALUES`` row.

Prints the median seconds of each (and the rows, equal for all) per size, and writes them to
``--json``. Oxigraph plans a query before it runs it, so only bounds written into the text can
choose the calendar's few days before the events: a bound taken from the data, even from a
pattern with one answer, is applied after the window's patterns were joined in full.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyoxigraph as ox

TG = "https://w3id.org/tradegraph/ontology#"
DT = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
PREFIXES = "PREFIX tg: <https://w3id.org/tradegraph/ontology#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
DEADLINE = date(2025, 8, 5)
WINDOW = f'"{DEADLINE - timedelta(days=30)}T00:00:00"^^xsd:dateTime', f'"{DEADLINE}T00:00:00"^^xsd:dateTime'
QUERIES = {
    "constants": f"""SELECT (COUNT(*) AS ?n) WHERE {{
        ?day tg:dayBegin ?begin FILTER(?begin >= {WINDOW[0]} && ?begin < {WINDOW[1]})
        ?e tg:earliestBegin ?begin }}""",
    "scan": f"""SELECT (COUNT(*) AS ?n) WHERE {{
        ?e a tg:Event ; tg:earliestBegin ?begin FILTER(?begin >= {WINDOW[0]} && ?begin < {WINDOW[1]}) }}""",
    "from the deadline": """SELECT (COUNT(*) AS ?n) WHERE {
        <urn:x-bench:deadline> tg:earliestBegin ?end .
        BIND(?end - "P30D"^^xsd:dayTimeDuration AS ?start)
        ?day tg:dayBegin ?begin FILTER(?begin >= ?start && ?begin < ?end)
        ?e tg:earliestBegin ?begin }""",
    "from the deadline, one pattern group": """SELECT (COUNT(*) AS ?n) WHERE {
        <urn:x-bench:deadline> tg:earliestBegin ?end .
        ?day tg:dayBegin ?begin FILTER(?begin >= ?end - "P30D"^^xsd:dayTimeDuration && ?begin < ?end)
        ?e tg:earliestBegin ?begin }""",
    "from the deadline, days in a subquery": """SELECT (COUNT(*) AS ?n) WHERE {
        { SELECT ?begin WHERE { <urn:x-bench:deadline> tg:earliestBegin ?end .
            ?day tg:dayBegin ?begin FILTER(?begin >= ?end - "P30D"^^xsd:dayTimeDuration && ?begin < ?end) } }
        ?e tg:earliestBegin ?begin }""",
    "bounds in VALUES": f"""SELECT (COUNT(*) AS ?n) WHERE {{
        VALUES (?start ?end) {{ ({WINDOW[0]} {WINDOW[1]}) }}
        ?day tg:dayBegin ?begin FILTER(?begin >= ?start && ?begin < ?end)
        ?e tg:earliestBegin ?begin }}""",
}


def key(day: date) -> ox.Literal:
    return ox.Literal(f"{day}T00:00:00", datatype=DT)


def store_of(events: int, seed: int = 1) -> ox.Store:
    rng = random.Random(seed)
    begin, kind = ox.NamedNode(TG + "earliestBegin"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    event = ox.NamedNode(TG + "Event")
    days = [date(2025, 1, 1) + timedelta(days=n) for n in range(365)]
    store = ox.Store()
    quads = []
    for n in range(events):
        node = ox.NamedNode(f"urn:x-bench:e-{n}")
        quads += [ox.Quad(node, kind, event), ox.Quad(node, begin, key(rng.choice(days)))]
    quads += [ox.Quad(ox.NamedNode(f"urn:x-bench:day-{day}"), ox.NamedNode(TG + "dayBegin"), key(day)) for day in days]
    quads.append(ox.Quad(ox.NamedNode("urn:x-bench:deadline"), begin, key(DEADLINE)))
    store.bulk_extend(quads)
    return store


def measure(events: int, repeat: int) -> dict[str, Any]:
    store = store_of(events)
    found: dict[str, Any] = {"events": events}
    for name, text in QUERIES.items():
        times, rows = [], None
        for _ in range(repeat):
            started = time.perf_counter()
            answer = list(store.query(PREFIXES + text))  # type: ignore[arg-type]
            times.append(time.perf_counter() - started)
            rows = int(answer[0][0].value)
        found[name] = {"median_s": round(statistics.median(times), 5), "rows": rows}
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, nargs="+", default=[100_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    results = [measure(n, args.repeat) for n in args.events]
    for found in results:
        print(f"{found['events']:>9,} events: " + "; ".join(
            f"{name} {found[name]['median_s'] * 1000:.1f} ms ({found[name]['rows']} rows)" for name in QUERIES))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
