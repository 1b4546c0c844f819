"""A project shape whose SPARQL is wrong is one line naming its file and shape (issue 14, class 14).

Every SPARQL text of the shapes (sh:select, sh:ask, sh:construct) is read before any validator
runs: one that does not parse (on rdflib or Oxigraph, the fast path's engine), is not the
query form its predicate names, or reaches out (SERVICE, FROM) is an InvalidModel (exit 1),
for `validate`, `build` on the fast path and `build --validator pyshacl` alike; so is one
that Oxigraph cannot run (a function it does not know).
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")

SHAPE = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix tg: <https://w3id.org/tradegraph/ontology#> .
@prefix ex: <http://example.org/shapes#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:Prefixes sh:declare [ sh:prefix "tg" ; sh:namespace "https://w3id.org/tradegraph/ontology#"^^xsd:anyURI ] .

ex:BadShape a sh:NodeShape ;
    sh:targetClass tg:Person ;
    sh:sparql [
        sh:message "a message" ;
        sh:prefixes ex:Prefixes ;
        sh:{predicate} \"\"\"{text}\"\"\"
    ] .
"""
SHAPE_LINE = 13
COMMANDS = [["validate"], ["validate", "--validator", "pyshacl"], ["build"], ["build", "--validator", "pyshacl"]]

BROKEN = {
    "syntax": ("select", "SELECT $this WHERE { $this tg:name ?n . FILTER( }", "SPARQL syntax error"),
    "undeclared prefix": ("select", "SELECT $this WHERE { $this undeclared:name ?n }", "SPARQL syntax error"),
    "unclosed": ("select", "SELECT $this WHERE { $this tg:name ?n", "SPARQL syntax error"),
    "ASK as select": ("select", "ASK { $this tg:name ?n }", "is not a SELECT query"),
    "update": ("select", "DELETE WHERE { $this tg:name ?n }", "SPARQL syntax error"),
    "SERVICE": ("select", "SELECT $this WHERE { $this tg:name ?n SERVICE <http://127.0.0.1:1/> { ?a ?b ?c } }",
                "calls SERVICE"),
    "FROM a file": ("select", "SELECT $this FROM <file:///etc/passwd> WHERE { $this tg:name ?n }", "reads FROM"),
    "unknown function": ("select", "SELECT $this WHERE { $this tg:name ?n . FILTER(<http://x/f>(?n)) }",
                         "Oxigraph cannot run it: The custom function <http://x/f> is not supported"),
    "FROM NAMED": ("select", "SELECT $this FROM NAMED <http://127.0.0.1:1/> WHERE { $this tg:name ?n }",
                   "reads FROM NAMED"),
}


def write_shape(project: Path, predicate: str, text: str) -> None:
    (project / "shapes").mkdir(exist_ok=True)
    (project / "shapes" / "bad.ttl").write_text(SHAPE.format(predicate=predicate, text=text))


def one_error(run) -> str:
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.err
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_shape_whose_sparql_is_wrong_is_one_line_naming_it(minimal: Path, cli, command: list[str], case: str) -> None:
    predicate, text, what = BROKEN[case]
    write_shape(minimal, predicate, text)
    run = cli(*command, "--project", str(minimal))
    assert run.code == 1
    line = one_error(run)
    assert line.startswith(f"error: shapes/bad.ttl:{SHAPE_LINE}: ")
    assert "<http://example.org/shapes#BadShape>" in line and what in line
    assert not (minimal / "build" / "graph.ttl").exists()


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("selects, count", [
    ("", 0), ('sh:select "SELECT $this WHERE {}" ; sh:select "SELECT ?this WHERE {}" ;', 2)])
def test_a_sparql_constraint_needs_exactly_one_select(minimal: Path, cli, command: list[str], selects: str,
                                                      count: int) -> None:
    (minimal / "shapes").mkdir()
    (minimal / "shapes" / "bad.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/shapes#> .\n\n"
        f'ex:BadShape a sh:NodeShape ; sh:targetNode ex:x ; sh:sparql [ {selects} sh:message "m" ] .\n')
    run = cli(*command, "--project", str(minimal))
    assert run.code == 1
    assert one_error(run).startswith(f"error: shapes/bad.ttl:4: a SPARQL constraint of shape "
                                     f"<http://example.org/shapes#BadShape> has {count} sh:select")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_good_sparql_shape_still_reports_violations(minimal: Path, cli, command: list[str]) -> None:
    """The control: the same shape with a SELECT that runs finds its violations."""
    write_shape(minimal, "select", "SELECT $this ?value WHERE { $this tg:name ?value }")
    run = cli(*command, "--project", str(minimal))
    assert run.code == 1 and "a message" in run.out + run.err
    assert "error: shapes/bad.ttl" not in run.err


@pytest.mark.parametrize("predicate, text, form", [("ask", "SELECT $this WHERE { $this ?p ?o }", "an ASK"),
                                                   ("construct", "ASK { $this ?p ?o }", "a CONSTRUCT")])
def test_a_validator_or_rule_of_the_wrong_form_names_its_component(predicate: str, text: str, form: str) -> None:
    from rdflib import Graph

    from tradegraph.errors import InvalidModel
    from tradegraph.shacl.validate import check_shape_sparql

    shapes = Graph().parse(format="turtle", data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/shapes#> .
        ex:Component a sh:ConstraintComponent ; sh:validator [ sh:{predicate} "{text}" ] .""")
    with pytest.raises(InvalidModel, match=f"the sh:{predicate} of shape <http://example.org/shapes#Component> "
                                           f"is not {form} query"):
        check_shape_sparql(shapes)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("body", ['sh:property [ sh:path "a literal" ; sh:minCount 1 ]',
                                  "sh:property [ sh:path ex:a , ex:b ; sh:minCount 1 ]",
                                  "sh:property [ sh:minCount 1 ]"])
def test_a_shape_the_validator_cannot_load_is_one_line(minimal: Path, cli, command: list[str], body: str) -> None:
    """pyshacl refuses these shapes; the fast path's engine (every command's default) refuses
    the first (it reads the other two its own way: a validator difference, not a crash)."""
    (minimal / "shapes").mkdir()
    (minimal / "shapes" / "bad.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/shapes#> .\n"
        "@prefix tg: <https://w3id.org/tradegraph/ontology#> .\n"
        f"ex:BadShape a sh:NodeShape ; sh:targetClass tg:Person ; {body} .\n")
    run = cli(*command, "--project", str(minimal))
    assert run.code in (0, 1) and "internal error" not in run.err
    if "pyshacl" in command or "literal" in body:  # the fast path is the default of validate, as of build
        assert run.code == 1 and "the shapes could not be checked" in one_error(run)
