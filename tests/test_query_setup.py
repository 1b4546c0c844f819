"""A canned query's `setup`: a SELECT run first, its one row written into the query as terms.

The same rows on rdflib and on the store; the computed values hidden like parameters; a setup
with no row answers no rows without running the query; every kind of bad setup refused with its
file and line, at load time or when it runs.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tradegraph.build.pipeline import build
from tradegraph.errors import InvalidModel
from tradegraph.project import Project
from tradegraph.query.catalogue import parse_query
from tradegraph.query.run import QueryRunner, query_text, run_query, store_runner
from tradegraph.sparql.guard import OutOfReach

from .conftest import FIXTURES

pytestmark = pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")

HEAD = "PREFIX tg: <https://w3id.org/tradegraph/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
#: The meetings of the one actor whose name holds --who; the actor is found by the setup.
MET = """#+ summary: The meetings of one actor
#+ params:
#+   who: {type: string, help: a part of a name}
#+ setup: |-
#+   # the actor (its IRI written into the query below)
#+   SELECT ?actor ?who WHERE { ?actor rdfs:label ?name FILTER(?name = ?who) }
""" + HEAD + """SELECT ?event ?actor WHERE { ?e tg:participant ?actor ; rdfs:label ?event }
ORDER BY ?event
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("setup") / "p"
    shutil.copytree(FIXTURES / "minimal", root)
    (root / "queries").mkdir()
    (root / "queries" / "met.rq").write_text(MET, "utf-8")
    build(Project.open(root), store=root / "build" / "store")
    return root


def _runners(project: Path) -> list[QueryRunner]:
    return [QueryRunner(Project.open(project)), store_runner(project, project / "build" / "store")]


def test_the_setup_s_row_is_written_in_and_hidden(project: Path) -> None:
    for runner in _runners(project):
        rows = runner.run("met", who="Ana Example")
        assert rows.columns == ["event"] and [dict(r) for r in rows] == [{"event": "Ana meets Bo"}]
    text = query_text("met", project=project, who="Ana Example")
    assert "tg:participant <http://test.example/id/ana>" in text  # the actor is a term of the text


def test_no_row_answers_no_rows_without_running_the_query(project: Path) -> None:
    (project / "queries" / "met-out.rq").write_text(MET.replace(
        "SELECT ?event ?actor WHERE {", "SELECT ?event ?actor WHERE { SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } "), "utf-8")
    try:
        for runner in _runners(project):
            rows = runner.run("met-out", who="Nobody")
            assert rows.columns == ["event"] and list(rows) == []
            with pytest.raises(OutOfReach, match=r"queries/met-out\.rq"):  # run when the setup has a row
                runner.run("met-out", who="Ana Example")
    finally:
        (project / "queries" / "met-out.rq").unlink()


@pytest.mark.parametrize(("setup", "message"), [
    # two rows: which one would the query be about?
    ("SELECT ?actor ?who WHERE { ?actor rdfs:label ?name FILTER(?name = ?who || true) }",
     r"queries/bad\.rq: the setup of query bad answered \d+ rows; expected at most one row"),
    ("SELECT ?actor ?who WHERE { BIND(BNODE() AS ?actor) FILTER(CONTAINS(\"Ana\", ?who)) }",
     r"queries/bad\.rq: the setup of query bad gives \?actor a blank node"),
])
def test_a_setup_that_cannot_be_written_in_is_an_error_when_it_runs(project: Path, setup: str, message: str) -> None:
    (project / "queries" / "bad.rq").write_text(MET.replace(MET.splitlines()[5], "#+   " + setup), "utf-8")
    try:
        for runner in _runners(project):
            with pytest.raises(InvalidModel, match=message):
                runner.run("bad", who="a")
    finally:
        (project / "queries" / "bad.rq").unlink()


def test_a_setup_that_reaches_out_is_refused_and_named_by_its_file(project: Path) -> None:
    (project / "queries" / "far.rq").write_text(MET.replace(
        "WHERE { ?actor rdfs:label", "WHERE { SERVICE <http://127.0.0.1:9/> { ?x ?y ?z } ?actor rdfs:label"), "utf-8")
    try:
        for runner in _runners(project):
            with pytest.raises(OutOfReach, match=r"queries/far\.rq: the query calls SERVICE"):
                runner.run("far", who="Ana")
    finally:
        (project / "queries" / "far.rq").unlink()


