"""What changed, in the analyst's words (issue 17): build/changes.json and a line per change
after every build, `tradegraph changes` (against the previous build, or a git revision with
--since), and `tradegraph history RECORD` from the project's git history."""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tradegraph.build.changes import compare, lines

from .test_incremental import EXTRA

SOURCE = Path("graph/sources/first-article.yaml")


def _edit(project: Path, old: str, new: str, path: Path = SOURCE) -> None:
    text = (project / path).read_text("utf-8")
    assert old in text
    (project / path).write_text(text.replace(old, new, 1), "utf-8")


def _git(project: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "An Analyst", "GIT_AUTHOR_EMAIL": "analyst@example.org",
           "GIT_COMMITTER_NAME": "An Analyst", "GIT_COMMITTER_EMAIL": "analyst@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", "-C", str(project), *args], capture_output=True, text=True, env=env, check=True)
    return done.stdout


def _commit(project: Path, message: str) -> None:
    _git(project, "add", "graph")
    _git(project, "commit", "-q", "-m", message)


def test_a_second_build_says_nothing_changed_and_an_edited_date_is_one_line(minimal: Path, cli) -> None:
    first = cli("build", "-p", str(minimal))
    assert first.code == 0, first.err
    assert "changes since nothing (no earlier build was recorded)" in first.out
    again = cli("build", "-p", str(minimal))
    assert "changes: nothing changed since the previous build" in again.out
    _edit(minimal, "date: 2025-03-13", "date: 2025-03-12")
    edited = cli("build", "-p", str(minimal))
    assert edited.code == 0, edited.err
    assert "first-article: meeting `ana-bo-meeting`: `when.date` 2025-03-13 -> 2025-03-12" in edited.out.splitlines()
    recorded = json.loads((minimal / "build" / "changes.json").read_text("utf-8"))
    assert recorded["counts"] == {"added": 0, "removed": 0, "changed": 1}
    assert recorded["sources"]["first-article"]["changed"] == [
        {"id": "ana-bo-meeting", "kind": "meeting", "fields": {"when.date": {"old": "2025-03-13", "new": "2025-03-12"}}}]
    shown = cli("changes", "-p", str(minimal))
    assert shown.code == 0
    assert shown.out.splitlines() == ["first-article: meeting `ana-bo-meeting`: `when.date` 2025-03-13 -> 2025-03-12"]
    assert json.loads(cli("changes", "-p", str(minimal), "--format", "json").out) == recorded


def test_added_removed_and_retracted_records_and_whole_sources(minimal: Path, cli) -> None:
    assert cli("build", "-p", str(minimal)).code == 0
    _edit(minimal, "  url: https://example.org/first-article\n",
          "  url: https://example.org/first-article\n  corrections:\n    - id: first-article-fix\n"
          "      text: An earlier version misstated the tariff.\n")
    _edit(minimal, "    status: announced\n", "    status: announced\n    retracted_by: first-article-fix\n")
    text = (minimal / SOURCE).read_text("utf-8")
    start = text.index("  - id: ana-trade-minister")
    (minimal / SOURCE).write_text(text[:start] + text[text.index("  - id: ana-bo-meeting"):], "utf-8")
    second = minimal / "graph" / "sources" / "second-article.yaml"
    second.write_text("source:\n  id: second-article\n  title: Bo replies\n  publisher: atlantis-government\n"
                      "  published:\n    date: 2025-03-15\n    how: printed on the page\n", "utf-8")
    built = cli("build", "-p", str(minimal))
    assert built.code == 0, built.err
    said = built.out.splitlines()
    assert "changes since the previous build: 2 added, 1 removed, 1 changed" in said
    assert "first-article: added correction `first-article-fix`" in said
    assert "first-article: removed tenure `ana-trade-minister`" in said
    assert "first-article: tariff `atlantis-fish-tariff`: `retracted_by` (none) -> first-article-fix" in said
    assert "first-article: tariff `atlantis-fish-tariff` retracted by correction `first-article-fix`" in said
    assert "second-article: source added (graph/sources/second-article.yaml, 1 record)" in said
    second.unlink()
    removed = cli("build", "-p", str(minimal))
    assert "second-article: source removed (graph/sources/second-article.yaml, 1 record)" in removed.out.splitlines()


