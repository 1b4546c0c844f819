"""One way to get the graph: every command reads the validated graph from one provider, which
reuses the last build while no input changed, and loads and validates once otherwise.

Loads and validations are counted by wrapping the real functions (they still do their work),
wherever a module of tradegraph holds them.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib.compare import isomorphic
from rdflib.graph import ModificationException

from tradegraph.build.dataset import fact_union
from tradegraph.build.outputs import OUTPUT_RECORD
from tradegraph.build.provider import validated_graph
from tradegraph.facts.loader import load_facts
from tradegraph.project import Project
from tradegraph.query.catalogue import load_queries
from tradegraph.rdf.graphs import union
from tradegraph.shacl.paths import VALIDATORS

from .conftest import REPO, Run

#: The real functions that load facts or validate them, by what they do.
COUNTED = {
    "load": [("tradegraph.facts.loader", "load_facts"), ("tradegraph.store.oxigraph", "load_store")],
    "validate": [("tradegraph.shacl.fast", "validate_graph_fast"), ("tradegraph.shacl.validate", "validate_graph"),
                 ("tradegraph.shacl.fast", "validate_store")],
}
#: Modules that a command imports only when it runs: imported first, so that their names are wrapped too.
LAZY = ["tradegraph.build.pipeline", "tradegraph.build.onstore", "tradegraph.build.provider", "tradegraph.shacl.paths",
        "tradegraph.query.run", "tradegraph.export.exports", "tradegraph.export.stats", "tradegraph.export.docs",
        "tradegraph.network.page", "tradegraph.remote.push", "tradegraph.remote.serve"]
WHO_MET_WHOM = ["query", "who-met-whom", "--format", "json"]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times facts were loaded and validated since the test began."""
    for name in LAZY:
        importlib.import_module(name)
    counted: Counter[str] = Counter()
    for what, functions in COUNTED.items():
        for module_name, name in functions:
            real = getattr(importlib.import_module(module_name), name)
            wrapper = _counting(real, what, counted)
            for module in [m for n, m in sys.modules.items() if n.startswith("tradegraph")]:
                if getattr(module, name, None) is real:
                    monkeypatch.setattr(module, name, wrapper)
    return counted


