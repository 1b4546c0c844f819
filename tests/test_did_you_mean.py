"""One `did_you_mean`: every "did you mean 'x'?" hint comes from errors.py, worded once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tradegraph.errors import InvalidData, close_matches, did_you_mean

from .conftest import REPO


def test_the_hint_names_the_closest_choice_or_nothing() -> None:
    assert did_you_mean("particpants", ["participants", "place"]) == "did you mean 'participants'?"
    assert did_you_mean("zzz", ["participants", "place"]) is None
    assert close_matches("akazwa", ["akazawa", "akazawa-ryosei", "bessent"], n=5) == ["akazawa", "akazawa-ryosei"]


def test_only_errors_py_asks_difflib() -> None:
    package = REPO / "src" / "tradegraph"
    users = sorted(str(p.relative_to(package)) for p in package.rglob("*.py")
                   if re.search(r"\bdifflib\b", p.read_text(encoding="utf-8")))
    assert users == ["errors.py"]


def test_a_deal_is_written_as_an_agreement() -> None:
    """`deal` is another name of the kind `agreement`: its hint names that kind, not `deadline`."""
    from tradegraph.facts.model import load_model

    assert load_model().kind_hint("deal") == "did you mean 'agreement'?"
    assert did_you_mean("deal", [k for k in load_model().kinds]) == "did you mean 'deadline'?"  # what difflib says


def test_the_loader_hints_agreement_for_a_deal(minimal: Path) -> None:
    from tradegraph.facts.loader import load_facts
    from tradegraph.project import Project

    path = minimal / "graph" / "sources" / "first-article.yaml"
    path.write_text(path.read_text("utf-8").replace("kind: tariff", "kind: deal"), "utf-8")
    with pytest.raises(InvalidData) as caught:
        load_facts(Project.open(minimal))
    assert str(caught.value).endswith("(hint: did you mean 'agreement'?)")