def test_a_changes_record_not_as_written_is_refused_and_never_replaced(minimal: Path, cli) -> None:
    assert cli("build", "-p", str(minimal)).code == 0
    changes = minimal / "build" / "changes.json"
    changes.write_text('{"format": "tradegraph-changes/1", "sources": []}\n', "utf-8")
    shown = cli("changes", "-p", str(minimal))
    assert shown.code == 1 and "Traceback" not in shown.err
    assert "changes.json: no changes recorded by a build (or the file was changed since it was written)" in shown.err
    before = (minimal / "build" / "graph.ttl").read_bytes()
    _edit(minimal, "date: 2025-03-13", "date: 2025-03-12")
    refused = cli("build", "-p", str(minimal))
    assert refused.code == 2
    assert "changes.json was not written by an earlier build" in refused.err
    assert (minimal / "build" / "graph.ttl").read_bytes() == before  # refused before writing anything
    assert changes.read_text("utf-8") == '{"format": "tradegraph-changes/1", "sources": []}\n'


def test_a_records_file_not_as_written_is_not_compared_with(minimal: Path, cli) -> None:
    assert cli("build", "-p", str(minimal)).code == 0
    record = minimal / "build" / ".tradegraph-changes-record.json"
    kept = json.loads(record.read_text("utf-8"))
    kept["files"]["records.json"]["sha256"] = "0" * 64
    kept["files"]["records.json"]["mtime_ns"] = 1
    record.write_text(json.dumps(kept), "utf-8")
    built = cli("build", "-p", str(minimal))
    assert built.code == 2  # records.json no longer proves to be tradegraph's: not replaced
    assert "records.json was not written by an earlier build" in built.err


def test_a_build_with_nothing_recorded_before_compares_with_nothing(minimal: Path, cli) -> None:
    assert cli("changes", "-p", str(minimal)).code == 1
    assert "hint: run `tradegraph build`" in cli("changes", "-p", str(minimal)).err


@pytest.fixture
def repo(minimal: Path) -> Path:
    """The minimal project in a git repository of its own, in three commits."""
    _git(minimal, "init", "-q")
    _commit(minimal, "first facts")
    _edit(minimal, "rate: 12.5", "rate: 25")
    _commit(minimal, "the tariff is 25%")
    _edit(minimal, "date: 2025-03-13", "date: 2025-03-12")
    _commit(minimal, "the meeting was on Wednesday")
    return minimal


def test_changes_since_a_revision_reads_the_git_history(repo: Path, cli) -> None:
    shown = cli("changes", "-p", str(repo), "--since", "HEAD~2")
    assert shown.code == 0, shown.err
    assert shown.out.splitlines() == [
        "first-article: meeting `ana-bo-meeting`: `when.date` 2025-03-13 -> 2025-03-12",
        "first-article: tariff `atlantis-fish-tariff`: `rate` 12.5 -> 25"]
    _edit(repo, "label: Ana meets Bo", "label: Ana hosts Bo")  # the working tree, not committed
    now = json.loads(cli("changes", "-p", str(repo), "--since", "HEAD", "--format", "json").out)
    assert now["sources"]["first-article"]["changed"][0]["fields"] == {
        "label": {"old": "Ana meets Bo", "new": "Ana hosts Bo"}}
    assert now["against"].startswith("HEAD (")


@pytest.mark.parametrize("ref", ["--output=/tmp/x", "-n1", "nope", "HEAD~99", "HEAD:graph", "a\nb", ""])
def test_a_since_that_is_not_a_revision_is_refused(repo: Path, cli, ref: str) -> None:
    shown = cli("changes", "-p", str(repo), "--since", ref)
    assert shown.code == 2, shown
    assert "is not a revision" in shown.err and "Traceback" not in shown.err
    assert not Path("/tmp/x").exists() or ref != "--output=/tmp/x"


def test_since_outside_a_git_repository_says_so(tmp_path: Path, minimal: Path, cli) -> None:
    env_ceiling = os.environ.get("GIT_CEILING_DIRECTORIES")
    os.environ["GIT_CEILING_DIRECTORIES"] = str(minimal.parent)
    try:
        shown = cli("changes", "-p", str(minimal), "--since", "HEAD")
    finally:
        if env_ceiling is None:
            del os.environ["GIT_CEILING_DIRECTORIES"]
        else:
            os.environ["GIT_CEILING_DIRECTORIES"] = env_ceiling
    assert shown.code == 2
    assert "is not in a git repository" in shown.err


