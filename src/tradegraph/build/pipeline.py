"""``tradegraph build``: load the facts, validate them, and write the outputs.

Nothing is written unless the facts load and conform to the shapes; the outputs are
written atomically (see :mod:`tradegraph.files.atomic`), so a failed build leaves the previous
``build/`` exactly as it was.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, Graph, URIRef

from tradegraph.rdf import serialize
from tradegraph.build.outputs import write_outputs
from tradegraph.errors import UsageError, ValidationFailed
from tradegraph.shacl.fast import validate_graph_fast
from tradegraph.facts.loader import Facts, load_facts
from tradegraph.project import Project
from tradegraph.build.reason import INFERRED_GRAPH, infer
from tradegraph.shacl.validate import Report, shapes_graph, validate_facts
from tradegraph.rdf.graphs import ontology_graph, union
from tradegraph.build.result import BuildResult
from tradegraph.rdf.namespaces import TG, local_name

OUTPUTS = ("graph.ttl", "graph.trig", "graph.jsonld", "report.txt")
def build(project: Project, *, out: Path | str | None = None, base: str | None = None,
          write: bool = True, reason: str | None = None, store: Path | str | None = None,
          validator: str = "fast") -> BuildResult:
    """Load, validate and (when ``write``) write ``graph.ttl``, ``.trig``, ``.jsonld`` and ``report.txt``.

    With ``reason`` (``"rdfs"`` or ``"owlrl"``) the triples the ontology implies are added
    as the named graph ``<base>graph/inferred`` of ``graph.trig`` and written to
    ``inferred.ttl``; ``graph.ttl`` keeps only what was asserted.

    With ``store`` (a directory), or when the project has bulk facts (``graph/bulk/``), the
    facts go into an Oxigraph store instead (:mod:`tradegraph.build.onstore`), on disk at
    ``store`` or in memory, and ``graph.nq`` is written instead of ``graph.jsonld``.
    ``validator`` is ``"fast"`` (:mod:`tradegraph.shacl.fast`) or ``"pyshacl"``, the reference.

    Raises :class:`~tradegraph.errors.InvalidData` for bad fact files and
    :class:`~tradegraph.errors.ValidationFailed` when the graph violates the shapes; in
    both cases nothing is written.
    """
    if store is not None or project.bulk_files():
        if reason or validator != "fast":
            raise UsageError("a build into a store validates on the fast path and does no reasoning",
                             hint="leave out --reason and --validator, or build without --store")
        from tradegraph.build.onstore import build_in_store

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
    """:func:`~tradegraph.shacl.validate.validate_facts` on the fast path (the same report)."""
    return validate_graph_fast(union(facts.dataset), shapes=shapes_graph(project),
                               ontology=ontology_graph(project), facts=facts)

