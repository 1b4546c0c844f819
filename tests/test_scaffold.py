"""A project of one's own: `tradegraph init`, `new-source`, own shapes and queries beside built-ins."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tradegraph.files.yamlfile import parse_yaml
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
    assert yaml.safe_load(text)["source"]["title"] == "Envoy B’s “second” visit"
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


@pytest.mark.parametrize("option, value", [
    ("--id", "../../escaped"), ("--id", "/tmp/abs"), ("--id", "a\nb"), ("--id", "UPPER"), ("--id", ""),
    ("--publisher", "x\nfacts: [{id: injected}]"), ("--publisher", "a: b"), ("--publisher", "{x: 1}"),
    ("--title", "line\x1b[2J"), ("--title", "two\nlines"), ("--url", "https://x/\r\ninjected: 1"), ("--title", " "),
])
def test_new_source_refuses_values_that_would_escape_or_inject(tmp_path: Path, cli, option: str, value: str) -> None:
    project = tmp_path / "p"
    cli("init", str(project))
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    args = {"--title": "A title", "--published": "2025-02-03", option: value}
    run = cli("new-source", "--project", str(project), *[part for pair in args.items() for part in pair])
    assert run.code == 2, run
    assert run.err.startswith(f"error: {option} ") and run.err.count("\n") == 1 and "\x1b" not in run.err
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize("title", ["x: y", "- item", "#comment", "'quoted'", '"dq"', "a: {b: c}", "null", "yes",
                                   "2025-01-01", "&anchor", "*alias", "!!python/object x", "% directive", "Ünïcödé",
                                   "0E0", "1:30", "0x19", "017", "2_5", ".inf", ".NaN", "on", "~", "1e-400"])
def test_new_source_writes_any_title_as_the_same_text(tmp_path: Path, cli, title: str) -> None:
    project = tmp_path / "p"
    cli("init", str(project))
    run = cli("new-source", "--project", str(project), "--title", title, "--published", "2025-02-03", "--id", "s1",
              "--url", title)
    assert run.code == 0, run
    source = parse_yaml((project / "graph" / "sources" / "s1.yaml").read_text("utf-8"), "s1.yaml")["source"]
    assert (source["title"], source["url"], source["id"]) == (title, title, "s1")
    assert cli("validate", "--project", str(project)).code in (0, 1)  # the skeleton loads (its url may not be one)


@pytest.mark.parametrize("base", ["https://example.org/id/\nnot_a_key: 1", "not an iri", "https://x y/", "relative/"])
def test_init_refuses_a_base_that_is_not_an_iri_and_writes_nothing(tmp_path: Path, cli, base: str) -> None:
    run = cli("init", str(tmp_path / "p"), "--base", base)
    assert run.code == 2 and run.err.startswith("error: --base: the base IRI") and run.err.count("\n") == 1
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize("base", ["https://example.org/id/", "urn:x:", "https://example.org/id/'q':yes#"])
def test_init_writes_the_base_as_data(tmp_path: Path, cli, base: str) -> None:
    assert cli("init", str(tmp_path / "p"), "--base", base).code == 0
    assert yaml.safe_load((tmp_path / "p" / "tradegraph.yaml").read_text("utf-8")) == {"base": base}
    assert cli("build", "--project", str(tmp_path / "p")).code == 0
