"""Canned queries: one SPARQL query per ``queries/NAME.rq``, documented by a ``#+`` header.

The header is YAML, every line starting with ``#+`` (the grlc convention)::

    #+ summary: Pairs of actors who took part in the same meeting, call or visit
    #+ description: >-
    #+   Longer text ...
    #+ lists: [sources]            # columns that hold lists (GROUP_CONCAT with "\\u001F")
    #+ params:
    #+   before:
    #+     type: xsd:date           # xsd:date, iri, string, integer or boolean
    #+     help: keep events whose whole date interval ends before this date
    #+     example: 2025-08-01
    #+   actor: {type: iri, class: tg:Actor, help: ..., example: akazawa}
    #+   origin: {type: string, choices: [all, curated, coded], default: all, help: ...}
    #+ setup: |-                   # optional: a SELECT run first; its row is written into the query
    #+   SELECT ?chosen ?deadline WHERE { ... }

A ``setup`` is a SELECT (with the body's prefixes) that the runner runs first, with the same
parameters; the values of its one row for the variables it selects beside the parameters
(:attr:`Query.computed`) are then written into the query as the parameters' are, so that
Oxigraph plans with values the query would otherwise take from the data (a deadline's day, the
window before it). With no row the query answers no rows and is not run.

A parameter ``as-of`` is the option ``--as-of`` and the variable ``?as_of``; ``GIVEN(?as_of)``
in the body is true when it was given (written out by
:func:`tradegraph.sparql.text.expand_given` as the query is loaded: :attr:`Query.text` is what
every engine receives). A malformed header, an unknown type, a ``GIVEN`` of anything but a
parameter, or a parameter used in a way that breaks engine parity (see
:func:`tradegraph.sparql.text.parameter_problems`) is an :class:`InvalidModel` at load time.

>>> query = parse_query("#+ summary: Everything\\n#+ params:\\n#+   on: {type: xsd:date, help: a day}\\n"
...                     "SELECT ?s ?on WHERE { ?s ?p ?on }", "x.rq")
>>> query.name, [p.name for p in query.params], query.params[0].variable
('x', ['on'], 'on')
>>> parse_query("#+ summary: S\\n#+ params:\\n#+   on: {type: xsd:date, help: a day}\\n"
...             "SELECT ?s ?on WHERE { ?s ?p ?o FILTER(!GIVEN(?on) || ?o < ?on) }", "x.rq").text
'SELECT ?s ?on WHERE { ?s ?p ?o FILTER(!COALESCE(sameTerm(?on, ?on), false) || ?o < ?on) }'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tradegraph.errors import InvalidData, InvalidModel, Location, UsageError, did_you_mean
from tradegraph.files.yamlfile import YMap, parse_yaml, read_text
from tradegraph.project import Project
from tradegraph.query.params import Param, check_declared
from tradegraph.rdf.graphs import file_state
from tradegraph.sparql.guard import prepared
from tradegraph.sparql.text import expand_given, named, parameter_problems, uses, where_brace

TYPES = ("xsd:date", "iri", "string", "integer", "boolean")
RESERVED = ("format", "project", "help", "endpoint", "store", "timeout", "allow-remote")
LIST_SEPARATOR = "\u001f"
_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_HEADER_KEYS = {"summary", "description", "params", "lists", "setup"}
_PARAM_KEYS = {"type", "help", "default", "example", "class", "pattern", "choices", "min", "max"}
_PREFIX = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w-]*)?:\s*<([^>\s]*)>", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Query:
    """A canned query: its name, documentation, parameters and SPARQL text (``GIVEN`` written out)."""

    name: str
    path: Path
    summary: str
    description: str
    params: tuple[Param, ...]
    text: str
    lists: tuple[str, ...] = ()
    prefixes: dict[str, str] = field(default_factory=dict)
    #: The setup's text (``GIVEN`` written out, the body's prefixes declared), or None.
    setup: str | None = None
    #: The variables the setup gives values to: hidden columns of the query, like the parameters.
    computed: tuple[str, ...] = ()

    def param(self, name: str) -> Param | None:
        key = name.replace("_", "-")
        return next((p for p in self.params if p.name == key), None)


def load_queries(project: Project) -> dict[str, Query]:
    """Every query of the project (or the built-in ones), by name."""
    return {path.stem: load_query(path, project.relative(path)) for path in project.query_files()}


def find_query(project: Project, name: str) -> Query:
    """The query called ``name``, or a :class:`UsageError` listing the ones that exist."""
    paths = {path.stem: path for path in project.query_files()}
    if name not in paths:
        raise UsageError(f"no query named '{name}'", expected="one of " + ", ".join(sorted(paths)),
                         hint=did_you_mean(name, paths) or "run `tradegraph queries`")
    return load_query(paths[name], project.relative(paths[name]))


#: Queries read and checked in this process, by file and the state of the file they were read
#: from (a changed, replaced or removed file is read again); at most :data:`_KEPT` of them.
_READ: dict[tuple[Any, ...], Query] = {}
_KEPT = 256


def load_query(path: Path, shown: str | None = None) -> Query:
    """Read and check one ``.rq`` file (once a process for each state of the file: checking a
    query's parameters costs more than running a selective query on a store)."""
    key = (*file_state([path])[0], shown)
    if key[1] != -1 and key in _READ:
        return _READ[key]
    query = parse_query(read_text(path, shown=shown or str(path)), shown or str(path), path=path)
    if len(_READ) >= _KEPT:
        _READ.clear()
    _READ[key] = query
    return query


def parse_query(text: str, shown: str, *, path: Path | None = None) -> Query:
    """Parse a query file's text; ``shown`` is how messages name the file."""
    lines = text.splitlines()
    count = next((i for i, line in enumerate(lines) if not line.startswith("#+")), len(lines))
    if count == 0:
        raise InvalidModel("the query has no `#+` header", where=Location(shown, 1),
                           expected="`#+ summary: ...` lines at the top of the file",
                           hint="see queries/README.md")
    header_text = "\n".join(re.sub(r"^#\+ ?", "", line) for line in lines[:count])
    try:
        header = parse_yaml(header_text + "\n", shown) if header_text.strip() else None
    except InvalidData as exc:
        raise InvalidModel(exc.what, where=exc.where, expected=exc.expected, hint=exc.hint) from None
    if not isinstance(header, YMap):
        raise InvalidModel("the `#+` header is not a mapping", where=Location(shown, 1),
                           expected="`summary:`, `description:` and `params:` keys")
    _check_keys(header, _HEADER_KEYS, "the header", shown)
    summary = header.get("summary")
    if not isinstance(summary, str) or not summary.strip() or "\n" in summary.strip():
        raise InvalidModel("the header has no one-line `summary`", where=header.where("summary"),
                           expected="`#+ summary: What the query answers`")
    body = "\n".join(lines[count:])
    prefixes = {m.group(1) or "": m.group(2) for m in _PREFIX.finditer(body)}
    params = tuple(_param(name, spec, header, prefixes, shown)
                   for name, spec in _mapping(header, "params", shown).items())
    lists = header.get("lists") or []
    if not isinstance(lists, list) or not all(isinstance(x, str) for x in lists):
        raise InvalidModel("`lists` is not a list of column names", where=header.where("lists"),
                           expected="e.g. `lists: [sources]`")
    variables = [p.variable for p in params]
    body = expand_given(body, variables, shown=shown, line=count + 1)
    setup, computed = _setup(header, prefixes, variables, shown, lines)
    # a parameter that only the setup reads need not be in the query itself (named nowhere in it)
    problems = parameter_problems(body, [v for v in variables if not (setup and uses(setup, v) and not named(body, v))]
                                  + list(computed))
    if problems:
        raise InvalidModel(f"parameters used in a way engines read differently: {'; '.join(problems)}",
                           where=Location(shown, count + 1),
                           expected="each parameter in the SELECT clause and in the top-level group",
                           hint="see 'Parameters' in queries/README.md")
    name = (path or Path(shown)).stem
    return Query(name=name, path=path or Path(shown), summary=summary.strip(),
                 description=str(header.get("description") or "").strip(), params=params,
                 text=body, lists=tuple(lists), prefixes=prefixes, setup=setup, computed=computed)


def _setup(header: YMap, prefixes: dict[str, str], variables: list[str], shown: str,
           lines: list[str]) -> tuple[str | None, tuple[str, ...]]:
    """The header's ``setup``: its text, ready to run, and the variables it computes."""
    if "setup" not in header:
        return None, ()
    where = header.where("setup")
    code = header["setup"]
    if not isinstance(code, str) or not code.strip():
        raise InvalidModel("the `setup` is not a SELECT query", where=where,
                           expected="`setup: |-` and a SELECT on the lines below, each starting with `#+`")
    # the body's prefixes on one line of their own, above the setup's first line: the key's line
    # (`setup: SELECT ...`) or the next (`setup: |-`)
    prologue = " ".join(f"PREFIX {name}: <{iri}>" for name, iri in prefixes.items()) + "\n"
    line = where.line or 1
    block = re.match(r"#\+\s*setup:\s*[|>]", lines[line - 1]) if line <= len(lines) else None
    text = expand_given(prologue + code, variables, shown=shown, line=line if block else line - 1)
    try:
        algebra = prepared(text).query.algebra
    except UsageError as error:
        raise InvalidModel(f"the `setup` does not parse: {error.what}", where=where, expected="a SELECT query",
                           hint="the body's PREFIX lines are declared for it") from None
    if algebra.name != "SelectQuery" or where_brace(text) < 0:
        raise InvalidModel("the `setup` is not a SELECT query with a WHERE clause", where=where,
                           expected="SELECT ?x ... WHERE { ... }")
    computed = tuple(str(v) for v in algebra["PV"] if str(v) not in variables)
    if not computed:
        raise InvalidModel("the `setup` selects nothing but parameters", where=where,
                           expected="the variables whose values it computes for the query, in its SELECT clause")
    problems = parameter_problems(text, [v for v in variables if uses(text, v)])
    if problems:
        raise InvalidModel(f"parameters used in the `setup` in a way engines read differently: {'; '.join(problems)}",
                           where=where, expected="each parameter it reads in its SELECT clause and top-level group",
                           hint="see 'Parameters' in queries/README.md")
    return text, computed


def _mapping(header: YMap, key: str, shown: str) -> YMap:
    value = header.get(key)
    if value is None:
        return YMap()
    if not isinstance(value, YMap):
        raise InvalidModel(f"`{key}` is not a mapping", where=header.where(key),
                           expected="a mapping of parameter name to its type, help and example")
    return value


def _check_keys(spec: YMap, allowed: set[str], what: str, shown: str) -> None:
    for key in spec:
        if key not in allowed:
            raise InvalidModel(f"unknown key '{key}' in {what}", where=spec.where(key),
                               expected="one of " + ", ".join(sorted(allowed)))


def _param(name: str, spec: Any, header: YMap, prefixes: dict[str, str], shown: str) -> Param:
    where = header["params"].where(name)
    if not _NAME.match(name) or name in RESERVED:
        raise InvalidModel(f"bad parameter name '{name}'", where=where,
                           expected="lower-case words joined by hyphens, not " + ", ".join(RESERVED))
    if not isinstance(spec, YMap):
        raise InvalidModel(f"parameter '{name}' is not a mapping", where=where,
                           expected="`{type: xsd:date, help: ...}`")
    _check_keys(spec, _PARAM_KEYS, f"parameter '{name}'", shown)
    kind = spec.get("type")
    if kind not in TYPES:
        raise InvalidModel(f"parameter '{name}' has unknown type {kind!r}", where=spec.where("type"),
                           expected="one of " + ", ".join(TYPES))
    if not isinstance(spec.get("help"), str):
        raise InvalidModel(f"parameter '{name}' has no `help`", where=where, expected="a line of help")
    classes = spec.get("class") or []
    classes = [classes] if isinstance(classes, str) else classes
    if classes and kind != "iri":
        raise InvalidModel(f"parameter '{name}' has a `class` but is not an iri", where=spec.where("class"))
    choices = spec.get("choices") or []
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices) or (choices and kind != "string"):
        raise InvalidModel(f"parameter '{name}' has bad `choices`", where=spec.where("choices"),
                           expected="a list of words, of a string parameter: `choices: [all, curated, coded]`")
    param = Param(name=name, type=kind, help=spec["help"].strip(),
                  default=_text(spec.get("default")), example=_text(spec.get("example")),
                  classes=tuple(_expand(c, prefixes, spec.where("class")) for c in classes),
                  pattern=spec.get("pattern"), choices=tuple(choices),
                  minimum=spec.get("min"), maximum=spec.get("max"))

    check_declared(param, spec.where("default") if "default" in spec else where)
    return param


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _expand(curie: Any, prefixes: dict[str, str], where: Location) -> str:
    prefix, _, local = str(curie).partition(":")
    if prefix not in prefixes:
        raise InvalidModel(f"unknown prefix in class {curie!r}", where=where,
                           expected="a CURIE whose prefix the query declares with PREFIX")
    return prefixes[prefix] + local
