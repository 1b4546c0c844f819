"""``tradegraph docs``: HTML documentation of the ontology, offline and self-contained.

One page: every class and property with its definition, alignments, domain and range, the
shapes that constrain it (with their messages), and examples from the project's own data;
then the controlled vocabularies with their CAMEO and PLOVER codes. Rendered with Jinja2
from ``templates/docs.html.j2``; no script, style sheet or font is loaded from anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from jinja2 import Environment, PackageLoader, select_autoescape
from rdflib import OWL, RDF, RDFS, SKOS, BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Identifier, Node

from tradegraph.build.outputs import write_outputs
from tradegraph.build.provider import validated_graph
from tradegraph.project import Project
from tradegraph.rdf.namespaces import PREFIXES
from tradegraph.rdf.serialize import prefixes
from tradegraph.shacl.validate import shapes_graph

TG = PREFIXES["tg"]  #: the ontology namespace, as text (the page compares IRIs as strings)
EXAMPLES = 5


@dataclass
class Term:
    iri: str
    curie: str
    label: str
    comment: str
    kind: str                                   # "class", "object property", ...
    parents: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)     # (name, value) rows
    shapes: list[dict[str, str]] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return self.curie.replace(":", "-")


@dataclass
class Vocabulary:
    curie: str
    label: str
    concepts: list[Term]


def docs(project: Project, out: Path | str | None = None) -> Path:
    """Write ``index.html`` documenting the project's ontology into ``out`` (default ``build/docs``),
    with examples from the validated graph."""
    target = Path(out) if out is not None else project.build_dir() / "docs"
    dataset = validated_graph(project).dataset
    # The dataset is the union of its graphs (ontology and facts) when read as a graph: no copy.
    page = _Documenter(dataset, shapes_graph(project), dict(dataset.namespaces())).render()
    (path,) = write_outputs(project, target, {"index.html": page.encode("utf-8")}, every=("index.html",))
    return path


class _Documenter:
    def __init__(self, graph: Graph, shapes: Graph, namespaces: dict[str, Node]) -> None:
        self.graph = graph
        self.shapes = shapes
        self.names = {str(ns): prefix for prefix, ns in namespaces.items()}
        self.names.update({ns: prefix for prefix, ns in prefixes("").items() if ns})
        self.names.update({str(ns): prefix for prefix, ns in shapes.namespaces() if prefix})

    def curie(self, node: Node) -> str:
        if isinstance(node, BNode):
            members = self.graph.value(node, OWL.unionOf)
            if members is not None:
                return " or ".join(self.curie(m) for m in Collection(self.graph, members))
            return "(anonymous)"
        text = str(node)
        for namespace, prefix in sorted(self.names.items(), key=lambda kv: -len(kv[0])):
            if prefix and text.startswith(namespace) and len(text) > len(namespace):
                return f"{prefix}:{text[len(namespace):]}"
        return text

    def text(self, node: Node, prop: URIRef) -> str:
        value = self.graph.value(node, prop)
        return str(value) if value is not None else ""

    def render(self) -> str:
        env = Environment(loader=PackageLoader("tradegraph.export", "templates"),
                          autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
        title = self.text(URIRef(TG.rstrip("#")), RDFS.label) or "tradegraph ontology"
        classes = [self.term(c, "class") for c in self._ours(OWL.Class)]
        properties = [self.term(p, kind) for kind, cls in (("object property", OWL.ObjectProperty),
                                                           ("datatype property", OWL.DatatypeProperty),
                                                           ("annotation property", OWL.AnnotationProperty))
                      for p in self._ours(cls)]
        return env.get_template("docs.html.j2").render(
            title=title, classes=classes, properties=sorted(properties, key=lambda t: t.curie),
            vocabularies=self.vocabularies(), iri=TG)

    def _ours(self, cls: URIRef) -> list[URIRef]:
        return sorted(s for s in set(self.graph.subjects(RDF.type, cls))
                      if isinstance(s, URIRef) and str(s).startswith(TG))

    def term(self, node: URIRef, kind: str) -> Term:
        up = RDFS.subClassOf if kind == "class" else RDFS.subPropertyOf
        term = Term(str(node), self.curie(node), self.text(node, RDFS.label), self.text(node, RDFS.comment), kind,
                    parents=sorted(self.curie(o) for o in self.graph.objects(node, up) if isinstance(o, URIRef)),
                    children=sorted(self.curie(s) for s in self.graph.subjects(up, node)))
        for name, prop in (("equivalent to", OWL.equivalentClass), ("disjoint with", OWL.disjointWith),
                           ("domain", RDFS.domain), ("range", RDFS.range), ("inverse of", OWL.inverseOf)):
            for value in self.graph.objects(node, prop):
                term.facts.append((name, self.curie(value)))
        if kind == "class":
            term.facts += [("property of it", self.curie(p)) for p in _sorted(self.graph.subjects(RDFS.domain, node))]
            term.shapes = self.class_shapes(node)
            instances = _sorted(set(self.graph.subjects(RDF.type, node)))
            term.examples = [self._example(i) for i in instances[:EXAMPLES]]
        else:
            term.shapes = self.property_shapes(node)
            term.examples = [f"{self._example(s)} → {self._example(o)}"
                             for s, o in sorted(self.graph.subject_objects(node))[:EXAMPLES]]
        return term

    def _example(self, node: Node) -> str:
        label = self.graph.value(node, RDFS.label)
        shown = self.curie(node) if not isinstance(node, BNode) else "(blank node)"
        if not isinstance(node, (URIRef, BNode)):
            return f'"{node}"'
        return f"{shown} ({label})" if label is not None else shown

    def class_shapes(self, cls: URIRef) -> list[dict[str, str]]:
        rows = []
        for shape in _sorted(self.shapes.subjects(SH.targetClass, cls)):
            for prop_shape in _sorted(self.shapes.objects(shape, SH.property)):
                rows.append(self._shape_row(shape, prop_shape))
        return rows

    def property_shapes(self, prop: URIRef) -> list[dict[str, str]]:
        return [self._shape_row(next(iter(self.shapes.subjects(SH.property, ps)), ps), ps)
                for ps in _sorted(self.shapes.subjects(SH.path, prop))]

    def _shape_row(self, shape: Node, prop_shape: Node) -> dict[str, str]:
        path = self.shapes.value(prop_shape, SH.path)
        rules = []
        for name, prop in (("min", SH.minCount), ("max", SH.maxCount), ("class", SH["class"]),
                           ("datatype", SH.datatype), ("pattern", SH.pattern),
                           ("≥", SH.minInclusive), ("≤", SH.maxInclusive)):
            value = self.shapes.value(prop_shape, prop)
            if value is not None:
                rules.append(f"{name} {self.curie(value) if isinstance(value, URIRef) else value}")
        for name, prop in (("class", SH["or"]), ("in", SH["in"])):  # lists: classes of value shapes, concepts
            head = self.shapes.value(prop_shape, prop)
            if head is not None:
                members = [self.shapes.value(m, SH["class"]) or m for m in Collection(self.shapes, head)]
                rules.append(f"{name} " + " | ".join(self.curie(m) for m in members))
        severity = self.shapes.value(prop_shape, SH.severity)
        return {"shape": self.curie(shape), "path": self.curie(path) if isinstance(path, URIRef) else "(path)",
                "field": str(self.shapes.value(prop_shape, SH.name) or ""), "rules": ", ".join(rules),
                "severity": "warning" if severity == SH.Warning else "violation",
                "message": str(self.shapes.value(prop_shape, SH.message) or "")}

    def vocabularies(self) -> list[Vocabulary]:
        out = []
        for scheme in _sorted(set(self.graph.subjects(RDF.type, SKOS.ConceptScheme))):
            concepts = []
            for concept in _sorted(set(self.graph.subjects(SKOS.inScheme, scheme))):
                term = Term(str(concept), self.curie(concept),
                            self.text(concept, SKOS.prefLabel) or self.text(concept, RDFS.label),
                            self.text(concept, SKOS.definition) or self.text(concept, RDFS.comment), "concept")
                for name, local in (("notation", SKOS.notation), ("CAMEO", URIRef(TG + "cameoCode")),
                                    ("PLOVER", URIRef(TG + "ploverType")), ("PLOVER mode", URIRef(TG + "ploverMode"))):
                    for value in self.graph.objects(concept, local):
                        term.facts.append((name, str(value)))
                concepts.append(term)
            if concepts:
                label = self.text(scheme, SKOS.prefLabel) or self.text(scheme, RDFS.label) or self.curie(scheme)
                out.append(Vocabulary(self.curie(scheme), label, concepts))
        return out


def _sorted(nodes: Iterable[Node]) -> list[Identifier]:
    """Terms in rdflib's order (by kind, then text); every node a graph yields is an Identifier."""
    return sorted(cast("Iterable[Identifier]", nodes))
