"""Every canned query on tests/fixtures/queries, whose answers are worked out by hand.

The fixture (published 2025-03-14 and 2025-03-20): Ana (Atlantis) meets Bo (Utopia) on
03-13 (told by both sources); Ana has called Cy "since February", an open interval that the
first report's date closes to 2025-02-01..2025-03-14; a dinner of Ana and Cy on 03-10 is
retracted by a correction; Bo and Cy's meeting of 03-01 did not happen; Bo calls Ana on
03-18 and plans to visit her 03-20..03-31. Atlantis taxes Utopian fish at 10% from 01-01,
rising to 20% on 04-01 (a second version that replaces the first; the April 1 deadline is
for it), and cars at 5% with no effective date (so in force from the first report, 03-14).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tradegraph.project import Project
from tradegraph.query.run import QueryRunner

from .conftest import FIXTURES

FIRST, SECOND = "First report", "Second report"


@pytest.fixture(scope="module")
def run():
    runner = QueryRunner(Project.open(FIXTURES / "queries"))
    return runner.run


def pairs(rows):
    return [(r["date"], r["actor1"], r["actor2"], r["id"]) for r in rows]


def test_who_met_whom_leaves_out_the_retracted_and_what_did_not_happen(run) -> None:
    assert pairs(run("who-met-whom")) == [
        ("2025-02-01..2025-03-14", "Ana Example", "Cy Third", "ana-cy-call"),
        ("2025-03-13", "Ana Example", "Bo Sample", "ana-bo-meeting"),
        ("2025-03-18", "Ana Example", "Bo Sample", "bo-ana-call"),
    ]


def test_who_met_whom_shows_planned_events_only_when_asked(run) -> None:
    rows = run("who-met-whom", include_unconfirmed=True)
    assert [r["id"] for r in rows] == ["ana-cy-call", "ana-bo-meeting", "bo-ana-call", "bo-visit-planned"]
    assert rows[-1]["status"] == "planned"


def test_who_met_whom_carries_every_source_of_the_event(run) -> None:
    meeting = next(r for r in run("who-met-whom") if r["id"] == "ana-bo-meeting")
    assert meeting["sources"] == [FIRST, SECOND]
    assert (meeting["channel"], meeting["place"], meeting["status"], meeting["precision"]) == \
        ("in-person", "Capital City", "happened", "day")


def test_an_open_interval_is_closed_by_the_publication_date(run) -> None:
    # "since February" ends on 2025-03-14: before 03-14 it is not, before 03-15 it is
    assert [r["id"] for r in run("who-met-whom", before="2025-03-14")] == ["ana-bo-meeting"]
    assert [r["id"] for r in run("who-met-whom", before="2025-03-15")] == ["ana-cy-call", "ana-bo-meeting"]


def test_after_keeps_intervals_that_start_after_the_date(run) -> None:
    assert [r["id"] for r in run("who-met-whom", after="2025-03-15", include_unconfirmed=True)] == \
        ["bo-ana-call", "bo-visit-planned"]
    assert [r["id"] for r in run("who-met-whom", after="2025-03-19", include_unconfirmed=True)] == \
        ["bo-visit-planned"]


def test_include_retracted_brings_the_dinner_back(run) -> None:
    ids = [r["id"] for r in run("who-met-whom", include_retracted=True)]
    assert ids == ["ana-cy-call", "ana-cy-dinner", "ana-bo-meeting", "bo-ana-call"]


def test_who_met_whom_by_mode_and_actor(run) -> None:
    assert [r["id"] for r in run("who-met-whom", mode="phone")] == ["ana-cy-call", "bo-ana-call"]
    assert [r["id"] for r in run("who-met-whom", actor="Cy")] == ["ana-cy-call"]


def test_actor_timeline_in_date_order_with_roles(run) -> None:
    rows = run("actor-timeline", actor="cy")
    assert [(r["date"], r["role"], r["status"], r["id"]) for r in rows] == [
        ("2025-02-01..2025-03-14", "participant", "happened", "ana-cy-call"),
        ("2025-03-01", "participant", "did-not-happen", "bo-cy-missed"),
    ]
    assert rows[0]["as_written"] == "since February" and rows[0]["precision"] == "interval"


def test_actor_timeline_of_a_speaker_and_a_traveller(run) -> None:
    rows = run("actor-timeline", actor="Bo Sample")
    assert [(r["role"], r["id"]) for r in rows] == [
        ("traveller", "bo-trips"), ("participant", "bo-cy-missed"), ("participant", "ana-bo-meeting"),
        ("participant", "bo-ana-call"), ("visitor", "bo-visit-planned")]
    assert [r["role"] for r in run("actor-timeline", actor="ana") if r["id"] == "ana-statement"] == ["speaker"]


def test_post_holders_on_a_date(run) -> None:
    assert [r["holder"] for r in run("post-holders", on="2025-03-14")] == ["Ana Example"]
    assert run("post-holders", on="2025-03-13") == []  # Ana is known as minister from the report
    former = run("post-holders", on="2024-06-01")
    assert [(r["holder"], r["status"], r["start"], r["end"]) for r in former] == [
        ("Dee Fourth", "former", date(2024, 1, 1), date(2024, 12, 31))]
    assert run("post-holders", on="2025-03-14", country="utopia") == []


def test_tariff_in_force_before_and_after_the_new_version(run) -> None:
    def rates(on: str):
        return [(r["scope"], r["rate"], r["next_rate"], r["next_change"])
                for r in run("tariff-in-force", target="Utopia", on=on)]

    assert rates("2025-03-01") == [("Fish", Decimal(10), Decimal(20), date(2025, 4, 1))]
    assert rates("2025-03-31") == [("Cars", Decimal(5), None, None),
                                   ("Fish", Decimal(10), Decimal(20), date(2025, 4, 1))]
    assert rates("2025-04-01") == [("Cars", Decimal(5), None, None), ("Fish", Decimal(20), None, None)]
    assert [r["status"] for r in run("tariff-in-force", target="utopia", on="2025-04-01", sector="fish")] == \
        ["announced"]
    assert run("tariff-in-force", target="atlantis", on="2025-04-01") == []  # no measure affects Atlantis


def test_a_sector_includes_its_narrower_topics(run) -> None:
    rows = run("tariff-in-force", on="2025-04-01", sector="tariffs")  # fish is narrower than tariffs
    assert [r["scope"] for r in rows] == ["Fish"]


def test_tariff_in_force_before_anything_is_known_says_so(run) -> None:
    """Before the earliest date the sources give for any measure on the country, one row says so."""
    [row] = run("tariff-in-force", target="utopia", on="2024-12-31")
    assert (row["status"], row["known_from"], row["id"], row["rate"], row["sources"]) == \
        ("nothing-known-yet", date(2025, 1, 1), None, None, [FIRST])  # the fish tariff's effective date
    assert row["measure"] == ("nothing is known yet of a trade measure on Utopia by 2024-12-31: "
                              "the earliest date the sources give is 2025-01-01")
    assert [r["status"] for r in run("tariff-in-force", target="utopia", on="2025-01-01")] == ["in-force"]
    # in the sector of cars, first reported on 03-14 with no earlier date
    [cars] = run("tariff-in-force", target="utopia", on="2025-03-13", sector="cars")
    assert (cars["status"], cars["known_from"]) == ("nothing-known-yet", date(2025, 3, 14))


def test_measure_history_in_order(run) -> None:
    rows = run("measure-history", target="utopia")
    assert [(r["date"], r["change"], r["measure"]) for r in rows] == [
        ("2025-01-01", "takes effect", "Fish tariff, 10%"),
        ("2025-03-14", "reported in-force", "Car tariff, 5%"),
        ("2025-03-14", "reported in-force", "Fish tariff, 10%"),
        ("2025-03-14", "reported announced", "Fish tariff, 20%"),
        ("2025-04-01", "deadline", "Fish tariff, 20%"),
        ("2025-04-01", "takes effect", "Fish tariff, 20%"),
    ]
    assert rows[-1]["replaces"] == "Fish tariff, 10%" and rows[-2]["detail"] == "April 1 deadline"


def test_meeting_topics(run) -> None:
    rows = run("meeting-topics", actor="bo")
    assert [(r["topic"], r["discussed"], r["participants"]) for r in rows] == [
        ("Fish", "discussed", ["Ana Example", "Bo Sample"]),
        ("Tariffs", "not discussed", ["Ana Example", "Bo Sample"])]
    assert run("meeting-topics", event="Ana calls Cy") == []


def test_statements(run) -> None:
    rows = run("statements", topic="fish")
    assert rows == []
    [row] = run("statements", topic="tariffs")
    # Utopia is the statement's target (whom it is aimed at), not an addressee
    assert (row["speaker"], row["quotes"], row["to"], row["targets"], row["about"], row["sources"]) == \
        ("Ana Example", ["We will not bow"], [], ["Utopia"], ["Tariffs"], [FIRST])
    assert (row["status"], row["attribution"], row["record"]) == (None, None, "curated")


def test_sources_of_a_fact_told_by_two_sources(run) -> None:
    rows = run("sources-of", node="ana-bo-meeting")
    assert [(r["source"], r["published"], r["evidence"]) for r in rows] == [
        (FIRST, date(2025, 3, 14), "Ana hosted Bo on Thursday; tariffs were not discussed."),
        (SECOND, date(2025, 3, 20), "Bo met Ana in the capital on March 13."),
    ]
    assert rows[0]["source_corrections"] == ["(Corrects to remove the dinner of Ana and Cy, which did not take place.)"]


def test_retracted_names_the_correction_and_its_source(run) -> None:
    [row] = run("retracted")
    assert (row["id"], row["kind"], row["corrected_in"], row["corrected_on"], row["removes"]) == \
        ("ana-cy-dinner", "Meeting", FIRST, date(2025, 3, 14), "The dinner of Ana and Cy.")
    assert [r["retracted_by"] for r in run("sources-of", node="ana-cy-dinner")] == [
        "(Corrects to remove the dinner of Ana and Cy, which did not take place.)"]


def test_upcoming_deadlines(run) -> None:
    [row] = run("upcoming-deadlines", as_of="2025-03-15")
    assert (row["date"], row["what_id"], row["old_rate"], row["new_rate"], row["status"]) == \
        (date(2025, 4, 1), "fish-tariff-20", Decimal(10), Decimal(20), "announced")
    assert run("upcoming-deadlines", as_of="2025-04-01") == []


def test_events_before_deadline(run) -> None:
    assert [r["id"] for r in run("events-before-deadline", deadline="april-deadline", days=14)] == \
        ["bo-ana-call", "bo-visit-planned"]
    assert [r["id"] for r in run("events-before-deadline", days="30")] == \
        ["ana-bo-meeting", "ana-statement", "bo-ana-call", "bo-visit-planned"]


def test_negotiators_by_country(run) -> None:
    rows = run("negotiators", country="Utopia")
    assert [(r["official"], r["events"], r["counterparts"], r["first"], r["last"]) for r in rows] == [
        ("Bo Sample", 2, ["Ana Example"], date(2025, 3, 13), date(2025, 3, 18)),
        ("Cy Third", 1, ["Ana Example"], date(2025, 2, 1), date(2025, 3, 14)),
    ]
    [ana] = run("negotiators", country="atlantis")
    assert (ana["events"], ana["posts"], ana["counterparts"]) == \
        (3, ["Trade Minister of Atlantis"], ["Bo Sample", "Cy Third"])
    # Bo's planned visit is not an encounter yet; include-unconfirmed counts it
    [bo, _] = run("negotiators", country="Utopia", include_unconfirmed=True)
    assert (bo["events"], bo["last"]) == (3, date(2025, 3, 31))


def test_travel(run) -> None:
    rows = run("travel", actor="bo")
    assert [(r["kind"], r["date"], r["destination"], r["trips"], r["distance_miles"]) for r in rows] == [
        ("tally", "2025-01-01..2025-03-14", "Capital City", 3, Decimal(1200)),
        ("visit", "2025-03-20..2025-03-31", "Capital City", None, None),
    ]
    assert run("travel", actor="ana") == []  # a host does not travel


def test_claims_search_contacts_and_sources(run) -> None:
    assert [r["id"] for r in run("claims", about="ana")] == ["ana-hard-line"]
    assert [(r["id"], r["field"]) for r in run("search", text="BOW")] == \
        [("ana-statement", "evidence"), ("ana-statement", "label"), ("ana-statement", "quote")]
    assert [(r["actor1"], r["actor2"], r["events"], r["channels"]) for r in run("contact-counts")] == [
        ("Ana Example", "Bo Sample", 2, ["in-person", "phone"]), ("Ana Example", "Cy Third", 1, ["phone"])]
    assert [(r["title"], r["facts"], r["retracted_facts"]) for r in run("sources")] == [
        (FIRST, 14, 1), (SECOND, 2, 0)]
