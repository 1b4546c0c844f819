"""The GEXF export is valid GEXF 1.2 and keeps the rules Gephi enforces on reading it.

No installable package ships the GEXF schema (networkx writes GEXF but carries no XSD), so
``tests/schemas/gexf-1.2.xsd`` (with its viz module) states the part of GEXF 1.2 that the export
uses, written from the specification; xmlschema validates against it. Beside the schema, the
rules Gephi's importer holds that XSD cannot say: a node's or edge's spells do not overlap (its
graphstore refuses "Overlapping intervals"), each starts no later than it ends and is written in
the graph's ``timeformat``, every attribute value is declared for its class and parses as its
declared type, and every edge joins declared nodes.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import xmlschema

from tradegraph.export.exports import export
from tradegraph.project import Project

from .conftest import FIXTURES, REPO

SCHEMA = Path(__file__).parent / "schemas" / "gexf-1.2.xsd"
G = "{http://www.gexf.net/1.2draft}"

# A source whose events nest and overlap: talks over February and March, a call inside them, a
# meeting on their last day and a visit that begins before they end and runs into April; Bo and
# Cy share all four, so their node and edge spells must come out as one.
OVERLAPS = """\
source:
  id: overlaps
  title: Bo and Cy keep talking
  publisher: utopia-government
  published: {date: 2025-04-30}

facts:
  - id: bo-cy-round
    kind: talks
    label: Bo and Cy hold a round of talks
    participants: [bo, cy]
    when: {from: 2025-02-01, to: 2025-03-31}
    status: happened
    evidence: Bo and Cy talked through February and March.
  - id: bo-cy-call-inside
    kind: phone-call
    label: Bo calls Cy during the round
    participants: [{actor: bo, role: caller}, {actor: cy, role: callee}]
    mode: phone
    part_of: bo-cy-round
    when: {date: 2025-03-05}
    status: happened
    evidence: Bo called Cy on March 5, during the round.
  - id: bo-cy-meeting-last-day
    kind: meeting
    label: Bo meets Cy as the round ends
    participants: [bo, cy]
    when: {date: 2025-03-31}
    status: happened
    evidence: They met on the round's last day.
  - id: bo-cy-visit-across
    kind: visit
    label: Bo visits Cy
    participants: [{actor: bo, role: visitor}, {actor: cy, role: host}]
    when: {from: 2025-03-20, to: 2025-04-10}
    status: happened
    evidence: Bo stayed with Cy from March 20 to April 10.
  - id: ana-cy-later
    kind: meeting
    label: Ana meets Cy later
    participants: [ana, cy]
    when: {date: 2025-04-20}
    status: happened
    evidence: Ana met Cy on April 20.
"""


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA))


@pytest.fixture(scope="module")
def overlapping(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The GEXF export of the network fixture with the nested and overlapping events added."""
    project = tmp_path_factory.mktemp("gexf") / "network"
    shutil.copytree(FIXTURES / "network", project)
    (project / "graph" / "sources" / "overlaps.yaml").write_text(OVERLAPS, encoding="utf-8")
    return export(Project.open(project), "gexf")


@pytest.fixture(scope="module")
def bundled() -> str:
    """The GEXF export of the bundled data set."""
    return export(Project.open(REPO), "gexf")


def schema_errors(schema: xmlschema.XMLSchema, text: str) -> list[str]:
    return [f"{error.path}: {error.reason}" for error in schema.iter_errors(text)]


