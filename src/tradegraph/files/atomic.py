"""Write files so that each is either the old one or the whole new one, and touch nothing else.

Every file is first written as an anonymous temporary in its target's directory (Linux
``O_TMPFILE``: it has no name, so a writer killed even with SIGKILL leaves nothing behind),
flushed to disk, and only then given its name. So:

- a failure or a kill before the renames leaves every target as it was;
- the renames of one call run under a lock on the directory and with SIGINT/SIGTERM held
  back, so two builds racing on one directory, or a build stopped with Ctrl-C or ``kill``,
  leave the files of one build, never a mix (only SIGKILL between two renames, a window of
  microseconds, can leave a mix, and even then every file is whole);
- nothing but the targets is ever replaced or deleted: no file that merely looks like a
  temporary is removed. (On a file system without ``O_TMPFILE`` the temporary has a name,
  ``.NAME.PID.XXXX.tmp``, and a SIGKILL can leave it behind; it is then left alone.)

Only a new path or a regular file is replaced. A directory, a symlink, a device or a FIFO
given as a target is refused here; :func:`write_output` is the writer for a path a user
named, which writes straight through a device or a FIFO and follows a symlink.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> stamps = write_files({folder / "a.txt": b"whole"})
>>> (folder / "a.txt").read_bytes(), stamps[folder / "a.txt"].size
(b'whole', 5)
>>> sorted(p.name for p in folder.iterdir())
['a.txt']
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import json
import mmap
import os
import re
import signal
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from tradegraph.errors import OutputError

Data = bytes | Callable[[BinaryIO], None]
#: Linux's flag for a file with no name yet (0 elsewhere: there a named temporary is used).
_NAMELESS = getattr(os, "O_TMPFILE", 0)
_AT_FDCWD, _AT_EMPTY_PATH = -100, 0x1000


@dataclass(frozen=True)
class Stamp:
    """What a written file was: enough to prove later that a file is still the one written."""

    size: int
    mtime_ns: int
    sha256: str

    def matches(self, path: Path) -> bool:
        """Is ``path`` a regular file with this content? (By size and time, else by hash.)"""
        try:
            info = path.lstat()
        except OSError:
            return False
        if not stat.S_ISREG(info.st_mode) or info.st_size != self.size:
            return False
        if info.st_mtime_ns == self.mtime_ns:
            return True
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest() == self.sha256


def write_files(contents: Mapping[Path, Data], *, manifest: Path | None = None,
                about: Mapping[str, object] | None = None) -> dict[Path, Stamp]:
    """Write every ``path: data`` pair atomically (all temporaries first, then the renames).

    Instead of bytes, ``data`` may be a function that writes a large file itself to the
    stream it is given. With ``manifest``, a JSON file of the :class:`Stamp` of every file
    (keyed by name, under ``files``) is written too, in the same step, beside the entries of
    ``about`` (what the files were made from, say). Returns the stamps. Raises
    :class:`~tradegraph.errors.OutputError` when a target cannot be written; every target
    is then as it was.
    """
    targets = list(contents)
    if manifest is not None:
        targets.append(manifest)
    for path in targets:
        _check_replaceable(path)
    stamps: dict[Path, Stamp] = {}
    with ExitStack() as cleanup:
        staged: list[tuple[_Temporary, Path]] = []
        for path, data in contents.items():
            temporary = cleanup.enter_context(_Temporary.beside(path))
            stamps[path] = temporary.fill(data)
            staged.append((temporary, path))
        if manifest is not None:
            record = {**(about or {}), "files": {path.name: asdict(stamp) for path, stamp in sorted(stamps.items())}}
            temporary = cleanup.enter_context(_Temporary.beside(manifest))
            temporary.fill(json.dumps(record, indent=1, sort_keys=True).encode("utf-8") + b"\n")
            staged.append((temporary, manifest))
        with _locked(sorted({path.parent for path in targets})), _signals_held():
            for temporary, path in staged:
                _check_replaceable(path)
                temporary.commit(path)
    return stamps


def write_file(path: Path, data: bytes | str) -> None:
    """Write one file atomically."""
    write_files({path: data.encode("utf-8") if isinstance(data, str) else data})


def write_output(path: Path, data: bytes | str) -> Path:
    """Write a file the user named, and return where it went.

    A regular file or a new path is written atomically (keeping an existing file's mode); a
    symlink is followed to its target; a device or a FIFO (``/dev/null``, a named pipe) is
    written straight through, since it cannot be replaced; ``/dev/stdout``, ``/dev/stderr`` and
    ``/dev/fd/N`` are this process's own descriptors, written where they stand (so ``-o
    /dev/stdout >> log`` appends to ``log``). A directory, a socket or a dangling symlink is
    refused.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    descriptor = _own_descriptor(path)
    if descriptor is not None:  # /dev/stdout is this process's own stream, not the file behind it
        _write_descriptor(descriptor, path, payload)
        return path
    try:
        target = Path(os.path.realpath(path)) if path.is_symlink() else path
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        info = os.stat(target)
    except FileNotFoundError:
        if target != path:
            raise OutputError(f"{path} is a symlink to {target}, which does not exist",
                              expected="a file, a new path or a symlink to a file",
                              hint="remove the symlink or create its target") from None
        info = None
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    if info is not None and (stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        _write_through(target, payload)
    elif info is not None and not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise OutputError(f"{path} is {kind}", expected="a file path",
                          hint="name a file inside it, e.g. -o DIR/network.html" if stat.S_ISDIR(info.st_mode) else None)
    else:
        write_files({target: payload})
    return target


_DESCRIPTOR = re.compile(r"/dev/std(?P<std>out|err)|/dev/fd/(?P<fd>[0-9]+)|/proc/self/fd/(?P<own>[0-9]+)")


def _own_descriptor(path: Path) -> int | None:
    """The descriptor a path like ``/dev/stdout`` or ``/dev/fd/3`` names in this process."""
    match = _DESCRIPTOR.fullmatch(os.path.normpath(os.fspath(path)))
    if match is None:
        return None
    if match["std"]:
        return 1 if match["std"] == "out" else 2
    return int(match["fd"] or match["own"])


def _write_descriptor(descriptor: int, path: Path, data: bytes) -> None:
    """Write to an open descriptor where it stands (appending where it was opened to append)."""
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def _write_through(path: Path, data: bytes) -> None:
    """Write into a device or a FIFO, which cannot be replaced."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        _write_descriptor(descriptor, path, data)
    finally:
        os.close(descriptor)


def _check_replaceable(path: Path) -> None:
    """Only a new path or a regular file may be replaced."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    if not stat.S_ISREG(info.st_mode):
        kind = ("a symlink" if stat.S_ISLNK(info.st_mode) else "a directory" if stat.S_ISDIR(info.st_mode)
                else "a special file")
        raise OutputError(f"{path} is {kind}, which tradegraph does not replace",
                          expected="a regular file or a new path", hint="move it away or write elsewhere")


class _Temporary:
    """A temporary file in a target's directory: nameless where the file system allows."""

    def __init__(self, path: Path) -> None:
        self.target = path
        self.name: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.mode = _mode_for(path)
            try:
                self.descriptor = os.open(path.parent, _NAMELESS | os.O_RDWR | os.O_CLOEXEC, 0o600)
            except OSError as exc:
                if _NAMELESS and exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
                    raise
                self.descriptor, self.name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.",
                                                              suffix=".tmp", dir=path.parent)
        except OSError as exc:
            raise _cannot_write(path, exc) from None

    @classmethod
    @contextmanager
    def beside(cls, path: Path) -> Iterator[_Temporary]:
        temporary = cls(path)
        try:
            yield temporary
        finally:
            temporary.discard()

    def fill(self, data: Data) -> Stamp:
        """Write ``data``, flush it to disk, and say what was written."""
        digest = hashlib.sha256()
        try:
            with os.fdopen(os.dup(self.descriptor), "wb") as raw:
                stream = _Hashing(raw, digest)
                if callable(data):
                    data(stream)  # type: ignore[arg-type]
                else:
                    stream.write(data)
                raw.flush()
                os.fchmod(raw.fileno(), self.mode)
                stream.settle(lambda: os.fsync(raw.fileno()))
                info = os.fstat(raw.fileno())
        except OSError as exc:
            raise _cannot_write(self.target, exc) from None
        return Stamp(info.st_size, info.st_mtime_ns, digest.hexdigest())

    def commit(self, path: Path) -> None:
        """Give the temporary the target's name (replacing the old file in one step)."""
        try:
            if self.name is None:
                name = f"{path.parent}/.{path.name}.{os.getpid()}.{id(self):x}.tmp"
                _name_it(self.descriptor, name)
                self.name = name
            os.replace(self.name, path)
            self.name = None
        except OSError as exc:
            raise _cannot_write(path, exc) from None

    def discard(self) -> None:
        if self.name is not None:
            Path(self.name).unlink(missing_ok=True)
            self.name = None
        if self.descriptor >= 0:
            os.close(self.descriptor)
            self.descriptor = -1


