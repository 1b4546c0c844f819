"""Answers as text: table, CSV, TSV, JSON or Markdown.

``table`` is a rich table on a terminal and plain aligned text elsewhere (a pipe, a file, a
CI log), so that it never wraps or colours what another program reads. When no format is
asked for, a terminal gets a table and anything else gets TSV, one row a line.

Lists (the sources of a fact, its quotes) stay lists in JSON; the other formats join them
with ``; `` (a table on a terminal puts each on a line of its own).

The human formats (``table``, ``md``) show every value and column name as
:func:`~tradegraph.errors.printable` text: a control character, a newline or a bidi
override in an answer (from a remote endpoint, or a fact) is written as an escape, never
acted on, and rich reads no markup in it. ``csv``, ``tsv`` and ``json`` are data and keep
every value as it is (JSON writes controls as escapes itself).

>>> rows = [{"who": "Akazawa", "sources": ["A", "B"], "on": date(2025, 7, 19), "rate": Decimal("25")}]
>>> render(rows, ["who", "sources", "on", "rate"], "tsv").splitlines()
['who\\tsources\\ton\\trate', 'Akazawa\\tA; B\\t2025-07-19\\t25']
>>> print(render(rows, ["who", "sources", "on", "rate"], "json"), end="")
[
  {
    "who": "Akazawa",
    "sources": [
      "A",
      "B"
    ],
    "on": "2025-07-19",
    "rate": 25
  }
]
>>> print(render(rows, ["who", "sources"], "md"), end="")
| who | sources |
| --- | --- |
| Akazawa | A; B |
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from tradegraph.errors import printable

FORMATS = ("table", "csv", "tsv", "json", "md")


def default_format(is_terminal: bool) -> str:
    """``table`` on a terminal, ``tsv`` otherwise."""
    return "table" if is_terminal else "tsv"


def render(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], fmt: str, *,
           terminal: bool = False) -> str:
    """The rows in format ``fmt``; ``terminal`` makes ``table`` a rich table with colours."""
    if fmt == "json":
        return json.dumps([{c: _json(row.get(c)) for c in columns} for row in rows],
                          ensure_ascii=False, indent=2) + "\n"
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        delimiter = "," if fmt == "csv" else "\t"
        writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, delimiter=delimiter, lineterminator="\n")
        # a cell holding \r, which csv does not quote on its own, is written by this one
        quoted = csv.writer(out, quoting=csv.QUOTE_ALL, delimiter=delimiter, lineterminator="\n")
        for cells in [list(columns)] + [[_text(row.get(c), tsv=fmt == "tsv") for c in columns] for row in rows]:
            (quoted if any("\r" in cell for cell in cells) else writer).writerow(cells)
        return out.getvalue()
    if fmt == "md":
        def md_row(cells: Sequence[str]) -> str:
            return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

        lines = [md_row(_shown_columns(columns)), "| " + " | ".join("---" for _ in columns) + " |"]
        lines += [md_row([_shown(row.get(c)) for c in columns]) for row in rows]
        return "\n".join(lines) + "\n"
    if fmt == "table":
        return _rich(rows, columns) if terminal else _plain(rows, columns)
    raise ValueError(f"unknown format {fmt!r}")


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _text(value: Any, *, tsv: bool = False, joiner: str = "; ") -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        text = joiner.join(_text(v) for v in value)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, Decimal):
        text = str(_json(value))
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return text.replace("\t", " ").replace("\n", " ").replace("\r", " ") if tsv else text


def _shown(value: Any, *, joiner: str = "; ") -> str:
    """A value as a human format shows it: each list item, and the text, made printable."""
    if isinstance(value, list):
        return joiner.join(_shown(v) for v in value)
    return printable(_text(value))


def _shown_columns(columns: Sequence[str]) -> list[str]:
    return [printable(c) for c in columns]


def _plain(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    cells = [[_shown(row.get(c)) for c in columns] for row in rows]
    columns = _shown_columns(columns)
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells]
    return "\n".join(lines) + "\n"


def _rich(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    cells = [[_shown(row.get(c), joiner="\n") for c in columns] for row in rows]
    table = Table(box=box.SIMPLE_HEAD, show_lines=True, header_style="bold", pad_edge=False)
    for i, column in enumerate(_shown_columns(columns)):
        longest = max([len(column)] + [len(line) for r in cells for line in r[i].splitlines()])
        table.add_column(Text(column), min_width=min(longest, 10), overflow="fold")  # dates stay whole
    for row in cells:
        table.add_row(*(Text(cell) for cell in row))  # Text: no rich markup read in a value
    console = Console(force_terminal=True)
    with console.capture() as capture:
        console.print(table)
    return capture.get()
