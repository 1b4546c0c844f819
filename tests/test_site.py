"""The query browser's pages, without a server: every form's default submission gives the
CLI's rows, a bad value gives the CLI's message beside its field, every literal is escaped,
and the static site is written atomically over nothing it did not write."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tradegraph.build.derive import derive_store
from tradegraph.build.outputs import write_outputs
from tradegraph.errors import OutputError, UsageError
from tradegraph.project import Project
from tradegraph.query.formats import render
from tradegraph.query.run import QueryRunner, runner_for
from tradegraph.site.pages import Site
from tradegraph.site.publish import write_site
from tradegraph.site.views import default_view
from tradegraph.store.engine import StoreEngine
from tradegraph.store.oxigraph import load_store

from .conftest import FIXTURES, REPO

SCRIPT = "<script>alert(1)</script>"
RTL = "وزارة التجارة"


class Form(HTMLParser):
    """The values a browser would submit from a page's query form, and the table's row count."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self.rows = 0
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name"):
            if found.get("type") == "checkbox" and "checked" not in found:
                return
            if found.get("value"):
                self.values.append((str(found["name"]), str(found["value"])))
        if tag == "tbody":
            self._in_body = True
        if tag == "tr" and self._in_body:
            self.rows += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False


def parsed(html: bytes) -> Form:
    form = Form()
    form.feed(html.decode("utf-8"))
    return form


@pytest.fixture(scope="module")
def site() -> Site:
    return Site(runner_for(REPO))


@pytest.mark.parametrize("name", sorted(p.stem for p in Project.open(REPO).query_files()))
def test_every_forms_default_submission_gives_the_clis_rows(site: Site, name: str) -> None:
    query = site.queries[name]
    opened = site(f"/query-{name}.html")
    assert opened.status == 200, opened.body.decode()[:2000]
    form = parsed(opened.body)
    submitted = site(f"/query-{name}.html", form.values)
    rows = site.runner.run_query(query, dict(form.values))
    assert rows == site.runner.run_query(query, {})  # the form's defaults are the CLI's
    assert parsed(submitted.body).rows == len(rows)
    csv = site(f"/query-{name}.csv", form.values)
    assert csv.body.decode("utf-8") == render(rows, rows.columns, "csv")


@pytest.fixture(scope="module")
def store_site() -> Site:
    """The repository's graph in an Oxigraph store with its derived keys, as `serve` and `build --store` hold it."""
    project = Project.open(REPO)
    store = load_store(project).store
    derive_store(store, project.base)
    return Site(QueryRunner(project, engine=StoreEngine(store)))


def test_the_forms_give_the_graphs_date_span_on_oxigraph_as_on_rdflib(site: Site, store_site: Site) -> None:
    first, last = site.names.first, site.names.last
    assert first is not None and last is not None and first < last
    assert (store_site.names.first, store_site.names.last) == (first, last)
    span = f"the graph's dates run from {first} to {last}"
    for pages in (site, store_site):
        page = pages("/query-who-met-whom.html").body.decode("utf-8")
        assert span in page and f'data-first="{first}" data-last="{last}"' in page


def test_the_example_link_gives_the_clis_rows_for_the_examples(site: Site) -> None:
    query = site.queries["who-met-whom"]
    example = {p.name: p.example for p in query.params if p.example}
    page = site("/query-who-met-whom.html", list(example.items()))
    rows = site.runner.run_query(query, example)
    assert page.status == 200 and 0 < parsed(page.body).rows == len(rows)
    assert b'href="query-who-met-whom.html?before=2025-08-01&amp;after=2025-07-01' in site("/query-who-met-whom.html").body


@pytest.mark.parametrize(("field", "value"), [("before", "2025-13-45"), ("actor", "Nobody At All"), ("mode", "telepathy")])
def test_a_bad_value_gets_the_clis_message_beside_its_field(site: Site, field: str, value: str) -> None:
    query = site.queries["who-met-whom"]
    with pytest.raises(UsageError) as cli:
        site.runner.run_query(query, {field: value})
    page = site("/query-who-met-whom.html", [(field, value)])
    text = page.body.decode("utf-8")
    assert page.status == 400 and "Traceback" not in text
    beside = text.split(f'id="e-{field}"', 1)[1].split("</p>", 1)[0]
    assert unescape(beside.split(">", 1)[1]) == str(cli.value)
    assert f'aria-describedby="h-{field} e-{field}"' in text
    download = site("/query-who-met-whom.csv", [(field, value)])
    assert download.status == 400 and download.body.decode("utf-8") == str(cli.value) + "\n"


