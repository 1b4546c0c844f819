"""bench/run.py and bench/report.py: a baseline stage past its budget is stopped and the next
stages still run; a whole run on a tiny project gives equal rows on the three sides and equal
violations; RESULTS.md's prose outside the markers is kept."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import REPO

#: A side that stops in the middle of ``query slow`` (for ever) and of ``load`` when told to.
FAKE_SIDE = """
import json, sys, time
skip = [a for i, a in enumerate(sys.argv) if i and sys.argv[i - 1] == "--skip"]
hang = sys.argv[1]
def say(**record): print(json.dumps(record), flush=True)
for stage in ("load", "query fast", "query slow", "query after"):
    if stage in skip:
        continue
    say(start=stage)
    if stage == hang:
        time.sleep(600)
    say(stage=stage, seconds=0.01)
    say(rows={stage: 1})
"""


@pytest.fixture(scope="module")
def bench() -> Iterator[dict[str, ModuleType]]:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import report
        import run

        yield {"run": run, "report": report}
    finally:
        sys.path.remove(str(REPO / "bench"))


def test_a_stage_past_the_budget_is_stopped_and_the_next_ones_run(bench, tmp_path: Path) -> None:
    script = tmp_path / "side.py"
    script.write_text(FAKE_SIDE, "utf-8")
    found = bench["run"].side("query slow", tmp_path, 1.0, script=script)
    assert found["stopped"] == ["query slow"]
    assert set(found["stages"]) == {"load", "query fast", "query after"}
    assert found["rows"] == {"load": 1, "query fast": 1, "query after": 1}
    assert found["peak_rss_mb"] > 0


def test_a_needed_stage_past_the_budget_stops_the_side(bench, tmp_path: Path) -> None:
    script = tmp_path / "side.py"
    script.write_text(FAKE_SIDE, "utf-8")
    found = bench["run"].side("load", tmp_path, 1.0, script=script)
    assert found["stopped"] == ["load"] and found["stages"] == {}
    assert any("stages after it were not run" in note for note in found["notes"])


def test_the_generated_part_is_replaced_and_the_prose_kept(bench, tmp_path: Path) -> None:
    report = bench["report"]
    text = f"# Title\n\nprose before\n\n{report.BEGIN}\nold table\n{report.END}\n\nprose after\n"
    new = report.rewrite(text, "new table\n")
    assert new.startswith("# Title\n\nprose before\n\n") and new.endswith(f"{report.END}\n\nprose after\n")
    assert "new table" in new and "old table" not in new
    (tmp_path / "other.json").write_text(json.dumps({"sizes": []}), "utf-8")
    (tmp_path / "old.json").write_text(json.dumps({"events": 1, "stages": {"load": {"tradegraph": 1.0}}}), "utf-8")
    assert report.runs(tmp_path) == []


@pytest.mark.slow
def test_a_tiny_run_gives_equal_rows_and_violations_on_every_side(bench, tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    done = subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "--events", "150", "--keep",
                           str(tmp_path / "work"), "--json", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    figures = json.loads(out.read_text("utf-8"))
    assert {"events", "triples", "stages", "peak_rss_mb", "violations", "rows", "params"} <= set(figures)
    queries = {p.stem for p in (REPO / "queries").glob("*.rq")}
    assert {stage.split()[1] for stage in figures["rows"]} == queries
    for stage, rows in figures["rows"].items():
        assert None not in rows.values() and len(set(rows.values())) == 1, (stage, rows)
    assert figures["violations"]["tradegraph"] == figures["violations"]["baseline"] > 0
    assert figures["differences"] == []
    assert all(v["tradegraph"] is not None for v in figures["stages"].values())
    section = bench["report"].section("run.json", figures)
    assert "| end to end |" in section and "**differ**" not in section


@pytest.mark.slow
def test_a_tiny_incremental_run_rebuilds_and_pushes_only_the_change(tmp_path: Path) -> None:
    """bench/incremental.py end to end on a tiny project: every figure the issue names, the
    rebuilds incremental, and the push after the edit read from the build's store and sending
    the one graph that changed."""
    out = tmp_path / "incremental.json"
    done = subprocess.run([sys.executable, str(REPO / "bench" / "incremental.py"), "--events", "150", "--repeat", "2",
                           "--json", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    figures = json.loads(out.read_text("utf-8"))
    assert {"full_build_s", "one_source_rebuild_s", "add_source_s", "remove_source_s", "shape_edit_s",
            "full_push_s", "incremental_push_s"} <= set(figures)
    assert len(figures["one_source_rebuild_samples_s"]) == 2
    assert figures["one_source_rebuild_steps"][0][1] == "reading the files that changed"  # not a clean build
    assert figures["push_read_from"] == "the store of the last build (build/store)"
    assert figures["incremental_push_graphs"] == ["https://w3id.org/tradegraph/id/graph/bench-one"]
    assert 0 < figures["incremental_push_bytes"] < figures["full_push_bytes"]