def _name_it(descriptor: int, name: str) -> None:
    """Give a nameless file (``O_TMPFILE``) a name: ``linkat(fd, "", AT_EMPTY_PATH)`` (Linux
    6.10 and later allow it to the file's opener), else through ``/proc/self/fd``, else by
    copying its bytes into a new file of that name."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.linkat(descriptor, b"", _AT_FDCWD, os.fsencode(name), _AT_EMPTY_PATH) == 0:
        return
    try:
        os.link(f"/proc/self/fd/{descriptor}", name, follow_symlinks=True)
        return
    except OSError:
        pass
    copy = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        os.fchmod(copy, stat.S_IMODE(os.fstat(descriptor).st_mode))
        offset = 0
        while sent := os.sendfile(copy, descriptor, offset, 1 << 24):
            offset += sent
        os.fsync(copy)
    except OSError:
        os.unlink(name)
        raise
    finally:
        os.close(copy)


class _Hashing:
    """A binary stream that hashes what passes through it.

    A file appended with :meth:`copy_file` is copied by the kernel and hashed later, from what
    was written (:meth:`settle`).
    """

    def __init__(self, raw: BinaryIO, digest: hashlib._Hash) -> None:
        self.raw, self.digest = raw, digest
        self._copied: list[tuple[int, int, Callable[[str], None]]] = []

    def write(self, data: bytes) -> int:
        self.settle()
        self.digest.update(data)
        return self.raw.write(data)

    def copy_file(self, source: BinaryIO, check: Callable[[str], None]) -> None:
        """Append the rest of ``source`` (a regular file); ``check`` receives the SHA-256 (hex)
        of what was appended, and may raise.

        The kernel copies it (``copy_file_range``: a 400 MB file in a sixth of the time of
        writing it from Python); it is hashed by :meth:`settle`, from the output mapped back
        (which no other process can change), so what ``check`` is told is what was written.
        """
        self.raw.flush()
        out = self.raw.fileno()
        start = os.lseek(out, 0, os.SEEK_CUR)
        try:
            while os.copy_file_range(source.fileno(), out, 1 << 30):
                pass
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP) \
                    or os.lseek(out, 0, os.SEEK_CUR) != start:
                raise
            digest = hashlib.sha256()
            for block in iter(lambda: source.read(1 << 22), b""):
                digest.update(block)
                self.write(block)
            check(digest.hexdigest())
            return
        end = os.lseek(out, 0, os.SEEK_CUR)
        self.raw.seek(end)  # the buffered stream learns where the file now ends
        self._copied.append((start, end, check))

    def settle(self, sync: Callable[[], None] | None = None) -> None:
        """Hash what was copied and not yet hashed (into the output's digest, and each copy's
        own for its ``check``), then ``sync``; the three at once, on threads (hashlib and
        ``fsync`` let go of the GIL)."""
        copied, self._copied = self._copied, []
        if not copied:
            if sync is not None:
                sync()
            return
        aligned = copied[0][0] - copied[0][0] % mmap.ALLOCATIONGRANULARITY
        if copied[-1][1] == aligned:  # nothing but empty files (mmap maps no empty range)
            if sync is not None:
                sync()
            for _, _, check in copied:
                check(hashlib.sha256(b"").hexdigest())
            return
        with mmap.mmap(self.raw.fileno(), copied[-1][1] - aligned, prot=mmap.PROT_READ, offset=aligned) as mapped, \
                memoryview(mapped) as view, ThreadPoolExecutor(2, thread_name_prefix="tradegraph-settle") as beside:
            synced = beside.submit(sync) if sync is not None else None
            own = beside.submit(lambda: [hashlib.sha256(view[a - aligned:b - aligned]).hexdigest()
                                         for a, b, _ in copied])
            for start, end, _ in copied:
                self.digest.update(view[start - aligned:end - aligned])
            hexes = own.result()
            if synced is not None:
                synced.result()
        for (_, _, check), hexdigest in zip(copied, hexes, strict=True):
            check(hexdigest)

    def __getattr__(self, name: str) -> object:
        return getattr(self.raw, name)


def _mode_for(path: Path) -> int:
    """An existing file keeps its permissions; a new one gets the usual ones (umask)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _cannot_write(path: Path, exc: OSError) -> OutputError:
    reason = exc.strerror or type(exc).__name__
    hints = {errno.ENOSPC: "free some space, or write elsewhere",
             errno.EDQUOT: "free some space, or write elsewhere",
             errno.EROFS: "the file system is read-only: write elsewhere",
             errno.EACCES: "you may not write there: write elsewhere",
             errno.EPERM: "you may not write there: write elsewhere",
             errno.EFBIG: "the file grew past the limit on file size"}
    return OutputError(f"cannot write {path}: {reason}",
                       hint=(hints.get(exc.errno or 0, "check the path") + "; nothing was replaced"))


@contextmanager
def _locked(directories: list[Path]) -> Iterator[None]:
    """An exclusive lock on each directory itself (flock on its descriptor; no lock file)."""
    descriptors = []
    try:
        for directory in directories:
            descriptor = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
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


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask

