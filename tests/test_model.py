"""The fact model (src/tradegraph/facts/model.yaml and kinds/*.yaml): stated once, described,
inherited, and the one place its patterns are spelled."""

from __future__ import annotations

import re

from tradegraph.facts.model import load_model

from .conftest import REPO


def test_every_kind_and_field_says_what_it_is() -> None:
    model = load_model()
    kinds = [*model.bases.values(), *model.kinds.values()]
    assert [k.name for k in kinds if not k.description] == []
    assert [f"{k.name}.{f.name}" for k in kinds for f in k.fields.values() if not f.description] == []


def test_references_name_kinds_and_vocabularies_exist() -> None:
    model = load_model()
    for kind in model.kinds.values():
        for spec in kind.fields.values():
            assert set(spec.to or ()) <= set(model.kinds), (kind.name, spec.name)
            assert spec.vocabulary is None or spec.vocabulary in model.vocabularies, (kind.name, spec.name)
            assert spec.type not in ("ref", "refs", "participants", "target") or spec.to, (kind.name, spec.name)
        assert set(kind.defaults) <= set(kind.fields), kind.name


def test_a_kind_inherits_its_bases_fields_and_overrides_key_by_key() -> None:
    model = load_model()
    meeting, trip, ministry = model.kinds["meeting"], model.kinds["trip"], model.kinds["ministry"]
    assert meeting.ancestors[:2] == ("gathering", "event") and meeting.own == ()
    assert list(meeting.fields)[:7] == ["label", "note", "wikidata", "record_origin", "evidence", "attribution", "related"]
    assert meeting.fields["status"].required and not model.kinds["statement"].fields["status"].required
    assert meeting.fields["status"].vocabulary == "event-status"   # the base's keys, but `required`
    assert trip.fields["participants"].required and not meeting.fields["participants"].required
    assert ministry.fields["part_of"].to == ("government",) and ministry.fields["part_of"].property == "tg:subOrganizationOf"
    assert model.groups["event"] == ("meeting", "phone-call", "visit", "trip", "talks", "ceremony", "occasion",
                                     "election", "statement", "announcement", "letter")
    assert "citation" not in model.groups["fact"]   # a kind without a class is no target of a reference
    assert model.default_event_type["talks"] == "talks" and model.kinds["delegation"].where == "source"


def test_the_language_tag_and_the_wikidata_id_are_spelled_once() -> None:
    """The model's patterns; the loader and the generated shapes read them from there."""
    model = load_model()
    spelled = {name: re.escape(pattern) for name, pattern in model.patterns.items()}
    places = [p for folder in ("src", "shapes", "ontology")
              for p in (REPO / folder).rglob("*") if p.suffix in (".py", ".ttl", ".yaml")]
    for name, pattern in spelled.items():
        found = [str(p.relative_to(REPO)) for p in places if re.search(pattern, p.read_text("utf-8"))]
        assert found == ["src/tradegraph/facts/model.yaml"], name
    assert model.kinds["source"].fields["language"].pattern == model.patterns["language-tag"]
