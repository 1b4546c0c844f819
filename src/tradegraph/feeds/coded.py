"""A coded event as the feed readers give it, before it meets the graph: one shape for every feed.

A reader (:mod:`~tradegraph.feeds.plover`, :mod:`~tradegraph.feeds.gdelt`) turns each line of
its feed into a :class:`CodedEvent`, or an :class:`~tradegraph.errors.InvalidData` naming the
file and line, or ``None`` for a well-formed record that no mapping row covers (counted by
:class:`Unmapped`). Feed files are read as a stream, plain or gzip-compressed.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from tradegraph.errors import InvalidData, Location
from tradegraph.facts.model import load_model
from tradegraph.feeds.mapping import EventMapping
from tradegraph.files.localfile import open_regular
from tradegraph.files.values import text_problem

#: The longest line a feed may hold (a PLOVER record with its texts is a few kilobytes).
MAX_LINE = 1024 * 1024
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass
class CodedActor:
    """One side of a coded event: a country code, a sector, a name and a Wikidata id, as the feed gives them."""

    country: str | None = None   # the feed's country code (ISO alpha-3 / CAMEO), as given
    sector: str | None = None    # GOV, MIL, BUS, ... (PLOVER sector, GDELT type code)
    name: str | None = None
    wikidata: str | None = None
    person: bool = False         # the feed says it is a person (PLOVER's office, gender or age)

    @property
    def key(self) -> str:
        """How the decisions file names it: its Wikidata id, else ``COUNTRY: name`` (or ``COUNTRY SECTOR``)."""
        if self.wikidata:
            return self.wikidata
        if self.name:
            return f"{self.country or '-'}: {self.name}"
        return f"{self.country or '-'} {self.sector or ''}".strip()


@dataclass
class CodedPlace:
    """Where a coded event happened: a place name, or only a country."""

    name: str | None
    country: str | None  # ISO alpha-3, when the feed gives one
    is_country: bool = False  # the name is a country's (GDELT's location type 1)


@dataclass
class CodedEvent:
    """A feed record, mapped to the kind and event type it becomes."""

    ident: str
    where: Location
    mapping: EventMapping
    start: date
    end: date | None
    actors: list[CodedActor]
    recipients: list[CodedActor]
    evidence: list[str]
    feed: str                    # PLOVER or GDELT: named in titles
    published: date
    published_how: str
    place: CodedPlace | None = None
    url: str | None = None
    title: str | None = None
    publication: str | None = None
    coder: str | None = None
    codebook: str | None = None
    language: str | None = None


@dataclass
class Unmapped:
    """Well-formed records that no row of the mapping table covers, counted by their codes."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, codes: str) -> None:
        self.counts[codes] += 1


def open_feed(path: Path, shown: str) -> IO[str]:
    """The feed as text lines; a gzip file (by its first bytes) is uncompressed as it is read."""
    raw = open_regular(path, what="feed file", shown=shown)
    head = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    binary: IO[bytes] = gzip.GzipFile(fileobj=raw) if head == b"\x1f\x8b" else raw  # type: ignore[assignment]
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")


def feed_lines(path: Path, shown: str) -> Iterator[tuple[Location, str] | InvalidData]:
    """Each line of the feed with where it is; a line too long, bad UTF-8 or a broken gzip stream is an error."""
    with open_feed(path, shown) as stream:
        number = 0
        try:
            for number, text in enumerate(iter(lambda: stream.readline(MAX_LINE + 1), ""), start=1):
                where = Location(shown, number)
                if len(text) > MAX_LINE:
                    yield InvalidData(f"the line is longer than {MAX_LINE:,} characters", where=where,
                                      expected="one record a line")
                    return
                yield where, text.rstrip("\r\n")
        except UnicodeDecodeError as exc:
            yield InvalidData(f"the file is not UTF-8 (byte 0x{exc.object[exc.start]:02x})",
                              where=Location(shown, number + 1), expected="UTF-8 text",
                              hint="re-save the file as UTF-8")
        except (OSError, EOFError, zlib.error) as exc:
            yield InvalidData(f"the file cannot be read: {exc}", where=Location(shown, number + 1),
                              expected="a plain or gzip-compressed text file",
                              hint="is the .gz file whole? (gzip -t FILE)")


def text(value: Any, where: Location, what: str) -> str | None:
    """A text field: None when absent or empty; an error when it is not text or holds what no output carries."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise InvalidData(f"{what} is a JSON {type(value).__name__}", where=where, expected="a text")
    value = " ".join(value.split())
    problem = text_problem(value)
    if problem:
        raise InvalidData(f"{what} holds {problem}", where=where, expected="printable text")
    return value or None


def wikidata_id(value: str | None, where: Location, what: str) -> str | None:
    """A Wikidata id (``Q42``, or its entity URL), or None; anything else is an error."""
    if value is None:
        return None
    qid = value.rsplit("/", 1)[-1]
    if not re.fullmatch(load_model().patterns["wikidata-id"], qid):
        raise InvalidData(f"{what} is '{value}'", where=where, expected="a Wikidata id such as Q17")
    return qid


def day(value: str | None, where: Location, what: str) -> date:
    """A ``YYYY-MM-DD`` (or ``YYYYMMDD``) date that exists."""
    if value and re.fullmatch(r"[0-9]{8}", value):
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    if not value or not _DAY.fullmatch(value):
        raise InvalidData(f"{what} is {f'{value!r}' if value else 'missing'}", where=where,
                          expected="a date in YYYY-MM-DD format")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidData(f"{what} '{value}' is not a day of the calendar", where=where,
                          expected="a date in YYYY-MM-DD format") from None
