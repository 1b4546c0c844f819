"""The records of a project's fact files as plain values: what ``changes`` and ``history`` compare.

A snapshot says, for each named graph (a source id, or the stem of an actors file), which file
it came from and every record in it: its kind and its fields exactly as the analyst wrote them
(dates as ``YYYY-MM-DD``, nested mappings and lists as JSON values). It is read from the
files' text alone, never from RDF, so it can be taken of the working tree or of any git revision
of the project (:mod:`tradegraph.build.revisions`), valid or not. Files are parsed once per
content: :class:`Snapshotter` keeps each file's records by the SHA-256 of its bytes.

>>> from tradegraph.project import Project
>>> taken = Snapshotter().of_project(Project.open("tests/fixtures/minimal"))
>>> sorted(taken)
['actors', 'first-article']
>>> taken["first-article"]["records"]["first-article"]["kind"]
'source'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from tradegraph.errors import InvalidData, Location
from tradegraph.facts.bulk import plain_line, read_bulk
from tradegraph.facts.model import Model, load_model
from tradegraph.files.localfile import open_regular
from tradegraph.files.values import DECIMAL, read_number
from tradegraph.files.yamlfile import FACT_FILE, parse_yaml
from tradegraph.project import BULK_SUFFIXES, Project

#: A record as plain values: ``{"kind": KIND, "fields": {NAME: VALUE}}`` (no ``id`` or ``kind`` field).
Entry = dict[str, Any]
#: Named graph -> ``{"file": PATH, "records": {ID: Entry}}``.
Snapshot = dict[str, dict[str, Any]]


def plain(value: Any) -> Any:
    """``value`` as a JSON value: dates as ISO text, mappings and lists member by member.

    >>> plain({"when": dt.date(2025, 7, 19), "who": ("a", "b")})
    {'when': '2025-07-19', 'who': ['a', 'b']}
    """
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _entry(kind: str, item: dict[str, Any], *, leave_out: Iterable[str] = ()) -> tuple[str, Entry]:
    skipped = {"id", "kind", *leave_out}
    return str(item["id"]), {"kind": kind, "fields": {key: plain(value) for key, value in item.items()
                                                       if key not in skipped}}


class Snapshotter:
    """Takes snapshots, parsing each distinct file content once (kept by its SHA-256)."""

    def __init__(self, model: Model | None = None) -> None:
        self.model = model or load_model()
        self._parsed: dict[tuple[str, str], Snapshot] = {}

    def of_project(self, project: Project) -> Snapshot:
        """The snapshot of the project's fact files as they are now."""
        return self.of_files(fact_files(project))

    def of_files(self, files: Iterable[tuple[str, bytes]]) -> Snapshot:
        """The snapshot of fact files given as (path relative to the project, bytes)."""
        taken: Snapshot = {}
        for shown, data in files:
            for graph, part in self.part(shown, data).items():
                merged = taken.setdefault(graph, {"file": shown, "records": {}})
                merged["records"].update(part["records"])
        return taken

    def part(self, shown: str, data: bytes, sha256: str | None = None) -> Snapshot:
        """One file's own snapshot (its graphs in the order they first appear in it), parsed
        once per content; ``sha256`` is the hash of ``data`` when the caller has it."""
        key = (shown, sha256 or hashlib.sha256(data).hexdigest())
        if key not in self._parsed:
            self._parsed[key] = self._parse(shown, data)
        return self._parsed[key]

    def _parse(self, shown: str, data: bytes) -> Snapshot:
        path = PurePosixPath(shown)
        if path.suffix.lower() in BULK_SUFFIXES:
            return self._bulk(shown, data)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidData("the file is not UTF-8", where=Location(shown), expected="UTF-8 text") from None
        doc = parse_yaml(text, shown)
        if not isinstance(doc, dict):
            raise InvalidData("the file holds no mapping at the top", where=Location(shown, 1),
                              expected="a fact file")
        if path.parent.name == "sources":
            return self._source(shown, doc)
        records: dict[str, Entry] = {}
        for section, items in doc.items():
            kind = self.model.kind_by_section(str(section))
            for item in _items(items):
                ident, entry = _entry(kind.name if kind else str(section), item)
                records[ident] = entry
        return {path.stem: {"file": shown, "records": records}}

    def _source(self, shown: str, doc: dict[str, Any]) -> Snapshot:
        header = doc.get("source")
        if not isinstance(header, dict) or "id" not in header:
            raise InvalidData("the file has no `source:` header with an id", where=Location(shown, 1),
                              expected="`source:` with id, title, publisher and published date")
        source, entry = _entry("source", header, leave_out=("corrections",))
        records = {source: entry}
        for item in _items(header.get("corrections")):
            ident, entry = _entry("correction", item)
            records[ident] = entry
        for item in _items(doc.get("facts")):
            ident, entry = _entry(str(item.get("kind")), item)
            records[ident] = entry
        return {source: {"file": shown, "records": records}}

    def _bulk(self, shown: str, data: bytes) -> Snapshot:
        if PurePosixPath(shown).suffix.lower() == ".jsonl":
            try:
                return self._json_lines(shown, data)
            except _Unusual:
                pass  # read as the loader reads it, which names what is wrong
        taken: Snapshot = {}
        suffix = PurePosixPath(shown).suffix
        with tempfile.TemporaryDirectory(prefix="tradegraph-bulk-") as folder:
            path = Path(folder) / (PurePosixPath(shown).stem + suffix)
            with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as stream:
                stream.write(data)
            for item in read_bulk(path, shown, self.model):
                if isinstance(item, InvalidData):
                    raise item
                if "id" not in item:  # the loader names it; a snapshot takes records with an id
                    continue
                ident, entry = _entry(item.kind.name, item)
                taken.setdefault(item.graph, {"file": shown, "records": {}})["records"][ident] = entry
        return taken


    def _json_lines(self, shown: str, data: bytes) -> Snapshot:
        """A JSON Lines file of plain records read with ``json`` alone (five times faster than the
        loader's reader, which keeps every value's line); :class:`_Unusual` at anything else."""
        taken: Snapshot = {}
        stem = PurePosixPath(shown).stem
        decoder = json.JSONDecoder(parse_int=_number, parse_float=_number, parse_constant=_no_constant,
                                   object_pairs_hook=_once)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise _Unusual from None
        for line in text.split("\n"):
            if not line.strip():
                continue
            if not plain_line(line):
                raise _Unusual
            try:
                item = decoder.decode(line.rstrip("\r"))
            except (ValueError, RecursionError):
                raise _Unusual from None
            if not isinstance(item, dict) or not isinstance(item.get("kind"), str):
                raise _Unusual
            kind, ident = self.model.kinds.get(item["kind"]), item.get("id")
            if kind is None or not isinstance(ident, str):
                raise _Unusual
            if kind.where == "actors":
                graph = stem
            elif kind.name == "source":
                graph = ident
            else:
                graph = item.pop("source", None)
                if not isinstance(graph, str) or not graph:
                    raise _Unusual
            fields = {key: value for key, value in item.items() if key != "id" and key != "kind"}  # plain already
            taken.setdefault(graph, {"file": shown, "records": {}})["records"][ident] = {"kind": kind.name,
                                                                                       "fields": fields}
        return taken


def fact_files(project: Project) -> list[tuple[str, bytes]]:
    """The project's fact files as they are now: (path relative to the project, bytes), in order."""
    files = []
    for path in project.fact_files():
        with open_regular(path, what=FACT_FILE, shown=project.relative(path)) as stream:
            files.append((project.relative(path), stream.read()))
    return files


class _Unusual(Exception):
    """A line that :meth:`Snapshotter._json_lines` leaves to the loader's reader."""


def _number(text: str) -> str | int:
    """A JSON number as :func:`plain` writes what the loader reads: an integer, else its digits."""
    if not DECIMAL.fullmatch(text):
        raise _Unusual
    try:
        number = read_number(text, Location(""))
    except InvalidData:  # too many digits: the loader's reader says where
        raise _Unusual from None
    return number if isinstance(number, int) else str(number)


def _no_constant(name: str) -> None:
    raise _Unusual


def _once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _Unusual
    return found


def _items(items: Any) -> Iterable[dict[str, Any]]:
    """The records of a list, skipping what is not a record with an id (the loader names those)."""
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, dict) and "id" in item]
