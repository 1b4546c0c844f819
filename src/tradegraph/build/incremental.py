"""Incremental builds into a store: a fact file that did not change is not read, written or
loaded again (issue 17).

A build with ``--store DIR`` keeps, inside the store's folder (``DIR/tradegraph-cache/``), what
each fact file produced: the SHA-256 of its bytes, its triples as N-Quads (its part of
``graph.nq``), the same as Turtle (its part of ``graph.ttl``), the index the loader made of it
(ids, kinds, graphs, lines) and the ids its triples depended on. The next build:

1. hashes every fact file; a file whose hash is the one kept is indexed from the cache, the
   others are read;
2. compares the index now with the one kept: an id that appeared, went, or changed its kind,
   graph, source, publication day or citations touches every file whose triples looked it up
   (a renamed actor: each file that names it), and these files are written again with the
   changed ones;
3. copies the store (a RocksDB checkpoint: hard links), removes from it the quads those files
   no longer make and adds the new ones, and derives again the day keys of the nodes touched;
4. validates again only what the change can reach (:mod:`tradegraph.shacl.scope`), keeping the
   other results of the last build (also in the cache), or everything when the shapes have no
   bound or changed;
5. writes ``graph.nq`` and ``graph.ttl`` from the kept parts and the new ones, in the order of
   the files, so that they are byte for byte those of a clean build.

Every part of the cache is named by the SHA-256 of its bytes and checked when read. A cache
that is missing, of another format, tradegraph version, code, base or ontology, or that fails
a check, is not used: the build is a clean one, and says why. So is a build where more than
half of the triples would be written again (a clean build is then as fast).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from tradegraph.build import fingerprint
from tradegraph.facts.loader import RESERVED_GRAPHS, Record
from tradegraph.facts.model import load_model
from tradegraph.files.localfile import open_regular
from tradegraph.project import Project
from tradegraph.rdf.serialize import prefixes

CACHE, MANIFEST = "tradegraph-cache", "manifest.json"
FORMAT = "tradegraph-build-cache/1"
#: A build that would write again more than this share of the kept triples is a clean build.
MOST = 0.5


class CacheRefused(Exception):
    """The cache cannot be used; the message says why (the build is a clean one)."""


def input_hashes(project: Project) -> dict[str, str]:
    """The SHA-256 of every fact file, by its path as shown (taken before the files are read:
    a file changed meanwhile is kept under its old hash, so the next build reads it again)."""
    return {project.relative(path): fingerprint._file_hash(path) for path in project.fact_files()}


def key_of(project: Project, base: str) -> dict[str, str]:
    """What the whole cache depends on: a change to any of these makes every file's part stale."""
    ontology = hashlib.sha256()
    for path in project.ontology_files():
        ontology.update(path.name.encode() + b"\0" + fingerprint._file_hash(path).encode() + b"\0")
    return {"format": FORMAT, **fingerprint.made_with(), "base": base, "ontology": ontology.hexdigest()}


def turtle_header(base: str) -> bytes:
    """The ``@prefix`` lines that open ``graph.ttl`` (and that each file's part leaves out)."""
    probe = ox.Triple(ox.NamedNode(base + "x"), ox.NamedNode(base + "y"), ox.Literal("z"))
    text = ox.serialize([probe], None, ox.RdfFormat.TURTLE, prefixes=prefixes(base))
    assert text is not None
    return b"".join(line for line in text.splitlines(keepends=True) if line.startswith(b"@prefix "))


def turtle_part(nquads: bytes, base: str, header: bytes) -> bytes:
    """A file's triples (its N-Quads, graph names dropped) as Turtle without the ``@prefix`` lines."""
    if not nquads:
        return b""
    text = ox.serialize((quad.triple for quad in ox.parse(nquads, ox.RdfFormat.N_QUADS)), None,
                        ox.RdfFormat.TURTLE, prefixes=prefixes(base))
    assert text is not None and text.startswith(header)
    return text[len(header):]


