"""Fuzzing the fact readers through the real CLI (issue 14): whatever a fact file holds, a
command ends in exit 0 or one clear error, never in an internal error (exit 70), an uncaught
exception or a traceback.

Five inputs: YAML fact files (a valid file with values or lines replaced by hostile ones), YAML
built from random structures, raw bytes, and bulk files (JSON Lines and CSV). Most examples run
``tradegraph stats`` (it reads every fact file, as every command does, without the SHACL run
that takes a fifth of a second); ``validate`` and ``build`` run on a share of them.

Hypothesis profiles: ``fuzz-ci`` (the default: about 1,000 examples in all, in the normal test
run) and ``fuzz-deep`` (``make fuzz``: ``TG_FUZZ_PROFILE=fuzz-deep``, 50,000 examples for each
loader test unless ``TG_FUZZ_EXAMPLES`` says otherwise).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradegraph.cli.main import main

from .conftest import FIXTURES

settings.register_profile("fuzz-ci", max_examples=200, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("fuzz-deep", max_examples=int(os.environ.get("TG_FUZZ_EXAMPLES", "50000")),
                          deadline=None, suppress_health_check=list(HealthCheck))
FUZZ = settings(settings.get_profile(os.environ.get("TG_FUZZ_PROFILE", "fuzz-ci")))
#: validate and build run the shapes (0.2 s and more an example): a share of the examples.
SLOW = settings(FUZZ, max_examples=max(10, FUZZ.max_examples // 20))

SOURCE = (FIXTURES / "minimal" / "graph" / "sources" / "first-article.yaml").read_text(encoding="utf-8")
ACTORS = (FIXTURES / "minimal" / "graph" / "actors.yaml").read_text(encoding="utf-8")

# Plain YAML that some reader takes for something else, escapes of characters no output carries,
# aliases, tags, brackets and odd structure: what a hostile or careless file holds.
HOSTILE = [
    "1:30", "0x19", "0o17", "017", "09", "2_5", ".inf", "-.inf", ".nan", "1.0e-400", "1e400", "1" * 5001,
    "12.5", "-0", "+7", "0.1000000000000000055511151231257827", "yes", "no", "on", "~", "null", "true",
    '"\\0"', '"\\x01"', '"\\e[2J"', '"\\u0085"', '"\\u2028"', '"\\ud800"', '"\\ud83d\\ude42"', '"\\uffff"',
    '"a\\nb"', '"\\t"', "'it''s'", "&a x", "*a", "&a [*a]", "!!python/object:os.system", "!!binary aGk=",
    "!!bool maybe", "!!int abc", "!!float 1:30", "!!timestamp 2025-13-45", "!!set {a}", "!!omap [a: 1]",
    "!!str", "!<tag:x> y", "[", "]", "{", "}", "[a, [b, {c: d}]]", "{a: 1, a: 2}", "? [a]\n: b", "<<: *a",
    "|\n  block\n  text", ">-\n  folded", "'unterminated", '"unterminated', "- a\n- b", "a: b: c", "\t",
    "2025-02-30", "2025-13", "0000", "99999-01-01", "٢٠٢٥-03-14", "２０２５", "2025-03-14T10:00:00Z",
    "http://[::1", "http://x:99999/", "https://example.org/\u00e9", "Q42", "Q0", "ja-abcdefghijk", "ja",
    "ana", "bo", "fish", "capital", "happened", "host", "first-article", "ontology", "inferred", "actors",
    "[ana, bo]", "[{actor: ana, role: host}]", "{from: 2025-05, to: 2025-04}", "{date: 2025-03-13}",
    "[" * 80 + "]" * 80, "{a: " * 80 + "x" + "}" * 80, "x" * 10_000, "東京", "🙂", "\u202e", "%", "@", "`",
]
TOKENS = st.one_of(st.sampled_from(HOSTILE),
                   st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30))
FIELDS = ["id", "kind", "when", "participants", "status", "evidence", "source", "facts", "rate", "holder",
          "of", "published", "title", "publisher", "url", "place", "mode", "topics", "names", "wikidata",
          "language", "imposed_by", "target", "scope", "effective", "from", "to", "date", "text", "how",
          "corrections", "retracted_by", "replaces", "count", "iso", "name", "country", "<<"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the minimal project, its fuzzed files rewritten by each example."""
    root = tmp_path_factory.mktemp("fuzz") / "p"
    shutil.copytree(FIXTURES / "minimal", root)
    return root


def _reset(project: Path) -> None:
    graph = project / "graph"
    for folder in ("bulk", "sources"):
        shutil.rmtree(graph / folder, ignore_errors=True)
    (graph / "sources").mkdir()
    (graph / "sources" / "first-article.yaml").write_text(SOURCE, encoding="utf-8")
    (graph / "actors.yaml").write_text(ACTORS, encoding="utf-8")
    shutil.rmtree(project / "out", ignore_errors=True)


def _run(*args: str) -> tuple[int, str]:
    """Run the CLI in-process, as a user would; its exit code and what it wrote to stderr."""
    err = io.StringIO()
    code = 0
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            main(list(args))
        except SystemExit as exit:
            code = int(exit.code or 0)
    return code, err.getvalue()


def _assert_clear(project: Path, command: str = "stats") -> None:
    args = ["build", "--out", str(project / "out")] if command == "build" else [command]
    code, err = _run(*args, "--project", str(project))
    assert code in (0, 1), f"exit {code}: {err[-2000:]}"
    assert "internal error" not in err and "Traceback" not in err, err[-2000:]
    if code == 1 and "violation(s)" not in err:  # refused before validation: one line a problem
        assert all(line.startswith("error: ") or line.startswith("graph/") for line in err.splitlines()), err


