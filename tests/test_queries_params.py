"""Query headers, typed parameters, safe binding, name resolution and the commands."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tradegraph import run_query
from tradegraph.errors import InvalidModel, UsageError
from tradegraph.query.catalogue import parse_query

from .conftest import FIXTURES, REPO

pytestmark = pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")
FIXTURE = FIXTURES / "queries"
HEAD = "PREFIX tg: <https://w3id.org/tradegraph/ontology#>\n"


def query(header: str, body: str = "SELECT ?s ?on WHERE { ?s ?p ?on }"):
    return parse_query(header + HEAD + body, "queries/x.rq")


# ---------------------------------------------------------------- headers
def test_a_bare_on_key_stays_a_string() -> None:
    q = query("#+ summary: S\n#+ params:\n#+   on: {type: xsd:date, help: a day, example: 2025-07-19}\n")
    assert [(p.name, p.type, p.example) for p in q.params] == [("on", "xsd:date", "2025-07-19")]


@pytest.mark.parametrize("header, message", [
    ("", "queries/x.rq:1: the query has no `#+` header"),
    ("#+ description: no summary\n", "queries/x.rq:1: the header has no one-line `summary`"),
    ("#+ summary: S\n#+ params:\n#+   on: {type: date, help: h}\n",
     "queries/x.rq:3: parameter 'on' has unknown type 'date'; expected one of xsd:date, iri, string, integer, boolean"),
    ("#+ summary: S\n#+ params:\n#+   on: {type: xsd:date}\n", "queries/x.rq:3: parameter 'on' has no `help`"),
    ("#+ summary: S\n#+ params:\n#+   on: {type: xsd:date, help: h, default: 2025-13-45}\n",
     "queries/x.rq:3: parameter 'on': default or example '2025-13-45' does not parse"),
    ("#+ summary: S\n#+ params:\n#+   on: {type: xsd:date, help: h, hlep: x}\n",
     "queries/x.rq:3: unknown key 'hlep' in parameter 'on'"),
    ("#+ summary: S\n#+ sumary: T\n", "queries/x.rq:2: unknown key 'sumary' in the header"),
    ("#+ summary: [S\n", "queries/x.rq:1:10: YAML syntax error"),
    ("#+ summary: S\n#+ params:\n#+   format: {type: string, help: h}\n", "queries/x.rq:3: bad parameter name 'format'"),
])
def test_a_malformed_header_is_an_error_at_load_time(header: str, message: str) -> None:
    with pytest.raises(InvalidModel) as error:
        query(header)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize("body, problem", [
    ("SELECT ?s WHERE { ?s ?p ?on }", "?on is not in the SELECT clause"),
    ("SELECT ?s ?on WHERE { ?s ?p ?o FILTER(!BOUND(?on) || ?o < ?on) }", "?on is tested with BOUND()"),
    ("SELECT ?s ?on WHERE { ?s ?p ?o { ?s ?q ?r FILTER(?r < ?on) } }", "?on is used in a FILTER or BIND of a nested group"),
    ("SELECT ?s ?on WHERE { ?s ?p ?o MINUS { ?s ?q ?on } }", "?on is used inside a MINUS or VALUES block"),
    ("SELECT ?s ?on ?x WHERE { ?s ?p ?o BIND(?on AS ?x) }", "?on is copied by BIND(?on AS ...)"),
    ("SELECT ?s ?on WHERE { ?s ?p ?on FILTER(!COALESCE(sameTerm(?on, ?on), false)) }",
     "?on is tested for being given but also bound by a pattern"),
])
def test_parameters_used_in_ways_engines_read_differently_are_refused(body: str, problem: str) -> None:
    with pytest.raises(InvalidModel, match="engines read differently") as error:
        query("#+ summary: S\n#+ params:\n#+   on: {type: xsd:date, help: h}\n", body)
    assert problem in str(error.value)


def test_a_subquery_may_use_a_parameter() -> None:
    """rdflib binds it inside the subquery and the store gets its term written there."""
    body = "SELECT ?s ?on WHERE { { SELECT ?s WHERE { ?s ?p ?o FILTER(!COALESCE(sameTerm(?on, ?on), false) || ?o < ?on) } } }"
    assert query("#+ summary: S\n#+ params:\n#+   on: {type: xsd:date, help: h}\n", body).param("on") is not None


def test_given_and_a_pattern_binding_may_share_a_parameter_only_in_different_scopes() -> None:
    header = "#+ summary: S\n#+ params:\n#+   on: {type: iri, help: h}\n"
    tested = "{ SELECT ?s WHERE { ?s ?p ?o FILTER(!COALESCE(sameTerm(?on, ?on), false) || EXISTS { ?s ?q ?on }) } }"
    bound = "{ SELECT ?s ?o WHERE { ?s ?p ?on, ?o } }"
    assert query(header, f"SELECT ?s ?on WHERE {{ {tested} {bound} }}").param("on") is not None
    with pytest.raises(InvalidModel, match="tested for being given but also bound by a pattern"):
        query(header, f"SELECT ?s ?on WHERE {{ {tested} ?s ?p ?on }}".replace("{ SELECT ?s WHERE ", "{ ", 1)
              .replace(") } }", ") }", 1))


# ---------------------------------------------------------------- values
@pytest.mark.parametrize("name, params, message", [
    ("who-met-whom", {"before": "2025-13-45"},
     "query who-met-whom: --before '2025-13-45' is not a date; expected a date like 2025-08-01 (YYYY-MM-DD)"),
    ("who-met-whom", {"before": "20250801"}, "query who-met-whom: --before '20250801' is not a date"),
    ("events-before-deadline", {"days": "two"},
     "query events-before-deadline: --days 'two' is not a whole number; expected a whole number such as 30"),
    ("events-before-deadline", {"days": "-3"}, "query events-before-deadline: --days '-3' is out of range"),
    ("events-before-deadline", {"days": "٣٠"}, "query events-before-deadline: --days '٣٠' is not a whole number"),
    ("events-before-deadline", {"days": "３０"}, "query events-before-deadline: --days '３０' is not a whole number"),
    ("who-met-whom", {"before": "２０２５-０８-０１"}, "query who-met-whom: --before '２０２５-０８-０１' is not a date"),
    ("claims", {"about": "http://example.org/a b"}, "query claims: --about 'http://example.org/a b' is not an IRI"),
    ("claims", {"about": "<http://x/>"}, "query claims: --about '<http://x/>' is not an IRI"),
    ("who-met-whom", {"actor": '" } DROP ALL #'}, "query who-met-whom: --actor: no actor is named '\" } DROP ALL #'"),
    ("who-met-whom", {"bfore": "2025-08-01"}, "query who-met-whom has no parameter 'bfore'"),
])
def test_bad_values_are_usage_errors(name: str, params: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError) as error:
        run_query(name, project=FIXTURE, **params)
    assert str(error.value).startswith(message)
    assert error.value.exit_code == 2


def test_a_plain_text_parameter_refuses_query_syntax() -> None:
    from tradegraph.query.params import Param, parse_value

    with pytest.raises(UsageError, match=r"--topic '\" \} DROP ALL #' is not plain text; expected letters"):
        parse_value(Param("topic", "string", "h"), '" } DROP ALL #', query="q")


def test_free_text_is_bound_as_data_never_as_query_text() -> None:
    from tradegraph.query.run import runner_for

    runner = runner_for(FIXTURE)
    before = len(runner.engine.dataset)  # type: ignore[attr-defined]
    for attack in ['" } DROP ALL #', "') } ; DROP ALL ; #", '"""} INSERT DATA { <a> <b> <c> } #', "\\u0022 }"]:
        assert run_query("search", project=FIXTURE, text=attack) == []
    assert len(runner.engine.dataset) == before  # type: ignore[attr-defined]
    assert [r["id"] for r in run_query("search", project=FIXTURE, text='"We will not bow,"')] == ["ana-statement"]


