"""The embedded Oxigraph store: the facts and the ontology, for queries at millions of triples.

The build writes into it (in memory, or on disk with ``--store DIR``) and every canned query
runs on it through :class:`StoreEngine`, with parameters bound as terms (pyoxigraph
``substitutions``) and the union of the named graphs as the default graph, as rdflib does
in memory. The store holds what :func:`tradegraph.build.dataset.load_dataset` holds: one named
graph per source and per actors file, and the ontology in ``<base>graph/ontology``.

>>> from tradegraph.project import Project
>>> store = load_store(Project.open("tests/fixtures/minimal"))
>>> answer = store.engine().select("SELECT ?name WHERE { ?x tg:name ?name } ORDER BY ?name LIMIT 1", {})
>>> [str(row[0]) for row in answer.rows]
['Ana Example']
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Identifier

from tradegraph.errors import UsageError
from tradegraph.facts.loader import Facts, load_facts
from tradegraph.progress import Progress
from tradegraph.project import Project
from tradegraph.rdf.graphs import ONTOLOGY_GRAPH, ontology_graph
from tradegraph.rdf.namespaces import QUERY_PREFIXES
from tradegraph.rdf.oxterms import from_ox, nquad, to_ox
from tradegraph.sparql.engine import Answer, capped, excerpt, failed, interruptible
from tradegraph.sparql.text import syntax_error

#: Lines of N-Quads handed to Oxigraph's bulk loader at once.
CHUNK = 500_000


class StoreEngine:
    """SPARQL on an Oxigraph store, over the union of its named graphs.

    As on rdflib, a query reaches only the store: no ``SERVICE`` unless ``allow_remote``
    (Oxigraph would call it over HTTP), ``FROM`` only of the store's graphs.
    """

    def __init__(self, store: ox.Store, *, allow_remote: bool = False) -> None:
        self.store = store
        self.allow_remote = allow_remote

    def graph_names(self) -> set[str]:
        """The IRIs of the store's named graphs: what ``FROM`` may name."""
        return {g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)}

    def _query(self, text: str, substitutions: dict[Any, Any] | None = None) -> Answer | bool | list[Any]:
        """The whole answer (rows, a boolean or triples), on a thread of its own.

        Oxigraph evaluates without looking at signals, so the query runs on a daemon thread
        and this one waits, where a deadline (``--timeout``) can stop the wait.
        """
        from tradegraph.sparql.guard import check_text

        named = check_text(text, graphs=self.graph_names, allow_remote=self.allow_remote)
        return interruptible(lambda: self._evaluate(text, substitutions, union=not named))

    def _evaluate(self, text: str, substitutions: dict[Any, Any] | None, *, union: bool) -> Answer | bool | list[Any]:
        """The answer; the default graph is the union of the graphs unless the query names its own (FROM)."""
        try:
            result = self.store.query(text, prefixes=QUERY_PREFIXES, use_default_graph_as_union=union,
                                      substitutions=substitutions)
            if isinstance(result, ox.QueryBoolean):
                return bool(result)
            if isinstance(result, ox.QuerySolutions):  # evaluation is lazy: a row can fail as it is read
                variables = [v.value for v in result.variables]
                return Answer(variables, [tuple(from_ox(row[v]) for v in variables) for row in capped(result)])
            return list(capped(result))
        except SyntaxError as exc:
            raise syntax_error(exc) from None
        except OSError as exc:
            raise failed(exc, remote=self.allow_remote) from None
        except RuntimeError as exc:
            raise _unsupported(exc) from None

    def select(self, text: str, bindings: Mapping[str, Identifier]) -> Answer:
        """A SELECT with ``bindings`` substituted as terms."""
        result = self._query(text, {ox.Variable(k): to_ox(v) for k, v in bindings.items()})
        if not isinstance(result, Answer):
            raise UsageError("the query is not a SELECT", expected="SELECT ...")
        return result

    def sparql(self, text: str) -> Answer | bool | Graph:
        """Any query form: rows (SELECT), a boolean (ASK) or a graph (CONSTRUCT, DESCRIBE)."""
        result = self._query(text)
        if not isinstance(result, list):
            return result
        graph = Graph()
        for prefix, namespace in QUERY_PREFIXES.items():
            graph.bind(prefix, namespace)
        for triple in result:
            graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))  # type: ignore[arg-type]
        return graph


def _unsupported(exc: RuntimeError) -> UsageError:
    """The one line for a query Oxigraph parsed but cannot evaluate (pyoxigraph's RuntimeError:
    a function it does not know, such as a custom ``<http://example.org/f>(?x)``)."""
    return UsageError(f"the query cannot run on the store: {excerpt(exc)}",
                      expected="a query of SPARQL 1.1's own functions",
                      hint="drop or replace the function Oxigraph does not support")


