"""Running canned queries: parse and resolve the parameters, bind them, shape the rows.

>>> rows = run_query("who-met-whom", project="tests/fixtures/minimal")
>>> [(r["actor1"], r["actor2"], r["date"], r["sources"]) for r in rows]
[('Ana Example', 'Bo Sample', '2025-03-13', ['Ana meets Bo'])]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from tradegraph.build.provider import validated_graph
from tradegraph.errors import InvalidModel, Location, UsageError
from tradegraph.project import CONFIG_FILE, Project, builtin_root
from tradegraph.query.catalogue import LIST_SEPARATOR, Query, find_query, load_queries
from tradegraph.query.params import Reference, parse_value
from tradegraph.query.resolve import resolve
from tradegraph.remote.endpoint import RemoteEngine
from tradegraph.remote.transport import Endpoint
from tradegraph.sparql.engine import Answer, Engine, LocalEngine
from tradegraph.sparql.guard import OutOfReach, prepared
from tradegraph.sparql.text import QuerySyntaxError, bind_terms
from tradegraph.store.engine import StoreEngine, Values
from tradegraph.store.oxigraph import FactStore

Value = str | int | Decimal | float | bool | date | list[str] | None
T = TypeVar("T")


class Rows(list):  # type: ignore[type-arg]
    """The answer of a query: a list of rows (dicts keyed by column), and its ``columns``."""

    def __init__(self, columns: list[str], rows: list[dict[str, Value]]) -> None:
        super().__init__(rows)
        self.columns = columns


class QueryRunner:
    """A project's queries on one engine; keeps the engine between queries.

    >>> runner = QueryRunner(Project.open("tests/fixtures/minimal"))
    >>> [(r["who"], r["role"], r["date"]) for r in runner.run("actor-timeline", actor="Ana")]
    [('Ana Example', 'host', '2025-03-13')]
    """

    def __init__(self, project: Project, *, engine: Engine | None = None, base: str | None = None) -> None:
        self.project = project
        self.base = base or project.base
        self._engine = engine

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = LocalEngine(validated_graph(self.project, base=self.base).dataset)
        return self._engine

    def allowing_remote(self) -> QueryRunner:
        """This runner's graph, with ``SERVICE`` allowed to reach http(s) servers (``--allow-remote``)."""
        engine = self.engine
        if isinstance(engine, LocalEngine):
            engine = LocalEngine(engine.dataset, allow_remote=True)
        elif isinstance(engine, StoreEngine):
            engine = StoreEngine(engine.store, allow_remote=True)
        return QueryRunner(self.project, engine=engine, base=self.base)

    def queries(self) -> dict[str, Query]:
        return load_queries(self.project)

    def bindings(self, query: Query, params: Mapping[str, Any]) -> dict[str, Identifier]:
        """The terms ``params`` (as given by a user or a caller) bind, defaults included."""
        for key in params:
            if query.param(key) is None:
                names = ", ".join(p.name for p in query.params) or "none"
                raise UsageError(f"query {query.name} has no parameter '{key}'",
                                 expected=f"one of: {names}", hint=f"see `tradegraph query {query.name} --help`")
        bound: dict[str, Identifier] = {}
        for param in query.params:
            raw = next((v for k, v in params.items() if query.param(k) == param and v is not None),
                       param.default)
            if raw is None:
                continue
            value = parse_value(param, raw, query=query.name)
            if isinstance(value, Reference):
                value = resolve(self.engine, param, value.text, base=self.base, query=query.name)
            bound[param.variable] = value
        if query.setup is not None:
            bound.update(self.computed(query, bound))
        return bound

    def computed(self, query: Query, bound: Mapping[str, Identifier]) -> dict[str, Identifier]:
        """The values the query's setup computes from the parameters ``bound``; none when it
        answers no row (then the query answers none: see :meth:`run_query`)."""
        setup = query.setup
        if setup is None:
            return {}
        answer = self._guarded(query, lambda engine: engine.select(setup, bound), what="setup")
        if len(answer.rows) > 1:
            raise InvalidModel(f"the setup of query {query.name} answered {len(answer.rows)} rows",
                               where=Location(self.project.relative(query.path)),
                               expected="at most one row, whose values are written into the query",
                               hint="make the setup choose one (ORDER BY ... LIMIT 1)")
        found: dict[str, Identifier] = {}
        for row in answer.rows:
            for variable, term in zip(answer.variables, row):
                if variable not in query.computed or term is None:
                    continue
                if not isinstance(term, (URIRef, Literal)):
                    raise InvalidModel(f"the setup of query {query.name} gives ?{variable} a blank node",
                                       where=Location(self.project.relative(query.path)),
                                       expected="an IRI or a literal, which can be written into the query")
                found[variable] = term
        return found

    def run(self, name: str, /, **params: Any) -> Rows:
        """Run the query ``name`` with ``params`` (keyword per parameter, ``as_of`` for ``--as-of``)."""
        query = find_query(self.project, name)
        return self.run_query(query, params)

    def run_query(self, query: Query, params: Mapping[str, Any]) -> Rows:
        """Run a canned query; one that does not parse or reaches out is named by its file.

        A query whose setup answered no row is not run: its answer has its columns and no row.
        """
        bound = self.bindings(query, params)
        if _unanswered(query, bound):
            return shape(Answer(projected(query.text), []), query, base=self.base)
        answer = self._guarded(query, lambda engine: engine.values(query.text, bound, base=self.base)
                               if isinstance(engine, StoreEngine) else engine.select(query.text, bound))
        return shape(answer, query, base=self.base)

    def text_of(self, query: Query, params: Mapping[str, Any]) -> str:
        """The query's text with the parameters and what its setup computes written in as terms.

        A :class:`UsageError` when the setup answers no row: the query then answers no rows
        without running, and no text would stand for that.
        """
        bound = self.bindings(query, params)
        if _unanswered(query, bound):
            raise UsageError(f"the setup of query {query.name} answered no row: the query answers no rows "
                             "and is not run, so it has no text to show",
                             expected="parameters for which the setup finds its row",
                             hint="run the query without --show-sparql to see its (empty) answer")
        return bind_terms(query.text, bound)

    def _guarded(self, query: Query, work: Callable[[Engine], T], *, what: str = "query") -> T:
        """``work`` on the engine; a query (or setup) that does not parse or reaches out is named by its file."""
        where = Location(self.project.relative(query.path))
        try:
            return work(self.engine)
        except QuerySyntaxError as error:
            raise InvalidModel(error.what if what == "query" else f"the setup: {error.what}", where=where,
                               expected=error.expected, hint="fix the query file") from None
        except OutOfReach as error:
            raise OutOfReach(error.what, where=where, expected=error.expected, hint=error.hint) from None

    def sparql(self, text: str) -> Rows | bool | Graph:
        """An ad-hoc query, without parameters: rows (SELECT), a boolean (ASK) or a graph."""
        engine = self.engine
        if isinstance(engine, (RemoteEngine, StoreEngine)):
            result = engine.sparql(text, base=self.base) if isinstance(engine, StoreEngine) else engine.sparql(text)
            return shape(result, None, base=self.base) if isinstance(result, (Answer, Values)) else result
        if not isinstance(engine, LocalEngine):
            return shape(engine.select(text, {}), None, base=self.base)
        result = engine.run(text)
        if result.type == "ASK":
            return bool(result.askAnswer)
        if result.type != "SELECT":
            return result.graph if result.graph is not None else Graph()
        variables = [str(v) for v in result.vars]
        return shape(Answer(variables, [tuple(row) for row in result]), None, base=self.base)


