"""What a graph is made from, as one hash: the inputs' contents and the options that change it.

The fingerprint covers the content of every fact file (``graph/**/*.yaml`` and the bulk
files), shape file, ontology file and the settings file (``tradegraph.yaml``), the code that
makes the graph (every file of the package: its modules, the model the loader follows, its
templates, hashed once a process), the base IRI, the validator, the reasoning profile and
tradegraph's version. An edited checkout thus never serves a build its old code made.
``tradegraph build`` records it beside its outputs (in the output folder's record, see
:mod:`tradegraph.build.outputs`); :mod:`tradegraph.build.provider` reuses a build whose
fingerprint is the one the inputs have now. A file's time is never part of it: only bytes.

>>> from tradegraph.project import Project
>>> project = Project.open("tests/fixtures/minimal")
>>> a = fingerprint(project, base=project.base, validator="fast", reason=None)
>>> a == fingerprint(project, base=project.base, validator="fast", reason=None), len(a)
(True, 64)
>>> a == fingerprint(project, base="urn:other:", validator="fast", reason=None)
False
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path

from tradegraph.build.dataset import Census
from tradegraph.errors import TradegraphError
from tradegraph.files.localfile import open_regular
from tradegraph.project import CONFIG_FILE, Project

#: The entry of an output folder's record (:func:`tradegraph.build.outputs.read_record`) that
#: says what the outputs were made from: the fingerprint and the records' :class:`Census`.
MADE_FROM = "made_from"


def made_from(fingerprint: str | None, census: Census) -> dict[str, object]:
    """The record's entry for a build of ``fingerprint`` (none: a build that cannot be reused)."""
    return {MADE_FROM: {"fingerprint": fingerprint, "census": census.as_json()}} if fingerprint else {}


def recorded(about: dict[str, object]) -> tuple[str, Census] | None:
    """The fingerprint and census a record's :func:`made_from` entry holds; ``None`` when it
    holds none that reads as one."""
    entry = about.get(MADE_FROM)
    if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
        return None
    try:
        return entry["fingerprint"], Census.from_json(entry.get("census"))
    except ValueError:
        return None


def current(project: Project, *, base: str, validator: str, reason: str | None, drafts: bool = False) -> str | None:
    """:func:`fingerprint`, or ``None`` when an input cannot be read or is not a regular file
    (the loader then says why, in its own words)."""
    try:
        return fingerprint(project, base=base, validator=validator, reason=reason, drafts=drafts)
    except (OSError, TradegraphError):
        return None


def fingerprint(project: Project, *, base: str, validator: str, reason: str | None, drafts: bool = False) -> str:
    """The SHA-256 (hex) of the project's inputs and of the options that change its graph (a build
    with ``--drafts`` holds records no one reviewed: no other command may take it for theirs)."""
    digest = hashlib.sha256()

    def say(*parts: str) -> None:
        for part in parts:
            encoded = part.encode("utf-8", "surrogateescape")
            digest.update(len(encoded).to_bytes(8, "big") + encoded)  # lengths: no two lists read alike

    say("tradegraph", _version(), "code", _code(), "base", base, "validator", validator, "reason", reason or "")
    if drafts:
        say("drafts")
    settings = project.root / CONFIG_FILE
    say("settings", _file_hash(settings) if settings.exists() or settings.is_symlink() else "(none)")
    for kind, paths in (("facts", project.fact_files()), ("shapes", project.shape_files()),
                        ("ontology", project.ontology_files())):
        say(kind, str(len(paths)))
        for path in paths:
            say(project.relative(path) if kind == "facts" else path.name, _file_hash(path))
    return digest.hexdigest()


def _file_hash(path: Path) -> str:
    """The SHA-256 of a file's bytes, read a block at a time, through the one reader of local
    files (a FIFO or a device among the inputs is refused, never waited for or read)."""
    digest = hashlib.sha256()
    with open_regular(path, what="an input file") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@cache
def _code() -> str:
    """One hash of every file of the installed package (modules, model, templates; not the
    ontology, shapes and queries it ships, which a project's own inputs already cover), made
    once a process: the code running is the code that was loaded."""
    package = Path(__file__).resolve().parents[1]  # src/tradegraph, or site-packages/tradegraph
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and "assets" not in path.relative_to(package).parts:
            digest.update(str(path.relative_to(package)).encode("utf-8") + b"\0" + _file_hash(path).encode("ascii"))
    return digest.hexdigest()


def made_with() -> dict[str, str]:
    """Which tradegraph made something: its version and the hash of its code (:func:`_code`), for
    what a later run may reuse only when made by the same (the build cache, the kept snapshot)."""
    return {"tradegraph": _version(), "code": _code()}


def _version() -> str:
    try:
        return metadata.version("tradegraph")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree never installed
        return "unknown"
