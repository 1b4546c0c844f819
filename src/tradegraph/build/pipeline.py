"""``tradegraph build``: load the facts, validate them, and write the outputs.

Nothing is written unless the facts load and conform to the shapes; the outputs are
written atomically (see :mod:`tradegraph.files.atomic`), so a failed build leaves the previous
``build/`` exactly as it was. The record of the outputs also says what they were made from
(:mod:`tradegraph.build.fingerprint`), so that other commands reuse them while nothing changed
(:mod:`tradegraph.build.provider`).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from rdflib import Graph, URIRef

from tradegraph.build import changes, fingerprint
from tradegraph.build.dataset import Census, fact_union, refuse_drafts
from tradegraph.build.outputs import write_outputs
from tradegraph.build.reason import INFERRED_GRAPH, infer
from tradegraph.build.result import BuildResult
from tradegraph.errors import UsageError, ValidationFailed
from tradegraph.facts.loader import Facts, load_facts
from tradegraph.project import Project
from tradegraph.rdf import serialize
from tradegraph.rdf.graphs import ontology_graph
from tradegraph.shacl.paths import validate_data
from tradegraph.shacl.validate import Report, shapes_graph

OUTPUTS = ("graph.ttl", "graph.trig", "graph.jsonld", "report.txt")


class Checked(NamedTuple):
    """Facts that loaded and conform to the shapes, their report, and the ontology they were checked with."""

    facts: Facts
    report: Report
    ontology: Graph


def build(project: Project, *, out: Path | str | None = None, base: str | None = None,
          write: bool = True, reason: str | None = None, store: Path | str | None = None,
          validator: str = "fast", drafts: bool = False) -> BuildResult:
    """Load, validate and (when ``write``) write ``graph.ttl``, ``.trig``, ``.jsonld`` and ``report.txt``.

    With ``reason`` (``"rdfs"`` or ``"owlrl"``) the triples the ontology implies are added
    as the named graph ``<base>graph/inferred`` of ``graph.trig`` and written to
    ``inferred.ttl``; ``graph.ttl`` keeps only what was asserted.

    With ``store`` (a directory), or when the project has bulk facts (``graph/bulk/``), the
    facts go into an Oxigraph store instead (:mod:`tradegraph.build.onstore`), on disk at
    ``store`` or in memory, and ``graph.nq`` is written instead of ``graph.jsonld``.
    ``validator`` is ``"fast"`` (:mod:`tradegraph.shacl.fast`) or ``"pyshacl"``, the reference.
    Records marked ``draft`` are refused unless ``drafts``; then they are built, each keeping
    its mark (``schema:creativeWorkStatus "proposed"``).

    A build that writes also records what changed since the previous one (``changes.json``,
    :mod:`tradegraph.build.changes`).

    Raises :class:`~tradegraph.errors.InvalidData` for bad fact files and
    :class:`~tradegraph.errors.ValidationFailed` when the graph violates the shapes; in
    both cases nothing is written.
    """
    into_store = store is not None or bool(project.bulk_files())
    if into_store and (reason or validator != "fast"):
        raise UsageError("a build into a store validates on the fast path and does no reasoning",
                         hint="leave out --reason and --validator, or build without --store")
    # Taken before the facts are read: a file changed meanwhile leaves a record that no longer matches.
    made_from = fingerprint.current(project, base=base or project.base, validator=validator, reason=reason,
                                    drafts=drafts) if write else None
    if write:
        changes.claim(project, project.build_dir(out))
    if into_store:
        from tradegraph.build.onstore import build_in_store

        stored = build_in_store(project, out=out, base=base, write=write, store=store, made_from=made_from,
                                drafts=drafts)
        if write:
            changes.record_build(project, project.build_dir(out))
        return stored
    facts, report, ontology = check(project, base=base, validator=validator, drafts=drafts)
    census = Census.of(facts)
    result = BuildResult(dataset=facts.dataset, base=facts.base, census=census, report=report, facts=facts,
                         project=project)
    if reason:
        result.inferred = infer(facts, project, profile=reason, ontology=ontology)
        named = facts.dataset.graph(URIRef(facts.base + INFERRED_GRAPH))
        named += result.inferred
    if write:
        graph = result.graph
        contents = {
            "graph.ttl": serialize.turtle(graph, facts.base),
            "graph.trig": serialize.trig(facts.dataset, facts.base),
            "graph.jsonld": serialize.jsonld(graph, facts.base),
            "report.txt": report.text(),
        }
        if result.inferred is not None:
            contents["inferred.ttl"] = serialize.turtle(result.inferred, facts.base)
        result.written = write_outputs(project, project.build_dir(out),
                                       {name: text.encode("utf-8") for name, text in contents.items()},
                                       about=fingerprint.made_from(made_from, census))
        changes.record_build(project, project.build_dir(out))
    return result


def check(project: Project, *, base: str | None = None, validator: str = "fast", drafts: bool = False) -> Checked:
    """Load the project's facts and validate them (with ``validator``) against its shapes and
    ontology: the one way every command gets facts it may trust.

    Raises :class:`~tradegraph.errors.InvalidData` for bad fact files and
    :class:`~tradegraph.errors.ValidationFailed`, with the report, when they violate the shapes.
    """
    facts = load_facts(project, base=base)
    if not drafts:
        refuse_drafts(facts)
    shapes, ontology = shapes_graph(project), ontology_graph(project)
    report = validate_data(fact_union(facts.dataset, facts.base), shapes=shapes, ontology=ontology, facts=facts,
                           validator=validator)
    if not report.conforms:
        raise ValidationFailed(f"the graph violates the shapes ({len(report.violations)} violation(s))",
                               report=report.text())
    return Checked(facts, report, ontology)
