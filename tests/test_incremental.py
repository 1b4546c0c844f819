"""The incremental build into a store (issue 17, part 1): after any sequence of edits, adding
and removing sources, the outputs and the store are those of a clean build of the same files,
byte for byte; a cache that is corrupt, foreign or stale is never trusted."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from tradegraph.build import incremental
from tradegraph.build.pipeline import build
from tradegraph.errors import InvalidData
from tradegraph.progress import Progress
from tradegraph.project import Project

from .conftest import copy_project

OUTPUTS = ("graph.ttl", "graph.nq", "report.txt")
EXTRA = """source:
  id: extra-{n}
  title: An extra source {n}
  publisher: atlantis-government
  published:
    date: 2025-03-{day:02d}
    how: printed on the page
facts:
  - id: extra-{n}-meeting
    kind: meeting
    participants: [ana, bo]
    when: 2025-03-{met:02d}
    status: happened
    evidence: Ana met Bo, says source {n}.
  - id: extra-{n}-cites
    kind: citation
    of: {of}
    evidence: as source {n} reported
  - id: extra-{n}-tariff
    kind: tariff
    imposed_by: atlantis-government
    target: utopia
    rate: {rate}
    scope: [fish]
    status: announced
    evidence: a tariff of {rate}%
"""
BULK = ('{{"kind": "meeting", "id": "bulk-{n}", "source": "first-article", "participants": ["ana", "bo"], '
        '"when": "2025-03-{day:02d}", "status": "happened", "evidence": "a meeting, line {n}"}}\n')


@pytest.fixture
def everything_incremental(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Incremental however much changed (the tests' projects are small), and the build's steps."""
    monkeypatch.setattr(incremental, "MOST", 1.0)
    said: list[str] = []
    original = Progress.step
    monkeypatch.setattr(Progress, "step", lambda self, what: (said.append(what), original(self, what))[1])
    return said


def _quads(store: Path) -> set[str]:
    """The store's quads as text; the ontology's blank nodes (labelled by each store) left out."""
    opened = ox.Store.read_only(str(store))
    return {str(q) for q in opened.quads_for_pattern(None, None, None, None)
            if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}


def _same_as_clean(project: Path, tmp_path: Path) -> None:
    """The project's outputs and store are those of a clean build of a copy of its files."""
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    copy_project(project, clean)
    shutil.rmtree(clean / "build", ignore_errors=True)
    build(Project.open(clean), store=clean / "build" / "store")
    for name in OUTPUTS:
        assert (project / "build" / name).read_bytes() == (clean / "build" / name).read_bytes(), name
    assert _quads(project / "build" / "store") == _quads(clean / "build" / "store")


def _extra(project: Path, n: int, rng: random.Random, of: str = "ana-bo-meeting") -> None:
    (project / "graph" / "sources" / f"extra-{n}.yaml").write_text(
        EXTRA.format(n=n, day=rng.randint(1, 28), met=rng.randint(1, 9), of=of, rate=rng.choice([50, 150])),
        "utf-8")


def _warnings(project: Path) -> str:
    return (project / "build" / "report.txt").read_text("utf-8").splitlines()[-1]


def _redate(path: Path, key: str, day: int) -> None:
    path.write_text(re.sub(rf"{key}2025-03(-\d\d)?", f"{key}2025-03-{day:02d}", path.read_text("utf-8"), count=1),
                    "utf-8")


def _bulk(project: Path, lines: int, rng: random.Random) -> None:
    folder = project / "graph" / "bulk"
    folder.mkdir(exist_ok=True)
    (folder / "meetings.jsonl").write_text("".join(BULK.format(n=n, day=rng.randint(1, 13)) for n in range(lines)),
                                           "utf-8")


def _build(project: Path) -> None:
    build(Project.open(project), store=project / "build" / "store")


