"""Progress of a long build on stderr: facts read, triples written, validation steps.

Shown only when stderr is a terminal (or ``TRADEGRAPH_PROGRESS=1``), so logs, pipes and
tests see nothing but the build's own messages.

>>> with Progress(enabled=False) as progress:
...     progress.facts(3); progress.triples(10); progress.step("SHACL Core")
>>> progress.counts
{'facts read': 3, 'triples written': 10}
"""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import Progress as RichProgress
from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn


class Progress:
    """Counters and a current step, drawn on stderr while the block runs."""

    def __init__(self, *, enabled: bool | None = None) -> None:
        if enabled is None:
            enabled = sys.stderr.isatty() or os.environ.get("TRADEGRAPH_PROGRESS") == "1"
        self.counts: dict[str, int] = {}
        self._bar: RichProgress | None = None
        self._tasks: dict[str, Any] = {}
        if enabled:
            self._bar = RichProgress(SpinnerColumn(), TextColumn("{task.description}"),
                                     TextColumn("{task.completed:,.0f}"), TimeElapsedColumn(),
                                     console=Console(stderr=True), transient=True)

    def __enter__(self) -> Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()

    def _advance(self, name: str, count: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + count
        if self._bar is not None:
            if name not in self._tasks:
                self._tasks[name] = self._bar.add_task(name, total=None)
            self._bar.update(self._tasks[name], completed=self.counts[name])

    def facts(self, count: int = 1) -> None:
        """``count`` more records read."""
        self._advance("facts read", count)

    def triples(self, count: int) -> None:
        """``count`` more triples written to the store."""
        self._advance("triples written", count)

    def step(self, what: str) -> None:
        """The validation step now running."""
        if self._bar is not None:
            if "validation" not in self._tasks:
                self._tasks["validation"] = self._bar.add_task("validation", total=None)
            self._bar.update(self._tasks["validation"], description=f"validation: {what}")
