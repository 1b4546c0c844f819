"""Every error tradegraph raises on purpose, in one hierarchy.

The library raises these; the CLI turns each into one line and an exit code
(:attr:`TradegraphError.exit_code`): 1 for invalid data, 2 for a usage error, 3 for a
SPARQL endpoint that cannot be reached or answers wrongly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Location:
    """Where something is: a file and, when known, a line (1-based) and column."""

    path: Path | str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = str(self.path)
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
        text = f"{self.where}: {self.what}" if self.where else self.what
        if self.expected:
            text += f"; expected {self.expected}"
        if self.hint:
            text += f" (hint: {self.hint})"
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


class EndpointError(TradegraphError):
    """A SPARQL endpoint refused the connection, timed out, failed or gave a non-SPARQL answer.

    The message names the endpoint (never its credentials) and what happened:

    >>> str(EndpointError("connection refused", where=Location("http://127.0.0.1:7878/query")))
    'http://127.0.0.1:7878/query: connection refused'
    """

    exit_code = 3
