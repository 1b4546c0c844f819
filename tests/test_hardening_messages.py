"""Messages cannot be forged: whatever a file name, a key, a value or an argument holds, an
error is shown as the lines tradegraph wrote, with every character a terminal would act on
(escape sequences, newlines, carriage returns, line separators, bidi overrides) escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tradegraph.errors import InvalidData, Location, printable

#: What must never reach a terminal raw.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
HOSTILE = ["\x1b[2J\x1b[H", "\x1b]0;owned\x07", "a\nerror: forged line", "a\rerror: over", "\u202eevil",
           "\u2028next", "\x9b31m", "\x00nul", "\x7fdel", "tab\there"]


def _clean(text: str, lines: int | None = None) -> None:
    assert not RAW.search(text), repr(text)
    if lines is not None:
        assert text.count("\n") == lines, text


@pytest.mark.parametrize("hostile", HOSTILE)
def test_every_part_of_an_error_is_escaped(hostile: str) -> None:
    error = InvalidData(f"unknown key {hostile}", where=Location(f"graph/{hostile}.yaml", 3),
                        expected=f"one of {hostile}", hint=hostile)
    _clean(str(error))
    assert "\n" not in str(error)


@pytest.mark.parametrize("hostile", [h for h in HOSTILE if "\x00" not in h])  # no file name holds NUL
def test_a_hostile_file_name_gives_one_clean_error_line(minimal: Path, cli, hostile: str) -> None:
    bad = minimal / "graph" / "sources" / f"{hostile}.yaml"
    bad.write_text("source: [1, 2\n", encoding="utf-8")
    run = cli("validate", "--project", str(minimal))
    assert run.code == 1
    _clean(run.err)
    assert all(line.startswith("error: ") for line in run.err.splitlines()), run.err
    assert printable(str(bad.relative_to(minimal))) in run.err or printable(str(bad)) in run.err


@pytest.mark.parametrize("hostile", [h for h in HOSTILE if "\x00" not in h])
def test_a_hostile_key_or_value_in_a_fact_file_is_shown_escaped(minimal: Path, cli, hostile: str) -> None:
    source = minimal / "graph" / "sources" / "first-article.yaml"
    quoted = hostile.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    source.write_text(source.read_text("utf-8") + f'\nx: 1\n"{quoted}": 2\n', encoding="utf-8")
    run = cli("validate", "--project", str(minimal))
    assert run.code == 1
    _clean(run.err)
    assert all(line.startswith("error: ") for line in run.err.splitlines()), run.err


@pytest.mark.parametrize("hostile", HOSTILE[:6])
def test_a_hostile_argument_in_a_usage_error_is_escaped(cli, hostile: str) -> None:
    for args in (["build", f"--{hostile}"], [f"no-such-command{hostile}"], ["export", "--format", hostile]):
        run = cli(*args)
        assert run.code == 2, run
        _clean(run.err)
        assert "error:" in run.err.lower()


def test_a_hostile_query_name_is_escaped(cli) -> None:
    run = cli("query", "who-met-whom\x1b[2J\nerror: forged")
    assert run.code == 2
    _clean(run.err, lines=1)
    assert run.err.startswith("error: no query named 'who-met-whom\\x1b[2J\\nerror: forged';")


def test_printable_leaves_every_script_alone() -> None:
    for text in ("赤沢亮正", "Ryōsei", "Лавров", "لوتنيك", "🇯🇵", "25% tariff — “deal”"):
        assert printable(text) == text


def test_a_reader_that_goes_away_stops_the_output_quietly(tmp_path: Path) -> None:
    import subprocess
    import sys

    from .conftest import REPO

    reader = subprocess.Popen(["head", "-c", "1"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    writer = subprocess.run([sys.executable, "-m", "tradegraph", "export", "--project", str(REPO), "--format", "nt"],
                            stdout=reader.stdin, stderr=subprocess.PIPE, text=True, timeout=300)
    reader.stdin.close()  # type: ignore[union-attr]
    reader.wait()
    assert writer.returncode in (0, 141), writer.stderr
    assert not any(word in writer.stderr for word in ("Traceback", "internal error", "Exception ignored"))
