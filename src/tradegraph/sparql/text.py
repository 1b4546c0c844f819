"""Reading SPARQL text without parsing it: where the code is, where a parameter is used.

Canned queries must give the same rows on rdflib (``initBindings``), on the Oxigraph store
and on a remote endpoint (each parameter's term written in the text in place of its variable,
:func:`bind_terms`, so that the store plans with the value). They agree only when parameters are used
in ways they all read alike; :func:`parameter_problems` names the uses that break that parity
(see queries/README.md). A value enters the text only as its term's own serialization
(:func:`term_text`: pyoxigraph validates and escapes it), one token that no value can widen.

A canned query says "the parameter ?p was given" as ``GIVEN(?p)``; :func:`expand_given`
writes it out, when the query is loaded, in the one spelling all three read alike.

The text is first *masked*: comments, strings and IRIs become spaces, so that ``#``,
``{``, ``?x`` or ``GIVEN(?p)`` inside them are never taken for code:

>>> mask('SELECT ?a # ?b\\nWHERE { ?a <http://x/#y> "?c" }')
'SELECT ?a     \\nWHERE { ?a               "  " }'
>>> bind_terms("SELECT ?a ?b WHERE { ?a ?p ?b # ?b\\n FILTER(?b != '?b') } ORDER BY ?b", {"b": Literal('x" }')})
'SELECT ?a ?b WHERE { ?a ?p "x\\\\" }" # ?b\\n FILTER("x\\\\" }" != \\'?b\\') } ORDER BY ?b'
>>> strip_comments('SELECT * # all\\nWHERE { ?s ?p "#1" }')
'SELECT *      \\nWHERE { ?s ?p "#1" }'
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass

from rdflib.term import Identifier, Literal, URIRef

from tradegraph.errors import InvalidModel, Location, UsageError
from tradegraph.rdf.oxterms import to_ox

_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_VAR = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
#: A variable token, its whole name (SPARQL's VARNAME: letters and digits of any script, ``_``,
#: ``·`` and combining marks), so that ``?p`` is never read inside ``?pé``.
_VARIABLE = re.compile(r"[?$]([\w\u00B7\u0300-\u036F\u203F\u2040]+)")
_NAME_CHAR = re.compile(r"[\w\u00B7\u0300-\u036F\u203F\u2040?$:.-]")
_CLAUSE = re.compile(r"(?<![\w?$:.-])(?:SELECT(?:\s+(?:DISTINCT|REDUCED))?|GROUP\s+BY|ORDER\s+BY)(?![\w:.-])",
                     re.IGNORECASE)
_CLAUSE_END = re.compile(r"(?:WHERE|FROM|HAVING|ORDER|GROUP|LIMIT|OFFSET|VALUES)(?![\w:.-])", re.IGNORECASE)
_AS_BEFORE = re.compile(r"(?<![\w?$:.-])AS\s*$", re.IGNORECASE)
_BOUND_BEFORE = re.compile(r"(?<![\w?$:.-])BOUND\s*\(\s*$", re.IGNORECASE)
_VALUES_WORD = re.compile(r"(?<![\w?$:.-])VALUES(?![\w:.-])", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"([A-Za-z_]+)\s*(?:[?$][A-Za-z0-9_]+|<\s*>|[A-Za-z0-9_]*:[A-Za-z0-9_-]*)?\s*$")
#: What ``GIVEN(?p)`` stands for: true when the parameter is bound, false when it is not, on
#: rdflib (``initBindings``), pyoxigraph (``substitutions``) and behind a ``VALUES`` block alike.
#: Not ``BOUND(?p)``: pyoxigraph 0.5 answers false for a variable bound by ``substitutions``.
#: ``sameTerm(?p, ?p)`` is true for any term and an error for no term, which COALESCE makes false.
GIVEN = "COALESCE(sameTerm(?{name}, ?{name}), false)"
#: The word GIVEN in code, not part of a variable (``?GIVEN``) or a prefixed name (``tg:GIVEN``).
_GIVEN_WORD = re.compile(r"(?<![\w?$:.-])GIVEN(?![\w:.-])", re.IGNORECASE)
_GIVEN_CALL = re.compile(r"GIVEN\s*\(\s*[?$]([A-Za-z_][A-Za-z0-9_]*)\s*\)", re.IGNORECASE)


class QuerySyntaxError(UsageError):
    """A query that does not parse (a canned query's is an :class:`~tradegraph.errors.InvalidModel`)."""


def syntax_error(detail: object) -> QuerySyntaxError:
    """The one-line error for a query the parser (rdflib's or Oxigraph's) refused."""
    return QuerySyntaxError(f"SPARQL syntax error: {' '.join(str(detail).split())[:300]}",
                            expected="a SPARQL 1.1 query", hint="check the line and column given")

def mask(text: str) -> str:
    """``text`` with comments, string literals and IRIs replaced by spaces (same length).

    The quotes of a string stay, so that the mask still shows where a literal stands.
    """
    out = list(text)
    for _, start, end in _spans(text):
        out[start:end] = " " * (end - start)
    return "".join(out)


def strip_comments(text: str) -> str:
    """``text`` with its comments replaced by spaces (same length); a ``#`` in a string or an IRI stays."""
    out = list(text)
    for kind, start, end in _spans(text):
        if kind == "comment":
            out[start:end] = " " * (end - start)
    return "".join(out)


def _spans(text: str) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) of every comment, string (its content, without the quotes) and IRI of ``text``."""
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            yield "comment", i, end
            i = end
        elif char in "\"'":
            quote = char * 3 if text.startswith(char * 3, i) else char
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            end = min(j, n)
            yield "string", i + len(quote), end
            i = end + len(quote)
        elif char == "<" and (match := _IRI.match(text, i)):
            yield "iri", i, match.end()
            i = match.end()
        else:
            i += 1


def expand_given(text: str, parameters: Collection[str], *, shown: str = "the query", line: int = 1) -> str:
    """``text`` with every ``GIVEN(?p)`` in its code written out as :data:`GIVEN`.

    ``parameters`` are the variables of the query's parameters; ``shown`` names the file and
    ``line`` is the line ``text`` starts on, for messages. ``GIVEN`` in a comment, a string or
    an IRI is left as it is. ``GIVEN`` of anything but one parameter's variable is an
    :class:`~tradegraph.errors.InvalidModel`:

    >>> expand_given('SELECT ?x ?p WHERE { ?x ?y ?z FILTER(!GIVEN(?p) || ?z = ?p) } # GIVEN(?p)', ["p"])
    'SELECT ?x ?p WHERE { ?x ?y ?z FILTER(!COALESCE(sameTerm(?p, ?p), false) || ?z = ?p) } # GIVEN(?p)'
    >>> expand_given("SELECT ?x WHERE {\\n  ?x ?y ?z FILTER(GIVEN(?z)) }", ["on"], shown="x.rq", line=20)
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tradegraph.errors.InvalidModel: x.rq:21:19: GIVEN(?z) names no parameter of the query; expected ... (?on) (hint: ...)
    """
    code = mask(text)
    pieces: list[str] = []
    done = 0
    for word in _GIVEN_WORD.finditer(code):
        call = _GIVEN_CALL.match(code, word.start())
        if call is None or call.group(1) not in parameters:
            raise _given_error(text, word.start(), call.group(1) if call else None, parameters, shown, line)
        pieces += [text[done:word.start()], GIVEN.format(name=call.group(1))]
        done = call.end()
    return "".join(pieces) + text[done:]


def _given_error(text: str, start: int, name: str | None, parameters: Collection[str],
                 shown: str, line: int) -> InvalidModel:
    """What is wrong with the ``GIVEN`` at ``start``: not one variable, or not a parameter's."""
    where = Location(shown, line + text.count("\n", 0, start), start - text.rfind("\n", 0, start))
    declared = ", ".join(f"?{p}" for p in parameters) or "none"
    expected = f"GIVEN(?p) of a parameter the header declares ({declared})"
    if name is None:
        close = text.find(")", start, start + 40)
        written = " ".join(text[start:close + 1 if close > 0 else start + 40].split())
        return InvalidModel(f"GIVEN is not followed by one variable in brackets: {written!r}", where=where,
                            expected=expected, hint="see 'Parameters' in queries/README.md")
    return InvalidModel(f"GIVEN(?{name}) names no parameter of the query", where=where, expected=expected,
                        hint=f"declare '{name.replace('_', '-')}' under `#+ params:`, or test a variable "
                             f"the query binds itself with BOUND(?{name})")


