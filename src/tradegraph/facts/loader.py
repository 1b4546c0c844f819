"""Curated facts (YAML) to RDF: one named graph per source document, one per actors file.

Every record becomes a node ``<base><id>``; every fact in a source file cites the source
(``tg:source``) and its evidence (``tg:evidence``). What a field becomes is declared in
``model.yaml``; this module only follows it. Loading never stops at the first problem: it
collects every bad record and raises one :class:`~tradegraph.errors.InvalidData` listing
them, each on a line of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from rdflib import OWL, RDF, RDFS, XSD, Dataset, Namespace, URIRef

from tradegraph.errors import InvalidData, Location, TradegraphError, did_you_mean
from tradegraph.facts import fieldvalues
from tradegraph.facts.bulk import BulkRecord, LineRef, read_bulk
from tradegraph.facts.fieldvalues import type_name as _type_name
from tradegraph.facts.fieldvalues import value_name as _value_name
from tradegraph.facts.model import ID_PATTERN, Field, Kind, Model, load_model
from tradegraph.facts.when import TimeSpec, parse_when
from tradegraph.files.yamlfile import YList, YMap, load_yaml
from tradegraph.project import BULK_SUFFIXES, Project, check_base
from tradegraph.rdf.namespaces import TG, TIME
from tradegraph.rdf.oxterms import from_nt, iri, literal

_ID = re.compile(ID_PATTERN)
MAX_ERRORS = 50
#: Named graphs that hold something other than facts: ``<base>graph/ontology`` (the
#: ontology, in the query dataset and the store) and ``<base>graph/inferred`` (what reasoning
#: adds). No source or actors file may take these names.
RESERVED_GRAPHS = {"ontology": "the ontology", "inferred": "the inferred triples", "derived": "the derived triples"}
#: A triple as the loader writes it: subject, predicate and object in N-Triples syntax.
Triple = tuple[str, str, str]
_TYPE, _LABEL, _SAME_AS = iri(RDF.type), iri(RDFS.label), iri(OWL.sameAs)
_SOURCE, _FIRST_REPORTED, _EVENT_TYPE, _PUBLISHED, _CORRECTS, _CORRECTION, _RETRACTS = (
    iri(TG[name]) for name in ("source", "firstReported", "eventType", "publicationDate", "corrects",
                               "correction", "retracts"))
_TIME_SPEC, _INSTANT, _INTERVAL, _QUOTE, _PARTICIPATION = (
    iri(TG.TimeSpec), iri(TIME.Instant), iri(TIME.Interval), iri(TG.Quote), iri(TG.Participation))
_PRECISION, _EARLIEST, _LATEST, _IN_XSD_DATE, _AS_WRITTEN, _RESOLUTION, _PARTICIPATES, _AGENT, _ROLE = (
    iri(TG.precision), iri(TG.earliest), iri(TG.latest), iri(TIME.inXSDDate), iri(TG.asWritten),
    iri(TG.resolution), iri(TG.participation), iri(TG.agent), iri(TG.role))


class Sink(Protocol):
    """Where the triples of a named graph go: each record's triples at once, in order."""

    def extend(self, triples: list[Triple]) -> None: ...


class KeptRef:
    """Where a record of a YAML file is, kept by an incremental build instead of its data: its
    line and the line of each of its fields, which is all that a report and the checks across
    files ask of a record whose file did not change (:mod:`tradegraph.build.incremental`)."""

    __slots__ = ("line", "lines", "path")

    def __init__(self, path: str, line: int, lines: dict[str, int]) -> None:
        self.path, self.line, self.lines = path, line, lines

    def where(self, key: str | None = None) -> Location:
        return Location(self.path, self.line if key is None else self.lines.get(key, self.line))

    def __contains__(self, key: object) -> bool:
        return key in self.lines


class FileHooks(Protocol):
    """What an incremental build asks of the loader (:mod:`tradegraph.build.incremental`).

    ``kept`` gives, for a file that did not change, the entries of the index the loader made of
    it last time (see :meth:`_Loader.index_of`), which the loader takes instead of reading the
    file; ``chosen`` names, once every file is indexed, the files whose triples to write (the
    others' are kept from the last build; ``None``: every file); ``begin`` and ``end`` frame the triples of each file
    written, and ``end`` is told which ids its triples depended on and which graphs they went to.
    """

    def kept(self, shown: str) -> list[Any] | None: ...

    def chosen(self, loader: Any) -> set[str] | None: ...

    def begin(self, shown: str) -> None: ...

    def end(self, shown: str, deps: set[str], graphs: set[str]) -> None: ...


