"""A time limit on work done in this process (local queries), as a clear error.

>>> import time
>>> try:
...     with deadline(0.05, what="the query"):
...         time.sleep(1)
... except QueryTimeout as error:
...     print(error)
the query ran past --timeout 0.05 s (hint: narrow it with parameters, or give a longer --timeout)
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tradegraph.errors import UsageError


class QueryTimeout(UsageError):
    """A local query ran past its --timeout."""


@contextmanager
def deadline(seconds: float | None, *, what: str = "the query") -> Iterator[None]:
    """Raise :class:`QueryTimeout` in the block once ``seconds`` have passed (no limit if None).

    It uses SIGALRM, so it only acts in the main thread; elsewhere the block runs unlimited.
    """
    if seconds is None or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise QueryTimeout(f"{what} ran past --timeout {seconds:g} s",
                           hint="narrow it with parameters, or give a longer --timeout")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