def where_brace(text: str) -> int:
    """The index of the ``{`` that opens the query's first ``WHERE`` group, or -1."""
    match = _WHERE.search(mask(text))
    return match.end() - 1 if match else -1


def term_text(term: Identifier) -> str:
    """An IRI or a literal in SPARQL syntax, as pyoxigraph writes it (N-Triples).

    pyoxigraph builds the term first and refuses what is not one (an IRI with a space, ``>``
    or ``"``; a bad language tag); the text it writes escapes every quote, backslash and line
    break, so it is always exactly one token of the query:

    >>> term_text(Literal('a "b"\\n#c', lang="en"))
    '"a \\\\"b\\\\"\\\\n#c"@en'
    >>> term_text(URIRef("http://example.org/a>b"))
    Traceback (most recent call last):
    ...
    tradegraph.errors.UsageError: 'http://example.org/a>b' cannot be bound as an RDF term (Invalid IRI code point '>'); expected an IRI or a literal
    """  # noqa: E501 (a doctest's expected message is one line)
    if not isinstance(term, (URIRef, Literal)):  # a blank node in a query would be a new variable
        raise UsageError(f"{str(term)!r} cannot be bound as an RDF term", expected="an IRI or a literal")
    try:
        return str(to_ox(term))
    except ValueError as exc:
        raise UsageError(f"{str(term)!r} cannot be bound as an RDF term ({exc})",
                         expected="an IRI or a literal") from None


