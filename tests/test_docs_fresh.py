"""Docs that cannot go stale: the README's outputs and figures, the catalogue of queries and the
docs page's counts are what the commands give now.

README.md and queries/README.md hold cog blocks (``<!-- [[[cog ... ]]] -->``, invisible on
GitHub) that run the real commands (:mod:`tests.docs_commands`) and hold their output; ``make
docs`` rewrites them. Here every block is run again and compared with what the file holds; a
stale block fails the test with its code and a diff, and ``make docs`` is the fix.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
from cogapp import Cog
from rdflib import OWL, RDF, SKOS

from tradegraph.project import Project
from tradegraph.rdf.graphs import ontology_graph

from .conftest import REPO

BLOCK = re.compile(r"\[\[\[cog\n(?P<code>.*?)\]\]\] -->\n(?P<out>.*?)<!-- \[\[\[end\]\]\]", re.S)
TG = "https://w3id.org/tradegraph/ontology#"

# Console examples in README.md that no cog block makes, each with why: they need a server
# that fails on purpose, or a server this project does not run.
HAND_WRITTEN = {
    "$ make demo ": "the set-up commands, no output shown",
    "$ fuseki-server ": "Fuseki does not run on the machines this project is tested on (the README says so)",
    "$ tradegraph push --endpoint http://127.0.0.1:7200/": "GraphDB does not run here either (the README says so)",
    "$ tradegraph query who-met-whom --endpoint http://127.0.0.1:7878/query     # nothing": "endpoint failures: "
    "they need a closed port, a server that never answers and a read-only one (tests/test_endpoint_faults.py "
    "pins these messages)",
    "$ tradegraph sparql --endpoint http://127.0.0.1:7881/": "a server stopping a query at its own time limit",
}


def stale_blocks(path: Path) -> list[str]:
    """Each cog block of ``path`` whose committed output differs from what it gives now: its code
    and a diff."""
    text = path.read_text("utf-8")
    fresh = Cog().process_string(text, str(path))
    old, new = list(BLOCK.finditer(text)), list(BLOCK.finditer(fresh))
    assert len(old) == len(new) > 0
    problems = []
    for before, now in zip(old, new, strict=True):
        if before["out"] != now["out"]:
            line = text[: before.start()].count("\n") + 1
            diff = "".join(difflib.unified_diff(before["out"].splitlines(True), now["out"].splitlines(True),
                                                "committed", "now", n=1))
            problems.append(f"{path.name}:{line}: stale block\n{before['code'].strip()}\n{diff}")
    return problems


def test_the_catalogue_of_queries_is_made_from_the_rq_headers() -> None:
    problems = stale_blocks(REPO / "queries" / "README.md")
    assert not problems, "run `make docs`:\n" + "\n".join(problems)
    table = (REPO / "queries" / "README.md").read_text("utf-8")
    for rq in sorted((REPO / "queries").glob("*.rq")):
        assert f"| `{rq.stem}` |" in table


@pytest.mark.slow
def test_readme_outputs_and_figures_are_what_the_commands_print_now() -> None:
    problems = stale_blocks(REPO / "README.md")
    assert not problems, "run `make docs`:\n" + "\n".join(problems)


def test_a_stale_block_is_named(tmp_path: Path) -> None:
    """The check can fail: a figure changed by hand in a block's output is reported with its block."""
    text = (REPO / "queries" / "README.md").read_text("utf-8")
    edited = text.replace("| `who-met-whom` | Pairs of actors", "| `who-met-whom` | Trios of actors", 1)
    assert edited != text
    copy = tmp_path / "README.md"
    copy.write_text(edited, "utf-8")
    (problem,) = stale_blocks(copy)
    assert problem.startswith("README.md:") and "query_table()" in problem and "-| `who-met-whom` | Trios" in problem


def test_every_console_example_in_the_readme_comes_from_a_command() -> None:
    """A ```console block outside the cog blocks is hand-written, and only those listed may be."""
    text = (REPO / "README.md").read_text("utf-8")
    outside = BLOCK.sub("", text)
    blocks = re.findall(r"```(?:console)?\n(\$ .*?)```", outside, re.S)
    unexplained = [b.splitlines()[0] for b in blocks if not any(b.startswith(k) for k in HAND_WRITTEN)]
    assert unexplained == []
    for start in HAND_WRITTEN:   # the list holds no entry that no longer applies
        assert any(b.startswith(start) for b in blocks), start


def test_the_docs_page_counts_what_the_ontology_holds(tmp_path: Path) -> None:
    from tradegraph.cli.main import main

    main(["docs", "--project", str(REPO), "-o", str(tmp_path)])
    page = (tmp_path / "index.html").read_text("utf-8")
    shown = re.search(r"(\d+) classes, (\d+) properties,\s*(\d+) vocabularies", page)
    assert shown, "the page no longer states its counts"
    ontology = ontology_graph(Project.open(REPO))

    def ours(*kinds: object) -> set[object]:
        return {s for kind in kinds for s in ontology.subjects(RDF.type, kind) if str(s).startswith(TG)}

    classes = ours(OWL.Class)
    properties = ours(OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
    schemes = {s for s in ontology.subjects(RDF.type, SKOS.ConceptScheme) if any(ontology.subjects(SKOS.inScheme, s))}
    assert tuple(int(n) for n in shown.groups()) == (len(classes), len(properties), len(schemes))
    for term in classes | properties:   # and each of them has its section
        assert f'id="tg-{str(term)[len(TG):]}"' in page, term
