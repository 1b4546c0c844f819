"""Reading RDF files (``validate x.ttl``, the project's ontology and shapes) without reaching out.

Every file is read by :func:`~tradegraph.files.localfile.read_regular` (a regular file of a
bounded size) and handed to rdflib as bytes, so the parser reads nothing else:

- JSON-LD may name its ``@context`` by URL (rdflib would download it, or read any local
  file for ``file:///...`` or a relative name), anywhere in the document, and pull one in with
  ``@import``: such a document is refused, naming the context; inline contexts are fine.
- RDF/XML may declare entities in its DTD: plain ones (``<!ENTITY owl "http://...#">``, as
  OWL files do) are fine; an external entity (``SYSTEM "file:///etc/passwd"``) or one whose
  text refers to other entities (the "billion laughs", which rdflib's parser would expand for
  hours) is refused. An external DTD is never loaded.
- Turtle, TriG, N-Triples, N-Quads and N3 have no way to include another document.

>>> check_jsonld({"@context": {"ex": "http://x/"}, "ex:p": {"@context": "https://schema.org/"}}, "x.jsonld")
Traceback (most recent call last):
...
tradegraph.errors.InvalidData: x.jsonld: the JSON-LD names a remote or local @context 'https://schema.org/'; expected contexts written inline in the document (hint: tradegraph never fetches a context: paste it into the file)
"""  # noqa: E501 (a doctest's expected message is one line)

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from rdflib import Graph

from tradegraph.errors import InvalidData, Location
from tradegraph.files.localfile import read_regular

_ENTITY_REF = re.compile(r"[&%][A-Za-z_:][\w.:-]*;")
FORMATS = {".ttl": "turtle", ".nt": "nt", ".trig": "trig", ".jsonld": "json-ld", ".rdf": "xml",
           ".owl": "xml", ".xml": "xml", ".n3": "n3", ".nq": "nquads"}


def parse_rdf_files(paths: list[Path], *, shown: list[str] | None = None) -> Graph:
    """Parse RDF files (the format by extension; Turtle when unknown) into one graph.

    ``shown`` is how messages name each file (default: its path).
    """
    graph = Graph()
    for index, path in enumerate(paths):
        name = shown[index] if shown else str(path)
        parse_rdf(read_regular(path, what="an RDF file", shown=name), graph=graph, fmt=format_of(path),
                  shown=name, base=path.absolute().as_uri())
    return graph


def parse_rdf(data: bytes, *, graph: Graph, fmt: str, shown: str, base: str) -> None:
    """Parse ``data`` in ``fmt`` into ``graph``; relative IRIs resolve against ``base``."""
    try:
        if fmt == "json-ld":
            from rdflib.parser import PythonInputSource

            document = _json(data, shown)
            check_jsonld(document, shown)
            graph.parse(source=PythonInputSource(document, base), format="json-ld")
        else:
            if fmt == "xml":
                check_xml(data, shown)
            graph.parse(data=data, format=fmt, publicID=base)
    except InvalidData:
        raise
    except RecursionError:
        raise InvalidData("the document is nested too deeply", where=Location(shown), expected="valid " + fmt) from None
    except Exception as exc:  # rdflib raises many unrelated types for bad syntax
        raise InvalidData(f"cannot parse RDF: {_first_line(exc)}", where=Location(shown, _line_of(exc)),
                          expected="valid " + fmt) from None


def check_jsonld(document: Any, shown: str) -> None:
    """Refuse a JSON-LD document that names a context to load (a string ``@context``, ``@import``)."""
    todo = [document]
    while todo:
        node = todo.pop()
        if isinstance(node, list):
            todo.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "@import":
                    _refuse(f"imports the context {value!r}", shown)
                if key == "@context":
                    for context in value if isinstance(value, list) else [value]:
                        if isinstance(context, str):
                            _refuse(f"names a remote or local @context {context!r}", shown)
                todo.append(value)


def check_xml(data: bytes, shown: str) -> None:
    """Refuse an XML document whose DTD declares an external entity or an entity made of entities.

    Only the prolog is read: the parse stops at the first element.
    """
    from xml.parsers import expat

    class Prolog(Exception):
        """The first element: the DTD is behind."""

    def entity(name: str, is_parameter: int, value: str | None, base: str | None, system_id: str | None,
               public_id: str | None, notation: str | None) -> None:
        if system_id is not None or public_id is not None:
            _refuse_xml(f"declares the external entity {name!r} ({system_id or public_id!r})", shown)
        if value is not None and _ENTITY_REF.search(value):
            _refuse_xml(f"declares the entity {name!r} in terms of other entities", shown)

    def stop(*_: Any) -> None:
        raise Prolog

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = entity
    parser.StartElementHandler = stop
    try:
        parser.Parse(data, True)
    except Prolog:
        pass
    except expat.ExpatError as exc:
        raise InvalidData(f"cannot parse RDF: {expat.ErrorString(exc.code)}", where=Location(shown, exc.lineno),
                          expected="valid xml") from None


def format_of(path: Path) -> str:
    """rdflib's name of the format of ``path``, by its extension (Turtle when unknown)."""
    return FORMATS.get(path.suffix.lower(), "turtle")


def _json(data: bytes, shown: str) -> Any:
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise InvalidData(f"not JSON: {exc.msg}", where=Location(shown, exc.lineno, exc.colno),
                          expected="a JSON-LD document") from None
    except UnicodeDecodeError:
        raise InvalidData("not UTF-8 text", where=Location(shown), expected="a JSON-LD document") from None


def _refuse(what: str, shown: str) -> None:
    raise InvalidData(f"the JSON-LD {what}", where=Location(shown),
                      expected="contexts written inline in the document",
                      hint="tradegraph never fetches a context: paste it into the file")


def _refuse_xml(what: str, shown: str) -> None:
    raise InvalidData(f"the RDF/XML {what}", where=Location(shown),
                      expected="entities with plain text only (such as namespace IRIs)",
                      hint="tradegraph never loads external entities nor expands nested ones: write the text out")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[-1].strip() if text else type(exc).__name__


def _line_of(exc: Exception) -> int | None:
    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else None
