"""Reading a local file safely: a regular file, of a bounded size, or one clear error.

``/dev/zero`` reports a size of 0 and never ends, a FIFO blocks until someone writes to
it, a directory cannot be read, a symlink may dangle or loop: each is refused at once with
one line naming the path, and so is a file past the size limit, before any byte of it is
read. :func:`open_regular` is the one place that opens and checks; the caller chooses the
error class and the words (:class:`Wording`): a file named on the command line is a usage
error (exit 2), a fact file of the project is invalid data (``yamlfile.FACT_FILE``, exit 1).
Each function's ``what`` is the :class:`Wording`, or for a file named on the command line
just what it should be ("an RDF file").

>>> read_regular(Path("/dev/zero"), what="a query file")
Traceback (most recent call last):
...
tradegraph.errors.UsageError: /dev/zero: not a regular file (a character device); expected a query file
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from tradegraph.errors import Location, TradegraphError, UsageError

#: The largest RDF file ``validate`` reads, unless told otherwise.
MAX_RDF_BYTES = 256 * 1024 * 1024

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"))


class Wording:
    """The errors for a file that cannot be read, worded for a file named on the command line
    (a :class:`UsageError`, exit 2); a subclass words them for another kind of file.

    ``what`` says what the file should be ("an RDF file").
    """

    def __init__(self, what: str) -> None:
        self.what = what

    def unreadable(self, path: Path, exc: OSError, where: Location) -> TradegraphError:
        """A file that is missing, a dangling or looping symlink, or cannot be opened or read."""
        if exc.errno == errno.ENOENT:
            return UsageError("no such file" + (" (a symlink to a missing file)" if path.is_symlink() else ""),
                              where=where)
        return UsageError(f"cannot read the file ({reason(path, exc)})", where=where, expected=self.what)

    def not_regular(self, kind: str, where: Location) -> TradegraphError:
        """A directory, device, FIFO or socket (``kind`` names which)."""
        return UsageError(f"not a regular file ({kind})", where=where, expected=self.what)

    def too_large(self, size: int, max_bytes: int, where: Location, *, exact: bool) -> TradegraphError:
        """A file of ``size`` bytes (``exact``), or that grew past ``max_bytes`` as it was read."""
        shown = f"{size:,} bytes" if exact else f"over {max_bytes:,} bytes"
        return UsageError(f"the file is too large ({shown})", where=where,
                          expected=f"{self.what} of at most {max_bytes:,} bytes", hint="split it into smaller files")


def reason(path: Path, exc: OSError) -> str:
    """Why ``path`` cannot be read, in words: a loop of symlinks, a symlink to nothing, or the system's."""
    if exc.errno == errno.ELOOP:
        return "a loop of symlinks"
    if exc.errno == errno.ENOENT and path.is_symlink():
        return "a symlink to nothing"
    return exc.strerror or type(exc).__name__


def check_regular(path: Path, *, what: str | Wording, shown: str | None = None) -> None:
    """The error of ``what`` naming ``path`` unless it is, or links to, a regular file."""
    where, wording = Location(shown or str(path)), _wording(what)
    try:
        info = path.stat()
    except OSError as exc:
        raise wording.unreadable(path, exc, where) from None
    _check_kind(info, where, wording)


def open_regular(path: Path, *, what: str | Wording, max_bytes: int | None = None,
                 shown: str | None = None) -> BinaryIO:
    """``path`` opened for reading: a regular file (or a symlink to one) of at most ``max_bytes``
    (``None``: any size), else the error of ``what`` naming ``path`` (or ``shown``).

    The type is checked before opening (a device is never opened) and again on the open file
    (no race with a rename); the file is opened without blocking, so a FIFO is refused, not
    waited for.
    """
    where, wording = Location(shown or str(path)), _wording(what)
    check_regular(path, what=wording, shown=shown)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise wording.unreadable(path, exc, where) from None
    try:
        info = os.fstat(fd)
        _check_kind(info, where, wording)  # the file may have been swapped since the first look
        if max_bytes is not None and info.st_size > max_bytes:
            raise wording.too_large(info.st_size, max_bytes, where, exact=True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_regular(path: Path, *, what: str | Wording, max_bytes: int | None = None, shown: str | None = None) -> bytes:
    """The bytes of ``path`` (see :func:`open_regular`), at most ``max_bytes`` (default
    :data:`MAX_RDF_BYTES`), even when the file grows, or says it is empty (``/proc``), as it is read."""
    where, wording = Location(shown or str(path)), _wording(what)
    max_bytes = MAX_RDF_BYTES if max_bytes is None else max_bytes
    with open_regular(path, what=wording, max_bytes=max_bytes, shown=shown) as handle:
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise wording.unreadable(path, exc, where) from None
    if len(data) > max_bytes:
        raise wording.too_large(len(data), max_bytes, where, exact=False)
    return data


def read_regular_text(path: Path, *, what: str, max_bytes: int, shown: str | None = None) -> str:
    """:func:`read_regular` for a file named on the command line, decoded as UTF-8 (a
    byte-order mark dropped)."""
    data = read_regular(path, what=what, max_bytes=max_bytes, shown=shown)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UsageError(f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                         where=Location(shown or str(path), line), expected=f"{what} in UTF-8") from None


def _wording(what: str | Wording) -> Wording:
    return Wording(what) if isinstance(what, str) else what


def _check_kind(info: os.stat_result, where: Location, wording: Wording) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise wording.not_regular(next((name for test, name in _KINDS if test(info.st_mode)), "not a file"), where)
