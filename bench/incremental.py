"""Rebuild and push after a small change, against a full build and push (issue 17).

    python bench/incremental.py --events 10000 [--repeat 5] [--json FILE]

On a project made by bench/generate.py (bulk facts, valid), built into an on-disk store as
``tradegraph build --store build/store`` does (the store keeps what each file made, see
tradegraph.build.incremental), it times: a full build; a rebuild after one source file
(graph/sources/*.yaml, beside the bulk files) is edited (the median of ``--repeat`` edits, each
sample kept); a rebuild after a source is added and after one is removed; a rebuild after a
shape file changes (which must revalidate everything); a full push to a real Oxigraph server on
127.0.0.1 (started here, stopped by its PID) and a push after one source changed and the
project was built again (only the changed graphs go up; the median of up to three), with the
bytes each sent. Prints one JSON object (keys ``full_build_s``, ``one_source_rebuild_s``,
``add_source_s``, ``remove_source_s``, ``shape_edit_s``, ``full_push_s``, ``incremental_push_s``,
their ratios and the bytes, the steps of the first one-source rebuild with their times, and how
long reading the build's graph into rdflib takes, which a push does when the project was not
built into a store) and writes it to ``--json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

from tradegraph.build.pipeline import build  # noqa: E402
from tradegraph.build.provider import validated_graph  # noqa: E402
from tradegraph.progress import Progress  # noqa: E402
from tradegraph.project import Project  # noqa: E402
from tradegraph.remote.push import push  # noqa: E402
from tradegraph.remote.serve import OxigraphServer  # noqa: E402

SOURCE = """source:
  id: {ident}
  title: A bench source
  publisher: {publisher}
  published:
    date: 2025-07-{day:02d}
    how: printed on the page
"""
SHAPE = "@prefix ex: <urn:x-bench:> .\n# edited {n}\nex:a ex:b ex:c .\n"


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    done = work()
    return time.perf_counter() - started, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--repeat", type=int, default=5,
                        help="one-source rebuilds to take the median of (and up to 3 incremental pushes)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tg-incremental-") as folder:
        figures = run(Path(folder), args.events, args.seed, args.repeat)
    text = json.dumps(figures, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", "utf-8")


def run(work: Path, events: int, seed: int, repeat: int = 5) -> dict[str, Any]:
    root = work / "project"
    generate(events, seed=seed, bad_rate=0.0, out=root)
    project = Project.open(root)
    publisher = _publisher(root)
    sources = root / "graph" / "sources"
    sources.mkdir()
    edited = sources / "bench-one.yaml"
    edited.write_text(SOURCE.format(ident="bench-one", publisher=publisher, day=1), "utf-8")
    figures: dict[str, Any] = {"events": events}
    store = root / "build" / "store"

    def build_it() -> Any:
        return build(project, store=store)

    figures["full_build_s"], _ = timed(build_it)
    samples = []
    for number in range(repeat):  # the machines are shared: the median of a few
        edited.write_text(SOURCE.format(ident="bench-one", publisher=publisher, day=10 + number), "utf-8")
        with _steps() as steps:
            samples.append(timed(build_it)[0])
        if number == 0:
            figures["one_source_rebuild_steps"] = steps
    figures["one_source_rebuild_s"], figures["one_source_rebuild_samples_s"] = statistics.median(samples), samples
    added = sources / "bench-two.yaml"
    added.write_text(SOURCE.format(ident="bench-two", publisher=publisher, day=3), "utf-8")
    figures["add_source_s"], _ = timed(build_it)
    added.unlink()
    figures["remove_source_s"], _ = timed(build_it)
    shapes = root / "shapes"
    shapes.mkdir()
    (shapes / "bench-extra.ttl").write_text(SHAPE.format(n=1), "utf-8")
    figures["shape_edit_s"], _ = timed(build_it)
    with OxigraphServer(work / "store", writable=True) as server:
        figures["full_push_s"], full = timed(lambda: push(project, server.update_url, graph_store=server.store_url,
                                                          remember=True))
        pushes = []
        for number in range(max(1, min(repeat, 3))):
            edited.write_text(SOURCE.format(ident="bench-one", publisher=publisher, day=4 + number), "utf-8")
            build_it()  # the pushes read the build, as `tradegraph push` after `tradegraph build` does
            took, changed = timed(lambda: push(project, server.update_url, graph_store=server.store_url,
                                               remember=True, incremental=True))
            pushes.append(took)
    figures["incremental_push_s"], figures["incremental_push_samples_s"] = statistics.median(pushes), pushes
    figures["push_read_from"] = changed.read_from
    figures["full_push_bytes"], figures["incremental_push_bytes"] = full.sent_bytes, changed.sent_bytes
    # what a push reads when the project has no build into a store: the whole graph, into rdflib
    figures["push_reads_build_graph_s"], _ = timed(lambda: validated_graph(project))
    figures["incremental_push_graphs"] = sorted(str(name) for name in changed.graphs)
    figures["rebuild_ratio"] = round(figures["full_build_s"] / figures["one_source_rebuild_s"], 2)
    figures["push_time_ratio"] = round(figures["full_push_s"] / figures["incremental_push_s"], 2)
    figures["push_bytes_ratio"] = round(full.sent_bytes / max(1, changed.sent_bytes), 2)
    return {key: round(value, 3) if isinstance(value, float) else value for key, value in figures.items()}


@contextmanager
def _steps() -> Iterator[list[tuple[float, str]]]:
    """The steps a build prints (its progress), each with the seconds since the start."""
    taken: list[tuple[float, str]] = []
    original, started = Progress.step, time.perf_counter()

    def step(self: Progress, what: str) -> None:
        taken.append((round(time.perf_counter() - started, 3), what))
        original(self, what)

    Progress.step = step  # type: ignore[method-assign]
    try:
        yield taken
    finally:
        Progress.step = original  # type: ignore[method-assign]
        taken.append((round(time.perf_counter() - started, 3), "done"))


def _publisher(root: Path) -> str:
    """The id of a publisher among the generated actors."""
    with (root / "graph" / "bulk" / "actors.jsonl").open(encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            if record.get("kind") == "organization":
                return str(record["id"])
    raise SystemExit("no organization among the generated actors")


if __name__ == "__main__":
    main()