# ---------------------------------------------------------------- name resolution
def test_names_resolve_by_id_iri_exact_name_then_partial_name() -> None:
    def ids(**params: str) -> list[str]:
        return [r["id"] for r in run_query("who-met-whom", project=FIXTURE, **params)]

    by_id = ids(actor="cy")
    assert by_id == ids(actor="http://test.example/id/cy") == ids(actor="CY THIRD") == ids(actor="Thi")
    assert by_id == ["ana-cy-call"]


def test_an_exact_name_beats_partial_ones() -> None:
    # "Japan" is the country, not every node whose name holds it (the government, the ministry, ...)
    rows = run_query("claims", project=REPO, about="Japan")
    assert rows == [] or all(r["id"] for r in rows)
    with pytest.raises(UsageError, match="matches 5 actors: japan-government"):
        run_query("who-met-whom", project=REPO, actor="Japan")


def test_an_ambiguous_name_lists_the_candidates() -> None:
    with pytest.raises(UsageError) as error:
        run_query("who-met-whom", project=FIXTURE, actor="a")
    assert str(error.value).startswith("query who-met-whom: --actor 'a' matches 4 actors: ana (Ana Example), "
                                       "atlantis-government (Government of Atlantis)")


def test_an_unknown_name_suggests_close_ones() -> None:
    with pytest.raises(UsageError) as error:
        run_query("who-met-whom", project=FIXTURE, actor="Anna Exampel")
    assert str(error.value) == ("query who-met-whom: --actor: no actor is named 'Anna Exampel'; expected the id, "
                                "IRI or name of an actor (hint: did you mean ana (Ana Example)?)")


def test_a_node_of_another_class_is_not_taken() -> None:
    with pytest.raises(UsageError) as error:
        run_query("who-met-whom", project=FIXTURE, actor="utopia")
    assert str(error.value) == ("query who-met-whom: --actor: 'utopia' is not an actor; expected the id, IRI or "
                                "name of an actor (hint: did you mean utopia-government (Government of Utopia)?)")