def test_the_timeline_puts_its_labels_in_a_column_beside_the_bars(site: Site) -> None:
    page = site("/node-akazawa.html").body.decode("utf-8")
    timeline = page.split('<ol class="timeline"', 1)[1].split("</ol>", 1)[0]
    rows = re.findall(r'<li class="bar[^"]*">(.*?)</li>', timeline, re.DOTALL)
    events = site.runner.run_query(site.queries["actor-timeline"], {"actor": "akazawa"})
    assert len(rows) == len(events) > 5
    labels = []
    for row in rows:
        label, track = row.split("<svg", 1)
        assert "<text" not in track  # no label drawn over the bars
        full = unescape(re.search(r'<span class="label" title="([^"]*)"', label).group(1))  # type: ignore[union-attr]
        labels.append(full)
        x, width = (float(v) for v in re.search(r'<rect x="([0-9.]+)%" y="1" width="([0-9.]+)%"', track).groups())  # type: ignore[union-attr]
        assert 0 <= x and 0 < width and x + width <= 100  # within the axis at any width
    assert sorted(label.rsplit(" (", 1)[0] for label in labels) == sorted(str(row["event"]) for row in events)


@pytest.mark.parametrize(("name", "view"), [("actor-timeline", "timeline"), ("measure-history", "timeline"),
                                           ("who-met-whom", "network"), ("contact-counts", "network")])
def test_the_views_the_query_headers_declare_are_drawn_under_the_table(site: Site, name: str, view: str) -> None:
    query = site.queries[name]
    assert default_view(query.text) == view
    example = [(p.name, p.example) for p in query.params if p.example]
    page = site(f"/query-{name}.html", example).body.decode("utf-8")
    drawn = '<ol class="timeline"' if view == "timeline" else '<script type="application/json" class="network-data">'
    assert drawn in page.split('id="answer"', 1)[1].split("</table>", 1)[1]  # under the table
    if view == "network":
        assert '<script src="cytoscape.min.js"></script>' in page


def test_a_flags_help_says_whether_it_is_on_or_off_by_default(site: Site) -> None:
    page = site("/query-who-met-whom.html").body.decode("utf-8")
    help_text = page.split('id="h-include-retracted">', 1)[1].split("</p>", 1)[0]
    assert help_text.endswith("(off by default)") and "default: False" not in page


