"""`tradegraph export`: every RDF format parses back to the built graph, byte-stable output."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import OWL, Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from tradegraph.build.pipeline import BuildResult, build
from tradegraph.export.exports import RDF_FORMATS, export_built
from tradegraph.project import Project
from tradegraph.rdf.serialize import prefixes

from .conftest import FIXTURES, REPO

NETWORK = FIXTURES / "network"
PARSERS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "trig": "trig", "xml": "xml"}


@pytest.fixture(scope="module")
def built():  # type: ignore[no-untyped-def]
    return build(Project.open(NETWORK), write=False)


@pytest.fixture(scope="module")
def exported(built, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    """Every RDF format: Turtle through the command line, the others from one build."""
    out = tmp_path_factory.mktemp("export")
    paths = {fmt: out / f"graph.{fmt}" for fmt in RDF_FORMATS}
    done = subprocess.run([sys.executable, "-m", "tradegraph", "export", "-p", str(NETWORK), "-o", str(paths["ttl"])],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(f"wrote {paths['ttl']} (")
    for fmt in RDF_FORMATS[1:]:
        paths[fmt].write_text(export_built(built, fmt), "utf-8")
    return paths


@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_rdf_export_parses_back_to_the_built_graph(built, exported, fmt: str) -> None:  # type: ignore[no-untyped-def]
    if fmt == "trig":
        parsed = Dataset()
        parsed.parse(exported[fmt], format="trig")
        union = Graph()
        for graph in parsed.graphs():
            for triple in graph:
                union.add(triple)
        assert isomorphic(union, built.graph)
        for graph in built.facts.dataset.graphs():   # one named graph per source, each the same
            if len(graph):
                assert isomorphic(parsed.graph(graph.identifier), graph), graph.identifier
    else:
        parsed = Graph().parse(exported[fmt], format=PARSERS[fmt])
        assert isomorphic(parsed, built.graph)


def test_turtle_export_is_the_build_output(built, exported, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    build(Project.open(NETWORK), out=tmp_path)
    assert exported["ttl"].read_bytes() == (tmp_path / "graph.ttl").read_bytes()
    assert exported["trig"].read_bytes() == (tmp_path / "graph.trig").read_bytes()
    assert exported["jsonld"].read_bytes() == (tmp_path / "graph.jsonld").read_bytes()


def test_every_namespace_used_has_a_prefix(built, exported) -> None:  # type: ignore[no-untyped-def]
    bound = prefixes(built.facts.base)
    for node in {n for triple in built.graph for n in triple if isinstance(n, URIRef)}:
        assert any(str(node).startswith(ns) for ns in bound.values()), node
    assert "@prefix wd: <http://www.wikidata.org/entity/> ." in exported["ttl"].read_text("utf-8")
    assert "wd:Q42" in exported["ttl"].read_text("utf-8")
    xml = exported["xml"].read_text("utf-8")
    assert 'xmlns:tg="https://w3id.org/tradegraph/ontology#"' in xml
    assert "<tg:name>Ana Example</tg:name>" in xml


def test_jsonld_context_is_readable(exported) -> None:  # type: ignore[no-untyped-def]
    import json

    document = json.loads(exported["jsonld"].read_text("utf-8"))
    assert list(document) == ["@context", "@graph"]
    assert document["@context"]["tg"] == "https://w3id.org/tradegraph/ontology#"
    assert list(document["@context"]) == sorted(document["@context"])
    ana = next(n for n in document["@graph"] if n["@id"] == "tgid:ana")
    assert ana["@type"] == "tg:Person" and ana["tg:name"] == "Ana Example"


def test_nt_is_sorted_lines(exported) -> None:  # type: ignore[no-untyped-def]
    lines = exported["nt"].read_text("utf-8").splitlines()
    assert lines == sorted(set(lines))


SCRIPT = """
import hashlib, sys
from tradegraph.build.pipeline import BuildResult, build
from tradegraph.export.exports import FORMATS, export_built
from tradegraph.project import Project
built = build(Project.open(sys.argv[1]), write=False)
for fmt in FORMATS:
    print(fmt, hashlib.sha256(export_built(built, fmt).encode()).hexdigest())
