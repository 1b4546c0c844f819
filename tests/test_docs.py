"""`tradegraph docs`: one self-contained page documenting every term, with shapes and examples."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import OWL, RDF

from tradegraph.project import Project
from tradegraph.rdf.graphs import ontology_graph

from .conftest import REPO


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.resources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        for name in ("src", "href"):
            if values.get(name) and not (values[name] or "").startswith("#"):
                self.resources.append(f"{tag} {name}={values[name]}")


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("docs")
    from tradegraph.cli.main import main

    main(["docs", "--project", str(REPO), "-o", str(out)])  # exits only on errors
    return (out / "index.html").read_text("utf-8")


def test_every_class_and_property_has_a_section(page: str) -> None:
    collector = _Collector()
    collector.feed(page)
    ontology = ontology_graph(Project.open(REPO))
    tg = "https://w3id.org/tradegraph/ontology#"
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in ontology.subjects(RDF.type, kind):
            if str(term).startswith(tg):
                assert "tg-" + str(term)[len(tg):] in collector.ids, term


def test_page_loads_nothing_from_anywhere(page: str) -> None:
    collector = _Collector()
    collector.feed(page)
    assert collector.resources == []
    assert not re.search(r"url\(", page)


def test_shapes_and_examples_are_shown(page: str) -> None:
    meeting = page[page.index('id="tg-Meeting"'):]
    meeting = meeting[: meeting.index("</section>")]
    assert "A meeting needs at least two participants" in meeting
    assert "tgid:akazawa-bessent-expo-talks-2025-07-19 (Akazawa hosts Bessent at the World Expo in Osaka)" in meeting
    assert "CAMEO 041" in page  # the phone-call event type


def test_docs_default_to_build_docs(minimal: Path, cli) -> None:
    run = cli("docs", "--project", str(minimal))
    assert (run.code, run.out) == (0, "build/docs/index.html\n")


def test_the_shapes_generated_from_the_model_are_shown(page: str) -> None:
    country = page[page.index('id="tg-Country"'):]
    country = country[: country.index("</section>")]
    assert "A country needs exactly one `iso`" in country and "tgsh:Named" in country  # its own and inherited
    assert "in tget:meeting | tget:phone-call" in page  # the concepts of a vocabulary (sh:in)
    assert "class tg:Event | tg:EventTally" in page     # what a reference may name (sh:or)