def test_random_edits_build_what_a_clean_build_does(minimal: Path, tmp_path: Path,
                                                    everything_incremental: list[str]) -> None:
    rng = random.Random(17)
    for n in range(4):
        _extra(minimal, n, rng)
    _bulk(minimal, 12, rng)
    _build(minimal)
    assert not any(step.startswith("building everything") for step in everything_incremental[1:])
    made, warnings = 4, set()
    for _ in range(20):
        everything_incremental.clear()
        sources = sorted((minimal / "graph" / "sources").glob("extra-*.yaml"))
        edit = rng.choice(["date", "published", "month", "rate", "add", "remove", "bulk", "cite", "nothing"])
        if edit == "date" and sources:  # a fact's date: that file alone
            _redate(rng.choice(sources), "when: ", rng.randint(1, 9))
        elif edit == "published" and sources:  # a publication day: the first report of what it cites, elsewhere
            _redate(rng.choice(sources), "date: ", rng.randint(1, 28))
        elif edit == "month" and sources:  # a warning: the publication day is not known
            path = rng.choice(sources)
            path.write_text(re.sub(r"date: 2025-03-\d\d", "date: 2025-03", path.read_text("utf-8"), count=1), "utf-8")
        elif edit == "rate" and sources:  # a warning comes or goes: a rate above 100%
            path = rng.choice(sources)
            text = path.read_text("utf-8")
            path.write_text(text.replace("rate: 150", "rate: 5O").replace("rate: 50", "rate: 150")
                            .replace("rate: 5O", "rate: 50"), "utf-8")
        elif edit == "add":
            _extra(minimal, made, rng, of=rng.choice(["ana-bo-meeting", *(f"extra-{s.stem[6:]}-meeting"
                                                                           for s in sources)]))
            made += 1
        elif edit == "remove" and sources:  # and what cites it, and so on
            gone = [rng.choice(sources)]
            while gone:
                path = gone.pop()
                path.unlink()
                ident = f"extra-{path.stem[6:]}-meeting"
                gone.extend(other for other in (minimal / "graph" / "sources").glob("extra-*.yaml")
                            if f"of: {ident}\n" in other.read_text("utf-8") and other not in gone)
        elif edit == "bulk":
            _bulk(minimal, rng.randint(1, 15), rng)
        elif edit == "cite" and sources:
            path = rng.choice(sources)
            path.write_text(path.read_text("utf-8").replace("of: ", "of: ana-bo-meeting\n    # was: ", 1), "utf-8")
        _build(minimal)
        assert not any(step.startswith("building everything") for step in everything_incremental), (
            edit, everything_incremental)
        assert "SHACL Core (shacl) where the change reaches" in everything_incremental
        warnings.add(_warnings(minimal))
        _same_as_clean(minimal, tmp_path)
    assert len(warnings) > 3  # the warnings came and went


def test_a_renamed_actor_writes_again_every_file_that_names_it(minimal: Path, tmp_path: Path,
                                                              everything_incremental: list[str]) -> None:
    rng = random.Random(3)
    for n in range(3):
        _extra(minimal, n, rng)
    _extra(minimal, 7, rng)  # names ana alone: kept
    alone = minimal / "graph" / "sources" / "extra-7.yaml"
    alone.write_text(alone.read_text("utf-8").replace("[ana, bo]", "[ana, atlantis-government]"), "utf-8")
    _build(minimal)
    actors = minimal / "graph" / "actors.yaml"
    actors.write_text(actors.read_text("utf-8").replace("id: bo\n", "id: bob\n"), "utf-8")
    with pytest.raises(InvalidData) as raised:
        _build(minimal)
    assert "refers to unknown id 'bo'" in str(raised.value)
    assert "extra-0.yaml" in str(raised.value)  # a kept file, checked again
    for path in [*(minimal / "graph" / "sources").glob("*.yaml")]:
        text = path.read_text("utf-8")
        path.write_text(text.replace("[ana, bo]", "[ana, bob]").replace("      - bo\n", "      - bob\n"), "utf-8")
    everything_incremental.clear()
    _build(minimal)
    assert "patching the store: 5 file(s) written again, 0 removed, 1 kept" in everything_incremental
    _same_as_clean(minimal, tmp_path)


@pytest.mark.parametrize("harm", ["manifest-garbage", "manifest-foreign", "part-changed", "part-missing",
                                  "other-base", "index-garbage", "part-symlink", "manifest-fifo"])
