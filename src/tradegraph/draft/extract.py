"""An article's sentences turned into proposed records: events, statements, measures.

Each proposal keeps its sentence verbatim as ``evidence`` and is marked ``draft: proposed``.
The rules are the domain's, stated here and nowhere else:

- an event comes from the sentence's verb: met / talks / meeting (a meeting; a round of talks
  when a delegation or round is named), called / phone (a phone call), visited / toured /
  hosted / arrival (a visit), trip / travelled (a trip), ceremony, national day (an occasion),
  election, a letter or an announcement; its participants are the people the sentence names
  (a pronoun is the last person named before), its date the sentence's date expression (or,
  when it has none, the day the story last named, in this paragraph or the one before; an
  event with no date at all is not proposed), its place the first
  place it names, its mode "phone" or "in person" when the words say so;
- a quote (“...”) is a statement of the person the sentence says said, told or wrote it ("he"
  is the last person named before); "NAME said (that) ..." without a quote is one too;
- a percentage near a tariff word (tariff, levy, duty) is a measure candidate, with the goods
  the graph's topics name in the sentence as its scope;
- hedges are kept: "according to X" and "reportedly" make the status ``reported`` and the
  words its ``attribution``; "plans to", "aims to", "is set to", "will" make it ``planned``;
  "possible", "potential", "may", "no sign" ``uncertain``; "missed", "did not" ``did-not-happen``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import pairwise
from typing import Any

import pysbd  # type: ignore[import-untyped]  # pysbd ships no type information

from tradegraph.draft.actors import ActorIndex, Known, Mention
from tradegraph.draft.dates import DateExpr, find_dates, tense

_SEGMENTER = pysbd.Segmenter(language="en", clean=False)
_PRONOUN = re.compile(r"\b(he|she)\b", re.IGNORECASE)
_THEY = re.compile(r"\bthey\b", re.IGNORECASE)
#: Where a sentence splits into clauses that may tell different events.
_CLAUSES = re.compile(r",?\s+(?=(?:after|before|while|when)\s)|,\s+(?=(?:but|who|which|is|are|was|were)\s)|;\s+")
#: A correction notice, which tells of the article, not of events.
_CORRECTION = re.compile(r"^\(?\s*Correct(s|ion|ed)\b")
_SPEECH = r"(said|says|told|tells|wrote|writes|added|stated|posted)"
_EVENTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((kind, re.compile(p, re.IGNORECASE)) for kind, p in (
    ("letter", r"\bletters?\b"),
    ("election", r"\belections?\b"),
    ("ceremony", r"\bceremon(y|ies)\b"),
    ("phone-call", r"\b(called|phoned|phone calls?|call with|spoke by phone|on the phone)\b"),
    ("talks", r"\b(round of talks|trade talks|negotiations with)\b"),
    ("meeting", r"\b(met|meets|meet|meeting|meetings|held talks|talks with|talks on|talked|conversations?)\b"),
    ("visit", r"\b(visit|visits|visited|visiting|toured|tour|hosting|hosted|hosts|arrival|arrived)\b"),
    ("trip", r"\b(trips?|travell?ed|travels)\b"),
    ("occasion", r"\bnational day\b"),
    ("announcement", r"\b(announced|announces|unveiled)\b"),
))
_HEDGES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((status, re.compile(p, re.IGNORECASE)) for status, p in (
    ("did-not-happen", r"\b(missed|cancell?ed|called off|(did not|didn['’]t) (meet|take place|happen))\b"),
    ("reported", r"\b(according to [^,.;]+|reportedly|is said to|are said to|reports say)"),
    ("uncertain", r"\b(possible|potential|may|might|could|no sign(al)?( yet)?|unclear)\b"),
    ("planned", r"\b(plans? to|planning to|aims? to|aiming to|is set to|are set to|will|['’]ll|scheduled to|"
                r"expected to|to visit|heads? into)\b"),
))
_PERCENT = re.compile(r"(?P<rate>[0-9]+(?:\.[0-9]+)?)\s?(%|percent|per cent)")
_TARIFF = re.compile(r"\b(tariffs?|levy|levies|duty|duties)\b", re.IGNORECASE)
_PAST = re.compile(r"[a-z]+ed|met|held|told|said|wrote|sent|spoke|took|went|came", re.IGNORECASE)
_QUOTE = re.compile(r"“([^”]+)”|\"([^\"]+)\"")


@dataclass
class Proposal:
    """One proposed record: its fields in the order they are written, and what the benchmark reads."""

    record: dict[str, Any]
    sentence: str
    participants: tuple[str, ...] = ()
    dates: tuple[DateExpr, ...] = ()
    rate: float | None = None
    scope: tuple[str, ...] = ()


@dataclass
class Draft:
    """What an article yields: proposals in the article's order, the people it named that the
    graph did not know, and the date expressions of every sentence."""

    proposals: list[Proposal] = field(default_factory=list)
    new_people: list[Known] = field(default_factory=list)
    dates: list[tuple[str, DateExpr]] = field(default_factory=list)


def sentences(text: str) -> list[tuple[int, str]]:
    """The article's sentences with their paragraph's number: each line a paragraph, split by
    pysbd, and a quote that runs over several sentences kept as one.

    >>> sentences("“We will win. We always do,” he said. Then he left.\\nNext.")
    [(0, '“We will win. We always do,” he said.'), (0, 'Then he left.'), (1, 'Next.')]
    """
    found: list[tuple[int, str]] = []
    for number, paragraph in enumerate(line for line in text.splitlines() if line.strip()):
        pending = ""
        for piece in _SEGMENTER.segment(paragraph):
            pending = f"{pending}{piece}" if pending else piece
            if pending.count("“") <= pending.count("”") and pending.count('"') % 2 == 0:
                found.append((number, pending.strip()))
                pending = ""
        if pending.strip():
            found.append((number, pending.strip()))
    return found


def draft_text(text: str, *, published: date, index: ActorIndex, source: str) -> Draft:
    """Propose records for ``text``, an article published on ``published``, as facts of ``source``."""
    draft = Draft()
    ids: set[str] = set()
    recent: list[str] = []   # the people named so far, the last named last
    carried: tuple[int, DateExpr] | None = None
    for paragraph, sentence in sentences(text):
        mentions = index.find(sentence)
        dates = find_dates(sentence, published)
        draft.dates.extend((sentence, d) for d in dates)
        people = [m for m in mentions if m.kind == "person"]
        pronoun = next((p for p in _PRONOUN.finditer(sentence)
                        if not any(m.start <= p.start() < m.end for m in mentions)), None)
        referent = recent[-1] if pronoun and recent else None
        if _THEY.search(_outside_quotes(sentence)) and len(recent) >= 2:
            people = people + [Mention(ident, "person", "they", 0, 0) for ident in recent[-2:]]
        carry = replace(carried[1], how=f"said in an earlier sentence ({carried[1].how})") \
            if carried and carried[0] >= paragraph - 1 else None
        for proposal in _proposals(sentence, mentions, people, dates, carry, referent, pronoun, index, published):
            same = next((p for p in draft.proposals if _same_event(p, proposal)), None)
            if same is not None:  # told again: one record, both sentences as its evidence
                evidence = same.record["evidence"]
                same.record["evidence"] = [*(evidence if isinstance(evidence, list) else [evidence]), sentence]
                continue
            proposal.record = {"id": _unique(proposal.record.pop("id"), ids), **proposal.record}
            draft.proposals.append(proposal)
            if carry is not None and carried is not None and carry in proposal.dates:
                carried = (paragraph, carried[1])  # the story still tells of that day
        named = [m.id for m in people if not m.possessive and m.text != "they"]
        recent = [r for r in recent if r not in named] + named
        if dates and dates[-1].precision == "day":
            carried = (paragraph, dates[-1])
    draft.new_people = list(index.new)
    return draft


def _proposals(sentence: str, mentions: list[Mention], people: list[Mention], dates: list[DateExpr],
               carry: DateExpr | None, referent: str | None, pronoun: re.Match[str] | None, index: ActorIndex,
               published: date) -> list[Proposal]:
    proposals: list[Proposal] = []
    subject = _unique_ids([m.id for m in people if not m.possessive] + ([referent] if referent else []))[:1]
    statement = _statement(sentence, people, referent, dates[0] if dates else None, published)
    if statement is not None:
        proposals.append(statement)
    bounds = [0, *(m.end() for m in _CLAUSES.finditer(sentence)), len(sentence) + 1]
    if _CORRECTION.match(sentence):
        bounds = []
    narrative = _outside_quotes(sentence)
    for start, end in pairwise(bounds):
        inside = [m for m in people if start <= m.start < end or m.text == "they"]
        day = next((d for d in dates if start <= d.start < end), None) or (dates[0] if dates else carry)
        event = _clause_event(sentence, narrative[start:end], start, inside, mentions, subject, referent, pronoun, day,
                              statement is not None, published, index)
        if event is not None:
            proposals.append(event)
    proposals.extend(_measures(sentence, mentions, index, dates[0] if dates else None))
    return proposals


def _clause_event(sentence: str, clause: str, offset: int, people: list[Mention], mentions: list[Mention],
                  subject: list[str], referent: str | None, pronoun: re.Match[str] | None, day: DateExpr | None,
                  has_statement: bool, published: date, index: ActorIndex) -> Proposal | None:
    """The first event the clause's verbs tell, if its participants are named."""
    found = sorted(((m.start(), kind, m) for kind, pattern in _EVENTS for m in [pattern.search(clause)] if m),
                   key=lambda item: item[0])
    for position, kind, match in found:
        trigger = offset + position
        named = [m.id for m in people if not m.possessive or 0 <= trigger - m.end <= 4]
        if referent and pronoun and offset <= pronoun.start() < offset + len(clause) and not any(
                m.end <= pronoun.start() for m in people):
            named.append(referent)
        participants = _unique_ids(named)
        hosting = kind == "visit" and match.group(0).lower().startswith("host")
        if (kind in ("meeting", "phone-call", "talks") or hosting or (kind in ("visit", "trip") and not participants)) \
                and subject and subject[0] not in participants:
            participants = _unique_ids(subject + participants)
        if kind == "talks":
            participants += _counterparts(clause, mentions, index, offset)
        if kind == "occasion" and participants:
            continue
        if kind in ("meeting", "phone-call", "talks") and len(participants) < 2:
            continue
        if kind in ("visit", "trip", "ceremony", "letter", "announcement") and not participants:
            continue
        if kind == "election" and not any(m.kind == "country" for m in mentions):
            continue
        if day is None:
            continue  # an event needs a date, and the text gives none: no guess
        if kind in ("announcement", "letter") and has_statement:
            continue
        if kind == "announcement" and re.search(r"\bletter\b", clause, re.IGNORECASE):
            kind = "letter"
        status, attribution = _hedge(clause)
        if status == "planned" and _PAST.fullmatch(match.group(0)):
            status = ""  # "announced ... he'll raise": the announcement happened
        here = [m for m in mentions if offset <= m.start < offset + len(clause)]
        places = [m for m in here if m.kind == "place"] or [m for m in mentions if m.kind == "place"]
        return _event(kind, sentence, places + here, participants, day, status, attribution, published, index)
    return None


