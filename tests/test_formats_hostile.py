"""Hostile answers in the human formats: a value or a column name from a remote endpoint or
a fact never drives the terminal (table, md), while csv, tsv and json keep it as data."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tradegraph.query.formats import render

HOSTILE = [
    "\x1b[2J\u202eabc\nforged",
    "a\rb",
    "\x9b31mred",
    "tab\there",
    "line\u2028sep",
    "\u2066isolate\u2069",
    "[bold red]x[/] [link=http://evil.example/]click[/link]",
]
ACTED_ON = ["\x1b", "\x9b", "\u202e", "\r", "\u2028", "\u2066", "\u2069", "\x1b]8"]


def _rows(value: str) -> tuple[list[dict[str, object]], list[str]]:
    return [{value: value, "list": [value, "plain"]}], [value, "list"]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("fmt, terminal", [("table", False), ("table", True), ("md", False)])
def test_human_formats_escape_values_and_column_names(value: str, fmt: str, terminal: bool) -> None:
    rows, columns = _rows(value)
    text = render(rows, columns, fmt, terminal=terminal)
    shown = text.replace("\x1b[1m", "").replace("\x1b[0m", "")  # rich's own bold header
    for char in ACTED_ON:
        assert char not in shown, (char, text)
    assert "\nforged" not in text and "\tforged" not in text
    if value.startswith("[bold"):
        assert "[link=" in text and "[bold red]" in text  # rich markup shown, not read


@pytest.mark.parametrize("fmt", ["table", "md"])
def test_the_forged_line_is_shown_as_an_escape(fmt: str) -> None:
    text = render([{"v": "\x1b[2J\u202eabc\nforged"}], ["v"], fmt)
    assert "\\x1b[2J\\u202eabc\\nforged" in text
    assert len(text.splitlines()) == 3


def test_a_list_in_a_rich_table_keeps_one_item_a_line() -> None:
    text = render([{"v": ["a\nb", "c"]}], ["v"], "table", terminal=True)
    assert "a\\nb" in text and any(line.strip() == "c" for line in text.splitlines())


@pytest.mark.parametrize("value", HOSTILE)
def test_csv_and_tsv_keep_the_value_as_data(value: str) -> None:
    text = render([{"v": value}], ["v"], "csv")
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["v"], [value]]
    tsv = render([{"v": value}], ["v"], "tsv")
    assert tsv.split("\n", 1)[0] == "v"
    assert tsv.count("\n") == 2 and "\r" not in tsv and value.split("\n")[0].replace("\t", " ").replace("\r", " ") in tsv


@pytest.mark.parametrize("value", HOSTILE)
def test_json_keeps_the_value_and_escapes_controls(value: str) -> None:
    text = render([{"v": value}], ["v"], "json")
    assert json.loads(text) == [{"v": value}]
    assert "\x1b" not in text and "\n" + "forged" not in text
