"""The query path: one `tradegraph query NAME` opens the project and reads the query once, and
the run takes the parsed query along; `--show-sparql` prints the text the engines receive."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tradegraph.project import Project
from tradegraph.query import catalogue
from tradegraph.query.catalogue import Query, find_query
from tradegraph.query.run import run_query
from tradegraph.sparql.text import mask

from .conftest import FIXTURES

pytestmark = pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")
FIXTURE = FIXTURES / "queries"


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """The real parse_query and Project.open, wrapped to note each call."""
    calls: dict[str, list[Any]] = {"parse": [], "open": []}
    parse = catalogue.parse_query
    open_ = Project.open.__func__  # type: ignore[attr-defined]

    def counting_parse(text: str, shown: str, **options: Any) -> Query:
        calls["parse"].append(shown)
        return parse(text, shown, **options)

    def counting_open(cls: type[Project], root: Path | str | None = None) -> Project:
        calls["open"].append(root)
        return open_(cls, root)  # type: ignore[no-any-return]

    monkeypatch.setattr(catalogue, "_READ", {})  # nothing read earlier in this process
    monkeypatch.setattr(catalogue, "parse_query", counting_parse)
    monkeypatch.setattr(Project, "open", classmethod(counting_open))
    return calls


@pytest.mark.parametrize("args", [
    ("query", "who-met-whom", "--project", str(FIXTURE), "--format", "json"),
    ("query", "--project", str(FIXTURE), "who-met-whom", "--format", "json"),
    ("query", "who-met-whom", f"-p{FIXTURE}", "--actor", "ana", "--format", "json"),
])
def test_one_query_command_opens_the_project_and_reads_the_query_once(cli, counted, args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.code == 0, result.err
    assert json.loads(result.out)
    assert [Path(shown).name for shown in counted["parse"]] == ["who-met-whom.rq"]
    assert len(counted["open"]) == 1


def test_the_library_takes_a_name_or_the_parsed_query(counted) -> None:
    by_name = run_query("who-met-whom", project=FIXTURE, before="2025-03-15")
    assert len(counted["parse"]) == 1 and len(counted["open"]) == 1
    project = Project.open(FIXTURE)
    query = find_query(project, "who-met-whom")
    counted["parse"].clear(), counted["open"].clear()
    assert run_query(query, project=project, before="2025-03-15") == by_name
    assert counted == {"parse": [], "open": []}


def test_outside_a_project_a_local_query_still_says_so(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("query", "who-met-whom")
    assert result.code == 2
    assert result.err.startswith(f"error: {tmp_path.resolve()} is not a tradegraph project (it has no graph/ folder)")


def test_show_sparql_prints_what_an_endpoint_receives(cli, tmp_path: Path) -> None:
    args = ("query", "who-met-whom", "--project", str(FIXTURE), "--before", "2025-03-15")
    shown = cli(*args, "--show-sparql")
    assert shown.code == 0 and shown.err == ""
    code = mask(shown.out)
    assert "GIVEN" not in code and "sameTerm(?before" not in code  # written out, then written in as its term
    assert '!COALESCE(sameTerm("2025-03-15"^^<http://www.w3.org/2001/XMLSchema#date>, ' in shown.out
    (tmp_path / "shown.rq").write_text(shown.out, encoding="utf-8")
    again = json.loads(cli("sparql", "-f", str(tmp_path / "shown.rq"), "--project", str(FIXTURE),
                           "--format", "json").out)
    rows = json.loads(cli(*args, "--format", "json").out)
    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        return row["id"], row["date"], row["actor1"], row["actor2"]

    assert [key(r) for r in again] == [key(r) for r in rows] and len(rows) == 2
