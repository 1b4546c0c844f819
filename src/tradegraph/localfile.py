"""Reading a file a user named on the command line: a regular file, of a bounded size.

``/dev/zero`` reports a size of 0 and never ends, a FIFO blocks until someone writes to
it, a directory cannot be read: each is refused at once with one line (exit 2), and so is
a file past the size limit, before any byte of it is read.

>>> read_regular(Path("/dev/zero"), what="a query file")
Traceback (most recent call last):
...
tradegraph.errors.UsageError: /dev/zero: not a regular file (a character device); expected a query file
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import Location, UsageError

#: The largest RDF file ``validate`` reads, unless told otherwise.
MAX_RDF_BYTES = 256 * 1024 * 1024

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"))


def read_regular(path: Path, *, what: str, max_bytes: int | None = None, shown: str | None = None) -> bytes:
    """The bytes of ``path``, a regular file (or a symlink to one) of at most ``max_bytes``
    (default :data:`MAX_RDF_BYTES`).

    ``what`` says what the file should be ("an RDF file"). Anything else is a
    :class:`UsageError` naming the path: a missing or unreadable file, a directory, device,
    FIFO or socket (checked before opening and again on the open file, which is opened
    without blocking), or a file that is or grows larger than ``max_bytes``.
    """
    where = Location(shown or str(path))
    max_bytes = MAX_RDF_BYTES if max_bytes is None else max_bytes
    _check_kind(_stat(path, where), where, what)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise UsageError(f"cannot read the file ({exc.strerror})", where=where, expected=what) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        _check_kind(info, where, what)  # the file may have been swapped since the first look
        if info.st_size > max_bytes:
            raise _too_large(f"{info.st_size:,} bytes", where, what, max_bytes)
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(f"over {max_bytes:,} bytes", where, what, max_bytes)
    return data


def _stat(path: Path, where: Location) -> os.stat_result:
    try:
        return path.stat()
    except FileNotFoundError:
        dangling = " (a symlink to a missing file)" if path.is_symlink() else ""
        raise UsageError(f"no such file{dangling}", where=where) from None
    except OSError as exc:
        raise UsageError(f"cannot read the file ({exc.strerror})", where=where) from None


def _check_kind(info: os.stat_result, where: Location, what: str) -> None:
    if stat.S_ISREG(info.st_mode):
        return
    kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a file")
    raise UsageError(f"not a regular file ({kind})", where=where, expected=what)


def _too_large(size: str, where: Location, what: str, max_bytes: int) -> UsageError:
    return UsageError(f"the file is too large ({size})", where=where,
                      expected=f"{what} of at most {max_bytes:,} bytes",
                      hint="split it into smaller files")


def read_regular_text(path: Path, *, what: str, max_bytes: int, shown: str | None = None) -> str:
    """:func:`read_regular`, decoded as UTF-8 (a byte-order mark dropped)."""
    data = read_regular(path, what=what, max_bytes=max_bytes, shown=shown)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UsageError(f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                         where=Location(shown or str(path), line), expected=f"{what} in UTF-8") from None
