"""`tradegraph viz`: one self-contained HTML page with nothing to fetch, and a report picture."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import pytest

from tradegraph import project as project_module
from tradegraph.facts.loader import load_facts
from tradegraph.network.graph import actor_network
from tradegraph.network.page import page_data, render_html
from tradegraph.network.picture import render_picture
from tradegraph.project import Project

from .conftest import FIXTURES

NETWORK = FIXTURES / "network"


@pytest.fixture(scope="module")
def graph():  # type: ignore[no-untyped-def]
    return actor_network(load_facts(Project.open(NETWORK)))


@pytest.fixture(scope="module")
def page(graph) -> str:  # type: ignore[no-untyped-def]
    return render_html(graph)


def outside_comments(text: str) -> str:
    """The page with JavaScript/CSS block comments removed (licence notices live there)."""
    return re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)


def test_page_loads_nothing_from_the_network(page: str) -> None:
    code = outside_comments(page)
    assert not re.search(r"""\b(src|href)\s*=\s*["']?(https?:)?//""", code, re.IGNORECASE)
    assert not re.search(r"""url\(\s*["']?(https?:)?//""", code, re.IGNORECASE)
    assert not re.search(r"@import|<link[^>]+stylesheet|<iframe|<img", code, re.IGNORECASE)
    assert "default-src 'none'" in page   # and the browser is told to refuse any request
    # every http(s) URL left is a URL the data holds (shown as text) or inside a licence comment
    leftovers = set(re.findall(r"https?://[^\s\"'<>)]+", code))
    assert leftovers <= {"https://example.org/first"}, leftovers


def test_page_inlines_cytoscape_with_its_licence(page: str) -> None:
    assert "Copyright (c) 2016-2026, The Cytoscape Consortium." in page or \
        re.search(r"Copyright \(c\) \d{4}-\d{4}, The Cytoscape Consortium", page)
    assert "Permission is hereby granted, free of charge" in page
    assert page.count("<script") == 3 and "<script src" not in page


def test_data_is_embedded_with_angle_brackets_escaped(graph, page: str) -> None:  # type: ignore[no-untyped-def]
    block = re.search(r'<script type="application/json" id="tg-data">(.*?)</script>', page, re.DOTALL)
    assert block is not None
    assert "<" not in block.group(1) and "&" not in block.group(1)
    data = json.loads(block.group(1))
    assert data == json.loads(json.dumps(page_data(graph)))
    evidence = data["events"]["ana-bo-meeting"]["sources"][0]["evidence"][0]
    assert '"</script><script>window.pwned=1</script>" & left.' in evidence
    assert "<script>window.pwned" not in page   # only ever as escaped JSON


def test_page_data_has_legend_positions_and_dates(graph) -> None:  # type: ignore[no-untyped-def]
    data = page_data(graph)
    assert [c["name"] for c in data["countries"]] == ["Atlantis", "Erewhon", "Utopia"]
    assert [k["kind"] for k in data["kinds"]] == ["person", "government", "ministry"]
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["utopia-government"]["shape"] == "rectangle" and nodes["ana"]["shape"] == "ellipse"
    assert nodes["ana"]["color"] != nodes["bo"]["color"]
    assert data["days"][0] == "2025-02-01" and data["days"][-1] == "2025-03-25"
    assert [s["id"] for s in data["sources"]] == ["first", "second"]


def test_page_is_deterministic(graph, page: str) -> None:  # type: ignore[no-untyped-def]
    assert render_html(graph) == page


def test_viz_command_writes_the_page_by_default(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "p"
    (project / "graph").mkdir(parents=True)
    import shutil

    shutil.copytree(NETWORK / "graph", project / "graph", dirs_exist_ok=True)
    shutil.copy(NETWORK / "tradegraph.yaml", project)
    run = cli("viz", "--project", str(project))
    assert run.code == 0, run.err
    assert re.fullmatch(r"wrote build/network\.html \([\d,]+ bytes\)\n", run.err)
    assert (project / "build" / "network.html").stat().st_size > 100_000


@pytest.mark.parametrize(("name", "message"), [
    ("network.gexf", "error: cannot draw the network as 'network.gexf'; expected an output file ending in .html, "
                     ".png or .svg, or --format html|png|svg "
                     "(hint: for GEXF, GraphML, Cytoscape JSON or DOT use `tradegraph export`)\n"),
])
def test_viz_rejects_other_files(cli, tmp_path: Path, name: str, message: str) -> None:  # type: ignore[no-untyped-def]
    run = cli("viz", "--project", str(NETWORK), "-o", str(tmp_path / name))
    assert (run.code, run.err) == (2, message)


def test_missing_library_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, graph) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(project_module, "JS_LIBRARIES", {"cytoscape.min.js": "node_modules/nowhere/x.js"})
    monkeypatch.setattr(project_module, "__file__", str(Path("/nonexistent/src/tradegraph/project.py")))
    with pytest.raises(project_module.UsageError) as caught:
        render_html(graph)
    assert str(caught.value).startswith("the JavaScript library cytoscape.min.js is not installed; expected ")
    assert str(caught.value).endswith("(hint: run `npm ci` (or `make setup`) in the tradegraph checkout)")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.slow
def test_picture_is_wide_and_repeats(graph) -> None:  # type: ignore[no-untyped-def]
    png = render_picture(graph, "png")
    width, height = png_size(png)
    assert width >= 1600 and 500 < height < width
    assert render_picture(graph, "png") == png
    svg = render_picture(graph, "svg").decode("utf-8")
    assert svg == render_picture(graph, "svg").decode("utf-8")
    assert "Actor network: all dates" in svg and "Ana Example" in svg and "Country" in svg
    assert "<dc:date>" not in svg


@pytest.mark.slow
def test_picture_title_names_the_filter(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "n.svg"
    run = cli("viz", "--project", str(NETWORK), "-o", str(target), "--after", "2025-03-01", "--mode", "phone")
    assert run.code == 0, run.err
    assert "Actor network: events from 2025-03-01, phone" in target.read_text("utf-8")


@pytest.mark.slow
def test_wheel_bundles_cytoscape_and_finds_it(tmp_path: Path, wheel: Path) -> None:
    """The wheel carries cytoscape.min.js from node_modules/; an installed package uses it."""
    import subprocess
    import sys
    import zipfile

    from .conftest import REPO

    with zipfile.ZipFile(wheel) as archive:
        bundled = archive.read("tradegraph/assets/js/cytoscape.min.js")
        assert bundled == (REPO / "node_modules/cytoscape/dist/cytoscape.min.js").read_bytes()
        assert "tradegraph/network/templates/network.js" in archive.namelist()
        archive.extractall(tmp_path / "site")
    where = subprocess.run([sys.executable, "-c", "from tradegraph.project import javascript_file; "
                            "print(javascript_file('cytoscape.min.js'))"], cwd=tmp_path, capture_output=True,
                           text=True, check=True, env={"PYTHONPATH": str(tmp_path / "site")})
    assert where.stdout.strip() == str(tmp_path / "site/tradegraph/assets/js/cytoscape.min.js")