def _counting(real: Callable[..., Any], what: str, counted: Counter[str]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        counted[what] += 1
        return real(*args, **kwargs)

    return wrapper


@pytest.fixture
def commands(tmp_path: Path) -> dict[str, list[str]]:
    """Every command that reads the graph, as arguments (the project is added by :func:`_run`)."""
    return {
        "query": WHO_MET_WHOM,
        "sparql": ["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "json"],
        "network": ["network"],
        "network --metrics": ["network", "--metrics", "--format", "json"],
        "export ttl": ["export", "-f", "ttl"],
        "export trig": ["export", "-f", "trig"],
        "export gexf": ["export", "-f", "gexf"],
        "stats": ["stats", "--format", "json"],
        "viz": ["viz", "-o", "-", "-f", "html"],
        "docs": ["docs", "-o", str(tmp_path / "docs")],
    }


def _run(cli: Callable[..., Run], project: Path, args: list[str]) -> Run:
    """A command on ``project``: ``--project`` goes after the query's name for ``query``."""
    where = 2 if args[0] == "query" else 1
    return cli(*args[:where], "--project", str(project), *args[where:])


def _twin(project: Path, tmp_path: Path) -> Path:
    """A copy of ``project`` elsewhere: the query runner keeps one graph per project folder and
    its files' times, so a query of the project itself would not ask for the graph again."""
    twin = tmp_path / "twin"
    shutil.copytree(project, twin)
    return twin


def _rows(run: Run) -> list[dict[str, Any]]:
    assert run.code == 0, run.err
    return json.loads(run.out)  # type: ignore[no-any-return]


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


# ---------------------------------------------------------------- (a) a build is read, not made again
def test_after_build_no_command_loads_or_validates_again(minimal: Path, cli, calls: Counter[str],  # type: ignore[no-untyped-def]
                                                          commands: dict[str, list[str]]) -> None:
    assert cli("build", "--project", str(minimal)).code == 0
    assert calls == {"load": 1, "validate": 1}
    calls.clear()
    for name, args in commands.items():
        run = _run(cli, minimal, args)
        assert run.code == 0, (name, run.err)
        assert calls == {}, f"{name} loaded or validated again: {dict(calls)}"
    assert validated_graph(Project.open(minimal)).origin == minimal / "build" / "graph.trig"


def test_without_a_build_each_command_loads_and_validates_once_and_writes_nothing(  # type: ignore[no-untyped-def]
        minimal: Path, cli, calls: Counter[str], commands: dict[str, list[str]]) -> None:
    for name, args in commands.items():
        calls.clear()
        run = _run(cli, minimal, args)
        assert run.code == 0, (name, run.err)
        # query and sparql share a runner, which keeps its graph while the project's files stay as they are
        assert calls == ({} if name == "sparql" else {"load": 1, "validate": 1}), name
    assert not (minimal / "build").exists()
    assert validated_graph(Project.open(minimal)).origin is None


def test_a_build_into_a_store_is_read_from_its_quads(minimal: Path, tmp_path: Path, cli,  # type: ignore[no-untyped-def]
                                                     calls: Counter[str]) -> None:
    fresh = _rows(_run(cli, _twin(minimal, tmp_path), WHO_MET_WHOM))
    assert cli("build", "--project", str(minimal), "--store", str(tmp_path / "store")).code == 0
    calls.clear()
    assert _rows(_run(cli, minimal, WHO_MET_WHOM)) == fresh
    assert calls == {}
    assert validated_graph(Project.open(minimal)).origin == minimal / "build" / "graph.nq"
    # the store itself stays what `query --store` reads
    assert _rows(cli("query", "who-met-whom", "--project", str(minimal), "--store", str(tmp_path / "store"),
                     "--format", "json")) == fresh


def test_the_graph_holds_the_ontology_and_its_view_the_facts_alone(minimal: Path, cli) -> None:  # type: ignore[no-untyped-def]
    expected = union(load_facts(Project.open(minimal)).dataset)
    for built in (False, True):
        if built:
            assert cli("build", "--project", str(minimal)).code == 0
        graph = validated_graph(Project.open(minimal))
        names = sorted(str(g.identifier).rsplit("/", 1)[-1] for g in graph.dataset.graphs() if len(g))
        assert names == ["actors", "derived", "first-article", "ontology"]
        assert len(graph.graph) == len(expected) and isomorphic(graph.graph, expected)
        assert graph.census.records == len(load_facts(Project.open(minimal)).records)


# ---------------------------------------------------------------- (b) a changed input is picked up
def _edit_fact(project: Path) -> None:
    actors = project / "graph" / "actors.yaml"
    actors.write_text(actors.read_text("utf-8").replace("Bo Sample", "Bo Changed"), "utf-8")


def _add_shape(project: Path) -> None:
    (project / "shapes").mkdir()
    (project / "shapes" / "extra.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n", "utf-8")


def _add_ontology(project: Path) -> None:
    (project / "ontology").mkdir()
    (project / "ontology" / "extra.ttl").write_text(
        "<https://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> \"x\" .\n", "utf-8")


def _edit_settings(project: Path) -> None:
    settings = project / "tradegraph.yaml"
    settings.write_text(settings.read_text("utf-8") + "# a comment changes the bytes\n", "utf-8")


@pytest.mark.parametrize("change", [_edit_fact, _add_shape, _add_ontology, _edit_settings],
                         ids=["fact file", "shape file", "ontology file", "settings file"])
def test_a_changed_input_is_picked_up_and_loaded_once_per_command(  # type: ignore[no-untyped-def]
        minimal: Path, cli, calls: Counter[str], change: Callable[[Path], None]) -> None:
    assert cli("build", "--project", str(minimal)).code == 0
    before = _snapshot(minimal / "build")
    change(minimal)
    calls.clear()
    rows = _rows(_run(cli, minimal, WHO_MET_WHOM))
    assert calls == {"load": 1, "validate": 1}
    assert rows[0]["actor2"] == ("Bo Changed" if change is _edit_fact else "Bo Sample")
    assert _run(cli, minimal, ["network"]).code == 0
    assert calls == {"load": 2, "validate": 2}           # the build stays stale: each command loads once
    assert _snapshot(minimal / "build") == before        # and none writes build/
    if change is _edit_fact:
        assert cli("build", "--project", str(minimal)).code == 0
        calls.clear()
        triples = _run(cli, minimal, ["export", "-f", "nt"]).out
        assert "Bo Changed" in triples and "Bo Sample" not in triples
        assert calls == {}                                # built again: read again


# ---------------------------------------------------------------- (c) what is not trusted
def _forge_output(build: Path) -> None:
    """Same size, and the time the record gives: only the hash tells."""
    trig = build / "graph.trig"
    stamp = json.loads((build / OUTPUT_RECORD).read_text("utf-8"))["files"]["graph.trig"]
    trig.write_text(trig.read_text("utf-8").replace("Bo Sample", "Bo Forged"), "utf-8")
    os.utime(trig, ns=(stamp["mtime_ns"], stamp["mtime_ns"]))


def _corrupt_record(build: Path) -> None:
    (build / OUTPUT_RECORD).write_text('{"files": {"graph.trig": ', "utf-8")


def _foreign_record(build: Path) -> None:
    record = json.loads((build / OUTPUT_RECORD).read_text("utf-8"))
    record["made_from"]["fingerprint"] = "0" * 64    # a build of other inputs
    (build / OUTPUT_RECORD).write_text(json.dumps(record), "utf-8")


def _older_record(build: Path) -> None:
    record = json.loads((build / OUTPUT_RECORD).read_text("utf-8"))
    del record["made_from"]                          # a build that did not say what it was made from
    (build / OUTPUT_RECORD).write_text(json.dumps(record), "utf-8")


def _graph_replaced_by_a_link(build: Path) -> None:
    trig = build / "graph.trig"
    shutil.copy(trig, build.parent / "graph.trig")
    trig.unlink()
    trig.symlink_to(build.parent / "graph.trig")


@pytest.mark.parametrize("spoil", [_forge_output, _corrupt_record, _foreign_record, _older_record,
                                   _graph_replaced_by_a_link],
                         ids=["edited output", "corrupt record", "foreign record", "record without inputs", "link"])
def test_an_edited_output_or_an_untrusted_record_is_not_read(  # type: ignore[no-untyped-def]
        minimal: Path, tmp_path: Path, cli, calls: Counter[str], spoil: Callable[[Path], None]) -> None:
    expected = _rows(_run(cli, _twin(minimal, tmp_path), WHO_MET_WHOM))
    assert cli("build", "--project", str(minimal)).code == 0
    spoil(minimal / "build")
    calls.clear()
    assert _rows(_run(cli, minimal, WHO_MET_WHOM)) == expected
    assert calls == {"load": 1, "validate": 1}
    assert validated_graph(Project.open(minimal)).origin is None


@pytest.mark.parametrize("options", [["--base", "urn:other:"], ["--validator", "pyshacl"], ["--reason", "rdfs"]],
                         ids=["base", "validator", "reasoning"])
def test_a_build_with_options_that_change_the_graph_is_not_read(  # type: ignore[no-untyped-def]
        minimal: Path, cli, calls: Counter[str], options: list[str]) -> None:
    assert cli("build", "--project", str(minimal), *options).code == 0
    calls.clear()
    assert _run(cli, minimal, WHO_MET_WHOM).code == 0
    assert calls == {"load": 1, "validate": 1}


def test_a_build_elsewhere_is_not_read(minimal: Path, tmp_path: Path, cli, calls: Counter[str]) -> None:  # type: ignore[no-untyped-def]
    assert cli("build", "--project", str(minimal), "--out", str(tmp_path / "elsewhere")).code == 0
    calls.clear()
    assert _run(cli, minimal, WHO_MET_WHOM).code == 0
    assert calls == {"load": 1, "validate": 1}


# ---------------------------------------------------------------- (d) the same answers either way
@pytest.fixture(scope="module")
def bundled_twice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """The bundled project twice (its facts; the built-in ontology, shapes and queries): one built, one not."""
    root = tmp_path_factory.mktemp("bundled")
    copies = []
    for name in ("loaded", "built"):
        shutil.copytree(REPO / "graph", root / name / "graph")
        if (REPO / "tradegraph.yaml").exists():
            shutil.copy(REPO / "tradegraph.yaml", root / name / "tradegraph.yaml")
        copies.append(root / name)
    from tradegraph.build.pipeline import build

    build(Project.open(copies[1]))
    yield copies[0], copies[1]


def _outputs(project: Path, cli, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    args = {f"query {name}": ["query", name, "--format", "json"] for name in sorted(load_queries(Project.open(project)))}
    args |= {f"export {fmt}": ["export", "-f", fmt] for fmt in ("ttl", "nt", "jsonld", "trig", "xml", "gexf",
                                                                 "graphml", "cyjs", "dot")}
    args |= {"network": ["network"], "metrics": ["network", "--metrics", "--format", "json"],
             "stats": ["stats", "--format", "json"], "viz": ["viz", "-o", "-", "-f", "html"],
             "sparql": ["sparql", "CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://w3id.org/tradegraph/ontology#Person> ; "
                                  "?p ?o }"],
             "docs": ["docs", "-o", str(tmp_path / "docs")]}
    found = {}
    for name, command in args.items():
        run = _run(cli, project, command)
        assert run.code == 0, (name, run.err)
        found[name] = run.out if name != "docs" else (tmp_path / "docs" / "index.html").read_text("utf-8")
    return found


@pytest.mark.slow
def test_every_command_answers_the_same_from_the_build_and_from_the_facts(  # type: ignore[no-untyped-def]
        bundled_twice: tuple[Path, Path], cli, calls: Counter[str], tmp_path: Path) -> None:
    loaded, built = bundled_twice
    from_facts = _outputs(loaded, cli, tmp_path / "a")
    assert calls["load"] >= 1
    calls.clear()
    from_build = _outputs(built, cli, tmp_path / "b")
    assert calls == {}
    assert [name for name in from_facts if from_facts[name] != from_build[name]] == []


# ---------------------------------------------------------------- (e) violations stop every reader
def test_violations_stop_every_command_with_the_report_of_build(minimal: Path, cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("build", "--project", str(minimal)).code == 0       # a build of the valid facts stays in build/
    source = minimal / "graph" / "sources" / "first-article.yaml"
    source.write_text(source.read_text("utf-8").replace("      - bo\n", ""), "utf-8")   # a meeting of one
    build = cli("build", "--project", str(minimal))
    assert build.code == 1 and "meeting 'ana-bo-meeting'" in build.err and "violation" in build.err
    for args in (WHO_MET_WHOM, ["sparql", "ASK { ?s ?p ?o }"], ["network"], ["export", "-f", "ttl"],
                 ["export", "-f", "gexf"], ["stats"], ["viz", "-o", "-", "-f", "html"]):
        run = _run(cli, minimal, args)
        assert (run.code, run.out, run.err) == (1, "", build.err), args


# ---------------------------------------------------------------- one validator by default, pyshacl by name
def test_validate_runs_the_fast_path_unless_pyshacl_is_named(minimal: Path, cli, calls: Counter[str]) -> None:  # type: ignore[no-untyped-def]
    fast = cli("validate", "--project", str(minimal))
    assert fast.code == 0 and calls["validate"] == 1
    reference = cli("validate", "--project", str(minimal), "--validator", "pyshacl")
    assert (reference.code, reference.out) == (0, fast.out)
    source = minimal / "graph" / "sources" / "first-article.yaml"
    source.write_text(source.read_text("utf-8").replace("      - bo\n", ""), "utf-8")
    assert cli("validate", "--project", str(minimal)).out == \
        cli("validate", "--project", str(minimal), "--validator", "pyshacl").out


def test_the_validator_choices_are_the_validators() -> None:
    from tradegraph.cli.build import build, validate

    for command in (build, validate):
        option = next(p for p in command.params if p.name == "validator")
        assert tuple(option.type.choices) == VALIDATORS and option.default == "fast"  # type: ignore[attr-defined]


def test_the_facts_view_copies_nothing(minimal: Path) -> None:
    facts = load_facts(Project.open(minimal))
    view = fact_union(facts.dataset, facts.base)
    assert view.store is facts.dataset.store
    with pytest.raises(ModificationException):
        view.add((facts.graph_iri("x"), facts.graph_iri("y"), facts.graph_iri("z")))


def test_a_library_caller_sees_a_new_shape_in_the_same_process(minimal: Path) -> None:
    """run_query keeps a runner between calls; a shape added since is seen at the next call."""
    from tradegraph.errors import ValidationFailed
    from tradegraph.query.run import run_query

    assert len(run_query("who-met-whom", project=minimal)) > 0
    (minimal / "shapes").mkdir()
    (minimal / "shapes" / "extra.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix tg: <https://w3id.org/tradegraph/ontology#> .\n"
        "<urn:x:EveryPersonHasAShoeSize> a sh:NodeShape ; sh:targetClass tg:Person ;\n"
        "  sh:property [ sh:path tg:shoeSize ; sh:minCount 1 ; sh:message \"a person needs a shoe size\" ] .\n",
        "utf-8")
    with pytest.raises(ValidationFailed):
        run_query("who-met-whom", project=minimal)


def test_a_build_made_by_other_code_is_not_read(minimal: Path, cli, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                  calls: Counter[str]) -> None:
    """An edited checkout keeps its version number; the hash of the package's files tells."""
    from tradegraph.build import fingerprint

    assert cli("build", "--project", str(minimal)).code == 0
    assert validated_graph(Project.open(minimal)).origin == minimal / "build" / "graph.trig"
    monkeypatch.setattr(fingerprint, "_code", lambda: "the loader was edited since")
    calls.clear()
    assert validated_graph(Project.open(minimal)).origin is None
    assert calls == {"load": 1, "validate": 1}


def test_the_code_hash_covers_the_package_and_not_its_bytecode() -> None:
    from tradegraph.build import fingerprint

    package = Path(fingerprint.__file__).resolve().parents[1]
    assert package.name == "tradegraph" and (package / "facts" / "loader.py").exists()
    assert len(fingerprint._code()) == 64 and fingerprint._code() == fingerprint._code()
