"""The actor network and the queries contact-counts and negotiators count the same encounters.

The rule is declared once, in the ``network:`` block of ``src/tradegraph/facts/model.yaml``;
the network reads it, the two queries spell it in SPARQL. These tests hold the three to it:
the same pairs and weights on the bundled graph and on a generated one (``bench/generate.py``,
with parts, unconfirmed and retracted events, letters and organizations added), with and
without the flags; the queries name the classes, properties and statuses the declaration
does; and the bundled figures are the ones the two articles give.
"""

from __future__ import annotations

import importlib.util
import json
import random
import re
from itertools import product
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from tradegraph.build.derive import CLOSURES
from tradegraph.facts.loader import load_facts
from tradegraph.facts.model import load_model
from tradegraph.network.drawing import SHAPES
from tradegraph.network.graph import NetworkFilter, actor_network
from tradegraph.project import Project
from tradegraph.query.run import QueryRunner

from .conftest import REPO

pytestmark = pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")

FLAGS = [dict(zip(("include_unconfirmed", "include_retracted"), values, strict=True))
         for values in product((False, True), repeat=2)]

Pairs = dict[frozenset[str], int]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A small synthetic project (bench/generate.py), with the cases the rule has to get right."""
    spec = importlib.util.spec_from_file_location("generate", REPO / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    out = tmp_path_factory.mktemp("generated")
    generate.generate(100, seed=5, bad_rate=0.0, out=out)
    add_encounter_cases(out / "graph" / "bulk")
    return Project.open(out)


@pytest.fixture(scope="module")
def projects(generated: Project) -> dict[str, Project]:
    return {"bundled": Project.open(REPO), "generated": generated}


@pytest.fixture(scope="module")
def runners(projects: dict[str, Project]) -> dict[str, QueryRunner]:
    return {name: QueryRunner(project) for name, project in projects.items()}


@pytest.fixture(scope="module")
def facts(projects: dict[str, Project]) -> dict[str, Any]:
    return {name: load_facts(project) for name, project in projects.items()}


def network_pairs(graph: nx.Graph) -> Pairs:
    """Each edge as the labels of its two actors, and its weight."""
    return {frozenset((graph.nodes[u]["label"], graph.nodes[v]["label"])): w
            for u, v, w in graph.edges(data="weight")}


def query_pairs(rows: list[dict[str, Any]]) -> Pairs:
    return {frozenset((r["actor1"], r["actor2"])): r["events"] for r in rows}


def foreign_encounters(graph: nx.Graph) -> dict[str, int]:
    """For each person with a country, the encounters on its links to actors of other countries."""
    found: dict[str, set[str]] = {}
    for node, data in graph.nodes(data=True):
        if data["kind"] != "person" or not data["country"]:
            continue
        for other in graph.neighbors(node):
            if graph.nodes[other]["country"] not in ("", data["country"]):
                found.setdefault(data["label"], set()).update(graph.edges[node, other]["events"])
    return {label: len(events) for label, events in found.items()}


@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: "+".join(k for k, v in f.items() if v) or "default")
@pytest.mark.parametrize("name", ["bundled", "generated"])
def test_network_and_contact_counts_have_the_same_pairs_and_weights(
        name: str, flags: dict[str, bool], facts: dict[str, Any], runners: dict[str, QueryRunner]) -> None:
    network = network_pairs(actor_network(facts[name], NetworkFilter(**flags)))
    query = query_pairs(runners[name].run("contact-counts", **flags))
    assert network == query
    assert len(network) >= 5


@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: "+".join(k for k, v in f.items() if v) or "default")
@pytest.mark.parametrize("name", ["bundled", "generated"])
def test_negotiators_count_the_encounters_of_the_network(
        name: str, flags: dict[str, bool], facts: dict[str, Any], runners: dict[str, QueryRunner]) -> None:
    expected = foreign_encounters(actor_network(facts[name], NetworkFilter(**flags)))
    rows = runners[name].run("negotiators", **flags)
    assert {r["official"]: r["events"] for r in rows} == expected


def test_the_generated_cases_are_decided_by_the_rule(facts: dict[str, Any]) -> None:
    """The cases added to the generated graph change the answer: each flag changes the weights,
    and parts hide the events they are part of (fewer encounters than shared events)."""
    graphs = [actor_network(facts["generated"], NetworkFilter(**flags)) for flags in FLAGS]
    assert len({tuple(sorted((tuple(sorted(k)), v) for k, v in network_pairs(g).items())) for g in graphs}) == 4
    with_parts = [(u, v) for u, v, events in graphs[0].edges(data="events")
              if any(graphs[0].graph["events"][e]["part_of"] for e in events)]
    assert len(with_parts) >= 10


# ---------------------------------------------------------------------- the bundled figures

def test_bundled_figures_match_the_articles(facts: dict[str, Any], runners: dict[str, QueryRunner]) -> None:
    graph = actor_network(facts["bundled"])
    # "two of his three conversations with Lutnick happened on the phone": three, the round of
    # talks they were part of is not a fourth
    lutnick = graph.edges["akazawa", "lutnick"]
    assert lutnick["weight"] == 3
    assert lutnick["events"] == ["akazawa-lutnick-call-1", "akazawa-lutnick-call-2", "akazawa-lutnick-conversation-3"]
    assert lutnick["within"] == ["akazawa-latest-round-washington"]
    # Bessent's Expo visit, the talks during it and the tour during those: one encounter; the
    # earlier article's uncertain "possible meeting" is not one
    bessent = graph.edges["akazawa", "bessent"]
    assert (bessent["weight"], bessent["events"]) == (1, ["akazawa-bessent-us-pavilion-tour"])
    assert bessent["within"] == ["akazawa-bessent-expo-talks-2025-07-19", "bessent-expo-visit-2025-07-19"]
    # a letter links its sender and addressee, in the network and in the query alike
    assert graph.edges["trump", "japan-government"]["events"] == ["trump-tariff-letter-to-japan"]
    rows = {(r["actor1"], r["actor2"]): r["events"] for r in runners["bundled"].run("contact-counts")}
    assert rows == {("Ryosei Akazawa", "Howard Lutnick"): 3, ("Ryosei Akazawa", "Scott Bessent"): 1,
                    ("Government of Japan", "Donald Trump"): 1, ("He Lifeng", "Hiroshi Moriyama"): 1,
                    ("He Lifeng", "United States government"): 1, ("Scott Bessent", "Ishiba"): 1}
    negotiators = {r["official"]: r["events"] for r in runners["bundled"].run("negotiators")}
    assert negotiators == {"Ryosei Akazawa": 4, "Howard Lutnick": 3, "Scott Bessent": 2, "Ishiba": 1,
                           "He Lifeng": 2, "Hiroshi Moriyama": 1, "Donald Trump": 1}


def test_include_unconfirmed_counts_the_possible_meeting(facts: dict[str, Any],
                                                          runners: dict[str, QueryRunner]) -> None:
    graph = actor_network(facts["bundled"], NetworkFilter(include_unconfirmed=True))
    assert graph.edges["akazawa", "bessent"]["events"] == \
        ["akazawa-bessent-meeting-prospect", "akazawa-bessent-us-pavilion-tour"]
    assert graph.graph["filter"] == "all dates, unconfirmed events included"
    [row] = runners["bundled"].run("contact-counts", actor="bessent", include_unconfirmed=True)[:1]
    assert (row["actor1"], row["actor2"], row["events"]) == ("Ryosei Akazawa", "Scott Bessent", 2)


def test_include_retracted_brings_back_the_retracted_visit(facts: dict[str, Any]) -> None:
    graph = actor_network(facts["bundled"], NetworkFilter(include_retracted=True, include_unconfirmed=True))
    assert "lutnick-expo-visit-retracted" in graph.graph["events"]
    assert "lutnick-expo-visit-retracted" not in actor_network(facts["bundled"]).graph["events"]


def test_cli_options_and_query_parameters_share_names(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("network", "--project", str(REPO), "--include-unconfirmed", "--format", "json")
    assert run.code == 0, run.err
    run = cli("query", "contact-counts", "--help")
    assert "--include-unconfirmed" in run.out and "--include-retracted" in run.out
    for command in ("network", "viz", "export"):
        run = cli(command, "--help")
        assert "--include-unconfirmed" in run.out and "--include-retracted" in run.out, command


# ---------------------------------------------------------------------- the queries' text

def test_the_queries_spell_the_declared_rule() -> None:
    """A query cannot read model.yaml: its text names the same classes, properties and statuses."""
    model = load_model()
    network = model.network

    def curie(kind: str) -> str:
        return model.kinds[kind].rdf_class or ""

    linking = {curie(k) for rule in network.links for k in rule.kinds}
    members = {model.kinds[k].fields[f].property for rule in network.links for k in rule.kinds for f in rule.fields}
    actors = {curie(k) for k in network.default_actors}
    status = {token: curie_ for token, curie_ in model.vocabularies["event-status"].items()}
    counted = {status[s] for s in network.statuses if s != "unstated"}
    unconfirmed = {status[s] for s in network.unconfirmed}
    for name in ("contact-counts", "negotiators"):
        text = (REPO / "queries" / f"{name}.rq").read_text("utf-8")
        # the linking classes, as FILTERs (a VALUES block is where Oxigraph starts: every event)
        blocks = re.findall(r"FILTER\(\?(?:class|partClass) IN \(([^)]*)\)\)", text)
        assert len(blocks) == 2 and all(set(b.split(", ")) == linking for b in blocks), name
        assert not re.search(r"^\s*VALUES", text, re.MULTILINE), name
        paths = {p for p in re.findall(r"\s((?:tg:\w+\|)+tg:\w+) \?", text) if "tg:participant" in p}
        assert {frozenset(path.split("|")) for path in paths} == {frozenset(members)}, name
        assert text.count(f"IN ({', '.join(sorted(counted, key=_order))})") == 2, name
        assert text.count(f"IN ({', '.join(sorted(unconfirmed, key=_order))}))") == 2, name
        assert "!BOUND(?statusIri)" in text and "!BOUND(?partStatus)" in text, name   # "unstated"
        # an event's parts at any depth: the closure of the part-of property, derived at build time
        within = next(derived for derived, closed in CLOSURES if str(closed) == model.expand(network.part_of))
        assert f"?part tg:{str(within).split('#')[1]} ?e" in text, name
        kinds = re.findall(r"\?(?:actor|other)Class IN \(([^)]*)\)", text)
        tested = {c for block in kinds for c in block.split(", ")} | ({"tg:Person"} if name == "negotiators" else set())
        assert tested == actors, name


def test_every_declared_kind_of_actor_has_a_shape_and_a_label() -> None:
    """The drawing's shapes (one per output format) are the one per-kind table besides the
    declaration; the page's legend takes its labels from the declaration."""
    actors = load_model().network.actors
    assert set(SHAPES) == set(actors) and all(actors.values())


