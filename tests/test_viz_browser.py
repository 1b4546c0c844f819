"""The HTML page in real headless Chromium (Debian's, driven by Playwright): it draws the
network, a click shows an actor's sources, the filters work, and it makes no request off
the machine. Playwright never downloads a browser here: it starts /usr/bin/chromium."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tradegraph.cli.main import main
from tradegraph.facts.loader import load_facts
from tradegraph.network.formats import to_cyjs
from tradegraph.network.graph import actor_network
from tradegraph.project import Project

from .conftest import FIXTURES, REPO

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)")]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A Chromium with a fresh profile; every request any page makes is recorded."""
    sync_api = pytest.importorskip("playwright.sync_api")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_api.sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=FLAGS,
            viewport={"width": 1400, "height": 900})
        context.requests = []  # type: ignore[attr-defined]
        context.on("request", lambda request: context.requests.append(request.url))  # type: ignore[attr-defined]
        yield context
        context.close()


def render(project: Path, out: Path, *args: str) -> Path:
    try:
        main(["viz", "--project", str(project), "-o", str(out), *args])
    except SystemExit as exit:
        assert not exit.code
    return out


def open_page(browser: Any, path: Path) -> Any:
    page = browser.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("dialog", lambda dialog: page.errors.append("dialog: " + dialog.message))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    return page


def click_element(page: Any, ident: str) -> None:
    """A real mouse click where cytoscape drew the node (or the middle of the edge)."""
    x, y = page.evaluate("""(id) => {
        const el = window.tradegraph.cy.getElementById(id);
        const p = el.isNode() ? el.renderedPosition() : el.renderedMidpoint();
        const box = document.getElementById('cy').getBoundingClientRect();
        return [box.left + p.x, box.top + p.y]; }""", ident)
    page.mouse.click(x, y)


def visible(page: Any) -> list[str]:
    return page.evaluate("() => window.tradegraph.cy.nodes().filter(n => n.style('display') !== 'none')"
                         ".map(n => n.id()).sort()")


@pytest.fixture(scope="module")
def real_page(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    path = render(REPO, tmp_path_factory.mktemp("viz") / "network.html")
    page = open_page(browser, path)
    yield page
    page.close()


def test_page_draws_the_actors(real_page: Any) -> None:
    labels = real_page.evaluate("() => window.tradegraph.cy.nodes().map(n => n.data('label'))")
    assert {"Ryosei Akazawa", "Scott Bessent", "Howard Lutnick", "Ishiba", "He Lifeng"} <= set(labels)
    inside = real_page.evaluate("""() => { const cy = window.tradegraph.cy, w = cy.width(), h = cy.height();
        return cy.nodes().every(n => { const p = n.renderedPosition();
            return p.x > 0 && p.y > 0 && p.x < w && p.y < h; }); }""")
    assert inside
    assert real_page.evaluate("() => window.tradegraph.cy.edges().length") >= 5
    assert "actors" in real_page.inner_text("#summary")
    legend = real_page.inner_text("#legend")
    assert "Japan" in legend and "United States" in legend and "Person" in legend
    assert real_page.errors == []


def test_clicking_an_actor_shows_its_events_and_sources(real_page: Any) -> None:
    click_element(real_page, "akazawa")
    real_page.wait_for_function("document.getElementById('details').dataset.selected === 'akazawa'")
    details = real_page.inner_text("#details")
    assert details.startswith("Ryosei Akazawa")
    assert "Japan's top trade negotiator" in details
    assert "Source: Japan’s Akazawa Faces Optics Risk as Bessent Visits" in details
    assert "Akazawa hosts Bessent at the World Expo in Osaka" in details
    assert "Bloomberg News" in details


def test_clicking_a_line_shows_the_shared_events(real_page: Any) -> None:
    click_element(real_page, "akazawa--bessent")
    real_page.wait_for_function("document.getElementById('details').dataset.selected === 'akazawa--bessent'")
    details = real_page.inner_text("#details")
    assert details.startswith("Ryosei Akazawa — Scott Bessent")
    assert "talks on Saturday with U.S. Treasury Secretary Scott Bessent" in details   # the evidence


def test_date_slider_and_search(real_page: Any) -> None:
    days = real_page.evaluate("() => window.tradegraph.data.days")
    real_page.evaluate("""(i) => { const slider = document.getElementById('date-from');
        slider.value = String(i); slider.dispatchEvent(new Event('input', { bubbles: true })); }""",
                       days.index("2025-07-18"))
    real_page.wait_for_function("document.getElementById('date-from-label').textContent === '2025-07-18'")
    shown = visible(real_page)
    assert "bessent" in shown and "ishiba" in shown and "lutnick" not in shown
    assert real_page.inner_text("#date-from-label") == "2025-07-18"
    real_page.click("#reset")
    assert "lutnick" in visible(real_page)
    real_page.fill("#search", "bess")
    real_page.wait_for_function("document.getElementById('search-result').textContent.startsWith('1 match')")
    assert real_page.inner_text("#search-result") == "1 match(es): Scott Bessent"
    assert real_page.inner_text("#details").startswith("Scott Bessent")
    real_page.fill("#search", "nobody")
    real_page.wait_for_function("document.getElementById('search-result').textContent.startsWith('No actor')")
    assert "No actor's name contains" in real_page.inner_text("#search-result")


def test_evidence_is_shown_as_text_never_run(browser: Any, tmp_path: Path) -> None:
    page = open_page(browser, render(FIXTURES / "network", tmp_path / "fixture.html"))
    click_element(page, "ana")
    page.wait_for_function("document.getElementById('details').dataset.selected === 'ana'")
    assert '"</script><script>window.pwned=1</script>" & left.' in page.inner_text("#details")
    assert page.evaluate("() => window.pwned === undefined")
    assert page.errors == []
    page.close()


def test_cytoscape_reads_the_cyjs_export(browser: Any, real_page: Any) -> None:
    document = json.loads(to_cyjs(actor_network(load_facts(Project.open(REPO)))))
    counts = real_page.evaluate("""(doc) => { const cy = cytoscape({ headless: true, elements: doc.elements });
        return [cy.nodes().length, cy.edges().length, cy.getElementById('akazawa').data('label')]; }""", document)
    assert counts == [len(document["elements"]["nodes"]), len(document["elements"]["edges"]), "Ryosei Akazawa"]


def test_no_request_left_the_machine(browser: Any, real_page: Any) -> None:
    """Runs last in this module: every request of every page above was a local file."""
    assert browser.requests, "no request was recorded at all"
    off = [url for url in browser.requests if not url.startswith(("file://", "data:", "about:"))]
    assert off == []
