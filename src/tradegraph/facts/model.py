"""The fact model: which kinds of record exist and what each field means.

The model lives in ``model.yaml`` beside this module and the files of ``kinds/`` it names (one
place, read by the loader, the shape generator, the docs and the tests); this module gives it
types. A kind inherits the fields of the kinds it ``extends``; a base (``abstract: true``)
gives its concrete kinds their shared fields and names them as a group.

>>> model = load_model()
>>> model.kinds["meeting"].rdf_class, model.kinds["meeting"].parents
('tg:Meeting', ('gathering',))
>>> model.kinds["meeting"].fields["participants"].to == model.groups["actor"]
True
>>> model.kinds["tenure"].fields["holder"].to
('person',)
>>> model.kinds["ministry"].fields["part_of"].required, model.kinds["organization"].fields["part_of"].required
(True, False)
>>> model.groups["actor"]
('person', 'government', 'ministry', 'party', 'organization', 'delegation')
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

from tradegraph.errors import InvalidModel, Location, did_you_mean
from tradegraph.rdf.namespaces import PREFIXES

#: An id, matched whole (``re.fullmatch``): an anchored ``$`` would let "id\n" through.
ID_PATTERN = r"[a-z0-9][a-z0-9-]*"
#: Field types whose field may hold several values (a list in a fact file).
MANY = frozenset({"strings", "names", "refs", "participants", "corrections"})
#: Keys of a kind that its descendants inherit (a kind may set them again).
_INHERITED = ("where", "event")


@dataclass(frozen=True)
class Field:
    """One field of a kind: the property it sets, the type of its value, what it means."""

    name: str
    property: str
    type: str
    required: bool = False
    to: tuple[str, ...] | None = None   # the kinds a reference may name, groups expanded
    vocabulary: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None          # a regular expression the whole text matches
    description: str = ""

    @builtins.property  # `property` is a field here
    def many(self) -> bool:
        """Whether the field may hold several values."""
        return self.type in MANY


@dataclass(frozen=True)
class Kind:
    """A kind of record, with every field it has (inherited ones first)."""

    name: str
    rdf_class: str | None
    where: str
    fields: dict[str, Field]
    section: str | None = None
    is_event: bool = False
    abstract: bool = False
    parents: tuple[str, ...] = ()
    ancestors: tuple[str, ...] = ()     # every kind it inherits from, nearest first
    own: tuple[str, ...] = ()           # the fields it declares or overrides itself
    label: str = ""
    description: str = ""
    defaults: dict[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()       # other names a person may write for it ("deal")

    @property
    def is_fact(self) -> bool:
        return self.where == "source"


@dataclass(frozen=True)
class Links:
    """Records of ``kinds`` link every two actors named by ``fields`` (field -> default role)."""

    kinds: tuple[str, ...]
    fields: dict[str, str]


@dataclass(frozen=True)
class NetworkModel:
    """The actor network as the ``network:`` block of ``model.yaml`` declares it.

    >>> network = load_model().network
    >>> network.default_actors
    ('ministry', 'government', 'party', 'person')
    >>> network.part_of, network.unconfirmed
    ('tg:partOf', ('planned', 'uncertain'))
    """

    actors: dict[str, str]            # kind -> label, most specific first
    optional_actors: tuple[str, ...]  # drawn only with --include-organizations
    links: tuple[Links, ...]
    statuses: tuple[str, ...]         # statuses that count ("unstated": none given)
    unconfirmed: tuple[str, ...]      # counted with include-unconfirmed
    part_of: str                      # the property (a CURIE) that names the whole a record is part of

    @property
    def default_actors(self) -> tuple[str, ...]:
        """The kinds of actor drawn by default, most specific first."""
        return tuple(k for k in self.actors if k not in self.optional_actors)


@dataclass(frozen=True)
class Model:
    prefixes: dict[str, str]
    kinds: dict[str, Kind]                  # the concrete kinds, in the model's order
    bases: dict[str, Kind]                  # the abstract kinds
    groups: dict[str, tuple[str, ...]]      # a base -> its kinds that have a class
    vocabularies: dict[str, dict[str, str]]
    patterns: dict[str, str]                # name -> a regular expression matched whole
    network: NetworkModel

    def kind_by_section(self, section: str) -> Kind | None:
        return next((k for k in self.kinds.values() if k.section == section), None)

    @property
    def sections(self) -> list[str]:
        return [k.section for k in self.kinds.values() if k.section]

    @property
    def default_event_type(self) -> dict[str, str | None]:
        """The event type each kind of event gets when a record names none."""
        return {k.name: k.defaults.get("event_type") for k in self.kinds.values() if k.is_event}

    def fields_of(self, kind: Kind) -> dict[str, Field]:
        """Every field a record of ``kind`` may carry, inherited ones first."""
        return kind.fields

    def kind_hint(self, word: str) -> str | None:
        """The hint for an unknown kind of fact: the kind that ``word`` is another name for, else the closest name.

        >>> load_model().kind_hint("deal")
        "did you mean 'agreement'?"
        >>> load_model().kind_hint("meting")
        "did you mean 'meeting'?"
        """
        facts = [k for k in self.kinds.values() if k.is_fact]
        named = next((k.name for k in facts if word.strip().lower() in k.aliases), None)
        return f"did you mean '{named}'?" if named else did_you_mean(word, [k.name for k in facts])

    def kind(self, name: str) -> Kind:
        """A kind, concrete or a base, by its name."""
        return self.kinds.get(name) or self.bases[name]

    def members(self, name: str) -> tuple[Kind, ...]:
        """The concrete kinds that are ``name`` or extend it, in the model's order.

        >>> [k.name for k in load_model().members("trade-measure")]
        ['tariff']
        """
        return tuple(k for k in self.kinds.values() if name == k.name or name in k.ancestors)

    def expand(self, curie: str) -> str:
        prefix, _, local = curie.partition(":")
        base = PREFIXES.get(prefix)
        if base is None:
            raise InvalidModel(f"unknown prefix in {curie!r}")
        return base + local


@lru_cache(maxsize=1)
def load_model() -> Model:
    """The fact model shipped with tradegraph."""
    folder = files("tradegraph.facts")
    raw = yaml.safe_load(folder.joinpath("model.yaml").read_text("utf-8"))
    declared: dict[str, dict[str, Any]] = dict(raw["kinds"])
    for name in raw["kind-files"]:
        for kind, spec in yaml.safe_load(folder.joinpath("kinds", name).read_text("utf-8")).items():
            if kind in declared:
                raise InvalidModel(f"kind '{kind}' is declared twice", where=Location(f"kinds/{name}"),
                                   expected="one declaration a kind")
            declared[kind] = spec or {}
    patterns = dict(raw.get("patterns") or {})
    resolved = _Inheritance(declared).resolve_all()
    groups = {name: tuple(k for k, spec in resolved.items() if not spec.abstract and spec.keys.get("class")
                          and (k == name or name in spec.ancestors))
              for name, spec in resolved.items() if spec.abstract}

    def make(name: str, spec: _Resolved) -> Kind:
        keys = spec.keys
        fields = {field_name: _field(name, field_name, field_spec, groups, patterns)
                  for field_name, field_spec in spec.fields.items()}
        return Kind(name=name, rdf_class=keys.get("class"), where=keys.get("where") or "", fields=fields,
                    section=keys.get("section"), is_event=bool(keys.get("event", False)), abstract=spec.abstract,
                    parents=spec.parents, ancestors=spec.ancestors, own=spec.own,
                    label=keys.get("label") or name.replace("-", " "), description=keys.get("description") or "",
                    defaults=spec.defaults, aliases=tuple(keys.get("aliases") or ()))

    every = {name: make(name, spec) for name, spec in resolved.items()}
    kinds = {name: k for name, k in every.items() if not k.abstract}
    return Model(prefixes={name: PREFIXES[name] for name in ("tg", "tget")}, kinds=kinds,
                 bases={name: k for name, k in every.items() if k.abstract}, groups=groups,
                 vocabularies=raw["vocabularies"], patterns=patterns, network=_network(raw["network"], kinds))


@dataclass
class _Resolved:
    """A kind's keys and field specs after inheritance, as plain YAML values."""

    keys: dict[str, Any]
    fields: dict[str, dict[str, Any]]
    parents: tuple[str, ...]
    ancestors: tuple[str, ...]
    own: tuple[str, ...]
    defaults: dict[str, Any]

    @property
    def abstract(self) -> bool:
        return bool(self.keys.get("abstract", False))


