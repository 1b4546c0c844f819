"""Actors in a sentence: the graph's names and aliases found (fuzzily), new people proposed.

The index holds every named record of the project's actors files (``graph/*.yaml``): its
``name``, its ``aliases``, for a person the surname alone (when no other person shares it),
for a country its ISO code ("US", "U.S."), and for a post's current holder (a ``tenure`` of a
source file) the post's name. A sentence's mentions are found in three passes: the exact
names (longest first, quote marks and case of post names set aside), then capitalised spans
close to a person's name ("Akazwa" for Akazawa, by rapidfuzz's WRatio), then post names
written a little differently ("Japan's chief trade negotiator"); what is left that looks like
a person's name (two or three capitalised words next to a title, or "said") is proposed as a
new person and known from then on, surname included.

>>> index = ActorIndex([Known("akazawa", "person", "Ryosei Akazawa")])
>>> [(m.id, m.text) for m in index.find("Akazawa met Finance Minister Maria Olsen.")]
[('akazawa', 'Akazawa'), ('maria-olsen', 'Maria Olsen')]
>>> index.new[0].name
'Maria Olsen'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from tradegraph.facts.model import load_model
from tradegraph.files.yamlfile import YMap, load_yaml
from tradegraph.project import Project

#: Kinds whose records can take part in events or speak.
ACTOR_KINDS = frozenset({"person", "government", "ministry", "party", "organization", "delegation"})
_NAME_WORD = r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?"
_NAME = re.compile(rf"\b{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}}\b")
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z.-]*(?:\s+[A-Z][A-Za-z.-]*)*")
#: Words before a name that say a person follows ("Commerce Secretary Howard Lutnick").
_TITLE_BEFORE = re.compile(
    r"(secretary|minister|president|premier|negotiator|chief|representative|secretary-general|chancellor|"
    r"ambassador|spokesperson|spokesman|spokeswoman|official|envoy|governor|senator|mayor|chairman|"
    r"chairwoman|chair|director|ceo|leader|lawmaker|economist|analyst|adviser|advisor|said|told|met|"
    r"mr\.?|ms\.?|mrs\.?|dr\.?)\W*$", re.IGNORECASE)
#: What after a name says it is a person's (", a former minister", " said").
_AFTER = re.compile(r"^(,\s+(a|an|the)\s+[a-z]|\s+(said|says|told|wrote|added|met)\b)")
#: Capitalised words that are no part of a person's name.
_NOT_NAMES = frozenset("""
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december the a an this that these those in on at of for and but
after before since from to with by as if so while news house party day expo world national pavilion
ministry government department office council parliament congress senate commission bank union
secretary minister president premier representative chief vice prime trade treasury commerce internal
affairs most read story continues more comments university city state republic kingdom
""".split())


@dataclass(frozen=True)
class Known:
    """A record of the graph an article may name: its id, kind, name and other names."""

    id: str
    kind: str
    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None

    @property
    def is_actor(self) -> bool:
        return self.kind in ACTOR_KINDS


@dataclass(frozen=True)
class Mention:
    """Where a sentence names a record: the record, the words, their place, and whether it is
    a possessive ("Trump’s tariffs") or a person the graph did not know."""

    id: str
    kind: str
    text: str
    start: int
    end: int
    possessive: bool = False
    new: bool = False
    how: str = "name"


@dataclass
class ActorIndex:
    """The names of the graph's records, and the people proposed while drafting."""

    known: list[Known]
    new: list[Known] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._exact: list[tuple[str, Known, str]] = []
        self._posts: list[tuple[str, Known]] = []
        self._rebuild()

    @classmethod
    def of_project(cls, project: Project) -> ActorIndex:
        """The index of a project's actors files and of the current tenures of its source files."""
        model = load_model()
        known: list[Known] = []
        for path in project.actor_files():
            doc = load_yaml(path, project.relative(path))
            for section, items in (doc.items() if isinstance(doc, YMap) else []):
                kind = model.kind_by_section(str(section))
                for item in items if kind is not None and isinstance(items, list) else []:
                    if isinstance(item, dict) and isinstance(item.get("id"), str) and isinstance(item.get("name"), str):
                        country = item.get("country") if isinstance(item.get("country"), str) else None
                        known.append(Known(item["id"], kind.name if kind else "", item["name"], _aliases(item), country))
        posts = {k.id: k for k in known if k.kind == "post"}
        holders = dict(_current_tenures(project))
        people = {k.id: i for i, k in enumerate(known)}
        for post, holder in holders.items():
            if post in posts and holder in people:
                person = known[people[holder]]
                extra = (posts[post].name, *posts[post].aliases)
                known[people[holder]] = Known(person.id, person.kind, person.name, person.aliases + extra, person.country)
        return cls(known)

    def by_id(self, ident: str) -> Known | None:
        return next((k for k in (*self.known, *self.new) if k.id == ident), None)

    def add_person(self, name: str) -> Known:
        """A new person, known from now on (by the full name and the surname)."""
        ident = _slug(name)
        taken = {k.id for k in (*self.known, *self.new)}
        base, number = ident, 2
        while ident in taken:
            ident, number = f"{base}-{number}", number + 1
        person = Known(ident, "person", name)
        self.new.append(person)
        self._rebuild()
        return person

    def find(self, sentence: str) -> list[Mention]:
        """The mentions of ``sentence``, in order; new people are added to the index."""
        text = _plain(sentence)
        found: list[Mention] = []

        def free(start: int, end: int) -> bool:
            return not any(m.start < end and start < m.end for m in found)

        for alias, record in self._posts:  # first: a post's name starts with a country's ("Japan's ...")
            aligned = fuzz.partial_ratio_alignment(alias.lower(), text.lower(), score_cutoff=80)
            if aligned is None or aligned.dest_end - aligned.dest_start < 0.85 * len(alias):
                continue
            start, end = _whole_words(text, aligned.dest_start, aligned.dest_end)
            if free(start, end) and not _NAME.match(text[end:].lstrip()):  # "... negotiator Jane Doe": hers
                found.append(self._mention(record, sentence, start, end, "post"))
        for alias, record, how in self._exact:
            flags = 0 if how == "name" else re.IGNORECASE
            for match in re.finditer(rf"(?<![\w.]){re.escape(alias)}(?![\w])", text, flags):
                if free(match.start(), match.end()):
                    found.append(self._mention(record, sentence, match.start(), match.end(), how))
        people = self._people()
        spellings = [(word, i) for i, k in enumerate(people) for word in {k.name, k.name.split()[-1]} if len(word) >= 4]
        for start, span in _spans(text):
            if not free(start, start + len(span)) or span.lower() in _NOT_NAMES or len(span) < 4:
                continue
            best = process.extractOne(span, [w for w, _ in spellings], scorer=fuzz.ratio, score_cutoff=85)
            if best is not None:
                record = people[spellings[best[2]][1]]
                found.append(self._mention(record, sentence, start, start + len(span), "fuzzy"))
        for start, end in _name_spans(text):
            if not free(start, end):
                continue
            if _TITLE_BEFORE.search(text[max(0, start - 40):start]) or _AFTER.search(text[end:end + 30]):
                proposed = self.add_person(text[start:end])
                found.append(self._mention(proposed, sentence, start, end, "new", new=True))
        for named in [m for m in found if m.kind == "person"]:  # "Ishiba and Akazawa": a surname beside a name
            for joined, offset in ((re.search(r"\b([A-Z][a-z]{2,})\s+and\s+$", text[:named.start]), 0),
                                  (re.match(r"\s+and\s+([A-Z][a-z]{2,})\b", text[named.end:]), named.end)):
                if joined is None or joined.group(1).lower() in _NOT_NAMES:
                    continue
                start = joined.start(1) + offset
                end = start + len(joined.group(1))
                if start > 0 and free(start, end):
                    new_person = self.add_person(joined.group(1))
                    found.append(self._mention(new_person, sentence, start, end, "new", new=True))
        return sorted(found, key=lambda m: m.start)

    def _people(self) -> list[Known]:
        return [k for k in (*self.known, *self.new) if k.kind == "person"]

    def _mention(self, record: Known, sentence: str, start: int, end: int, how: str, *, new: bool = False) -> Mention:
        possessive = bool(re.match(r"['’]s?\b", sentence[end:end + 2]))
        return Mention(record.id, record.kind, sentence[start:end], start, end, possessive, new, how)

    def _rebuild(self) -> None:
        everyone = [*self.known, *self.new]
        surnames: dict[str, list[Known]] = {}
        for record in everyone:
            if record.kind == "person" and " " in record.name:
                surnames.setdefault(record.name.split()[-1], []).append(record)
        exact: list[tuple[str, Known, str]] = []
        posts: list[tuple[str, Known]] = []
        for record in everyone:
            names = [record.name, *record.aliases]
            if record.kind == "person" and " " in record.name and len(surnames[record.name.split()[-1]]) == 1:
                names.append(record.name.split()[-1])
            for name in names:
                plain = _plain(name)
                described = plain[:1].islower() or plain.split()[0].endswith("'s")  # "Japan's top trade negotiator"
                exact.append((plain, record, "alias" if described or name in record.aliases else "name"))
                if record.kind == "person" and name != record.name and len(plain.split()) >= 3:
                    posts.append((plain, record))
        exact.sort(key=lambda e: -len(e[0]))
        self._exact, self._posts = exact, posts