def _order(curie: str) -> int:
    return list(load_model().vocabularies["event-status"].values()).index(curie)


# ---------------------------------------------------------------------- the generated cases

def add_encounter_cases(bulk: Path, seed: int = 5) -> None:
    """Add to a generated project what bench/generate.py does not make: events that are parts
    of others (one and two levels down; linking the same pair or another), parts that are
    uncertain, retracted or did not happen, wholes that are only planned, letters (with and
    without a status, to a person, a government or a country), trips, ceremonies and occasions
    with several participants, an organization taking part, and a tally."""
    rng = random.Random(seed)
    facts = [json.loads(line) for line in (bulk / "facts.jsonl").read_text("utf-8").splitlines()]
    actors = [json.loads(line) for line in (bulk / "actors.jsonl").read_text("utf-8").splitlines()]
    governments = [a["id"] for a in actors if a["kind"] == "government"]
    people = [a["id"] for a in actors if a["kind"] == "person"][:60]
    wholes = [f for f in facts if f["kind"] in ("meeting", "visit", "talks") and len(f["participants"]) >= 3]
    records: list[dict[str, Any]] = []
    serial = iter(range(10**6))

    def add(kind: str, whole: dict[str, Any] | None, members: list[str], status: str | None = "happened",
            **fields: Any) -> dict[str, Any]:
        source = whole["source"] if whole else "s-0"
        record = {"kind": kind, "id": f"x-{next(serial)}", "source": source, "evidence": f"as told in {source}",
                  "when": whole["when"] if whole else "2024-06-01", **fields}
        if status is not None:
            record["status"] = status
        if members:
            record["participants"] = members
        if whole is not None:
            record["part_of"] = whole["id"]
        records.append(record)
        return record

    records.append({"kind": "correction", "id": "x-correction", "source": "s-0",
                    "text": "(Corrects to remove a call that did not take place.)"})
    for number, whole in enumerate(wholes):
        a, b, c = (p if isinstance(p, str) else p["actor"] for p in whole["participants"][:3])
        case = number % 8
        if case == 0:     # two calls in a round: two encounters, the round none
            add("phone-call", whole, [a, b], mode="phone")
            add("phone-call", whole, [a, b], mode="phone")
        elif case == 1:   # a meeting during a visit during the event: one, at any depth
            visit = add("visit", whole, [a, b])
            add("meeting", visit, [a, b])
        elif case == 2:   # uncertain parts: count (and hide the event) with include-unconfirmed
            add("meeting", whole, [a, b], status="uncertain")
            add("meeting", whole, [a, b], status="uncertain")
        elif case == 3:   # retracted parts: count with include-retracted
            add("phone-call", whole, [a, b], mode="phone", retracted_by="x-correction")
            add("phone-call", whole, [a, b], mode="phone", retracted_by="x-correction")
        elif case == 4:   # a part that did not happen never counts
            add("meeting", whole, [a, b], status="did-not-happen")
        elif case == 5:   # a part with someone else: hides the event only for that pair
            add("meeting", whole, [a, rng.choice(people)])
            add("meeting", whole, [b, c])
        elif case == 6:   # a planned event with a part that happened
            whole["status"] = "planned"
            add("phone-call", whole, [a, c], mode="phone")
        else:             # a part of a part that links another pair
            talks = add("talks", whole, [a, b, c])
            add("phone-call", talks, [b, c], mode="phone")
    for number in range(12):
        a, b = rng.sample(people, 2)
        add("letter", None, [], status="happened" if number % 2 else None, speaker=a, summary="Lower your tariffs.",
            addressee=[b, governments[number], "c-01"][number % 3])
        add("trip", None, [a, b], destination="capital-01")
        add(["ceremony", "occasion"][number % 2], None, [a, b, "news-1"])
    add("tally", None, people[:2], status=None, counts="phone-call", count=4)
    (bulk / "facts.jsonl").write_text("".join(json.dumps(f) + "\n" for f in facts), "utf-8")
    (bulk / "encounters.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")