def test_history_of_a_record_gives_each_commit_with_its_values(repo: Path, cli) -> None:
    shown = cli("history", "-p", str(repo), "atlantis-fish-tariff")
    assert shown.code == 0, shown.err
    said = shown.out.splitlines()
    assert [line.split(" ", 2)[2] for line in said if not line.startswith("  ")] == [
        "first facts", "the tariff is 25%"]
    assert said[1].startswith("  first-article: added tariff `atlantis-fish-tariff`: ")
    assert "`rate` 12.5" in said[1] and "`effective.from` 2025-04" in said[1]
    assert said[3] == "  first-article: tariff `atlantis-fish-tariff`: `rate` 12.5 -> 25"
    steps = json.loads(cli("history", "-p", str(repo), "atlantis-fish-tariff", "--format", "json").out)
    assert [step["subject"] for step in steps] == ["first facts", "the tariff is 25%"]


def test_history_of_a_source_and_of_the_working_tree(repo: Path, cli) -> None:
    _edit(repo, "status: current", "status: ended")
    steps = json.loads(cli("history", "-p", str(repo), "first-article", "--format", "json").out)
    assert [step["subject"] for step in steps] == ["first facts", "the tariff is 25%", "the meeting was on Wednesday",
                                                  "not committed yet"]
    assert steps[-1]["commit"] == "working tree"


def test_history_of_an_unknown_record_suggests_one(repo: Path, cli) -> None:
    shown = cli("history", "-p", str(repo), "atlantis-fish-tarif")
    assert shown.code == 2
    assert "no revision of the facts holds a record or source 'atlantis-fish-tarif'" in shown.err
    assert "did you mean 'atlantis-fish-tariff'?" in shown.err


def test_compare_words_nested_and_list_values() -> None:
    old = {"s": {"file": "f", "records": {"m": {"kind": "meeting", "fields": {
        "participants": ["a", "b"], "when": {"from": "2025-04", "to": "2025-05"}}}}}}
    new = {"s": {"file": "f", "records": {"m": {"kind": "meeting", "fields": {
        "participants": ["a"], "when": {"from": "2025-04"}}}}}}
    assert lines(compare(old, new, against="x")) == [
        's: meeting `m`: `participants` ["a", "b"] -> ["a"]; `when.to` 2025-05 -> (none)']
    assert compare(new, new, against="x")["sources"] == {}


def test_history_never_runs_a_program_the_repositorys_own_config_names(repo: Path, cli, tmp_path: Path) -> None:
    """A project may come with a .git from elsewhere: reading its history must not run the signature
    checker, hooks or monitor its config names (found by the review: log.showSignature + gpg.program)."""
    marker = tmp_path / "ran"
    program = tmp_path / "evil.sh"
    program.write_text(f"#!/bin/sh\necho \"$@\" >> {marker}\nexit 1\n", "utf-8")
    program.chmod(0o755)
    head = _git(repo, "cat-file", "commit", "HEAD")
    header, _, message = head.partition("\n\n")
    signed = (header + "\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n =AAAA\n -----END PGP SIGNATURE-----\n\n" + message)
    done = subprocess.run(["git", "-C", str(repo), "hash-object", "-t", "commit", "-w", "--stdin"], input=signed,
                          capture_output=True, text=True, check=True)
    _git(repo, "update-ref", "HEAD", done.stdout.strip())
    for key, value in (("log.showSignature", "true"), ("gpg.program", str(program)), ("core.fsmonitor", str(program)),
                       ("core.hooksPath", str(tmp_path))):
        _git(repo, "config", key, value)
    assert cli("history", "-p", str(repo), "atlantis-fish-tariff").code == 0
    assert cli("changes", "-p", str(repo), "--since", "HEAD~1").code in (0, 1)
    assert not marker.exists(), marker.read_text("utf-8")


_LINES = [
    '{"kind": "source", "id": "s-1", "title": "Títle", "publisher": "p", "published": "2025-07-01"}',
    '{"kind": "meeting", "id": "m-1", "source": "s-1", "when": {"from": "2025-04", "to": "2025-05"}, '
    '"participants": [{"actor": "a", "role": "host"}, "b"], "evidence": ["x"]}',
    '{"kind": "tariff", "id": "t-1", "source": "s-1", "rate": 25.50, "count": 3, "flag": true, "none": null}',
    '{"kind": "person", "id": "a", "name": "Ana"}',
]


