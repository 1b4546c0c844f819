"""``tradegraph validate``: check fact files or RDF files against the project's shapes."""

from __future__ import annotations

from pathlib import Path

from tradegraph.facts.loader import load_facts
from tradegraph.files.localfile import check_regular
from tradegraph.project import YAML_SUFFIXES, Project
from tradegraph.rdf.graphs import ontology_graph, parse_rdf_files, union
from tradegraph.shacl.validate import Report, shapes_graph, validate_graph


def validate_paths(project: Project, paths: list[Path]) -> Report:
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
        report.results.extend(validate_graph(union(facts.dataset), shapes=shapes, ontology=ontology,
                                             facts=facts).results)
    if rdf_paths:
        data = parse_rdf_files(rdf_paths)
        report.results.extend(validate_graph(data, shapes=shapes, ontology=ontology).results)
    return report