def shapes_key(project: Project) -> str:
    """The hash of the shape files: the SHACL Core results kept are those of these shapes."""
    digest = hashlib.sha256()
    for path in project.shape_files():
        digest.update(path.name.encode() + b"\0" + fingerprint._file_hash(path).encode() + b"\0")
    return digest.hexdigest()


#: The local names of the derived terms (ontology/derived.ttl): a SPARQL constraint that may
#: read them sees the derived graph of the last build in an incremental one, none in a clean one.
DERIVED_NAMES = ("kindOf", "withinTopic", "withinEvent", "supersedes", "earliestBegin", "latestEnd")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class FilePart:
    """What one fact file produced, as the cache keeps it."""

    path: str
    sha256: str          # of the file's bytes
    nq: str              # of its N-Quads
    ttl: str             # of its Turtle part
    index: str           # of its index (the loader's entries, the ids it depended on, its graphs)
    size: int            # bytes of its N-Quads

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "nq": self.nq, "ttl": self.ttl, "index": self.index,
                "size": self.size}


class Cache:
    """The cache a store holds, read and checked; its parts are read (and checked) on demand."""

    def __init__(self, folder: Path, manifest: dict[str, Any], sha256: str = "") -> None:
        self.folder = folder
        self.manifest = manifest
        #: The SHA-256 of the manifest's bytes: which build wrote the cache.
        self.sha256 = sha256
        self.files: dict[str, FilePart] = {
            part["path"]: FilePart(**{name: part[name] for name in ("path", "sha256", "nq", "ttl", "index", "size")})
            for part in manifest["files"]}
        self._indexes: dict[str, dict[str, Any]] = {}

    @classmethod
    def read(cls, store: Path, key: dict[str, str]) -> Cache:
        """The cache of the store at ``store``; :class:`CacheRefused` says why it cannot be used."""
        folder = store / CACHE
        try:
            with open_regular(folder / MANIFEST, what="the build cache") as stream:
                data = stream.read()
            manifest = json.loads(data)
        except FileNotFoundError:
            raise CacheRefused("the store keeps no cache of the last build") from None
        except Exception as exc:  # unreadable, not JSON, or open_regular's refusals (a FIFO, a device)
            raise CacheRefused(f"its cache cannot be read ({exc})") from None
        if not isinstance(manifest, dict) or not isinstance(manifest.get("key"), dict):
            raise CacheRefused("its cache is not one tradegraph wrote")
        for name, value in key.items():
            if manifest["key"].get(name) != value:
                raise CacheRefused(f"it was built with another {name}")
        try:
            _check_manifest(manifest)
            cache = cls(folder, manifest, _sha(data))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CacheRefused(f"its cache is not one tradegraph wrote ({exc})") from None
        return cache

    def blob(self, name: str) -> bytes:
        """A part of the cache, checked against its name (the SHA-256 of its bytes)."""
        try:
            with open_regular(self.folder / name[:2] / name, what="the build cache") as stream:
                data = stream.read()
        except Exception as exc:
            raise CacheRefused(f"a part of its cache cannot be read ({exc})") from None
        if _sha(data) != name:
            raise CacheRefused(f"a part of its cache was changed ({name[:12]}…)")
        return data

    def index(self, path: str) -> dict[str, Any]:
        found = self._indexes.get(path)
        if found is None:
            try:
                found = json.loads(self.blob(self.files[path].index))
                _check_index(found)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                raise CacheRefused(f"its index of {path} cannot be read ({exc})") from None
            self._indexes[path] = found
        return found


def _check_manifest(manifest: dict[str, Any]) -> None:
    """Raise ``ValueError`` unless every entry of a manifest is of the type and form written."""
    _require(isinstance(manifest.get("fact_quads"), int) and manifest["fact_quads"] >= 0, "fact_quads")
    _check_name(manifest["ontology_nq"])
    if "results" in manifest:
        _check_name(manifest["results"])
    _require(isinstance(manifest.get("shapes"), str | None), "shapes")
    files = manifest["files"]
    _require(isinstance(files, list), "files")
    seen = set()
    for part in files:
        _require(isinstance(part, dict) and isinstance(part.get("path"), str) and part["path"] not in seen, "a file")
        seen.add(part["path"])
        for name in ("sha256", "nq", "ttl", "index"):
            _check_name(part[name])
        _require(isinstance(part.get("size"), int) and part["size"] >= 0, "a file's size")


