"""Nothing lost: a build killed half-way, or two builds at once, leave whole files behind."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Graph

from tradegraph.build.pipeline import OUTPUTS
from tradegraph.files.atomic import write_files

from .conftest import REPO


def _copy_repo_project(tmp_path: Path) -> Path:
    project = tmp_path / "p"
    project.mkdir()
    shutil.copytree(REPO / "graph", project / "graph")
    return project


def _build(project: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "tradegraph", "build", "--project", str(project), *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _outputs(project: Path) -> dict[str, bytes]:
    return {name: (project / "build" / name).read_bytes() for name in OUTPUTS}


def _change_the_facts(project: Path, n: int) -> None:
    actors = project / "graph" / "actors.yaml"
    text = actors.read_text("utf-8")
    actors.write_text(text.replace("    name: Ryosei Akazawa\n", f"    name: Ryosei Akazawa\n    note: edit {n}\n", 1)
                      if "note: edit" not in text else text.replace(f"note: edit {n - 1}", f"note: edit {n}"),
                      "utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_killed_build_leaves_previous_build_whole(tmp_path: Path, sig: signal.Signals) -> None:
    project = _copy_repo_project(tmp_path)
    assert _build(project).wait() == 0
    generations = [_outputs(project)]
    for attempt, delay in enumerate((0.4, 1.2, 2.0), start=1):
        _change_the_facts(project, attempt)
        process = _build(project)
        time.sleep(delay)
        process.send_signal(sig)
        process.wait()
        now = _outputs(project)
        if now != generations[-1]:
            generations.append(now)
        # every file is the previous build's or a whole new one, and (but for SIGKILL in the
        # microseconds between two renames) all files come from one build
        for name, data in now.items():
            assert any(data == g[name] for g in generations), name
        if sig == signal.SIGTERM:
            assert now in generations
        Graph().parse(project / "build" / "graph.ttl")
    assert _build(project).wait() == 0
    assert not [p.name for p in (project / "build").iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_concurrent_builds_leave_one_whole_build(tmp_path: Path) -> None:
    project = _copy_repo_project(tmp_path)
    out_a, out_b = tmp_path / "a", tmp_path / "b"
    assert _build(project, "--out", str(out_a)).wait() == 0
    _change_the_facts(project, 1)
    assert _build(project, "--out", str(out_b)).wait() == 0
    expected = [{n: (out / n).read_bytes() for n in OUTPUTS} for out in (out_a, out_b)]
    processes = []
    for n in (0, 1, 0):
        _change_the_facts(project, n) if n else _restore(project)
        processes.append(_build(project))
        time.sleep(0.15)
    assert [p.wait() for p in processes] == [0, 0, 0]
    assert _outputs(project) in expected


def _restore(project: Path) -> None:
    actors = project / "graph" / "actors.yaml"
    actors.write_text("\n".join(line for line in actors.read_text("utf-8").splitlines()
                                if "note: edit" not in line) + "\n", "utf-8")


def test_no_temporary_has_a_name_until_it_is_renamed(tmp_path: Path) -> None:
    """Temporaries are nameless (O_TMPFILE), so a kill leaves none behind, and a file that only
    looks like one (another program's, or an older tradegraph's) is never removed."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lookalike = tmp_path / f".graph.ttl.{dead.pid}.abc123.tmp"
    lookalike.write_text("someone's")

    def write(stream) -> None:  # type: ignore[no-untyped-def]
        stream.write(b"half")
        assert sorted(p.name for p in tmp_path.iterdir()) == [lookalike.name]

    write_files({tmp_path / "graph.ttl": write})
    assert lookalike.read_text() == "someone's"
    assert (tmp_path / "graph.ttl").read_bytes() == b"half"