def _same_event(old: Proposal, new: Proposal) -> bool:
    """Whether two proposals are one event told twice: same kind, participants and dates."""
    a, b = old.record, new.record
    return a["kind"] == b["kind"] and a["kind"] not in ("statement", "claim") and \
        set(old.participants) == set(new.participants) and a.get("when", {}).get("text") is not None and \
        {k: v for k, v in a["when"].items() if k != "text"} == {k: v for k, v in b["when"].items() if k != "text"}


def _outside_quotes(sentence: str) -> str:
    """``sentence`` with the words inside quote marks blanked (same length): a quote is speech,
    and its verbs tell no event of the article's own."""
    return _QUOTE.sub(lambda m: " " * len(m.group(0)), sentence)


def _counterparts(clause: str, mentions: list[Mention], index: ActorIndex, offset: int) -> list[str]:
    """The governments of the countries a clause names after "with" ("talks with the US")."""
    found: list[str] = []
    for mention in mentions:
        if mention.kind == "country" and offset <= mention.start < offset + len(clause) and re.search(
                r"\bwith\s+(the\s+)?$", clause[:mention.start - offset]):
            government = next((k.id for k in index.known if k.kind == "government" and k.country == mention.id), None)
            found.append(government or mention.id)
    return found


def _event(kind: str, sentence: str, mentions: list[Mention], participants: list[str], day: DateExpr | None,
           status: str, attribution: str | None, published: date, index: ActorIndex) -> Proposal:
    told = tense(sentence, 0, len(sentence)) if day is None else tense(sentence, day.start, day.end)
    if not status:
        status = "planned" if told == "future" else "happened"
    record: dict[str, Any] = {"id": "-".join([*participants[:2], kind, day.first.isoformat()
                                              if day and day.first else "undated"]),
                              "kind": kind, "draft": "proposed"}
    if kind == "letter" or kind == "announcement":
        record["speaker"] = participants[0]
    elif kind == "election":
        record["country"] = next(m.id for m in mentions if m.kind == "country")
    else:
        record["participants"] = participants
    place = next((m.id for m in mentions if m.kind == "place"), None)
    if kind == "trip" and place is None:
        kind, record["kind"] = "visit", "visit"  # a trip needs its destination; a visit does not
    if place and kind not in ("letter", "announcement", "election"):
        record["destination" if kind == "trip" else "place"] = place
    if re.search(r"\b(phone|by telephone)\b", sentence, re.IGNORECASE) and kind not in ("letter", "election"):
        record["mode"] = "phone"
    elif re.search(r"\bin[- ]person\b|\btoured\b", sentence, re.IGNORECASE) and kind not in ("letter", "election"):
        record["mode"] = "in-person"
    record["when"] = _when(day, published, "future" if status == "planned" else "past")
    record["status"] = status
    if attribution:
        record["attribution"] = attribution
    record["evidence"] = sentence
    return Proposal(record, sentence, tuple(participants), (day,) if day else ())