def test_a_harmed_cache_is_never_trusted(minimal: Path, tmp_path: Path, everything_incremental: list[str],
                                         harm: str) -> None:
    rng = random.Random(5)
    for n in range(3):
        _extra(minimal, n, rng)
    _build(minimal)
    cache = minimal / "build" / "store" / incremental.CACHE
    manifest = json.loads((cache / incremental.MANIFEST).read_text("utf-8"))
    part = next(p for p in cache.rglob("*") if p.is_file() and p.name != incremental.MANIFEST
                and p.name == manifest["files"][1]["nq"])
    if harm == "manifest-garbage":
        (cache / incremental.MANIFEST).write_text("{not json", "utf-8")
    elif harm == "manifest-foreign":
        (cache / incremental.MANIFEST).write_text(json.dumps({"key": {"format": "x"}}), "utf-8")
    elif harm == "part-changed":  # a wrong triple in a kept part
        part.write_bytes(part.read_bytes().replace(b"Ana", b"Eve"))
    elif harm == "part-missing":
        part.unlink()
    elif harm == "part-symlink":  # a part that points out of the cache
        outside = tmp_path / "outside.nq"
        outside.write_bytes(b"<urn:x:a> <urn:x:b> <urn:x:c> <urn:x:g> .\n")
        part.unlink()
        part.symlink_to(outside)
    elif harm == "manifest-fifo":  # never waited for
        (cache / incremental.MANIFEST).unlink()
        os.mkfifo(cache / incremental.MANIFEST)
    elif harm == "other-base":
        (minimal / "tradegraph.yaml").write_text("base: https://example.org/other/\n", "utf-8")
    elif harm == "index-garbage":
        index = cache / manifest["files"][0]["index"][:2] / manifest["files"][0]["index"]
        index.write_bytes(b"[1, 2")
    _extra(minimal, 9, rng)
    everything_incremental.clear()
    _build(minimal)
    assert any(step.startswith("building everything") for step in everything_incremental), everything_incremental
    _same_as_clean(minimal, tmp_path)


def test_nothing_changed_writes_nothing_again_and_the_store_answers(minimal: Path,
                                                                  everything_incremental: list[str]) -> None:
    _build(minimal)
    everything_incremental.clear()
    result = build(Project.open(minimal), store=minimal / "build" / "store")
    assert "patching the store: 0 file(s) written again, 0 removed, 2 kept" in everything_incremental
    assert result.fact_quads == len(_quads(minimal / "build" / "store")) - _ontology(minimal)
    rows = result.store.query("SELECT ?n WHERE { GRAPH ?g { ?x tg:name ?n } } ORDER BY ?n LIMIT 1")
    assert [row["n"].value for row in rows] == ["Ana Example"]


def _ontology(project: Path) -> int:
    store = ox.Store.read_only(str(project / "build" / "store"))
    return sum(1 for q in store.quads_for_pattern(None, None, None, None)
               if q.graph_name.value.endswith("graph/ontology") or q.graph_name.value.endswith("graph/derived")
               if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode))


def test_a_new_publication_day_writes_again_the_facts_it_cites(minimal: Path, tmp_path: Path,
                                                              everything_incremental: list[str]) -> None:
    rng = random.Random(11)
    _extra(minimal, 0, rng)
    _extra(minimal, 1, rng, of="extra-0-meeting")
    _redate(minimal / "graph" / "sources" / "extra-0.yaml", "date: ", 20)
    _redate(minimal / "graph" / "sources" / "extra-1.yaml", "date: ", 25)
    _build(minimal)
    _redate(minimal / "graph" / "sources" / "extra-1.yaml", "date: ", 15)  # now extra-0's meeting was reported first here
    everything_incremental.clear()
    _build(minimal)
    assert "patching the store: 2 file(s) written again, 0 removed, 2 kept" in everything_incremental
    _same_as_clean(minimal, tmp_path)


def test_a_change_two_steps_from_a_focus_node_validates_it_again(minimal: Path, tmp_path: Path,
                                                                everything_incremental: list[str]) -> None:
    """The deadline's warning looks at the precision of its `when` node: editing the date
    changes only that node's triples, one step from the deadline."""
    rng = random.Random(2)
    _extra(minimal, 0, rng)
    deadline = minimal / "graph" / "sources" / "extra-0.yaml"
    deadline.write_text(deadline.read_text("utf-8") + """  - id: extra-0-deadline
    kind: deadline
    for: [atlantis-fish-tariff]
    when: 2025-04-01
    evidence: a deadline of April 1
""", "utf-8")
    _extra(minimal, 1, rng)
    _build(minimal)
    before = _warnings(minimal)
    deadline.write_text(deadline.read_text("utf-8").replace("when: 2025-04-01", "when: 2025-04"), "utf-8")
    _build(minimal)
    assert "SHACL Core (shacl) where the change reaches" in everything_incremental
    assert _warnings(minimal) != before
    assert "A deadline is best given to the day" in (minimal / "build" / "report.txt").read_text("utf-8")
    _same_as_clean(minimal, tmp_path)


