"""What changed between two snapshots of the facts, in the analyst's words.

:func:`compare` sets two :mod:`snapshots <tradegraph.build.snapshot>` side by side and says,
per source (a named graph), which records were added and removed and, for a record in both,
each field's old and new value (a nested field by its dotted path, ``published.date``); a
record that gained ``retracted_by`` is also listed among the retractions its correction
caused. :func:`lines` words it one change a line::

    meeting `akazawa-bessent-expo-talks`: `when` 2025-07-19 -> 2025-07-18

Every build writes the changes since the previous build into ``build/changes.json``, and the
snapshot they were measured against the next time into ``build/records.json``
(:func:`record_build`), both under the folder's own record of what tradegraph wrote
(``.tradegraph-changes-record.json``): a file someone else wrote or changed is never replaced,
and a ``changes.json`` that is not as written is refused, not read.

>>> old = {"s": {"file": "graph/sources/s.yaml", "records": {"m": {"kind": "meeting", "fields": {"when": "2025-07-19"}}}}}
>>> new = {"s": {"file": "graph/sources/s.yaml", "records": {"m": {"kind": "meeting", "fields": {"when": "2025-07-18"}}}}}
>>> lines(compare(old, new, against="the previous build"))
['s: meeting `m`: `when` 2025-07-19 -> 2025-07-18']
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from tradegraph.build import fingerprint
from tradegraph.build.outputs import claim_outputs, read_record, write_outputs
from tradegraph.build.snapshot import Entry, Snapshot, Snapshotter, fact_files
from tradegraph.errors import InvalidData, Location
from tradegraph.files.localfile import open_regular
from tradegraph.project import Project

#: The record (beside the build's own) of the files this module writes into a build folder.
CHANGES_RECORD = ".tradegraph-changes-record.json"
CHANGES_FILE, RECORDS_FILE = "changes.json", "records.json"
FORMAT = "tradegraph-changes/1"
_NAMES = (CHANGES_FILE, RECORDS_FILE)
_SHOWN = 80  # characters of a value shown in a line; changes.json keeps them whole


def compare(old: Snapshot, new: Snapshot, *, against: str) -> dict[str, Any]:
    """The changes from ``old`` to ``new`` as the JSON document ``changes.json`` holds."""
    sources: dict[str, Any] = {}
    for graph in sorted(set(old) | set(new)):
        before = old.get(graph, {}).get("records", {})
        after = new.get(graph, {}).get("records", {})
        added = [_described(ident, after[ident]) for ident in after if ident not in before]
        removed = [_described(ident, before[ident]) for ident in before if ident not in after]
        changed, retractions = [], []
        for ident, entry in after.items():
            if ident not in before or before[ident] == entry:
                continue
            fields = _field_changes(before[ident], entry)
            changed.append({"id": ident, "kind": entry["kind"], "fields": fields})
            retracted = fields.get("retracted_by")
            if retracted is not None and retracted["new"] is not None:
                retractions.append({"id": ident, "kind": entry["kind"], "by": retracted["new"]})
        retractions += [{"id": item["id"], "kind": item["kind"], "by": item["fields"]["retracted_by"]}
                        for item in added if item["fields"].get("retracted_by") is not None]
        if added or removed or changed:
            sources[graph] = {"file": (new.get(graph) or old[graph])["file"],
                              "status": "added" if graph not in old else "removed" if graph not in new else "changed",
                              "added": added, "removed": removed, "changed": changed, "retractions": retractions}
    counts = {what: sum(len(s[what]) for s in sources.values()) for what in ("added", "removed", "changed")}
    return {"format": FORMAT, "against": against, "counts": counts, "sources": sources}


def lines(changes: dict[str, Any], *, values: bool = False) -> list[str]:
    """One line per change, each led by its source: what a person reads after a build. With
    ``values``, a record added or removed is shown with its fields (else a source added or
    removed whole is one line)."""
    out = []
    for graph, source in changes["sources"].items():
        if source["status"] != "changed" and not values:
            out.append(f"{graph}: source {source['status']} ({source['file']}, {_count(source)})")
            continue
        for what in ("added", "removed"):
            for item in source[what]:
                shown = f": {_fields(item['fields'])}" if values else ""
                out.append(f"{graph}: {what} {item['kind']} `{item['id']}`{shown}")
        for item in source["changed"]:
            said = "; ".join(f"`{name}` {_value(change['old'])} -> {_value(change['new'])}"
                             for name, change in item["fields"].items())
            out.append(f"{graph}: {item['kind']} `{item['id']}`: {said}")
        for item in source["retractions"]:
            out.append(f"{graph}: {item['kind']} `{item['id']}` retracted by correction `{item['by']}`")
    return out


def summary(changes: dict[str, Any]) -> str:
    """One line: how many records were added, removed and changed, and against what."""
    counts = changes["counts"]
    if not any(counts.values()):
        return f"changes: nothing changed since {changes['against']}"
    return (f"changes since {changes['against']}: {counts['added']} added, {counts['removed']} removed, "
            f"{counts['changed']} changed")


def claim(project: Project, folder: Path) -> None:
    """Check, before a build writes anything, that it may write ``changes.json`` and
    ``records.json`` into ``folder`` (:class:`~tradegraph.errors.OutputError` naming a file
    tradegraph did not write, or that was changed since)."""
    claim_outputs(project, folder, _NAMES, every=_NAMES, record=CHANGES_RECORD)


def record_build(project: Project, folder: Path, *, snapshotter: Snapshotter | None = None) -> dict[str, Any]:
    """Compare the project's facts now with the snapshot the previous build kept in ``folder``,
    and write ``changes.json`` and the new ``records.json`` there (atomically, under their own
    record). Returns the changes.

    Only what changed is read: ``records.json`` also keeps each fact file's hash and the graphs
    it holds, so a file whose bytes are the same is not parsed again, and a graph that no
    changed file touches is neither decoded nor compared but copied, as the text it was, into
    the new ``records.json`` (which is byte for byte what the whole snapshot would write). The
    kept record is used that way only when it is the file this module wrote (its record says so),
    was written by this tradegraph (a snapshot of another may know other kinds), and every line
    it would copy looks like one it writes; else its snapshot is compared whole, or not at all.
    """
    taker = snapshotter or Snapshotter()
    files = [(shown, data, hashlib.sha256(data).hexdigest()) for shown, data in fact_files(project)]
    found = _kept_records(folder)
    # What the kept record says of the files is used when it agrees with them, else its
    # snapshot is compared whole, and a snapshot that does not decode is not used at all.
    for kept in (found, found and _Kept(found.texts, None), None):
        try:
            taken = _Taken.of(taker, files, kept)
            break
        except _Untrusted:
            continue
    changes = compare(taken.before, taken.now, against="the previous build" if kept is not None
                      else "nothing (no earlier build was recorded)")
    snapshot = {graph: taken.now[graph] if graph in taken.now else _Raw(kept.texts[graph])  # type: ignore[union-attr]
                for graph in taken.order}
    listed = {shown: {"sha256": sha, "graphs": taken.graphs[shown]} for shown, _, sha in files}
    contents: dict[str, Any] = {CHANGES_FILE: _json(changes, spread="sources"),
                RECORDS_FILE: _json({"format": FORMAT, "snapshot": snapshot, "files": listed,
                                     "made_with": fingerprint.made_with()}, spread="snapshot")}
    write_outputs(project, folder, contents, every=_NAMES, record=CHANGES_RECORD)
    return changes


class _Untrusted(Exception):
    """The kept ``records.json`` disagrees with itself or with the files: compare everything."""


@dataclass
class _Kept:
    """What the previous build kept: each graph's entry as the JSON text it was written as, and
    (from this version on) each fact file's hash and graphs."""

    texts: dict[str, str]
    files: dict[str, tuple[str, list[str]]] | None

    def entry(self, graph: str) -> dict[str, Any]:
        """The kept entry of ``graph``, decoded (:class:`_Untrusted` when it is not one)."""
        try:
            entry = json.loads(self.texts[graph])
        except ValueError:
            raise _Untrusted from None
        if not isinstance(entry, dict) or not isinstance(entry.get("records"), dict):
            raise _Untrusted
        return entry