def bind_terms(text: str, bindings: Mapping[str, Identifier | None]) -> str:
    """The query with each bound variable of ``bindings`` replaced by its term (:func:`term_text`).

    Only the variable tokens of the code are replaced: a ``?p`` in a comment, a string or an
    IRI stays, and so does ``?pa``. Where a term cannot stand, the variable stays and is left
    unbound: as an item of a ``SELECT`` list, of ``GROUP BY`` and of ``ORDER BY`` (a constant
    there groups and orders as the unbound variable does; a parameter's column is not shown).
    A query that assigns the variable itself (``AS ?p``, a ``VALUES`` header) or tests it with
    ``BOUND`` cannot take a term for it: a :class:`QuerySyntaxError`. Unbound (``None``)
    variables stay variables. Oxigraph then plans with the values, in subqueries too.

    >>> bind_terms("SELECT ?p (COUNT(?x) AS ?n) { ?x ?p ?pa } GROUP BY ?p", {"p": URIRef("http://x/y")})
    'SELECT ?p (COUNT(?x) AS ?n) { ?x <http://x/y> ?pa } GROUP BY ?p'
    """
    bound = {name: term_text(term) for name, term in bindings.items() if term is not None}
    if not bound:
        return text
    code = mask(text)
    kept = _kept(code)
    pieces: list[str] = []
    done = 0
    for match in _VARIABLE.finditer(code):
        name = match.group(1)
        if name not in bound or match.start() in kept:
            continue
        before = code[max(0, match.start() - 40):match.start()]
        if _AS_BEFORE.search(before) or _BOUND_BEFORE.search(before) or _in_values_header(code, match.start()):
            raise QuerySyntaxError(f"the query assigns or tests ?{name} itself, which a parameter binds",
                                   expected=f"?{name} used as a term (test it with GIVEN(?{name}))",
                                   hint="see 'Parameters' in queries/README.md")
        pieces += [text[done:match.start()], bound[name]]
        done = match.end()
    return "".join(pieces) + text[done:]


