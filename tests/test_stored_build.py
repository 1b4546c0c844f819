"""The last build's store as push reads it (tradegraph.build.stored): used only while the build's
record proves it is of the inputs as they are now and its cache is the one that build wrote;
each graph read from it, and its digest, the same as those of the graph every command reads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tradegraph.build.pipeline import build
from tradegraph.build.provider import validated_graph
from tradegraph.build.stored import StoredBuild, digest_ntriples
from tradegraph.project import Project
from tradegraph.remote.push import _digest

from .conftest import FIXTURES

pytestmark = pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")


@pytest.fixture
def built(tmp_path: Path) -> Path:
    project = tmp_path / "queries"
    shutil.copytree(FIXTURES / "queries", project)
    build(Project.open(project), store=project / "build" / "store")
    return project


def test_the_store_holds_every_graph_and_digest_that_the_graph_does(built: Path) -> None:
    project = Project.open(built)
    stored = StoredBuild.of(project)
    assert stored is not None and stored.shown == "build/store"
    local = {str(g.identifier): g for g in validated_graph(project).dataset.graphs()
             if len(g) and str(g.identifier).startswith("http")}
    names = {name for shown in stored.files() for name in stored.graphs_of(shown)}
    names |= {stored.derived, stored.ontology[0]}
    assert names == set(local)
    for name, graph in local.items():
        assert stored.digest(name) == _digest(graph), name
        assert len(stored.graph(name)) == len(graph), name


@pytest.mark.parametrize("harm", ["an input edited since", "the manifest rewritten", "the store moved",
                                  "another project's cache", "no store in the record", "a store outside the project",
                                  "a store linked from outside"])
def test_a_store_that_is_not_the_build_s_is_not_read(built: Path, harm: str) -> None:
    store = built / "build" / "store"
    record = built / "build" / ".tradegraph-outputs.json"
    if harm == "an input edited since":
        source = next((built / "graph" / "sources").glob("*.yaml"))
        source.write_text(source.read_text("utf-8") + "\n# edited\n", "utf-8")
    elif harm == "the manifest rewritten":
        manifest = store / "tradegraph-cache" / "manifest.json"
        manifest.write_text(json.dumps(json.loads(manifest.read_text("utf-8")), indent=1), "utf-8")  # another build's
    elif harm == "the store moved":
        store.rename(built / "build" / "elsewhere")
    elif harm == "another project's cache":
        (built / "tradegraph.yaml").write_text("base: https://example.org/other/\n", "utf-8")
    elif harm == "a store outside the project":  # the same store, named by a record someone wrote
        outside = built.parent / "elsewhere"
        shutil.copytree(store, outside)
        kept = json.loads(record.read_text("utf-8"))
        kept["store"]["path"] = str(outside)
        record.write_text(json.dumps(kept), "utf-8")
    elif harm == "a store linked from outside":
        outside = built.parent / "elsewhere"
        store.rename(outside)
        store.symlink_to(outside)
    else:
        kept = json.loads(record.read_text("utf-8"))
        del kept["store"]
        record.write_text(json.dumps(kept), "utf-8")
    assert StoredBuild.of(Project.open(built)) is None


def test_a_digest_is_of_the_triples_not_of_their_order_or_blank_node_labels() -> None:
    one = b'<x:a> <x:p> _:b1 .\n_:b1 <x:q> "1" .\n<x:a> <x:r> <x:c> .\n'
    two = b'<x:a> <x:r> <x:c> .\n_:zz <x:q> "1" .\n<x:a> <x:p> _:zz .\n'
    assert digest_ntriples(one) == digest_ntriples(two)
    assert digest_ntriples(one)["triples"] == 3
    assert digest_ntriples(one) != digest_ntriples(one.replace(b'"1"', b'"2"'))
    assert digest_ntriples(b"") == digest_ntriples(b"\n") and digest_ntriples(b"")["triples"] == 0
