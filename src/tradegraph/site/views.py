"""Views where people would rather look than read: a timeline of dated rows, the network of
pairs of actors, and the steps of a measure's rate, drawn offline (SVG made here; the network
by cytoscape.js, vendored from npm).

A query asks for its view as Wikidata's query service does, with a comment line in the
query (after the ``#+`` header)::

    #defaultView:Timeline

>>> default_view("#+ summary: S\\n#defaultView:Network\\nSELECT ...")
'network'
>>> span("2025-04-01..2025-07-11"), span("?..2025-07-11"), span("2025-07-11"), span("")
((datetime.date(2025, 4, 1), datetime.date(2025, 7, 11)), (None, datetime.date(2025, 7, 11)), \
(datetime.date(2025, 7, 11), datetime.date(2025, 7, 11)), (None, None))
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tradegraph.site.names import Names

VIEWS = ("timeline", "network")
_VIEW = re.compile(r"^#\s*defaultView\s*:\s*([A-Za-z]+)\s*$", re.MULTILINE)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_COLUMNS = ("date", "first", "published", "on")
_LABEL_COLUMNS = ("event", "measure", "fact", "claim", "what", "label", "post", "source", "id")
WIDTH = 900


def default_view(text: str) -> str | None:
    """The view a query's text asks for (``timeline`` or ``network``), if any."""
    found = _VIEW.search(text)
    name = found.group(1).lower() if found else None
    return name if name in VIEWS else None


def span(text: object) -> tuple[date | None, date | None]:
    """The first and last day of a date cell as the canned queries write it (``A..B``, ``?..B``, ``A``)."""
    if isinstance(text, date):
        return text, text
    parts = str(text or "").split("..")
    days = [date.fromisoformat(p[:10]) if _DAY.match(p) else None for p in parts]
    return (days[0], days[-1]) if days else (None, None)


@dataclass(frozen=True)
class Bar:
    """One dated row on the timeline: its label, and where its bar starts and how wide it is, in
    percent of the time axis (so that ``x + width <= 100`` at any width of the page)."""

    x: float
    width: float
    label: str
    when: str
    link: str | None
    open_start: bool


@dataclass(frozen=True)
class Timeline:
    """A timeline: its bars, earliest first, and the axis ticks (percent of the axis, month)."""

    bars: list[Bar]
    ticks: list[tuple[float, str]]


def timeline(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], names: Names) -> Timeline | None:
    """The rows with a date on a time axis, earliest first; None when no row has a known day.

    >>> t = timeline([{"date": "2025-01-01..2025-01-31", "event": "A"}, {"date": "2025-03-01", "event": "B"}],
    ...              ["date", "event"], Names("x:", {}, {}))
    >>> [(b.label, b.x, b.width) for b in t.bars], t.ticks[0]
    ([('A', 0.0, 51.7), ('B', 98.3, 1.7)], (0.0, '2025-01'))
    """
    when = next((c for c in _DATE_COLUMNS if c in columns), None)
    what = next((c for c in _LABEL_COLUMNS if c in columns), None)
    if when is None:
        return None
    dated = [(span(row.get(when)), row) for row in rows]
    days = [d for (a, b), _ in dated for d in (a, b) if d]
    if not days:
        return None
    first, last = min(days), max(days)
    scale = 100 / ((last - first).days + 1)
    bars = []
    for (start, end), row in sorted(dated, key=lambda d: (d[0][0] or d[0][1] or first, str(d[1]))):
        begin, finish = start or first, end or last
        x = round((begin - first).days * scale, 1)
        label = str(row.get(what) or "") if what else ""
        bars.append(Bar(x=x, width=round(min(100 - x, max(0.5, ((finish - begin).days + 1) * scale)), 1),
                        label=label, when=str(row.get(when) or ""), link=names.link(row.get("id")) or names.link(label),
                        open_start=start is None))
    months = sorted({d.replace(day=1) for d in _months(first, last)})
    step = max(1, len(months) // 6)
    ticks = [(round(max(0, (m - first).days) * scale, 1), m.strftime("%Y-%m")) for m in months[::step]]
    return Timeline(bars, ticks)


@dataclass(frozen=True)
class Steps:
    """A step chart of a rate over time: the SVG path, its points and the axis ends."""

    path: str
    points: list[tuple[float, float, str]]
    width: int = WIDTH
    height: int = 160


def steps(rates: Sequence[tuple[date | None, str, Any]]) -> Steps | None:
    """Rates by the day each took effect, as steps; None with fewer than one dated rate."""
    dated = [(day, float(rate)) for day, rate, _ in rates if day is not None and _number(rate)]
    if not dated:
        return None
    first, last = dated[0][0], dated[-1][0]
    top = max(rate for _, rate in dated) or 1.0
    scale = (WIDTH - 2 * 40) / max(1, (last - first).days)

    def point(day: date, rate: float) -> tuple[float, float]:
        return round(40 + (day - first).days * scale, 1), round(140 - rate / top * 110, 1)

    path, points, previous = [], [], None
    for day, rate in dated:
        x, y = point(day, rate)
        path.append(f"M {x} {y}" if previous is None else f"H {x} V {y}")
        points.append((x, y, f"{day.isoformat()}: {rate:g}%"))
        previous = y
    path.append(f"H {WIDTH - 40}")
    return Steps(" ".join(path), points)


def network(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], names: Names) -> dict[str, Any] | None:
    """Pairs of actors (columns ``actor1`` and ``actor2``, weighted by ``events`` when given) as
    cytoscape elements; None when the rows hold no pairs."""
    if "actor1" not in columns or "actor2" not in columns:
        return None
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        ends = [str(row.get("actor1") or ""), str(row.get("actor2") or "")]
        if not all(ends):
            continue
        for label in ends:
            nodes.setdefault(label, {"id": label, "label": label, "link": names.link(label)})
        key = (min(ends), max(ends))
        weight = row.get("events") if isinstance(row.get("events"), int) else 1
        edge = edges.setdefault(key, {"id": "--".join(key), "source": key[0], "target": key[1], "weight": 0})
        edge["weight"] += weight
    if not edges:
        return None
    return {"nodes": sorted(nodes.values(), key=lambda n: n["id"]), "edges": sorted(edges.values(), key=lambda e: e["id"])}


def _months(first: date, last: date) -> list[date]:
    found, day = [], first.replace(day=1)
    while day <= last:
        found.append(day)
        day = day.replace(year=day.year + (day.month == 12), month=day.month % 12 + 1)
    return found


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
