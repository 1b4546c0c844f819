"""``tradegraph review``: a person accepts, edits or rejects each draft record of a file.

The file is read and written back with ruamel.yaml's round trip, so its comments, key order
and quoting stay as they were; only the decided records change: an accepted one loses its
``draft`` mark, a rejected one is removed, an edited one takes the person's version (without
the mark). The file is written atomically (:mod:`tradegraph.files.atomic`), and only when
something was decided. Quitting keeps the decisions made so far.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from tradegraph.errors import InvalidData, Location
from tradegraph.files.atomic import write_file
from tradegraph.files.yamlfile import read_text


@dataclass(frozen=True)
class Item:
    """A draft record shown to the reviewer: where it is, and its fields."""

    section: str
    index: int
    record: CommentedMap
    line: int

    @property
    def evidence(self) -> list[str]:
        value = self.record.get("evidence")
        return [str(v) for v in value] if isinstance(value, list) else [str(value)] if value else []


@dataclass
class Decision:
    """What the reviewer decided: ``accept``, ``reject``, ``edit`` (with ``record``), ``skip`` or ``quit``."""

    action: str
    record: dict[str, Any] | None = None


@dataclass
class Reviewed:
    """The counts of a review."""

    accepted: int = 0
    edited: int = 0
    rejected: int = 0
    left: int = 0
    changed: bool = False
    ids: dict[str, list[str]] = field(default_factory=dict)


def round_trip() -> YAML:
    """The YAML reader and writer of review: round trip, the fact files' indentation, no re-wrapping."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def dump(data: Any) -> str:
    """``data`` as round-trip YAML text."""
    stream = io.StringIO()
    round_trip().dump(data, stream)
    return stream.getvalue()


def review_file(path: Path, decide: Callable[[Item], Decision], *, shown: str | None = None) -> Reviewed:
    """Ask ``decide`` about each draft record of ``path`` in order, and write the file back."""
    shown = shown or str(path)
    text = read_text(path, shown=shown)
    try:
        doc = round_trip().load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InvalidData(f"the file is not YAML ({getattr(exc, 'problem', exc)})",
                          where=Location(shown, mark.line + 1 if mark else None)) from None
    result = Reviewed()
    quitting = False
    for section, items in list(doc.items()) if isinstance(doc, CommentedMap) else []:
        if not isinstance(items, CommentedSeq):
            continue
        index = 0
        while index < len(items):
            record = items[index]
            if quitting or not isinstance(record, CommentedMap) or "draft" not in record:
                result.left += int(isinstance(record, CommentedMap) and "draft" in record)
                index += 1
                continue
            decision = decide(Item(str(section), index, record, record.lc.line + 1))
            ident = str(record.get("id"))
            if decision.action == "quit":
                quitting = True
                continue
            if decision.action == "reject":
                del items[index]
                result.rejected += 1
                result.ids.setdefault("rejected", []).append(ident)
                continue
            if decision.action == "accept":
                del record["draft"]
                result.accepted += 1
            elif decision.action == "edit" and decision.record is not None:
                _replace(record, decision.record)
                result.edited += 1
            else:
                result.left += 1
                index += 1
                continue
            result.ids.setdefault(decision.action + "ed" if decision.action == "edit" else "accepted", []).append(ident)
            index += 1
    result.changed = bool(result.accepted or result.edited or result.rejected)
    if result.changed:
        write_file(path, dump(doc))
    return result


def _replace(record: CommentedMap, new: dict[str, Any]) -> None:
    """Give ``record`` the edited fields in their new order, keeping the comments of the keys that stay."""
    for key in [k for k in record if k not in new or k == "draft"]:
        del record[key]
    for position, (key, value) in enumerate((k, v) for k, v in new.items() if k != "draft"):
        if key in record:
            record[key] = value
        else:
            record.insert(position, key, value)


def parse_edit(text: str, where: str) -> dict[str, Any]:
    """The record a reviewer wrote in the editor: one YAML mapping."""
    try:
        data = round_trip().load(text)
    except YAMLError as exc:
        raise InvalidData(f"the edited record is not YAML ({getattr(exc, 'problem', exc)})", where=Location(where),
                          hint="the record was left as it was") from None
    if not isinstance(data, dict) or "id" not in data:
        raise InvalidData("the edited record is not a mapping with an id", where=Location(where),
                          expected="the record's fields, `id:` first", hint="the record was left as it was")
    return dict(data)