def _statement(sentence: str, people: list[Mention], referent: str | None, day: DateExpr | None,
               published: date) -> Proposal | None:
    quotes = [q.group(1) or q.group(2) for q in _QUOTE.finditer(sentence)]
    speaker = _speaker(sentence, people, referent, bool(quotes))
    if speaker is None:
        return None
    record: dict[str, Any] = {"id": f"{speaker}-statement-{day.first.isoformat() if day and day.first else 'undated'}",
                              "kind": "statement", "draft": "proposed", "speaker": speaker}
    if quotes:
        record["quote"] = [q.strip().rstrip(",").strip() for q in quotes] if len(quotes) > 1 \
            else quotes[0].strip().rstrip(",").strip()
    else:  # reported speech: the words after the verb of speech, for the reviewer to put in their own
        said = re.search(rf"\b{_SPEECH}\b(\s+(that|reporters|journalists))?\s+", sentence)
        account = sentence[said.end():] if said and len(sentence) - said.end() > 20 else sentence
        record["summary"] = account[:1].upper() + account[1:]
    if re.search(r"\bwrote on X\b|\bon X\b|\bposted\b", sentence):
        record["medium"] = "X" if re.search(r"\bon X\b", sentence) else "social media"
    record["when"] = _when(day, published, "past")
    record["evidence"] = sentence
    return Proposal(record, sentence, (speaker,), (day,) if day else ())


