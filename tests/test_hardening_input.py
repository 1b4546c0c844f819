"""Hostile fact files (issue 14): each class of bad input is one clear line and exit 1.

Classes: named graphs that would collide (4), values read wrongly or unfit for an output
(5), fact files that are not regular files (6), aliases that expand too far (12), and inputs
that used to end in an internal error (14). tests/bad/ pins the exact messages of the YAML
cases; these tests cover the other members of each class.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
from rdflib import XSD, Graph, Literal, URIRef

from tradegraph.facts.loader import load_facts
from tradegraph.project import Project

HEADER = ("source:\n  id: bad-article\n  title: A bad article\n  publisher: atlantis-government\n"
          "  published: 2025-03-14\n")


def _tariff(rate: str, *, evidence: str = "a tariff") -> str:
    return (HEADER + "facts:\n  - id: odd-rate\n    kind: tariff\n    imposed_by: atlantis-government\n"
            f"    rate: {rate}\n    scope: [fish]\n    status: announced\n    evidence: {evidence}\n")


def _write(project: Path, name: str, text: str | bytes) -> Path:
    path = project / "graph" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def _one_error(run, code: int = 1) -> str:
    """The one message line of a failed run (no traceback, no internal error)."""
    assert run.code == code, run.err
    assert run.err.startswith("error: ") and run.err.count("\n") == 1, run.err
    return run.err[len("error: "):-1]


# ---------------------------------------------------------------------- 4: named graphs
@pytest.mark.parametrize("name, text, expected", [
    ("bulk/first-article.jsonl", '{"kind": "person", "id": "cy", "name": "Cy"}\n',
     "graph/bulk/first-article.jsonl:1: the actors of graph/bulk/first-article.jsonl would share the named "
     "graph 'first-article' with graph/sources/first-article.yaml"),
    ("first-article.yaml", "people:\n  - id: cy\n    name: Cy\n",
     "graph/sources/first-article.yaml:2: source 'first-article' would share the named graph 'first-article' "
     "with graph/first-article.yaml"),
    ("actors.yml", "people:\n  - id: cy\n    name: Cy\n",
     "graph/actors.yml: the actors file graph/actors.yml would share the named graph 'actors' with "
     "graph/actors.yaml"),
    ("bulk/actors.csv", "kind,id,name\nperson,cy,Cy\n",
     "graph/bulk/actors.csv:2: the actors of graph/bulk/actors.csv would share the named graph 'actors' "
     "with graph/actors.yaml"),
    ("bulk/sources.jsonl", '{"kind": "source", "id": "ontology", "title": "T", "publisher": '
     '"atlantis-government", "published": "2025-03-14"}\n',
     "graph/bulk/sources.jsonl:1: source 'ontology' would take the named graph 'ontology', which holds "
     "the ontology"),
    ("inferred.yaml", "people:\n  - id: cy\n    name: Cy\n",
     "graph/inferred.yaml: the actors file graph/inferred.yaml would take the named graph 'inferred'"),
    ("My Actors.yaml", "people:\n  - id: cy\n    name: Cy\n",
     "graph/My Actors.yaml: the actors file graph/My Actors.yaml cannot name a graph: 'My Actors'"),
    ("ACTORS.YAML", "people:\n  - id: cy\n    name: Cy\n",
     "graph/ACTORS.YAML: the actors file graph/ACTORS.YAML cannot name a graph: 'ACTORS'"),
], ids=["bulk-actors-vs-source", "actors-file-vs-source", "yaml-vs-yml", "bulk-vs-actors-file",
        "bulk-source-ontology", "actors-file-inferred", "file-name-with-space", "upper-case-name"])
def test_two_inputs_never_share_a_named_graph(minimal: Path, cli, name: str, text: str, expected: str) -> None:
    _write(minimal, name, text)
    assert _one_error(cli("validate", "--project", str(minimal))).startswith(expected)


def test_two_bulk_files_of_one_name_do_not_share_a_graph(minimal: Path, cli) -> None:
    _write(minimal, "bulk/people.jsonl", '{"kind": "person", "id": "cy", "name": "Cy"}\n')
    _write(minimal, "bulk/people.csv", "kind,id,name\nperson,dee,Dee\n")
    assert _one_error(cli("validate", "--project", str(minimal))).startswith(
        "graph/bulk/people.jsonl:1: the actors of graph/bulk/people.jsonl would share the named graph "
        "'people' with graph/bulk/people.csv")


def test_bulk_facts_join_their_source_graph_and_actors_their_own(minimal: Path) -> None:
    _write(minimal, "bulk/people.jsonl", '{"kind": "person", "id": "cy", "name": "Cy"}\n'
           '{"kind": "meeting", "id": "cy-meets-ana", "source": "first-article", "participants": ["cy", "ana"],'
           ' "when": "2025-03", "status": "happened", "evidence": "Cy met Ana"}\n')
    facts = load_facts(Project.open(minimal))
    names = sorted(str(g.identifier)[len(facts.base):] for g in facts.dataset.graphs() if len(g))
    assert names == ["graph/actors", "graph/first-article", "graph/people"]
    meeting = URIRef(facts.base + "cy-meets-ana")
    assert (meeting, None, None) in facts.dataset.graph(facts.graph_iri("first-article"))


# ---------------------------------------------------------------------- 5: values read wrongly
@pytest.mark.parametrize("rate", ["1:30", "190:20:30", "0x19", "0X1A", "0o17", "017", "09", "0b101", "2_5",
                                  "1_000.5", ".inf", "-.inf", "+.INF", ".nan", ".NaN"])
def test_yaml_number_forms_other_than_plain_decimals_are_refused(minimal: Path, cli, rate: str) -> None:
    _write(minimal, "sources/bad.yaml", _tariff(rate))
    message = _one_error(cli("validate", "--project", str(minimal)))
    assert message.startswith(f"graph/sources/bad.yaml:10: '{rate}' is not a plain decimal number")


@pytest.mark.parametrize("rate", ["1e19", "12345678901234567890", "0.1234567890123456789", "1.0e-400", "1e-19"])
def test_numbers_beyond_what_a_store_holds_are_refused(minimal: Path, cli, rate: str) -> None:
    _write(minimal, "sources/bad.yaml", _tariff(rate))
    assert "has too many digits" in _one_error(cli("validate", "--project", str(minimal)))


@pytest.mark.parametrize("written, lexical", [
    ("0.1", "0.1"), ("12.345678901234567", "12.345678901234567"), ("25", "25.0"), ("2.50", "2.5"),
    ("1.5e2", "150.0"), ("0.000000000000000001", "0.000000000000000001"), ("'1:30'", None)])
def test_decimals_keep_their_exact_value(minimal: Path, written: str, lexical: str | None) -> None:
    if lexical is None:  # quoted: text, and a rate must be a number
        _write(minimal, "sources/bad.yaml", _tariff(written))
        with pytest.raises(Exception, match=r"`rate` of tariff 'odd-rate' is '1:30'; expected a number"):
            load_facts(Project.open(minimal))
        return
    _write(minimal, "sources/bad.yaml", _tariff(written))
    facts = load_facts(Project.open(minimal))
    rates = [o for _, _, o in facts.dataset.triples((URIRef(facts.base + "odd-rate"), None, None))
             if isinstance(o, Literal) and o.datatype == XSD.decimal]
    assert [str(r) for r in rates] == [lexical]
    assert rates[0].value == Decimal(lexical)


def test_quoted_forms_are_text(minimal: Path) -> None:
    _write(minimal, "sources/bad.yaml", _tariff("25", evidence="'1:30, 0x19, .inf and 017'"))
    facts = load_facts(Project.open(minimal))
    assert Literal("1:30, 0x19, .inf and 017") in set(facts.dataset.objects())


@pytest.mark.parametrize("date", ["٢٠٢٥-03-14", "２０２５-03-14", "२०२५-03-14", "2025-٠٣-14", "2025-03-1４"])
def test_dates_take_ascii_digits_only(minimal: Path, cli, date: str) -> None:
    _write(minimal, "sources/bad.yaml", HEADER.replace("2025-03-14", date))
    assert "is not a date" in _one_error(cli("validate", "--project", str(minimal)))


CONTROL = ["\\0", "\\x01", "\\a", "\\b", "\\v", "\\f", "\\e", "\\x7f", "\\x85", "\\x9f", "\\u2028",
           "\\u2029", "\\ud800", "\\udfff", "\\uffff", "\\ufffe"]


@pytest.mark.parametrize("escape", CONTROL)
def test_yaml_escapes_of_characters_no_output_carries_are_refused(minimal: Path, cli, escape: str) -> None:
    _write(minimal, "sources/bad.yaml", _tariff("25", evidence=f'"before{escape}after"'))
    message = _one_error(cli("validate", "--project", str(minimal)))
    assert message.startswith("graph/sources/bad.yaml:13: the value of `evidence` holds ")


@pytest.mark.parametrize("escape", ["\\u0001", "\\u001b", "\\b", "\\f", "\\u0085", "\\u2028", "\\ud800",
                                    "\\uffff"])
def test_json_lines_escapes_are_refused(minimal: Path, cli, escape: str) -> None:
    _write(minimal, "bulk/people.jsonl", '{"kind": "person", "id": "cy", "name": "Cy"}\n'
           f'{{"kind": "person", "id": "dee", "name": "D{escape}ee"}}\n')
    assert _one_error(cli("validate", "--project", str(minimal))).startswith("graph/bulk/people.jsonl:2: ")


@pytest.mark.parametrize("raw", ["\x01", "\x1b", "\x7f", "\x85", "\u2028"])
def test_raw_control_characters_in_bulk_files_are_refused(minimal: Path, cli, raw: str) -> None:
    _write(minimal, "bulk/people.csv", f"kind,id,name\nperson,cy,Cy\nperson,dee,D{raw}ee\n")
    assert _one_error(cli("validate", "--project", str(minimal))).startswith(
        "graph/bulk/people.csv:3: the `name` cell holds ")
    os.remove(minimal / "graph" / "bulk" / "people.csv")
    _write(minimal, "bulk/people.jsonl", f'{{"kind": "person", "id": "dee", "name": "D{raw}ee"}}\n')
    assert _one_error(cli("validate", "--project", str(minimal))).startswith("graph/bulk/people.jsonl:1: ")


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "1" * 5001])
def test_json_lines_numbers_are_read_exactly_or_refused(minimal: Path, cli, number: str) -> None:
    _write(minimal, "bulk/facts.jsonl", '{"kind": "tariff", "id": "t", "source": "first-article", '
           f'"imposed_by": "atlantis-government", "rate": {number}, "scope": ["fish"], "status": "announced", '
           '"evidence": "e"}\n')
    assert _one_error(cli("validate", "--project", str(minimal))).startswith("graph/bulk/facts.jsonl:1: ")


@pytest.mark.parametrize("rate", ["1_000", "٢٥", "inf", "nan", "0x19", "1e400"])
def test_csv_numbers_are_plain_decimals(minimal: Path, cli, rate: str) -> None:
    _write(minimal, "bulk/facts.csv", "kind,id,source,imposed_by,rate,scope,status,evidence\n"
           f"tariff,t,first-article,atlantis-government,{rate},fish,announced,e\n")
    assert _one_error(cli("validate", "--project", str(minimal))).startswith("graph/bulk/facts.csv:2: ")


def test_legal_text_reaches_every_xml_output_intact(minimal: Path, cli, tmp_path: Path) -> None:
    """Tabs, line breaks, any script, emoji (escaped as a surrogate pair, as json.dumps writes it),
    Latin-1 letters: every XML output parses, and RDF/XML keeps the text exactly."""
    text = "tab\there\nnew line, 東京, Ελλάδα, emoji 🙂, Ångström, ¿sí?"
    people = (minimal / "graph" / "actors.yaml").read_text(encoding="utf-8")
    (minimal / "graph" / "actors.yaml").write_text(people.replace("name: Ana Example", f"name: {json.dumps(text)}"),
                                                   encoding="utf-8")
    for fmt in ("xml", "gexf", "graphml"):
        out = tmp_path / f"out.{fmt}"
        run = cli("export", "--project", str(minimal), "--format", fmt, "-o", str(out))
        assert run.code == 0, run.err
        ElementTree.parse(out)  # well-formed XML
    graph = Graph().parse(tmp_path / "out.xml", format="xml")
    assert Literal(text) in set(graph.objects())


# ---------------------------------------------------------------------- 6: not regular files
def _fifo(path: Path) -> None:
    os.mkfifo(path)


@pytest.mark.parametrize("folder", ["sources", "bulk", ""])
@pytest.mark.parametrize("kind", ["dangling", "loop", "device", "directory", "fifo"])
def test_fact_entries_that_are_not_regular_files_are_errors(minimal: Path, cli, folder: str, kind: str) -> None:
    suffix = ".jsonl" if folder == "bulk" else ".yaml"
    where = minimal / "graph" / folder
    where.mkdir(exist_ok=True)
    path = where / f"odd{suffix}"
    if kind == "dangling":
        path.symlink_to(where / "nowhere.yaml")
    elif kind == "loop":
        path.symlink_to(where / f"other{suffix}")
        (where / f"other{suffix}").symlink_to(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    elif kind == "directory":
        path.mkdir()
    else:
        _fifo(path)
    started = time.monotonic()
    message = _one_error(cli("validate", "--project", str(minimal)))
    assert time.monotonic() - started < 30  # a FIFO is never opened for reading
    shown = f"graph/{folder}/odd{suffix}".replace("//", "/")
    reason = {"dangling": "cannot read the file (a symlink to nothing)", "loop": "cannot read the file (a loop of symlinks)",
              "device": "not a regular file (it is a character device)",
              "directory": "not a regular file (it is a directory)", "fifo": "not a regular file (it is a FIFO)"}[kind]
    if kind == "loop" and message.startswith(shown.replace("odd", "other")):
        shown = shown.replace("odd", "other")
    assert message.startswith(f"{shown}: {reason}")


@pytest.mark.parametrize("folder", ["sources", "bulk"])
def test_a_fact_folder_that_is_a_file_is_an_error(minimal: Path, cli, folder: str) -> None:
    target = minimal / "graph" / folder
    if target.exists():
        shutil.rmtree(target)
    target.write_text("not a folder\n")
    assert _one_error(cli("validate", "--project", str(minimal))).startswith(
        f"graph/{folder}: graph/{folder} is not a folder")


def test_a_fact_folder_that_is_a_dangling_symlink_is_an_error(minimal: Path, cli) -> None:
    (minimal / "graph" / "bulk").symlink_to(minimal / "nowhere")
    assert _one_error(cli("validate", "--project", str(minimal))).startswith(
        "graph/bulk: graph/bulk is a symlink to nothing")


def test_hidden_files_and_other_suffixes_are_not_fact_files(minimal: Path, cli) -> None:
    (minimal / "graph" / "sources" / ".#first-article.yaml").symlink_to("root@host.1234")  # an editor's lock
    (minimal / "graph" / "sources" / "notes.md").write_text("# notes\n")
    (minimal / "graph" / "sources" / "first-article.yaml~").write_text("backup: [\n")
    run = cli("validate", "--project", str(minimal))
    assert run.code == 0, run.err


def test_a_symlink_to_a_regular_file_is_read(minimal: Path, cli, tmp_path: Path) -> None:
    elsewhere = tmp_path / "kept-elsewhere.yaml"
    shutil.move(minimal / "graph" / "sources" / "first-article.yaml", elsewhere)
    (minimal / "graph" / "sources" / "first-article.yaml").symlink_to(elsewhere)
    assert cli("validate", "--project", str(minimal)).code == 0


def test_a_file_that_cannot_be_read_is_one_error(minimal: Path, cli) -> None:
    """/proc/self/mem is a regular file that even root cannot read from its start (EIO)."""
    (minimal / "graph" / "sources" / "unreadable.yaml").symlink_to("/proc/self/mem")
    assert _one_error(cli("validate", "--project", str(minimal))) .startswith(
        "graph/sources/unreadable.yaml: cannot read the file (Input/output error)")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file of mode 000; the /proc/self/mem case covers root")
def test_a_file_without_permission_is_one_error(minimal: Path, cli) -> None:
    path = minimal / "graph" / "sources" / "first-article.yaml"
    path.chmod(0)
    assert _one_error(cli("validate", "--project", str(minimal))).startswith(
        "graph/sources/first-article.yaml: cannot read the file (Permission denied)")


# ---------------------------------------------------------------------- 12: aliases bounded by size
def test_a_large_anchored_text_referred_to_many_times_is_refused_quickly(minimal: Path, cli) -> None:
    big = "x" * (4 * 1024 * 1024)
    text = f"big: &big {big}\nmany: [{', '.join(['*big'] * 40_000)}]\n"
    _write(minimal, "sources/bad.yaml", text)
    started = time.process_time()
    message = _one_error(cli("validate", "--project", str(minimal)))
    assert time.process_time() - started < 10
    assert "expands to more than" in message and "through YAML aliases" in message


def test_a_few_aliases_of_small_values_are_fine(minimal: Path, cli) -> None:
    text = (HEADER + "facts:\n  - id: t1\n    kind: tariff\n    imposed_by: atlantis-government\n"
            "    scope: &scope [fish]\n    status: announced\n    evidence: a tariff\n"
            + "".join(f"  - id: t{i}\n    kind: tariff\n    imposed_by: atlantis-government\n"
                      f"    scope: *scope\n    status: announced\n    evidence: another\n" for i in range(2, 50)))
    _write(minimal, "sources/bad.yaml", text)
    run = cli("validate", "--project", str(minimal))
    assert run.code == 0, run.err


# ---------------------------------------------------------------------- 14: never an internal error
@pytest.mark.parametrize("text, start", [
    ("a: &a {b: *a}\n", "graph/sources/bad.yaml:1: a YAML alias refers to a list or mapping that holds it"),
    ("a: &a [[*a]]\n", "graph/sources/bad.yaml:1: a YAML alias refers to a list or mapping that holds it"),
    ("[" * 100_000 + "]" * 100_000, "graph/sources/bad.yaml:1: lists and mappings are nested more than 64"),
    ("{a: " * 2000 + "x" + "}" * 2000, "graph/sources/bad.yaml:1: lists and mappings are nested more than 64"),
    ("".join(" " * i + "- \n" for i in range(1500)), "graph/sources/bad.yaml:65: lists and mappings are nested"),
    ("".join(" " * i + f"k{i}:\n" for i in range(1500)), "graph/sources/bad.yaml:65: lists and mappings are nested"),
    (_tariff("25").replace("id: odd-rate", "id: \"odd\\nrate\""), "graph/sources/bad.yaml:7: bad id 'odd\\nrate'"),
    (HEADER + "  url: http://example.org:99999/a\n", "graph/sources/bad.yaml:6: `url` of source 'bad-article' is not a URL"),
    (HEADER + "  url: \"https://example.org/\\n\"\n", "graph/sources/bad.yaml:6: `url` of source 'bad-article' is not a URL"),
    (HEADER + "facts:\n  - id: c\n    kind: citation\n    of: {id: x}\n    evidence: e\n",
     "graph/sources/bad.yaml:9: `of` of citation 'c' is a mapping"),
], ids=["alias-in-mapping", "alias-nested", "deep-flow-lists", "deep-flow-maps", "deep-block-lists",
        "deep-block-maps", "id-inner-newline", "url-bad-port", "url-newline", "citation-of-mapping"])
def test_hostile_yaml_is_one_line(minimal: Path, cli, text: str, start: str) -> None:
    _write(minimal, "sources/bad.yaml", text)
    assert _one_error(cli("validate", "--project", str(minimal))).startswith(start)


@pytest.mark.parametrize("line, start", [
    ('{"kind": "person", "id": "cy", "name": ' + "[" * 100_000 + "]" * 100_000 + "}",
     "graph/bulk/x.jsonl:1: lists and objects are nested more than 64 levels deep"),
    ('{"kind": "person", "id": "cy", "name": ' + '{"a": ' * 200 + "1" + "}" * 200 + "}",
     "graph/bulk/x.jsonl:1: lists and objects are nested more than 64 levels deep"),
    ('{"kind": "person", "id": "cy\\n", "name": "Cy"}', "graph/bulk/x.jsonl:1: bad id 'cy\\n'"),
    ('{"kind": "person", "id": "cy", "name": "' + "a" * (1024 * 1024 + 10) + '"}',
     "graph/bulk/x.jsonl:1: the line is longer than 1,048,576 characters"),
    ('{"kind": "person", "id": "cy", "name": "Cy", "wikidata": "Q1\\n"}', "graph/bulk/x.jsonl:1: `wikidata`"),
])
def test_hostile_json_lines_are_one_line(minimal: Path, cli, line: str, start: str) -> None:
    _write(minimal, "bulk/x.jsonl", line + "\n")
    assert _one_error(cli("validate", "--project", str(minimal))).startswith(start)


@pytest.mark.parametrize("body, start", [
    ("kind,id,name\nperson,cy," + "a" * 140_000 + "\n",
     "graph/bulk/x.csv:2: the CSV cannot be read: field larger than field limit (131072)"),
    ('kind,id,name\nperson,cy,"' + "a" * 140_000 + "\n", "graph/bulk/x.csv:"),
    ("kind,id,name\nperson,cy\x00,Cy\n", "graph/bulk/x.csv:2: "),
    ("kind,id,name\x01\nperson,cy,Cy\n", "graph/bulk/x.csv:1: the header holds the control character U+0001"),
])
def test_hostile_csv_is_one_line(minimal: Path, cli, body: str, start: str) -> None:
    _write(minimal, "bulk/x.csv", body)
    assert _one_error(cli("validate", "--project", str(minimal))).startswith(start)


_ONCE = "(hint: merge the two entries or rename one)"


@pytest.mark.parametrize("name, body, message", [
    ("x.jsonl", '{"kind": "person", "id": "cy", "name": "A", "name": "B"}\n',
     "graph/bulk/x.jsonl:1: duplicate key 'name'; expected each key once per object " + _ONCE),
    ("x.jsonl", '{"kind": "person", "id": "cy", "name": "Cy"}\n{"kind": "person", "kind": "person", "id": "d"}\n',
     "graph/bulk/x.jsonl:2: duplicate key 'kind'; expected each key once per object " + _ONCE),
    ("x.jsonl", '{"kind": "person", "id": "cy", "name": "Cy", "x": {"a": 1, "a": 2}}\n',
     "graph/bulk/x.jsonl:1: duplicate key 'a'; expected each key once per object " + _ONCE),
    ("x.jsonl", '{"kind": "person", "id": "cy", "n\\u0061me": "A", "name": "B"}\n',
     "graph/bulk/x.jsonl:1: duplicate key 'name'; expected each key once per object " + _ONCE),
    ("x.csv", "kind,id,name,name\nperson,cy,A,B\n",
     "graph/bulk/x.csv:1: duplicate key 'name' (columns 3 and 4); expected each column name once in the header "
     + _ONCE),
    ("x.csv", "kind,id, name,name \nperson,cy,A,B\n", "graph/bulk/x.csv:1: duplicate key 'name' (columns 3 and 4)"),
    ("x.csv", "id,kind,kind\ncy,person,person\n", "graph/bulk/x.csv:1: duplicate key 'kind' (columns 2 and 3)"),
])
def test_a_duplicate_key_in_a_bulk_file_is_one_line(minimal: Path, cli, name: str, body: str,
                                                     message: str) -> None:
    _write(minimal, f"bulk/{name}", body)
    for command in (("validate",), ("build",)):
        assert _one_error(cli(*command, "--project", str(minimal))).startswith(message)


@pytest.mark.parametrize("config, start", [
    ("- base\n", "tradegraph.yaml:1: tradegraph.yaml holds a list at the top"),
    ("just text\n", "tradegraph.yaml:1: tradegraph.yaml holds a single value at the top"),
    ("bsae: https://example.org/id/\n", "tradegraph.yaml:1: unknown setting 'bsae'"),
    ("base: [a]\n", "tradegraph.yaml:1: the base IRI is ['a']"),
    ("base: 'http://x y/'\n", "tradegraph.yaml:1: the base IRI 'http://x y/' is not an IRI"),
    ("base: 'http://[::1/'\n", "tradegraph.yaml:1: the base IRI 'http://[::1/' is not an IRI"),
    ("base: 'id/'\n", "tradegraph.yaml:1: the base IRI 'id/' is not absolute"),
    ("base: 'http://x/%zz/'\n", "tradegraph.yaml:1: the base IRI 'http://x/%zz/' is not an IRI (Invalid IRI percent"),
    ("base: 'http://x/%2'\n", "tradegraph.yaml:1: the base IRI 'http://x/%2' is not an IRI (Invalid IRI percent"),
    ("base: 'http://x/a%'\n", "tradegraph.yaml:1: the base IRI 'http://x/a%' is not an IRI (Invalid IRI percent"),
    ("base: 'http://x/a#b#'\n", "tradegraph.yaml:1: the base IRI 'http://x/a#b#' is not an IRI (Invalid IRI code"),
    ("base: \"http://x/\\uE000/\"\n", "tradegraph.yaml:1: the base IRI 'http://x/\\ue000/' is not an IRI (Invalid"),
    ("base: 'https:///id/'\n", "tradegraph.yaml:1: the base IRI 'https:///id/' is not absolute"),
    ("base: \"https://example.org/\\e[2J/\"\n", "tradegraph.yaml:1: the value of `base` holds the control"),
])
def test_a_bad_tradegraph_yaml_is_one_line(minimal: Path, cli, config: str, start: str) -> None:
    (minimal / "tradegraph.yaml").write_text(config)
    for command in (("validate",), ("build",), ("stats",)):
        assert _one_error(cli(*command, "--project", str(minimal))).startswith(start)


@pytest.mark.parametrize("base", ["http://x/%zz/", "http://x/%4/", "https://example.org/id%/"])
def test_a_bad_percent_escape_in_the_base_is_one_line_everywhere(minimal: Path, cli, tmp_path: Path,
                                                                 base: str) -> None:
    start = f"--base: the base IRI '{base}' is not an IRI (Invalid IRI percent encoding"
    for command in (("build",), ("build", "--store", str(tmp_path / "store"))):
        message = _one_error(cli(*command, "--project", str(minimal), "--base", base))
        assert message.startswith(start), message
        assert message.endswith("(hint: a % starts an escape of two hex digits; write %25 for % itself)")
    assert not (tmp_path / "store").exists()
    (minimal / "tradegraph.yaml").write_text(f"base: '{base}'\n")
    for command in (("build",), ("build", "--store", str(tmp_path / "store")), ("export", "-f", "nt")):
        assert _one_error(cli(*command, "--project", str(minimal))).startswith(
            f"tradegraph.yaml:1: the base IRI '{base}' is not an IRI (Invalid IRI percent encoding")


def test_a_bad_base_option_is_one_line(minimal: Path, cli) -> None:
    message = _one_error(cli("build", "--project", str(minimal), "--base", "http://x y/"))
    assert message.startswith("--base: the base IRI 'http://x y/' is not an IRI")
    assert not (minimal / "build").exists()
