"""One field's value checked against the type ``model.yaml`` declares, and made an RDF term.

The loader (:mod:`tradegraph.facts.loader`) walks the records and resolves references; the field
types whose check stands alone are here: text (``string``, ``strings``), names by language
tag (``names``), numbers (``decimal``, ``integer``: exact, in range, written canonically),
``url`` and ``wikidata``. Each refuses a bad value with an
:class:`~tradegraph.errors.InvalidData` naming the field (``what``) and where it is written.
What a language tag and a Wikidata id look like is the model's (``patterns:`` in model.yaml),
which the generated shapes check too. A term is N-Triples text
(:func:`tradegraph.rdf.oxterms.literal`), as the loader writes it.

>>> from tradegraph.facts.model import Field
>>> number(Decimal("12.50"), Field("rate", "tg:rate", "decimal"), "`rate`", Location("x.yaml", 3))
'"12.5"^^<http://www.w3.org/2001/XMLSchema#decimal>'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from rdflib import XSD

from tradegraph.errors import InvalidData, Location
from tradegraph.facts.model import Field, load_model
from tradegraph.files.yamlfile import YList, YMap
from tradegraph.rdf.oxterms import iri, literal

WIKIDATA = "http://www.wikidata.org/entity/"


def texts(value: Any, spec: Field, what: str, where: Location) -> Iterator[str]:
    """The literals of a ``string`` field, or of each item of a ``strings`` field."""
    for item in value if spec.type == "strings" and isinstance(value, YList) else [value]:
        if not isinstance(item, str) or not item.strip():
            raise InvalidData(f"{what} is {value_name(item)}", where=where, expected="text",
                              hint="put quotes around it" if isinstance(item, (int, float)) else None)
        if spec.pattern and not re.fullmatch(spec.pattern, item):
            raise InvalidData(f"{what} is {item!r}", where=where, expected=f"text matching {spec.pattern}")
        yield literal(item.strip())


def names(value: Any, what: str, where: Location) -> Iterator[str]:
    """The literals of a ``names`` field: a mapping of language tag to name."""
    if not isinstance(value, YMap):
        raise InvalidData(f"{what} is {value_name(value)}", where=where,
                          expected="a mapping of language tag to name, e.g. `ja: 赤沢亮正`")
    for lang, name in value.items():
        if not re.fullmatch(load_model().patterns["language-tag"], lang) or not isinstance(name, str):
            raise InvalidData(f"{what} has a bad entry {lang!r}: {name!r}", where=value.where(lang),
                              expected="a language tag (ja, zh-Hans; subtags of at most 8 "
                                       "letters or digits) and a name")
        yield literal(name, lang=lang)


def number(value: Any, spec: Field, what: str, where: Location) -> str:
    """The literal of a ``decimal`` or ``integer`` field, within the field's minimum and maximum."""
    integer = spec.type == "integer"
    expected = "a whole number" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or (integer and not isinstance(value, int)):
        hint = "write 25 for 25%" if isinstance(value, str) and value.strip().endswith("%") else None
        raise InvalidData(f"{what} is {value_name(value)}", where=where, expected=expected, hint=hint)
    exact = Decimal(value)  # the readers give ints and Decimals, exact and finite
    low, high = spec.minimum, spec.maximum
    if (low is not None and exact < Decimal(str(low))) or (high is not None and exact > Decimal(str(high))):
        span = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidData(f"{what} is {value}, out of range", where=where, expected=f"{expected} {span}")
    return literal(str(value), datatype=XSD.integer) if integer else literal(canonical_decimal(exact), datatype=XSD.decimal)


def url(value: Any, what: str, where: Location) -> str:
    """The literal of a ``url`` field: an absolute http(s) URL."""
    if not is_url(value):
        raise InvalidData(f"{what} is not a URL: {value!r}", where=where,
                          expected="an http(s) URL such as https://example.com/article")
    return literal(value, datatype=XSD.anyURI)


def wikidata(value: Any, what: str, where: Location) -> str:
    """The Wikidata entity a ``wikidata`` field names by its QID."""
    if not isinstance(value, str) or not re.fullmatch(load_model().patterns["wikidata-id"], value):
        raise InvalidData(f"{what} is not a Wikidata id: {value!r}", where=where, expected="a QID such as Q17")
    return iri(WIKIDATA + value)


def canonical_decimal(exact: Decimal) -> str:
    """The canonical lexical form of an xsd:decimal, so every RDF format writes it back alike.

    >>> canonical_decimal(Decimal("25")), canonical_decimal(Decimal("12.50")), canonical_decimal(Decimal("1E+2"))
    ('25.0', '12.5', '100.0')
    >>> canonical_decimal(Decimal("0.1000000000000000055511151231257827"))
    '0.1000000000000000055511151231257827'
    """
    text = format(exact, "f")  # every digit, no exponent (normalize() would round to 28 digits)
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.rstrip('0') or '0'}"


def is_url(value: Any) -> bool:
    """Whether ``value`` is an absolute http(s) URL that an IRI can hold.

    >>> is_url("https://example.com/a?b=1"), is_url("http://[::1"), is_url("http://x:99999/")
    (True, False, False)
    """
    if not isinstance(value, str) or re.search(r"[\s<>\"{}|\\^`]", value):
        return False
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises ValueError for a port out of range or not a number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


# ---------------------------------------------------------------------- how messages name values
def type_name(value: Any) -> str:
    """What kind of value ``value`` is, in a message's words ("text", "a list" without the article)."""
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if value is None:
        return "nothing"
    return {str: "text", int: "number", float: "number", Decimal: "number",
            bool: "true/false"}.get(type(value), type(value).__name__)


def value_name(value: Any) -> str:
    """``value`` as a message shows it: its kind and, for a single value, the value.

    >>> value_name([1]), value_name(None), value_name(Decimal("2.5")), value_name(True), value_name("x")
    ('a list', 'empty', 'number 2.5', 'true/false True', "'x'")
    """
    if isinstance(value, (dict, list)) or value is None:
        return f"a {type_name(value)}" if value is not None else "empty"
    if isinstance(value, Decimal):
        return f"number {value}"
    return f"{type_name(value)} {value!r}" if not isinstance(value, str) else repr(value)
