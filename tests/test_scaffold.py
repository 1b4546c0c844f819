"""A project of one's own: `tradegraph init`, `new-source`, own shapes and queries beside built-ins."""

from __future__ import annotations

from pathlib import Path

from tradegraph.project import Project, builtin_root


def test_init_creates_a_project_that_builds(tmp_path: Path, cli) -> None:
    target = tmp_path / "eu-china-ev-talks"
    run = cli("init", str(target))
    assert run.code == 0, run.err
    assert (target / "graph" / "sources" / "example-article.yaml").is_file()
    build = cli("build", "--project", str(target))
    assert build.code == 0, build.err
    assert "validation: 0 violation(s), 0 warning(s)" in build.out
    assert (target / "build" / "graph.ttl").stat().st_size > 1000


def test_init_refuses_a_non_empty_directory(tmp_path: Path, cli) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    run = cli("init", str(tmp_path / "taken"))
    assert run.code == 2
    assert run.err == (f"error: {tmp_path / 'taken'} already exists and is not empty; "
                       "expected a new or empty directory (hint: choose another name)\n")


def test_new_source_writes_a_skeleton_that_loads(tmp_path: Path, cli) -> None:
    project = tmp_path / "p"
    cli("init", str(project))
    run = cli("new-source", "--project", str(project), "--title", "Envoy B’s “second” visit",
              "--published", "2025-02-03", "--url", "https://example.org/b", "--publisher", "example-news")
    assert (run.code, run.out) == (0, "graph/sources/envoy-bs-second-visit.yaml\n")
    text = (project / "graph" / "sources" / "envoy-bs-second-visit.yaml").read_text("utf-8")
    assert 'title: "Envoy B’s “second” visit"' in text
    assert cli("build", "--project", str(project)).code == 0
    again = cli("new-source", "--project", str(project), "--title", "Envoy B’s “second” visit",
                "--published", "2025-02-03")
    assert again.code == 2 and "already exists" in again.err


def test_new_source_rejects_a_bad_date(tmp_path: Path, cli) -> None:
    project = tmp_path / "p"
    cli("init", str(project))
    run = cli("new-source", "--project", str(project), "--title", "x", "--published", "2025-13-01")
    assert run.code == 2
    assert run.err.startswith("error: --published: the date is an impossible date: '2025-13-01'")


def test_own_shapes_and_queries_sit_beside_the_builtin_ones(tmp_path: Path, cli) -> None:
    project_dir = tmp_path / "p"
    cli("init", str(project_dir))
    (project_dir / "shapes" / "local.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix tg: <https://w3id.org/tradegraph/ontology#> .\n"
        "<urn:local#PersonNeedsCountry> a sh:NodeShape ; sh:targetClass tg:Person ;\n"
        "  sh:property [ sh:path tg:country ; sh:minCount 2 ;\n"
        "                sh:message \"Local rule: two countries.\" ] .\n")
    project = Project.open(project_dir)
    names = [p.name for p in project.shape_files()]
    assert "local.ttl" in names
    assert {p.name for p in (builtin_root() / "shapes").glob("*.ttl")} <= set(names)
    run = cli("build", "--project", str(project_dir))
    assert run.code == 1 and "Local rule: two countries." in run.err


def test_a_new_project_can_be_queried_and_drawn(tmp_path: Path, cli) -> None:
    project = tmp_path / "talks"
    cli("init", str(project))
    assert cli("build", "--project", str(project)).code == 0
    met = cli("query", "who-met-whom", "--project", str(project), "--format", "csv")
    assert met.code == 0, met.err
    assert "2025-01-09,day,Envoy B,Minister A,Minister A meets Envoy B,meeting,in-person" in met.out
    picture = cli("viz", "--project", str(project), "-o", str(tmp_path / "talks.png"))
    assert picture.code == 0, picture.err
    assert (tmp_path / "talks.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