def gephi_problems(text: str) -> list[str]:
    """What Gephi's GEXF importer would refuse or misread in ``text``, one line each."""
    root = ET.fromstring(text)
    graph = root.find(f"{G}graph")
    assert graph is not None
    problems: list[str] = []
    timeformat = graph.get("timeformat", "double")
    times: dict[str, Callable[[str], Any]] = {"date": date.fromisoformat, "integer": int, "double": float}
    parse_time = times.get(timeformat, str)
    declared: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    for attributes in graph.findall(f"{G}attributes"):
        for attribute in attributes.findall(f"{G}attribute"):
            declared[attributes.get("class", "")][attribute.get("id", "")] = attribute.get("type", "")
    checks: dict[str, Callable[[str], Any]] = {"string": str, "integer": int, "long": int, "double": float, "float": float,
              "boolean": lambda v: {"true": True, "false": False}[v]}
    nodes = {node.get("id") for node in graph.iter(f"{G}node")}
    for kind in ("node", "edge"):
        for element in graph.iter(f"{G}{kind}"):
            name = f"{kind} {element.get('id')}"
            spells = []
            for spell in element.iter(f"{G}spell"):
                try:
                    start, end = (parse_time(spell.get(side, "")) if spell.get(side) else None
                                  for side in ("start", "end"))
                except (ValueError, KeyError):
                    problems.append(f"{name}: spell {spell.attrib} is not in timeformat {timeformat}")
                    continue
                if start is not None and end is not None and start > end:
                    problems.append(f"{name}: spell starts after it ends: {spell.attrib}")
                spells.append((start, end))
            spells.sort(key=lambda s: (s[0] is not None, s[0]))
            for (_, end), (start, _) in pairwise(spells):
                if end is None or start is None or start <= end:
                    problems.append(f"{name}: overlapping spells {spells}")
            for value in element.iter(f"{G}attvalue"):
                kind_of = declared[kind].get(value.get("for", ""))
                if kind_of is None:
                    problems.append(f"{name}: attvalue for undeclared {kind} attribute {value.get('for')}")
                    continue
                try:
                    checks.get(kind_of, str)(value.get("value", ""))
                except (ValueError, KeyError):
                    problems.append(f"{name}: {value.get('value')!r} is not a {kind_of}")
            if kind == "edge" and not {element.get("source"), element.get("target")} <= nodes:
                problems.append(f"{name}: joins a node that is not declared")
    return problems


def test_bundled_export_is_valid_gexf_gephi_reads(schema: xmlschema.XMLSchema, bundled: str) -> None:
    assert 'version="1.2"' in bundled and "http://www.gexf.net/1.2draft" in bundled
    assert schema_errors(schema, bundled) == []
    assert gephi_problems(bundled) == []


def test_nested_and_overlapping_events_give_one_spell(schema: xmlschema.XMLSchema, overlapping: str) -> None:
    assert schema_errors(schema, overlapping) == []
    assert gephi_problems(overlapping) == []
    root = ET.fromstring(overlapping)
    spells = {f"{element.tag[len(G):]} {element.get('id')}":
              [(s.get("start"), s.get("end")) for s in element.iter(f"{G}spell")]
              for element in root.iter() if element.tag in (f"{G}node", f"{G}edge")}
    # Bo's node: the February talks, the round (02-01..03-31), the call inside it, the meeting on
    # its last day and the visit that runs on to 04-10 are one stretch of days
    assert spells["node bo"] == [("2025-02-01", "2025-04-10")]
    assert spells["node cy"] == [("2025-02-01", "2025-04-10"), ("2025-04-20", "2025-04-20")]
    # the link counts the call, not the round it is part of; the meeting inside the visit is merged
    assert spells["edge bo--cy"] == [("2025-02-01", "2025-02-28"), ("2025-03-05", "2025-03-05"),
                                     ("2025-03-20", "2025-04-10")]


def test_the_checks_catch_what_gephi_refuses(schema: xmlschema.XMLSchema, overlapping: str) -> None:
    """The schema and the rules are not vacuous: each fails on the fault it is there for."""
    split = overlapping.replace('<spell start="2025-02-01" end="2025-04-10" />',
                                '<spell start="2025-02-01" end="2025-03-31" />'
                                '<spell start="2025-03-20" end="2025-04-10" />', 1)
    assert split != overlapping and any("overlapping spells" in p for p in gephi_problems(split))
    backwards = overlapping.replace('start="2025-02-01" end="2025-04-10"', 'start="2025-04-10" end="2025-02-01"', 1)
    assert any("starts after it ends" in p for p in gephi_problems(backwards))
    undeclared = overlapping.replace('<attvalue for="0"', '<attvalue for="99"', 1)
    assert any("undeclared" in p for p in gephi_problems(undeclared))
    assert schema_errors(schema, overlapping.replace('mode="dynamic"', 'mode="dynamic" name=""', 1))
    assert schema_errors(schema, overlapping.replace('type="string"', 'type="text"', 1))
    assert schema_errors(schema, overlapping.replace('<viz:size value="', '<viz:size value="big', 1))
