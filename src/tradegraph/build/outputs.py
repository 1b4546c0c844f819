"""What tradegraph may replace or delete: only what it can prove it wrote.

- A build's output folder holds a record, :data:`OUTPUT_RECORD`, of the files the last build
  wrote there (size, time and hash of each). The next build replaces a file of the same name
  only while it is still the one recorded, and removes, on the same proof, the files of the
  last build that it does not write again (``inferred.ttl`` after a build without
  ``--reason``, ``graph.jsonld`` after a build into a store). A file the user put there or
  changed is never replaced: the build stops and names it.
- A store folder (``build --store DIR``) holds a marker, :data:`STORE_MARKER`; only a folder
  with the marker, or an empty one, is replaced, and one build at a time writes it.
- No output goes into the project's input folders (``graph/``, ``ontology/``, ``shapes/``,
  ``queries/``), and no folder that holds the project or one of them is ever replaced.

A folder without a record proves nothing: a ``build/`` left by a version of tradegraph older
than the record is refused like any other, and the message says to move its files away.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tradegraph.errors import OutputError, UsageError
from tradegraph.files.atomic import Data, Stamp, write_files
from tradegraph.project import Project

OUTPUT_RECORD = ".tradegraph-outputs.json"
STORE_MARKER = "tradegraph-store.json"
#: The names every kind of build has written into its output folder.
BUILD_NAMES = ("graph.ttl", "graph.trig", "graph.jsonld", "graph.nq", "report.txt", "inferred.ttl")


def check_output_folder(project: Project, folder: Path) -> None:
    """Refuse an output folder (or file) inside one of the project's input folders."""
    inside = _in_inputs(project, _real(folder))
    if inside:
        raise OutputError(f"{folder} is {inside}", expected="a place outside graph/, ontology/, shapes/ and queries/",
                          hint="write to build/ (the default) or another folder")


def write_outputs(project: Project, folder: Path, contents: Mapping[str, Data], *,
                  every: Sequence[str] = BUILD_NAMES, about: Mapping[str, object] | None = None,
                  record: str = OUTPUT_RECORD) -> list[Path]:
    """Write a command's outputs (``name: data``) into ``folder`` atomically, with the record
    that proves they are tradegraph's (holding ``about`` too: what they were made from), and
    remove the files of the previous run that this one does not write again. ``every`` names
    all the files such a command can write; ``record`` names the record (one per command that
    writes into the folder, each proving only its own files)."""
    stale = claim_outputs(project, folder, contents, every=every, record=record)
    write_files({folder / name: data for name, data in contents.items()}, manifest=folder / record,
                about=about)
    remove(stale)
    return [folder / name for name in contents]


def claim_outputs(project: Project, folder: Path, names: Iterable[str], *,
                  every: Sequence[str] = BUILD_NAMES, record: str = OUTPUT_RECORD) -> list[Path]:
    """Check that a command may write ``names`` into ``folder``; return the stale files to remove.

    Raises :class:`~tradegraph.errors.OutputError` naming the first file that exists there
    and that tradegraph cannot prove it wrote.
    """
    check_output_folder(project, folder)
    wanted = set(names)
    found = read_record(folder, every=every, record=record)
    stamps = found[0] if found is not None else {}
    for name in sorted(wanted):
        path = folder / name
        if not os.path.lexists(path):
            continue
        if name not in stamps or not stamps[name].matches(path):
            raise OutputError(f"{path} was not written by an earlier build (or was changed since), "
                              "so the build does not replace it",
                              expected="an output folder that only tradegraph writes to",
                              hint="move the file away (a build/ of a tradegraph older than its record of "
                                   "outputs: remove its files), or build with --out into another folder")
    return [folder / name for name, stamp in sorted(stamps.items())
            if name not in wanted and stamp.matches(folder / name)]


def remove(paths: Iterable[Path]) -> None:
    """Remove files that :func:`claim_outputs` proved stale."""
    for path in paths:
        path.unlink(missing_ok=True)


def check_store_folder(project: Project, store: Path, *, out: Path) -> None:
    """Refuse a store folder that tradegraph may not replace: the project or a folder holding
    it, an input folder or anything in one, the output folder or one holding it, or an
    existing path that is neither an empty folder nor a store tradegraph wrote."""
    place = _real(store)
    why = None
    if project.root.is_relative_to(place):
        why = "it holds the project"
    elif _real(out).is_relative_to(place):
        why = "it holds the build's outputs"
    elif inside := _in_inputs(project, place):
        why = f"it is {inside}"
    if why is None and os.path.lexists(store):
        if store.is_symlink() or not store.is_dir():
            why = "it is not a folder"
        elif any(store.iterdir()) and not (store / STORE_MARKER).is_file():
            why = "it is a folder that an earlier `build --store` did not write"
    if why:
        raise OutputError(f"will not replace {store} with a store: {why}",
                          expected="a new or empty folder, or a store an earlier build wrote",
                          hint="choose another folder, e.g. --store build/store")


def mark_store(folder: Path, *, base: str) -> None:
    """Write the marker that proves ``folder`` is a store tradegraph wrote."""
    (folder / STORE_MARKER).write_text(json.dumps({"tradegraph": "store", "base": base}) + "\n", "utf-8")


@contextmanager
def store_lock(store: Path) -> Iterator[None]:
    """Hold the lock that lets one build at a time write ``store`` (a file beside it that
    says which process holds it); raise :class:`~tradegraph.errors.UsageError` if another does."""
    lock = store.parent / f".{store.name}.lock"
    store.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 64, 0).decode("ascii", "replace").strip() or "unknown"
            raise UsageError(f"another build (process {holder}) is writing the store {store}",
                             hint="wait for it to finish, or build into another --store folder") from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(descriptor)


def read_record(folder: Path, *, every: Sequence[str] = BUILD_NAMES,
                record: str = OUTPUT_RECORD) -> tuple[dict[str, Stamp], dict[str, Any]] | None:
    """The record of the outputs in ``folder``: the stamp of each file it names (of ``every``),
    and the record's other entries (what the outputs were made from); ``None`` when there is
    no record or it is not one tradegraph wrote."""
    path = folder / record
    if not path.is_file():  # nor a FIFO, which would block a read
        return None
    try:
        kept = json.loads(path.read_bytes())
        files = kept["files"]
        stamps = {name: Stamp(int(v["size"]), int(v["mtime_ns"]), str(v["sha256"]))
                  for name, v in files.items() if name in every}  # never a path elsewhere
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return stamps, {key: value for key, value in kept.items() if key != "files"}


def _in_inputs(project: Project, place: Path) -> str | None:
    """Which of the project's input folders ``place`` is or is inside, said as a phrase; else None."""
    for name in ("graph", "ontology", "shapes", "queries"):
        inputs = _real(project.root / name)
        if place.is_relative_to(inputs):
            return f"{'' if place == inputs else 'inside '}the project's input folder {project.relative(inputs)}/"
    return None


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))