def test_a_page_never_shows_a_stack_trace(site: Site) -> None:
    for path in ("/nowhere", "/node-no-such-node.html", "/node-../etc/passwd.html", "/query-nope.html"):
        page = site(path)
        assert page.status == 404 and b"Traceback" not in page.body


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal project with a `<script>` in a name, a right-to-left name and an alias."""
    root = tmp_path_factory.mktemp("hostile") / "minimal"
    shutil.copytree(FIXTURES / "minimal", root)
    actors = root / "graph" / "actors.yaml"
    text = actors.read_text("utf-8").replace("name: Ana Example", f'name: "Ana {SCRIPT}"', 1)
    text = text.replace("name: Bo Sample", 'name: Bo Sample\n    aliases: ["Utopia\'s envoy"]', 1)
    actors.write_text(text.replace("name: Utopia", f"name: {RTL}", 1), "utf-8")
    return root


def test_every_literal_is_escaped(hostile: Path) -> None:
    site = Site(runner_for(hostile))
    pages = [site("/"), site("/query-who-met-whom.html"), site("/query-actor-timeline.html"),
             site("/node-ana.html"), site("/node-utopia.html"), site("/query-who-met-whom.html", [("actor", "ana")]),
             site("/query-who-met-whom.html", [("actor", SCRIPT)])]
    texts = [page.body.decode("utf-8") for page in pages]
    assert all(SCRIPT not in text for text in texts)
    assert any("Ana &lt;script&gt;alert(1)&lt;/script&gt;" in text for text in texts[1:5])
    assert f"<bdi>{RTL}</bdi>" in texts[4]
    assert "&lt;script&gt;" in texts[6] and pages[6].status == 400


def completed(site: Site, text: str, param: str = "actor", query: str = "who-met-whom") -> list[dict[str, str]]:
    page = site("/complete", [("query", query), ("param", param), ("q", text)])
    assert page.status == 200 and page.media_type.startswith("application/json")
    found: list[dict[str, str]] = json.loads(page.body)
    return found


def test_names_complete_from_names_and_aliases_by_one_query(hostile: Path) -> None:
    site = Site(runner_for(hostile))
    assert completed(site, "ENVOY") == [{"id": "bo", "label": "Bo Sample", "matched": "Utopia's envoy"}]
    assert [c["id"] for c in completed(site, "sample")] == ["bo"]
    assert [c["id"] for c in completed(site, "atlantis")] == ["atlantis-government"]  # the country is no actor
    assert [c["id"] for c in completed(site, "atlantis", "target", "measure-history")] == ["atlantis"]
    for bad in ([("query", "who-met-whom"), ("param", "before"), ("q", "x")], [("param", "actor"), ("q", "x")],
                [("query", "who-met-whom"), ("param", "actor"), ("q", "x" * 101)]):
        page = site("/complete", bad)
        assert page.status == 400 and "error" in json.loads(page.body)
    form = site("/query-who-met-whom.html").body.decode("utf-8")
    assert 'data-complete="complete?query=who-met-whom&amp;param=actor"' in form
    assert '<datalist id="names-actor"></datalist>' in form  # served: no names up front, asked as one types


def test_completion_puts_names_that_start_with_the_text_first_and_gives_at_most_20(site: Site,
                                                                                  store_site: Site) -> None:
    for pages in (site, store_site):
        found = completed(pages, "aka")
        assert found[0]["id"] == "akazawa" and found[0]["label"] == "Ryosei Akazawa"
        many = completed(pages, "a")
        assert len(many) == 20 and len({c["id"] for c in many}) == 20
        starts = [c["matched"].lower().startswith("a") for c in many]
        assert starts == sorted(starts, reverse=True)  # every prefix match before any other
    assert completed(site, "a") == completed(store_site, "a")


def test_the_static_site_offers_its_names_in_the_page(hostile: Path) -> None:
    site = Site(runner_for(hostile), static=True)
    form = site("/query-who-met-whom.html").body.decode("utf-8")
    assert "data-complete" not in form and '<option value="Bo Sample">' in form
    assert site("/complete", [("query", "who-met-whom"), ("param", "actor"), ("q", "bo")]).status == 404


def test_the_static_site_is_written_whole_and_only_over_its_own_files(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    written = write_site(Project.open(hostile), out)
    names = {p.name for p in written}
    assert {"index.html", "site.css", "site.js", "cytoscape.min.js", "node-ana.html", "node-ana.ttl",
            "query-who-met-whom.html", "query-who-met-whom.csv", "query-who-met-whom.rq"} <= names
    assert (out / ".tradegraph-outputs.json").is_file()
    assert SCRIPT not in (out / "node-ana.html").read_text("utf-8")
    (out / "notes.txt").write_text("mine", "utf-8")
    (out / "node-bo.html").write_text("changed by hand", "utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(OutputError, match=r"node-bo\.html"):
        write_site(Project.open(hostile), out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing written, nothing removed
    (out / "node-bo.html").unlink()
    write_site(Project.open(hostile), out)
    assert (out / "notes.txt").read_text("utf-8") == "mine" and (out / "node-bo.html").is_file()


def test_the_static_site_removes_the_pages_it_no_longer_writes(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    write_site(Project.open(hostile), out)
    (out / "node-gone.html").write_text("x", "utf-8")  # not in the record: left alone
    stale = out / "query-retired.csv"
    record = out / ".tradegraph-outputs.json"
    stale.write_text("old", "utf-8")  # as if an earlier run had written it
    data = json.loads(record.read_text("utf-8"))
    data["files"][stale.name] = _stamp(stale)
    record.write_text(json.dumps(data), "utf-8")
    write_site(Project.open(hostile), out)
    assert not stale.exists() and (out / "node-gone.html").exists()


def _stamp(path: Path) -> dict[str, object]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def test_the_static_site_does_not_go_into_a_builds_folder(tmp_path: Path) -> None:
    project = Project.open(FIXTURES / "minimal")
    folder = tmp_path / "build"
    folder.mkdir()
    write_outputs(project, folder, {"graph.ttl": b""})
    with pytest.raises(OutputError, match="holds a build's outputs"):
        write_site(project, folder)


CSS = Path(__file__).parents[1] / "src" / "tradegraph" / "site" / "static" / "site.css"


def contrast(one: str, other: str) -> float:
    """WCAG 2's contrast ratio of two #rrggbb colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_text_colour_of_the_css_stands_out_from_the_ground_by_4_5_to_1() -> None:
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text("utf-8"), flags=re.DOTALL)
    names = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6})", css))
    ground = names["ground"]
    texts = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        for prop, value in re.findall(r"(?:^|;)\s*(color|fill)\s*:\s*([^;]+)", body):
            text_rule = prop == "color" or re.search(r"\btext\b", selector)
            if text_rule and value.strip() not in ("inherit", "none"):
                found = re.fullmatch(r"var\(--([a-z]+)\)|(#[0-9a-fA-F]{6})", value.strip())
                assert found, (selector, prop, value)  # every text colour is one the test can read
                texts.append((selector.strip(), names[found.group(1)] if found.group(1) else found.group(2)))
    assert len(texts) >= 5
    for selector, colour in texts:
        assert contrast(colour, ground) >= 4.5, (selector, colour, round(contrast(colour, ground), 2))
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54  # the formula, on WCAG's own border case

