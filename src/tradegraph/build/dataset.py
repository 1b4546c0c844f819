"""The dataset that queries, exports and the network read: facts plus the ontology, and
what is derived from both.

The facts keep one named graph per source (and per actors file); the ontology goes in a
named graph of its own, ``<base>graph/ontology``, so that queries over the union default
graph can follow ``rdfs:subClassOf`` and read the labels and codes of the vocabularies; the
closures and day keys the canned queries read go in ``<base>graph/derived``
(:mod:`tradegraph.build.derive`), computed from the facts and the ontology by
:func:`assemble` each time a dataset is put together, never read back from a file.

Readers that want the facts alone (the exports, the network, ``stats``) read
:func:`fact_union`: a view of the dataset's graphs without the ontology and the inferred
triples, each triple once, over the dataset's own store (no copy). :class:`ValidGraph` is what
every command that reads the graph gets (from :mod:`tradegraph.build.provider`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rdflib import Dataset, Graph, URIRef

from tradegraph.build.derive import derive
from tradegraph.errors import InvalidData
from tradegraph.facts.loader import RESERVED_GRAPHS, Facts, load_facts
from tradegraph.project import Project
from tradegraph.rdf.graphs import DERIVED_GRAPH, ONTOLOGY_GRAPH, ontology_graph
from tradegraph.rdf.views import union_view
from tradegraph.shacl.validate import Report


class FactGraphs(Protocol):
    """What a reader of the facts needs: the dataset (one named graph per source) and the base IRI.

    :class:`~tradegraph.facts.loader.Facts` and :class:`ValidGraph` both are.
    """

    @property
    def dataset(self) -> Dataset: ...

    @property
    def base(self) -> str: ...

    def graph_iri(self, name: str) -> URIRef: ...


@dataclass(frozen=True)
class Census:
    """What the records were, counted: what ``stats`` and a build's summary say beside the graph."""

    records: int
    files: int
    kinds: dict[str, int] = field(default_factory=dict)
    per_source: dict[str, int] = field(default_factory=dict)   # facts of each source (not the source itself)

    @classmethod
    def of(cls, facts: Facts) -> Census:
        """The census of loaded facts."""
        records = facts.records.values()
        kinds = Counter(r.kind.name for r in records)
        per_source = Counter(r.source for r in records if r.source and r.kind.name != "source")
        return cls(len(facts.records), len(facts.files), dict(sorted(kinds.items())), dict(sorted(per_source.items())))

    def as_json(self) -> dict[str, Any]:
        return {"records": self.records, "files": self.files, "kinds": self.kinds, "per_source": self.per_source}

    @classmethod
    def from_json(cls, data: Any) -> Census:
        """The census :meth:`as_json` wrote; ``ValueError`` for anything else."""
        try:
            census = cls(int(data["records"]), int(data["files"]),
                         {str(k): int(v) for k, v in data["kinds"].items()},
                         {str(k): int(v) for k, v in data["per_source"].items()})
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a census: {exc}") from None
        return census


@dataclass(kw_only=True)
class ValidGraph:
    """A project's graph, validated: what every command that reads the graph gets.

    ``dataset`` holds one named graph per source and per actors file, the ontology in
    ``<base>graph/ontology`` and the derived triples in ``<base>graph/derived``; its default
    graph is the union of them all (what queries read).
    ``facts`` (with the records' files and lines) and ``report`` are there when the facts were
    loaded and validated in this process; ``origin`` names the build output read instead.
    """

    dataset: Dataset
    base: str
    census: Census
    report: Report | None = None
    facts: Facts | None = None
    origin: Path | None = None

    @property
    def graph(self) -> Graph:
        """The facts alone (no ontology, nothing inferred), as one read-only graph: a view."""
        return fact_union(self.dataset, self.base)

    def graph_iri(self, name: str) -> URIRef:
        return URIRef(f"{self.base}graph/{name}")


def reserved_graphs(base: str) -> frozenset[URIRef]:
    """The named graphs that hold something other than facts: the ontology, the inferred and the
    derived triples."""
    return frozenset(URIRef(f"{base}graph/{name}") for name in RESERVED_GRAPHS) | {URIRef(base + DERIVED_GRAPH)}


def fact_union(dataset: Dataset, base: str) -> Graph:
    """The facts of ``dataset`` alone, each triple once: a read-only view over its store
    (:func:`~tradegraph.rdf.views.union_view`) without the ontology's, the inferred and the
    derived graph."""
    return union_view(dataset, leave_out=reserved_graphs(base))


def add_ontology(dataset: Dataset, base: str, ontology: Graph) -> Graph:
    """Put ``ontology`` into ``dataset`` as its named graph ``<base>graph/ontology``; return that graph."""
    named = dataset.graph(URIRef(base + ONTOLOGY_GRAPH))
    named.addN((s, p, o, named) for s, p, o in ontology)
    return named


def assemble(dataset: Dataset, base: str, ontology: Graph) -> None:
    """Complete a dataset of facts for its readers: ``ontology`` as its named graph
    ``<base>graph/ontology``, then what :func:`~tradegraph.build.derive.derive` computes from
    both as ``<base>graph/derived`` (made again, whatever ``dataset`` held there)."""
    add_ontology(dataset, base, ontology)
    derive(dataset, base)


def load_dataset(project: Project, *, base: str | None = None, facts: Facts | None = None) -> Dataset:
    """The project's facts, ontology and derived triples as one dataset whose default graph is
    the union, as loaded (not validated: see :func:`tradegraph.build.provider.validated_graph`).

    >>> dataset = load_dataset(Project.open("tests/fixtures/minimal"))
    >>> sorted(str(g.identifier).rsplit("/", 1)[-1] for g in dataset.graphs() if len(g))
    ['actors', 'derived', 'first-article', 'ontology']
    """
    facts = facts or load_facts(project, base=base)
    assemble(facts.dataset, facts.base, ontology_graph(project))
    return facts.dataset


def refuse_drafts(facts: Facts) -> None:
    """Raise for the first record still marked ``draft`` (``tradegraph draft`` proposed it and
    no one has reviewed it), saying how many there are."""
    marked = [record for record in facts.records.values() if "draft" in record.data]
    if marked:
        more = f" (and {len(marked) - 1} more)" if len(marked) > 1 else ""
        raise InvalidData(f"{marked[0].kind.name} '{marked[0].id}' is a draft no one has reviewed{more}",
                          where=marked[0].where, expected="reviewed records",
                          hint="review them with `tradegraph review FILE`, or build them marked with --drafts")