def test_the_build_says_how_it_made_the_store(minimal: Path, cli) -> None:
    store = str(minimal / "build" / "store")
    first = cli("build", "-p", str(minimal), "--store", store)
    assert first.code == 0, first.err
    assert "store: clean build (no store there yet)" in first.out.splitlines()
    again = cli("build", "-p", str(minimal), "--store", store)
    assert again.code == 0, again.err
    assert ("store: incremental build: 0 of 2 fact file(s) read and written again, 0 removed, "
            "2 kept from the last build") in again.out.splitlines()
    assert "changes: nothing changed since the previous build" in again.out
    (minimal / "build" / "store" / incremental.CACHE / incremental.MANIFEST).write_text("[]", "utf-8")
    harmed = cli("build", "-p", str(minimal), "--store", store)
    assert harmed.code == 0, harmed.err
    assert "store: clean build (its cache is not one tradegraph wrote)" in harmed.out.splitlines()


SHAPE = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix tg: <https://w3id.org/tradegraph/ontology#> .
@prefix ex: <http://ex/> .
ex:S a sh:NodeShape ; sh:targetClass tg:Meeting ; sh:severity sh:Warning ;
  sh:sparql [ sh:message "{?value}" ; sh:select \"\"\"SELECT $this ?value WHERE { PATTERN }\"\"\" ] .
"""


@pytest.mark.parametrize("pattern, edit", [
    # a variable predicate: it would read the derived day keys, which a clean build validates without
    ("$this ?p ?value . FILTER(DATATYPE(?value) = <http://www.w3.org/2001/XMLSchema#dateTime>)",
     ("Ana hosted Bo", "Ana hosted Bo again")),
    # a pattern with a constant subject binds ?c from the changed quad's object
    ("$this <https://w3id.org/tradegraph/ontology#participant> ?value . "
     "?value <https://w3id.org/tradegraph/ontology#country> ?c . "
     "<http://test.example/id/capital> <https://w3id.org/tradegraph/ontology#locatedIn> ?c",
     ("within: atlantis", "within: utopia")),
], ids=["reads-derived", "constant-subject"])
def test_sparql_constraints_see_what_a_clean_build_sees(minimal: Path, tmp_path: Path, everything_incremental: list[str],
                                                        pattern: str, edit: tuple[str, str]) -> None:
    (minimal / "shapes").mkdir()
    (minimal / "shapes" / "extra.ttl").write_text(SHAPE.replace("PATTERN", pattern), "utf-8")
    _build(minimal)
    for path in [minimal / "graph" / "actors.yaml", *(minimal / "graph" / "sources").glob("*.yaml")]:
        path.write_text(path.read_text("utf-8").replace(*edit), "utf-8")
    everything_incremental.clear()
    _build(minimal)
    assert not any(step.startswith("building everything") for step in everything_incremental)
    _same_as_clean(minimal, tmp_path)


def test_new_files_that_look_nothing_up_and_a_kept_bulk_citation(minimal: Path, tmp_path: Path,
                                                                  everything_incremental: list[str]) -> None:
    rng = random.Random(4)
    _extra(minimal, 0, rng)
    _redate(minimal / "graph" / "sources" / "extra-0.yaml", "date: ", 13)  # the day before first-article's
    (minimal / "graph" / "bulk").mkdir()
    (minimal / "graph" / "bulk" / "cites.jsonl").write_text(
        '{"kind": "citation", "id": "bc-1", "source": "extra-0", "of": "ana-bo-meeting", "evidence": "e"}\n', "utf-8")
    _build(minimal)
    first = minimal / "graph" / "sources" / "first-article.yaml"
    first.write_text(first.read_text("utf-8").replace("Ana hosted Bo", "Ana hosted Bo again"), "utf-8")
    (minimal / "graph" / "regions.yaml").write_text("countries:\n  - id: narnia\n    name: Narnia\n    iso: NA\n",
                                                    "utf-8")
    (minimal / "graph" / "bulk" / "empty.jsonl").write_text("", "utf-8")
    _build(minimal)
    assert not any(step.startswith("building everything") for step in everything_incremental)
    assert '"2025-03-13"' in next(line for line in (minimal / "build" / "graph.nq").read_text("utf-8").splitlines()
                                  if "ana-bo-meeting> <https://w3id.org/tradegraph/ontology#firstReported>" in line)
    _same_as_clean(minimal, tmp_path)


@pytest.mark.parametrize("entry", [["r", "ana", "no-such-kind", "actors", None, 1, {}, None, None],
                                   ["r", "ana"], 7, ["r", "ana", "person", "actors", None, 1, {}, "not-a-day", None]],
                         ids=["unknown-kind", "short", "number", "bad-day"])
def test_an_index_that_reads_but_is_not_as_written_is_not_trusted(minimal: Path, tmp_path: Path,
                                                                  everything_incremental: list[str],
                                                                  entry: object) -> None:
    _build(minimal)
    cache = minimal / "build" / "store" / incremental.CACHE
    manifest = json.loads((cache / incremental.MANIFEST).read_text("utf-8"))
    index = {"entries": [entry], "deps": [], "graphs": ["actors"]}
    data = json.dumps(index).encode("utf-8")
    name = __import__("hashlib").sha256(data).hexdigest()
    (cache / name[:2]).mkdir(exist_ok=True)
    (cache / name[:2] / name).write_bytes(data)
    manifest["files"][0]["index"] = name
    (cache / incremental.MANIFEST).write_text(json.dumps(manifest), "utf-8")
    _extra(minimal, 1, random.Random(1))
    everything_incremental.clear()
    _build(minimal)
    assert any(step.startswith("building everything: its index of") for step in everything_incremental)
    _same_as_clean(minimal, tmp_path)


@pytest.mark.parametrize("into", ["an output", "a plain stream"])
def test_a_part_changed_after_it_was_checked_is_caught_as_it_is_copied(tmp_path: Path, into: str) -> None:
    """The outputs are joined from the cache's parts by the kernel (``copy_file_range``) and
    hashed from what was written: a part that is not what its name says is refused, and the
    output is not written; the same when the parts go into a plain stream."""
    import hashlib
    import io

    from tradegraph.files.atomic import write_files

    keeper = incremental.CacheWriter(tmp_path, None)
    names = [keeper.put(f"<urn:x:{n}> <urn:x:p> \"{n}\" .\n".encode() * (5000 + n)) for n in range(3)]
    header = b"# header\n"
    whole = header + b"".join((keeper.folder / n[:2] / n).read_bytes() for n in names)

    def joined(target: Path | None) -> bytes:
        if target is None:
            out = io.BytesIO()
            keeper.joined(names, header)(out)
            return out.getvalue()
        stamps = write_files({target: keeper.joined(names, header)})
        assert stamps[target].sha256 == hashlib.sha256(whole).hexdigest()
        return target.read_bytes()

    target = tmp_path / "out" / "graph.nq" if into == "an output" else None
    assert joined(target) == whole
    middle = keeper.folder / names[1][:2] / names[1]
    middle.write_bytes(middle.read_bytes().replace(b"<urn:x:1>", b"<urn:x:9>", 1))
    with pytest.raises(incremental.CacheRefused, match="was changed"):
        joined(target)
    if target is not None:
        assert target.read_bytes() == whole  # the output as it was


@pytest.mark.parametrize("header", [b"", b"#" * 4095 + b"\n"])
def test_parts_that_are_empty_are_joined_too(tmp_path: Path, header: bytes) -> None:
    """Empty parts, alone or after a header that fills a page, make the output they should
    (a range of no bytes is not mapped back to be hashed)."""
    import hashlib

    from tradegraph.files.atomic import write_files

    keeper = incremental.CacheWriter(tmp_path, None)
    names = [keeper.put(b""), keeper.put(b"")]
    target = tmp_path / "out" / "graph.nq"
    stamps = write_files({target: keeper.joined(names, header)})
    assert target.read_bytes() == header
    assert stamps[target].sha256 == hashlib.sha256(header).hexdigest()