def _check_index(index: Any) -> None:
    """Raise ``ValueError`` unless an index is as :meth:`~tradegraph.facts.loader._Loader.index_of`
    writes it: each record's entry and each claim of a graph, the ids and graphs as text."""
    kinds = load_model().kinds
    _require(isinstance(index, dict), "an index")
    for key in ("deps", "graphs"):
        _require(isinstance(index.get(key), list) and all(isinstance(v, str) for v in index[key]), key)
    _require(not any(name in RESERVED_GRAPHS for name in index["graphs"]), "graphs")
    _require(isinstance(index.get("entries"), list), "entries")
    for entry in index["entries"]:
        _require(isinstance(entry, list) and entry[:1] in (["r"], ["c"]), "an entry")
        if entry[0] == "c":
            _require(len(entry) == 4 and isinstance(entry[1], str) and isinstance(entry[3], str)
                     and isinstance(entry[2], int | None), "a claim")
            continue
        _require(len(entry) == 9, "a record")
        _, ident, kind, graph, source, line, lines, day, of = entry
        _require(isinstance(ident, str) and kind in kinds and isinstance(graph, str) and isinstance(line, int)
                 and isinstance(source, str | None) and isinstance(of, str | None), "a record")
        _require(lines is None or (isinstance(lines, dict) and all(isinstance(v, int) for v in lines.values())),
                 "a record's lines")
        if day is not None:
            _require(isinstance(day, str), "a day")
            date.fromisoformat(day)


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise ValueError(f"{what} is not as written")


def _check_name(name: Any) -> None:
    if not isinstance(name, str) or len(name) != 64 or any(c not in "0123456789abcdef" for c in name):
        raise ValueError(f"not a part's name: {name!r}")


class CacheWriter:
    """Writes a store's cache: each part under its SHA-256 (a part of the old cache that this
    build read and checked is hard-linked), the manifest last."""

    def __init__(self, store: Path, old: Cache | None) -> None:
        self.folder = store / CACHE
        self.old = old
        self.folder.mkdir()
        #: Each file's N-Quads and Turtle, by the names they were put under (a clean build's).
        self.parts: dict[str, tuple[str, str]] = {}

    def put(self, data: bytes) -> str:
        name = _sha(data)
        target = self.folder / name[:2] / name
        if not target.exists():
            target.parent.mkdir(exist_ok=True)
            with target.open("wb") as stream:
                stream.write(data)
        return name

    def link(self, name: str) -> str:
        """A part the old cache holds (read and checked by this build), kept under the same name."""
        target = self.folder / name[:2] / name
        if not target.exists():
            target.parent.mkdir(exist_ok=True)
            assert self.old is not None
            source = self.old.folder / name[:2] / name
            if source.is_symlink() or not source.is_file():
                raise CacheRefused(f"a part of its cache is missing ({name[:12]}…)")
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
        return name

    def joined(self, names: list[str], header: bytes = b"") -> Callable[[BinaryIO], None]:
        """A writer of ``header`` and the parts ``names`` one after the other, each checked
        against its name as it is copied (:class:`CacheRefused` when one is not what it was)."""
        def write(stream: BinaryIO) -> None:
            stream.write(header)
            copy = getattr(stream, "copy_file", None)  # an output's stream: the kernel copies the parts
            for name in names:
                if copy is not None:
                    with self._opened(name) as part:
                        copy(part, functools.partial(_check_part, name))
                    continue
                digest = hashlib.sha256()
                for block in self._blocks(name):
                    digest.update(block)
                    stream.write(block)
                _check_part(name, digest.hexdigest())
        return write

    @contextmanager
    def _opened(self, name: str) -> Iterator[BinaryIO]:
        try:
            part = open_regular(self.folder / name[:2] / name, what="the build cache")
        except Exception as exc:
            raise CacheRefused(f"a part of its cache cannot be read ({exc})") from None
        with part:
            yield part

    def _blocks(self, name: str) -> Iterator[bytes]:
        try:
            with open_regular(self.folder / name[:2] / name, what="the build cache") as part:
                yield from iter(lambda: part.read(1 << 22), b"")
        except Exception as exc:
            raise CacheRefused(f"a part of its cache cannot be read ({exc})") from None

    def finish(self, manifest: dict[str, Any]) -> str:
        """Write the manifest; return its SHA-256 (which a build's record keeps)."""
        data = (json.dumps(manifest, sort_keys=True) + "\n").encode("utf-8")
        (self.folder / MANIFEST).write_bytes(data)
        return _sha(data)


