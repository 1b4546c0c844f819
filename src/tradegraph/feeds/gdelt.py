"""GDELT 2.0 event records (tab-separated, 61 columns, no header; plain or gzip) read as coded events.

The columns used (0-based): 0 ``GlobalEventID``, 1 ``Day`` (YYYYMMDD), 5-7 and 12
``Actor1Code``, ``Actor1Name``, ``Actor1CountryCode``, ``Actor1Type1Code``, 15-17 and 22 the
same of Actor2, 26 ``EventCode`` (CAMEO), 51-52 ``ActionGeo_Type`` and ``ActionGeo_FullName``,
59 ``DATEADDED`` (YYYYMMDDHHMMSS) and 60 ``SOURCEURL``. An actor with a type code (``GOV``,
``MIL``, ...) is its country's body of that type (its name, such as "PRESIDENT", is a role,
not a name); one without is named by ``ActorName``. A location of type 1 is a country, found
by its name (GDELT's location country codes are FIPS 10-4, not ISO, and are not used).

>>> import tempfile, pathlib
>>> row = ["1", "20250718"] + [""] * 59
>>> row[5:8], row[12], row[26] = ["USAGOV", "UNITED STATES", "USA"], "GOV", "042"
>>> row[15:18], row[22] = ["JPNGOV", "JAPAN", "JPN"], "GOV"
>>> row[59], row[60] = "20250718120000", "https://example.org/a"
>>> path = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
>>> _ = path.write_text("\\t".join(row) + "\\n" + "\\t".join(row[:57]) + "\\n")
>>> first, second = read_gdelt(path, "events.csv", Unmapped())
>>> first.mapping.kind, first.actors[0].key, first.recipients[0].key, first.url
('visit', 'USA GOV', 'JPN GOV', 'https://example.org/a')
>>> second.what
'the row has 57 tab-separated columns'
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tradegraph.errors import InvalidData, Location
from tradegraph.feeds.coded import CodedActor, CodedEvent, CodedPlace, Unmapped, day, feed_lines, text
from tradegraph.feeds.mapping import EventMapping, event_table

COLUMNS = 61
_ID, _DAY, _EVENT_CODE, _GEO_TYPE, _GEO_NAME, _ADDED, _URL = 0, 1, 26, 51, 52, 59, 60
_ACTOR1, _ACTOR2 = 5, 15  # Code, Name, CountryCode follow; Type1Code is 7 columns after the code


def read_gdelt(path: Path, shown: str, unmapped: Unmapped) -> Iterator[CodedEvent | InvalidData]:
    """The feed's rows as coded events, in order; a bad row is an error naming its line.

    A row whose CAMEO code no mapping row covers is counted in ``unmapped`` and left out.
    """
    table = event_table()
    for item in feed_lines(path, shown):
        if isinstance(item, InvalidData):
            yield item
            continue
        where, line = item
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != COLUMNS:
            yield InvalidData(f"the row has {len(cells)} tab-separated columns", where=where,
                              expected=f"{COLUMNS}, the columns of a GDELT 2.0 event record",
                              hint="GDELT 1.0 event files have 57 or 58 columns; mentions and GKG files are other tables")
            continue
        code = cells[_EVENT_CODE].strip()
        mapping = table.by_cameo(code)
        if mapping is None:
            unmapped.add(f"CAMEO {code or '(none)'}")
            continue
        try:
            yield _event(cells, where, mapping)
        except InvalidData as error:
            yield error


def _event(cells: list[str], where: Location, mapping: EventMapping) -> CodedEvent:
    ident = text(cells[_ID], where, "GlobalEventID")
    if not ident:
        raise InvalidData("the row has no GlobalEventID", where=where, expected="the event's number in column 1")
    start = day(cells[_DAY].strip(), where, "Day")
    added = cells[_ADDED].strip()
    published = day(added[:8], where, "DATEADDED") if added else start
    sides = [_actor(cells, at, where) for at in (_ACTOR1, _ACTOR2)]
    if sides[0] is None:
        raise InvalidData("the row has no Actor1", where=where, expected="Actor1Code or Actor1Name")
    geo_name = text(cells[_GEO_NAME], where, "ActionGeo_FullName")
    place = CodedPlace(geo_name, None, is_country=cells[_GEO_TYPE].strip() == "1") if geo_name else None
    codes = " ".join(f"{cells[at + 1] or '-'} ({cells[at] or '-'})" for at in (_ACTOR1, _ACTOR2) if cells[at] or cells[at + 1])
    return CodedEvent(
        ident=ident, where=where, mapping=mapping, start=start, end=None,
        actors=[sides[0]], recipients=[side for side in sides[1:] if side is not None],
        evidence=[f"GDELT event {ident}: CAMEO {cells[_EVENT_CODE]}, {codes}"], feed="GDELT",
        published=max(published, start),
        published_how="GDELT's DATEADDED, when GDELT first saw the article" if added else
                      "the row gives no DATEADDED; the event's day stands for it",
        place=place, url=text(cells[_URL], where, "SOURCEURL"), coder="GDELT 2.0", codebook="CAMEO")


def _actor(cells: list[str], at: int, where: Location) -> CodedActor | None:
    code, name, country = (text(cells[at + i], where, f"Actor column {at + i + 1}") for i in range(3))
    sector = text(cells[at + 7], where, f"Actor type column {at + 8}")
    if not (code or name or country):
        return None
    if sector:
        return CodedActor(country=country, sector=sector)
    return CodedActor(country=country, name=name.title() if name and name.isupper() else name,
                      sector=None if name else code)
