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

import re
from pathlib import Path
from typing import Any

import yaml

from tradegraph.errors import InvalidData, Location, TradegraphError
from tradegraph.files.localfile import Wording, read_regular, reason
from tradegraph.files.values import DECIMAL, INTEGER, MAX_DEPTH, check_text, join_surrogates, read_number

#: Fact files larger than this are refused: they are meant to be edited by hand.
MAX_BYTES = 8 * 1024 * 1024
#: What the document may expand to, counting one a value plus the characters of its text:
#: twice the file's length and a million more, and never more than this. An alias (*name)
#: repeats what it refers to, so a few hundred of them can otherwise turn a small file into
#: gigabytes (a "billion laughs" document, or one large text referred to many times).
MAX_EXPANDED = 24_000_000
#: The tag of a plain value that YAML 1.1 reads as a number and a person would not
#: (``1:30`` as 90, ``0x19``, ``017``, ``2_5``, ``.inf``): refused, never guessed.
AMBIGUOUS = "tag:tradegraph,2025:ambiguous-number"
_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _TIMESTAMP = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"
_YAML12_NUMBERS = re.compile(r"^(?:[-+]?0[oO][0-7]+|[-+]?0[xX][0-9a-fA-F]+|[-+]?0[0-9]+|"
                             r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z")

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


def _resolvers() -> dict[str | None, list[tuple[str, re.Pattern[str]]]]:
    """The implicit types of plain values: YAML 1.2 booleans (true/false only, never yes/no/
    on/off), exact decimal numbers, and YAML 1.1's other number forms marked :data:`AMBIGUOUS`;
    no timestamps (dates stay text)."""
    strict = [(_INT, re.compile(rf"{INTEGER.pattern}\Z")), (_FLOAT, re.compile(rf"{DECIMAL.pattern}\Z"))]
    table: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items():
        kept = [(tag, rx) for tag, rx in resolvers if tag not in (_INT, _FLOAT, _BOOL, _TIMESTAMP)]
        numbers = [(AMBIGUOUS, rx) for tag, rx in resolvers if tag in (_INT, _FLOAT)]
        table[first] = kept + (strict + numbers + [(AMBIGUOUS, _YAML12_NUMBERS)] if numbers else [])
    for first in "tTfF":
        table.setdefault(first, []).append((_BOOL, re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z")))
    return table


_RESOLVERS = _resolvers()
_Loader.yaml_implicit_resolvers = _FastLoader.yaml_implicit_resolvers = _RESOLVERS


class _FactFile(Wording):
    """The errors for a fact file that cannot be read: invalid data (exit 1), in the loader's words."""

    def unreadable(self, path: Path, exc: OSError, where: Location) -> TradegraphError:
        return InvalidData(f"cannot read the file ({reason(path, exc)})", where=where,
                           expected="a readable fact file", hint="check the file's permissions and where it points")

    def not_regular(self, kind: str, where: Location) -> TradegraphError:
        return InvalidData(f"not a regular file (it is {kind})", where=where, expected="a fact file",
                           hint="fact files must be plain files; move it away")

    def too_large(self, size: int, max_bytes: int, where: Location, *, exact: bool) -> TradegraphError:
        return InvalidData(f"file is too large ({size:,} bytes)", where=where,
                           expected=f"a fact file under {max_bytes:,} bytes", hint="split it into several source files")


#: How :mod:`tradegraph.files.localfile` words the errors of a fact file (pass it as ``what``).
FACT_FILE = _FactFile("a fact file")


def read_text(path: Path, *, shown: str | None = None, max_bytes: int | None = None) -> str:
    """The text of ``path``, or an :class:`InvalidData` naming what is wrong with it."""
    name = shown or str(path)
    data = read_regular(path, what=FACT_FILE, shown=name, max_bytes=MAX_BYTES if max_bytes is None else max_bytes)
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
    except (yaml.YAMLError, RecursionError):
        node = None  # parsed again below, for the message
    else:
        if node is not None:  # a file of only comments is reported below
            return _Converter(fast, path, len(text)).convert(node)
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
    except RecursionError:  # PyYAML composes recursively: find where it nests too deep
        raise _too_deep(text, path) from None
    finally:
        loader.dispose()
    if node is None:
        raise InvalidData("the file holds only comments", where=Location(path, 1),
                          expected="a YAML mapping")
    return _Converter(loader, path, len(text)).convert(node)


def _too_deep(text: str, path: str) -> InvalidData:
    """Where ``text`` first nests lists and mappings deeper than :data:`MAX_DEPTH` (the
    parser's events come one at a time, without recursion)."""
    depth, line = 0, 1
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else 1
                    break
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.YAMLError:  # pragma: no cover - only a file PyYAML cannot compose gets here
        pass
    return _nested_too_deep(Location(path, line))


def _nested_too_deep(where: Location) -> InvalidData:
    return InvalidData(f"lists and mappings are nested more than {MAX_DEPTH} levels deep", where=where,
                       expected="a fact file a person can read",
                       hint="a fact needs a few levels: source, facts, a fact, its `when:`")


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
               ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")} | {AMBIGUOUS}


class _Converter:
    """The node tree as plain values, refusing what a fact file may not hold: aliases that
    expand too far or refer to themselves, deep nesting, odd number forms, control characters."""

    def __init__(self, loader: _Loader, path: str, size: int) -> None:
        self.loader = loader
        self.path = path
        self.limit = self.budget = min(MAX_EXPANDED, 2 * size + 1_000_000)
        self.open: set[int] = set()   # the nodes being converted, to catch an alias to itself

    def convert(self, node: yaml.Node, what: str = "the text") -> Any:
        where = Location(self.path, node.start_mark.line + 1)
        self.budget -= 1 + (len(node.value) if isinstance(node, yaml.ScalarNode) else 0)
        if self.budget < 0:
            raise InvalidData(f"the document expands to more than {self.limit:,} values and characters "
                              "through YAML aliases", where=where,
                              expected="a fact file that is about as long as it looks",
                              hint="YAML aliases (*name) are expanding too far; write the values out")
        if node.tag not in _PLAIN_TAGS:
            raise InvalidData(f"unsupported YAML tag {node.tag}", where=where,
                              expected="plain text, numbers, lists and mappings",
                              hint="YAML tags such as !!python/object are not allowed in fact files")
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, where, what)
        if id(node) in self.open:
            raise InvalidData("a YAML alias refers to a list or mapping that holds it", where=where,
                              expected="values that do not contain themselves",
                              hint="remove the alias (*name) inside its own anchor (&name)")
        if len(self.open) >= MAX_DEPTH:
            raise _nested_too_deep(where)
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node)
            items = YList()
            items.path, items.line, items.lines = self.path, node.start_mark.line + 1, []
            for child in node.value:
                items.append(self.convert(child))
                items.lines.append(child.start_mark.line + 1)
            return items
        finally:
            self.open.discard(id(node))

    def _scalar(self, node: yaml.ScalarNode, where: Location, what: str) -> Any:
        if node.tag == AMBIGUOUS:
            raise InvalidData(f"{node.value!r} is not a plain decimal number", where=where,
                              expected="a number such as 25 or 12.5, or text in quotes",
                              hint="YAML readers differ on it (1:30 can be read as 90, 0x19 as 25, 017 "
                                   f"as 15); write '{node.value}' in quotes if it is text")
        if node.tag in (_INT, _FLOAT):
            return read_number(node.value, where)
        if node.tag == _BOOL:  # plain true/false, or a value tagged !!bool
            if node.value.lower() not in ("true", "false"):
                raise InvalidData(f"{node.value[:40]!r} is not true or false", where=where,
                                  expected="true or false", hint="YAML 1.2 reads yes, no, on and off as text")
            return node.value.lower() == "true"
        if node.tag in ("tag:yaml.org,2002:str", _TIMESTAMP):
            text = join_surrogates(node.value)
            check_text(text, where, what=what)
            return text
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            raise InvalidData(f"bad YAML value: {exc.problem}", where=where,
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
            check_text(key, Location(self.path, line), what="a key")
            if key in result:
                raise duplicate_key(key, Location(self.path, line), expected="each key once per mapping",
                                    first=f" (first on line {result.lines[key]})")
            result[key] = self.convert(value_node, f"the value of `{key}`")
            result.lines[key] = line
        return result


def duplicate_key(key: str, where: Location, *, expected: str, first: str = "") -> InvalidData:
    """The one line for a key given twice (``first`` says where the first one is), in a fact
    file of any format; ``key`` as the message should show it."""
    return InvalidData(f"duplicate key '{key}'{first}", where=where, expected=expected,
                       hint="merge the two entries or rename one")


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, quoting every text that :func:`parse_yaml`, or a YAML 1.1 reader,
    would read as something else (``0E0``, ``1:30``, ``yes``, ``2025-07-19`` stay text)."""


_Dumper.yaml_implicit_resolvers = {
    first: [*yaml.SafeDumper.yaml_implicit_resolvers.get(first, []), *_RESOLVERS.get(first, [])]
    for first in {*yaml.SafeDumper.yaml_implicit_resolvers, *_RESOLVERS}}


def dump_yaml(data: Any) -> str:
    """``data`` as YAML that this module reads back as the same values.

    >>> dump_yaml({"title": "0E0", "n": 25, "when": "2025-07-19", "ok": "yes"})
    "title: '0E0'\\nn: 25\\nwhen: '2025-07-19'\\nok: 'yes'\\n"
    """
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)