def _mutate(text: str, edits: list[tuple[int, int, str]]) -> str:
    """``text`` with some lines' values (or whole lines) replaced by hostile tokens."""
    lines = text.splitlines()
    for mode, index, token in edits:
        at = index % len(lines)
        line = lines[at]
        key, colon, _ = line.partition(": ")
        if mode == 0 and colon:
            lines[at] = f"{key}: {token}"
        elif mode == 1:
            lines[at] = token
        elif mode == 2:
            lines.insert(at, f"{line[: len(line) - len(line.lstrip())]}{token}: {token}")
        else:
            del lines[at]
            if not lines:
                lines = ["x: y"]
    return "\n".join(lines) + "\n"


EDITS = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10_000), TOKENS), min_size=1, max_size=4)


@FUZZ
@given(edits=EDITS, actors=st.booleans())
def test_fuzzed_yaml_fact_files_never_end_in_an_internal_error(project: Path, edits, actors: bool) -> None:
    _reset(project)
    target = project / "graph" / ("actors.yaml" if actors else "sources/first-article.yaml")
    target.write_text(_mutate(ACTORS if actors else SOURCE, edits), encoding="utf-8", errors="surrogatepass")
    _assert_clear(project)


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.decimals(allow_nan=False),
                    TOKENS, st.sampled_from(["ana", "bo", "fish", "meeting", "tariff", "first-article"]))
KEYS = st.one_of(st.sampled_from(FIELDS), TOKENS)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(KEYS, inner, max_size=5)), max_leaves=20)


def _dump(value: object) -> str:
    return yaml.safe_dump(json.loads(json.dumps(value, default=str)), allow_unicode=True)


@FUZZ
@given(records=st.lists(st.dictionaries(KEYS, VALUES, max_size=6), max_size=3), header=VALUES)
def test_random_yaml_structures_never_end_in_an_internal_error(project: Path, records, header) -> None:
    _reset(project)
    text = _dump({"source": header, "facts": records})
    (project / "graph" / "sources" / "fuzz.yaml").write_text(text, encoding="utf-8")
    _assert_clear(project)


@FUZZ
@given(data=st.one_of(st.binary(max_size=400), st.builds(lambda text, cut: SOURCE.encode()[:cut] + text,
                                                         st.binary(max_size=60), st.integers(0, len(SOURCE)))))
def test_raw_bytes_never_end_in_an_internal_error(project: Path, data: bytes) -> None:
    _reset(project)
    (project / "graph" / "sources" / "fuzz.yaml").write_bytes(data)
    _assert_clear(project)


GOOD_LINE = ('{"kind": "meeting", "id": "bulk-meeting", "source": "first-article", "participants": '
             '["ana", {"actor": "bo", "role": "host"}], "when": "2025-03", "status": "happened", '
             '"evidence": "they met"}')
JSON_VALUES = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), TOKENS,
                                     st.sampled_from(["ana", "bo", "person", "meeting", "first-article"])),
                           lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                   st.dictionaries(KEYS, inner, max_size=5)), max_leaves=20)


def _json_lines() -> st.SearchStrategy[str]:
    record = st.dictionaries(KEYS, JSON_VALUES, max_size=8).map(lambda d: {"kind": "person", **d})
    spliced = st.builds(lambda cut, text: GOOD_LINE[:cut] + text + GOOD_LINE[cut:],
                        st.integers(0, len(GOOD_LINE)), TOKENS)
    return st.one_of(record.map(lambda d: json.dumps(d, ensure_ascii=False)), spliced, TOKENS, st.just(GOOD_LINE),
                     record.map(lambda d: json.dumps(d)))


@FUZZ
@given(lines=st.lists(_json_lines(), max_size=5), name=st.sampled_from(["people", "facts", "actors", "ontology"]))
def test_fuzzed_json_lines_never_end_in_an_internal_error(project: Path, lines: list[str], name: str) -> None:
    _reset(project)
    (project / "graph" / "bulk").mkdir()
    path = project / "graph" / "bulk" / f"{name}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    _assert_clear(project)


CELLS = st.one_of(TOKENS, st.sampled_from(["person", "meeting", "tariff", "ana", "bo|ana", "ana:host|bo",
                                           "first-article", "2025-03", "happened", '"', '""', ",", "\r\n"]))


@FUZZ
@given(header=st.lists(st.one_of(st.sampled_from([*FIELDS, "when.from", "when.to", "when.text"]), TOKENS),
                       min_size=1, max_size=6),
       rows=st.lists(st.lists(CELLS, max_size=7), max_size=4))
def test_fuzzed_csv_never_ends_in_an_internal_error(project: Path, header: list[str], rows: list[list[str]]) -> None:
    _reset(project)
    (project / "graph" / "bulk").mkdir()
    text = "\n".join(",".join(cells) for cells in [["kind", *header], *rows]) + "\n"
    (project / "graph" / "bulk" / "rows.csv").write_text(text, encoding="utf-8", errors="surrogatepass")
    _assert_clear(project)


@SLOW
@given(edits=EDITS, command=st.sampled_from(["validate", "build"]))
def test_fuzzed_validate_and_build_never_end_in_an_internal_error(project: Path, edits, command: str) -> None:
    """The validate and build paths too (SHACL, and outputs written when the facts are valid)."""
    _reset(project)
    (project / "graph" / "sources" / "first-article.yaml").write_text(_mutate(SOURCE, edits), encoding="utf-8",
                                                                      errors="surrogatepass")
    _assert_clear(project, command)
