"""Date expressions of an article resolved against its publication date, each with its rule.

A resolved date is never more precise than the words: "Friday" is a day, "next week" a week
(Monday to Sunday), "last month" a month, "since April" an interval open at its end. Each
:class:`DateExpr` keeps the words (``text``), the first and last day they can mean, and the
rule used (``how``), which goes into the draft's ``when:`` block for the reviewer to judge.

The rules, stated once:

- a weekday alone ("on Friday", "Tuesday") is the most recent such day on or before the
  publication date, unless the clause speaks of the future ("will", "is set to", "plans",
  "is/are" with no past-tense verb): then the first such day on or after it;
- "last Friday" is the most recent Friday before the publication day, "next Friday" the first
  after it, "this Friday" the Friday of the publication week (weeks run Monday to Sunday);
- "this week" is the publication week, cut at the publication date when the clause speaks
  of the past (up to it) or the future (from it); "last week", "next week" the weeks before
  and after; "earlier this week/month" runs from the week's/month's start to the day before
  publication, "later this week/month" from the day after to its end;
- "this/last/next month" and "this/last/next year" are the calendar month or year;
- "July 19", "Aug. 1", "19 July" are days of the publication year (of the year written, if
  any); "April", "in April", "since April" are months of the publication year, or of the
  year before when the month is after the publication's in a clause about the past;
- "today", "yesterday", "tomorrow" are the days they say.

>>> [(e.text, str(e.first), str(e.last)) for e in find_dates("He said Tuesday that it is rude.", date(2025, 7, 11))]
[('Tuesday', '2025-07-08', '2025-07-08')]
>>> e = find_dates("She aims to visit next week.", date(2025, 7, 19))[0]
>>> (str(e.first), str(e.last), e.precision)
('2025-07-21', '2025-07-27', 'week')
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?[0-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)[0-9]{2}))?"
_WEEKDAY = r"(?P<weekday>" + "|".join(WEEKDAYS) + r")"

#: The expressions, most specific first; each match is taken once (no overlaps).
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE)) for name, pattern in (
        ("month-day", r"\b" + _MONTH + r"\s+" + _DAY + r"\b" + _YEAR),
        ("day-month", r"\b" + _DAY + r"\s+" + _MONTH + r"\b" + _YEAR),
        ("shifted-week", r"\b(?P<shift>earlier|later)\s+this\s+(?P<unit>week|month|year)\b"),
        ("relative-unit", r"\b(?P<which>this|last|next|past|coming)\s+(?P<unit>week|month|year)\b"),
        ("relative-weekday", r"\b(?P<which>this|last|next|coming)\s+" + _WEEKDAY + r"\b"),
        ("weekday", r"\b" + _WEEKDAY + r"\b"),
        ("since-month", r"\b(?P<since>since|from)\s+" + _MONTH + r"\b" + _YEAR),
        ("month", r"\b(?P<prep>in|by|until|during|early|late|mid-?)\s+" + _MONTH + r"\b" + _YEAR),
        ("day-word", r"\b(?P<word>today|tonight|yesterday|tomorrow)\b"),
    ))

_FUTURE = re.compile(r"(\bwill|'ll|’ll|\bshall|\bset to|\bplans? to|\bplanning|\baims? to|\baiming|"
                     r"\bexpected to|\bgoing to|\bupcoming|\bahead|\bscheduled|\bis|\bare|\bheads? into|\bdue to)\b",
                     re.IGNORECASE)
_PAST = re.compile(r"\b(said|told|was|were|had|did|didn't|didn’t|met|held|made|took|went|came|"
                   r"spoke|wrote|led|left|sent|[a-z]{2,}ed)\b", re.IGNORECASE)
_NOT_PAST = {"red", "need", "speed", "seed", "feed", "indeed", "united", "based", "related", "limited",
             "proposed", "expected", "scheduled", "planned", "advanced", "interested", "concerned",
             "supposed", "confirmed"}
_CLAUSE = re.compile(r"[,;:—–()]|\band\b|\bbut\b|\bafter\b|\bbefore\b|\bwhen\b|\bwho\b|\bwhich\b")


@dataclass(frozen=True)
class DateExpr:
    """A date expression of a sentence: its words, where they are, what they can mean, and why."""

    text: str
    start: int
    end: int
    first: date | None
    last: date | None
    precision: str   # day, week, month, year or interval (the vocabulary of facts/when.py)
    how: str

    def when(self) -> dict[str, object]:
        """The ``when:`` block of a fact file for it (``date`` for one day, month or year)."""
        block: dict[str, object] = {}
        if self.precision == "day" and self.first == self.last:
            block["date"] = self.first.isoformat() if self.first else None
        elif self.precision == "month" and self.first and self.last and self.first.day == 1 \
                and self.first.month == self.last.month and self.last == _month_end(self.first):
            block["date"] = self.first.isoformat()[:7]
        else:
            if self.first:
                block["from"] = self.first.isoformat()
            if self.last:
                block["to"] = self.last.isoformat()
            if self.precision in ("week", "month", "year"):
                block["precision"] = self.precision
        block["text"] = self.text
        block["how"] = self.how
        return block


def find_dates(sentence: str, published: date) -> list[DateExpr]:
    """Every date expression of ``sentence``, in order, resolved against ``published``."""
    taken: list[tuple[int, int]] = []
    found: list[DateExpr] = []
    for name, pattern in _PATTERNS:
        for match in pattern.finditer(sentence):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            resolved = _resolve(name, match, sentence, published)
            if resolved is not None:
                taken.append((match.start(), match.end()))
                found.append(resolved)
    return sorted(found, key=lambda e: e.start)


def tense(sentence: str, start: int, end: int) -> str:
    """``"past"``, ``"future"`` or ``""`` (not told): the tense of the clause around ``start:end``.

    >>> tense("He said Tuesday that it is rude.", 8, 15)
    'past'
    >>> tense("The election on Sunday is ahead.", 16, 22)
    'future'
    """
    clause, offset = _clause(sentence, start, end)
    marks: list[tuple[int, str]] = []
    for pattern, told in ((_FUTURE, "future"), (_PAST, "past")):
        for m in pattern.finditer(clause):
            if told == "future" or m.group(0).lower() not in _NOT_PAST:
                marks.append((m.start() + offset, told))
    before = [(position, told) for position, told in marks if position < start]
    after = [(position, told) for position, told in marks if position >= end]
    if before:
        return max(before)[1]  # the nearest verb before the date governs it
    return min(after)[1] if after else ""


def _clause(sentence: str, start: int, end: int) -> tuple[str, int]:
    """The clause holding ``start:end`` (from the last break before to the next after), and
    where it starts; the whole sentence when the clause holds no other words."""
    before = [m.end() for m in _CLAUSE.finditer(sentence, 0, start)]
    after = _CLAUSE.search(sentence, end)
    first = before[-1] if before else 0
    clause = sentence[first: after.start() if after else len(sentence)]
    if not re.search(r"[a-z]{3,}", clause.replace(sentence[start:end], "")):
        return sentence, 0
    return clause, first


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _long(day: date) -> str:
    return f"{day.strftime('%A')} {day.day} {day.strftime('%B %Y')}"


def _resolve(name: str, match: re.Match[str], sentence: str, published: date) -> DateExpr | None:
    text, start, end = match.group(0), match.start(), match.end()
    told = tense(sentence, start, end)
    groups = match.groupdict()
    pub = _long(published)

    def make(first: date | None, last: date | None, precision: str, how: str) -> DateExpr:
        return DateExpr(text, start, end, first, last, precision, how)

    if name in ("month-day", "day-month"):
        month = _MONTHS[groups["month"].lower()]
        year = int(groups["year"]) if groups["year"] else published.year
        try:
            day = date(year, month, int(groups["day"]))
        except ValueError:
            return None
        how = "the year written" if groups["year"] else f"the year of publication ({published.year})"
        return make(day, day, "day", how)
    if name == "weekday" or name == "relative-weekday":
        target = WEEKDAYS.index(groups["weekday"].lower())
        which = (groups.get("which") or "").lower()
        return make(*_weekday(target, which, told, published), "day", _weekday_how(which, told, pub))
    if name == "day-word":
        word = groups["word"].lower()
        offset = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}[word]
        day = published + timedelta(days=offset)
        return make(day, day, "day", f"{word}, counted from the publication date, {pub}")
    if name in ("relative-unit", "shifted-week"):
        return _unit(groups, told, published, make)
    month = _MONTHS[groups["month"].lower()]
    year = int(groups["year"]) if groups["year"] else published.year
    how = "the year written" if groups["year"] else f"the year of publication ({published.year})"
    if not groups["year"] and month > published.month and (told == "past" or name == "since-month"):
        year -= 1
        how = f"the year before publication ({year}): {calendar.month_name[month]} {published.year} was still ahead"
    first = date(year, month, 1)
    if name == "since-month":
        return make(first, None, "interval", f"from {calendar.month_name[month]} {year} ({how}); open-ended")
    return make(first, _month_end(first), "month", how)


def _weekday(target: int, which: str, told: str, published: date) -> tuple[date, date]:
    back = (published.weekday() - target) % 7        # days back to the most recent, 0 = today
    ahead = (target - published.weekday()) % 7       # days ahead to the next, 0 = today
    if which == "last":
        day = published - timedelta(days=back or 7)
    elif which in ("next", "coming"):
        day = published + timedelta(days=ahead or 7)
    elif which == "this":
        day = published + timedelta(days=target - published.weekday())
    elif told == "future":
        day = published + timedelta(days=ahead)
    else:
        day = published - timedelta(days=back)
    return day, day


def _weekday_how(which: str, told: str, pub: str) -> str:
    if which == "last":
        return f"the most recent such day before the publication date, {pub}"
    if which in ("next", "coming"):
        return f"the first such day after the publication date, {pub}"
    if which == "this":
        return f"that day of the publication week (Monday to Sunday) of {pub}"
    if told == "future":
        return f"the first such day on or after the publication date, {pub} (the clause speaks of the future)"
    return f"the most recent such day on or before the publication date, {pub}"


def _unit(groups: dict[str, str], told: str, published: date, make: object) -> DateExpr:
    unit = groups["unit"].lower()
    which = (groups.get("which") or "this").lower()
    shift = (groups.get("shift") or "").lower()
    step = {"last": -1, "past": -1, "next": 1, "coming": 1}.get(which, 0)
    if unit == "week":
        monday = published - timedelta(days=published.weekday()) + timedelta(weeks=step)
        first, last = monday, monday + timedelta(days=6)
        span = f"{first.isoformat()} to {last.isoformat()}"
        name = {-1: "the week before the publication week", 1: "the week after the publication week",
                0: "the publication week"}[step] + " (Monday to Sunday)"
    elif unit == "month":
        first = _add_months(published.replace(day=1), step)
        last, span = _month_end(first), first.strftime("%B %Y")
        name = {-1: "the month before the publication month", 1: "the month after the publication month",
                0: "the publication month"}[step]
    else:
        first = date(published.year + step, 1, 1)
        last, span = date(published.year + step, 12, 31), str(published.year + step)
        name = {-1: "the year before the publication year", 1: "the year after the publication year",
                0: "the publication year"}[step]
    pub = _long(published)
    precision = unit
    if step == 0 and shift == "earlier":
        last, precision = published - timedelta(days=1), "interval"
        name = f"{name}, before the publication date"
    elif step == 0 and shift == "later":
        first, precision = published + timedelta(days=1), "interval"
        name = f"{name}, after the publication date"
    elif step == 0 and unit == "week" and told == "past":
        last = published
        name = f"{name}, up to the publication date (the clause speaks of the past)"
    elif step == 0 and unit == "week" and told == "future":
        first = published
        name = f"{name}, from the publication date (the clause speaks of the future)"
    assert callable(make)
    result = make(first, last, precision, f"{name}: {span}, counted from {pub}")
    assert isinstance(result, DateExpr)
    return result
