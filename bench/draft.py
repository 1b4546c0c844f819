"""How good a first draft `tradegraph draft` makes (issue 18): the two bundled articles drafted
from their text alone, scored against the curated graph.

The drafter sees a copy of the project with no source file and an actors file without its
`people:` (so every person must be found in the text, not looked up), and each article's
publication date. Its proposals are then compared with the curated source files:

- actors_recall: of the people the curated facts of an article name (participants, speakers,
  holders, members, leaders, addressees), the share the draft proposes (a proposed person is
  the curated one when their names match, or the surname alone does);
- events_recall / events_precision: curated events (not retracted) dated to a day, a week or a
  month, matched by kind (meeting and talks are one kind, visit and trip one, letter and
  announcement one), participants (the same set) and dates (the same first and last day); the
  precision is the share of the draft's events that match any curated event;
- statements_speaker: of the curated statements, the share for which a draft statement of
  the same sentence (it holds the curated quote or evidence, or the evidence holds it) names
  the same speaker;
- dates_resolved: of the date expressions the curated files resolve (a `when` block with the
  source's words in `text` and a day, a week, a month, or an open start), the share the
  draft resolves to the same days;
- measures: of the curated tariffs, the share with a measure candidate of the same rate and
  an overlapping scope;
- verbatim: the share of the draft's evidence sentences found verbatim in the article.

    .venv/bin/python bench/draft.py [--texts ../shared/sources] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz

from tradegraph.draft.actors import ActorIndex
from tradegraph.draft.evidence import normalise
from tradegraph.draft.extract import Draft, draft_text
from tradegraph.errors import Location
from tradegraph.facts.when import parse_when
from tradegraph.project import Project

REPO = Path(__file__).resolve().parents[1]
EVENTS = {"meeting": "meeting", "talks": "meeting", "visit": "visit", "trip": "visit", "phone-call": "phone-call",
          "ceremony": "ceremony", "occasion": "occasion", "election": "election", "letter": "letter",
          "announcement": "letter"}
ACTOR_FIELDS = ("participants", "speaker", "holder", "members", "led_by", "addressee")
DATE_WORDS = re.compile(r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|month|year|today|"
                        r"yesterday|tomorrow|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec", re.IGNORECASE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=Path, default=REPO.parent / "shared" / "sources",
                        help="the folder of the articles' texts")
    parser.add_argument("--json", type=Path, default=None, help="also write the scores to this JSON file")
    args = parser.parse_args()
    actors = yaml.safe_load((REPO / "graph" / "actors.yaml").read_text("utf-8"))
    people = {p["id"]: p["name"] for p in actors["people"]}
    totals: dict[str, list[int]] = {}
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "project"
        (root / "graph" / "sources").mkdir(parents=True)
        (root / "graph" / "actors.yaml").write_text(yaml.safe_dump({k: v for k, v in actors.items() if k != "people"}))
        for path in sorted((REPO / "graph" / "sources").glob("*.yaml")):
            curated = yaml.safe_load(path.read_text("utf-8"))
            text = (args.texts / Path(curated["source"]["file"]).name).read_text("utf-8")
            published = date.fromisoformat(str(curated["source"]["published"]["date"]))
            draft = draft_text(text, published=published, index=ActorIndex.of_project(Project.open(root)),
                               source=curated["source"]["id"])
            scores = score(curated, draft, text, people)
            rows.append((path.stem, scores))
            for key, (hit, total) in scores.items():
                totals.setdefault(key, [0, 0])
                totals[key][0] += hit
                totals[key][1] += total
        shutil.rmtree(root)
    keys = ["actors_recall", "events_recall", "events_precision", "statements_speaker", "dates_resolved",
            "measures", "verbatim"]
    print(f"{'':32}" + "".join(f"{k:>20}" for k in keys))
    for name, scores in rows:
        print(f"{name[:32]:32}" + "".join(f"{f'{scores[k][0]}/{scores[k][1]}':>20}" for k in keys))
    fractions = {k: totals[k][0] / totals[k][1] if totals[k][1] else 1.0 for k in keys}
    print(f"{'both':32}" + "".join(f"{f'{totals[k][0]}/{totals[k][1]} {fractions[k]:.0%}':>20}" for k in keys))
    if args.json:
        args.json.write_text(json.dumps({**fractions, "counts": totals}, indent=2) + "\n", "utf-8")


def score(curated: dict[str, Any], draft: Draft, text: str, people: dict[str, str]) -> dict[str, tuple[int, int]]:
    """The scores of one article's draft: for each key, (hits, out of)."""
    facts = [f for f in curated["facts"] if not f.get("retracted_by")]
    mapping: dict[str, str] = {p.id: _person(p.name, people) or p.id for p in draft.new_people}
    proposals = [p.record for p in draft.proposals]

    def mapped(ids: Any) -> set[str]:
        values = ids if isinstance(ids, list) else [ids] if ids else []
        return {mapping.get(str(v), str(v)) for v in values}

    # actors
    wanted: set[str] = set()
    for fact in facts:
        for name in ACTOR_FIELDS:
            for value in fact.get(name) or [] if isinstance(fact.get(name), list) else [fact.get(name)]:
                actor = value.get("actor") if isinstance(value, dict) else value
                if actor in people:
                    wanted.add(actor)
    found = set(mapping.values())
    # events
    curated_events = [f for f in facts if f["kind"] in EVENTS]
    dated = [f for f in curated_events if _dated(f.get("when"))]
    drafted = [p for p in proposals if p["kind"] in EVENTS]

    def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
        return EVENTS[a["kind"]] == EVENTS[b["kind"]] and _actors(a, mapped) == _actors(b, lambda v: mapped(v)) \
            and _span(a.get("when")) == _span(b.get("when"))

    events_hit = sum(any(same(d, c) for d in drafted) for c in dated)
    precise = sum(any(same(d, c) for c in curated_events) for d in drafted)
    # statements
    statements = [f for f in facts if f["kind"] in ("statement", "announcement")]
    drafted_statements = [p for p in proposals if p["kind"] == "statement"]
    spoken = 0
    for statement in statements:
        words = [normalise(q) for q in _list(statement.get("quote")) + _list(statement.get("evidence"))]
        same_sentence = [d for d in drafted_statements
                         if any(w in normalise(e) or normalise(e) in w for w in words for e in _list(d["evidence"]))]
        spoken += any(mapped(d["speaker"]) == {statement["speaker"]} for d in same_sentence)
    # dates
    expressions = {}
    for fact in facts:
        for name in ("when", "effective"):
            block = fact.get(name)
            if isinstance(block, dict) and isinstance(block.get("text"), str) and DATE_WORDS.search(block["text"]) \
                    and ("date" in block or "precision" in block or ("from" in block and "to" not in block)):
                expressions[(block["text"].lower(), _span(block))] = fact
    resolved = 0
    for (words, span), fact in expressions.items():
        evidence = [normalise(e) for e in _list(fact.get("evidence"))]
        candidates = [d for s, d in draft.dates if d.text.lower() in words]
        here = [d for s, d in draft.dates if d in candidates and any(normalise(s).find(e) >= 0 or e.find(normalise(s)) >= 0
                                                                    for e in evidence)]
        resolved += any((d.first, d.last) == span for d in (here or candidates))
    # measures
    tariffs = [f for f in facts if f["kind"] == "tariff"]
    measures = [p for p in draft.proposals if p.rate is not None]
    measured = sum(any(m.rate == float(t["rate"]) and set(m.scope) & set(_list(t.get("scope"))) for m in measures)
                   for t in tariffs)
    sentences = [e for p in proposals for e in _list(p["evidence"])]
    return {"actors_recall": (len(wanted & found), len(wanted)), "events_recall": (events_hit, len(dated)),
            "events_precision": (precise, len(drafted)), "statements_speaker": (spoken, len(statements)),
            "dates_resolved": (resolved, len(expressions)), "measures": (measured, len(tariffs)),
            "verbatim": (sum(s in text for s in sentences), len(sentences))}


def _person(name: str, people: dict[str, str]) -> str | None:
    """The curated person a proposed name is: the same name, or the same surname."""
    for ident, curated in people.items():
        if fuzz.ratio(name.lower(), curated.lower()) >= 90 or name.split()[-1] == curated.split()[-1]:
            return ident
    return None


def _actors(record: dict[str, Any], mapped: Any) -> set[str]:
    values = record.get("participants") or ([record["speaker"]] if record.get("speaker") else [])
    return set(mapped([v["actor"] if isinstance(v, dict) else v for v in values]))


def _span(block: Any) -> tuple[date | None, date | None] | None:
    if block is None:
        return None
    spec = parse_when({k: str(v) for k, v in block.items()} if isinstance(block, dict) else str(block),
                      Location("bench"))
    return spec.earliest, spec.latest


def _dated(block: Any) -> bool:
    if not isinstance(block, dict):
        return block is not None
    return "date" in block or block.get("precision") in ("day", "week", "month")


def _list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)] if value else []


if __name__ == "__main__":
    main()