def shape(answer: Answer | Values, query: Query | None, *, base: str) -> Rows:
    """Rows of Python values: parameter columns dropped, list columns split and sorted.

    An :class:`Answer` holds rdflib terms, each made a value by :func:`to_python`; the store's
    :class:`~tradegraph.store.engine.Values` hold those values already.
    """
    plain = isinstance(answer, Values)
    hidden = {p.variable for p in query.params} | set(query.computed) if query else set()
    lists = set(query.lists) if query else set()
    columns = [v for v in answer.variables if v not in hidden]
    rows = []
    for row in answer.rows:
        record: dict[str, Value] = {}
        for variable, term in zip(answer.variables, row):
            if variable in hidden:
                continue
            value = term if plain else to_python(term, base)  # type: ignore[arg-type]
            if variable in lists:
                value = sorted(x for x in str(value or "").split(LIST_SEPARATOR) if x)
            record[variable] = value
        rows.append(record)
    return Rows(columns, rows)


def _unanswered(query: Query, bound: Mapping[str, Identifier]) -> bool:
    """Whether the query has a setup that gave none of its values (answered no row)."""
    return query.setup is not None and not set(query.computed) & set(bound)


def projected(text: str) -> list[str]:
    """The variables a SELECT query's text projects, in order (parsed once a process)."""
    return [str(v) for v in prepared(text).query.algebra["PV"]]


