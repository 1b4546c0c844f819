"""Read a YAML fact file safely, keeping the line of every value.

Plain :mod:`yaml` loses line numbers, silently keeps the last of two duplicate keys,
reads ``on:`` as ``True`` and ``2025-07-19`` as a date object. Fact files need all four
the other way round, so this module composes the YAML node tree with PyYAML's *safe*
loader (no object construction) and converts it itself:

>>> doc = parse_yaml("a: 1\\nb:\\n  - on\\n  - 2025-07-19\\n", "x.yaml")
>>> doc["b"], doc.line_of("b"), doc["b"].line_of(1)
(['on', '2025-07-19'], 2, 4)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import InvalidData, Location

#: Fact files larger than this are refused: they are meant to be edited by hand.
MAX_BYTES = 8 * 1024 * 1024
#: Alias expansion beyond this many values is refused (a "billion laughs" document).
MAX_VALUES = 500_000


class YMap(dict):  # type: ignore[type-arg]
    """A mapping that knows the file and line of itself and of each of its values."""

    path: str
    line: int
    lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)

    def where(self, key: str | None = None) -> Location:
        return Location(self.path, self.line if key is None else self.line_of(key))


class YList(list):  # type: ignore[type-arg]
    """A sequence that knows the file and line of itself and of each item."""

    path: str
    line: int
    lines: list[int]

    def line_of(self, index: int) -> int:
        return self.lines[index] if index < len(self.lines) else self.line

    def where(self, index: int | None = None) -> Location:
        return Location(self.path, self.line if index is None else self.line_of(index))


class _Loader(yaml.SafeLoader):
    """The safe loader, without the implicit timestamp and boolean types."""


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same, parsed by libyaml (C) where PyYAML has it: a file that parses is read by this
    one, ten times faster; one that does not is parsed again by :class:`_Loader`, whose error
    messages the users see (and the tests pin)."""


for _loader in (_Loader, _FastLoader):
    _loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers
                if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    # YAML 1.2 booleans only: true/false, never yes/no/on/off.
    _loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        __import__("re").compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )


def read_text(path: Path, *, shown: str | None = None, max_bytes: int | None = None) -> str:
    """The text of ``path``, or an :class:`InvalidData` naming what is wrong with it."""
    name = shown or str(path)
    where = Location(name)
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InvalidData(f"cannot read the file ({exc.strerror})", where=where) from None
    if size > max_bytes:
        raise InvalidData(
            f"file is too large ({size:,} bytes)", where=where,
            expected=f"a fact file under {max_bytes:,} bytes",
            hint="split it into several source files")
    data = path.read_bytes()
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InvalidData("not a text file (it contains NUL bytes)", where=Location(name, line),
                          expected="UTF-8 YAML text", hint="is this the right file?")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidData(
            f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            where=Location(name, line), expected="UTF-8 text",
            hint="re-save the file as UTF-8 in your editor") from None


def load_yaml(path: Path, name: str | None = None) -> Any:
    """Read and parse a YAML file; ``name`` is how messages call it (default: the path)."""
    shown = name or str(path)
    return parse_yaml(read_text(path, shown=shown), shown)


def parse_yaml(text: str, path: str) -> Any:
    """Parse one YAML document into plain values, :class:`YMap` and :class:`YList`."""
    if not text.strip():
        raise InvalidData("the file is empty", where=Location(path, 1),
                          expected="a YAML mapping with `source:` and `facts:` (or `actors:`)",
                          hint="see graph/sources/ for an example, or run `tradegraph new-source`")
    fast = _FastLoader(text)
    try:
        node = fast.get_single_node()
    except yaml.YAMLError:
        node = None  # parsed again below, for the message
    else:
        if node is not None:  # a file of only comments is reported below
            return _Converter(fast, path).convert(node)
    finally:
        fast.dispose()
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, path) from None
    try:
        node = loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, path) from None
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, path) from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML marks nearly everything
        raise InvalidData(f"YAML error: {exc}", where=Location(path)) from None
    finally:
        loader.dispose()
    if node is None:
        raise InvalidData("the file holds only comments", where=Location(path, 1),
                          expected="a YAML mapping")
    return _Converter(loader, path).convert(node)


def _reader_error(exc: yaml.reader.ReaderError, text: str, path: str) -> InvalidData:
    line = text[: exc.position].count("\n") + 1
    return InvalidData(f"the file contains the control character U+{exc.character:04X}",
                       where=Location(path, line), expected="printable text",
                       hint="remove it; it is invisible in most editors")


def _syntax_error(exc: yaml.MarkedYAMLError, path: str) -> InvalidData:
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    mark = exc.problem_mark or exc.context_mark
    if "<stream end>" in problem and exc.context_mark is not None:
        mark = exc.context_mark  # "got end of file" is reported where the open bracket was
        problem = problem.replace("'<stream end>'", "the end of the file")
    where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
    if "'\\t'" in problem or "\\t" in problem:
        return InvalidData("a tab character is used for indentation", where=where,
                           expected="spaces", hint="YAML indents with spaces only; replace the tabs")
    if exc.context and exc.problem:
        problem = f"{exc.context.strip()}, {problem}"
    return InvalidData(f"YAML syntax error: {problem}", where=where,
                       expected="valid YAML", hint="check indentation and quoting on or just above this line")


_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in
               ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")}


class _Converter:
    def __init__(self, loader: _Loader, path: str) -> None:
        self.loader = loader
        self.path = path
        self.count = 0

    def convert(self, node: yaml.Node) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise InvalidData(f"the document expands to more than {MAX_VALUES:,} values",
                              where=Location(self.path, node.start_mark.line + 1),
                              hint="YAML aliases (*name) are expanding too far")
        if node.tag not in _PLAIN_TAGS:
            raise InvalidData(f"unsupported YAML tag {node.tag}",
                              where=Location(self.path, node.start_mark.line + 1),
                              expected="plain text, numbers, lists and mappings",
                              hint="YAML tags such as !!python/object are not allowed in fact files")
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            items = YList()
            items.path, items.line, items.lines = self.path, node.start_mark.line + 1, []
            for child in node.value:
                items.append(self.convert(child))
                items.lines.append(child.start_mark.line + 1)
            return items
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            raise InvalidData(f"bad YAML value: {exc.problem}",
                              where=Location(self.path, node.start_mark.line + 1),
                              expected="plain text, numbers, lists and mappings") from None

    def _mapping(self, node: yaml.MappingNode) -> YMap:
        result = YMap()
        result.path, result.line, result.lines = self.path, node.start_mark.line + 1, {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise InvalidData("a mapping key is not plain text", where=Location(self.path, line),
                                  expected="a field name such as `id:`")
            key = str(key_node.value)
            if key in result:
                raise InvalidData(
                    f"duplicate key '{key}' (first on line {result.lines[key]})",
                    where=Location(self.path, line), expected="each key once per mapping",
                    hint="merge the two entries or rename one")
            result[key] = self.convert(value_node)
            result.lines[key] = line
        return result