class StaleFile(Exception):
    """A file kept from the last build no longer holds what its index says (changed meanwhile)."""


class _DatasetSink:
    """A named graph of an rdflib dataset, taking the loader's text triples as rdflib terms."""

    __slots__ = ("graph", "terms")

    def __init__(self, graph: Any, terms: dict[str, Any]) -> None:
        self.graph, self.terms = graph, terms

    def extend(self, triples: list[Triple]) -> None:
        for triple in triples:
            self.graph.add(tuple(self._term(text) for text in triple))

    def _term(self, text: str) -> Any:
        made = self.terms.get(text)
        if made is None:
            made = self.terms[text] = from_nt(text)
        return made


class InvalidFacts(InvalidData):
    """Several bad records at once; ``errors`` holds each, and the message lists them."""

    def __init__(self, errors: list[TradegraphError]) -> None:
        self.errors = errors
        super().__init__(errors[0].what, where=errors[0].where,
                         expected=errors[0].expected, hint=errors[0].hint)

    @property
    def message(self) -> str:
        return "\n".join(TradegraphError.message.fget(e) for e in self.errors)  # type: ignore[attr-defined]


@dataclass(slots=True)
class Record:
    """One record of a fact file: its id, kind, data, and where it came from.

    A record of a bulk file (:mod:`tradegraph.facts.bulk`) keeps only its line (a
    :class:`~tradegraph.facts.bulk.LineRef`); its data is read again when its triples are written.
    """

    id: str
    kind: Kind
    data: YMap | LineRef | KeptRef
    graph: str            # the local name of its named graph: "actors" or a source id
    source: str | None    # the source id for facts in a source file

    @property
    def where(self) -> Location:
        return self.data.where("id" if "id" in self.data else None)


@dataclass
class Facts:
    """What :func:`load_facts` returns: the dataset and the records it came from."""

    dataset: Dataset
    records: dict[str, Record]
    files: list[Path]
    base: str
    #: What indexing each file did (by its path as shown), for an incremental build's cache.
    index_of: Callable[[str], list[Any]] | None = None

    def graph_iri(self, name: str) -> URIRef:
        return URIRef(f"{self.base}graph/{name}")


def load_facts(project: Project, *, base: str | None = None, files: list[Path] | None = None,
               graphs: Callable[[str], Sink] | None = None,
               on_record: Callable[[int], None] | None = None, hooks: FileHooks | None = None) -> Facts:
    """Load a project's fact files (or just ``files``) into a :class:`Facts`.

    ``graphs`` maps a named graph's name to where its triples go (a :class:`Sink`, which
    takes them as N-Triples text, such as :meth:`tradegraph.store.QuadWriter.graph`); by
    default they go to the in-memory dataset of the result, as rdflib terms made from that text.
    ``on_record`` is told of records written, for a progress bar. ``hooks`` make the load
    incremental (see :class:`FileHooks`).

    >>> from tradegraph.project import Project
    >>> facts = load_facts(Project.open("tests/fixtures/minimal"))
    >>> len(facts.records) > 0
    True
    """
    checked = project.base if base is None else check_base(base, Location("--base"))
    loader = _Loader(project, checked, graphs)
    loader.on_record = on_record
    loader.hooks = hooks
    return loader.run(files)


