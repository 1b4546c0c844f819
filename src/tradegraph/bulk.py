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
>>> from tradegraph.model import load_model
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
import difflib
import json
from pathlib import Path
from typing import Any, Iterator

from .errors import InvalidData, Location
from .model import Kind, Model
from .yamlfile import YList, YMap

BULK_SUFFIXES = (".jsonl", ".csv")
#: Separators of CSV cells: between list items, and between an actor and its role.
LIST_SEPARATOR, ROLE_SEPARATOR = "|", ":"
_EXAMPLE = '{"kind": "person", "id": "ana", "name": "Ana"}'


class LineRef:
    """Where a bulk record is, kept instead of its data (the loader reads the line again).

    It answers the questions a report asks of a record's data (``where``, ``in``), so a
    validation result points to the record's line.
    """

    __slots__ = ("path", "line")

    def __init__(self, where: Location) -> None:
        self.path, self.line = str(where.path), where.line or 1

    def where(self, key: str | None = None) -> Location:
        return Location(self.path, self.line)

    def __contains__(self, key: object) -> bool:
        return False


class BulkRecord(YMap):
    """One record of a bulk file: its fields, and its kind, named graph and source."""

    kind: Kind
    graph: str
    source: str | None


def read_bulk(path: Path, shown: str, model: Model) -> Iterator[BulkRecord | InvalidData]:
    """The records of a bulk file in order; a line that cannot be read is an error instead."""
    try:
        stream = path.open("r", encoding="utf-8-sig", newline="")
    except OSError as exc:
        yield InvalidData(f"cannot read the file ({exc.strerror})", where=Location(shown))
        return
    with stream:
        rows = _csv_rows(stream, shown, model) if path.suffix.lower() == ".csv" else _json_rows(stream, shown)
        try:
            for row in rows:
                yield row if isinstance(row, InvalidData) else _record(row, model, path.stem)
        except UnicodeDecodeError as exc:
            yield InvalidData(f"the file is not UTF-8 (byte 0x{exc.object[exc.start]:02x})",
                              where=Location(shown), expected="UTF-8 text",
                              hint="re-save the file as UTF-8")


def _json_rows(stream: Any, shown: str) -> Iterator[YMap | InvalidData]:
    for number, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        where = Location(shown, number)
        try:
            value = json.loads(text.rstrip("\r\n"))
        except json.JSONDecodeError as exc:
            yield InvalidData(f"the line is not valid JSON: {exc.msg} (column {exc.colno})", where=where,
                              expected=f"one JSON object a line, such as {_EXAMPLE}")
            continue
        if not isinstance(value, dict):
            yield InvalidData(f"the line holds a JSON {type(value).__name__}", where=where,
                              expected=f"a JSON object, such as {_EXAMPLE}")
            continue
        yield _convert(value, shown, number)


def _convert(value: Any, path: str, line: int) -> Any:
    """JSON values as the YAML reader gives them: mappings and lists that know their line."""
    if isinstance(value, dict):
        mapping = YMap(value)
        for key, item in value.items():  # scalars stay as they are: most values are
            if isinstance(item, (dict, list)):
                mapping[key] = _convert(item, path, line)
        mapping.path, mapping.line, mapping.lines = path, line, {}
        return mapping
    if isinstance(value, list):
        items = YList(value)
        for index, item in enumerate(value):
            if isinstance(item, (dict, list)):
                items[index] = _convert(item, path, line)
        items.path, items.line, items.lines = path, line, []
        return items
    return value


def _csv_rows(stream: Any, shown: str, model: Model) -> Iterator[YMap | InvalidData]:
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        return
    columns = [name.strip() for name in header]
    if "kind" not in columns:
        yield InvalidData("the CSV header has no `kind` column", where=Location(shown, 1),
                          expected="a header row naming the fields, with kind and id")
        return
    start = reader.line_num + 1
    for cells in reader:
        where = Location(shown, start)
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(columns):
            yield InvalidData(f"the row has {len(cells)} cells", where=where,
                              expected=f"{len(columns)}, one per column of the header")
            continue
        yield _convert(_unflatten(dict(zip(columns, cells)), model), shown, line)


def _unflatten(row: dict[str, str], model: Model) -> dict[str, Any]:
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
        elif kind_of in ("decimal", "integer"):
            record[name] = _number(text)
        else:
            record[name] = text
    return record


def _number(text: str) -> Any:
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


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
        close = difflib.get_close_matches(str(kind_name), list(model.kinds), n=1, cutoff=0.6)
        return InvalidData(f"unknown kind '{kind_name}'", where=where, expected="one of " + ", ".join(model.kinds),
                           hint=f"did you mean '{close[0]}'?" if close else None)
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
