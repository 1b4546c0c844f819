"""`tradegraph draft`, `review` and the evidence check (issue 18), on tests/fixtures/draft: a
graph that knows two negotiators (one by an alias) and a short article of our own."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from tradegraph.build.pipeline import build
from tradegraph.cli.main import main
from tradegraph.draft.actors import ActorIndex, Known
from tradegraph.draft.evidence import check_evidence
from tradegraph.draft.extract import draft_text
from tradegraph.draft.marks import still_drafts
from tradegraph.errors import InvalidData
from tradegraph.project import Project

FIXTURE = Path(__file__).parent / "fixtures" / "draft"
SOURCE = "graph/sources/norland-and-vestria-hold-steel-talks-in-port-vale.yaml"
PEOPLE = "graph/norland-and-vestria-hold-steel-talks-in-port-vale-people.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    (root / "graph" / "sources").mkdir(exist_ok=True)  # git keeps no empty folder
    return root


@dataclass
class Ran:
    exit_code: int
    output: str


def run(root: Path, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Ran:
    """`tradegraph COMMAND -p ROOT ARGS` through main() (its error lines and exit codes), with
    ``input`` on stdin; stdout and stderr together in ``output``."""
    runner = CliRunner()
    with runner.isolation(input=input, env=env) as streams:
        try:
            main([*args[:1], "-p", str(root), *args[1:]])
            code = 0
        except SystemExit as exit:
            code = int(exit.code or 0)
        output = streams[0].getvalue().decode() + streams[1].getvalue().decode()
    return Ran(code, output)


def drafted(root: Path) -> Any:
    result = run(root, "draft", str(root / "article.txt"), "--published", "2025-03-13", "--publisher", "example-news")
    assert result.exit_code == 0, result.output
    return yaml.safe_load((root / SOURCE).read_text("utf-8"))


def facts_of(doc: Any, kind: str) -> list[dict[str, Any]]:
    return [f for f in doc["facts"] if f["kind"] == kind]


# ---------------------------------------------------------------- names and aliases

def test_an_actor_is_found_by_name_surname_alias_and_a_misspelling() -> None:
    index = ActorIndex([Known("akazawa", "person", "Ryosei Akazawa", ("Japan's top trade negotiator",)),
                        Known("japan", "country", "Japan")])
    for sentence in ("Ryosei Akazawa spoke.", "Then Akazawa spoke.", "Japan’s top trade negotiator spoke.",
                     "Japan's chief trade negotiator spoke.", "Then Akazwa spoke."):
        assert [m.id for m in index.find(sentence) if m.kind == "person"] == ["akazawa"], sentence
    assert index.new == []


def test_an_unknown_person_like_name_is_proposed_and_known_from_then_on() -> None:
    index = ActorIndex([Known("japan", "country", "Japan")])
    first = index.find("Commerce Secretary Jane Doe arrived in Japan.")
    assert [(m.id, m.text, m.new) for m in first] == [("jane-doe", "Jane Doe", True), ("japan", "Japan", False)]
    assert [(m.id, m.new) for m in index.find("Doe said nothing.")] == [("jane-doe", False)]
    assert index.find("The World Expo opened in July.") == []  # capitalised, but no person
    assert [(m.id, m.new) for m in index.find("A test for Ishiba and Doe.")] == [("ishiba", True), ("jane-doe", False)]


def test_the_draft_matches_the_graph_and_proposes_the_rest(project: Path) -> None:
    doc = drafted(project)
    meeting = facts_of(doc, "meeting")[0]
    # "Norland's top trade negotiator Anna Berg": the graph knows her alias as "chief" trade negotiator
    assert meeting["participants"] == ["berg", "kray"] and meeting["place"] == "port-vale"
    people = yaml.safe_load((project / PEOPLE).read_text("utf-8"))["people"]
    assert people == [{"id": "lena-holt", "name": "Lena Holt", "draft": "proposed"}]
    call = facts_of(doc, "phone-call")[0]
    assert call["participants"] == ["lena-holt", "kray"]


# ---------------------------------------------------------------- dates, hedges, statements, measures

def test_every_record_is_a_draft_with_its_sentence_verbatim(project: Path) -> None:
    doc = drafted(project)
    text = (project / "article.txt").read_text("utf-8")
    assert doc["source"]["file"] == "article.txt" and doc["source"]["published"]["date"] == "2025-03-13"
    for fact in doc["facts"]:
        assert fact["draft"] == "proposed"
        for sentence in fact["evidence"] if isinstance(fact["evidence"], list) else [fact["evidence"]]:
            assert sentence in text


def test_dates_are_resolved_with_their_rule(project: Path) -> None:
    doc = drafted(project)
    meeting, call, visit = facts_of(doc, "meeting")[0], facts_of(doc, "phone-call")[0], facts_of(doc, "visit")[0]
    assert (meeting["when"]["date"], meeting["when"]["text"]) == ("2025-03-11", "Tuesday")  # a Thursday's Tuesday
    assert "on or before the publication date" in meeting["when"]["how"]
    assert call["when"]["date"] == "2025-03-12"
    assert (visit["when"]["from"], visit["when"]["to"], visit["when"]["precision"]) == ("2025-03-17", "2025-03-23", "week")


def test_hedges_become_status_and_attribution() -> None:
    index = ActorIndex([Known("a", "person", "Ann Ash"), Known("b", "person", "Bo Birch")])
    cases = {
        "Ann Ash met Bo Birch on Monday, according to local media.": ("reported", "according to local media"),
        "Ann Ash reportedly met Bo Birch on Monday.": ("reported", "reportedly"),
        "Ann Ash plans to meet Bo Birch next week.": ("planned", None),
        "A possible meeting of Ann Ash and Bo Birch on Monday is unclear.": ("uncertain", None),
        "Ann Ash met Bo Birch on Monday.": ("happened", None),
    }
    for sentence, (status, attribution) in cases.items():
        events = [p.record for p in draft_text(sentence, published=date(2025, 3, 13), index=index, source="s").proposals
                  if p.record["kind"] == "meeting"]
        assert [(e["status"], e.get("attribution")) for e in events] == [(status, attribution)], sentence


def test_quotes_and_reported_speech_are_statements_of_their_speaker(project: Path) -> None:
    doc = drafted(project)
    statements = {s["speaker"]: s for s in facts_of(doc, "statement")}
    assert statements["berg"]["quote"] == "We made progress on steel, and we will meet again"
    assert statements["kray"]["summary"].startswith("Vestria plans to impose a 15% tariff")
    index = ActorIndex([Known("a", "person", "Ann Ash"), Known("b", "person", "Bo Birch")])
    text = "Ann Ash met Bo Birch.\n“We agreed,” she said."
    found = [p.record for p in draft_text(text, published=date(2025, 3, 13), index=index, source="s").proposals
             if p.record["kind"] == "statement"]
    assert [(s["speaker"], s["quote"]) for s in found] == [("b", "We agreed")]  # "she": the last person named


def test_a_rate_near_a_tariff_word_is_a_measure_candidate(project: Path) -> None:
    doc = drafted(project)
    [candidate] = [f for f in doc["facts"] if f["id"].startswith("tariff-")]
    assert candidate["id"] == "tariff-15-steel" and "steel" in candidate["about"]
    index = ActorIndex([])
    assert [p.rate for p in draft_text("Exports grew 15% last year.", published=date(2025, 3, 13), index=index,
                                       source="s").proposals] == []


# ---------------------------------------------------------------- never replace

def test_draft_refuses_to_replace_a_file(project: Path) -> None:
    drafted(project)
    before = (project / SOURCE).read_bytes()
    again = run(project, "draft", str(project / "article.txt"), "--published", "2025-03-13")
    assert again.exit_code == 2 and f"{SOURCE} already exists" in again.output and "-o" in again.output
    assert (project / SOURCE).read_bytes() == before
    other = project / "mine.yaml"
    other.write_text("# mine\n", "utf-8")
    chosen = run(project, "draft", str(project / "article.txt"), "--published", "2025-03-13", "-o", str(other))
    assert chosen.exit_code == 2 and other.read_text("utf-8") == "# mine\n"


def test_draft_refuses_a_bad_date_and_a_fifo(project: Path) -> None:
    assert "is not a date" in run(project, "draft", str(project / "article.txt"), "--published", "13/03/2025").output
    fifo = project / "pipe.txt"
    os.mkfifo(fifo)
    result = run(project, "draft", str(fifo), "--published", "2025-03-13")
    assert result.exit_code == 2 and "FIFO" in result.output


# ---------------------------------------------------------------- build, validate, review

def test_build_refuses_drafts_unless_asked_and_then_marks_them(project: Path, tmp_path: Path) -> None:
    drafted(project)
    with pytest.raises(InvalidData, match="is a draft no one has reviewed"):
        build(Project.open(project), write=False)
    result = build(Project.open(project), write=False, drafts=True)
    marked = {str(s) for s, _, o in result.graph.triples((None, None, None)) if str(o) == "proposed"}
    assert len(marked) == len(still_drafts(Project.open(project))) == 7
    listed = run(project, "validate")
    assert listed.exit_code == 0 and "meeting 'berg-kray-meeting-2025-03-11' is a draft" in listed.output


def test_review_accepts_edits_and_rejects_keeping_comments_and_order(project: Path) -> None:
    drafted(project)
    path = project / SOURCE
    path.write_text(path.read_text("utf-8").replace("facts:\n", "facts:\n# a comment of mine\n", 1), "utf-8")
    editor = project / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/status: reported/status: happened/' \"$1\"\n", "utf-8")
    editor.chmod(0o755)
    # meeting: edit; statement: accept; statement: reject; claim: skip; then quit
    result = run(project, "review", str(path), input="e\na\nr\ns\nq\n", env={"EDITOR": str(editor)})
    assert result.exit_code == 0, result.output
    assert "> Norland's top trade negotiator Anna Berg met" in result.output  # the sentence is shown
    text = path.read_text("utf-8")
    doc = yaml.safe_load(text)
    ids = [f["id"] for f in doc["facts"]]
    assert "# a comment of mine" in text and text.startswith("# Drafted by `tradegraph draft`")
    assert ids[0] == "berg-kray-meeting-2025-03-11" and "kray-statement-2025-04-01" not in ids
    meeting, accepted = doc["facts"][0], doc["facts"][1]
    assert meeting["status"] == "happened" and "draft" not in meeting and "draft" not in accepted
    assert [f["id"] for f in doc["facts"] if "draft" in f] == ids[2:]
    assert "1 accepted, 1 edited, 1 rejected, 3 still draft" in result.output


def test_draft_review_build_end_to_end(project: Path) -> None:
    drafted(project)
    assert run(project, "build").exit_code == 1
    for path, count in ((SOURCE, 6), (PEOPLE, 1)):
        result = run(project, "review", str(project / path), input="a\n" * count)
        assert result.exit_code == 0 and f"{count} accepted" in result.output
    assert still_drafts(Project.open(project)) == []
    built = run(project, "build")
    assert built.exit_code == 0, built.output
    assert "PhoneCall 1" in built.output and "Meeting 1" in built.output


def test_review_of_an_unchanged_file_writes_nothing(project: Path) -> None:
    drafted(project)
    path = project / SOURCE
    before = path.stat().st_mtime_ns
    assert "unchanged" in run(project, "review", str(path), input="q\n").output
    assert path.stat().st_mtime_ns == before


# ---------------------------------------------------------------- the evidence check

def test_a_quote_missing_from_the_local_copy_is_an_error_with_file_and_line(project: Path) -> None:
    drafted(project)
    path = project / SOURCE
    text = path.read_text("utf-8")
    assert not [f for f in check_evidence(Project.open(project)) if f.error]
    # another kind of quote marks, dashes and spacing still match
    path.write_text(text.replace("made progress on steel, and we will meet again,”",
                                 "made  progress on steel, and we will meet again,\""), "utf-8")
    assert not [f for f in check_evidence(Project.open(project)) if f.error]
    path.write_text(text.replace("“We made progress on steel,", "“We made great progress on steel,"), "utf-8")
    [error] = [f for f in check_evidence(Project.open(project)) if f.error]
    line = next(n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if "great progress" in line)
    assert str(error.where) == f"{SOURCE}:{line}" and "is not in the local copy article.txt" in error.what
    result = run(project, "validate")
    assert result.exit_code == 1 and f"error: {SOURCE}:{line}: the evidence of 'berg-statement-undated'" in result.output


def test_a_source_without_local_copy_gets_a_warning(project: Path) -> None:
    (project / "graph" / "sources" / "bare.yaml").write_text(
        "source: {id: bare, title: Bare, publisher: example-news, published: 2025-03-01}\n"
        "facts:\n  - {id: bare-claim, kind: claim, summary: S., evidence: not anywhere}\n", "utf-8")
    [finding] = check_evidence(Project.open(project))
    assert not finding.error and "has no local copy" in finding.what


@pytest.mark.parametrize("copy", ["../../../../../../etc/passwd", "/etc/passwd", "link.txt"])
def test_a_local_copy_outside_the_project_is_never_read(project: Path, copy: str) -> None:
    (project / "link.txt").symlink_to("/etc/passwd")
    (project / "graph" / "sources" / "evil.yaml").write_text(
        f"source: {{id: evil, title: Evil, publisher: example-news, published: 2025-03-01, file: '{copy}'}}\n"
        "facts:\n  - {id: evil-claim, kind: claim, summary: S., evidence: 'root:x:0:0'}\n", "utf-8")
    [finding] = check_evidence(Project.open(project))
    assert not finding.error and "lies outside the project's folder" in finding.what
    result = run(project, "validate")
    assert "root:x" not in result.output.replace("'root:x:0:0'", "")


def test_a_fifo_as_local_copy_is_refused_not_waited_for(project: Path) -> None:
    os.mkfifo(project / "pipe.txt")
    (project / "graph" / "sources" / "pipe.yaml").write_text(
        "source: {id: pipe, title: Pipe, publisher: example-news, published: 2025-03-01, file: pipe.txt}\n"
        "facts: []\n", "utf-8")
    [finding] = check_evidence(Project.open(project))
    assert finding.error and "FIFO" in finding.what


def test_a_texts_folder_allows_a_local_copy_outside_the_project(project: Path, tmp_path: Path) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text("The words of it.", "utf-8")
    (project / "graph" / "sources" / "outside.yaml").write_text(
        "source: {id: outside, title: Out, publisher: example-news, published: 2025-03-01, file: ../texts/a.txt}\n"
        "facts:\n  - {id: out-claim, kind: claim, summary: S., evidence: words that are not there}\n", "utf-8")
    assert not check_evidence(Project.open(project))[0].error
    [error] = check_evidence(Project.open(project), texts=[texts])
    assert error.error and "'words that are not there'" in error.what


def test_a_store_build_refuses_drafts_too(project: Path, tmp_path: Path) -> None:
    drafted(project)
    with pytest.raises(InvalidData, match="is a draft no one has reviewed"):
        build(Project.open(project), store=tmp_path / "store")
    assert not (tmp_path / "store").exists()
    result = build(Project.open(project), store=tmp_path / "store", drafts=True)
    assert result.triple_count() > 0


def test_a_build_with_drafts_is_never_taken_for_a_reviewed_one(project: Path) -> None:
    """Other commands reuse a build only when it was made as they would make it: one built with
    --drafts holds records no one reviewed, so `query` loads the facts again and refuses them."""
    drafted(project)
    assert run(project, "build", "--drafts").exit_code == 0
    asked = run(project, "query", "who-met-whom")
    assert asked.exit_code == 1 and "is a draft no one has reviewed" in asked.output


def test_an_article_with_a_control_character_is_refused_at_its_line(project: Path) -> None:
    """Evidence is quoted verbatim, and no fact file may hold a NUL: draft refuses the article,
    naming the line, instead of writing a file the project then refuses (found by the review)."""
    article = project / "nul.txt"
    article.write_text('Anna Berg met Tomas Kray in Port Vale on Tuesday.\nShe said: "\x00 null"\n', "utf-8")
    result = run(project, "draft", str(article), "--published", "2025-03-13")
    assert result.exit_code == 1 and "nul.txt:2: the article holds the control character U+0000" in result.output
    assert not (project / "graph" / "sources" / "nul.yaml").exists()


def test_draft_o_needs_a_folder_that_exists(project: Path, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "x.yaml"
    result = run(project, "draft", str(project / "article.txt"), "--published", "2025-03-13", "-o", str(target))
    assert result.exit_code == 2 and "does not exist" in result.output
    assert not target.parent.exists()
