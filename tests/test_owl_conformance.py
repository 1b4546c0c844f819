"""The ontology is OWL 2 DL, alone and with the bundled data, and OWL 2 reasoners accept it.

Checked with tools no one here wrote: the OWL API's own profile checker and the HermiT and
Pellet reasoners, all as owlready2 bundles them. They run on Java 25 (owlready2's Pellet
needs it), from ``/usr/lib/jvm/temurin-25-jdk-amd64``; without it these tests fail, they do
not skip. The profile checker is a few lines of Java (tests/owl/ProfileCheck.java) compiled
here against the OWL API jar owlready2 ships; one JVM checks both documents against every
profile.
"""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import owlready2  # type: ignore[import-untyped]
import pytest
from rdflib import BNode, Graph, Literal

import tradegraph.build.reason
from tradegraph.build.pipeline import build
from tradegraph.build.reason import infer
from tradegraph.facts.loader import load_facts
from tradegraph.project import Project
from tradegraph.rdf.graphs import ontology_graph

from .conftest import REPO

JDK = Path("/usr/lib/jvm/temurin-25-jdk-amd64")
OWLREADY = Path(owlready2.__file__).parent
OWLAPI_JAR = OWLREADY / "pellet" / "owlapi-distribution-3.4.3-bin.jar"
TG = "https://w3id.org/tradegraph/ontology#"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"

Violations = dict[tuple[str, str], list[tuple[str, str]]]


@pytest.fixture(scope="module")
def jdk() -> Path:
    for tool in ("java", "javac"):
        if not (JDK / "bin" / tool).is_file():
            pytest.fail(f"{JDK / 'bin' / tool} is missing: the OWL conformance tests need Java 25 there "
                        "(owlready2's Pellet and the OWL API run on it; the default Java 17 is too old). "
                        "Install the Temurin 25 JDK.")
    return JDK


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Graph]:
    """The ontology (every file of ontology/) and the ontology with the data that `build` exports."""
    project = Project.open(REPO)
    out = tmp_path_factory.mktemp("owl-build")
    build(project, out=out)
    ontology = Graph()
    ontology += ontology_graph(project)
    both = Graph()
    both += ontology
    both.parse(out / "graph.ttl")
    return {"ontology": ontology, "ontology+data": both}


@pytest.fixture(scope="module")
def violations(jdk: Path, documents: dict[str, Graph], tmp_path_factory: pytest.TempPathFactory) -> Violations:
    """(document, profile) -> [(violation class, text)] from the OWL API's profile checker."""
    work = tmp_path_factory.mktemp("owl-profiles")
    subprocess.run([str(jdk / "bin" / "javac"), "-nowarn", "-d", str(work), "-cp", str(OWLAPI_JAR),
                    str(REPO / "tests" / "owl" / "ProfileCheck.java")], check=True, capture_output=True)
    paths = {}
    for name, graph in documents.items():
        paths[name] = work / f"{name}.owl"
        graph.serialize(paths[name], format="xml")
    run = subprocess.run([str(jdk / "bin" / "java"), "-cp", f"{OWLAPI_JAR}:{work}", "ProfileCheck",
                          *(str(p) for p in paths.values())], check=True, capture_output=True, text=True)
    names = {str(path): name for name, path in paths.items()}
    found: Violations = {}
    for line in run.stdout.splitlines():
        kind, path, profile, *rest = line.split("\t")
        entries = found.setdefault((names[path], profile), [])
        if kind == "VIOLATION":
            entries.append((rest[0], rest[1]))
        else:
            assert kind == "SUMMARY" and int(rest[0]) == len(entries), line
    assert len(found) == 8, run.stdout[-2000:]
    return found