def _speaker(sentence: str, people: list[Mention], referent: str | None, quoted: bool) -> str | None:
    """Who says the sentence's words: "NAME said", "said NAME", "he said" (the last person
    named before), or for a quote with no verb of speech the person named just before it."""
    for person in people:
        after = sentence[person.end:person.end + 40]
        before = sentence[max(0, person.start - 12):person.start]
        if re.match(rf"\s+(also\s+|has\s+|had\s+)?{_SPEECH}\b", after) or re.search(rf"\b{_SPEECH}\s+$", before):
            return person.id
    if referent and re.search(rf"\b(he|she)\s+(also\s+|has\s+|had\s+)?{_SPEECH}\b", sentence, re.IGNORECASE):
        return referent
    if quoted:
        opening = sentence.find("“") if "“" in sentence else sentence.find('"')
        named = [p for p in people if p.end <= opening and not p.possessive]
        if named:
            return named[-1].id
        if referent and opening == 0:
            return referent
    return None


def _measures(sentence: str, mentions: list[Mention], index: ActorIndex, day: DateExpr | None) -> list[Proposal]:
    if not _TARIFF.search(sentence):
        return []
    found: list[Proposal] = []
    scope = tuple(dict.fromkeys(_topics(sentence, index)))
    for match in _PERCENT.finditer(sentence):
        rate = float(match.group("rate"))
        label = f"{match.group(0)} tariff" + (f" on {', '.join(scope)}" if scope else "")
        record: dict[str, Any] = {"id": f"tariff-{match.group('rate').replace('.', '-')}"
                                        + (f"-{scope[0]}" if scope else ""),
                                  "kind": "claim", "draft": "proposed",
                                  "summary": f"Measure candidate: {label}.",
                                  "note": "a measure candidate: make it a `tariff` with imposed_by, target, rate "
                                          f"{match.group('rate')}, scope and status once checked",
                                  "evidence": sentence}
        about = [m.id for m in mentions if m.kind == "country"] + list(scope)
        if about:
            record["about"] = list(dict.fromkeys(about))
        found.append(Proposal(record, sentence, (), (day,) if day else (), rate=rate, scope=scope))
    return found


