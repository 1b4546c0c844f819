"""The shapes: each case file violates exactly one shape; the shapes are valid SHACL; the mechanical
ones are generated from the fact model, and the hand-written ones say only what it cannot."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from tradegraph.facts.model import load_model
from tradegraph.project import Project
from tradegraph.rdf.graphs import parse_rdf_files
from tradegraph.shacl.fast import validate_graph_fast
from tradegraph.shacl.generate import model_shapes
from tradegraph.shacl.plan import one_line, sparql_texts
from tradegraph.shacl.validate import validate_graph

from .conftest import REPO

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


# ---------------------------------------------------------------------- generated from the model
_SAYS = (SH.minCount, SH.maxCount, SH.datatype, SH.nodeKind, SH.pattern, SH.minInclusive, SH.maxInclusive,
         SH["class"], SH["in"], SH["or"], SH.uniqueLang, SH.minLength)


@pytest.fixture(scope="module")
def generated(ontology: Graph) -> Graph:
    return model_shapes(load_model(), ontology)


def _property_shapes(shapes: Graph) -> dict[Node, tuple[set[Node], Node, set[tuple[Node, object]]]]:
    """Each property shape a targeted node shape has: (the node shape's target classes, the path,
    its constraints, a list's members as a tuple)."""
    found = {}
    for node, shape in shapes.subject_objects(SH.property):
        targets = set(shapes.objects(node, SH.targetClass))
        said = set()
        for parameter in _SAYS:
            for value in shapes.objects(shape, parameter):
                if (value, RDF.first, None) in shapes:
                    value = tuple(Collection(shapes, value))
                said.add((parameter, value))
        old = found.get(shape, (set(), None, said))
        found[shape] = (old[0] | targets, shapes.value(shape, SH.path), said)
    return found


def test_the_generated_shapes_say_every_required_field_pattern_and_range(generated: Graph) -> None:
    model = load_model()
    shapes = _property_shapes(generated)
    for kind in model.kinds.values():
        if not kind.rdf_class:
            continue
        cls = URIRef(model.expand(kind.rdf_class))
        for spec in kind.fields.values():
            said = set().union(*(c for targets, path, c in shapes.values()
                                 if cls in targets and path == URIRef(model.expand(spec.property))))
            where = f"{kind.name}.{spec.name}"
            needed = any(f.required or f.name in kind.defaults for f in kind.fields.values() if f.property == spec.property)
            assert ((SH.minCount, Literal(1)) in said) == needed, where
            if spec.pattern:
                assert (SH.pattern, Literal(f"^({spec.pattern})$")) in said, where
            if spec.minimum is not None:
                assert (SH.minInclusive, Literal(spec.minimum)) in said, where
            if spec.maximum is not None:
                assert (SH.maxInclusive, Literal(spec.maximum)) in said, where
            if spec.vocabulary:
                concepts = tuple(URIRef(model.expand(c)) for c in model.vocabularies[spec.vocabulary].values())
                assert (SH["in"], concepts) in said, where
            assert said, f"{where}: no shape says anything of it"


def test_no_hand_written_shape_says_again_what_the_model_says(generated: Graph) -> None:
    hand = parse_rdf_files(Project.open(REPO).shape_files())
    assert {s for s in hand.subjects() if isinstance(s, URIRef)} & set(generated.subjects()) == set()
    made = _property_shapes(generated)
    again = []
    for shape, (targets, path, said) in _property_shapes(hand).items():
        for other, (their_targets, their_path, their_said) in made.items():
            if path == their_path and targets & their_targets and said & their_said:
                again.append((str(shape), str(other), sorted(map(str, said & their_said))))
    assert again == []


def test_a_bare_record_of_each_kind_misses_exactly_its_required_fields(generated: Graph, shapes: Graph,
                                                                       ontology: Graph) -> None:
    """One node of each kind's class and nothing else: the generated shapes report each field
    the model requires (or gives a default), once, and nothing more."""
    model = load_model()
    data = Graph()
    expected = set()
    for kind in model.kinds.values():
        if kind.rdf_class:
            node = URIRef(f"https://w3id.org/tradegraph/id/bare-{kind.name}")
            data.add((node, RDF.type, URIRef(model.expand(kind.rdf_class))))
            expected |= {(str(node), f.name) for f in kind.fields.values() if f.required or f.name in kind.defaults}
    ours = {str(s) for s in generated.subjects(RDF.type, SH.PropertyShape)}
    report = validate_graph_fast(data, shapes=shapes, ontology=ontology)
    got = [(r.focus, r.path) for r in report.results if r.shape in ours]
    assert sorted(got) == sorted(expected)
    assert {r.component for r in report.results if r.shape in ours} == {"MinCountConstraintComponent"}


def test_shapes_sparql_is_written_on_many_lines_and_loaded_on_one(shapes: Graph) -> None:
    hand = parse_rdf_files(Project.open(REPO).shape_files())
    written = [text for *_, text in sparql_texts(hand)]
    assert written and all(text.count("\n") > 3 and "#" in text for text in written)
    loaded = [text for *_, text in sparql_texts(shapes)]
    assert loaded == sorted(one_line(text) for text in written) and all("\n" not in t for t in loaded)


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
def test_a_loop_of_part_of_stops_the_build_naming_each_event(minimal: Path, cli, validator: str) -> None:  # type: ignore[no-untyped-def]
    """Two events each recorded as part of the other: the encounter rule needs a tree, so both
    validators refuse it, naming the events, and the build writes nothing."""
    facts = minimal / "graph" / "sources" / "first-article.yaml"
    text = facts.read_text("utf-8")
    meeting = text[text.index("  - id: ana-bo-meeting"):text.index("  - id: atlantis-fish-tariff")]

    def part_of(record: str, whole: str) -> str:
        return record.replace("    topics: [fish]", f"    part_of: {whole}\n    topics: [fish]", 1)

    talks = part_of(meeting.replace("ana-bo-meeting", "ana-bo-talks"), "ana-bo-meeting")
    text = text.replace(meeting, part_of(meeting, "ana-bo-talks") + talks, 1)
    facts.write_text(text, "utf-8")
    run = cli("build", "--project", str(minimal), "--validator", validator)
    assert run.code == 1
    assert "'ana-bo-meeting' is part of itself through `part_of`" in run.err
    assert "'ana-bo-talks' is part of itself through `part_of`" in run.err
    assert not (minimal / "build").exists()
