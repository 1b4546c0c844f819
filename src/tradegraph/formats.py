"""Answers as text: table, CSV, TSV, JSON or Markdown.

``table`` is a rich table on a terminal and plain aligned text elsewhere (a pipe, a file, a
CI log), so that it never wraps or colours what another program reads. When no format is
asked for, a terminal gets a table and anything else gets TSV, one row a line.

Lists (the sources of a fact, its quotes) stay lists in JSON; the other formats join them
with ``; `` (a table on a terminal puts each on a line of its own).

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
from datetime import date
from decimal import Decimal
from typing import Any, Mapping, Sequence

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
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n",
                            quoting=csv.QUOTE_MINIMAL)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_text(row.get(c), tsv=fmt == "tsv") for c in columns])
        return out.getvalue()
    if fmt == "md":
        lines = ["| " + " | ".join(columns) + " |", "| " + " | ".join("---" for _ in columns) + " |"]
        lines += ["| " + " | ".join(_text(row.get(c)).replace("|", "\\|").replace("\n", " ")
                                    for c in columns) + " |" for row in rows]
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
    return text.replace("\t", " ").replace("\n", " ") if tsv else text


def _plain(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    cells = [[_text(row.get(c), tsv=True) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells]
    return "\n".join(lines) + "\n"


def _rich(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    cells = [[_text(row.get(c), joiner="\n") for c in columns] for row in rows]
    table = Table(box=box.SIMPLE_HEAD, show_lines=True, header_style="bold", pad_edge=False)
    for i, column in enumerate(columns):
        longest = max([len(column)] + [len(line) for r in cells for line in r[i].splitlines()])
        table.add_column(column, min_width=min(longest, 10), overflow="fold")  # dates stay whole
    for row in cells:
        table.add_row(*row)
    console = Console(force_terminal=True)
    with console.capture() as capture:
        console.print(table)
    return capture.get()