def test_the_cli_says_what_is_wrong_in_one_line(project: Path, cli) -> None:
    (project / "queries" / "bad.rq").write_text(MET.replace("FILTER(?name = ?who)", "FILTER(?name = ?who || true)"),
                                                "utf-8")
    try:
        run = cli("query", "bad", "--who", "a", "--project", str(project))
    finally:
        (project / "queries" / "bad.rq").unlink()
    assert run.code == 1 and "Traceback" not in run.err
    errors = [line for line in run.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and re.fullmatch(
        r"error: queries/bad\.rq: the setup of query bad answered \d+ rows; expected at most one row, whose values are "
        r"written into the query \(hint: make the setup choose one \(ORDER BY \.\.\. LIMIT 1\)\)", errors[0])


def _header(setup: str) -> str:
    return "#+ summary: S\n#+ params:\n#+   who: {type: string, help: h}\n" + setup


@pytest.mark.parametrize(("setup", "message"), [
    ("#+ setup: 3\n", "queries/x.rq:4: the `setup` is not a SELECT query"),
    ("#+ setup: ''\n", "queries/x.rq:4: the `setup` is not a SELECT query"),
    ("#+ setup: ASK { ?a ?b ?who }\n", "queries/x.rq:4: the `setup` is not a SELECT query"),
    # no WHERE keyword: refused, as for the query itself (the parameter checks read its group)
    ("#+ setup: SELECT ?x ?who { ?x ?p ?o { ?x ?q ?r FILTER(?r = ?who) } }\n",
     "queries/x.rq:4: the `setup` is not a SELECT query with a WHERE clause"),
    ("#+ setup: SELECT ?x WHERE { ?x ?p\n", "queries/x.rq:4: the `setup` does not parse: SPARQL syntax error"),
    ("#+ setup: SELECT ?who WHERE { ?x ?p ?who }\n", "queries/x.rq:4: the `setup` selects nothing but parameters"),
    ("#+ setup: SELECT ?x ?who WHERE { ?x ?p ?o FILTER(BOUND(?who)) }\n",
     "queries/x.rq:4: parameters used in the `setup` in a way engines read differently: ?who is tested with BOUND()"),
    ("#+ setup: SELECT ?x WHERE { ?x ?p ?who }\n",
     "queries/x.rq:4: parameters used in the `setup` in a way engines read differently: ?who is not in the SELECT"),
    ("#+ setup: SELECT ?x ?who WHERE { ?x ?p ?o FILTER(GIVEN(?o)) }\n", "queries/x.rq:4:"),
    ("#+ setup: |-\n#+   SELECT ?x ?who\n#+   WHERE { ?x ?p ?o FILTER(GIVEN(?o)) }\n", "queries/x.rq:6:"),
])
def test_a_bad_setup_is_an_error_at_load_time(setup: str, message: str) -> None:
    with pytest.raises(InvalidModel) as error:
        parse_query(_header(setup) + HEAD + "SELECT ?s ?x WHERE { ?s ?p ?x }", "queries/x.rq")
    assert str(error.value).startswith(message)


def test_what_the_setup_computes_is_checked_as_a_parameter_is() -> None:
    with pytest.raises(InvalidModel, match=r"\?x is not in the SELECT clause"):
        parse_query(_header("#+ setup: SELECT ?x ?who WHERE { ?x ?p ?who }\n") + HEAD + "SELECT ?s WHERE { ?s ?p ?x }",
                    "queries/x.rq")
    # a parameter that only the setup reads need not be in the query
    query = parse_query(_header("#+ setup: SELECT ?x ?who WHERE { ?x ?p ?who }\n") + HEAD
                        + "SELECT ?s ?x WHERE { ?s ?p ?x }", "queries/x.rq")
    assert query.computed == ("x",)
    # ... but one the query names anywhere (here as a column it makes) is checked there too
    with pytest.raises(InvalidModel, match=r"\?who is declared but never used in the WHERE clause"):
        parse_query(_header("#+ setup: SELECT ?x ?who WHERE { ?x ?p ?who }\n") + HEAD
                    + "SELECT ?s ?x (COUNT(?s) AS ?who) WHERE { ?s ?p ?x } GROUP BY ?s ?x", "queries/x.rq")


def test_show_sparql_refuses_when_the_setup_has_no_row(project: Path, cli) -> None:
    shown = cli("query", "met", "--who", "Ana Example", "--show-sparql", "--project", str(project))
    assert shown.code == 0 and "<http://test.example/id/ana>" in shown.out
    run = cli("query", "met", "--who", "Nobody", "--show-sparql", "--project", str(project))
    errors = [line for line in run.err.splitlines() if line.startswith("error:")]
    assert run.code == 2 and errors == [
        "error: the setup of query met answered no row: the query answers no rows and is not run, so it has no "
        "text to show; expected parameters for which the setup finds its row (hint: run the query without "
        "--show-sparql to see its (empty) answer)"]


def test_events_before_deadline_without_a_deadline_answers_nothing(project: Path) -> None:
    rows = run_query("events-before-deadline", project=FIXTURES / "minimal")
    assert list(rows) == [] and "deadline_date" in rows.columns and "chosen" not in rows.columns
