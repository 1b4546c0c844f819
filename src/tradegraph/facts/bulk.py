"""Bulk facts: JSON Lines and CSV files of machine-made records, read one line at a time.

A bulk file (``graph/bulk/NAME.jsonl`` or ``NAME.csv``) holds records with the fields and
ids of the YAML fact files, one a line, each naming its ``kind``; every fact (and every
correction) also names its ``source``, the id of a record of kind ``source`` in any fact
file. Actors go to the named graph of the file (``graph/NAME``), facts to their source's.

JSON Lines take the YAML structure as JSON. CSV flattens it: one column per field, lists
separated by ``|``, a participant as ``actor`` or ``actor:role``, and the parts of a date as
``when.from``, ``when.to``, ``when.text`` and ``when.how`` (a plain ``when`` takes a date, a
month or a year). Empty cells are absent fields; numbers are read for number fields only.

Files are streamed: the loader reads each twice (ids first, then triples) and never holds
one in memory. A bad line is an :class:`~tradegraph.errors.InvalidData` with file and line:

>>> import tempfile, pathlib
>>> from tradegraph.facts.model import load_model
>>> path = pathlib.Path(tempfile.mkdtemp()) / "people.jsonl"
>>> _ = path.write_text('{"kind": "person", "id": "ana", "name": "Ana"}\\n{"kind": "person", "id": \\n')
>>> first, second = read_bulk(path, "people.jsonl", load_model())
>>> first.kind.name, first["name"], str(first.where())
('person', 'Ana', 'people.jsonl:1')
>>> second.what, str(second.where)
('the line is not valid JSON: Expecting value (column 26)', 'people.jsonl:2')
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tradegraph.errors import InvalidData, Location, did_you_mean, printable
from tradegraph.facts.model import Kind, Model
from tradegraph.files.localfile import open_regular
from tradegraph.files.values import DECIMAL, MAX_DEPTH, check_text, read_number, text_problem
from tradegraph.files.yamlfile import FACT_FILE, YList, YMap, duplicate_key

#: A line of JSON Lines longer than this is refused (the csv module has its own limit on a field).
MAX_LINE = 1024 * 1024
#: Separators of CSV cells: between list items, and between an actor and its role.
LIST_SEPARATOR, ROLE_SEPARATOR = "|", ":"
_EXAMPLE = '{"kind": "person", "id": "ana", "name": "Ana"}'


class LineRef:
    """Where a bulk record is, kept instead of its data (the loader reads the line again).

    It answers the questions a report asks of a record's data (``where``, ``in``), so a
    validation result points to the record's line.
    """

    __slots__ = ("line", "path")

    def __init__(self, where: Location) -> None:
        self.path, self.line = str(where.path), where.line or 1

    @classmethod
    def at(cls, path: str, line: int) -> LineRef:
        """The record on ``line`` of ``path`` (without making a :class:`Location` first)."""
        made = cls.__new__(cls)
        made.path, made.line = path, line or 1
        return made

    def where(self, key: str | None = None) -> Location:
        return Location(self.path, self.line)

    def __contains__(self, key: object) -> bool:
        return False


class BulkRecord(YMap):
    """One record of a bulk file: its fields, and its kind, named graph and source."""

    kind: Kind
    graph: str
    source: str | None


def read_bulk(path: Path, shown: str, model: Model, *, index: bool = False) -> Iterator[BulkRecord | InvalidData]:
    """The records of a bulk file in order; a line that cannot be read is an error instead.

    With ``index`` (the loader's first pass, which keeps each record's id, kind, graph and
    source, and a source's publication date), a plain line of JSON Lines is read by ``json``
    alone: its nested values stay plain ``dict`` and ``list`` (they know no line) and their
    texts are checked as the line's. Any other line is read in full, so the records and the
    errors are the same either way.
    """
    try:
        stream = io.TextIOWrapper(open_regular(path, what=FACT_FILE, shown=shown), encoding="utf-8-sig", newline="")
    except InvalidData as error:
        yield error
        return
    with stream:
        rows = _csv_rows(stream, shown, model) if path.suffix.lower() == ".csv" else _json_rows(stream, shown, index)
        try:
            for row in rows:
                yield row if isinstance(row, InvalidData) else _record(row, model, path.stem)
        except UnicodeDecodeError as exc:
            yield InvalidData(f"the file is not UTF-8 (byte 0x{exc.object[exc.start]:02x})",
                              where=Location(shown), expected="UTF-8 text",
                              hint="re-save the file as UTF-8")


def _json_rows(stream: Any, shown: str, index: bool = False) -> Iterator[YMap | InvalidData]:
    where = Location(shown)  # the line being read: the decoder's hooks see each new one
    decoder = json.JSONDecoder(parse_int=lambda digits: read_number(digits, where),
                               parse_float=lambda digits: read_number(digits, where),
                               parse_constant=lambda name: read_number(name, where),
                               object_pairs_hook=lambda pairs: _once(pairs, where))
    for number, text in enumerate(iter(lambda: stream.readline(MAX_LINE + 1), ""), start=1):
        where = Location(shown, number)
        if len(text) > MAX_LINE:
            yield _line_too_long(where)
            return
        if not text.strip():
            continue
        if index and (plain := _plain_row(text, decoder, where)) is not None:
            yield plain
            continue
        try:
            if text.startswith("\ufeff"):  # as json.loads words it (the decoder itself does not look)
                raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
            value = decoder.decode(text.rstrip("\r\n"))
            if not isinstance(value, dict):
                yield InvalidData(f"the line holds a JSON {type(value).__name__}", where=where,
                                  expected=f"a JSON object, such as {_EXAMPLE}")
                continue
            if "\\" not in text:  # no escapes: the line's own characters are the values'
                check_text(text, where, what="the line")
            yield _convert(value, where, escaped="\\" in text)
        except json.JSONDecodeError as exc:
            yield InvalidData(f"the line is not valid JSON: {exc.msg} (column {exc.colno})", where=where,
                              expected=f"one JSON object a line, such as {_EXAMPLE}")
        except RecursionError:
            yield _too_deep(where)
        except InvalidData as error:
            yield error


def plain_line(text: str) -> bool:
    """Whether a line of JSON Lines may be read by ``json`` alone, its values as they come: it
    has no escape, no byte-order mark, no character the full reading refuses, and too few
    brackets to be nested too deep (a bad value still needs the full reading, which names it)."""
    return ("\\" not in text and not text.startswith("\ufeff") and len(text) <= MAX_LINE
            and text.count("{") + text.count("[") <= MAX_DEPTH and text_problem(text) is None)


def _plain_row(text: str, decoder: json.JSONDecoder, where: Location) -> YMap | None:
    """A line read by ``json`` alone when :func:`plain_line` allows it and its value is a plain
    object: else ``None``."""
    if not plain_line(text):
        return None
    try:
        value = decoder.decode(text.rstrip("\r\n"))
        if not isinstance(value, dict):
            return None
    except (ValueError, InvalidData):
        return None
    mapping = YMap(value)
    mapping.path, mapping.line, mapping.lines = str(where.path), where.line or 0, {}
    return mapping


def _convert(value: Any, where: Location, *, escaped: bool = False, depth: int = 1) -> Any:
    """JSON values as the YAML reader gives them: mappings and lists that know their line.

    With ``escaped`` (the line has backslash escapes) every text and key is checked too.
    """
    if depth > MAX_DEPTH:
        raise _too_deep(where)
    if isinstance(value, dict):
        mapping = YMap(value)
        for key, item in value.items():  # scalars stay as they are: most values are
            if escaped:
                check_text(key, where, what="a key")
            if isinstance(item, (dict, list)):
                mapping[key] = _convert(item, where, escaped=escaped, depth=depth + 1)
            elif escaped and isinstance(item, str):
                check_text(item, where)
        mapping.path, mapping.line, mapping.lines = str(where.path), where.line or 0, {}
        return mapping
    items = YList(value)
    for index, item in enumerate(value):
        if isinstance(item, (dict, list)):
            items[index] = _convert(item, where, escaped=escaped, depth=depth + 1)
        elif escaped and isinstance(item, str):
            check_text(item, where)
    items.path, items.line, items.lines = str(where.path), where.line or 0, []
    return items


def _once(pairs: list[tuple[str, Any]], where: Location) -> dict[str, Any]:
    """A JSON object's pairs as a dict, refusing a key given twice (json keeps the last silently)."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise duplicate_key(printable(key), where, expected="each key once per object")
        result[key] = value
    return result


def _too_deep(where: Location) -> InvalidData:
    return InvalidData(f"lists and objects are nested more than {MAX_DEPTH} levels deep", where=where,
                       expected="a record of a few levels, as a YAML fact file holds")


def _line_too_long(where: Location) -> InvalidData:
    return InvalidData(f"the line is longer than {MAX_LINE:,} characters", where=where,
                       expected="one record a line, of a size a fact needs",
                       hint="is the file JSON Lines (one object a line), not one large JSON document?")


def _csv_rows(stream: Any, shown: str, model: Model) -> Iterator[YMap | InvalidData]:
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
        if header is None:
            return
        check_text("".join(header), Location(shown, 1), what="the header")
        columns = [name.strip() for name in header]
        for number, name in enumerate(columns, start=1):
            if name in columns[:number - 1]:
                yield duplicate_key(printable(name), Location(shown, 1), expected="each column name once in the header",
                                    first=f" (columns {columns.index(name) + 1} and {number})")
                return
        if "kind" not in columns:
            yield InvalidData("the CSV header has no `kind` column", where=Location(shown, 1),
                              expected="a header row naming the fields, with kind and id")
            return
        start = reader.line_num + 1
        for cells in reader:
            where = Location(shown, start)
            start = reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(columns):
                yield InvalidData(f"the row has {len(cells)} cells", where=where,
                                  expected=f"{len(columns)}, one per column of the header")
                continue
            try:
                yield _convert(_unflatten(_checked(columns, cells, where), model, where), where)
            except InvalidData as error:
                yield error
    except csv.Error as exc:  # a field over the csv module's limit, a NUL, a bad quote
        yield InvalidData(f"the CSV cannot be read: {exc}", where=Location(shown, reader.line_num or 1),
                          expected=f"CSV rows with fields under {csv.field_size_limit():,} characters",
                          hint="is a quote left open above this line?")


def _checked(columns: list[str], cells: list[str], where: Location) -> dict[str, str]:
    """The row as a mapping, once no cell holds a character that no output can carry."""
    if text_problem("".join(cells)) is not None:
        for column, cell in zip(columns, cells):
            check_text(cell, where, what=f"the `{column}` cell")
    return dict(zip(columns, cells))


def _unflatten(row: dict[str, str], model: Model, where: Location) -> dict[str, Any]:
    """A CSV row as the nested record the YAML files would hold."""
    kind = model.kinds.get(row.get("kind", "").strip())
    fields = model.fields_of(kind) if kind else {}
    record: dict[str, Any] = {}
    for column, cell in row.items():
        text = cell.strip()
        if not text:
            continue
        name, _, part = column.partition(".")
        spec = fields.get(name)
        kind_of = spec.type if spec else None
        if part:
            nested = record.setdefault(name, {})
            if isinstance(nested, dict):
                nested[part] = text
        elif kind_of in ("strings", "refs", "participants"):
            items: list[Any] = [x.strip() for x in text.split(LIST_SEPARATOR) if x.strip()]
            if kind_of == "participants":
                items = [dict(zip(("actor", "role"), x.split(ROLE_SEPARATOR, 1))) if ROLE_SEPARATOR in x else x
                         for x in items]
            record[name] = items
        elif kind_of in ("decimal", "integer") and DECIMAL.fullmatch(text):
            record[name] = read_number(text, where)  # any other text is refused as not a number
        else:
            record[name] = text
    return record


def _record(item: YMap, model: Model, stem: str) -> BulkRecord | InvalidData:
    """Check the line's kind and source, and say which named graph it goes to."""
    record = BulkRecord(item)
    record.path, record.line, record.lines = item.path, item.line, item.lines
    kind_name = item.get("kind")
    where = item.where("kind")
    if kind_name is None:
        return InvalidData("the record has no `kind`", where=where, expected="one of " + ", ".join(model.kinds))
    kind = model.kinds.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None:
        return InvalidData(f"unknown kind '{kind_name}'", where=where, expected="one of " + ", ".join(model.kinds),
                           hint=model.kind_hint(str(kind_name))
                           if any(str(kind_name).strip().lower() in k.aliases for k in model.kinds.values())
                           else did_you_mean(str(kind_name), model.kinds))
    record.kind, record.source = kind, None
    if kind.where == "actors":
        record.graph = stem
    elif kind.name == "source":
        record.graph = str(item.get("id"))
    else:
        source = record.pop("source", None)
        if not isinstance(source, str) or not source:
            return InvalidData(f"the {kind.name} has no `source`", where=item.where(),
                               expected="the id of the record of kind source it comes from")
        record.source = record.graph = source
    return record
