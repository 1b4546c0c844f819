"""Coded actors reconciled with the graph's: by a person's decision, by Wikidata id, by name and country.

For each actor a feed names, in this order:

1. the decisions file (``graph/feeds/decisions.yaml``, reviewed by a person) says
   ``same-as``: it is that graph actor; ``not-same`` pairs are never matched below;
2. a graph actor has the same Wikidata id;
3. a graph actor of the same country (or of none) has the same name or alias, or one within
   :data:`FUZZY_CUTOFF` of it (rapidfuzz's token-sort ratio, ignoring case and punctuation) with
   the same numbers in it;
4. a country with no name (``JPN GOV``) is that country's government;
5. otherwise it is a new actor (``record_origin: coded``), listed in the import's report with
   the key a decision names it by, so a person can write ``same-as`` for the next import.

The decisions file::

    same-as:
      - {feed: "JPN: Ryosei Akazawa", actor: akazawa}
    not-same:
      - {feed: Q1234567, actor: trump}

A feed actor's key is its Wikidata id, else ``COUNTRY: name``, else ``COUNTRY SECTOR``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from tradegraph.errors import InvalidData, Location
from tradegraph.facts.bulk import read_bulk
from tradegraph.facts.model import Model
from tradegraph.feeds.coded import CodedActor, CodedPlace
from tradegraph.feeds.mapping import country_codes
from tradegraph.files.yamlfile import YMap, load_yaml
from tradegraph.project import Project

#: The least token-sort ratio (0-100) at which two names of one country are taken as one actor.
FUZZY_CUTOFF = 90
DECISIONS = "decisions.yaml"
_ACTOR_KINDS = ("person", "government", "ministry", "party", "organization")


def normal(name: str) -> str:
    """A name as matching compares it: case-folded, punctuation dropped, spaces collapsed.

    >>> normal("  Akazawa,  Ryosei ")
    'akazawa ryosei'
    """
    return " ".join(re.sub(r"[^\w\s]", " ", name.casefold()).split())


def slug(text: str) -> str:
    """A fact id made of ``text``: lower-case letters, digits and hyphens.

    >>> slug("Scott Bessent (USA)"), slug("東京")
    ('scott-bessent-usa', 'x')
    """
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())) or "x"


@dataclass
class Known:
    """A graph actor (or place or country) as matching sees it."""

    ident: str
    kind: str
    names: list[str]
    country: str | None
    wikidata: str | None


@dataclass
class GraphIndex:
    """The project's actors, places and countries, by what feeds match them on."""

    records: dict[str, Known] = field(default_factory=dict)
    by_wikidata: dict[str, str] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)       # ISO alpha-2 -> id
    country_names: dict[str, str] = field(default_factory=dict)   # normal name -> id
    governments: dict[str, str] = field(default_factory=dict)     # country id -> id

    def add(self, record: Any, kind: str) -> None:
        ident = record.get("id")
        if not isinstance(ident, str) or ident in self.records:
            return
        names = [n for n in [record.get("name"), *_listed(record.get("aliases"))] if isinstance(n, str)]
        country = record.get("country") if isinstance(record.get("country"), str) else None
        qid = record.get("wikidata") if isinstance(record.get("wikidata"), str) else None
        self.records[ident] = Known(ident, kind, names, country, qid)
        if qid:
            self.by_wikidata.setdefault(qid, ident)
        if kind == "country":
            if isinstance(record.get("iso"), str):
                self.countries.setdefault(record["iso"], ident)
            for name in names:
                self.country_names.setdefault(normal(name), ident)
        elif kind == "government" and country:
            self.governments.setdefault(country, ident)

    def of_kinds(self, kinds: tuple[str, ...]) -> list[Known]:
        return [known for known in self.records.values() if known.kind in kinds]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def graph_index(project: Project, model: Model, *, leave_out: Path | None = None) -> GraphIndex:
    """The actors, places and countries of the project's actors files and bulk files (but ``leave_out``).

    Records that do not read are skipped here: the build names them.
    """
    index = GraphIndex()
    for path in project.actor_files():
        doc = load_yaml(path, project.relative(path))
        for section, items in (doc.items() if isinstance(doc, dict) else []):
            kind = model.kind_by_section(section)
            for item in items if kind is not None and isinstance(items, list) else []:
                if isinstance(item, dict):
                    index.add(item, kind.name)  # type: ignore[union-attr]
    for path in project.bulk_files():
        if leave_out is not None and path.resolve() == leave_out.resolve():
            continue
        for record in read_bulk(path, project.relative(path), model):
            if not isinstance(record, InvalidData) and record.kind.where == "actors":
                index.add(record, record.kind.name)
    return index


