"""The canned queries on the bundled facts: answers known from the two articles."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tradegraph.project import Project
from tradegraph.query.run import QueryRunner

from .conftest import REPO

pytestmark = pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")

JULY_11 = "Japan’s Akazawa Faces Optics Risk as Bessent Visits"
JULY_19 = "Japan's Akazawa aims to visit US next week for more trade talks"


@pytest.fixture(scope="module")
def run():
    return QueryRunner(Project.open(REPO)).run


def test_who_met_whom_before_the_deadline_lists_the_meetings_of_both_articles(run) -> None:
    rows = run("who-met-whom", before="2025-08-01")
    found = {(r["actor1"], r["actor2"], r["id"]): r for r in rows}
    # the Jul 19 article: Bessent met the prime minister on Friday, Akazawa hosted him on Saturday
    assert ("Scott Bessent", "Ishiba", "bessent-ishiba-meeting-2025-07-18") in found
    talks = found[("Ryosei Akazawa", "Scott Bessent", "akazawa-bessent-expo-talks-2025-07-19")]
    assert (talks["date"], talks["channel"], talks["sources"]) == ("2025-07-19", "in-person", [JULY_19])
    # the Jul 11 article: He Lifeng met Moriyama in Osaka, Akazawa's phone calls with Lutnick
    assert ("He Lifeng", "Hiroshi Moriyama", "he-lifeng-moriyama-meeting") in found
    call = found[("Ryosei Akazawa", "Howard Lutnick", "akazawa-lutnick-call-1")]
    assert (call["date"], call["precision"], call["sources"]) == ("2025-04-01..2025-07-11", "interval", [JULY_11])
    # the earlier article's announced visit is a planned one of its own
    assert ("Ryosei Akazawa", "Scott Bessent", "bessent-expo-visit-2025-07-19") in found
    # the talks Akazawa missed did not happen; the retracted Lutnick visit is left out
    ids = {r["id"] for r in rows}
    assert "akazawa-bessent-missed-talks" not in ids and "lutnick-expo-visit-retracted" not in ids
    assert all(r["sources"] for r in rows)


def test_who_met_whom_by_phone(run) -> None:
    rows = run("who-met-whom", mode="phone")
    assert {(r["actor1"], r["actor2"]) for r in rows} == {("Ryosei Akazawa", "Howard Lutnick")}
    assert len(rows) == 2  # two of his three conversations with Lutnick happened on the phone


def test_tariff_on_japanese_goods_before_and_after_august_1(run) -> None:
    def rates(on: str) -> dict[str, Decimal]:
        return {r["scope"]: r["rate"] for r in run("tariff-in-force", target="Japan", on=on)}

    assert rates("2025-07-31") == {"All goods (across-the-board)": 10, "Cars": 25, "Car parts": 25}
    assert rates("2025-08-01") == {"All goods (across-the-board)": 25, "Cars": 25, "Car parts": 25}
    [universal] = [r for r in run("tariff-in-force", target="japan", on="2025-07-31")
                   if r["scope"].startswith("All goods")]
    assert (universal["next_rate"], universal["next_change"]) == (Decimal(25), date(2025, 8, 1))
    cars = next(r for r in run("tariff-in-force", target="japan", on="2025-07-31") if r["scope"] == "Cars")
    assert cars["sources"] == [JULY_19, JULY_11]


def test_measure_history_has_the_letter_and_the_deadline(run) -> None:
    rows = run("measure-history", target="japan")
    changes = [(r["date"], r["change"]) for r in rows]
    assert ("2025-07-07..2025-07-11", "tariff-threat") in changes  # Trump's letter "this week"
    assert ("2025-08-01", "deadline") in changes and ("2025-08-01", "takes effect") in changes
    assert changes == sorted(changes, key=lambda c: c[0])


def test_akazawa_timeline(run) -> None:
    rows = run("actor-timeline", actor="Akazawa")
    tally = next(r for r in rows if r["id"] == "akazawa-washington-trips-since-april")
    assert (tally["date"], tally["as_written"], tally["role"]) == ("2025-04-01..2025-07-11", "Since April", "traveller")
    trip = next(r for r in rows if r["id"] == "akazawa-washington-trip-planned")
    assert (trip["date"], trip["precision"], trip["status"]) == ("2025-07-21..2025-07-27", "week", "planned")


def test_post_holders_in_japan(run) -> None:
    rows = run("post-holders", on="2025-07-19", country="japan")
    holders = {(r["holder"], r["post"]) for r in rows}
    assert ("Ryosei Akazawa", "Japan's top trade negotiator") in holders
    assert ("Ishiba", "Prime Minister of Japan") in holders
    assert all(r["post_country"] == "Japan" for r in rows)
    assert "Yoshihiro Katayama" not in {r["holder"] for r in rows}  # a former minister, no dates


def test_meeting_topics_of_the_expo_talks(run) -> None:
    rows = run("meeting-topics", event="akazawa-bessent-expo-talks-2025-07-19")
    assert {(r["topic"], r["discussed"]) for r in rows} == {
        ("The U.S.-Japan alliance", "discussed"), ("Whiskey (Bessent's love of it)", "discussed"),
        ("Tariffs", "not discussed")}


def test_statements_of_bessent(run) -> None:
    rows = run("statements", actor="bessent")
    quotes = [q for r in rows for q in r["quotes"]]
    assert "Japan is America’s most important ally in the Indo-Pacific region" in quotes
    assert {r["medium"] for r in rows} >= {"X"}


def test_sources_of_and_retracted(run) -> None:
    rows = run("sources-of", node="us-car-tariff-25")  # told by one article, cited by the other
    assert {r["source"] for r in rows} == {JULY_11, JULY_19}
    [retracted] = run("retracted")
    assert (retracted["id"], retracted["corrected_in"]) == ("lutnick-expo-visit-retracted", JULY_11)
    assert "Lutnick" in retracted["correction"]


def test_upcoming_deadlines_and_events_before_it(run) -> None:
    [deadline] = run("upcoming-deadlines", as_of="2025-07-15")
    assert (deadline["date"], deadline["old_rate"], deadline["new_rate"]) == (date(2025, 8, 1), 10, 25)
    ids = {r["id"] for r in run("events-before-deadline", deadline="Aug. 1 deadline", days=14)}
    assert {"akazawa-bessent-expo-talks-2025-07-19", "japan-upper-house-election-2025",
            "akazawa-washington-trip-planned"} <= ids
    assert "trump-tariff-letter-to-japan" not in ids  # 7-11 July is more than 14 days before


def test_negotiators_and_travel(run) -> None:
    japan = {r["official"]: r for r in run("negotiators", country="japan")}
    assert japan["Ryosei Akazawa"]["posts"] == ["Japan's top trade negotiator"]
    assert {"Scott Bessent", "Howard Lutnick"} <= set(japan["Ryosei Akazawa"]["counterparts"])
    [tally] = [r for r in run("travel", actor="akazawa") if r["kind"] == "tally"]
    assert (tally["trips"], tally["distance_miles"], tally["destination"]) == (7, Decimal(94780), "Washington")


def test_hedges_reach_the_answers(run) -> None:
    """A reported event keeps its status and whose account it is, in every query that lists it."""
    visit = "he-lifeng-osaka-visit"  # "is reportedly visiting Osaka"
    for name, params in (("actor-timeline", {"actor": "he-lifeng"}), ("travel", {"actor": "he-lifeng"}),
                         ("events-before-deadline", {"deadline": "Aug. 1 deadline"})):
        [row] = [r for r in run(name, **params) if r["id"] == visit]
        assert (row["status"], row["attribution"], row["record"]) == ("reported", "reportedly", "curated"), name
    [meeting] = [r for r in run("who-met-whom") if r["id"] == "he-lifeng-moriyama-meeting"]
    assert (meeting["status"], meeting["attribution"]) == ("happened", "according to local media")
    [pair] = [r for r in run("contact-counts", actor="moriyama")]
    assert (pair["statuses"], pair["attributions"], pair["records"]) == (
        ["happened"], ["according to local media"], ["curated"])
    [topic] = run("meeting-topics", event="he-lifeng-moriyama-meeting")
    assert topic["attribution"] == "according to local media"
    [claim] = [r for r in run("claims") if r["id"] == "ruling-coalition-may-lose-majority"]
    assert claim["attribution"] == "voter surveys"
    assert {(r["status"], r["attribution"]) for r in run("sources-of", node=visit)} == {("reported", "reportedly")}
    assert [(r["status"], r["attribution"]) for r in run("search", text="reportedly visiting")] == [
        ("reported", "reportedly")]


def test_statements_keep_whom_they_address_apart_from_whom_they_target(run) -> None:
    rows = {r["id"]: r for r in run("statements")}
    letter = rows["trump-tariff-letter-to-japan"]
    assert (letter["to"], letter["targets"], letter["status"]) == (["Government of Japan"], [], "happened")
    aimed = [r for r in rows.values() if r["targets"]]
    assert aimed and all(not r["to"] for r in aimed)
    assert {"Japan", "Donald Trump"} <= {t for r in aimed for t in r["targets"]}
