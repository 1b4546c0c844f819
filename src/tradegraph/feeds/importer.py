"""``tradegraph import``: a PLOVER or GDELT feed written as one bulk fact file of coded records.

The import reads the feed as a stream and writes ``graph/bulk/coded-FEED-NAME.jsonl`` in the
project's own bulk format (:mod:`tradegraph.facts.bulk`), so that build, validation, the
store, queries and exports treat the events as any other facts. Per feed record it writes a
``source`` (the article's URL and title, its publisher, and the coder and codebook in a note)
and one event citing it; then the actors, places and publishers the graph did not have
(:mod:`tradegraph.feeds.reconcile`). Every record it writes carries ``record_origin: coded``.

Guarantees:

- The output is written atomically, with an ownership record
  (``graph/feeds/imported/NAME.json``: the file's size, time and hash) in the same step. An
  existing file is replaced only with ``replace=True`` and only while it is, byte for byte,
  the one an import wrote; any other file is never touched.
- A bad record (bad JSON, a missing field, a date that does not exist, a wrong column count)
  is named by file and line; by default one stops the import and nothing is written; with
  ``skip_bad=True`` the others are written and the bad ones listed.
- Records that no mapping row covers, and events the model cannot hold (a meeting with
  fewer than two participants), are counted in the report, not written.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from tradegraph.errors import InvalidData, OutputError, TradegraphError, UsageError
from tradegraph.facts.model import load_model
from tradegraph.feeds.coded import CodedEvent, Unmapped
from tradegraph.feeds.gdelt import read_gdelt
from tradegraph.feeds.plover import read_plover
from tradegraph.feeds.reconcile import DECISIONS, Reconciler, graph_index, read_decisions, slug
from tradegraph.files.atomic import Stamp, write_files
from tradegraph.progress import Progress
from tradegraph.project import Project

Reader = Callable[[Path, str, Unmapped], Iterator[CodedEvent | InvalidData]]
FEEDS: dict[str, Reader] = {"plover": read_plover, "gdelt": read_gdelt}
#: Bad records listed in one message; the rest are counted.
MAX_LISTED = 50
_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+")
_MODES = {"phone-call": "phone", "visit": "in-person"}
_TWO_OR_MORE = ("meeting", "phone-call")
_TARGETS = ("country", "government", "person")


class BadRecords(InvalidData):
    """Bad feed records; the message lists each (up to :data:`MAX_LISTED`) with its file and line."""

    def __init__(self, errors: list[InvalidData], count: int) -> None:
        self.errors, self.count = errors, count
        super().__init__(errors[0].what, where=errors[0].where, expected=errors[0].expected, hint=errors[0].hint)

    @property
    def message(self) -> str:
        lines = [TradegraphError.message.fget(e) for e in self.errors]  # type: ignore[attr-defined]
        if self.count > len(self.errors):
            lines.append(f"... and {self.count - len(self.errors):,} more bad records")
        lines.append(f"{self.count:,} bad record{'s' if self.count != 1 else ''}: nothing was imported "
                     "(fix them, or --skip-bad to import the others)")
        return "\n".join(lines)


@dataclass
class ImportReport:
    """What an import wrote and left out."""

    output: str
    events: Counter[str] = field(default_factory=Counter)       # kind -> records written
    matched: Counter[str] = field(default_factory=Counter)      # rule -> actors matched by it
    new_records: list[dict[str, Any]] = field(default_factory=list)
    new_keys: dict[str, str] = field(default_factory=dict)      # new record id -> the feed key it was made for
    unmapped: Counter[str] = field(default_factory=Counter)
    skipped: list[InvalidData] = field(default_factory=list)
    skipped_count: int = 0

    def text(self, limit: int | None = 30) -> str:
        """The report as a person reads it: at most ``limit`` new actors and ``limit`` new places
        (None: all), and how many more there are; each is a record of the file written."""
        lines = [f"wrote {self.output}: {sum(self.events.values()):,} coded events "
                 f"({', '.join(f'{n:,} {k}' for k, n in sorted(self.events.items())) or 'none'})"]
        lines.append("actors matched: " + (", ".join(f"{n:,} by {k}" for k, n in sorted(self.matched.items())) or "none"))
        actors = [r for r in self.new_records if r["kind"] not in ("place", "country")]
        lines.append(f"new actors ({len(actors):,}; to merge one with a graph actor, add "
                     "`- {feed: KEY, actor: ID}` under same-as: in graph/feeds/decisions.yaml):")
        lines += [f"  {r['id']} ({r['kind']}) {r['name']!r}  key: {self.new_keys.get(r['id'], '')!r}"
                  for r in actors[:limit]]
        lines += self._more(len(actors), limit, "new actors")
        others = [r for r in self.new_records if r["kind"] in ("place", "country")]
        if others:
            lines.append(f"new places and countries ({len(others):,}): "
                         + ", ".join(f"{r['id']} ({r['name']})" for r in others[:limit]))
            lines += self._more(len(others), limit, "new places and countries")
        if self.unmapped:
            lines.append(f"not imported, no mapping ({sum(self.unmapped.values()):,}): "
                         + ", ".join(f"{k} x{n:,}" for k, n in self.unmapped.most_common()))
        if self.skipped_count:
            lines.append(f"skipped {self.skipped_count:,} bad records:")
            lines += ["  " + e.message for e in self.skipped]
        return "\n".join(lines)

    def _more(self, count: int, limit: int | None, what: str) -> list[str]:
        if limit is None or count <= limit:
            return []
        return [f"  ... and {count - limit:,} more {what}: each is a record of {self.output} "
                "(--full-report lists them all)"]


def import_feed(project: Project, feed: str, path: Path, *, name: str | None = None, replace: bool = False,
                skip_bad: bool = False, progress: Progress | None = None) -> ImportReport:
    """Import the feed file ``path`` (``feed``: plover or gdelt) into the project; return the report."""
    if feed not in FEEDS:
        raise UsageError(f"unknown feed '{feed}'", expected="one of " + ", ".join(FEEDS))
    stem = f"coded-{feed}-{slug(name or _bare_name(path))}"
    target = project.graph_dir / "bulk" / f"{stem}.jsonl"
    record = project.graph_dir / "feeds" / "imported" / f"{stem}.json"
    shown = project.relative(target)
    _check_target(target, record, shown, replace=replace)
    model = load_model()
    index = graph_index(project, model, leave_out=target)
    decisions_file = project.graph_dir / "feeds" / DECISIONS
    reconciler = Reconciler(index, read_decisions(decisions_file, project.relative(decisions_file), index),
                            prefix=stem)
    report, unmapped = ImportReport(shown), Unmapped()
    source_shown = str(path)

    def write(stream: BinaryIO) -> None:
        errors: list[InvalidData] = []
        seen: set[str] = set()
        with progress or Progress(enabled=False) as shown_progress:
            for item in FEEDS[feed](path, source_shown, unmapped):
                shown_progress.facts()
                try:
                    records = [] if isinstance(item, InvalidData) else _records(item, reconciler, stem, seen, unmapped)
                except InvalidData as error:
                    item = error
                if isinstance(item, InvalidData):
                    report.skipped_count += 1
                    if len(errors) < MAX_LISTED:
                        errors.append(item)
                    continue
                for one in records:
                    stream.write(_line(one))
                if records:
                    report.events[records[-1]["kind"]] += 1
        if errors and not skip_bad:
            raise BadRecords(errors, report.skipped_count)
        report.skipped = errors
        for one in reconciler.records():
            stream.write(_line(one))

    target.parent.mkdir(parents=True, exist_ok=True)
    record.parent.mkdir(parents=True, exist_ok=True)
    write_files({target: write}, manifest=record, about={"feed": feed, "input": path.name, "written by": "tradegraph import"})
    report.matched, report.unmapped = reconciler.how, unmapped.counts
    report.new_records, report.new_keys = list(reconciler.records()), reconciler.made_for
    return report


def _bare_name(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".jsonl", ".json", ".csv", ".tsv", ".txt", ".export.CSV", ".CSV"):
        name = name.removesuffix(suffix)
    return name


def _check_target(target: Path, record: Path, shown: str, *, replace: bool) -> None:
    """Refuse to replace a file, unless asked to and it is still the one an import wrote; the
    import's record beside it likewise (a file there that no import wrote is someone's own)."""
    if not target.exists() and not target.is_symlink():
        if record.exists() or record.is_symlink():
            try:
                ours = json.loads(record.read_text("utf-8")).get("written by") == "tradegraph import"
            except (OSError, ValueError, AttributeError):
                ours = False
            if not ours or not replace:
                raise OutputError(f"{record} exists and is not the record of an import that can be replaced",
                                  expected="no file at the import's record path, or the record of an earlier import "
                                           "with --replace",
                                  hint="move the file away (it is yours), or import under another --name")
        return
    if not replace:
        raise OutputError(f"{shown} exists", expected="a new import name",
                          hint="--replace imports the feed again over the file an earlier import wrote, "
                               "or --name gives this import another name")
    try:
        stamps = json.loads(record.read_text("utf-8"))["files"]
        stamp = Stamp(**stamps[target.name])
    except (OSError, ValueError, KeyError, TypeError):
        stamp = None
    if stamp is None or not stamp.matches(target):
        raise OutputError(f"{shown} was not written by `tradegraph import`, or was changed since",
                          expected="a file an import wrote and nobody changed",
                          hint="move the file away (it is yours), or import under another --name")


def _line(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _records(event: CodedEvent, rec: Reconciler, stem: str, seen: set[str],
             unmapped: Unmapped) -> list[dict[str, Any]]:
    """The source and the event record of one coded event ([] when the model cannot hold it)."""
    ident = f"{stem}-{slug(event.ident)}"
    if ident in seen:
        raise InvalidData(f"the record id '{event.ident}' is used twice (as '{ident}')", where=event.where,
                          expected="an id unique within the feed")
    seen.add(ident)
    mapping = event.mapping
    sides = [(rec.actor(a), mapping.actor_role) for a in event.actors]
    sides += [(rec.actor(a, country_ok=mapping.kind == "statement"), mapping.recipient_role) for a in event.recipients]
    event_record: dict[str, Any] = {"kind": mapping.kind, "id": ident, "source": f"{ident}-source",
                                    "event_type": mapping.event_type, "when": _when(event), "status": "reported",
                                    "evidence": event.evidence, "record_origin": "coded"}
    if mapping.kind == "statement":
        event_record["speaker"] = sides[0][0]
        targets = [a for a, role in sides[len(event.actors):] if rec.index.records[a].kind in _TARGETS]
        if targets:
            event_record["target"] = list(dict.fromkeys(targets))
        event_record["summary"] = (f"{event.coder or event.feed} codes it as {mapping.event_type} "
                                   f"({mapping.plover_event or 'CAMEO ' + mapping.cameo})")
    else:
        people = list({actor: role for actor, role in reversed(sides)}.items())[::-1]  # each actor once, first role
        if mapping.kind in _TWO_OR_MORE and len(people) < 2:
            unmapped.add(f"{mapping.kind} with fewer than two participants")
            return []
        event_record["participants"] = [a if role == "participant" else {"actor": a, "role": role} for a, role in people]
        if mapping.kind in _MODES:
            event_record["mode"] = _MODES[mapping.kind]
    place = rec.place(event.place) if event.place else None
    if place:
        event_record["place"] = place
    return [_source(event, rec, ident), event_record]


def _when(event: CodedEvent) -> Any:
    if event.end is None or event.end == event.start:
        return event.start.isoformat()
    return {"from": event.start.isoformat(), "to": event.end.isoformat()}


def _source(event: CodedEvent, rec: Reconciler, ident: str) -> dict[str, Any]:
    if event.url and not _URL.fullmatch(event.url):
        raise InvalidData(f"the URL '{event.url}' is not an http(s) URL", where=event.where,
                          expected="the article's http or https URL")
    host = event.url.split("/")[2] if event.url else None
    source: dict[str, Any] = {
        "kind": "source", "id": f"{ident}-source",
        "title": event.title or f"{event.feed} record {event.ident}",
        "publisher": rec.publisher(event.publication or host or event.coder or event.feed),
        "published": {"date": event.published.isoformat(), "how": event.published_how},
        "record_origin": "coded",
        "note": f"Machine-coded: {event.feed} record {event.ident} (line {event.where.line} of {Path(event.where.path).name})"
                + (f", coder {event.coder}" if event.coder else "") + (f", codebook {event.codebook}" if event.codebook else ""),
    }
    if event.url:
        source["url"] = event.url
    if event.language and re.fullmatch(load_model().patterns["language-tag"], event.language.lower()):
        source["language"] = event.language.lower()
    return source