@dataclass
class Decisions:
    """A person's judgements: feed key -> graph actor (same-as), and pairs never to match (not-same)."""

    same_as: dict[str, str] = field(default_factory=dict)
    not_same: set[tuple[str, str]] = field(default_factory=set)


def read_decisions(path: Path, shown: str, index: GraphIndex) -> Decisions:
    """The decisions file, if there is one; a decision naming no graph actor is an error at its line."""
    decisions = Decisions()
    if not path.exists():
        return decisions
    doc = load_yaml(path, shown)
    if doc is None:
        return decisions
    if not isinstance(doc, YMap):
        raise InvalidData("the decisions file is not a mapping", where=Location(shown, 1),
                          expected="`same-as:` and `not-same:` lists of {feed: KEY, actor: ID}")
    for key in doc:
        if key not in ("same-as", "not-same"):
            raise InvalidData(f"unknown key '{key}'", where=doc.where(key), expected="same-as or not-same")
        entries = doc[key] or []
        if not isinstance(entries, list):
            raise InvalidData(f"`{key}` is not a list", where=doc.where(key), expected="a list of {feed: KEY, actor: ID}")
        for entry in entries:
            where = entry.where() if isinstance(entry, YMap) else doc.where(key)
            if not isinstance(entry, dict) or set(entry) != {"feed", "actor"}:
                raise InvalidData(f"a `{key}` entry is not {{feed: KEY, actor: ID}}", where=where,
                                  expected="the feed actor's key, as the import's report prints it, and a graph actor's id")
            feed, actor = str(entry["feed"]), str(entry["actor"])
            if actor not in index.records:
                raise InvalidData(f"`{key}` names the actor '{actor}', which the graph does not hold", where=where,
                                  expected="the id of an actor in graph/", hint="was it renamed, or its import replaced?")
            if key == "same-as":
                decisions.same_as[feed] = actor
            else:
                decisions.not_same.add((feed, actor))
    return decisions