def to_python(term: Identifier | None, base: str) -> Value:
    """A term as a plain value: IRIs under ``base`` become ids, literals their Python value.

    >>> to_python(URIRef("https://w3id.org/tradegraph/id/japan"), "https://w3id.org/tradegraph/id/")
    'japan'
    >>> to_python(Literal("25", datatype="http://www.w3.org/2001/XMLSchema#decimal"), "")
    Decimal('25')
    """
    if term is None:
        return None
    if isinstance(term, URIRef):
        text = str(term)
        return text[len(base):] if text.startswith(base) and "/" not in text[len(base):] else text
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, (str, int, Decimal, float, bool, date)) and not isinstance(value, Literal):
            return value
        return str(term)
    return str(term)


_RUNNERS: dict[tuple[Any, ...], QueryRunner] = {}


def _stamp(project: Project) -> tuple[Any, ...]:
    """What a runner's graph was made from, as this process sees it: every input file's size and
    time (the provider itself trusts a build only by content hashes; this only keeps a runner
    alive between calls in one process)."""
    files = [*project.fact_files(), *project.ontology_files(), *project.shape_files()]
    settings = project.root / CONFIG_FILE
    if settings.exists():
        files.append(settings)
    return (project.root, project.base, *((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files))


def runner_for(project: Project | str | Path | None = None) -> QueryRunner:
    """A runner for the project, reused while its fact, shape, ontology and settings files stay unchanged."""
    opened = project if isinstance(project, Project) else Project.open(project)
    key = _stamp(opened)
    if key not in _RUNNERS:
        for old in [k for k in _RUNNERS if k[0] == opened.root]:
            del _RUNNERS[old]
        _RUNNERS[key] = QueryRunner(opened)
    return _RUNNERS[key]


def remote_runner(project: Project | str | Path | None, endpoint: Endpoint | str) -> QueryRunner:
    """A runner for the project's queries on a SPARQL endpoint (a URL or an :class:`Endpoint`).

    Outside any project (and with no ``project`` given) the built-in queries run there.
    """
    if isinstance(project, Project):
        opened = project
    else:
        try:
            opened = Project.open(project)
        except UsageError:
            if project is not None:
                raise
            opened = Project(builtin_root())
    return QueryRunner(opened, engine=RemoteEngine(endpoint))


def store_runner(project: Project | str | Path | None, store: Path | str) -> QueryRunner:
    """A runner for the project's queries on the store that ``tradegraph build --store`` wrote."""
    opened = project if isinstance(project, Project) else Project.open(project)
    return QueryRunner(opened, engine=FactStore.open(store, base=opened.base).engine())


def run_query(query: str | Query, /, *, project: Project | str | Path | None = None,
              endpoint: Endpoint | str | None = None, store: Path | str | None = None,
              allow_remote: bool = False, **params: Any) -> Rows:
    """Run a canned query (its name, or the :class:`Query` already read) on the project's graph; its rows.

    Parameters are keywords named after the query's header (``as_of`` for ``--as-of``);
    values are strings as typed on the command line or Python values (``date``, ``int``).
    With ``endpoint`` (the query URL of a SPARQL endpoint, or an :class:`Endpoint` with a
    timeout) the query runs there instead, on what ``tradegraph push`` uploaded; with ``store``
    (a directory) on the Oxigraph store that ``tradegraph build --store`` wrote. A local
    query reaches nothing but the graph (see :mod:`tradegraph.sparql.guard`); ``allow_remote``
    lets its ``SERVICE`` calls reach http(s) servers. Given an opened :class:`Project` and a
    :class:`Query`, nothing is opened or read again.
    """
    runner = _runner(project, endpoint, store, allow_remote)
    return runner.run_query(_found(runner, query), params)


def query_text(query: str | Query, /, *, project: Project | str | Path | None = None,
               endpoint: Endpoint | str | None = None, store: Path | str | None = None,
               allow_remote: bool = False, **params: Any) -> str:
    """The canned query's text as an endpoint receives it: ``GIVEN`` written out, ``params`` written in as terms.

    The Oxigraph store receives the same text; rdflib binds the same terms beside it. A parameter
    that names a node is resolved on the graph (or ``endpoint``, or ``store``) as for a run, and
    a setup is run as for a run (``allow_remote`` as for a run).

    >>> text = query_text("sources-of", project="tests/fixtures/minimal", node="ana-bo-meeting")
    >>> [line.strip() for line in text.splitlines() if "ana-bo-meeting" in line][0]
    'GRAPH ?graph { <http://test.example/id/ana-bo-meeting> tg:source ?src ; tg:evidence ?evidence . }'
    """
    runner = _runner(project, endpoint, store, allow_remote)
    return runner.text_of(_found(runner, query), params)


def _found(runner: QueryRunner, query: str | Query) -> Query:
    """``query`` itself, or the runner's project's query of that name."""
    return query if isinstance(query, Query) else find_query(runner.project, query)


def run_sparql(text: str, /, *, project: Project | str | Path | None = None,
               endpoint: Endpoint | str | None = None, store: Path | str | None = None,
               allow_remote: bool = False) -> Rows | bool | Graph:
    """Run an ad-hoc SPARQL query on the project's graph (or ``endpoint``, or ``store``): rows, a boolean (ASK) or a graph.

    Locally the query reaches only the graph: ``SERVICE`` is refused unless ``allow_remote``
    (http and https only), ``FROM`` names only the project's graphs and never loads a document.

    >>> run_sparql("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", project="tests/fixtures/minimal")
    Traceback (most recent call last):
    ...
    tradegraph.sparql.guard.OutOfReach: the query reads FROM <file:///etc/passwd>, which is not a graph of the project; expected FROM and FROM NAMED of the project's graphs only (hint: a query never loads documents; list the graphs with `SELECT DISTINCT ?g WHERE { GRAPH ?g {} }`)
    """  # noqa: E501 (a doctest's expected message is one line)
    return _runner(project, endpoint, store, allow_remote).sparql(text)


def _runner(project: Project | str | Path | None, endpoint: Endpoint | str | None,
            store: Path | str | None, allow_remote: bool = False) -> QueryRunner:
    if endpoint is not None and store is not None:
        raise UsageError("--endpoint and --store name two different graphs",
                         expected="one of them, or neither for the project's own graph")
    if endpoint is not None:
        return remote_runner(project, endpoint)
    runner = store_runner(project, store) if store is not None else runner_for(project)
    return runner.allowing_remote() if allow_remote else runner


def list_queries(*, project: Project | str | Path | None = None) -> list[Query]:
    """Every canned query of the project (or the built-in ones), sorted by name."""
    opened = project if isinstance(project, Project) else Project.open(project)
    return [q for _, q in sorted(load_queries(opened).items())]