@dataclass
class _Taken:
    """The snapshot now, taken only where it may differ from the kept one.

    ``now`` and ``before`` hold the graphs that a new, changed or removed file holds (or held),
    and the graphs of any other file that shares one of them; every other graph's entry is the
    kept text. ``order`` is every graph in the order the whole snapshot would list it, and
    ``graphs`` each file's graphs in the order they first appear in it."""

    before: Snapshot
    now: Snapshot
    order: list[str]
    graphs: dict[str, list[str]]

    @classmethod
    def of(cls, taker: Snapshotter, files: list[tuple[str, bytes, str]], kept: _Kept | None) -> _Taken:
        known = kept.files if kept is not None and kept.files is not None else {}
        here = {shown for shown, _, _ in files}
        changed = {shown for shown, _, sha in files if known.get(shown, ("", []))[0] != sha}
        touched = {graph for shown, (_, graphs) in known.items() if shown not in here or shown in changed
                   for graph in graphs}
        parts = {shown: taker.part(shown, data, sha) for shown, data, sha in files if shown in changed}
        touched.update(graph for part in parts.values() for graph in part)
        if kept is not None and kept.files is None:
            touched.update(kept.texts)  # kept by an earlier version, which did not say which file held what
        graphs = {shown: list(parts[shown]) if shown in parts else known[shown][1] for shown, _, _ in files}
        for shown, data, sha in files:  # a file that shares a touched graph is read, to merge it
            if shown not in parts and touched.intersection(graphs[shown]):
                parts[shown] = taker.part(shown, data, sha)
                if list(parts[shown]) != graphs[shown]:
                    raise _Untrusted
        now: Snapshot = {}
        order: dict[str, None] = {}
        for shown, _, _ in files:
            for graph in graphs[shown]:
                order.setdefault(graph)
                if graph in touched:
                    merged = now.setdefault(graph, {"file": shown, "records": {}})
                    merged["records"].update(parts[shown][graph]["records"])
        if kept is not None and not set(order) - touched <= set(kept.texts):
            raise _Untrusted
        before = {graph: kept.entry(graph) for graph in touched if graph in kept.texts} if kept is not None else {}
        return cls(before, now, list(order), graphs)


