"""What a build produced: the validated graph, the report, what was inferred and the files written."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from rdflib import RDF, Graph, URIRef
from rdflib.term import Identifier

from tradegraph.build.dataset import ValidGraph
from tradegraph.build.reason import INFERRED_GRAPH
from tradegraph.facts.loader import Facts
from tradegraph.project import Project
from tradegraph.rdf.namespaces import TG, TIME, local_name
from tradegraph.shacl.validate import Report

#: Classes of the nodes the loader makes for dates and participations, left out of counts.
_HELPER_CLASSES = {TG.TimeSpec, TG.Participation, TIME.Instant, TIME.Interval}


@dataclass(kw_only=True)
class BuildResult(ValidGraph):
    """What a build produced: the validated graph (loaded now), the report and the files written."""

    facts: Facts
    report: Report
    project: Project
    written: list[Path] = field(default_factory=list)
    inferred: Graph | None = None

    def class_counts(self) -> list[tuple[str, int]]:
        """How many nodes of each asserted class, most frequent first."""
        counts = Counter(local_name(o) for o in self.graph.objects(None, RDF.type)
                         if isinstance(o, URIRef) and o not in _HELPER_CLASSES)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def sources(self) -> list[tuple[str, str]]:
        """(id, title) of each source document."""
        out, graph = [], self.graph
        for node in sorted(cast("Iterable[Identifier]", graph.subjects(RDF.type, TG.NewsArticle))):
            out.append((str(node)[len(self.base):], str(graph.value(node, TG.title) or "")))
        return out

    def triple_count(self) -> int:
        return len(self.graph)

    def size(self) -> str:
        """How large the graph is, said for the summary."""
        return f"{self.triple_count()} triples"

    def summary(self) -> str:
        lines = [f"{self.size()}, {self.census.records} records from {self.census.files} fact files"]
        lines.append("classes: " + ", ".join(f"{name} {n}" for name, n in self.class_counts()))
        for ident, title in self.sources():
            lines.append(f"source: {ident}: {title}")
        lines.append(f"validation: {len(self.report.violations)} violation(s), "
                     f"{len(self.report.warnings)} warning(s)")
        if self.inferred is not None:
            lines.append(f"reasoning: {len(self.inferred)} inferred triples (named graph {INFERRED_GRAPH})")
        lines.extend(f"wrote {self.project.relative(path)}" for path in self.written)
        return "\n".join(lines)


