"""Measures as a trade database records them: a state act holding several measures, their
instrument, MAST chapter, HS and CPC codes and implemented dates, and agreements with their terms.

The project is tests/fixtures/queries with one more source, written here: Utopia's announcement
of 2025-05-02 (a state act) holds an import tariff on Atlantian cars of 15% from 06-01 (in fact
implemented on 06-09) and an export tax; Atlantis and Utopia announce on 05-20 a deal whose
terms are that tariff and a pledge of 5 billion USD.
"""

from __future__ import annotations

import shutil
import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from tradegraph.build.pipeline import check
from tradegraph.errors import InvalidData
from tradegraph.facts.loader import load_facts
from tradegraph.facts.model import load_model
from tradegraph.project import Project
from tradegraph.query.run import QueryRunner
from tradegraph.rdf.namespaces import TG

from .conftest import FIXTURES

STATE_ACT = textwrap.dedent("""\
    source:
      id: third-report
      title: Third report
      publisher: utopia-government
      published: 2025-06-10

    facts:
      - id: utopia-trade-package
        kind: announcement
        label: Utopia's trade package
        speaker: utopia-government
        announces: [utopia-car-tariff-15, utopia-scrap-export-ban]
        summary: Utopia taxes cars from Atlantis and scrap exports to it.
        when: 2025-05-02
        evidence: Utopia announced a trade package on May 2.

      - id: utopia-car-tariff-15
        kind: tariff
        label: Utopian tariff on Atlantian cars, 15%
        imposed_by: utopia-government
        target: [atlantis]
        rate: 15
        scope: [cars]
        instrument: import-tariff
        mast_chapter: tariff
        hs_codes: ["8703", "870323", "8703.24", "87"]
        cpc_sectors: ["491"]
        authority: Customs Act, section 9
        announced: 2025-05-02
        effective: 2025-06-01
        implemented: 2025-06-09
        status: in-force
        announced_in: utopia-trade-package
        evidence: a 15% tariff on cars from June 1, applied from June 9

      - id: utopia-scrap-export-ban
        kind: tariff
        label: Utopian export tax on scrap to Atlantis, 100%
        imposed_by: utopia-government
        target: [atlantis]
        rate: 100
        scope: [tariffs]
        instrument: export-tax
        mast_chapter: P
        status: announced
        evidence: and a 100% tax on scrap exports to Atlantis

      - id: atlantis-utopia-deal
        kind: agreement
        label: Atlantis-Utopia car deal
        parties: [atlantis, utopia]
        announced: 2025-05-20
        status: announced
        terms: [utopia-car-tariff-15, atlantis-pledge]
        summary: Utopia caps its car tariff at 15%; Atlantis invests 5 billion dollars.
        evidence: Atlantis and Utopia agreed a 15% tariff on May 20.

      - id: atlantis-pledge
        kind: pledge
        pledged_by: atlantis
        invested_in: utopia
        amount: 5000000000
        currency: USD
        announced: 2025-05-20
        evidence: Atlantis will invest $5 billion in Utopia.
    """)


def _project(folder: Path, text: str) -> Project:
    shutil.copytree(FIXTURES / "queries", folder)
    (folder / "graph" / "sources" / "third-report.yaml").write_text(text, encoding="utf-8")
    return Project.open(folder)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return _project(tmp_path_factory.mktemp("measures") / "project", STATE_ACT)


@pytest.fixture(scope="module")
def run(project: Project):
    return QueryRunner(project).run


def test_the_new_kinds_and_fields_load_and_conform(project: Project) -> None:
    checked = check(project)
    assert checked.report.conforms and not checked.report.violations
    graph = checked.facts.dataset
    node = URIRef(project.base + "utopia-car-tariff-15")
    assert (node, TG.instrument, TG.ImportTariffInstrument) in graph
    assert (node, TG.mastChapter, TG.MastTariff) in graph
    assert {str(o) for o in graph.objects(node, TG.hsCode)} == {"8703", "870323", "8703.24", "87"}
    assert (node, TG.cpcSector, Literal("491")) in graph
    assert graph.value(node, TG.implemented) is not None
    deal = URIRef(project.base + "atlantis-utopia-deal")
    assert set(graph.objects(deal, TG["term"]))  # TG.term is a method == {node, URIRef(project.base + "atlantis-pledge")}
    assert set(graph.objects(deal, TG.party)) == {URIRef(project.base + "atlantis"), URIRef(project.base + "utopia")}
    assert (deal, TG.measureStatus, TG.AnnouncedStatus) in graph
    pledge = URIRef(project.base + "atlantis-pledge")
    assert graph.value(pledge, TG.amount).toPython() == Decimal(5000000000)  # type: ignore[union-attr]
    act = URIRef(project.base + "utopia-trade-package")
    assert len(set(graph.objects(act, TG.announces))) == 2  # one state act, two measures


