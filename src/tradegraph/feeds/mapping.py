"""The mapping tables: CAMEO and PLOVER codes to tradegraph's kinds and event types, and countries.

Both are data files beside this module (``mappings/events.csv``, ``mappings/countries.csv``;
``mappings/README.md`` documents them). A coded event maps to the first row of
``events.csv`` that matches it: by its CAMEO code (GDELT's ``EventCode``, or a PLOVER
record's ``cameo`` field), else by its PLOVER category, mode and context; an event no row
matches is not imported (the import counts it). Exports use the rows marked ``export``.

>>> table = event_table()
>>> table.by_cameo("042").kind, table.by_cameo("042").recipient_role
('visit', 'host')
>>> table.by_plover("CONSULT", ["phone"], []).event_type
'phone-call'
>>> table.by_plover("THREATEN", ["restrict"], ["military"]) is None
True
>>> table.for_export("criticism").plover_event
'ACCUSE'
>>> country_codes().alpha2["JPN"], country_codes().alpha3["US"]
('JP', 'USA')
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MAPPINGS = Path(__file__).parent / "mappings"


@dataclass(frozen=True)
class EventMapping:
    """One row of ``events.csv``: which record a coded event becomes, and the roles of its sides."""

    kind: str
    event_type: str
    cameo: str
    plover_event: str
    plover_mode: str
    plover_context: str
    actor_role: str
    recipient_role: str
    export: bool


@dataclass(frozen=True)
class EventTable:
    """The rows of ``events.csv``, in order."""

    rows: tuple[EventMapping, ...]

    def by_cameo(self, code: str) -> EventMapping | None:
        """The row of a CAMEO event code, or None."""
        return next((row for row in self.rows if row.cameo and row.cameo == code), None)

    def by_plover(self, event: str, modes: Iterable[str], contexts: Iterable[str]) -> EventMapping | None:
        """The first row of a PLOVER category whose mode (none: a record without one) and context match."""
        modes, contexts = set(modes), set(contexts)
        for row in self.rows:
            if row.plover_event != event:
                continue
            if (row.plover_mode in modes) if row.plover_mode else not modes:
                if not row.plover_context or row.plover_context in contexts:
                    return row
        return None

    def for_export(self, event_type: str) -> EventMapping | None:
        """The row that writes events of ``event_type`` as PLOVER, or None (PLOVER has no category for it)."""
        return next((row for row in self.rows if row.export and row.event_type == event_type), None)


@dataclass(frozen=True)
class CountryCodes:
    """ISO 3166-1 codes both ways, and each country's English name (by alpha-2)."""

    alpha2: dict[str, str]
    alpha3: dict[str, str]
    names: dict[str, str]


def _rows(name: str) -> list[dict[str, str]]:
    with (MAPPINGS / name).open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(line for line in stream if not line.startswith("#")))


@cache
def event_table() -> EventTable:
    """The rows of ``mappings/events.csv``."""
    return EventTable(tuple(EventMapping(**{**row, "export": row["export"] == "yes"})  # type: ignore[arg-type]
                            for row in _rows("events.csv")))


@cache
def country_codes() -> CountryCodes:
    """The table of ``mappings/countries.csv``."""
    rows = _rows("countries.csv")
    return CountryCodes(alpha2={row["alpha3"]: row["alpha2"] for row in rows},
                        alpha3={row["alpha2"]: row["alpha3"] for row in rows},
                        names={row["alpha2"]: row["name"] for row in rows})
