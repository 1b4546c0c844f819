"""A `tradegraph serve` killed with SIGKILL leaves its temporary store; the next one removes it,
and removes nothing else: not a directory without our marker, not one whose owner still runs
(even under a reused PID's look-alike), not a symlink, not another user's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tradegraph.remote.serve import free_port
from tradegraph.remote.serve_tmp import MARKER, PREFIX, mark, reclaim_stale, serve_directory, started

from .conftest import REPO
from .test_serve import alive, children


def dead_pid() -> int:
    """The PID of a process that has ended (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait(30)
    return process.pid


def stale(parent: Path, name: str, owners: list[dict[str, object]]) -> Path:
    directory = parent / f"{PREFIX}{name}"
    (directory / "store").mkdir(parents=True)
    (directory / "store" / "CURRENT").write_text("x")
    (directory / MARKER).write_text(json.dumps({"owners": owners}))
    return directory


def test_a_directory_whose_owners_are_gone_is_removed(tmp_path: Path) -> None:
    gone = stale(tmp_path, "gone", [{"pid": dead_pid(), "started": 1}, {"pid": dead_pid(), "started": None}])
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    (gone / "store" / "link").symlink_to(outside)
    assert reclaim_stale(tmp_path) == [gone]
    assert not gone.exists() and outside.read_text() == "keep"


def test_a_reused_pid_does_not_pass_for_the_owner(tmp_path: Path) -> None:
    """Our own PID, but a start time that is not ours: the owner is gone."""
    reused = stale(tmp_path, "reused", [{"pid": os.getpid(), "started": (started(os.getpid()) or 0) + 1}])
    assert reclaim_stale(tmp_path) == [reused]


def test_a_zombie_owner_is_gone(tmp_path: Path) -> None:
    """A killed serve's server that nobody reaped (a container's PID 1 may not) owns nothing."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        start = started(process.pid)
        os.kill(process.pid, signal.SIGKILL)
        while "\nState:\tZ" not in Path(f"/proc/{process.pid}/status").read_text():
            time.sleep(0.02)
        zombie = stale(tmp_path, "zombie", [{"pid": process.pid, "started": start}])
        assert reclaim_stale(tmp_path) == [zombie]
    finally:
        process.wait(10)


def test_nothing_else_is_removed(tmp_path: Path) -> None:
    dead = [{"pid": dead_pid(), "started": 1}]
    kept = [
        stale(tmp_path, "alive", [{"pid": os.getpid(), "started": started(os.getpid())}]),
        stale(tmp_path, "one-owner-alive", [*dead, {"pid": os.getpid(), "started": started(os.getpid())}]),
        stale(tmp_path, "no-owners", []),
    ]
    for name, text in (("garbled", "{not json"), ("list", "[1, 2]"), ("pid-text", '{"owners": [{"pid": "x"}]}')):
        kept.append(stale(tmp_path, name, dead))
        (kept[-1] / MARKER).write_text(text)
    unmarked = tmp_path / f"{PREFIX}unmarked"
    (unmarked / "store").mkdir(parents=True)
    half = stale(tmp_path, "half-written", dead)
    (half / MARKER).rename(half / f".{MARKER}.part")
    marker_link = stale(tmp_path, "marker-link", [])
    elsewhere = stale(tmp_path / "elsewhere", "x", dead)  # not in the directory reclaimed
    (marker_link / MARKER).unlink()
    (marker_link / MARKER).symlink_to(elsewhere / MARKER)
    link = tmp_path / f"{PREFIX}link"
    link.symlink_to(elsewhere)
    plain = tmp_path / f"{PREFIX}file"
    plain.write_text("not a directory")
    other = stale(tmp_path, "", dead).rename(tmp_path / "not-ours-by-name")
    assert reclaim_stale(tmp_path) == []
    for path in [*kept, unmarked, half, marker_link, link, plain, other, elsewhere]:
        assert path.exists() or path.is_symlink(), path
    assert (elsewhere / "store" / "CURRENT").exists()


@pytest.mark.skipif(os.getuid() != 0, reason="only root can make a directory another user owns")
def test_another_users_directory_is_left_alone(tmp_path: Path) -> None:
    theirs = stale(tmp_path, "theirs", [{"pid": dead_pid(), "started": 1}])
    os.chown(theirs, 12345, 12345)
    assert reclaim_stale(tmp_path) == []
    assert theirs.exists()


def test_a_serve_directory_is_marked_with_its_owners_and_removed_after(tmp_path: Path) -> None:
    with serve_directory(tmp_path) as directory:
        helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
        try:
            mark(directory, os.getpid(), helper.pid)
            owners = json.loads((directory / MARKER).read_text())["owners"]
            assert [o["pid"] for o in owners] == [os.getpid(), helper.pid]
            assert reclaim_stale(tmp_path) == []
        finally:
            helper.kill()
            helper.wait(10)
    assert list(tmp_path.iterdir()) == []


def start_serve(tmp: Path) -> tuple[subprocess.Popen[str], list[str]]:
    env = {**os.environ, "TMPDIR": str(tmp)}
    process = subprocess.Popen([sys.executable, "-m", "tradegraph", "serve", "--port", str(free_port())], cwd=REPO,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = [process.stdout.readline() for _ in range(2)]  # type: ignore[union-attr]
    assert lines[1].startswith("query endpoint: "), (lines, process.poll())
    return process, lines


@pytest.mark.slow
def test_the_store_a_sigkilled_serve_left_is_removed_by_the_next(tmp_path: Path) -> None:
    unrelated = tmp_path / f"{PREFIX}made-by-hand"
    unrelated.mkdir()
    first, _ = start_serve(tmp_path)
    try:
        (server,) = children(first.pid)
        left = [p for p in tmp_path.iterdir() if p != unrelated]
        first.send_signal(signal.SIGKILL)
        first.wait(30)
        deadline = time.monotonic() + 10
        while alive(server) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert next(p.name for p in left).startswith(PREFIX) and all(p.exists() for p in left)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(30)
    second, _ = start_serve(tmp_path)
    try:
        assert not any(p.exists() for p in left)
        assert unrelated.exists()
        second.send_signal(signal.SIGINT)
        _, err = second.communicate(timeout=30)
        assert second.returncode == 0
        assert f"removed {left[0]}, the temporary store of a serve that is gone" in err
    finally:
        if second.poll() is None:
            second.kill()
            second.wait(30)
    assert list(tmp_path.iterdir()) == [unrelated]