class _Loader:
    def __init__(self, project: Project, base: str, graphs: Callable[[str], Sink] | None = None) -> None:
        self.project = project
        self.graphs = graphs
        self.on_record: Callable[[int], None] | None = None
        self.hooks: FileHooks | None = None
        self.base = base
        self.model: Model = load_model()
        self.default_event_type = self.model.default_event_type  # made anew at each look-up
        self.errors: list[TradegraphError] = []
        self.records: dict[str, Record] = {}
        self.bulk_paths: list[Path] = []
        self.owners: dict[str, str] = {}            # named graph -> the file that defines it
        self.published: dict[str, date] = {}       # source id -> its publication day
        self.citing: dict[str, list[str]] = {}     # fact id -> the sources of citations of it
        self._terms: dict[str, str] = {}            # CURIE -> IRI, made once each
        self._days: dict[date, str] = {}            # day -> xsd:date literal, made once each
        self._rdflib: dict[str, Any] = {}           # text -> rdflib term, for the dataset
        self._fields: dict[str, tuple[dict[str, Field], Field | None]] = {}  # kind -> fields, target field
        self.file_records: dict[str, list[Record]] = {}  # YAML file (as shown) -> its records, in order
        self.file_ops: dict[str, list[Any]] = {}         # file (as shown) -> what indexing it did, in order
        self._ops: list[Any] | None = None               # the file being indexed: what it did so far
        self._refreshing = False                         # reading a kept file again for its data
        self._shown = ""                                 # the file being indexed, as shown
        self.cites: dict[str, str] = {}                 # citation -> the fact it is of
        self.deps: set[str] | None = None                # the ids the file being written looked up
        self._graphs_used: set[str] = set()              # the graphs the file being written wrote to
        self.dataset = Dataset(default_union=True)
        self.dataset.bind("tg", TG)
        self.dataset.bind("time", TIME)
        self.dataset.bind("tgid", Namespace(base))
        for prefix, namespace in self.model.prefixes.items():
            self.dataset.bind(prefix, Namespace(namespace))

    # ------------------------------------------------------------------ driver
    def run(self, files: list[Path] | None) -> Facts:
        paths = files if files is not None else self.project.fact_files()
        for path in paths:
            self._guard(self._index_file, path)
        self._raise_if_errors()
        chosen = self.hooks.chosen(self) if self.hooks is not None else None
        for path in paths:
            shown = self.project.relative(path)
            if path.suffix.lower() in BULK_SUFFIXES or (chosen is not None and shown not in chosen):
                continue
            if self.file_records.get(shown) and isinstance(self.file_records[shown][0].data, KeptRef):
                self._refresh(path)
            self._begin(shown)
            for record in self.file_records.get(shown, ()):
                self._guard(self._emit, record)
            self._end(shown)
        for path in self.bulk_paths:  # streamed again: a bulk file is never held in memory
            shown = self.project.relative(path)
            if chosen is not None and shown not in chosen:
                continue
            self._begin(shown)
            for number, (item, _) in enumerate(self._bulk_lines(path), start=1):
                self._guard(self._emit_line, item)
                if self.on_record is not None and number % 10_000 == 0:
                    self.on_record(10_000)
            self._end(shown)
        self._raise_if_errors()
        return Facts(self.dataset, self.records, paths, self.base, self.index_of if self.hooks is not None else None)

    def _begin(self, shown: str) -> None:
        if self.hooks is not None:
            self.deps, self._graphs_used = set(), set()
            self.hooks.begin(shown)

    def _end(self, shown: str) -> None:
        if self.hooks is not None and self.deps is not None:
            self.hooks.end(shown, self.deps, self._graphs_used)
            self.deps = None

    def _index_file(self, path: Path) -> None:
        """Index a file (pass 1): read it, or take what the hooks kept of it."""
        shown = self.project.relative(path)
        kept = self.hooks.kept(shown) if self.hooks is not None else None
        self._ops = self.file_ops[shown] = []
        self._shown = shown
        try:
            if kept is None:
                self._read_file(path)
            else:
                self._replay(path, shown, kept)
        finally:
            self._ops = None

    def index_of(self, shown: str) -> list[Any]:
        """What indexing the file did, as JSON-ready entries :meth:`_replay` takes again: each
        record (id, kind, graph, source, line, the line of each field or none for a line of a
        bulk file, publication day, the fact a citation is of) and each graph claimed."""
        entries: list[Any] = []
        for op in self.file_ops.get(shown, ()):
            if isinstance(op, Record):
                data = op.data
                lines = dict(data.lines) if isinstance(data, KeptRef) else (
                    {key: data.line_of(key) for key in data} if isinstance(data, YMap) else None)
                day = self.published.get(op.id) if op.kind.name == "source" else None
                entries.append(["r", op.id, op.kind.name, op.graph, op.source, data.line, lines,
                                day.isoformat() if day else None, self.cites.get(op.id)])
            else:
                entries.append(op)
        return entries

    def _replay(self, path: Path, shown: str, entries: list[Any]) -> None:
        """Index a file that did not change from what :meth:`index_of` gave last time."""
        bulk = path.suffix.lower() in BULK_SUFFIXES
        if bulk:
            self.bulk_paths.append(path)
        for entry in entries:
            if entry[0] == "c":
                _, name, line, what = entry
                if bulk:
                    self._guard(self._claim, name, shown, Location(shown, line), what)
                else:
                    self._claim(name, shown, Location(shown, line), what)
                continue
            _, ident, kind, graph, source, line, lines, day, of = entry
            data: LineRef | KeptRef = LineRef.at(shown, line) if lines is None else KeptRef(shown, line, lines)
            if ident in self.records:
                first = self.records[ident].where
                self.errors.append(InvalidData(f"duplicate id '{ident}' (first defined at {first})",
                                               where=data.where("id"), expected="ids unique across all fact files",
                                               hint="rename one, or merge the two records"))
                continue
            record = Record(ident, self.model.kinds[kind], data, graph, source)
            self.records[ident] = record
            self._note(record)
            if day is not None:
                self.published[ident] = date.fromisoformat(day)
            if of is not None and source:
                self.citing.setdefault(of, []).append(source)
                self.cites[ident] = of

    def _note(self, record: Record) -> None:
        """Keep a record in the index of the file being indexed (and a YAML file's list)."""
        if self._ops is not None:
            self._ops.append(record)
        if not isinstance(record.data, (LineRef, BulkRecord)):
            self.file_records.setdefault(self._shown, []).append(record)

    def _refresh(self, path: Path) -> None:
        """Read a kept YAML file again, for the data of its records (their triples are written)."""
        self._refreshing = True
        try:
            self._read_file(path)
        finally:
            self._refreshing = False
        if any(isinstance(r.data, KeptRef) for r in self.file_records[self.project.relative(path)]):
            raise StaleFile(self.project.relative(path))

    def graph(self, name: str) -> Sink:
        """The named graph ``<base>graph/NAME`` that a record's triples go to."""
        if self.deps is not None:
            self._graphs_used.add(name)
        if self.graphs is not None:
            return self.graphs(name)
        return _DatasetSink(self.dataset.graph(URIRef(f"{self.base}graph/{name}")), self._rdflib)

    def _guard(self, fn: Any, *args: Any) -> None:
        try:
            fn(*args)
        except InvalidFacts as many:
            self.errors.extend(many.errors)
        except InvalidData as error:
            self.errors.append(error)
        if len(self.errors) >= MAX_ERRORS:
            self._raise_if_errors()

    def _raise_if_errors(self) -> None:
        if self.errors:
            raise InvalidFacts(self.errors)

    # ------------------------------------------------------------------ pass 1: read and index
    def _read_file(self, path: Path) -> None:
        shown = self.project.relative(path)
        if path.suffix.lower() in BULK_SUFFIXES:
            self.bulk_paths.append(path)
            for item, where in self._bulk_lines(path, index=True):
                record = self._add(item, item.kind, item.graph, item.source, where)
                if record is None:
                    continue
                record.data = LineRef(where)
                if item.kind.where == "actors" and self.owners.get(item.graph) != shown:
                    self._guard(self._claim, item.graph, shown, where, f"the actors of {shown}")
                elif item.kind.name == "source":
                    self._guard(self._claim, record.id, shown, where, f"source '{record.id}'")
            return
        doc = load_yaml(path, shown)
        is_source = path.parent.name == "sources"
        if not isinstance(doc, YMap):
            raise InvalidData(f"the file holds a {_type_name(doc)} at the top", where=Location(shown, 1),
                              expected="a mapping with `source:` and `facts:`" if is_source else
                              "a mapping of sections such as `people:` and `countries:`")
        if is_source:
            self._read_source_file(doc, shown)
        else:
            self._claim(path.stem, shown, Location(shown), f"the actors file {shown}")
            self._read_actors_file(doc, path.stem)

    def _read_actors_file(self, doc: YMap, graph: str) -> None:
        for section, items in doc.items():
            kind = self.model.kind_by_section(section)
            if kind is None:
                raise InvalidData(f"unknown section '{section}'", where=doc.where(section),
                                  expected="one of " + ", ".join(self.model.sections),
                                  hint=did_you_mean(section, self.model.sections)
                                  or "facts from a source go in graph/sources/NAME.yaml")
            for item, where in self._items(items, doc.where(section), section):
                self._add(item, kind, graph, None, where)

    def _read_source_file(self, doc: YMap, shown: str) -> None:
        for key in doc:
            if key not in ("source", "facts"):
                raise InvalidData(f"unknown top-level key '{key}'", where=doc.where(key),
                                  expected="`source:` and `facts:`", hint=did_you_mean(key, ["source", "facts"]))
        if "source" not in doc:
            raise InvalidData("the file has no `source:` header", where=Location(shown, 1),
                              expected="`source:` with id, title, publisher and published date",
                              hint="run `tradegraph new-source` for a skeleton")
        header = doc["source"]
        if not isinstance(header, YMap):
            raise InvalidData(f"`source:` holds a {_type_name(header)}", where=doc.where("source"),
                              expected="a mapping with id, title, publisher, published")
        source = self._add(header, self.model.kinds["source"], None, None, header.where())
        if source is None:
            return
        self._claim(source.id, shown, header.where("id"), f"source '{source.id}'")
        source.graph = source.id
        if header.get("corrections") is not None:
            for item, where in self._items(header["corrections"], header.where("corrections"), "corrections"):
                self._add(item, self.model.kinds["correction"], source.id, source.id, where)
        if doc.get("facts") is None:
            return
        for item, where in self._items(doc["facts"], doc.where("facts"), "facts"):
            kind = self._kind_of(item, where)
            self._add(item, kind, source.id, source.id, where)

    def _claim(self, name: str, shown: str, where: Location, what: str) -> None:
        """Make ``name`` the named graph of the file ``shown``; no two files share one."""
        if self._refreshing:
            return
        if self._ops is not None:
            self._ops.append(["c", name, where.line, what])
        if not _ID.fullmatch(name):
            raise InvalidData(f"{what} cannot name a graph: {name!r}", where=where,
                              expected="a file name of lower-case letters, digits and hyphens, "
                                       "such as actors.yaml", hint="rename the file")
        if name in RESERVED_GRAPHS:
            *others, last = RESERVED_GRAPHS
            raise InvalidData(f"{what} would take the named graph '{name}', which holds "
                              f"{RESERVED_GRAPHS[name]}", where=where,
                              expected=f"a name other than {', '.join(others)} or {last}",
                              hint="rename the source id or the file")
        owner = self.owners.setdefault(name, shown)
        if owner != shown:
            raise InvalidData(f"{what} would share the named graph '{name}' with {owner}", where=where,
                              expected="one named graph per source and per actors file: a source id "
                                       "unlike the name of every actors file",
                              hint="rename the source id or one of the files")

    def _bulk_lines(self, path: Path, *, index: bool = False) -> Iterator[tuple[BulkRecord, Location]]:
        """The records of a bulk file with their kind, graph and source; bad lines become errors.
        With ``index``, nested values may be plain (see :func:`~tradegraph.facts.bulk.read_bulk`)."""
        for item in read_bulk(path, self.project.relative(path), self.model, index=index):
            if isinstance(item, InvalidData):
                self.errors.append(item)
                if len(self.errors) >= MAX_ERRORS:
                    self._raise_if_errors()
                continue
            yield item, item.where()

    def _emit_line(self, item: BulkRecord) -> None:
        """Write the triples of one line of a bulk file, whose source must be a known source."""
        record = self.records[item["id"]]
        if record.source is not None:
            if self.deps is not None:
                self.deps.add(record.source)
            cited = self.records.get(record.source)
            if cited is None or cited.kind.name != "source":
                candidates = [r.id for r in self.records.values() if r.kind.name == "source"]
                raise InvalidData(f"{record.kind.name} '{record.id}' cites unknown source '{record.source}'",
                                  where=item.where("source"), expected="the id of a record of kind source",
                                  hint=did_you_mean(record.source, candidates[:10_000]))
        self._emit(Record(record.id, record.kind, item, record.graph, record.source))

    def _items(self, items: Any, where: Location, name: str) -> Iterator[tuple[YMap, Location]]:
        if not isinstance(items, YList):
            raise InvalidData(f"`{name}:` holds a {_type_name(items)}", where=where,
                              expected="a list of records, each starting with `- id:`")
        for index, item in enumerate(items):
            at = items.where(index)
            if not isinstance(item, YMap):
                self.errors.append(InvalidData(
                    f"an entry of `{name}:` is a {_type_name(item)}", where=at,
                    expected="a mapping starting with `id:`"))
                continue
            yield item, at

    def _kind_of(self, item: YMap, where: Location) -> Kind:
        facts = [k.name for k in self.model.kinds.values() if k.where == "source"]
        kind = item.get("kind")
        if kind is None:
            raise InvalidData("the fact has no `kind:`", where=where, expected="one of " + ", ".join(facts))
        if not isinstance(kind, str) or kind not in facts:
            hint = self.model.kind_hint(str(kind))  # another name for a kind (`deal`), else the closest
            if isinstance(kind, str) and kind in self.model.kinds:
                hint = f"a {kind} is defined in graph/actors.yaml under `{self.model.kinds[kind].section}:`"
            raise InvalidData(f"unknown kind '{kind}'", where=item.where("kind"),
                              expected="one of " + ", ".join(facts), hint=hint)
        return self.model.kinds[str(kind)]

    def _add(self, item: YMap, kind: Kind, graph: str | None, source: str | None,
             where: Location) -> Record | None:
        ident = item.get("id")
        if ident is None:
            self.errors.append(InvalidData(f"a {kind.name} has no `id:`", where=where,
                                           expected="a stable id such as `akazawa-bessent-2025-07-19`"))
            return None
        if not isinstance(ident, str) or not _ID.fullmatch(ident):
            self.errors.append(InvalidData(
                f"bad id {ident!r}", where=item.where("id"),
                expected="lower-case letters, digits and hyphens, starting with a letter or digit",
                hint="ids become IRIs and must stay stable"))
            return None
        if self._refreshing:
            kept = self.records.get(ident)
            if kept is None or not isinstance(kept.data, KeptRef) or kept.data.path != where.path:
                raise StaleFile(str(where.path))
            kept.data = item
            return kept
        if ident in self.records:
            first = self.records[ident].where
            self.errors.append(InvalidData(f"duplicate id '{ident}' (first defined at {first})",
                                           where=item.where("id"), expected="ids unique across all fact files",
                                           hint="rename one, or merge the two records"))
            return None
        record = Record(ident, kind, item, graph or "", source)
        self.records[ident] = record
        self._note(record)
        if kind.name == "source":
            self._note_published(ident, item.get("published"))
        elif kind.name == "citation" and isinstance(item.get("of"), str) and source:
            self.citing.setdefault(item["of"], []).append(source)
            self.cites[ident] = item["of"]
        return record

    def _note_published(self, ident: str, value: Any) -> None:
        """Keep a source's publication day for the first-reported date of its facts."""
        try:
            spec = parse_when(value, Location(""), "the publication date")
        except InvalidData:  # reported when the source's triples are written
            return
        if spec.precision == "day" and spec.earliest is not None:
            self.published[ident] = spec.earliest

    def _first_reported(self, record: Record) -> date | None:
        """The earliest publication day among the fact's source and the sources citing it."""
        sources = [record.source or "", *self.citing.get(record.id, ())]
        if self.deps is not None:
            self.deps.update(sources)
        days = [self.published[s] for s in sources if s in self.published]
        return min(days) if days else None

    # ------------------------------------------------------------------ pass 2: emit triples
    def _emit(self, record: Record) -> None:
        """Write the record's triples to its named graph, all at once, or raise its problems."""
        kind, data = record.kind, record.data
        assert isinstance(data, YMap)
        out: list[Triple] = []
        add = out.append
        node = self.iri(record.id)
        allowed, target = self._fields_of(kind)
        if target is not None and isinstance(data.get(target.name), str):
            node = self._ref(data[target.name], target, f"`{target.name}` of {kind.name} '{record.id}'",
                             data.where(target.name))
        problems: list[TradegraphError] = []
        for key in data:
            if key in ("id", "kind"):
                continue
            spec = allowed.get(key)
            if spec is None:
                problems.append(InvalidData(
                    f"unknown field '{key}' in {kind.name} '{record.id}'", where=data.where(key),
                    expected="one of " + ", ".join(sorted(allowed)),
                    hint=did_you_mean(key, list(allowed))))
                continue
            try:
                self._emit_field(add, node, record, spec, data[key], data.where(key))
            except InvalidData as error:
                problems.append(error)
        for name, spec in allowed.items():
            if spec.required and data.get(name) in (None, "", []):
                problems.append(InvalidData(
                    f"{kind.name} '{record.id}' has no `{name}`", where=record.where,
                    expected=f"`{name}:` ({self._describe(spec)})",
                    hint="quote the source's words in `evidence:`" if name == "evidence" else None))
        if problems:
            raise InvalidFacts(problems)
        if kind.rdf_class is None:  # a citation: only the source and evidence above
            add((node, _SOURCE, self.iri(record.source or "")))
        else:
            self._emit_kind(add, node, record, data)
        self.graph(record.graph).extend(out)

    def _fields_of(self, kind: Kind) -> tuple[dict[str, Field], Field | None]:
        """The fields a record of ``kind`` may have, and the one that names the record it is about."""
        known = self._fields.get(kind.name)
        if known is None:
            target = next((f for f in kind.fields.values() if f.type == "target"), None)
            known = self._fields[kind.name] = (self.model.fields_of(kind), target)
        return known

    def _emit_kind(self, add: Callable[[Triple], None], node: str, record: Record, data: YMap) -> None:
        """The triples that a record's kind implies: its class, label, source, defaults."""
        kind = record.kind
        add((node, _TYPE, self.term(kind.rdf_class or "")))
        label = data.get("label") or data.get("name") or data.get("title")
        if not data.get("label") and label:
            add((node, _LABEL, literal(label)))
        if kind.is_fact:
            add((node, _SOURCE, self.iri(record.source or "")))
            first = self._first_reported(record)
            if first is not None:
                add((node, _FIRST_REPORTED, self.day(first)))
        if kind.is_event and "event_type" not in data:
            default = self.default_event_type.get(kind.name)
            if default:
                add((node, _EVENT_TYPE, self.term(self.model.vocabularies["event-type"][default])))
        if data.get("quote"):  # a statement or announcement with words quoted verbatim
            add((node, _TYPE, _QUOTE))
        if kind.name == "source" and record.id in self.published:  # a day, never invented
            add((node, _PUBLISHED, self.day(self.published[record.id])))
        if kind.name == "correction":
            add((node, _CORRECTS, self.iri(record.source or "")))
            add((self.iri(record.source or ""), _CORRECTION, node))

    def _emit_field(self, add: Callable[[Triple], None], node: str, record: Record, spec: Field,
                    value: Any, where: Location) -> None:
        prop = self.term(spec.property)
        what = f"`{spec.name}` of {record.kind.name} '{record.id}'"
        kind = spec.type
        if kind in ("string", "strings"):
            for text in fieldvalues.texts(value, spec, what, where):
                add((node, prop, text))
        elif kind == "names":
            for name in fieldvalues.names(value, what, where):
                add((node, prop, name))
        elif kind == "when":
            self._emit_when(add, node, prop, spec.name, parse_when(value, where, what))
        elif kind in ("ref", "refs"):
            values = value if kind == "refs" and isinstance(value, YList) else [value]
            for item in values:
                add((node, prop, self._ref(item, spec, what, where)))
        elif kind == "participants":
            self._emit_participants(add, node, prop, value, spec, what, where)
        elif kind == "enum":
            add((node, prop, self._enum(value, spec.vocabulary or "", what, where)))
        elif kind in ("decimal", "integer"):
            add((node, prop, fieldvalues.number(value, spec, what, where)))
        elif kind == "url":
            add((node, prop, fieldvalues.url(value, what, where)))
        elif kind == "wikidata":  # and owl:sameAs, the link Linked Data tools follow
            entity = fieldvalues.wikidata(value, what, where)
            add((node, prop, entity))
            add((node, _SAME_AS, entity))
        elif kind == "target":
            self._ref(value, spec, what, where)
            if record.source and self.records[value].source == record.source:
                raise InvalidData(f"{what} cites '{value}' from the same source", where=where,
                                  expected="a fact of another source file",
                                  hint="add the evidence to the fact itself")
        elif kind == "corrections":
            for item in value if isinstance(value, YList) else []:
                if isinstance(item, YMap) and isinstance(item.get("id"), str):
                    add((node, prop, self.iri(item["id"])))
        else:  # pragma: no cover - model.yaml is checked by the tests
            raise InvalidData(f"model.yaml: unknown field type {kind!r}")
        if spec.name == "retracted_by":
            add((self._ref(value, spec, what, where), _RETRACTS, node))

    def _emit_when(self, add: Callable[[Triple], None], node: str, prop: str, name: str, spec: TimeSpec) -> None:
        when = _below(node, name)
        add((node, prop, when))
        add((when, _TYPE, _TIME_SPEC))
        add((when, _TYPE, _INSTANT if spec.precision == "day" else _INTERVAL))
        add((when, _PRECISION, self.term(self.model.vocabularies["date-precision"][spec.precision])))
        if spec.earliest:
            add((when, _EARLIEST, self.day(spec.earliest)))
        if spec.latest:
            add((when, _LATEST, self.day(spec.latest)))
        if spec.precision == "day" and spec.earliest:
            add((when, _IN_XSD_DATE, self.day(spec.earliest)))
        if spec.text:
            add((when, _AS_WRITTEN, literal(spec.text)))
        if spec.how:
            add((when, _RESOLUTION, literal(spec.how)))

    def _emit_participants(self, add: Callable[[Triple], None], node: str, prop: str, value: Any,
                           spec: Field, what: str, where: Location) -> None:
        if not isinstance(value, YList):
            raise InvalidData(f"{what} is {_value_name(value)}", where=where,
                              expected="a list of actor ids or {actor: id, role: host}")
        ref_spec = Field(spec.name, spec.property, "ref", to=spec.to)  # each entry names an actor
        for index, item in enumerate(value):
            at = value.where(index)
            role = "participant"
            if isinstance(item, YMap):
                extra = sorted(set(item) - {"actor", "role"})
                if extra or "actor" not in item:
                    raise InvalidData(f"{what} has an entry with keys {sorted(item)}", where=at,
                                      expected="`actor:` and optionally `role:`")
                item, role = item["actor"], item.get("role", "participant")
            actor = self._ref(item, ref_spec, what, at)
            role_term = self._enum(role, "role", f"the role in {what}", at)
            add((node, prop, actor))
            if role == "participant":  # the default role needs no node of its own
                continue
            participation = _below(node, f"participant/{item}")
            add((node, _PARTICIPATES, participation))
            add((participation, _TYPE, _PARTICIPATION))
            add((participation, _AGENT, actor))
            add((participation, _ROLE, role_term))

    # ------------------------------------------------------------------ values
    def _describe(self, spec: Field) -> str:
        if spec.type == "enum":
            return "one of " + ", ".join(self.model.vocabularies[spec.vocabulary or ""])
        if spec.type in ("ref", "refs", "target"):
            return "the id of " + _a_or(spec.to or ())
        return {"when": "a date like 2025-07-19 or a from/to range", "strings": "a quote from the source",
                "participants": "a list of actor ids"}.get(spec.type, spec.type)

    def iri(self, ident: str) -> str:
        """The IRI of the record ``ident`` (an id checked against ``ID_PATTERN``)."""
        return iri(self.base + ident)

    def term(self, curie: str) -> str:
        """The IRI of a term of the model (a class, a property, a token of a vocabulary)."""
        made = self._terms.get(curie)
        if made is None:
            made = self._terms[curie] = iri(self.model.expand(curie))
        return made

    def day(self, value: date) -> str:
        """An xsd:date literal; a large build has millions of dates but only a few thousand days."""
        made = self._days.get(value)
        if made is None:
            made = self._days[value] = literal(value.isoformat(), datatype=XSD.date)
        return made

    def _ref(self, value: Any, spec: Field, what: str, where: Location) -> str:
        allowed = spec.to or ()
        target = self.records.get(value) if isinstance(value, str) else None
        if self.deps is not None and target is not None:
            self.deps.add(value)
        if target is not None and (not allowed or target.kind.name in allowed):
            return self.iri(value)
        expected = "the id of " + _a_or(allowed)
        if not isinstance(value, str):
            raise InvalidData(f"{what} is {_value_name(value)}", where=where, expected=expected)
        if target is None:
            candidates = [r.id for r in self.records.values() if r.kind.name in allowed]
            raise InvalidData(f"{what} refers to unknown id '{value}'", where=where, expected=expected,
                              hint=did_you_mean(value, candidates)
                              or "define it first (actors go in graph/actors.yaml)")
        if allowed and target.kind.name not in allowed:
            raise InvalidData(f"{what} refers to '{value}', which is a {target.kind.name}",
                              where=where, expected=expected)
        return self.iri(value)

    def _enum(self, value: Any, vocabulary: str, what: str, where: Location) -> str:
        tokens = self.model.vocabularies[vocabulary]
        if not isinstance(value, str) or value not in tokens:
            raise InvalidData(f"{what} is {_value_name(value)}", where=where,
                              expected="one of " + ", ".join(tokens),
                              hint=did_you_mean(str(value), list(tokens)))
        return self.term(tokens[value])


def _below(node: str, path: str) -> str:
    """The IRI ``<node>/path``, of a node that belongs to ``node`` (an IRI in N-Triples syntax)."""
    return f"{node[:-1]}/{path}>"


# ---------------------------------------------------------------------- message helpers
def _a_or(kinds: tuple[str, ...]) -> str:
    words = [("an " if k[0] in "aeiou" else "a ") + k for k in kinds]
    return " or ".join(words) if len(words) < 3 else ", ".join(words[:-1]) + " or " + words[-1]