# ---------------------------------------------------------------------- what changed
def _check_part(name: str, hexdigest: str) -> None:
    if hexdigest != name:
        raise CacheRefused(f"a part of its cache was changed ({name[:12]}…)")


def _entries(records: Iterable[Record], published: dict[str, Any],
             citing: dict[str, list[str]]) -> dict[str, tuple[Any, ...]]:
    """What other files may have looked up of each id: kind, graph, source, day, citations."""
    return {r.id: (r.kind.name, r.graph, r.source, str(published.get(r.id)), tuple(citing.get(r.id, ())))
            for r in records}


def changed_ids(before: dict[str, tuple[Any, ...]], now: dict[str, tuple[Any, ...]]) -> set[str]:
    """The ids that appeared, went, or whose entry differs."""
    found = {ident for ident, entry in now.items() if before.get(ident) != entry}
    found.update(ident for ident in before if ident not in now)
    return found


@dataclass
class Plan:
    """The loader's hooks in an incremental build (see :class:`~tradegraph.facts.loader.FileHooks`):
    kept files are indexed from the cache, and the files to write again are chosen."""

    cache: Cache
    hashes: dict[str, str]
    before: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    chosen_files: set[str] = field(default_factory=set)
    removed: list[str] = field(default_factory=list)
    chunks: dict[str, bytes] = field(default_factory=dict)
    deps: dict[str, list[str]] = field(default_factory=dict)
    graphs: dict[str, list[str]] = field(default_factory=dict)
    _lines: list[str] = field(default_factory=list)

    def kept(self, shown: str) -> list[Any] | None:
        part = self.cache.files.get(shown)
        if part is None or part.sha256 != self.hashes.get(shown):
            return None
        entries: list[Any] = self.cache.index(shown)["entries"]
        return entries

    def chosen(self, loader: Any) -> set[str]:
        """The files to write again: the changed ones, and those that looked up a changed id."""
        changed = {shown for shown in self.hashes
                   if shown not in self.cache.files or self.cache.files[shown].sha256 != self.hashes[shown]}
        self.removed = [shown for shown in self.cache.files if shown not in self.hashes]
        # Only an id of a changed or removed file, or one that a citation there names, can
        # have another entry: a kept file's records are replayed from its index as they were.
        candidates: set[str] = set()
        for shown in [*changed.intersection(self.cache.files), *self.removed]:
            for entry in self.cache.index(shown)["entries"]:
                if entry[0] == "r":
                    candidates.add(entry[1])
                    if entry[8] is not None:
                        candidates.add(entry[8])
        for shown in changed:
            for op in loader.file_ops.get(shown, ()):
                if isinstance(op, Record):
                    candidates.add(op.id)
                    if (of := loader.cites.get(op.id)) is not None:
                        candidates.add(of)
        now = _entries((loader.records[i] for i in candidates if i in loader.records), loader.published,
                       loader.citing)
        touched = changed_ids(self._kept_entries(candidates), now)
        chosen = set(changed)
        if touched:
            for shown in self.hashes:
                if shown in chosen:
                    continue
                index = self.cache.index(shown)
                own = (entry[1] for entry in index["entries"] if entry[0] == "r")
                if not touched.isdisjoint(index["deps"]) or not touched.isdisjoint(own):
                    chosen.add(shown)
        total = sum(part.size for part in self.cache.files.values()) or 1
        again = sum(self.cache.files[s].size for s in [*chosen, *self.removed] if s in self.cache.files)
        if again > MOST * total and total > 1:
            raise CacheRefused(f"{again * 100 // total}% of the triples are to be written again")
        self.chosen_files = chosen
        return chosen

    def _kept_entries(self, ids: set[str]) -> dict[str, tuple[Any, ...]]:
        """The entries of ``ids`` as the last build had them (from every file's kept index)."""
        found: dict[str, tuple[Any, ...]] = {}
        citing: dict[str, list[str]] = {}
        rows = []
        for shown in self.cache.files:
            for entry in self.cache.index(shown)["entries"]:
                if entry[0] != "r" or (entry[1] not in ids and entry[8] not in ids):
                    continue
                _, ident, kind, graph, source, _line, _lines, day, of = entry
                if ident in ids:
                    rows.append((ident, kind, graph, source, day))
                if of is not None and source:
                    citing.setdefault(of, []).append(source)
        for ident, kind, graph, source, day in rows:
            found[ident] = (kind, graph, source, str(_day(day)), tuple(citing.get(ident, ())))
        return found

    # the loader's sink and framing, while the chosen files are written
    def graph(self, name: str) -> _Capture:
        return _Capture(self._lines, f"<{self.cache.manifest['key']['base']}graph/{name}>")

    def begin(self, shown: str) -> None:
        self._lines.clear()

    def end(self, shown: str, deps: set[str], graphs: set[str]) -> None:
        self.chunks[shown] = "".join(self._lines).encode("utf-8")
        self._lines.clear()
        self.deps[shown], self.graphs[shown] = sorted(deps), sorted(graphs)


