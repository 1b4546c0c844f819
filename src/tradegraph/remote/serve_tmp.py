"""The temporary directory of ``tradegraph serve``, and the reclaiming of those whose serve died.

A serve stopped by SIGKILL (or a power cut) cannot remove its store. Each one therefore writes a
marker into its directory naming the processes that own it (itself and its Oxigraph server, each
by PID and start time, so that a reused PID does not pass for its owner); the next serve removes
a directory only when it is named like one of ours, is a real directory of the same user, holds a
marker that reads, and every owner the marker names is gone. Anything else is left alone.

>>> import tempfile; parent = Path(tempfile.mkdtemp())
>>> with serve_directory(parent) as tmp: reclaim_stale(parent)  # our own, alive
[]
>>> sorted(parent.iterdir())
[]
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "tradegraph-serve-"
MARKER = "tradegraph-serve.json"
_MARKER_BYTES = 4096


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state first), or None if unknown."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def started(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks after boot, from /proc), or None if unknown."""
    fields = _stat(pid)
    return int(fields[19]) if fields else None


def alive(pid: int, start: int | None) -> bool:
    """Whether process ``pid`` that started at ``start`` still runs: a reused PID does not count,
    nor a zombie (a killed serve's server that nobody reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process holds the PID: it exists
    fields = _stat(pid)
    if fields is None:
        return True
    return fields[0] not in ("Z", "X") and (start is None or int(fields[19]) == start)


def mark(directory: Path, *pids: int) -> None:
    """Write (atomically) the marker that says ``pids`` own ``directory``."""
    owners = [{"pid": pid, "started": started(pid)} for pid in pids]
    partial = directory / f".{MARKER}.part"
    partial.write_text(json.dumps({"owners": owners}), "utf-8")
    os.replace(partial, directory / MARKER)


@contextmanager
def serve_directory(parent: Path | None = None) -> Iterator[Path]:
    """A new temporary directory marked as this process's, removed on the way out."""
    directory = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))
    try:
        mark(directory, os.getpid())
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def reclaim_stale(parent: Path | None = None) -> list[Path]:
    """Remove the serve directories under ``parent`` (the temporary directory) whose owners are
    all gone; the ones removed."""
    parent = Path(parent or tempfile.gettempdir())
    removed = []
    for entry in sorted(parent.glob(f"{PREFIX}*")):
        if _is_stale(entry):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _is_stale(directory: Path) -> bool:
    try:
        status, marker = directory.lstat(), directory / MARKER
        marker_status = marker.lstat()  # lstat: a symlink is neither a directory nor a regular file here
        if not (stat.S_ISDIR(status.st_mode) and status.st_uid == os.getuid()
                and stat.S_ISREG(marker_status.st_mode) and marker_status.st_size <= _MARKER_BYTES):
            return False
        owners = json.loads(marker.read_text("utf-8"))["owners"]
        pids = [(int(owner["pid"]), owner["started"]) for owner in owners]
    except (OSError, ValueError, KeyError, TypeError):
        return False  # not a marker we wrote: not ours to remove
    return bool(pids) and not any(alive(pid, start if isinstance(start, int) else None) for pid, start in pids)