def _topics(sentence: str, index: ActorIndex) -> list[str]:
    """The topics of the graph the sentence names (a name's words, plural or not, or the words
    in its parentheses: "All goods (across-the-board)")."""
    lowered = sentence.lower()
    found: list[str] = []
    for record in index.known:
        if record.kind != "topic":
            continue
        names = [record.name, *record.aliases, *re.findall(r"\(([^)]+)\)", record.name)]
        for name in names:
            words = re.sub(r"\([^)]*\)", "", name).lower().strip()
            if not words or _TARIFF.fullmatch(words):
                continue
            singular = re.sub(r"s\b", "", words)
            if re.search(rf"\b({re.escape(words)}|{re.escape(singular)})\b", lowered):
                found.append(record.id)
                break
    return sorted(found, key=lambda t: -len(t))


def _hedge(sentence: str) -> tuple[str, str | None]:
    """The status a sentence's hedge gives (``""`` for none) and its attribution, in its words."""
    for status, pattern in _HEDGES:
        match = pattern.search(sentence)
        if match:
            attribution = match.group(0) if status == "reported" else None
            return status, attribution
    return "", None


def _when(day: DateExpr | None, published: date, told: str) -> dict[str, object]:
    if day is not None:
        return day.when()
    if told == "future":
        return {"from": published.isoformat(), "how": "after the publication date; the sentence gives no date"}
    return {"to": published.isoformat(), "how": "on or before the publication date; the sentence gives no date"}


def _before_name(pronoun: re.Match[str], people: list[Mention]) -> bool:
    """Whether a person is named before the pronoun in the sentence (then "he" is that person)."""
    return any(m.end <= pronoun.start() for m in people)


def _unique_ids(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def _unique(ident: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9-]+", "-", ident.lower()).strip("-") or "draft"
    ident, number = base, 2
    while ident in taken:
        ident, number = f"{base}-{number}", number + 1
    taken.add(ident)
    return ident


