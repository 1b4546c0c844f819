"""``tradegraph build``: load the facts, validate them, and write the outputs.

Nothing is written unless the facts load and conform to the shapes; the outputs are
written atomically (see :mod:`tradegraph.atomic`), so a failed build leaves the previous
``build/`` exactly as it was.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, Graph, URIRef

from . import serialize
from .ownership import write_outputs
from .errors import UsageError, ValidationFailed
from .fastshacl import validate_graph_fast
from .loader import Facts, load_facts
from .project import Project
from .reason import INFERRED_GRAPH, infer
from .validate import Report, ontology_graph, shapes_graph, union, validate_facts
from .vocab import TG, TIME, local_name

OUTPUTS = ("graph.ttl", "graph.trig", "graph.jsonld", "report.txt")
#: Classes of the nodes the loader makes for dates and participations, left out of counts.
_HELPER_CLASSES = {TG.TimeSpec, TG.Participation, TIME.Instant, TIME.Interval}


@dataclass
class BuildResult:
    """What a build produced: the facts, the validation report and the files written."""

    facts: Facts
    report: Report
    graph: Graph
    written: list[Path]
    project: Project
    inferred: Graph | None = None

    def class_counts(self) -> list[tuple[str, int]]:
        """How many nodes of each asserted class, most frequent first."""
        counts = Counter(local_name(o) for o in self.graph.objects(None, RDF.type)
                         if isinstance(o, URIRef) and o not in _HELPER_CLASSES)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def sources(self) -> list[tuple[str, str]]:
        """(id, title) of each source document."""
        out = []
        for node in sorted(self.graph.subjects(RDF.type, TG.NewsArticle)):
            out.append((str(node)[len(self.facts.base):], str(self.graph.value(node, TG.title) or "")))
        return out

    def triple_count(self) -> int:
        return len(self.graph)

    def summary(self) -> str:
        lines = [f"{self.triple_count()} triples, {len(self.facts.records)} records from "
                 f"{len(self.facts.files)} fact files"]
        lines.append("classes: " + ", ".join(f"{name} {n}" for name, n in self.class_counts()))
        for ident, title in self.sources():
            lines.append(f"source: {ident}: {title}")
        lines.append(f"validation: {len(self.report.violations)} violation(s), "
                     f"{len(self.report.warnings)} warning(s)")
        if self.inferred is not None:
            lines.append(f"reasoning: {len(self.inferred)} inferred triples (named graph {INFERRED_GRAPH})")
        lines.extend(f"wrote {self.project.relative(path)}" for path in self.written)
        return "\n".join(lines)


def build(project: Project, *, out: Path | str | None = None, base: str | None = None,
          write: bool = True, reason: str | None = None, store: Path | str | None = None,
          validator: str = "fast") -> BuildResult:
    """Load, validate and (when ``write``) write ``graph.ttl``, ``.trig``, ``.jsonld`` and ``report.txt``.

    With ``reason`` (``"rdfs"`` or ``"owlrl"``) the triples the ontology implies are added
    as the named graph ``<base>graph/inferred`` of ``graph.trig`` and written to
    ``inferred.ttl``; ``graph.ttl`` keeps only what was asserted.

    With ``store`` (a directory), or when the project has bulk facts (``graph/bulk/``), the
    facts go into an Oxigraph store instead (:mod:`tradegraph.storebuild`), on disk at
    ``store`` or in memory, and ``graph.nq`` is written instead of ``graph.jsonld``.
    ``validator`` is ``"fast"`` (:mod:`tradegraph.fastshacl`) or ``"pyshacl"``, the reference.

    Raises :class:`~tradegraph.errors.InvalidData` for bad fact files and
    :class:`~tradegraph.errors.ValidationFailed` when the graph violates the shapes; in
    both cases nothing is written.
    """
    if store is not None or project.bulk_files():
        if reason or validator != "fast":
            raise UsageError("a build into a store validates on the fast path and does no reasoning",
                             hint="leave out --reason and --validator, or build without --store")
        from .storebuild import build_in_store

        return build_in_store(project, out=out, base=base, write=write, store=store)
    facts = load_facts(project, base=base)
    report = validate_facts(facts, project) if validator == "pyshacl" else validate_fast(facts, project)
    if not report.conforms:
        raise ValidationFailed(f"the graph violates the shapes ({len(report.violations)} violation(s))",
                               report=report.text())
    graph = union(facts.dataset)
    result = BuildResult(facts, report, graph, [], project)
    if reason:
        result.inferred = infer(facts, project, profile=reason)
        named = facts.dataset.graph(URIRef(facts.base + INFERRED_GRAPH))
        for triple in result.inferred:
            named.add(triple)
    if write:
        contents = {
            "graph.ttl": serialize.turtle(graph, facts.base),
            "graph.trig": serialize.trig(facts.dataset, facts.base),
            "graph.jsonld": serialize.jsonld(graph, facts.base),
            "report.txt": report.text(),
        }
        if result.inferred is not None:
            contents["inferred.ttl"] = serialize.turtle(result.inferred, facts.base)
        result.written = write_outputs(project, project.build_dir(out),
                                       {name: text.encode("utf-8") for name, text in contents.items()})
    return result


def validate_fast(facts: Facts, project: Project) -> Report:
    """:func:`~tradegraph.validate.validate_facts` on the fast path (the same report)."""
    return validate_graph_fast(union(facts.dataset), shapes=shapes_graph(project),
                               ontology=ontology_graph(project), facts=facts)

