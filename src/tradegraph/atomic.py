"""Write a set of files so that each is either the old one or the whole new one.

Every file is first written beside its target under a temporary name, flushed to disk,
and only then renamed over the target. A failure before the renames leaves every target
as it was; two writers racing on the same directory each leave whole files (the last
rename wins).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_files(contents: dict[Path, bytes]) -> None:
    """Write every ``path: bytes`` pair atomically (all temporaries first, then the renames)."""
    staged: list[tuple[Path, Path]] = []
    mode = 0o666 & ~_umask()
    try:
        for path, data in contents.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((Path(name), path))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(name, mode)
        for temporary, path in staged:
            os.replace(temporary, path)
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)


def write_file(path: Path, data: bytes | str) -> None:
    """Write one file atomically."""
    write_files({path: data.encode("utf-8") if isinstance(data, str) else data})


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