def _kept(code: str) -> set[int]:
    """Where a variable is a bare item of a ``SELECT`` list, ``GROUP BY`` or ``ORDER BY``.

    A clause runs from its keyword to what ends it (the group of a ``SELECT``, the next
    clause or the closing brace of a subquery); only its items outside brackets count.
    """
    kept: set[int] = set()
    for clause in _CLAUSE.finditer(code):
        depth = 0
        for i in range(clause.end(), len(code)):
            char = code[i]
            if depth == 0 and (char in "{}" or (_CLAUSE_END.match(code, i) and not _NAME_CHAR.match(code, i - 1))):
                break
            depth += 1 if char == "(" else -1 if char == ")" else 0
            if depth == 0 and char in "?$":
                kept.add(i)
    return kept


def _in_values_header(code: str, position: int) -> bool:
    """Whether ``position`` is among the variables of a ``VALUES`` clause, before its ``{``."""
    start = max(code.rfind("{", 0, position), code.rfind("}", 0, position))
    return bool(_VALUES_WORD.search(code, start + 1, position))


_SUBSELECT = re.compile(r"\s*SELECT(?![\w:.-])", re.IGNORECASE)


@dataclass
class _Group:
    kind: str          # where, plain, optional, exists, minus, subquery, values, graph
    start: int


def _group_kind(code: str, brace: int) -> str:
    if _SUBSELECT.match(code, brace + 1):  # comments are masked: any run of space before it
        return "subquery"
    match = _WORD_BEFORE.search(code[:brace])
    word = match.group(1).upper() if match else ""
    return {"OPTIONAL": "optional", "EXISTS": "exists", "MINUS": "minus", "VALUES": "values",
            "GRAPH": "graph", "SERVICE": "graph", "WHERE": "where"}.get(word, "plain")


def _filter_spans(code: str) -> list[tuple[int, int]]:
    """(start, end) of every ``FILTER`` / ``BIND`` clause, keyword to closing bracket."""
    spans = []
    for match in re.finditer(r"\b(?:FILTER|BIND)\b", code, re.IGNORECASE):
        depth, i = 0, match.end()
        while i < len(code) and code[i] not in "({":
            i += 1
        for j in range(i, len(code)):
            depth += 1 if code[j] in "({" else -1 if code[j] in ")}" else 0
            if depth == 0:
                spans.append((match.start(), j + 1))
                break
    return spans


