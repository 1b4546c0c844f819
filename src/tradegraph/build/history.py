"""A record's (or a source's) history, and the changes since a revision, from the project's git history.

:func:`history` walks the commits that touched the facts, oldest first, and compares the facts
of each with those of the one before (:func:`~tradegraph.build.changes.compare`); the working
tree comes last when it differs from the newest commit. Asked about one record, it keeps the
steps where that record changed, with its values at each; asked about a source, the steps where
any of its records did. That answers "when did we first record that the tariff would be 25%,
and from which source" from the project alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tradegraph.build.changes import compare
from tradegraph.build.revisions import Commit, History
from tradegraph.build.snapshot import Snapshot
from tradegraph.errors import TradegraphError, UsageError, did_you_mean
from tradegraph.project import Project

#: What a step of the working tree is called (it has no commit).
WORKING_TREE = Commit(sha="working tree", day="now", author="", subject="not committed yet")


@dataclass(frozen=True)
class Step:
    """One commit (or the working tree) and what changed in it."""

    commit: Commit
    changes: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"commit": self.commit.sha, "day": self.commit.day, "author": self.commit.author,
                "subject": self.commit.subject, "changes": self.changes}


def changes_since(project: Project, ref: str) -> dict[str, Any]:
    """What changed in the project's facts from revision ``ref`` to the working tree.

    Raises :class:`~tradegraph.errors.UsageError` when the project is in no git repository or
    ``ref`` is not a revision of it.
    """
    repo = History.of(project)
    sha = repo.resolve(ref)
    return compare(repo.snapshot_at(sha), repo.snapshotter.of_project(project), against=f"{ref} ({sha[:10]})")


def history(project: Project, record: str | None = None) -> tuple[list[Step], list[str]]:
    """The steps in which ``record`` (a record id or a source id; every record when ``None``)
    changed, oldest first, and notes on commits whose facts could not be read.

    Raises :class:`~tradegraph.errors.UsageError` when the project is in no git repository, or
    when no revision and not the working tree holds ``record``.
    """
    repo = History.of(project)
    steps: list[Step] = []
    notes: list[str] = []
    seen: set[str] = set()
    before: Snapshot = {}
    for commit, taken in _states(repo, notes):
        seen |= set(taken) | {ident for part in taken.values() for ident in part["records"]}
        changes = compare(before, taken, against=commit.sha)
        before = taken
        kept = changes if record is None else _about(changes, record)
        if kept["sources"]:
            steps.append(Step(commit, kept))
    if record is not None and record not in seen:
        raise UsageError(f"no revision of the facts holds a record or source '{record}'",
                         expected="the id of a record or of a source", hint=did_you_mean(record, sorted(seen)))
    return steps, notes


def _states(repo: History, notes: list[str]) -> list[tuple[Commit, Snapshot]]:
    """The facts at each commit that touched them, then in the working tree when it differs."""
    states = []
    for commit in repo.commits():
        try:
            states.append((commit, repo.snapshot_at(commit.sha)))
        except TradegraphError as exc:
            notes.append(f"{commit.short}: its facts cannot be read, left out ({exc})")
    try:
        now = repo.snapshotter.of_project(repo.project)
    except TradegraphError as exc:
        notes.append(f"the working tree's facts cannot be read, left out ({exc})")
    else:
        if not states or states[-1][1] != now:
            states.append((WORKING_TREE, now))
    return states


def _about(changes: dict[str, Any], record: str) -> dict[str, Any]:
    """``changes`` cut to one source (all its records) or one record."""
    sources = {}
    for graph, source in changes["sources"].items():
        if graph == record:
            sources[graph] = source
            continue
        kept = {what: [item for item in source[what] if item["id"] == record]
                for what in ("added", "removed", "changed", "retractions")}
        if any(kept.values()):
            sources[graph] = {**source, **kept, "status": "changed"}
    counts = {what: sum(len(s[what]) for s in sources.values()) for what in ("added", "removed", "changed")}
    return {**changes, "counts": counts, "sources": sources}
