"""The shapes: each case file violates exactly one shape; the shapes are valid SHACL."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph

from tradegraph.shacl.validate import validate_graph

CASES = sorted((Path(__file__).resolve().parent / "shapes_cases").glob("*.ttl"))


def test_there_are_cases_for_the_important_shapes() -> None:
    assert len(CASES) >= 12


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_case_gives_exactly_its_one_result(case: Path, shapes: Graph, ontology: Graph) -> None:
    first = case.read_text("utf-8").splitlines()[0]
    assert first.startswith("# expect: ")
    shape, severity = first[len("# expect: "):].split()
    report = validate_graph(Graph().parse(case), shapes=shapes, ontology=ontology)
    assert [(r.shape, r.severity) for r in report.results] == [(shape, severity)], report.text()
    assert report.results[0].message  # every result explains itself


def test_every_constraint_has_a_message_and_every_shape_a_name(shapes: Graph) -> None:
    query = """PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?shape WHERE {
          { ?shape a sh:NodeShape } UNION { ?any sh:property ?shape }
          FILTER NOT EXISTS { ?shape sh:message ?m }
          FILTER NOT EXISTS { ?shape sh:sparql/sh:message ?m2 }
          FILTER EXISTS { ?shape ?constraint ?v . FILTER(?constraint IN (sh:minCount, sh:maxCount,
            sh:class, sh:datatype, sh:pattern, sh:minInclusive, sh:maxInclusive, sh:in, sh:node,
            sh:lessThanOrEquals, sh:nodeKind, sh:or)) }
        }"""
    assert [str(r[0]) for r in shapes.query(query)] == []
    blank = shapes.query("""PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?s WHERE { { ?s a sh:NodeShape } UNION { ?x sh:property ?s } FILTER(isBlank(?s)) }""")
    assert list(blank) == []


def test_shapes_are_valid_shacl(shapes: Graph) -> None:
    """Meta-validation: the shapes graph against the SHACL-SHACL shapes that pyshacl ships."""
    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=shapes, meta_shacl=True)
    assert conforms, text
