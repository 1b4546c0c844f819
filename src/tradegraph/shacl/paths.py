"""``tradegraph validate``: check fact files or RDF files against the project's shapes, and the
one choice of validator every command makes (:data:`VALIDATORS`: the fast path by default,
pyshacl as the named reference)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from tradegraph.errors import UsageError
from tradegraph.facts.loader import Facts, load_facts
from tradegraph.files.localfile import check_regular
from tradegraph.project import YAML_SUFFIXES, Project
from tradegraph.rdf.graphs import ontology_graph, parse_rdf_files
from tradegraph.rdf.views import union_view
from tradegraph.shacl.validate import Report, shapes_graph, validate_graph

#: The validators: the fast path (:mod:`tradegraph.shacl.fast`, the default) and pyshacl, the reference.
VALIDATORS = ("fast", "pyshacl")


def validate_data(data: Graph, *, shapes: Graph, ontology: Graph, facts: Facts | None = None,
                  validator: str = "fast") -> Report:
    """Validate ``data`` (with ``ontology`` beside it) against ``shapes`` with ``validator``;
    ``facts`` lets results point to file and line. Neither validator changes ``data``."""
    if validator == "fast":
        from tradegraph.shacl.fast import validate_graph_fast  # Oxigraph and the shacl engine: loaded when used

        return validate_graph_fast(data, shapes=shapes, ontology=ontology, facts=facts)
    if validator == "pyshacl":
        return validate_graph(data, shapes=shapes, ontology=ontology, facts=facts)
    raise UsageError(f"unknown validator {validator!r}", expected=" or ".join(VALIDATORS))


def validate_paths(project: Project, paths: list[Path], *, validator: str = "fast") -> Report:
    """Validate ``paths`` (fact files are loaded with the project's other fact files, so
    their references resolve); with no paths, the project's facts. A path that is not a
    regular file (missing, a loop of symlinks, a device) is a :class:`UsageError` naming it."""
    fact_paths = [p for p in paths if p.suffix.lower() in YAML_SUFFIXES]
    rdf_paths = [p for p in paths if p.suffix.lower() not in YAML_SUFFIXES]
    shapes, ontology = shapes_graph(project), ontology_graph(project)
    report = Report()
    if fact_paths or not paths:
        for path in fact_paths:  # named on the command line: missing, a loop or a device is a usage error
            check_regular(path, what="a fact file")
        files = project.fact_files()  # listed once: each is checked to be a regular file
        known = {p.resolve() for p in files}
        files += [p for p in fact_paths if p.resolve() not in known]
        facts = load_facts(project, files=files)
        _merge(report, validate_data(union_view(facts.dataset), shapes=shapes, ontology=ontology, facts=facts,
                                     validator=validator))
    if rdf_paths:
        data = parse_rdf_files(rdf_paths)
        _merge(report, validate_data(data, shapes=shapes, ontology=ontology, validator=validator))
    return report


def _merge(report: Report, more: Report) -> None:
    report.results.extend(more.results)
    report.notes.extend(note for note in more.notes if note not in report.notes)
