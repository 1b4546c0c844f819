"""Write a set of files so that each is either the old one or the whole new one.

Every file is first written beside its target under a temporary name (which carries the
writer's process id), flushed to disk, and only then renamed over the target. So:

- a failure or a kill before the renames leaves every target as it was;
- the renames of one call run under a lock on the directory and with SIGINT/SIGTERM held back, so two
  builds racing on one directory, or a build stopped with Ctrl-C or ``kill``, leave the
  files of one build, never a mix (only SIGKILL between two renames, a window of
  microseconds, can leave a mix, and even then every file is whole);
- temporaries left behind by a killed writer are removed by the next one.
"""

from __future__ import annotations

import fcntl
import os
import re
import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

_TEMPORARY = re.compile(r"^\..+\.(\d+)\.[^.]+\.tmp$")


def write_files(contents: dict[Path, bytes | Callable[[BinaryIO], None]]) -> None:
    """Write every ``path: bytes`` pair atomically (all temporaries first, then the renames).

    Instead of bytes, a function may write a large file itself to the stream it is given.
    """
    staged: list[tuple[Path, Path]] = []
    mode = 0o666 & ~_umask()
    for directory in {path.parent for path in contents}:
        directory.mkdir(parents=True, exist_ok=True)
        _remove_orphans(directory)
    try:
        for path, data in contents.items():
            handle, name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp",
                                            dir=path.parent)
            staged.append((Path(name), path))
            with os.fdopen(handle, "wb") as stream:
                if callable(data):
                    data(stream)
                else:
                    stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(name, mode)
        with _locked(sorted({path.parent for path in contents})), _signals_held():
            for temporary, path in staged:
                os.replace(temporary, path)
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)


def write_file(path: Path, data: bytes | str) -> None:
    """Write one file atomically."""
    write_files({path: data.encode("utf-8") if isinstance(data, str) else data})


@contextmanager
def _locked(directories: list[Path]) -> Iterator[None]:
    """An exclusive lock on each directory itself (flock on its descriptor; no lock file)."""
    descriptors = []
    try:
        for directory in directories:
            descriptor = os.open(directory, os.O_RDONLY)
            descriptors.append(descriptor)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        for descriptor in descriptors:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back until the block ends (then they act as usual)."""
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _remove_orphans(directory: Path) -> None:
    """Delete temporaries whose writing process no longer exists."""
    for entry in directory.iterdir():
        match = _TEMPORARY.match(entry.name)
        if match and not _alive(int(match.group(1))):
            entry.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
