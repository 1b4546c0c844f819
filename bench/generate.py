"""A synthetic trade graph in tradegraph's own fact formats, for benchmarks.

    python bench/generate.py --events 100000 --seed 1 --bad-rate 0.01 --out /tmp/tg-100k [--bad-apart]

writes a project whose graph/bulk/ holds actors.jsonl (dozens of governments with their
countries, capitals, ministries and posts; thousands of officials; topics; publishers),
sources.jsonl (news items, each reporting a few dozen facts) and facts.jsonl (meetings, calls,
visits and rounds of talks with 2-6 participants drawn with power-law activity, trips,
statements, tariffs with versions that replace each other, tenures and deadlines). A fraction
``--bad-rate`` of the facts are deliberately invalid: they load, but violate the shapes (a
meeting or call with one participant, a tenure that ends before it starts, a statement that
says nothing); with ``--bad-apart`` they go to bad-facts.jsonl beside graph/ instead, so the
project builds and the bad facts can be added to a copy of it.

It also picks the parameters of the selective queries by rank among the valid facts, so they
are as typical at every size: the official of median activity (events taken part in or spoken
at), the country of median rank among tariff targets, the median event date, the deadline of
median date, and the middle event for a node. They are printed, returned and written to
params.json in the project.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import string
from collections import Counter
from contextlib import nullcontext
from datetime import date, timedelta
from pathlib import Path
from typing import Any

EVENT_KINDS = [("meeting", 30), ("phone-call", 18), ("visit", 8), ("talks", 8), ("statement", 16),
               ("trip", 6), ("tariff", 8), ("tenure", 4), ("deadline", 2)]
SECTORS = ["cars", "steel", "aluminium", "rice", "beef", "semiconductors", "pharmaceuticals", "lumber",
           "textiles", "solar-panels", "shipbuilding", "aircraft", "wine", "whiskey", "fish", "soybeans",
           "wheat", "copper", "batteries", "machinery", "chemicals", "furniture", "toys", "shoes", "optics",
           "rare-earths", "dairy", "fruit", "paper", "glass", "ceramics", "plastics", "rubber", "cotton",
           "coffee", "tea", "sugar", "tobacco", "services", "all-goods"]
START = date(2024, 1, 1)
DAYS = 3 * 365


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, required=True, help="facts to write (events, tariffs, tenures, ...)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bad-rate", type=float, default=0.01, help="fraction of deliberately invalid facts")
    parser.add_argument("--out", type=Path, required=True, help="the project directory to write")
    parser.add_argument("--bad-apart", action="store_true", help="write the bad facts to bad-facts.jsonl, outside graph/")
    parser.add_argument("--plover", type=int, default=0, metavar="N",
                        help="also write plover.jsonl: a PLOVER feed of N events for `tradegraph import plover`")
    args = parser.parse_args()
    made = generate(args.events, seed=args.seed, bad_rate=args.bad_rate, out=args.out, bad_apart=args.bad_apart)
    if args.plover:
        made["plover"] = plover_feed(args.plover, seed=args.seed, path=args.out / "plover.jsonl")
    print(json.dumps(made))


PLOVER_EVENTS = [(("CONSULT", None), 40), (("CONSULT", "visit"), 15), (("CONSULT", "phone"), 15),
                 (("ACCUSE", "disapprove"), 10), (("THREATEN", "restrict"), 8), (("AGREE", None), 12)]


def plover_feed(events: int, *, seed: int, path: Path) -> int:
    """Write a PLOVER JSON Lines feed of ``events`` records (the published data fields: id, date,
    actor, recipient, event, mode, context, event_loc, event_text, cite_info), written a line at a
    time; about one in eight is AGREE, which tradegraph does not map. Returns the records written."""
    rng = random.Random(seed + 7)
    countries = ["USA", "JPN", "CHN", "KOR", "DEU", "FRA", "GBR", "CAN", "MEX", "IND", "BRA", "AUS", "IDN", "VNM"]
    people = [(f"Official {i} of {c}", c) for c in countries for i in range(max(5, min(400, events // 200)))]
    kinds, weights = zip(*PLOVER_EVENTS)
    with path.open("w", encoding="utf-8") as stream:
        for i in range(events):
            event, mode = rng.choices(kinds, weights)[0]
            day = (START + timedelta(days=rng.randrange(DAYS))).isoformat()
            actor, recipient = rng.sample(people, 2)
            sides = [{"code": c, "entity_text": n} if rng.random() < 0.7 else {"code": c, "sector": "GOV"}
                     for n, c in (actor, recipient)]
            record = {"id": f"PLV-{i:08d}", "date": day, "event": [event], "actor": [sides[0]], "recipient": [sides[1]],
                      "context": ["economic"], "event_text": [f"{actor[0]} and {recipient[0]} ({event.lower()})"],
                      "cite_info": {"url": f"https://news.example.org/{day}/{i}", "title": f"Report {i}",
                                    "publication": f"Outlet {i % 40}", "coder": "bench-generate", "codebook": "plover-base"}}
            if mode:
                record["mode"] = [mode]
            if rng.random() < 0.3:
                record["event_loc"] = {"resolved_place": f"City {rng.randrange(60)}", "country_code": recipient[1]}
            stream.write(json.dumps(record) + "\n")
    return events


def generate(events: int, *, seed: int, bad_rate: float, out: Path, bad_apart: bool = False) -> dict[str, Any]:
    """Write the project; return how many records of each file, how many are bad, and ``params``
    (the selective queries' parameters, also in params.json)."""
    rng = random.Random(seed)
    bulk = out / "graph" / "bulk"
    bulk.mkdir(parents=True, exist_ok=True)
    (out / "tradegraph.yaml").write_text("base: https://w3id.org/tradegraph/id/\n", "utf-8")
    actors = _actors(rng, events)
    _write(bulk / "actors.jsonl", actors["records"])
    n_sources = max(10, events // 25)
    sources = [_source(rng, i, actors) for i in range(n_sources)]
    _write(bulk / "sources.jsonl", sources)
    bad, ranks = 0, _Ranks()
    with (bulk / "facts.jsonl").open("w", encoding="utf-8") as stream, \
            (out / "bad-facts.jsonl").open("w", encoding="utf-8") if bad_apart else nullcontext(stream) as apart:
        for record in _facts(rng, events, bad_rate, actors, sources):
            is_bad = record.pop("_bad", 0)
            bad += is_bad
            if not is_bad:
                ranks.count(record)
            (apart if is_bad else stream).write(json.dumps(record, ensure_ascii=False) + "\n")
    params = ranks.params()
    (out / "params.json").write_text(json.dumps(params, indent=2) + "\n", "utf-8")
    return {"actors": len(actors["records"]), "sources": n_sources, "facts": events, "bad": bad, "params": params}


class _Ranks:
    """What the valid facts hold, counted as they are written, to pick the parameters by rank."""

    def __init__(self) -> None:
        self.activity: Counter[str] = Counter()
        self.targets: Counter[str] = Counter()
        self.dates: list[str] = []
        self.deadlines: list[tuple[str, str]] = []
        self.events: list[str] = []

    def count(self, record: dict[str, Any]) -> None:
        for taking_part in record.get("participants", []):
            self.activity[taking_part if isinstance(taking_part, str) else taking_part["actor"]] += 1
        if "speaker" in record:
            self.activity[record["speaker"]] += 1
        if record["kind"] == "tariff":
            self.targets[record["target"]] += 1
        elif record["kind"] == "deadline":
            self.deadlines.append((record["when"], record["id"]))
        elif "when" in record:
            self.dates.append(record["when"])
            self.events.append(record["id"])

    def params(self) -> dict[str, str | None]:
        """The actor of median activity, the country of median rank as a tariff target, the median
        event date, the deadline of median date and the middle event (ties broken by id); None
        for what a tiny project lacks."""
        def middle(ranked: list[Any]) -> Any:
            return ranked[len(ranked) // 2] if ranked else None

        def median_rank(counts: Counter[str]) -> str | None:
            return middle(sorted(counts, key=lambda key: (-counts[key], key)))

        deadline = middle(sorted(self.deadlines))
        return {"actor": median_rank(self.activity), "country": median_rank(self.targets),
                "date": middle(sorted(self.dates)), "deadline": deadline[1] if deadline else None,
                "event": middle(self.events)}


def _write(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")


def _actors(rng: random.Random, events: int) -> dict:
    n_gov = 48
    n_people = max(300, min(20_000, events // 40))
    codes = ["".join(pair) for pair in itertools.product(string.ascii_uppercase, repeat=2)]
    rng.shuffle(codes)
    records: list[dict] = []
    countries, governments, ministries, posts, capitals = [], [], [], [], []
    for g in range(n_gov):
        c, gov, cap = f"c-{g:02d}", f"gov-{g:02d}", f"capital-{g:02d}"
        records.append({"kind": "country", "id": c, "name": f"Country {g}", "iso": codes[g]})
        records.append({"kind": "place", "id": cap, "name": f"Capital of Country {g}", "country": c, "within": c})
        records.append({"kind": "government", "id": gov, "name": f"Government of Country {g}", "country": c})
        countries.append(c), governments.append(gov), capitals.append(cap)
        for m in range(rng.randint(3, 6)):
            ministry = f"min-{g:02d}-{m}"
            records.append({"kind": "ministry", "id": ministry, "name": f"Ministry {m} of Country {g}",
                            "part_of": gov, "country": c})
            ministries.append(ministry)
            for k in range(rng.randint(2, 5)):
                post = f"post-{g:02d}-{m}-{k}"
                records.append({"kind": "post", "id": post, "name": f"Post {k} of ministry {m}, Country {g}",
                                "organization": ministry, "country": c})
                posts.append(post)
    people = []
    for p in range(n_people):
        person = f"p-{p}"
        records.append({"kind": "person", "id": person, "name": f"Official {p}",
                        "country": countries[p % n_gov]})
        people.append(person)
    topics = []
    for sector in SECTORS:
        records.append({"kind": "topic", "id": sector, "name": sector.replace("-", " ").title()})
        topics.append(sector)
    publishers = []
    for n in range(50):
        records.append({"kind": "organization", "id": f"news-{n}", "name": f"News outlet {n}"})
        publishers.append(f"news-{n}")
    # power-law activity: official k is chosen with weight 1/(k+1)^1.1
    weights = list(itertools.accumulate(1 / (k + 1) ** 1.1 for k in range(n_people)))
    return {"records": records, "countries": countries, "governments": governments, "capitals": capitals,
            "people": people, "posts": posts, "topics": topics, "publishers": publishers, "weights": weights}


def _day(rng: random.Random) -> date:
    return START + timedelta(days=rng.randrange(DAYS))


def _source(rng: random.Random, i: int, actors: dict) -> dict:
    return {"kind": "source", "id": f"s-{i}", "title": f"Trade news item {i}",
            "publisher": rng.choice(actors["publishers"]), "published": (_day(rng) + timedelta(days=40)).isoformat(),
            "url": f"https://news.example/{i}"}


def _facts(rng: random.Random, events: int, bad_rate: float, actors: dict, sources: list[dict]):
    kinds = [k for k, w in EVENT_KINDS for _ in range(w)]
    people, weights = actors["people"], actors["weights"]
    tariffs: dict[tuple[str, str], str] = {}
    for i in range(events):
        kind = rng.choice(kinds)
        source = sources[i * len(sources) // events]
        when = date.fromisoformat(source["published"]) - timedelta(days=rng.randint(1, 40))
        record: dict = {"kind": kind, "id": f"e-{i}", "source": source["id"],
                        "evidence": f"as reported in item {source['id']}"}
        bad = rng.random() < bad_rate
        if kind in ("meeting", "phone-call", "visit", "talks"):
            n = 1 if bad and kind in ("meeting", "phone-call") else rng.randint(2, 6)
            chosen = list(dict.fromkeys(rng.choices(people, cum_weights=weights, k=n)))
            while len(chosen) < min(n, 2):
                chosen.append(rng.choice(people))
            host = {"meeting": "host", "phone-call": "caller", "visit": "visitor", "talks": "participant"}[kind]
            record["participants"] = [{"actor": chosen[0], "role": host}, *chosen[1:]]
            record.update(when=when.isoformat(), status=rng.choice(["happened", "happened", "planned", "reported"]))
            record["topics"] = rng.sample(actors["topics"], rng.randint(1, 3))
            if kind != "phone-call":
                record["place"] = rng.choice(actors["capitals"])
                record["mode"] = "in-person"
            else:
                record["mode"] = "phone"
            bad = bad and kind in ("meeting", "phone-call")
        elif kind == "trip":
            record.update(participants=[rng.choices(people, cum_weights=weights)[0]], when=when.isoformat(),
                          destination=rng.choice(actors["capitals"]), status="happened")
            bad = False
        elif kind == "statement":
            record.update(speaker=rng.choices(people, cum_weights=weights)[0], when=when.isoformat(),
                          about=rng.sample(actors["topics"], 1))
            if not bad:
                record["quote"] = f"We will protect our {rng.choice(actors['topics'])} industry."
        elif kind == "tariff":
            imposer, target = rng.sample(range(len(actors["countries"])), 2)
            sector = rng.choice(actors["topics"])
            key = (actors["governments"][imposer], actors["countries"][target] + sector)
            record.update(imposed_by=key[0], target=actors["countries"][target], scope=[sector],
                          rate=rng.choice([10, 15, 20, 25, 30, 50]), rate_type="ad-valorem",
                          status=rng.choice(["announced", "in-force", "threatened"]),
                          effective=when.isoformat())
            if key in tariffs:
                record["replaces"] = tariffs[key]
                record["effective"] = (when + timedelta(days=60)).isoformat()
            tariffs[key] = record["id"]
            bad = False
        elif kind == "tenure":
            start = when - timedelta(days=rng.randint(100, 900))
            end = start - timedelta(days=30) if bad else when
            record.update(holder=rng.choice(people), post=rng.choice(actors["posts"]), status="former",
                          start=start.isoformat(), end=end.isoformat())
        else:  # deadline
            record.update(when=(when + timedelta(days=30)).isoformat())
            bad = False
        if bad:
            record["_bad"] = 1
        yield record


if __name__ == "__main__":
    main()