def _aliases(item: dict[str, Any]) -> tuple[str, ...]:
    """A record's ``aliases``, and a country's ISO code as articles write it ("US", "U.S.")."""
    value = item.get("aliases")
    values = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    iso = item.get("iso")
    if isinstance(iso, str) and re.fullmatch(r"[A-Z]{2}", iso):
        values = [*values, iso, ".".join(iso) + "."]
    return tuple(v for v in values if isinstance(v, str) and v.strip())


def _current_tenures(project: Project) -> Iterable[tuple[str, str]]:
    """(post, holder) of every current tenure of the project's source files."""
    for path in project.source_files():
        doc = load_yaml(path, project.relative(path))
        facts = doc.get("facts") if isinstance(doc, YMap) else None
        for item in facts if isinstance(facts, list) else []:
            if isinstance(item, dict) and item.get("kind") == "tenure" and item.get("status") == "current" \
                    and isinstance(item.get("post"), str) and isinstance(item.get("holder"), str):
                yield item["post"], item["holder"]


def _spans(text: str) -> Iterable[tuple[int, str]]:
    """Each run of capitalised words, then each of its words alone (a misspelt surname after
    "Then" or a title)."""
    for run in _CAPITALISED.finditer(text):
        yield run.start(), run.group(0).rstrip(".")
        for word in re.finditer(r"[^\s]+", run.group(0)):
            if word.group(0) != run.group(0):
                yield run.start() + word.start(), word.group(0).rstrip(".")


def _name_spans(text: str) -> Iterable[tuple[int, int]]:
    """Runs of two or three capitalised words that could be a person's name, titles set aside
    ("Commerce Secretary Jane Doe" -> "Jane Doe")."""
    for run in _CAPITALISED.finditer(text):
        words = [(m.start() + run.start(), m.end() + run.start()) for m in re.finditer(r"[^\s.]+", run.group(0))]
        titles = [i for i, (a, b) in enumerate(words) if text[a:b].lower() in _NOT_NAMES]
        words = words[titles[-1] + 1:] if titles else words
        if 2 <= len(words) <= 3 and all(re.fullmatch(_NAME_WORD, text[a:b]) for a, b in words):
            yield words[0][0], words[-1][1]


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end


def _plain(text: str) -> str:
    """``text`` with curly quote marks straightened, of the same length (offsets stay)."""
    return text.translate(str.maketrans("’‘“”", "''\"\""))


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "person"