def read_changes(folder: Path) -> dict[str, Any]:
    """The ``changes.json`` the last build wrote into ``folder``.

    Raises :class:`~tradegraph.errors.InvalidData` when there is none, when it is not the
    file the build wrote (changed since, or not tradegraph's), or when it does not read as changes.
    """
    data = _recorded_bytes(folder, CHANGES_FILE)
    where = Location(str(folder / CHANGES_FILE))
    if data is None:
        raise InvalidData("no changes recorded by a build (or the file was changed since it was written)",
                          where=where, expected="build/changes.json as `tradegraph build` wrote it",
                          hint="run `tradegraph build`, or compare with a revision: `tradegraph changes --since HEAD`")
    try:
        changes: dict[str, Any] = json.loads(data)
        if changes.get("format") != FORMAT or not isinstance(changes.get("sources"), dict):
            raise ValueError("not a record of changes")
        lines(changes)  # every entry as this version reads it
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InvalidData(f"the record of changes cannot be read: {exc}", where=where,
                          expected=f"a JSON document of format {FORMAT}",
                          hint="run `tradegraph build` to write it again") from None
    return changes


def _kept_records(folder: Path) -> _Kept | None:
    """What the previous build kept, or ``None`` when there is nothing that tradegraph wrote and
    that reads as a snapshot (a first build, or a record not to be trusted)."""
    data = _recorded_bytes(folder, RECORDS_FILE)
    if data is None:
        return None
    try:
        return _records_by_line(data.decode("utf-8"))
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError, _Untrusted):
        pass  # not as this version writes it: read it whole
    try:
        kept = json.loads(data)
        snapshot = kept["snapshot"] if kept.get("format") == FORMAT else None
        if not isinstance(snapshot, dict) or not all(
                isinstance(part, dict) and isinstance(part.get("records"), dict) for part in snapshot.values()):
            return None
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None
    return _Kept({graph: _dumped(entry) for graph, entry in snapshot.items()}, None)


def _records_by_line(text: str) -> _Kept:
    """``records.json`` as :func:`_json` writes it, one graph a line, each graph's entry left as
    its text (decoded only when a change touches it); anything else raises."""
    lines = text.split("\n")  # JSON text holds no raw line feed; U+2028 and the like stay in their line
    if lines[0] != f'{{"format": {_dumped(FORMAT)},' or not lines[1].startswith('"snapshot": {'):
        raise _Untrusted
    texts: dict[str, str] = {}
    at = 2
    if lines[1] == '"snapshot": {':
        while lines[at] not in ("}", "},", "}}"):
            line = lines[at]
            if not line.startswith(' "'):
                raise _Untrusted
            graph, end = json.decoder.scanstring(line, 2)  # type: ignore[attr-defined]
            if line[end:end + 2] != ": " or graph in texts:
                raise _Untrusted
            text = line[end + 2:].removesuffix(",")  # an entry ends in a brace: the comma is the writer's
            if not (text.startswith('{"file": ') and text.endswith("}}")):
                raise _Untrusted  # a line copied as it is must at least look like one this module wrote
            texts[graph] = text
            at += 1
        rest = lines[at][1:] + "\n".join(["", *lines[at + 1:]])
    else:
        rest = lines[1].removeprefix('"snapshot": {}') + "\n".join(["", *lines[2:]])
    tail = json.loads("{" + rest.removeprefix(",")) if rest.strip() != "}" else {}
    files = tail.get("files")
    if files is None or tail.get("made_with") != fingerprint.made_with():
        return _Kept(texts, None)  # an earlier version's: its files are read again, its snapshot compared whole
    if not isinstance(files, dict):
        raise _Untrusted
    known: dict[str, tuple[str, list[str]]] = {}
    for shown, listed in files.items():
        sha, graphs = listed["sha256"], listed["graphs"]
        if not isinstance(sha, str) or not isinstance(graphs, list) or not all(isinstance(g, str) for g in graphs) \
                or len(set(graphs)) != len(graphs):
            raise _Untrusted
        known[shown] = (sha, graphs)
    if {graph for _, graphs in known.values() for graph in graphs} != set(texts):
        raise _Untrusted
    return _Kept(texts, known)