def test_vocabulary_tokens_and_labels_name_concepts() -> None:
    assert run_query("who-met-whom", project=FIXTURE, mode="phone") == \
        run_query("who-met-whom", project=FIXTURE, mode="https://w3id.org/tradegraph/ontology#ByPhone")


# ---------------------------------------------------------------- commands
def test_queries_lists_every_query_with_its_parameters(cli) -> None:
    result = cli("queries", "--project", str(REPO))
    assert result.code == 0
    assert "who-met-whom: Pairs of actors who took part" in result.out
    assert "--before" in result.out and "--as-of" in result.out
    listed = json.loads(cli("queries", "--project", str(REPO), "--format", "json").out)
    assert {q["name"] for q in listed} >= {"who-met-whom", "tariff-in-force"}


def test_query_help_shows_the_parameters(cli) -> None:
    result = cli("query", "who-met-whom", "--help")
    assert result.code == 0
    assert "--before DATE" in result.out and "--mode NAME" in result.out and "--include-retracted" in result.out
    assert "tradegraph query who-met-whom --before 2025-08-01" in result.out


def test_query_in_every_format(cli) -> None:
    args = ("query", "who-met-whom", "--project", str(FIXTURE), "--before", "2025-03-15")
    data = json.loads(cli(*args, "--format", "json").out)
    assert [r["id"] for r in data] == ["ana-cy-call", "ana-bo-meeting"]
    assert data[1]["sources"] == ["First report", "Second report"]
    rows = list(csv.DictReader(io.StringIO(cli(*args, "--format", "csv").out)))
    assert rows[1]["sources"] == "First report; Second report"
    tsv = cli(*args, "--format", "tsv").out.splitlines()
    assert tsv[0].split("\t")[:4] == ["date", "precision", "actor1", "actor2"] and len(tsv) == 3
    assert cli(*args).out == cli(*args, "--format", "tsv").out  # not a terminal: tsv
    md = cli(*args, "--format", "md").out.splitlines()
    assert md[1].startswith("| --- |") and "First report; Second report" in md[3]
    table = cli(*args, "--format", "table").out.splitlines()
    assert table[0].startswith("date ") and set(table[1]) == {"-", " "} and len(table) == 4
    assert cli(*args).err == "2 row(s)\n"


def test_project_option_before_or_after_the_name(cli) -> None:
    after = cli("query", "retracted", "--project", str(FIXTURE), "--format", "json").out
    before = cli("query", "--project", str(FIXTURE), "retracted", "--format", "json").out
    assert after == before and json.loads(after)[0]["id"] == "ana-cy-dinner"


@pytest.mark.parametrize("args, message", [
    (("query", "who-met-hom"), "error: no query named 'who-met-hom'; expected one of actor-timeline"),
    (("query", "who-met-whom", "--before", "2025-13-45"), "error: query who-met-whom: --before '2025-13-45' is not a date"),
    (("query", "who-met-whom", "--actor", "Nobody"), "error: query who-met-whom: --actor: no actor is named 'Nobody'"),
    (("query", "who-met-whom", "--actor", "a"), "error: query who-met-whom: --actor 'a' matches 4 actors"),
    (("sparql", "SELECT ?x WHERE { ?x "), "error: SPARQL syntax error:"),
    (("sparql",), "error: no query given"),
])
def test_usage_errors_exit_2_with_one_line(cli, args: tuple[str, ...], message: str) -> None:
    result = cli(*args, "--project", str(FIXTURE))
    assert result.code == 2
    assert result.err.startswith(message) and result.err.count("\n") == 1


def test_sparql_ad_hoc_and_from_a_file(cli, tmp_path: Path) -> None:
    text = "SELECT ?name WHERE { ?p a tg:Person ; tg:name ?name } ORDER BY ?name"
    result = cli("sparql", text, "--project", str(FIXTURE), "--format", "json")
    assert [r["name"] for r in json.loads(result.out)] == ["Ana Example", "Bo Sample", "Cy Third", "Dee Fourth"]
    path = tmp_path / "ask.rq"
    path.write_text("ASK { ?x a tg:Tariff }")
    assert cli("sparql", "-f", str(path), "--project", str(FIXTURE)).out == "true\n"
    turtle = cli("sparql", "CONSTRUCT { ?p tg:name ?n } WHERE { ?p a tg:Person ; tg:name ?n }",
                 "--project", str(FIXTURE)).out
    assert "Ana Example" in turtle


def test_the_public_api() -> None:
    import tradegraph

    rows = tradegraph.run_query("upcoming-deadlines", project=FIXTURE, as_of="2025-03-15")
    assert rows.columns[:3] == ["date", "deadline", "what"] and rows[0]["what_id"] == "fish-tariff-20"
    assert "who-met-whom" in {q.name for q in tradegraph.list_queries(project=FIXTURE)}