class _Inheritance:
    """Resolves ``extends``: each kind gets its parents' fields (first parent first), then its own,
    a field named again overriding the inherited one key by key."""

    def __init__(self, declared: dict[str, dict[str, Any]]) -> None:
        self.declared = declared
        self.done: dict[str, _Resolved] = {}

    def resolve_all(self) -> dict[str, _Resolved]:
        return {name: self.resolve(name, ()) for name in self.declared}

    def resolve(self, name: str, path: tuple[str, ...]) -> _Resolved:
        if name in self.done:
            return self.done[name]
        if name not in self.declared:
            raise InvalidModel(f"kind '{path[-1]}' extends '{name}', which is not a kind",
                               where=Location("model.yaml"), expected="the name of a kind")
        if name in path:
            raise InvalidModel(f"kind '{name}' extends itself ({' -> '.join((*path, name))})",
                               where=Location("model.yaml"), expected="a tree of kinds")
        spec = self.declared[name]
        extends = spec.get("extends") or []
        parents = tuple([extends] if isinstance(extends, str) else extends)
        own_fields: dict[str, dict[str, Any]] = spec.get("fields") or {}
        keys: dict[str, Any] = {}
        fields: dict[str, dict[str, Any]] = {}
        ancestors: list[str] = []
        defaults: dict[str, Any] = {}
        for parent in parents:
            up = self.resolve(parent, (*path, name))
            for key in _INHERITED:
                if key in up.keys:
                    keys.setdefault(key, up.keys[key])
            for field_name, field_spec in up.fields.items():
                if fields.get(field_name, field_spec) != field_spec and field_name not in own_fields:
                    raise InvalidModel(f"kind '{name}' inherits two different fields '{field_name}'",
                                       where=Location("model.yaml"), expected="one definition, or the kind's own")
                fields.setdefault(field_name, field_spec)
            defaults = {**up.defaults, **defaults}
            ancestors += [a for a in (parent, *up.ancestors) if a not in ancestors]
        keys.update({key: value for key, value in spec.items() if key not in ("extends", "fields", "defaults")})
        for field_name, field_spec in own_fields.items():
            fields[field_name] = {**fields.get(field_name, {}), **field_spec}
        resolved = _Resolved(keys, fields, parents, tuple(ancestors), tuple(own_fields),
                             {**defaults, **(spec.get("defaults") or {})})
        self.done[name] = resolved
        return resolved


