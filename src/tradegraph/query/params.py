"""Parameter values: parsed by their declared type into RDF terms, never pasted into SPARQL.

>>> from tradegraph.query.params import Param
>>> parse_value(Param("before", "xsd:date", "a day"), "2025-08-01", query="q")
rdflib.term.Literal('2025-08-01', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#date'))
>>> parse_value(Param("before", "xsd:date", "a day"), "2025-13-45", query="q")
Traceback (most recent call last):
...
tradegraph.errors.UsageError: query q: --before '2025-13-45' is not a date; expected a date like 2025-08-01 (YYYY-MM-DD)
>>> parse_value(Param("origin", "string", "which", choices=("all", "coded")), "some", query="q")
Traceback (most recent call last):
...
tradegraph.errors.UsageError: query q: --origin 'some' is not one of the choices; expected one of all, coded
>>> parse_value(Param("who", "string", "a name"), '" } DROP ALL #', query="q")
Traceback (most recent call last):
...
tradegraph.errors.UsageError: query q: --who '" } DROP ALL #' is not plain text; expected letters, digits, spaces and . , ' ’ - & ( ) / : % ! ? (hint: the value is only ever bound as data, but this parameter takes plain text)
"""  # noqa: E501 (a doctest's expected message is one line)

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from rdflib import XSD, Literal
from rdflib.term import Identifier

from tradegraph.errors import InvalidModel, Location, UsageError

#: What a string parameter accepts unless it declares its own ``pattern``.
PLAIN_TEXT = r"^[\w\s.,'’\-&()/:%!?]{1,200}$"
_PLAIN_CHARS = ". , ' ’ - & ( ) / : % ! ?"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits, as in fact files (\d takes ٢ and ２)
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_LOOKS_LIKE_IRI = re.compile(r"^(?:<|[A-Za-z][A-Za-z0-9+.-]*://|urn:)")


@dataclass(frozen=True)
class Param:
    """A declared parameter: its name, type, help, default, example and constraints."""

    name: str
    type: str
    help: str
    default: str | None = None
    example: str | None = None
    classes: tuple[str, ...] = ()       # full IRIs: an iri parameter names a node of these
    pattern: str | None = None          # a string parameter must match it
    choices: tuple[str, ...] = ()       # a string parameter must be one of them
    minimum: int | None = None
    maximum: int | None = None

    @property
    def variable(self) -> str:
        """The SPARQL variable (without ``?``) the parameter binds."""
        return self.name.replace("-", "_")

    @property
    def option(self) -> str:
        return f"--{self.name}"


@dataclass(frozen=True)
class Reference:
    """An iri parameter's value before name resolution: an id, an IRI or a name."""

    text: str


def parse_value(param: Param, raw: object, *, query: str, today: date | None = None) -> Identifier | Reference:
    """``raw`` (what the user typed, or a Python value) as the RDF term ``param`` binds.

    An ``iri`` parameter gives a :class:`Reference` (an id, IRI or name), resolved later by
    :func:`tradegraph.query.resolve.resolve` against the graph.
    """
    text = raw if isinstance(raw, str) else None

    def bad(what: str, expected: str, hint: str | None = None) -> UsageError:
        return UsageError(f"query {query}: {param.option} {raw!r} {what}", expected=expected, hint=hint)

    if param.type == "xsd:date":
        if isinstance(raw, date):
            return Literal(raw, datatype=XSD.date)
        if text == "today":
            return Literal(today or date.today(), datatype=XSD.date)
        try:
            if text is None or not _DATE.fullmatch(text):
                raise ValueError
            return Literal(date.fromisoformat(text), datatype=XSD.date)
        except ValueError:
            raise bad("is not a date", "a date like 2025-08-01 (YYYY-MM-DD)") from None
    if param.type == "integer":
        if isinstance(raw, bool) or not (isinstance(raw, int) or (text and _INTEGER.fullmatch(text.strip()))):
            raise bad("is not a whole number", "a whole number such as 30")
        number = int(raw if isinstance(raw, int) else str(raw).strip())
        if (param.minimum is not None and number < param.minimum) or (
                param.maximum is not None and number > param.maximum):
            raise bad("is out of range", f"a whole number from {param.minimum} to {param.maximum}")
        return Literal(number, datatype=XSD.integer)
    if param.type == "boolean":
        if isinstance(raw, bool) or text in ("true", "false", "True", "False"):
            return Literal(raw is True or text in ("true", "True"), datatype=XSD.boolean)
        raise bad("is not true or false", "true or false")
    if text is None:
        raise bad("is not text", "text")
    if param.type == "string":
        if param.choices and text not in param.choices:
            raise bad("is not one of the choices", "one of " + ", ".join(param.choices))
        if not param.choices and not re.match(param.pattern or PLAIN_TEXT, text):
            if param.pattern:
                raise bad("does not match", f"text matching {param.pattern}")
            raise bad("is not plain text", f"letters, digits, spaces and {_PLAIN_CHARS}",
                      "the value is only ever bound as data, but this parameter takes plain text")
        return Literal(text)
    # iri: an IRI as such, or an id or name that names one node
    if _LOOKS_LIKE_IRI.match(text.strip()) and not _IRI.match(text.strip()):
        raise bad("is not an IRI", "an absolute IRI such as https://example.org/x (no spaces or <>\"{}|^`)")
    if not text.strip() or len(text) > 300:
        raise bad("is not a name", "an id, an IRI or a name of up to 300 characters")
    return Reference(text.strip())


def check_declared(param: Param, where: Location) -> None:
    """Raise :class:`InvalidModel` when a declared default does not parse as its type."""
    if param.pattern is not None:
        try:
            re.compile(param.pattern)
        except re.error as exc:
            raise InvalidModel(f"parameter '{param.name}' has a bad pattern: {exc}", where=where) from None
    for value in (param.default, param.example):
        if value is None:
            continue
        try:
            parse_value(param, value, query="(header)")
        except UsageError as exc:
            raise InvalidModel(f"parameter '{param.name}': default or example {value!r} does not parse",
                               where=where, expected=exc.expected) from None
