"""The RDF exports read by tools no one here wrote: Raptor's ``rapper`` and PyLD.

Every RDF format of ``tradegraph export`` (Turtle, N-Triples, TriG, RDF/XML) is parsed by Raptor
(Debian's ``raptor2-utils``; ``.ci/run`` installs it) to the same number of statements as
rdflib reads, and Raptor's N-Triples/N-Quads of it are the same graph as rdflib's. Raptor reads
no JSON-LD, so the JSON-LD export goes through PyLD instead: expanded and turned into N-Quads
offline (a document loader that refuses every URL, so a remote ``@context`` would fail the
test rather than be fetched), it gives the same triples as rdflib's JSON-LD parser.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from tradegraph.build.provider import validated_graph
from tradegraph.export.exports import RDF_FORMATS, export_built
from tradegraph.project import Project

from .conftest import REPO

RAPPER = shutil.which("rapper")
# tradegraph's format name: (Raptor's parser, rdflib's parser, Raptor's output, quads?)
RAPTOR = {"ttl": ("turtle", "turtle", "ntriples", False), "nt": ("ntriples", "nt", "ntriples", False),
          "trig": ("trig", "trig", "nquads", True), "xml": ("rdfxml", "xml", "ntriples", False)}
BASE = "https://w3id.org/tradegraph/id/"

@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every RDF export of the bundled data, from one validated graph, as files."""
    valid = validated_graph(Project.open(REPO))
    out = tmp_path_factory.mktemp("exports")
    files = {}
    for fmt in RDF_FORMATS:
        files[fmt] = out / f"graph.{fmt}"
        files[fmt].write_text(export_built(valid, fmt), encoding="utf-8")
    return files


def rdflib_read(path: Path, fmt: str, quads: bool) -> Graph:
    if quads:
        dataset = Dataset()
        dataset.parse(path, format=fmt)
        return dataset
    return Graph().parse(path, format=fmt)


def statements(graph: Graph) -> int:
    if isinstance(graph, Dataset):
        return sum(len(g) for g in graph.graphs())
    return len(graph)


def test_every_rdf_format_is_checked() -> None:
    assert set(RAPTOR) | {"jsonld"} == set(RDF_FORMATS)


@pytest.mark.parametrize("fmt", sorted(RAPTOR))
def test_raptor_reads_the_export_as_rdflib_does(exports: dict[str, Path], fmt: str) -> None:
    parser, rdflib_format, output, quads = RAPTOR[fmt]
    assert RAPPER is not None, "Raptor's rapper is missing: install Debian's raptor2-utils (.ci/run does)"
    done = subprocess.run([RAPPER, "-i", parser, "-o", output, str(exports[fmt]), BASE],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr.lower() and "warning" not in done.stderr.lower(), done.stderr
    ours = rdflib_read(exports[fmt], rdflib_format, quads)
    raptor = Dataset() if quads else Graph()
    raptor.parse(data=done.stdout, format="nquads" if quads else "nt")
    # rapper reports "returned N triples" (statements: quads count one each) on stderr
    counted = int(done.stderr.split("returned ")[1].split()[0])
    assert counted == statements(ours) == statements(raptor) > 1000
    if quads:
        for graph in ours.graphs():
            if len(graph):
                assert isomorphic(raptor.graph(graph.identifier), graph), graph.identifier
    else:
        assert isomorphic(raptor, ours)


class RefusingLoader:
    """A PyLD document loader that loads nothing and records what it was asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        self.asked.append(url)
        raise OSError(f"offline: refusing to load {url}")


def test_pyld_expands_the_json_ld_offline_to_the_same_triples(exports: dict[str, Path]) -> None:
    import json

    document = json.loads(exports["jsonld"].read_text("utf-8"))
    loader = RefusingLoader()
    options = {"documentLoader": loader, "base": BASE}
    expanded = jsonld.expand(document, options)
    assert expanded and all("@id" in node or "@graph" in node for node in expanded)
    nquads = jsonld.to_rdf(expanded, {**options, "format": "application/n-quads"})
    pyld = Graph().parse(data=nquads, format="nt")
    ours = Graph().parse(exports["jsonld"], format="json-ld")
    assert len(pyld) == len(ours) > 1000
    assert isomorphic(pyld, ours)
    assert isomorphic(ours, Graph().parse(exports["ttl"], format="turtle"))
    assert loader.asked == []


def test_the_refusing_loader_is_what_pyld_calls() -> None:
    """The offline guarantee holds only if PyLD asks the loader we give: a remote context fails."""
    loader = RefusingLoader()
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand({"@context": "https://example.org/context.jsonld", "name": "x"}, {"documentLoader": loader})
    assert loader.asked == ["https://example.org/context.jsonld"]