def _field(kind: str, name: str, spec: dict[str, Any], groups: dict[str, tuple[str, ...]],
           patterns: dict[str, str]) -> Field:
    if "property" not in spec or "type" not in spec:
        raise InvalidModel(f"field '{name}' of kind '{kind}' has no {'property' if 'property' not in spec else 'type'}",
                           where=Location("model.yaml"), expected="a property and a type for every field")
    to = spec.get("to")
    expanded: tuple[str, ...] | None = None
    if to is not None:
        kinds: list[str] = []
        for item in to:
            kinds.extend(groups.get(item, (item,)))
        expanded = tuple(dict.fromkeys(kinds))
    pattern = spec.get("pattern")
    return Field(name=name, property=spec["property"], type=spec["type"],
                 required=bool(spec.get("required", False)), to=expanded,
                 vocabulary=spec.get("vocabulary"), minimum=spec.get("min"),
                 maximum=spec.get("max"), pattern=patterns.get(pattern, pattern) if pattern else None,
                 description=spec.get("description") or "")


def _network(raw: dict[str, Any], kinds: dict[str, Kind]) -> NetworkModel:
    """The ``network:`` block, every kind and field it names checked against ``kinds``."""
    links = tuple(Links(kinds=tuple(rule["kinds"]), fields=dict(rule["fields"])) for rule in raw["links"])
    encounters = raw["encounters"]
    named = [(k, "") for k in raw["actors"]] + [(k, f) for rule in links for k in rule.kinds for f in rule.fields]
    for kind, name in named:
        if kind not in kinds or (name and name not in kinds[kind].fields):
            raise InvalidModel(f"the network names {f'{kind}.{name}' if name else kind}, which is not in the model",
                               where=Location("model.yaml"), expected="kinds and fields the model defines")
    wholes = {kinds[k].fields[encounters["parts"]].property for rule in links for k in rule.kinds
              if encounters["parts"] in kinds[k].fields}
    if len(wholes) != 1:
        raise InvalidModel(f"the network's parts field {encounters['parts']!r} sets {len(wholes)} properties",
                           where=Location("model.yaml"), expected="a field that the linking kinds share")
    return NetworkModel(
        actors={kind: spec["label"] for kind, spec in raw["actors"].items()},
        optional_actors=tuple(k for k, spec in raw["actors"].items() if spec.get("default", True) is False),
        links=links, statuses=tuple(encounters["statuses"]), unconfirmed=tuple(encounters["unconfirmed"]),
        part_of=wholes.pop())
