"""`tradegraph build`: outputs, summary, failure leaves the previous build whole, determinism."""

from __future__ import annotations

import os
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from tradegraph.build.changes import CHANGES_FILE, CHANGES_RECORD, RECORDS_FILE
from tradegraph.build.outputs import OUTPUT_RECORD
from tradegraph.build.pipeline import OUTPUTS, build
from tradegraph.facts.loader import load_facts
from tradegraph.project import Project
from tradegraph.rdf.graphs import union

from .conftest import REPO, run_process


def test_build_writes_every_output(minimal: Path, cli) -> None:
    run = cli("build", "--project", str(minimal))
    assert run.code == 0, run.err
    assert sorted(p.name for p in (minimal / "build").iterdir()) == sorted(
        [*OUTPUTS, OUTPUT_RECORD, CHANGES_FILE, RECORDS_FILE, CHANGES_RECORD])
    assert "0 violation(s)" in run.out
    expected = union(load_facts(Project.open(minimal)).dataset)
    assert isomorphic(Graph().parse(minimal / "build" / "graph.ttl"), expected)
    assert isomorphic(Graph().parse(minimal / "build" / "graph.jsonld", format="json-ld"), expected)
    trig = Dataset().parse(minimal / "build" / "graph.trig", format="trig")
    assert {str(g.identifier) for g in trig.graphs() if len(g)} == {
        "http://test.example/id/graph/actors", "http://test.example/id/graph/first-article"}


def test_out_option_and_default_out(minimal: Path, tmp_path: Path, cli) -> None:
    out = tmp_path / "elsewhere"
    assert cli("build", "--project", str(minimal), "--out", str(out)).code == 0
    assert (out / "graph.ttl").is_file() and not (minimal / "build").exists()


def test_project_defaults_to_current_directory(minimal: Path, cli, monkeypatch) -> None:
    monkeypatch.chdir(minimal)
    assert cli("build").code == 0
    assert (minimal / "build" / "graph.ttl").is_file()


def _snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(directory.iterdir())}


def _build_then_edit_and_rebuild(minimal: Path, cli, old: str, new: str):  # type: ignore[no-untyped-def]
    """Build, snapshot build/, replace ``old`` by ``new`` in the source file, build again."""
    assert cli("build", "--project", str(minimal)).code == 0
    before = _snapshot(minimal / "build")
    source = minimal / "graph" / "sources" / "first-article.yaml"
    source.write_text(source.read_text().replace(old, new))
    return cli("build", "--project", str(minimal)), before


def test_broken_fact_file_leaves_previous_build_untouched(minimal: Path, cli) -> None:
    run, before = _build_then_edit_and_rebuild(minimal, cli, "date: 2025-03-13", "date: 2025-13-45")
    assert run.code == 1
    assert run.err.startswith("error: graph/sources/first-article.yaml:")
    assert "impossible date: '2025-13-45'" in run.err
    assert _snapshot(minimal / "build") == before


def test_shape_violation_exits_1_and_writes_nothing(minimal: Path, cli) -> None:
    # valid YAML and references, but a meeting with a single participant violates the shapes
    run, before = _build_then_edit_and_rebuild(minimal, cli, "      - bo\n", "")
    assert run.code == 1
    assert "meeting 'ana-bo-meeting'" in run.err and "violation" in run.err
    assert _snapshot(minimal / "build") == before


def test_build_is_deterministic_across_processes(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = run_process("build", "--project", str(REPO), "--out", str(out), env=env)
        assert run.code == 0, run.err
        outputs.append({name: (out / name).read_bytes() for name in OUTPUTS})
    assert outputs[0] == outputs[1]


def test_turtle_output_is_sorted_with_stable_prefixes(minimal: Path) -> None:
    build(Project.open(minimal))
    text = (minimal / "build" / "graph.ttl").read_text()
    prefixes = [line for line in text.splitlines() if line.startswith("@prefix")]
    assert prefixes == sorted(prefixes)
    assert "@prefix tg: <https://w3id.org/tradegraph/ontology#> ." in prefixes


def test_no_temporary_files_left_behind(minimal: Path, cli) -> None:
    cli("build", "--project", str(minimal))
    assert sorted(p.name for p in (minimal / "build").iterdir() if p.name.startswith(".")) == [
        CHANGES_RECORD, OUTPUT_RECORD]


def test_not_a_project_is_a_usage_error(tmp_path: Path, cli) -> None:
    run = cli("build", "--project", str(tmp_path))
    assert run.code == 2
    assert run.err == (f"error: {tmp_path} is not a tradegraph project (it has no graph/ folder) "
                       "(hint: pass --project DIR, or run `tradegraph init DIR` to create one)\n")
