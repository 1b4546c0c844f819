"""PLOVER / POLECAT event records (JSON Lines) read as coded events.

A record needs ``id``, ``date``, ``actor`` (a list of entity objects) and ``event`` (a list of
categories); it may give ``enddate``, ``recipient``, ``mode``, ``context``, ``event_loc``,
``event_text`` and ``cite_info`` (``url``, ``title``, ``publication``, ``language``, ``coder``,
``codebook``). An entity object gives ``code`` (the country, ISO alpha-3), ``sector``,
``entity_text``, ``identifier_id`` (a Wikidata id) and ``identifier_text``; ``office``,
``gender`` or ``age`` mark a person. A record may carry ``cameo`` (an extension field PLOVER
allows, written by ``export -f plover``), the CAMEO code that chooses the mapping row first.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "feed.jsonl"
>>> _ = path.write_text('{"id": "e1", "date": "2025-07-18", "event": ["CONSULT"], "mode": ["visit"],'
...                     ' "actor": [{"code": "USA", "entity_text": "Scott Bessent", "identifier_id": "Q7436863"}],'
...                     ' "recipient": [{"code": "JPN", "sector": "GOV"}]}\\n{"id": "e2"}\\n')
>>> unmapped = Unmapped()
>>> first, second = read_plover(path, "feed.jsonl", unmapped)
>>> first.mapping.kind, first.actors[0].wikidata, first.recipients[0].key
('visit', 'Q7436863', 'JPN GOV')
>>> str(second)
'feed.jsonl:2: the PLOVER record has no `date`; expected id, date, actor and event, as the PLOVER data fields require'
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from tradegraph.errors import InvalidData, Location
from tradegraph.feeds.coded import CodedActor, CodedEvent, CodedPlace, Unmapped, day, feed_lines, text, wikidata_id
from tradegraph.feeds.mapping import event_table

_REQUIRED = ("id", "date", "actor", "event")


def read_plover(path: Path, shown: str, unmapped: Unmapped) -> Iterator[CodedEvent | InvalidData]:
    """The feed's records as coded events, in order; a bad one is an error naming its line.

    A record that no mapping row covers is counted in ``unmapped`` and left out.
    """
    for item in feed_lines(path, shown):
        if isinstance(item, InvalidData):
            yield item
            continue
        where, line = item
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InvalidData(f"the line is not valid JSON: {exc.msg} (column {exc.colno})", where=where,
                              expected="one PLOVER record (a JSON object) a line")
            continue
        except RecursionError:
            yield InvalidData("the line is nested too deep", where=where, expected="a PLOVER record")
            continue
        except ValueError as exc:  # an integer past Python's digit limit: a ValueError, not a JSONDecodeError
            yield InvalidData(f"the line holds a number that cannot be read: {exc}", where=where,
                              expected="numbers of at most a few dozen digits in a PLOVER record")
            continue
        try:
            event = _event(value, where, unmapped)
        except InvalidData as error:
            yield error
            continue
        if event is not None:
            yield event


def _event(value: Any, where: Location, unmapped: Unmapped) -> CodedEvent | None:
    if not isinstance(value, dict):
        raise InvalidData(f"the line holds a JSON {type(value).__name__}", where=where,
                          expected="a PLOVER record, a JSON object")
    for name in _REQUIRED:
        if value.get(name) in (None, "", []):
            raise InvalidData(f"the PLOVER record has no `{name}`", where=where,
                              expected="id, date, actor and event, as the PLOVER data fields require")
    ident = text(value["id"], where, "`id`") or ""
    events, modes, contexts = (_tokens(value.get(name), where, name) for name in ("event", "mode", "context"))
    cameo = text(value.get("cameo"), where, "`cameo`")
    table = event_table()
    mapping = (table.by_cameo(cameo) if cameo else None) or next(
        (row for row in (table.by_plover(name, modes, contexts) for name in events) if row), None)
    if mapping is None:
        unmapped.add(" ".join(events + [f"mode={m}" for m in modes]) + (f" cameo={cameo}" if cameo else ""))
        return None
    if mapping.plover_event == "CONSULT" and mapping.kind != "phone-call" and mapping.actor_role == "participant" \
            and value.get("recipient"):  # PLOVER's CONSULT rule: with a recipient, the actor visits, the recipient hosts
        mapping = replace(mapping, actor_role="visitor", recipient_role="host")
    cite = value.get("cite_info") or {}
    if not isinstance(cite, dict):
        raise InvalidData("`cite_info` is not an object", where=where, expected="an object with url, title, ...")
    start = day(text(value["date"], where, "`date`"), where, "`date`")
    end = day(text(value["enddate"], where, "`enddate`"), where, "`enddate`") if value.get("enddate") else None
    if end is not None and end < start:
        raise InvalidData(f"`enddate` {end} is before `date` {start}", where=where, expected="an end on or after the start")
    actors = _entities(value["actor"], where, "actor")
    recipients = _entities(value.get("recipient") or [], where, "recipient")
    evidence = _evidence(value, where)
    coder = text(cite.get("coder"), where, "`cite_info.coder`") or text(value.get("coder"), where, "`coder`")
    summary = f"{coder or 'PLOVER'} record {ident}: {' '.join(events)}" + "".join(f" ({m})" for m in modes)
    return CodedEvent(
        ident=ident, where=where, mapping=mapping, start=start, end=end, actors=actors, recipients=recipients,
        evidence=evidence or [summary], feed="PLOVER", published=end or start,
        published_how="the PLOVER record gives no publication date; the event's date stands for it",
        place=_place(value.get("event_loc"), where),
        url=text(cite.get("url"), where, "`cite_info.url`"), title=text(cite.get("title"), where, "`cite_info.title`"),
        publication=text(cite.get("publication"), where, "`cite_info.publication`"), coder=coder,
        codebook=text(cite.get("codebook"), where, "`cite_info.codebook`"),
        language=text(cite.get("language"), where, "`cite_info.language`"))


def _tokens(value: Any, where: Location, name: str) -> list[str]:
    items = value if isinstance(value, list) else [] if value is None else [value]
    tokens = [text(item, where, f"`{name}`") for item in items]
    return [token for token in tokens if token]


def _entities(value: Any, where: Location, name: str) -> list[CodedActor]:
    if not isinstance(value, list):
        value = [value]
    actors = []
    for entity in value:
        if not isinstance(entity, dict):
            raise InvalidData(f"an entry of `{name}` is not an object", where=where,
                              expected='an entity object such as {"code": "USA", "sector": "GOV"}')
        actor = CodedActor(
            country=text(entity.get("code"), where, f"`{name}.code`"),
            sector=text(entity.get("sector"), where, f"`{name}.sector`"),
            name=text(entity.get("entity_text") or entity.get("identifier_text"), where, f"`{name}.entity_text`"),
            wikidata=wikidata_id(text(entity.get("identifier_id"), where, f"`{name}.identifier_id`"),
                                 where, f"`{name}.identifier_id`"),
            person=any(entity.get(key) not in (None, "") for key in ("office", "gender", "age")))
        if actor.country is None and actor.name is None and actor.wikidata is None:
            raise InvalidData(f"an entry of `{name}` names no one", where=where,
                              expected="a `code`, an `entity_text` or an `identifier_id`")
        actors.append(actor)
    return actors


def _evidence(value: dict[str, Any], where: Location) -> list[str]:
    texts = value.get("event_text")
    items = texts if isinstance(texts, list) else [texts]
    return [t for t in (text(item, where, "`event_text`") for item in items) if t]


def _place(value: Any, where: Location) -> CodedPlace | None:
    if not value:
        return None
    if not isinstance(value, dict):
        raise InvalidData("`event_loc` is not an object", where=where,
                          expected="a location object (resolved_place, country_code, ...)")
    name = text(value.get("resolved_place") or value.get("extracted_place"), where, "`event_loc` place")
    country = text(value.get("country_code"), where, "`event_loc.country_code`")
    if str(value.get("resolution")) == "1":  # resolved to a country: the place is the country
        name = None
    return CodedPlace(name, country) if name or country else None