@pytest.mark.parametrize("code", ["870", "87031", "8703.2", "8703.231", "87032300", "HS8703", ""])
def test_a_bad_hs_code_is_rejected_with_its_file_and_line(tmp_path: Path, code: str) -> None:
    good = '    hs_codes: ["8703", "870323", "8703.24", "87"]'
    line = STATE_ACT.splitlines().index(good) + 1
    text = STATE_ACT.replace(good, f'    hs_codes: ["{code}"]')
    project = _project(tmp_path / "project", text)
    with pytest.raises(InvalidData) as caught:
        load_facts(project)
    message = str(caught.value)
    assert f"graph/sources/third-report.yaml:{line}" in message and "hs_codes" in message, message


@pytest.mark.parametrize(("field", "good", "bad"), [
    ("cpc_sectors", 'cpc_sectors: ["491"]', 'cpc_sectors: ["49a"]'),
    ("mast_chapter", "mast_chapter: tariff", "mast_chapter: Q"),
    ("instrument", "instrument: import-tariff", "instrument: import-tarif"),
])
def test_a_bad_code_or_token_is_rejected_with_its_file_and_line(tmp_path: Path, field: str, good: str,
                                                                bad: str) -> None:
    line = STATE_ACT.splitlines().index("    " + good) + 1
    project = _project(tmp_path / "project", STATE_ACT.replace(good, bad))
    with pytest.raises(InvalidData) as caught:
        load_facts(project)
    assert f"graph/sources/third-report.yaml:{line}" in str(caught.value) and field in str(caught.value)


def test_a_pledge_needs_a_currency_code(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", STATE_ACT.replace("currency: USD", "currency: dollars"))
    with pytest.raises(InvalidData, match="currency"):
        load_facts(project)


def test_implemented_overrides_effective_in_tariff_in_force(run) -> None:
    def cars(on: str) -> list[tuple[object, ...]]:
        return [(r["rate"], r["effective"], r["implemented"], r["agreement"])
                for r in run("tariff-in-force", target="atlantis", on=on) if r["scope"] == "Cars"]

    assert cars("2025-06-08") == []  # scheduled for 06-01, in fact applied from 06-09
    assert cars("2025-06-09") == [(Decimal(15), date(2025, 6, 1), date(2025, 6, 9), "Atlantis-Utopia car deal")]


def test_a_threatened_or_announced_measure_is_known_but_not_in_force(run) -> None:
    # before the state act's date nothing is known of a measure on Atlantis; after it, the
    # announced measures are known, and none is in force before 06-09
    [before] = run("tariff-in-force", target="atlantis", on="2025-05-01")
    assert (before["status"], before["known_from"]) == ("nothing-known-yet", date(2025, 5, 2))
    assert run("tariff-in-force", target="atlantis", on="2025-05-03") == []


def test_measure_history_shows_the_agreement_and_the_implemented_date(run) -> None:
    rows = [(r["date"], r["change"], r["detail"]) for r in run("measure-history", target="atlantis")
            if r["measure"] == "Utopian tariff on Atlantian cars, 15%"]
    assert rows == [
        ("2025-05-02", "announced", None),
        ("2025-05-02", "announcement", "Utopia's trade package"),  # the state act
        ("2025-05-20", "agreed", "Atlantis-Utopia car deal"),
        ("2025-06-01", "takes effect", None),
        ("2025-06-09", "implemented", None),
        ("2025-06-10", "reported in-force", None),
    ]


def test_deal_is_another_name_for_an_agreement() -> None:
    model = load_model()
    assert model.kind_hint("deal") == "did you mean 'agreement'?"
    assert model.kind_hint("Trade-Deal") == "did you mean 'agreement'?"
    assert model.kind_hint("deadlin") == "did you mean 'deadline'?"
    assert "deal" not in model.kinds  # a hint, not a second name that loads
