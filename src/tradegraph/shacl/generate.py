"""The mechanical SHACL shapes, generated from the fact model (``facts/model.yaml``).

What the model says of a field becomes SHACL here, as LinkML's ``shaclgen`` makes shapes of a
schema: a required field ``sh:minCount 1`` (so does a field every kind gives a default), a
field of one value ``sh:maxCount 1``, the type its ``sh:datatype`` or ``sh:nodeKind``, a
pattern ``sh:pattern``, a range ``sh:minInclusive`` / ``sh:maxInclusive``, a reference the
class of the kinds it may name (``sh:class``, or ``sh:or`` of ``tgsh:Is<Class>`` value shapes),
a vocabulary ``sh:in`` its concepts. Each kind that declares fields gets a node shape
``tgsh:<Class>`` (a base without a class ``tgsh:<Name>``) that targets its class and the
classes of the kinds that extend it, and each field it declares a property shape
``tgsh:<Class>-<property>`` whose ``sh:name`` is the field, ``sh:description`` the field's
description and ``sh:message`` a sentence made of the two. A field a kind overrides gets
only the constraints its base's shape does not already make.

shapes/*.ttl, written by hand, add what the model cannot say (SPARQL rules, rules across
fields or records); :func:`tradegraph.shacl.validate.shapes_graph` gives both together.

>>> from rdflib import Graph
>>> from tradegraph.facts.model import load_model
>>> shapes = model_shapes(load_model(), Graph())
>>> print(shapes.value(TGSH["Country-isoCode"], SH.message))
A country needs exactly one `iso`: its ISO 3166-1 alpha-2 code in capitals, such as JP, written as text.
>>> str(shapes.value(TGSH["Country-isoCode"], SH.pattern))
'^([A-Z]{2})$'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from tradegraph.facts.fieldvalues import WIKIDATA
from tradegraph.facts.model import Field, Kind, Model
from tradegraph.rdf.namespaces import local_name

TGSH = Namespace("https://w3id.org/tradegraph/shapes#")
#: A constraint: (parameter, value); a list value (sh:in, sh:or) is a tuple.
Constraint = tuple[URIRef, Node | tuple[Node, ...]]
_LITERAL_TYPES = {"string": XSD.string, "strings": XSD.string, "names": RDF.langString}
_NUMBER_TYPES = {"decimal": XSD.decimal, "integer": XSD.integer}
_REFERENCES = ("ref", "refs", "participants", "corrections", "target")


def model_shapes(model: Model, ontology: Graph) -> Graph:
    """The shapes the model says, as a graph; ``ontology`` gives the class tree that lets one
    class stand for a list of kinds (a place or a country: ``sh:class tg:Place``)."""
    return _Generator(model, ontology).graph


class _Generator:
    def __init__(self, model: Model, ontology: Graph) -> None:
        self.model, self.ontology = model, ontology
        self.graph = Graph()
        for prefix, namespace in (("sh", SH), ("tg", model.prefixes["tg"]), ("tgsh", TGSH), ("xsd", XSD)):
            self.graph.bind(prefix, namespace)
        self.emitted: dict[tuple[str, str], set[Constraint]] = {}
        self.value_shapes: dict[URIRef, str] = {}    # class -> label, for sh:or
        # a kind after those it extends (it has more ancestors), so that it adds to their shapes
        for kind in sorted([*model.bases.values(), *model.kinds.values()], key=lambda k: len(k.ancestors)):
            self.node_shape(kind)
        for cls, label in sorted(self.value_shapes.items()):
            self.value_shape(cls, label)

    # ------------------------------------------------------------------ shapes
    def node_shape(self, kind: Kind) -> None:
        members = self.model.members(kind.name)
        targets = list(dict.fromkeys(self.cls(k) for k in (kind, *members) if k.rdf_class))
        own = [kind.fields[name] for name in kind.own]
        if not targets or not own:
            return
        node = TGSH[local_name(targets[0]) if kind.rdf_class else _camel(kind.name)]
        g = self.graph
        g.add((node, RDF.type, SH.NodeShape))
        g.add((node, RDFS.label, Literal(_capital(kind.label))))
        g.add((node, RDFS.comment, Literal(kind.description)))
        for target in targets:
            g.add((node, SH.targetClass, target))
        paths = [spec.property for spec in own]
        for spec in own:
            constraints = self.constraints(kind, spec, members)
            inherited = set().union(*(self.emitted.get((a, spec.name), set()) for a in kind.ancestors))
            self.emitted[(kind.name, spec.name)] = constraints
            if not constraints - inherited:
                continue
            path = URIRef(self.model.expand(spec.property))
            name = f"{local_name(node)}-{local_name(path)}"
            shape = TGSH[name if paths.count(spec.property) == 1 else f"{name}-{spec.name}"]
            g.add((node, SH.property, shape))
            self.property_shape(shape, path, kind, spec, constraints - inherited)

    def property_shape(self, shape: URIRef, path: URIRef, kind: Kind, spec: Field,
                       constraints: set[Constraint]) -> None:
        g = self.graph
        g.add((shape, RDF.type, SH.PropertyShape))
        g.add((shape, SH.path, path))
        g.add((shape, SH.name, Literal(spec.name)))
        g.add((shape, SH.description, Literal(spec.description)))
        for parameter, value in sorted(constraints, key=str):
            if isinstance(value, tuple):
                head = BNode()
                Collection(g, head, list(value))
                value = head
            g.add((shape, parameter, value))
        g.add((shape, SH.message, Literal(self.message(kind, spec))))

    def value_shape(self, cls: URIRef, label: str) -> None:
        node = TGSH[f"Is{local_name(cls)}"]
        self.graph.add((node, RDF.type, SH.NodeShape))
        self.graph.add((node, SH["class"], cls))
        self.graph.add((node, SH.message, Literal(f"The value is not {_a(label)}.")))

    # ------------------------------------------------------------------ what the model says of a field
    def constraints(self, kind: Kind, spec: Field, members: tuple[Kind, ...]) -> set[Constraint]:
        """Every constraint a field of ``kind`` makes on the records of ``members``."""
        found: set[Constraint] = set()
        # a property two fields of one record set (tg:name: `name` and `names`) has the values of both
        shared = any(other.property == spec.property and other.name != spec.name
                     for member in members for other in member.fields.values())
        if _needed(spec, members):
            found.add((SH.minCount, Literal(1)))
        if not spec.many and not shared:
            found.add((SH.maxCount, Literal(1)))
        if spec.type in _LITERAL_TYPES:
            found.add((SH.nodeKind, SH.Literal) if shared else (SH.datatype, _LITERAL_TYPES[spec.type]))
            if spec.type == "names":
                found.add((SH.uniqueLang, Literal(True)))
            else:
                found.add((SH.minLength, Literal(1)))
            if spec.pattern:
                found.add((SH.pattern, Literal(f"^({spec.pattern})$")))
        elif spec.type in _NUMBER_TYPES:
            found.add((SH.datatype, _NUMBER_TYPES[spec.type]))
            if spec.minimum is not None:
                found.add((SH.minInclusive, Literal(spec.minimum)))
            if spec.maximum is not None:
                found.add((SH.maxInclusive, Literal(spec.maximum)))
        elif spec.type == "when":
            found.add((SH["class"], URIRef(self.model.expand("tg:TimeSpec"))))
        elif spec.type == "enum":
            tokens = self.model.vocabularies[spec.vocabulary or ""]
            found.add((SH["in"], tuple(URIRef(self.model.expand(c)) for c in tokens.values())))
        elif spec.type == "url":
            found |= {(SH.datatype, XSD.anyURI), (SH.pattern, Literal("^https?://"))}
        elif spec.type == "wikidata":
            pattern = f"^{re.escape(WIKIDATA)}({self.model.patterns['wikidata-id']})$"
            found |= {(SH.nodeKind, SH.IRI), (SH.pattern, Literal(pattern))}
        elif spec.type in _REFERENCES and spec.to:
            classes = self.classes(spec.to)
            if len(classes) == 1:
                found.add((SH["class"], classes[0]))
            else:
                found.add((SH["or"], tuple(TGSH[f"Is{local_name(c)}"] for c in classes)))
        return found

    def classes(self, kinds: tuple[str, ...]) -> list[URIRef]:
        """The fewest classes whose instances are the records of ``kinds``: a base stands for
        its kinds when all are named, and a class for its subclasses in the ontology."""
        chosen = [self.model.kinds[k] for k in kinds]
        classes = list(dict.fromkeys(self.cls(k) for k in [*self.covering(kinds), *chosen] if k.rdf_class))
        kept = [c for c in classes if not any(other != c and other in self.above(c) for other in classes)]
        if len(kept) > 1:
            self.value_shapes.update((cls, self.label_of(cls)) for cls in kept)
        return kept

    def above(self, cls: URIRef) -> set[Node]:
        """The classes ``cls`` is a subclass of in the ontology."""
        return {c for c in self.ontology.transitive_objects(cls, RDFS.subClassOf) if c is not None and c != cls}

    # ------------------------------------------------------------------ words
    def message(self, kind: Kind, spec: Field) -> str:
        """The shape's message: how many values the field takes, what each is, what it means."""
        needed = _needed(spec, self.model.members(kind.name))
        who = _capital(_a(kind.label))
        if spec.many:
            count = "needs at least one" if needed else "may have any number of"
            return f"{who} {count} `{spec.name}`, each {self.form(spec)}: {spec.description}."
        count = "needs exactly one" if needed else "has at most one"
        return f"{who} {count} `{spec.name}`: {spec.description}, written as {self.form(spec)}."

    def form(self, spec: Field) -> str:
        """What one value of the field is, as a fact file writes it."""
        if spec.type in _REFERENCES and spec.to:
            one = f"the id of {self.words(spec.to)}"
            return {"participants": f"{one}, alone or as {{actor: id, role: host}}",
                    "corrections": "a correction with its `id` and `text`"}.get(spec.type, one)
        if spec.type == "enum":
            return "one of " + _or(list(self.model.vocabularies[spec.vocabulary or ""]))
        if spec.type in _NUMBER_TYPES:
            number = "a whole number" if spec.type == "integer" else "a number"
            low, high = spec.minimum, spec.maximum
            return number + (f" from {low} to {high}" if low is not None and high is not None
                             else f", {low} or more" if low is not None
                             else f", {high} or less" if high is not None else "")
        return {"string": "text", "strings": "a line of text", "names": "a name under its language tag",
                "when": "a date, a month, a year or a from/to range", "url": "an http(s) URL",
                "wikidata": "its id, such as Q17"}.get(spec.type, spec.type)

    def words(self, kinds: tuple[str, ...]) -> str:
        """``kinds`` as a message names them, a base's label standing for all its kinds."""
        covering = self.covering(kinds)
        widest = [b for b in covering if not any(other.name in b.ancestors for other in covering)]
        named: dict[str, str] = {}
        for name in kinds:
            base = next((b for b in widest if name in self.model.groups[b.name]), None)
            named.setdefault(base.name if base else name, (base or self.model.kinds[name]).label)
        return _or([_a(label) for label in named.values()])

    def covering(self, kinds: tuple[str, ...]) -> list[Kind]:
        """The bases of two kinds or more that ``kinds`` names all the kinds of."""
        return [b for b in self.model.bases.values()
                if len(self.model.groups[b.name]) > 1 and set(self.model.groups[b.name]) <= set(kinds)]

    def label_of(self, cls: URIRef) -> str:
        return next(k.label for k in [*self.model.kinds.values(), *self.model.bases.values()]
                    if k.rdf_class and self.cls(k) == cls)

    def cls(self, kind: Kind) -> URIRef:
        return URIRef(self.model.expand(kind.rdf_class or ""))


def _needed(spec: Field, members: tuple[Kind, ...]) -> bool:
    """Whether every record of ``members`` has the field: it is required, or each kind gives a default."""
    return spec.required or bool(members and all(spec.name in m.defaults for m in members))


def _a(label: str) -> str:
    return ("an " if label[:1] in "aeiou" else "a ") + label


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def _or(words: Iterable[str]) -> str:
    items = list(words)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