def _summary(entries: list[tuple[str, str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind, _ in entries:
        counts[kind] = counts.get(kind, 0) + 1
    return counts


@pytest.mark.slow
@pytest.mark.parametrize("document", ["ontology", "ontology+data"])
def test_owl2_dl_profile_has_no_violation(violations: Violations, document: str) -> None:
    """Every external term is declared with one kind and no term is punned (OWL 2 DL)."""
    entries = violations[(document, "DL")]
    assert entries == [], (_summary(entries), entries[:20])


def _axioms(entries: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """(axiom, property) of each violation, such as ('ObjectPropertyDomain', 'tg:name')."""
    found = set()
    for _, text in entries:
        match = re.search(r"\[(\w+)\(<([^>]+)>", text)
        assert match is not None, text
        found.add((match[1], match[2].replace(TG, "tg:")))
    return found


def _stated_rl_gaps() -> set[tuple[str, str]]:
    """The (domain|range, property) pairs that reason.py's docstring says OWL 2 RL cannot use."""
    doc = tradegraph.build.reason.__doc__ or ""
    paragraph = " ".join(doc[doc.index("What OWL 2 RL"):].split("\n\n")[0].split())
    stated = set()
    for what, names in re.findall(r"(domains|ranges|domain and range|domain|range) of ((?:tg:\w+(?:, | and )?)+)", paragraph):
        for name in re.findall(r"tg:\w+", names):
            for part in ("domain", "range"):
                if part in what:
                    stated.add((part, name))
    return stated


@pytest.mark.slow
def test_what_owl2_rl_cannot_use_is_what_the_docs_say(violations: Violations) -> None:
    """The ontology is OWL 2 RL but for the domains and ranges reason.py names, and the data adds
    only its xsd:date literals."""
    ontology = violations[("ontology", "RL")]
    assert {kind for kind, _ in ontology} == {"UseOfNonSuperClassExpression"}
    found = {("domain" if axiom.endswith("Domain") else "range", prop) for axiom, prop in _axioms(ontology)}
    assert found == _stated_rl_gaps()
    assert len(found) == 11
    extra = [entry for entry in violations[("ontology+data", "RL")] if entry not in ontology]
    assert extra and all(kind == "UseOfIllegalDataRange" and text.startswith("Use of data range not in profile: xsd:date ")
                         for kind, text in extra), extra[:5]


def test_owlrl_infers_no_anonymous_class() -> None:
    """What `--reason owlrl` writes names its classes: the unions it cannot use leave no blank-node type."""
    project = Project.open(REPO / "tests" / "fixtures" / "minimal")
    inferred = infer(load_facts(project), project, profile="owlrl")
    assert [t for t in inferred if isinstance(t[2], BNode)] == []
    assert len(inferred) > 100


@pytest.fixture(scope="module")
def java_for_owlready(jdk: Path) -> Iterator[None]:
    before = owlready2.JAVA_EXE
    owlready2.JAVA_EXE = str(jdk / "bin" / "java")
    yield
    owlready2.JAVA_EXE = before


def _world(graph: Graph) -> owlready2.World:
    world = owlready2.World()
    world.get_ontology("https://w3id.org/tradegraph/ontology").load(
        fileobj=io.BytesIO(graph.serialize(format="nt", encoding="utf-8")), format="ntriples")
    return world


@pytest.mark.slow
def test_hermit_finds_the_ontology_consistent_with_its_defaults(java_for_owlready: None,
                                                                documents: dict[str, Graph]) -> None:
    """HermiT supports only the OWL 2 datatype map: the ontology uses nothing outside it."""
    world = _world(documents["ontology"])
    owlready2.sync_reasoner_hermit(world, debug=0)  # raises on an unsupported datatype or an inconsistency
    assert list(world.inconsistent_classes()) == []


@pytest.mark.slow
def test_hermit_finds_ontology_and_data_consistent(java_for_owlready: None, documents: dict[str, Graph]) -> None:
    """The data's xsd:date literals are outside the OWL 2 datatype map, which is all HermiT reads:
    it needs to be told to ignore them."""
    world = _world(documents["ontology+data"])
    owlready2.sync_reasoner_hermit(world, debug=0, ignore_unsupported_datatypes=True)
    assert list(world.inconsistent_classes()) == []


@pytest.mark.slow
def test_pellet_finds_ontology_and_data_consistent(java_for_owlready: None, documents: dict[str, Graph]) -> None:
    world = _world(documents["ontology+data"])
    owlready2.sync_reasoner_pellet(world, debug=0)
    assert list(world.inconsistent_classes()) == []
    dated = [node for node in documents["ontology+data"].objects()
             if isinstance(node, Literal) and str(node.datatype) == XSD_DATE]
    assert len(dated) > 100  # the dates Pellet read are dates
