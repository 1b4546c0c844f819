"""The embedded Oxigraph store: the facts and the ontology, for queries at millions of triples.

The build writes into it (in memory, or on disk with ``--store DIR``) and every canned query
runs on it through :class:`~tradegraph.store.engine.StoreEngine`. The store holds what
:func:`tradegraph.build.dataset.load_dataset` holds: one named graph per source and per actors
file, and the ontology in ``<base>graph/ontology``.

>>> from tradegraph.project import Project
>>> store = load_store(Project.open("tests/fixtures/minimal"))
>>> answer = store.engine().select("SELECT ?name WHERE { ?x tg:name ?name } ORDER BY ?name LIMIT 1", {})
>>> [str(row[0]) for row in answer.rows]
['Ana Example']
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from tradegraph.errors import UsageError
from tradegraph.facts.loader import Facts, Triple, load_facts
from tradegraph.progress import Progress
from tradegraph.project import Project
from tradegraph.rdf.graphs import DERIVED_GRAPH, ONTOLOGY_GRAPH, ontology_graph
from tradegraph.rdf.namespaces import QUERY_PREFIXES
from tradegraph.rdf.oxterms import iri, to_ox
from tradegraph.store.engine import StoreEngine

#: Lines of N-Quads handed to Oxigraph's bulk loader at once. Smaller chunks let the loading
#: thread start sooner (at 20k events, 440k quads: five chunks that overlap the loader's work, not
#: one after it) and hold less text (peak RSS 393 MB -> 254 MB), for ~10% more of Oxigraph's time.
CHUNK = 100_000


class FactStore:
    """An Oxigraph store of a project's facts and ontology, and where it lies (``None``: memory)."""

    def __init__(self, store: ox.Store, base: str, path: Path | None = None, facts: Facts | None = None) -> None:
        self.store, self.base, self.path, self.facts = store, base, path, facts
        #: With :func:`load_store`'s ``copy``: how many bytes of it hold the facts (the ontology follows),
        #: and where each file's are.
        self.copied_facts: int | None = None
        self.ranges: FileRanges | None = None

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

    def in_facts(self, pattern: str, *, graph: str = "_graph") -> str:
        """``pattern`` matched within any one graph of the facts, not the ontology's: a group to
        put in a query given to :meth:`query`, where the store's indexes find it directly.

        A solution comes once per graph that holds it (SELECT DISTINCT where that matters); the
        graph is bound to the variable named ``graph`` (one name for each use in a query).
        """
        return (f"GRAPH ?{graph} {{ {pattern} }} "
                f"FILTER (?{graph} NOT IN (<{self.base}{ONTOLOGY_GRAPH}>, <{self.base}{DERIVED_GRAPH}>))")

    def query(self, text: str) -> Any:
        """A query over the store as it is (the named graphs by name), with the usual prefixes."""
        return self.store.query(text, prefixes=QUERY_PREFIXES)

    def triples(self) -> Iterator[Any]:
        """The triples of the facts' graphs, graph by graph, as pyoxigraph triples: a triple
        that two graphs state may come twice (it is still one triple of the graph they make).
        ``DISTINCT`` would hold every triple in memory: 5 GB, and 45% of the time, at 34M."""
        return iter(self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {self.in_facts('?s ?p ?o')} }}"))

    def count(self) -> int:
        """How many distinct triples the facts' graphs hold."""
        rows = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {self.in_facts('?s ?p ?o')} }} }}")
        return int(next(iter(rows))["n"].value)


