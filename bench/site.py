"""The query browser's speed on a generated project, served from its store.

    python bench/generate.py --events 20000 --bad-apart --out /tmp/site20k
    (cd /tmp/site20k && tradegraph build --store build/store)
    python bench/site.py --project /tmp/site20k [--store build/store] [--repeat 20]

The pages are answered by ``serve``'s guarded front (:class:`tradegraph.remote.serve_guard.Guard`,
loopback, Host checked) over the project's Oxigraph store (``build --store``), and asked as a
browser or curl would: one HTTP GET a connection (urllib). After a warm-up request each (the
first page reads the graph's names once), each page is asked ``--repeat`` times (3 when the warm-up took over
3 s) and the median is reported: the catalogue, the page of the official of median activity (``params.json`` of
bench/generate.py), the pages of the event and the country it picked (its measures' history), a
selective query's page (that official's timeline) and name completion (the last word of that
official's name: generated names share their first). The figures are printed and written as JSON
(``--out``, by default bench/results/site-EVENTS.json), with the targets of issue 19.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from timing import median_seconds

from tradegraph.query.run import store_runner
from tradegraph.remote.serve_guard import Guard
from tradegraph.site.pages import Site

SLOW = 3.0  # seconds
TARGETS_MS = {"catalogue": 100, "node page": 100, "event page": 100, "country page": 100,
              "selective query page": 300, "name completion": 50}


def serve(site: Site) -> tuple[str, Callable[[], None]]:
    """``site`` behind the guarded front on a free loopback port, in a thread; its URL and what stops it."""
    guard = Guard(port=0, backend=0, graphs=frozenset(), pages=site)
    loop = asyncio.new_event_loop()
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(guard.start())
        started.set()
        loop.run_forever()
        # connections still open (a kept-alive one waits for its next request): closed quietly
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait(30)

    def stop() -> None:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)

    return f"http://{guard.authority}/", stop


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as answer:
        body: bytes = answer.read()
        if answer.status != 200:
            raise RuntimeError(f"{url}: {answer.status}")
        return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--store", type=Path, default=Path("build/store"), help="relative to the project")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    params = json.loads((args.project / "params.json").read_text("utf-8"))
    site = Site(store_runner(args.project, args.project / args.store))
    url, stop = serve(site)
    actor = params["actor"]
    name = site.names.nodes[actor].label
    pages = {"catalogue": "",
             "node page": f"node-{actor}.html",
             "event page": f"node-{params['event']}.html",
             "country page": f"node-{params['country']}.html",
             "selective query page": f"query-actor-timeline.html?actor={actor}",
             "name completion": f"complete?query=who-met-whom&param=actor&q={quote(name.split()[-1])}"}
    figures: dict[str, Any] = {"events": None, "actor": actor, "completion text": name.split()[-1],
                               "median_ms": {}, "repeats": {}, "targets_ms": TARGETS_MS}
    for what, path in pages.items():
        warm, _ = median_seconds(lambda path=path: get(url + path), 1)  # type: ignore[misc]
        repeat = args.repeat if warm < SLOW else 3  # a page far over its target: three runs say enough
        seconds, body = median_seconds(lambda path=path: get(url + path), repeat)  # type: ignore[misc]
        figures["median_ms"][what], figures["repeats"][what] = round(seconds * 1000, 1), repeat
        print(f"{what:22} {seconds * 1000:8.1f} ms (median of {repeat}; target {TARGETS_MS[what]} ms)  "
              f"{url}{path}  {len(body)} bytes")
    stop()
    facts = args.project / "graph" / "bulk" / "facts.jsonl"
    figures["events"] = sum(1 for _ in facts.open("rb")) if facts.is_file() else None
    out = args.out or Path(__file__).parent / "results" / f"site-{figures['events']}.json"
    out.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
