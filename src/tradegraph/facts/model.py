"""The fact model: which kinds of record exist and what each field means.

The model lives in ``model.yaml`` beside this module (one place, read by the loader, the
docs and the tests); this module gives it types.

>>> model = load_model()
>>> model.kinds["meeting"].rdf_class
'tg:Meeting'
>>> sorted(model.kinds["meeting"].fields["participants"].to or [])
[]
>>> model.kinds["tenure"].fields["holder"].to
('person',)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

from tradegraph.errors import InvalidModel
from tradegraph.rdf.namespaces import PREFIXES

#: An id, matched whole (``re.fullmatch``): an anchored ``$`` would let "id\n" through.
ID_PATTERN = r"[a-z0-9][a-z0-9-]*"


@dataclass(frozen=True)
class Field:
    name: str
    property: str
    type: str
    required: bool = False
    to: tuple[str, ...] | None = None
    vocabulary: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None


@dataclass(frozen=True)
class Kind:
    name: str
    rdf_class: str | None
    where: str
    fields: dict[str, Field]
    section: str | None = None
    is_event: bool = False

    @property
    def is_fact(self) -> bool:
        return self.where == "source"


@dataclass(frozen=True)
class Model:
    prefixes: dict[str, str]
    kinds: dict[str, Kind]
    common: dict[str, Field]
    fact_fields: dict[str, Field]
    groups: dict[str, tuple[str, ...]]
    vocabularies: dict[str, dict[str, str]]
    default_event_type: dict[str, str | None] = field(default_factory=dict)

    def kind_by_section(self, section: str) -> Kind | None:
        return next((k for k in self.kinds.values() if k.section == section), None)

    @property
    def sections(self) -> list[str]:
        return [k.section for k in self.kinds.values() if k.section]

    def fields_of(self, kind: Kind) -> dict[str, Field]:
        """Every field a record of ``kind`` may carry (its own, the common, the fact ones)."""
        merged = dict(self.common)
        if kind.is_fact:
            merged.update(self.fact_fields)
        merged.update(kind.fields)
        return merged

    def expand(self, curie: str) -> str:
        prefix, _, local = curie.partition(":")
        base = PREFIXES.get(prefix)
        if base is None:
            raise InvalidModel(f"unknown prefix in {curie!r}")
        return base + local



def _field(name: str, spec: dict[str, Any], groups: dict[str, tuple[str, ...]]) -> Field:
    to = spec.get("to")
    expanded: tuple[str, ...] | None = None
    if to is not None:
        kinds: list[str] = []
        for item in to:
            kinds.extend(groups.get(item, (item,)))
        expanded = tuple(dict.fromkeys(kinds))
    return Field(name=name, property=spec["property"], type=spec["type"],
                 required=bool(spec.get("required", False)), to=expanded,
                 vocabulary=spec.get("vocabulary"), minimum=spec.get("min"),
                 maximum=spec.get("max"), pattern=spec.get("pattern"))


@lru_cache(maxsize=1)
def load_model() -> Model:
    """The fact model shipped with tradegraph."""
    raw = yaml.safe_load(files("tradegraph.facts").joinpath("model.yaml").read_text("utf-8"))
    groups = {name: tuple(kinds) for name, kinds in raw["groups"].items()}

    def fields(specs: dict[str, Any]) -> dict[str, Field]:
        return {name: _field(name, spec, groups) for name, spec in (specs or {}).items()}

    kinds = {
        name: Kind(name=name, rdf_class=spec["class"], where=spec["where"],
                   fields=fields(spec.get("fields")), section=spec.get("section"),
                   is_event=bool(spec.get("event", False)))
        for name, spec in raw["kinds"].items()
    }
    return Model(prefixes={name: PREFIXES[name] for name in ("tg", "tget")}, kinds=kinds, common=fields(raw["common"]),
                 fact_fields=fields(raw["fact"]), groups=groups,
                 vocabularies=raw["vocabularies"],
                 default_event_type=raw.get("default-event-type", {}))