class QuadWriter:
    """Takes the loader's triples (N-Triples text) as N-Quads and bulk-loads them into a store,
    a chunk at a time.

    Oxigraph loads a chunk on a thread of its own (it lets go of the GIL) while the loader
    makes the next one, so the two overlap; at most one chunk waits. :meth:`close` waits for
    the last chunk and raises what the loading thread raised. With ``copy``, every chunk is
    also written there, as it goes, so the same N-Quads can be read again (by the SHACL
    engine) without dumping the store.
    """

    def __init__(self, store: ox.Store, base: str, *, on_flush: Callable[[int], None] | None = None,
                 copy: BinaryIO | None = None) -> None:
        self.store, self.base, self.on_flush, self.copy = store, base, on_flush, copy
        self.lines: list[str] = []
        self.written = 0
        self._graphs: dict[str, _NamedGraph] = {}
        self._pending: Future[None] | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tradegraph-bulk-load")

    def graph(self, name: str) -> _NamedGraph:
        if name not in self._graphs:
            self._graphs[name] = _NamedGraph(self, iri(f"{self.base}graph/{name}"))
        return self._graphs[name]

    def flush(self) -> None:
        """Hand the lines written so far to the loading thread (after the chunk before them)."""
        if not self.lines:
            return
        chunk, count = "".join(self.lines).encode("utf-8"), len(self.lines)
        self.lines = []
        if self.copy is not None:
            self.copy.write(chunk)
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
    """A named graph as the loader writes to it (a :class:`~tradegraph.facts.loader.Sink`): each
    triple becomes a line of N-Quads, its terms' text as the loader wrote it."""

    __slots__ = ("iri", "writer")

    def __init__(self, writer: QuadWriter, iri: str) -> None:
        self.writer, self.iri = writer, iri

    def extend(self, triples: list[Triple]) -> None:
        lines, graph = self.writer.lines, self.iri
        lines.extend([f"{s} {p} {o} {graph} .\n" for s, p, o in triples])
        if len(lines) >= CHUNK:
            self.writer.flush()


class FileRanges:
    """The loader's framing (a :class:`~tradegraph.facts.loader.FileHooks`) when it writes into
    a :class:`QuadWriter` with a copy: where each file's N-Quads start and end in the copy, the
    ids they depended on and the graphs they went to (what an incremental build keeps)."""

    def __init__(self, writer: QuadWriter, copy: BinaryIO) -> None:
        self.writer, self.copy = writer, copy
        self.ranges: dict[str, tuple[int, int]] = {}
        self.deps: dict[str, list[str]] = {}
        self.graphs: dict[str, list[str]] = {}
        self._start = 0

    def kept(self, shown: str) -> None:
        return None

    def chosen(self, loader: Any) -> None:
        return None

    def begin(self, shown: str) -> None:
        self.writer.flush()
        self._start = self.copy.tell()

    def end(self, shown: str, deps: set[str], graphs: set[str]) -> None:
        self.writer.flush()
        self.ranges[shown] = (self._start, self.copy.tell())
        self.deps[shown], self.graphs[shown] = sorted(deps), sorted(graphs)


def load_store(project: Project, *, path: Path | None = None, base: str | None = None,
               progress: Progress | None = None, copy: BinaryIO | None = None) -> FactStore:
    """Load the project's facts (YAML and bulk) and ontology into a new store.

    ``path`` is a directory for an on-disk store (created; it must not hold a store yet);
    ``None`` keeps the store in memory. ``copy`` is a binary file that receives every quad
    loaded as N-Quads, streamed, for :func:`tradegraph.shacl.fast.validate_store`'s ``nquads``:
    the facts first, in the order the loader wrote them, then the ontology; the result's
    ``copied_facts`` says where the facts end. Bad records raise
    :class:`~tradegraph.errors.InvalidData` as :func:`~tradegraph.facts.loader.load_facts` does.
    """
    if path is not None and path.exists() and any(path.iterdir()):
        raise UsageError(f"{path} is not empty", expected="a new or empty directory for the store")
    store = ox.Store(str(path)) if path is not None else ox.Store()
    base = base or project.base
    writer = QuadWriter(store, base, on_flush=progress.triples if progress else None, copy=copy)
    ranges = FileRanges(writer, copy) if copy is not None else None
    try:
        try:
            facts = load_facts(project, base=base, graphs=writer.graph,
                               on_record=progress.facts if progress else None, hooks=ranges)
        finally:
            writer.close()
        ontology = ox.NamedNode(base + ONTOLOGY_GRAPH)  # blank nodes too: added as terms, not text
        quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), ontology) for s, p, o in ontology_graph(project)]
        store.extend(quads)
        copied = None
        if copy is not None:  # the store's own labels for the blank nodes, which the copy keeps
            copy.flush()
            copied = copy.tell()
            ox.serialize(quads, copy, ox.RdfFormat.N_QUADS)
    except BaseException:
        del store
        if path is not None:
            shutil.rmtree(path, ignore_errors=True)
        raise
    loaded = FactStore(store, base, path, facts)
    loaded.copied_facts, loaded.ranges = copied, ranges
    return loaded