def parameter_problems(text: str, names: list[str]) -> list[str]:
    """How the query's use of the parameter variables ``names`` breaks engine parity.

    >>> parameter_problems("SELECT ?x ?p WHERE { ?x ?y ?p FILTER(?x != ?p) }", ["p"])
    []
    >>> parameter_problems("SELECT ?x WHERE { { SELECT ?x WHERE { ?x ?y ?p } } }", ["p"])
    ['?p is not in the SELECT clause']

    A subquery may use a parameter: rdflib binds it there, and :func:`bind_terms` writes its
    term there, so the store plans the subquery with it.
    """
    code = mask(text)
    brace = where_brace(text)
    if brace < 0:
        return ["the query has no `WHERE {`"] if names else []
    problems: list[str] = []
    stacks = _group_stacks(code, brace)
    filters = _filter_spans(code)
    head = code[:brace]
    end = _closing(code, brace)
    for name in names:
        uses = [m for m in _VAR.finditer(code) if m.group(1) == name and brace < m.start() < end]
        if not re.search(rf"[?$]{name}\b", head):
            problems.append(f"?{name} is not in the SELECT clause")
        if not uses:
            problems.append(f"?{name} is declared but never used in the WHERE clause")
        if re.search(rf"\bBOUND\s*\(\s*[?$]{name}\s*\)", code, re.IGNORECASE):
            problems.append(f"?{name} is tested with BOUND() (write GIVEN(?{name}))")
        if re.search(rf"\bBIND\s*\(\s*[?$]{name}\s+AS\b", code, re.IGNORECASE):
            problems.append(f"?{name} is copied by BIND(?{name} AS ...)")
        # GIVEN(?p) and a pattern that binds ?p in one scope (the query, or one subquery): the
        # test would be true once the pattern binds it. Each subquery is a scope of its own.
        tests = {_scope(stacks(m.start())) for m in re.finditer(
            rf"sameTerm\s*\(\s*[?$]{name}\s*,\s*[?$]{name}\s*\)", code, re.IGNORECASE)}
        if any(_scope(stacks(u.start())) in tests for u in uses if not any(s[0] < u.start() < s[1] for s in filters)):
            problems.append(f"?{name} is tested for being given but also bound by a pattern")
        for use in uses:
            kinds = [g.kind for g in stacks(use.start())]
            in_filter = next((s for s in filters if s[0] < use.start() < s[1]), None)
            if "minus" in kinds or "values" in kinds:
                problems.append(f"?{name} is used inside a MINUS or VALUES block")
            elif in_filter is not None:
                outer = [g.kind for g in stacks(in_filter[0])]
                if any(k not in ("where", "optional", "subquery") for k in outer):
                    problems.append(f"?{name} is used in a FILTER or BIND of a nested group")
    return list(dict.fromkeys(problems))


def uses(text: str, name: str) -> bool:
    """Whether the query's code (not a comment, string or IRI) names the variable ``name`` in its
    ``WHERE`` group.

    >>> uses("SELECT ?p WHERE { ?s ?p ?o } GROUP BY ?days # ?days", "days")
    False
    >>> uses("SELECT * WHERE { ?s ?p ?days }", "days")
    True
    """
    code = mask(text)
    brace = where_brace(text)
    return brace >= 0 and any(m.group(1) == name for m in _VAR.finditer(code, brace, _closing(code, brace)))


def named(text: str, name: str) -> bool:
    """Whether the query's code (not a comment, string or IRI) names the variable ``name`` anywhere.

    >>> named("SELECT ?s WHERE { ?s ?p ?o } # ?days", "days"), named("SELECT (1 AS ?days) {}", "days")
    (False, True)
    """
    return any(m.group(1) == name for m in _VAR.finditer(mask(text)))


def _scope(groups: list[_Group]) -> int:
    """Where the innermost subquery of ``groups`` starts (-1: the query itself)."""
    return next((g.start for g in reversed(groups) if g.kind == "subquery"), -1)


def _closing(code: str, brace: int) -> int:
    """The index of the ``}`` that closes the group opened at ``brace``."""
    depth = 0
    for i in range(brace, len(code)):
        depth += 1 if code[i] == "{" else -1 if code[i] == "}" else 0
        if depth == 0:
            return i
    return len(code)


def _group_stacks(code: str, brace: int):  # type: ignore[no-untyped-def]
    """A function: position -> the stack of groups open there (the WHERE group first)."""
    events: list[tuple[int, list[_Group]]] = []
    stack: list[_Group] = []
    for i in range(brace, len(code)):
        if code[i] == "{":
            stack = [*stack, _Group(_group_kind(code, i) if stack else "where", i)]
            events.append((i, stack))
        elif code[i] == "}" and stack:
            stack = stack[:-1]
            events.append((i, stack))

    def at(position: int) -> list[_Group]:
        current: list[_Group] = []
        for where, groups in events:
            if where > position:
                break
            current = groups
        return current

    return at