@pytest.mark.parametrize("unusual", [
    None,
    '{"kind": "person", "id": "b", "name": "B\\u00f3"}',           # an escape: the loader checks it
    '{"kind": "person", "id": "b", "name": "B", "name": "C"}',     # a key twice
    '{"kind": "person", "id": "b", "rank": 1e5}',                 # not a plain decimal
    '{"kind": "person", "id": "b", "rank": NaN}',
    '["not", "a", "record"]', '{"kind": "no-such-kind", "id": "b"}', '{"kind": "meeting", "id": "b"}', "{",
    '{"kind": "person", "id": "b", "name": "B\u2028"}', '{"kind": "person", "id": "b", "name": "B\x85"}',  # raw
    '{"kind": "person", "id": "b", "rank": ' + "9" * 80 + "}",   # more digits than a store holds
    '{"kind": "person", "name": "no id"}',                     # no record to take: left out by both
    '{"kind": "person", "id": "b", "note": ' + "[" * 70 + "]" * 70 + "}",  # nested too deep
])
def test_a_json_lines_snapshot_is_the_loaders_reading_of_it(unusual: str | None) -> None:
    """Plain JSON Lines are read with json alone; the snapshot is the one the loader's reader gives,
    and a line it would refuse is left to that reader, which says what is wrong."""
    from tradegraph.build import snapshot
    from tradegraph.errors import InvalidData

    data = "\n".join([*_LINES, *([unusual] if unusual else [])]).encode("utf-8") + b"\n"
    files = [("graph/bulk/people.jsonl", data)]

    def taken(fast: bool) -> Any:
        snapshotter = snapshot.Snapshotter()
        if not fast:
            snapshotter._json_lines = lambda *_: (_ for _ in ()).throw(snapshot._Unusual())  # type: ignore[method-assign]
        try:
            return snapshotter.of_files(files)
        except InvalidData as error:
            return str(error)

    slow = taken(fast=False)
    assert taken(fast=True) == slow
    if unusual is None:  # read without the loader's reader at all
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(snapshot, "read_bulk", None)
            assert taken(fast=True) == slow
        assert slow["s-1"]["records"]["t-1"]["fields"] == {"rate": "25.50", "count": 3, "flag": True, "none": None}
        assert sorted(slow) == ["people", "s-1"]


BULK = ('{{"kind": "meeting", "id": "bulk-{n}", "source": "{graph}", "participants": ["ana", "bo"], '
        '"when": "2025-03-{day:02d}", "status": "happened", "evidence": "a meeting, line {n}"}}\n')


def _recorded(project: Path, folder: Path) -> tuple[dict[str, Any], bytes]:
    from tradegraph.build.changes import record_build
    from tradegraph.project import Project

    made = record_build(Project.open(project), folder)
    return made, (folder / "records.json").read_bytes()


