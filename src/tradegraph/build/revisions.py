"""The project's git history, read: which commits touched the facts, and the facts at each.

Git runs with a fixed list of arguments (never a shell), in the repository that holds the
project; a revision the user names is checked to be one (``git rev-parse --verify``) before
anything else reads it, and a name that could read as an option is refused. Fact files are
read from git's objects (``git cat-file``), never checked out: the working tree is untouched.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from tradegraph.build.snapshot import Snapshot, Snapshotter
from tradegraph.errors import UsageError
from tradegraph.project import BULK_SUFFIXES, YAML_SUFFIXES, Project

#: How long one git command may take.
_TIMEOUT = 120


@dataclass(frozen=True)
class Commit:
    """A commit that touched the facts: its hash, day, author and subject."""

    sha: str
    day: str
    author: str
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:10]


@dataclass
class History:
    """The git repository that holds a project, read through fixed git commands."""

    project: Project
    top: Path
    prefix: str  # the project's folder inside the repository, "" at its top
    snapshotter: Snapshotter = field(default_factory=Snapshotter)
    _parsed: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def of(cls, project: Project) -> History:
        """The history of the repository ``project`` is in; :class:`~tradegraph.errors.UsageError`
        when it is in none (or git is not installed)."""
        try:
            top = _git(project.root, "rev-parse", "--show-toplevel").decode("utf-8", "surrogateescape").strip()
        except UsageError:
            raise UsageError(f"{project.root} is not in a git repository, so it has no revisions to compare with",
                             hint="compare with the previous build: `tradegraph changes` without --since") from None
        root = Path(os.path.realpath(project.root))
        prefix = root.relative_to(Path(os.path.realpath(top))).as_posix()
        return cls(project, Path(top), "" if prefix == "." else prefix)

    def resolve(self, ref: str) -> str:
        """The commit ``ref`` names (``HEAD~3``, a tag, a hash); :class:`~tradegraph.errors.UsageError`
        for anything that is not a revision of this repository."""
        if not ref or ref.startswith("-") or any(ord(c) < 0x20 or c == "\x7f" for c in ref):
            raise UsageError(f"'{ref}' is not a revision", expected="a git revision such as HEAD~3, a tag or a hash",
                             hint="see `git log --oneline` for the project's commits")
        try:
            out = _git(self.top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
        except UsageError:
            raise UsageError(f"'{ref}' is not a revision of {self.top}",
                             expected="a git revision such as HEAD~3, a tag or a hash",
                             hint="see `git log --oneline` for the project's commits") from None
        return out.decode("ascii").strip()

    def commits(self) -> list[Commit]:
        """The commits that touched the project's facts or settings, oldest first."""
        out = _git(self.top, "log", "--reverse", "--date=short", "--format=%H%x1f%ad%x1f%an%x1f%s%x1e",
                   "--end-of-options", "HEAD", "--", self._path("graph"), self._path("tradegraph.yaml"))
        found = []
        for entry in out.decode("utf-8", "replace").split("\x1e"):
            parts = entry.strip("\n").split("\x1f")
            if len(parts) == 4:
                found.append(Commit(*parts))
        return found

    def snapshot_at(self, sha: str) -> Snapshot:
        """The snapshot of the project's fact files in commit ``sha`` (a resolved commit)."""
        out = _git(self.top, "ls-tree", "-r", "-z", "--full-tree", "--end-of-options", sha, "--", self._path("graph"))
        files = []
        for entry in out.split(b"\0"):
            if not entry:
                continue
            info, _, name = entry.partition(b"\t")
            _mode, kind, blob = info.decode("ascii").split()
            shown = self._shown(name.decode("utf-8", "surrogateescape"))
            if kind == "blob" and shown is not None:
                files.append((shown, self._blob(blob)))
        return self.snapshotter.of_files(files)

    def _blob(self, blob: str) -> bytes:
        if blob not in self._parsed:
            self._parsed[blob] = _git(self.top, "cat-file", "blob", blob)
        return self._parsed[blob]

    def _path(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def _shown(self, path: str) -> str | None:
        """The path relative to the project of a fact file in the tree, or ``None`` for anything
        the project would not read as one (the same places: graph/, graph/sources/, graph/bulk/)."""
        relative = PurePosixPath(path[len(self.prefix) + 1:] if self.prefix else path)
        folder, suffix = relative.parent.as_posix(), relative.suffix.lower()
        if relative.name.startswith("."):
            return None
        if folder in ("graph", "graph/sources") and suffix in YAML_SUFFIXES:
            return relative.as_posix()
        if folder == "graph/bulk" and suffix in BULK_SUFFIXES:
            return relative.as_posix()
        return None


#: Settings that keep a repository's own configuration from running a program of its choosing while
#: tradegraph only reads its history (a project may come with a .git from elsewhere): no signature
#: check (gpg.program), no file-system monitor, no hooks, no pager; and no system-wide configuration.
_SAFE = ("-c", "log.showSignature=false", "-c", "gpg.program=false", "-c", "gpg.ssh.program=false",
         "-c", "core.fsmonitor=false", "-c", "core.pager=cat", "-c", "core.hooksPath=/dev/null")


def _git(where: Path, *args: str) -> bytes:
    """The output of ``git -C where ARGS`` (a fixed argument list, no shell);
    :class:`~tradegraph.errors.UsageError` when git fails or is missing."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C", "GIT_CONFIG_NOSYSTEM": "1"}
    try:
        done = subprocess.run(["git", "-C", str(where), "--no-pager", *_SAFE, *args], capture_output=True, env=env,
                              stdin=subprocess.DEVNULL, timeout=_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"git could not be run: {exc}", hint="install git, or compare with the previous build") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git {args[0]} failed: {message[-1] if message else 'exit ' + str(done.returncode)}")
    return done.stdout
