"""One `did_you_mean`: every "did you mean 'x'?" hint comes from errors.py, worded once."""

from __future__ import annotations

import re

from tradegraph.errors import close_matches, did_you_mean

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
