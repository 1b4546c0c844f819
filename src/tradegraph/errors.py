"""Every error tradegraph raises on purpose, in one hierarchy.

The library raises these; the CLI turns each into one line and an exit code
(:attr:`TradegraphError.exit_code`): 1 for invalid data, 2 for a usage error, 3 for a
SPARQL endpoint that cannot be reached or answers wrongly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

#: What a terminal or a log would act on rather than show: C0 and C1 controls (newlines
#: included, so one message stays one line), DEL, Unicode line and paragraph separators, and
#: bidirectional overrides (which can make text read differently from what it is).
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")


def printable(text: str) -> str:
    r"""``text`` with every character a terminal would act on written as an escape.

    >>> printable("graph/x\n.yaml: \x1b[2Jkey")
    'graph/x\\n.yaml: \\x1b[2Jkey'
    >>> printable("Akazawa Ryōsei, 赤沢亮正")
    'Akazawa Ryōsei, 赤沢亮正'
    """
    return _UNSHOWABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if char in named:
        return named[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def close_matches(word: str, choices: Iterable[str], *, n: int = 1) -> list[str]:
    """Up to ``n`` of ``choices`` that look like ``word`` (a typo of it), the closest first.

    >>> close_matches("particpants", ["participants", "place", "purpose"])
    ['participants']
    """
    import difflib  # only when a message needs it: every command imports this module

    return difflib.get_close_matches(word, list(choices), n=n, cutoff=0.6)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The hint for a misspelt name: the closest of ``choices``, or None when none is close.

    >>> did_you_mean("phon", ["in-person", "phone", "video"])
    "did you mean 'phone'?"
    >>> did_you_mean("xyz", ["phone"]) is None
    True
    """
    close = close_matches(word, choices)
    return f"did you mean '{close[0]}'?" if close else None


@dataclass
class Location:
    """Where something is: a file and, when known, a line (1-based) and column."""

    path: Path | str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = printable(str(self.path))
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


class TradegraphError(Exception):
    """The root of every tradegraph error.

    A message says what is wrong, where, what was expected, and a hint:

    >>> str(InvalidData("bad date '2025-13-45'", where=Location("graph/x.yaml", 12),
    ...                 expected="a date like 2025-07-19", hint="months run 01 to 12"))
    "graph/x.yaml:12: bad date '2025-13-45'; expected a date like 2025-07-19 (hint: months run 01 to 12)"
    """

    exit_code = 1

    def __init__(
        self,
        what: str,
        *,
        where: Location | None = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.what = what
        self.where = where
        self.expected = expected
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The one-line message; every user-given string in it is shown escaped (:func:`printable`)."""
        what = printable(self.what)
        text = f"{self.where}: {what}" if self.where else what
        if self.expected:
            text += f"; expected {printable(self.expected)}"
        if self.hint:
            text += f" (hint: {printable(self.hint)})"
        return text

    def __str__(self) -> str:
        return self.message


class InvalidData(TradegraphError):
    """A fact file, RDF file or value is malformed or inconsistent."""


class InvalidModel(TradegraphError):
    """The project's ontology, shapes, queries or fact model are broken."""


class ValidationFailed(TradegraphError):
    """The graph violates the SHACL shapes; ``report`` holds the readable report."""

    def __init__(self, what: str, *, report: str = "") -> None:
        super().__init__(what)
        self.report = report


class UsageError(TradegraphError):
    """The user asked for something that cannot be done as asked."""

    exit_code = 2


class OutputError(UsageError):
    """An output cannot be written where asked (a directory, a full or read-only disk, a path
    tradegraph may not replace); whatever was there before is left as it was."""


class EndpointError(TradegraphError):
    """A SPARQL endpoint refused the connection, timed out, failed or gave a non-SPARQL answer.

    The message names the endpoint (never its credentials) and what happened:

    >>> str(EndpointError("connection refused", where=Location("http://127.0.0.1:7878/query")))
    'http://127.0.0.1:7878/query: connection refused'
    """

    exit_code = 3
