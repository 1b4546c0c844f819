"""Dates as the sources give them: a day, a month, a year, or an uncertain interval.

A fact's date is never more precise than its source. ``when`` in a fact file is either a
plain value (``2025-07-19``, ``2025-07``, ``2025``) or a mapping::

    when:
      text: last month            # the source's words
      from: 2025-06               # earliest possible (a month starts on its first day)
      to: 2025-06                 # latest possible (a month ends on its last day); omit if open
      how: the article was published in July 2025, so "last month" is June 2025

>>> parse_when("2025-06", Location("x.yaml", 3))
TimeSpec(earliest=datetime.date(2025, 6, 1), latest=datetime.date(2025, 6, 30), precision='month', text=None, how=None)
>>> parse_when({"from": "2025-04"}, Location("x.yaml", 3)).latest is None
True
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from tradegraph.errors import InvalidData, Location

_FORMS = "a date like 2025-07-19, a month like 2025-07 or a year like 2025"
_PATTERN = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_KEYS = {"text", "date", "from", "to", "how", "precision"}
PRECISIONS = ("day", "week", "month", "year", "interval")


@dataclass(frozen=True)
class TimeSpec:
    """An instant or interval with its bounds (either may be open), precision and wording."""

    earliest: date | None
    latest: date | None
    precision: str
    text: str | None = None
    how: str | None = None


def _bounds(value: Any, where: Location, what: str) -> tuple[date, date, str]:
    """The first and last day a date value can mean, and its precision."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidData(f"{what} is not a date: {value!r}", where=where, expected=_FORMS)
    match = _PATTERN.fullmatch(str(value).strip())
    if not match:
        raise InvalidData(f"{what} is not a date: {value!r}", where=where, expected=_FORMS,
                          hint="write dates as YYYY-MM-DD; keep the words of the source in `text:`")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31), "year"
        last = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
        if day is None:
            return date(year, month, 1), date(year, month, last), "month"
        return date(year, month, day), date(year, month, day), "day"
    except ValueError:
        raise InvalidData(f"{what} is an impossible date: {value!r}", where=where,
                          expected=_FORMS,
                          hint="months run 01-12 and days to the month's last day") from None


def parse_when(value: Any, where: Location, what: str = "the date") -> TimeSpec:
    """Turn a ``when`` value from a fact file into a :class:`TimeSpec`."""
    if not isinstance(value, dict):
        return TimeSpec(*_bounds(value, where, what))
    unknown = sorted(set(value) - _KEYS)
    if unknown:
        raise InvalidData(f"unknown key '{unknown[0]}' in {what}", where=where,
                          expected="text, date, from, to, how or precision")
    text, how = value.get("text"), value.get("how")
    for name, item in (("text", text), ("how", how)):
        if item is not None and not isinstance(item, str):
            raise InvalidData(f"`{name}` of {what} is not text: {item!r}", where=where,
                              expected="a line of text")
    earliest: date | None
    latest: date | None
    if "date" in value:
        if "from" in value or "to" in value:
            raise InvalidData(f"{what} has both `date` and `from`/`to`", where=where,
                              expected="either one date or a from/to range")
        earliest, latest, precision = _bounds(value["date"], where, what)
    elif "from" in value or "to" in value:
        earliest = _bounds(value["from"], where, f"`from` of {what}")[0] if "from" in value else None
        latest = _bounds(value["to"], where, f"`to` of {what}")[1] if "to" in value else None
        precision = "interval"
        if earliest and latest and latest < earliest:
            raise InvalidData(f"{what} ends before it starts ({latest} < {earliest})",
                              where=where, expected="`to` on or after `from`",
                              hint="swap `from` and `to`?")
    else:
        raise InvalidData(f"{what} has neither `date` nor `from`/`to`", where=where,
                          expected=f"`date:` ({_FORMS}) or a `from:`/`to:` range")
    precision = value.get("precision", precision)
    if precision not in PRECISIONS:
        raise InvalidData(f"unknown precision {precision!r} in {what}", where=where,
                          expected=", ".join(PRECISIONS))
    return TimeSpec(earliest, latest, precision, text, how)