def _day(day: str | None) -> Any:
    return date.fromisoformat(day) if day else None


class _Capture:
    __slots__ = ("iri", "lines")

    def __init__(self, lines: list[str], iri: str) -> None:
        self.lines, self.iri = lines, iri

    def extend(self, triples: list[tuple[str, str, str]]) -> None:
        graph = self.iri
        self.lines.extend([f"{s} {p} {o} {graph} .\n" for s, p, o in triples])


# ---------------------------------------------------------------------- the store, patched
def _graph_of(line: str) -> str:
    return line.rsplit(" ", 2)[-2]


def patch_store(store: ox.Store, cache: Cache, plan: Plan) -> tuple[int, list[Any]]:
    """Remove from ``store`` the quads the chosen and removed files no longer make, add the new
    ones; return the change in the number of quads and the quads removed or added."""
    before: set[str] = set()
    for shown in [*plan.chosen_files, *plan.removed]:
        if shown in cache.files:
            before.update(cache.blob(cache.files[shown].nq).decode("utf-8").splitlines(keepends=True))
    after: set[str] = set()
    for chunk in plan.chunks.values():
        after.update(chunk.decode("utf-8").splitlines(keepends=True))
    gone, new = before - after, after - before
    base = cache.manifest["key"]["base"]
    own = {f"<{base}graph/{name}>" for shown in [*plan.chosen_files, *plan.removed] if shown in cache.files
           for name in cache.index(shown)["graphs"]}
    if any(_graph_of(line) not in own for line in gone):  # a file's part holds its own graphs, no other
        raise CacheRefused("a part of its cache holds quads of graphs its file does not write")
    if gone:  # a quad another (kept) file makes as well stays
        graphs = {_graph_of(line) for line in gone}
        for shown, part in cache.files.items():
            if shown in plan.chosen_files or shown in plan.removed:
                continue
            if any(f"<{base}graph/{name}>" in graphs for name in cache.index(shown)["graphs"]):
                gone -= set(cache.blob(part.nq).decode("utf-8").splitlines(keepends=True))
    delta, changed = 0, []
    for quad in _quads(gone):
        if quad in store:
            store.remove(quad)
            delta -= 1
            changed.append(quad)
    for quad in _quads(new):
        if quad not in store:
            store.add(quad)
            delta += 1
            changed.append(quad)
    return delta, changed


def _quads(lines: set[str]) -> Iterator[Any]:
    if lines:
        yield from ox.parse("".join(sorted(lines)).encode("utf-8"), ox.RdfFormat.N_QUADS)