"""


def test_every_export_repeats_byte_for_byte_across_processes() -> None:
    """Python's hash seed changes set order between processes; the bytes must not change."""
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", SCRIPT, str(NETWORK)], capture_output=True, text=True,
                              env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert len(outputs[0].splitlines()) == 9


@pytest.mark.parametrize(("args", "message"), [
    (["-f", "yaml"], "error: unknown export format 'yaml'; expected one of ttl, nt, jsonld, trig, xml, gexf, "
                     "graphml, cyjs, dot\n"),
    ([], "error: no export format given; expected --format ttl|nt|jsonld|trig|xml|gexf|graphml|cyjs|dot "
         "(hint: or name the output file with a known suffix, e.g. -o network.gexf)\n"),
    (["-o", "out.txt"], "error: no export format given and none known for '.txt' files; expected --format "
                        "ttl|nt|jsonld|trig|xml|gexf|graphml|cyjs|dot (hint: or name the output file with a "
                        "known suffix, e.g. -o network.gexf)\n"),
    (["-f", "ttl", "--country", "AT"], "error: network options do not apply to the RDF format 'ttl'; expected a "
                                       "network format (gexf, graphml, cyjs, dot) with them (hint: the RDF "
                                       "formats always hold the whole built graph)\n"),
])
def test_export_usage_errors(cli, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    run = cli("export", "--project", str(NETWORK), *args)
    assert (run.code, run.err, run.out) == (2, message, "")


def test_export_to_stdout_and_by_suffix(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("export", "--project", str(NETWORK), "--format", "nt")
    assert run.code == 0 and run.out.startswith("<https://example.org/id/")
    run = cli("export", "--project", str(NETWORK), "-o", str(tmp_path / "net.graphml"))
    assert run.code == 0 and "<graphml" in (tmp_path / "net.graphml").read_text("utf-8")


def test_export_of_invalid_facts_fails_and_writes_nothing(cli, minimal: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = minimal / "graph" / "sources" / "first-article.yaml"
    source.write_text(source.read_text("utf-8").replace("status: happened", "status: hapened"), "utf-8")
    run = cli("export", "--project", str(minimal), "-o", str(tmp_path / "g.ttl"))
    assert run.code == 1 and re.search(r"first-article.yaml:\d+: .*'hapened'", run.err)
    assert not (tmp_path / "g.ttl").exists()


@pytest.fixture(scope="module")
def real() -> BuildResult:
    return build(Project.open(REPO), write=False)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["nt", "xml", "jsonld"])
def test_real_graph_exports_round_trip(real: BuildResult, fmt: str) -> None:
    parsed = Graph().parse(data=export_built(real, fmt), format=PARSERS[fmt])
    assert isomorphic(parsed, real.graph)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["ttl", "trig"])
def test_real_graph_decimals_round_trip(real: BuildResult, fmt: str) -> None:
    parsed = Dataset()
    parsed.parse(data=export_built(real, fmt), format=PARSERS[fmt])
    union = Graph()
    for graph in parsed.graphs():
        union += graph
    assert isomorphic(union, real.graph)


@pytest.mark.slow
def test_real_graph_turtle_names_wikidata_with_its_prefix(real: BuildResult) -> None:
    assert "wd:Q22686" in export_built(real, "ttl")   # Trump


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld", "xml"])
def test_every_wikidata_id_is_also_owl_same_as_in_every_rdf_export(real: BuildResult, fmt: str) -> None:
    parsed = Graph().parse(data=export_built(real, fmt), format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld",
                                                                 "xml": "xml"}[fmt])
    wikidata = URIRef("https://w3id.org/tradegraph/ontology#wikidata")
    linked = set(parsed.subject_objects(wikidata))
    assert len(linked) >= 8  # the bundled actors that have one
    assert set(parsed.subject_objects(OWL.sameAs)) == linked
    assert all(str(entity).startswith("http://www.wikidata.org/entity/Q") for _, entity in linked)
