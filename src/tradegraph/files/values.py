"""The values a fact file may hold: text every output can carry, and numbers read exactly.

Both readers of fact files, YAML (:mod:`tradegraph.files.yamlfile`) and JSON Lines or CSV
(:mod:`tradegraph.facts.bulk`), pass every text and every number through here, so a value that
an output could not carry, or a number that would be read as something else, is refused
where it was written, with its file and line.

Text: XML 1.0 (RDF/XML, GEXF, GraphML) cannot carry the C0 control characters other than
tab, line feed and carriage return, nor a lone surrogate, nor U+FFFE and U+FFFF. The C1
controls (U+0080 to U+009F, NEL among them), DEL and the line and paragraph separators
U+2028 and U+2029 are legal there but invisible, and YAML reads some of them as line
breaks; they are refused too.

>>> check_text("Ana hosted Bo", Location("x.yaml", 3))
>>> check_text("a\\x1b[2Jb", Location("x.yaml", 3))
Traceback (most recent call last):
...
tradegraph.errors.InvalidData: x.yaml:3: the text holds the control character U+001B; expected printable text (hint: remove it, or write the character it stands for)

Numbers: a plain decimal (``25``, ``-3``, ``12.5``, ``1.5e3``) is read exactly, a whole
number as an :class:`int` and any other as a :class:`~decimal.Decimal` (never a float,
which would round ``0.1``); other forms are refused, and so is a number with more than
:data:`MAX_DIGITS` digits before or after its decimal point.

>>> read_number("12.50", Location("x.yaml", 3)), read_number("-7", Location("x.yaml", 3))
(Decimal('12.50'), -7)
"""  # noqa: E501 (a doctest's expected message is one line)

from __future__ import annotations

import re
from decimal import Decimal

from tradegraph.errors import InvalidData, Location

#: Lists and mappings nested deeper than this are refused (a fact file needs five or six).
MAX_DEPTH = 64
#: A number with more digits than this before its decimal point, or after it, is refused:
#: Oxigraph holds an xsd:integer in 64 bits and an xsd:decimal to 18 places.
MAX_DIGITS = 18

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")
INTEGER = re.compile(r"[-+]?(?:0|[1-9][0-9]*)", re.ASCII)
DECIMAL = re.compile(r"[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?", re.ASCII)


def text_problem(text: str) -> str | None:
    """What makes ``text`` unfit for a fact (it holds a character no output can carry), or None.

    >>> text_problem("東京"), text_problem("a\\ud800")
    (None, 'a lone surrogate U+D800')
    """
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    code = ord(found.group())
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate U+{code:04X}"
    if code in (0xFFFE, 0xFFFF):
        return f"the noncharacter U+{code:04X}"
    if code in (0x2028, 0x2029):
        return f"the {'line' if code == 0x2028 else 'paragraph'} separator U+{code:04X}"
    return f"the control character U+{code:04X}"


def join_surrogates(text: str) -> str:
    """``text`` with each pair of escaped UTF-16 surrogates (``"\\ud83d\\ude42"``, as JSON tools
    write YAML) made the one character it stands for; a lone surrogate stays, to be refused.

    >>> join_surrogates(chr(0xD83D) + chr(0xDE42)) == chr(0x1F642)
    True
    >>> join_surrogates("a" + chr(0xD800)) == "a" + chr(0xD800)
    True
    """
    if not _SURROGATE.search(text):
        return text
    return _PAIR.sub(lambda pair: pair.group().encode("utf-16-le", "surrogatepass").decode("utf-16-le"), text)


def check_text(text: str, where: Location, *, what: str = "the text") -> None:
    """Refuse ``text`` if it holds a character that no output can carry."""
    problem = text_problem(text)
    if problem is not None:
        raise InvalidData(f"{what} holds {problem}", where=where, expected="printable text",
                          hint="remove it, or write the character it stands for")


def read_number(text: str, where: Location) -> int | Decimal:
    """``text`` as an exact number, or an :class:`InvalidData` if it is not a plain decimal
    or has more digits than a store holds."""
    if not DECIMAL.fullmatch(text):
        raise InvalidData(f"{text[:40]!r} is not a plain decimal number", where=where,
                          expected="a number such as 25, -3 or 12.5",
                          hint="hex, octal, sexagesimal (1:30), underscores, .inf and .nan are not "
                               "read as numbers; quote the value if it is text")
    if INTEGER.fullmatch(text):
        if len(text.lstrip("+-")) > MAX_DIGITS:
            raise _too_long(text, where)
        return int(text)
    number = Decimal(text)
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite: the pattern has no inf or nan
    significant = len(digits) - (len(digits) - len(bytes(digits).rstrip(b"\0")) if exponent < 0 else 0)
    after = max(-exponent - (len(digits) - significant), 0)
    before = max(len(digits) + exponent, 0)
    if before > MAX_DIGITS or after > MAX_DIGITS:
        raise _too_long(text, where)
    return number


def _too_long(text: str, where: Location) -> InvalidData:
    shown = text if len(text) <= 40 else f"{text[:20]}...{text[-10:]} ({len(text):,} characters)"
    return InvalidData(f"the number {shown} has too many digits", where=where,
                       expected=f"at most {MAX_DIGITS} digits before the decimal point and {MAX_DIGITS} after",
                       hint="the stores hold numbers to that precision; round it as the source does")