def test_changes_read_only_what_changed_and_say_what_a_whole_comparison_says(minimal: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """After random edits (sources edited, added, removed; a bulk file whose lines fall in the
    graphs of other files, rewritten), the changes and records.json kept from build to build,
    where only the changed files are read, are those of comparing the whole snapshots."""
    from tradegraph.build.snapshot import Snapshotter
    from tradegraph.project import Project

    rng = random.Random(7)
    sources, bulk = minimal / "graph" / "sources", minimal / "graph" / "bulk"
    bulk.mkdir()

    def extra(n: int) -> None:
        (sources / f"extra-{n}.yaml").write_text(EXTRA.format(n=n, day=rng.randint(1, 28), met=rng.randint(1, 9),
                                                              of="ana-bo-meeting", rate=50),
                                                 "utf-8")

    def lines_of(count: int) -> None:
        graphs = ["first-article", *sorted(path.stem for path in sources.glob("extra-*.yaml"))]
        (bulk / "meetings.jsonl").write_text("".join(BULK.format(n=n, graph=rng.choice(graphs), day=rng.randint(1, 13))
                                                     for n in range(count)), "utf-8")

    for n in range(3):
        extra(n)
    lines_of(6)
    kept, whole = minimal / "build-kept", minimal / "build-whole"
    before = Snapshotter().of_project(Project.open(minimal))
    _recorded(minimal, kept)
    made = 3
    kinds = set()
    parsed: list[str] = []
    original = Snapshotter._parse
    for _ in range(24):
        present = sorted(sources.glob("extra-*.yaml"))
        kind = rng.choice(["edit", "add", "remove", "bulk", "nothing"] if present else ["add", "bulk"])
        kinds.add(kind)
        if kind == "edit":
            path = rng.choice(present)
            text = re.sub(r"when: 2025-03-\d\d", f"when: 2025-03-{rng.randint(1, 9):02d}", path.read_text("utf-8"))
            path.write_text(re.sub(r"Ana (met|saw) Bo", rng.choice(["Ana saw Bo", "Ana met Bo"]), text), "utf-8")
        elif kind == "add":
            extra(made)
            made += 1
        elif kind == "remove":
            rng.choice(present).unlink()
            lines_of(rng.randint(0, 8))  # no line may name a graph that went
        elif kind == "bulk":
            lines_of(rng.randint(0, 8))
        now = Snapshotter().of_project(Project.open(minimal))
        parsed.clear()
        with monkeypatch.context() as watched:
            watched.setattr(Snapshotter, "_parse", lambda self, shown, data: (parsed.append(shown),
                                                                              original(self, shown, data))[1])
            changes, records = _recorded(minimal, kept)
        if kind == "nothing":
            assert parsed == []
        elif kind == "edit":
            assert path.relative_to(minimal).as_posix() in parsed and "graph/actors.yaml" not in parsed
        assert changes == compare(before, now, against="the previous build"), kind
        shutil.rmtree(whole, ignore_errors=True)
        _, again = _recorded(minimal, whole)
        assert records == again, kind
        before = now
    assert kinds == {"edit", "add", "remove", "bulk", "nothing"}


@pytest.mark.parametrize("harm", ["an earlier version's", "a file listed with another's graph", "a graph listed twice",
                                  "an entry that is not JSON", "a file's hash changed", "one long line",
                                  "an untouched entry that is not JSON", "a file listing a graph twice",
                                  "another tradegraph's"])
def test_a_kept_snapshot_not_as_written_is_read_whole_or_not_at_all(minimal: Path, harm: str) -> None:
    """records.json rewritten (and its record with it, as if tradegraph had written it): the next
    changes are still those of comparing the whole snapshots, and records.json is as a fresh one."""
    from tradegraph.build import changes as module
    from tradegraph.build.outputs import write_outputs
    from tradegraph.build.snapshot import Snapshotter
    from tradegraph.project import Project

    project = Project.open(minimal)
    (minimal / "graph" / "sources" / "extra-1.yaml").write_text(
        EXTRA.format(n=1, day=3, met=4, of="ana-bo-meeting", rate=50), "utf-8")
    kept, whole = minimal / "build-kept", minimal / "build-whole"
    before = Snapshotter().of_project(project)
    _, records = _recorded(minimal, kept)
    text, written = records.decode("utf-8"), json.loads(records)
    if harm == "an earlier version's":
        del written["files"]
    elif harm == "a file listed with another's graph":
        written["files"]["graph/actors.yaml"]["graphs"].append("extra-1")
        written["files"]["graph/sources/extra-1.yaml"]["graphs"] = []
    elif harm == "a file's hash changed":
        written["files"]["graph/actors.yaml"]["sha256"] = "0" * 64
    elif harm == "a graph listed twice":
        text = text.replace('\n "extra-1": ', '\n "first-article": {"file": "x", "records": {}},\n "extra-1": ')
    elif harm == "an entry that is not JSON":
        text = text.replace('\n "extra-1": {', '\n "extra-1": {]')
    elif harm == "an untouched entry that is not JSON":  # copied as it is, were it not refused
        text = text.replace('\n "actors": {', '\n "actors": {]')
    elif harm == "a file listing a graph twice":
        written["files"]["graph/actors.yaml"]["graphs"].append("actors")
    elif harm == "another tradegraph's":  # its snapshot may say other kinds: every file is read again
        written["made_with"]["code"] = "0" * 64
    if harm == "one long line":
        text = json.dumps(written)
    elif text == records.decode("utf-8"):
        out = io.BytesIO()
        module._json(written, spread="snapshot")(out)
        text = out.getvalue().decode("utf-8")
    write_outputs(project, kept, {"records.json": text.encode("utf-8")}, every=module._NAMES, record=module.CHANGES_RECORD)
    _edit(minimal, "Ana met Bo, says source 1.", "Ana saw Bo, says source 1.", Path("graph/sources/extra-1.yaml"))
    now = Snapshotter().of_project(project)
    parsed: list[str] = []
    original = Snapshotter._parse
    with pytest.MonkeyPatch.context() as watched:
        watched.setattr(Snapshotter, "_parse", lambda self, shown, data: (parsed.append(shown),
                                                                          original(self, shown, data))[1])
        changes, records = _recorded(minimal, kept)
    if harm in ("another tradegraph's", "an earlier version's"):
        assert "graph/actors.yaml" in parsed  # its snapshot may be of another fact model: every file read again
    trusted = "not JSON" not in harm  # a graph listed twice: JSON reads the last
    assert changes == compare(before if trusted else {}, now, against="the previous build" if trusted
                              else "nothing (no earlier build was recorded)")
    assert records == _recorded(minimal, whole)[1]
