"""The query browser as a person uses it, in real headless Chromium (Debian's, driven by
Playwright; never a downloaded browser) against `tradegraph serve`: open /, ask who met whom
before a date, read the table, follow an actor, see the timeline and the network drawn, and
download the CSV that `tradegraph query ... --format csv` prints.

With TRADEGRAPH_SCREENSHOTS=DIR the pages are also saved there (the README's pictures)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tradegraph.remote.serve import free_port

from .conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)")]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`tradegraph serve` on a free port in the repository; its URL."""
    port = free_port()
    env = {**os.environ, "TMPDIR": str(tmp_path_factory.mktemp("tmp"))}
    process = subprocess.Popen([sys.executable, "-m", "tradegraph", "serve", "--port", str(port)], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()  # type: ignore[union-attr]
        assert first.startswith("serving "), (first, process.poll())
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_api.sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=FLAGS, accept_downloads=True,
            viewport={"width": 1200, "height": 900})
        context.requests = []
        context.on("request", lambda request: context.requests.append(request.url))
        yield context
        context.close()


def shot(page: Any, name: str) -> None:
    folder = os.environ.get("TRADEGRAPH_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=False)


def test_ask_who_met_whom_follow_an_actor_and_download_the_csv(served: str, browser: Any, tmp_path: Path) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(served)
    assert page.title().startswith("tradegraph")
    shot(page, "site-catalogue.png")
    page.get_by_role("link", name="Pairs of actors who took part in the same meeting").click()
    assert "the graph's dates run from 2025-" in page.locator("#h-before").inner_text()  # the span, behind serve too
    page.get_by_label("before").fill("2025-07-15")
    shot(page, "site-form.png")
    page.get_by_role("button", name="Ask").click()
    page.wait_for_selector("body[data-ready=true]")
    assert "before=2025-07-15" in page.url
    table = page.locator("table.results")
    headers = table.locator("thead th").all_inner_texts()
    assert headers[:4] == ["date", "precision", "actor1", "actor2"]
    cells = [row.locator("td").all_inner_texts() for row in table.locator("tbody tr").all()]
    expected = subprocess.run([sys.executable, "-m", "tradegraph", "query", "who-met-whom", "--before", "2025-07-15",
                               "--format", "csv"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert len(cells) == len(expected.splitlines()) - 1 > 0
    assert page.locator("#row-count").inner_text() == f"{len(cells)} rows"
    page.locator("#answer").scroll_into_view_if_needed()
    shot(page, "site-result.png")

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    saved = tmp_path / "answer.csv"
    download.value.save_as(saved)
    assert saved.read_text("utf-8") == expected

    page.get_by_role("link", name="Ryosei Akazawa").first.click()
    page.wait_for_selector("body[data-ready=true]")
    assert page.url.endswith("/node-akazawa.html")
    assert page.locator("h1").inner_text() == "Ryosei Akazawa"
    assert page.locator("figure.timeline li.bar rect").count() > 0  # the timeline, drawn
    assert page.get_attribute("body", "data-networks") == "1"  # the network around him, drawn by cytoscape
    shot(page, "site-actor.png")
    box = page.locator(".network")
    box.scroll_into_view_if_needed()
    picture = box.screenshot()
    colours = Image.open(BytesIO(picture)).convert("RGB").getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 20, "the network view is blank"
    assert not errors
    assert all(url.startswith(served) or url.startswith("data:") for url in browser.requests)  # nothing off the machine


def test_the_pages_are_read_only_and_answer_only_their_own_host(served: str) -> None:
    request = urllib.request.Request(served + "index.html", data=b"x=1", method="POST")
    with pytest.raises(urllib.error.HTTPError) as post:
        urllib.request.urlopen(request, timeout=10)
    assert post.value.code == 405
    foreign = urllib.request.Request(served, headers={"Host": "evil.example"})
    with pytest.raises(urllib.error.HTTPError) as rebinding:
        urllib.request.urlopen(foreign, timeout=10)
    assert rebinding.value.code == 403
    other_page = urllib.request.Request(served + "query-who-met-whom.csv", headers={"Origin": "http://evil.example"})
    with pytest.raises(urllib.error.HTTPError) as cross:
        urllib.request.urlopen(other_page, timeout=10)
    assert cross.value.code == 403
    with urllib.request.urlopen(served + "yasgui", timeout=10) as raw:  # Oxigraph's own page, moved
        assert b"yasgui" in raw.read().lower()


def test_at_phone_width_nothing_overflows_and_the_timeline_labels_stand_left_of_the_bars(served: str,
                                                                                         browser: Any) -> None:
    page = browser.new_page()
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("", "query-who-met-whom.html?before=2025-07-15", "node-akazawa.html", "query-actor-timeline.html"):
        page.goto(served + path)
        page.wait_for_selector("body[data-ready=true]")
        width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= inner, (path, width, inner)
    page.goto(served + "node-akazawa.html")
    rows = page.locator("ol.timeline li.bar").all()
    assert len(rows) > 5
    for row in rows:
        label, bar = row.locator(".label").bounding_box(), row.locator("rect").bounding_box()
        assert label is not None and bar is not None
        assert label["x"] + label["width"] <= bar["x"] + 0.5 and bar["x"] + bar["width"] <= 375
        full, when = row.locator(".label").inner_text(), (row.locator("rect title").text_content() or "").split(": ")[0]
        assert row.locator(".label").get_attribute("title") == f"{full} ({when})"  # the full text on hover


def test_by_keyboard_alone_ask_with_a_date_and_sort_the_answer(served: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(served + "query-who-met-whom.html")
    page.wait_for_selector("body[data-ready=true]")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "p-before":
            break
    assert page.evaluate("document.activeElement.id") == "p-before"  # the first field of the form
    page.keyboard.type("07152025")  # month, day, year: as Chromium's date field takes them in en-US
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("body[data-ready=true]")
    assert "before=2025-07-15" in page.url and page.locator("table.results tbody tr").count() > 0
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('th') !== null"):
            break
    header = page.evaluate("document.activeElement.textContent")
    assert header == "date", header  # the first sortable header
    page.keyboard.press("Enter")
    assert page.locator("table.results thead th").first.get_attribute("aria-sort") == "ascending"
    dates = page.locator("table.results tbody tr td:first-child").all_inner_texts()
    assert dates == sorted(dates)


def test_names_complete_as_one_types(served: str, browser: Any) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(served + "query-who-met-whom.html")
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("#names-actor option").count() == 0  # no names up front
    page.locator("#p-actor").press_sequentially("aka", delay=30)
    page.wait_for_selector("#p-actor[data-completed]")
    assert page.locator("#names-actor option").first.get_attribute("value") == "akazawa"
    assert "Ryosei Akazawa" in (page.locator("#names-actor option").first.get_attribute("label") or "")
    assert not errors  # the content security policy lets the page ask its own server, and refuses nothing