class FactStore:
    """An Oxigraph store of a project's facts and ontology, and where it lies (``None``: memory)."""

    def __init__(self, store: ox.Store, base: str, path: Path | None = None, facts: Facts | None = None) -> None:
        self.store, self.base, self.path, self.facts = store, base, path, facts

    @classmethod
    def open(cls, path: Path | str, *, base: str) -> FactStore:
        """A store written by ``tradegraph build --store DIR``, opened read-only."""
        folder = Path(path)
        if not (folder / "CURRENT").is_file():
            raise UsageError(f"no store at {folder}", expected="a directory written by `tradegraph build --store DIR`",
                             hint=f"run `tradegraph build --store {folder}` first")
        try:
            return cls(ox.Store.read_only(str(folder)), base, folder)
        except OSError as exc:
            raise UsageError(f"cannot open the store at {folder}: {exc}") from None

    def engine(self, *, allow_remote: bool = False) -> StoreEngine:
        return StoreEngine(self.store, allow_remote=allow_remote)

    def __len__(self) -> int:
        return len(self.store)

    def fact_graphs(self) -> list[Any]:
        """Every named graph but the ontology's."""
        ontology = ox.NamedNode(self.base + ONTOLOGY_GRAPH)
        return sorted((g for g in self.store.named_graphs() if g != ontology), key=str)

    def query_facts(self, text: str) -> Any:
        """A query over the facts' graphs only (the ontology left out), as pyoxigraph answers it."""
        return self.store.query(text, prefixes=QUERY_PREFIXES, default_graph=self.fact_graphs())

    def triples(self) -> Iterator[Any]:
        """The distinct triples of the facts' graphs, as pyoxigraph triples."""
        return iter(self.query_facts("CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"))

    def count(self) -> int:
        """How many distinct triples the facts' graphs hold."""
        rows = self.query_facts("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
        return int(next(iter(rows))["n"].value)


class QuadWriter:
    """Takes the loader's triples as N-Quads and bulk-loads them into a store, a chunk at a time.

    Oxigraph loads a chunk on a thread of its own (it lets go of the GIL) while the loader
    makes the next one, so the two overlap; at most one chunk waits. :meth:`close` waits for
    the last chunk and raises what the loading thread raised.
    """

    def __init__(self, store: ox.Store, base: str, *, on_flush: Callable[[int], None] | None = None) -> None:
        self.store, self.base, self.on_flush = store, base, on_flush
        self.lines: list[str] = []
        self.written = 0
        self._graphs: dict[str, _NamedGraph] = {}
        self._pending: Future[None] | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tradegraph-bulk-load")

    def graph(self, name: str) -> _NamedGraph:
        if name not in self._graphs:
            self._graphs[name] = _NamedGraph(self, f"<{self.base}graph/{name}>")
        return self._graphs[name]

    def flush(self) -> None:
        """Hand the lines written so far to the loading thread (after the chunk before them)."""
        if not self.lines:
            return
        chunk, count = "".join(self.lines).encode("utf-8"), len(self.lines)
        self.lines = []
        self._wait()
        self._pending = self._pool.submit(self._load, chunk, count)

    def _load(self, chunk: bytes, count: int) -> None:
        self.store.bulk_load(chunk, ox.RdfFormat.N_QUADS)
        self.written += count
        if self.on_flush:
            self.on_flush(count)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def close(self) -> None:
        """Load what is left and wait for it; the loading thread's error, if any, is raised here."""
        try:
            self.flush()
            self._wait()
        finally:
            self._pool.shutdown(wait=True)


class _NamedGraph:
    """What the loader writes to: ``add((s, p, o))``, as on an rdflib graph."""

    __slots__ = ("iri", "writer")

    def __init__(self, writer: QuadWriter, iri: str) -> None:
        self.writer, self.iri = writer, iri

    def add(self, triple: tuple[Identifier, Identifier, Identifier]) -> None:
        writer = self.writer
        writer.lines.append(nquad(*triple, self.iri))
        if len(writer.lines) >= CHUNK:
            writer.flush()


def load_store(project: Project, *, path: Path | None = None, base: str | None = None,
               progress: Progress | None = None) -> FactStore:
    """Load the project's facts (YAML and bulk) and ontology into a new store.

    ``path`` is a directory for an on-disk store (created; it must not hold a store yet);
    ``None`` keeps the store in memory. Bad records raise
    :class:`~tradegraph.errors.InvalidData` as :func:`~tradegraph.facts.loader.load_facts` does.
    """
    if path is not None and path.exists() and any(path.iterdir()):
        raise UsageError(f"{path} is not empty", expected="a new or empty directory for the store")
    store = ox.Store(str(path)) if path is not None else ox.Store()
    base = base or project.base
    writer = QuadWriter(store, base, on_flush=progress.triples if progress else None)
    try:
        try:
            facts = load_facts(project, base=base, graphs=writer.graph,
                               on_record=progress.facts if progress else None)
        finally:
            writer.close()
        ontology = ox.NamedNode(base + ONTOLOGY_GRAPH)  # blank nodes too: added as terms, not text
        store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), ontology) for s, p, o in ontology_graph(project))
    except BaseException:
        del store
        if path is not None:
            shutil.rmtree(path, ignore_errors=True)
        raise
    return FactStore(store, base, path, facts)
