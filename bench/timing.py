"""Timing helpers shared by the bench scripts."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def median_seconds(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The median wall-clock seconds of ``repeat`` calls of ``fn``, and what the last one returned."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result