def _recorded_bytes(folder: Path, name: str) -> bytes | None:
    """The bytes of ``folder/name`` when the changes record says tradegraph wrote it as it is."""
    found = read_record(folder, every=_NAMES, record=CHANGES_RECORD)
    path = folder / name
    if found is None or name not in found[0] or not found[0][name].matches(path):
        return None
    with open_regular(path, what="a build output") as stream:
        return stream.read()


def _described(ident: str, entry: Entry) -> dict[str, Any]:
    return {"id": ident, "kind": entry["kind"], "fields": entry["fields"]}


def _field_changes(old: Entry, new: Entry) -> dict[str, dict[str, Any]]:
    """Each field whose value differs, by dotted path into mappings, with its old and new value."""
    found: dict[str, dict[str, Any]] = {}
    if old["kind"] != new["kind"]:
        found["kind"] = {"old": old["kind"], "new": new["kind"]}

    def walk(prefix: str, before: Any, after: Any) -> None:
        if isinstance(before, dict) and isinstance(after, dict):
            for key in [*before, *(k for k in after if k not in before)]:
                walk(f"{prefix}.{key}" if prefix else key, before.get(key), after.get(key))
        elif before != after:
            found[prefix] = {"old": before, "new": after}

    walk("", old["fields"], new["fields"])
    return found


def _fields(fields: dict[str, Any]) -> str:
    """Every field of a record with its value, nested ones by their dotted path."""
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and value:
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else key, item)
        else:
            flat[prefix] = value

    walk("", fields)
    return "; ".join(f"`{name}` {_value(value)}" for name, value in flat.items())


def _value(value: Any) -> str:
    """A value as a line shows it: text as it is, none as ``(none)``, the rest as JSON; cut to fit."""
    shown = "(none)" if value is None else value if isinstance(value, str) \
        else json.dumps(value, ensure_ascii=False)
    shown = " ".join(shown.split())
    return shown if len(shown) <= _SHOWN else shown[:_SHOWN - 1] + "…"


def _count(source: dict[str, Any]) -> str:
    n = len(source["added"]) + len(source["removed"])
    return f"{n} record{'' if n == 1 else 's'}"


def _json(value: dict[str, Any], *, spread: str) -> Callable[[BinaryIO], None]:
    """A writer of ``value`` as JSON, each entry of the mapping ``value[spread]`` on a line of its own.

    One line a source keeps the file readable with a pager and a diff; each line is written by
    the json module's C encoder, which ``indent`` would turn off (ten times slower: 16 s of a
    100k-event build's 107 s), and written as it is made: the whole text of a million records
    is never held (it took 10 GB).

    >>> import io
    >>> out = io.BytesIO()
    >>> _json({"format": "f", "sources": {"a": {"n": 1}, "b": {}}}, spread="sources")(out)
    >>> out.getvalue().decode()
    '{"format": "f",\\n"sources": {\\n "a": {"n": 1},\\n "b": {}\\n}}\\n'
    """
    def dumped(item: Any) -> str:
        return item.text if isinstance(item, _Raw) else _dumped(item)

    def write(stream: BinaryIO) -> None:
        buffered = io.TextIOWrapper(stream, encoding="utf-8", newline="\n", write_through=False)
        try:
            for number, (key, item) in enumerate(value.items()):
                buffered.write(",\n" if number else "{")
                if key == spread and isinstance(item, dict) and item:
                    buffered.write(f"{dumped(key)}: {{")
                    for count, (name, entry) in enumerate(item.items()):
                        buffered.write(f"{',' if count else ''}\n {dumped(name)}: {dumped(entry)}")
                    buffered.write("\n}")
                else:
                    buffered.write(f"{dumped(key)}: {dumped(item)}")
            buffered.write("}\n")
            buffered.flush()
        finally:
            buffered.detach()  # the stream is the caller's to close

    return write


def _dumped(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class _Raw:
    """A value that :func:`_json` writes as the JSON text it already is."""

    text: str