class Reconciler:
    """Names each coded actor, place and publisher by a graph id, making new records where none matches.

    ``new`` holds the records made, keyed by what they were made for; ``how`` counts the matches by rule.
    """

    def __init__(self, index: GraphIndex, decisions: Decisions, *, prefix: str) -> None:
        self.index, self.decisions, self.prefix = index, decisions, prefix
        self.new: dict[str, dict[str, Any]] = {}
        self.made_for: dict[str, str] = {}   # new record id -> the feed key it was made for
        self.how: Counter[str] = Counter()
        self._memo: dict[str, str] = {}
        self._candidates: dict[str | None, tuple[list[str], list[str]]] = {}

    def records(self) -> Iterator[dict[str, Any]]:
        """The new records, in the order they were made."""
        return iter(self.new.values())

    # ------------------------------------------------------------------ actors
    def actor(self, coded: CodedActor, *, country_ok: bool = False) -> str:
        """The id of the graph actor ``coded`` is (a new one when none is); each key is matched once.

        With ``country_ok`` (a statement's target) a country with no name and no sector is the
        country itself, not its government.
        """
        key = coded.key
        if country_ok and not coded.name and not coded.sector and coded.country:
            found = self.country(coded.country)
            if found:
                return found
        if key not in self._memo:
            self._memo[key] = self._match(coded, key)
        return self._memo[key]

    def _match(self, coded: CodedActor, key: str) -> str:
        if key in self.decisions.same_as:
            self.how["decision"] += 1
            return self.decisions.same_as[key]
        known = self.index.by_wikidata.get(coded.wikidata or "")
        if known and (key, known) not in self.decisions.not_same and self.index.records[known].kind in _ACTOR_KINDS:
            self.how["wikidata"] += 1
            return known
        country = self.country(coded.country) if coded.country else None
        if coded.name:
            found = self._by_name(coded.name, country, key)
            if found:
                self.how["name"] += 1
                return found
        elif country is not None and (coded.sector or "GOV") == "GOV":
            found = self.index.governments.get(country)
            if found and (key, found) not in self.decisions.not_same:
                self.how["country"] += 1
                return found
            return self._new(key, "government", f"Government of {self._country_name(country)}", country=country)
        self.how["new"] += 1
        if coded.name:
            return self._new(key, "person" if coded.person else "organization", coded.name, country=country,
                             wikidata=coded.wikidata)
        name = f"{self._country_name(country)} {coded.sector}" if country else (coded.country or key)
        return self._new(key, "organization", name, country=country, wikidata=coded.wikidata)

    def _by_name(self, name: str, country: str | None, key: str) -> str | None:
        ids, names = self._choices(country)
        wanted = normal(name)
        numbers = re.findall(r"[0-9]+", wanted)
        for found in process.extract(wanted, names, scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_CUTOFF, limit=5):
            ident = ids[found[2]]  # a near name with other numbers ("Unit 3", "Unit 30") is another actor
            if (key, ident) not in self.decisions.not_same and re.findall(r"[0-9]+", found[0]) == numbers:
                return ident
        return None

    def _choices(self, country: str | None) -> tuple[list[str], list[str]]:
        if country not in self._candidates:
            ids, names = [], []
            for known in self.index.of_kinds(_ACTOR_KINDS):
                if country is None or known.country in (None, country):
                    for name in known.names:
                        ids.append(known.ident)
                        names.append(normal(name))
            self._candidates[country] = (ids, names)
        return self._candidates[country]

    def _new(self, key: str, kind: str, name: str, *, country: str | None = None,
             wikidata: str | None = None, **extra: Any) -> str:
        ident = base = f"{self.prefix}-{slug(name)}"
        number = 1
        while ident in self.index.records or ident in self.new:
            number += 1
            ident = f"{base}-{number}"
        record: dict[str, Any] = {"kind": kind, "id": ident, "name": name}
        if country:
            record["country"] = country
        if wikidata:
            record["wikidata"] = wikidata
        record.update(extra)
        record["record_origin"] = "coded"
        self.new[ident] = record
        self.made_for[ident] = key
        self.index.add(record, kind)
        if kind in _ACTOR_KINDS:  # the cached choices of matching countries gain it
            for among, (ids, names) in self._candidates.items():
                if among is None or country in (None, among):
                    ids.append(ident)
                    names.append(normal(name))
        return ident

    # ------------------------------------------------------------------ countries, places, publishers
    def country(self, alpha3: str | None) -> str | None:
        """The graph country of an ISO alpha-3 code (a new one for a code the graph lacks); None for a code that is no country."""
        alpha2 = country_codes().alpha2.get(alpha3 or "")
        if alpha2 is None:
            return None
        found = self.index.countries.get(alpha2)
        if found is None:
            found = self._new(f"country {alpha3}", "country", country_codes().names[alpha2], iso=alpha2)
            self.index.countries[alpha2] = found
        return found

    def _country_name(self, country: str) -> str:
        return self.index.records[country].names[0] if country in self.index.records else country

    def place(self, coded: CodedPlace) -> str | None:
        """The graph place (or country) where a coded event happened."""
        country = self.country(coded.country) if coded.country else None
        if coded.name is None:
            return country
        wanted = normal(coded.name)
        if coded.is_country:
            found = self.index.country_names.get(wanted) or next(
                (self.country(country_codes().alpha3[a2]) for a2, n in country_codes().names.items()
                 if normal(n) == wanted), None)
            if found:
                return found
        memo = f"place {wanted} {country or ''}"
        if memo not in self._memo:  # GDELT names a place "Tokyo, Tokyo, Japan": its first part is tried too
            names = {wanted, normal(coded.name.split(",")[0])}
            self._memo[memo] = next(
                (k.ident for k in self.index.of_kinds(("place",))
                 if names & set(map(normal, k.names)) and (country is None or k.country in (None, country))), None) \
                or self._new(memo, "place", coded.name, country=country, **({"within": country} if country else {}))
        return self._memo[memo]

    def publisher(self, name: str) -> str:
        """The organization that published a feed's article, by its exact name (a new one when none has it)."""
        memo = f"publisher {normal(name)}"
        if memo not in self._memo:
            self._memo[memo] = next(
                (k.ident for k in self.index.of_kinds(("organization",)) if normal(name) in map(normal, k.names)),
                None) or self._new(memo, "organization", name)
        return self._memo[memo]
