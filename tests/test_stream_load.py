"""The store's load path (facts as N-Quads text, bulk-loaded) holds exactly the quads of the
rdflib path, whatever the values in the records: quotes, backslashes, newlines, any Unicode,
language tags, numbers, dates written in words, participants with roles. And the store build
validates the N-Quads it loaded, not a dump of the store.
"""

from __future__ import annotations

import json
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradegraph.facts.loader import load_facts
from tradegraph.files.values import text_problem
from tradegraph.project import Project
from tradegraph.rdf.graphs import ONTOLOGY_GRAPH
from tradegraph.rdf.oxterms import to_ox
from tradegraph.store.oxigraph import load_store

BASE = "https://example.org/id/"
#: Text as a record may hold it: anything a fact file may carry (the loader refuses the rest).
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40).filter(
    lambda text: text.strip() != "" and text_problem(text) is None)
TAG = st.sampled_from(["en", "ja", "zh-Hans", "de-CH", "pt-BR"])
RATE = st.decimals(min_value=0, max_value=1000, allow_nan=False, allow_infinity=False, places=6)
COUNT = st.integers(min_value=0, max_value=10**18 - 1)
ROLE = st.sampled_from(["participant", "host", "guest"])


def _project(folder: Path, names: list[str], tagged: dict[str, str], title: str, quote: str, evidence: str,
             *, rate: Decimal = Decimal("25"), count: int = 7, role: str = "host") -> Project:
    (folder / "graph" / "bulk").mkdir(parents=True)
    (folder / "tradegraph.yaml").write_text(f"base: {BASE}\n", "utf-8")
    actors: list[dict[str, Any]] = [{"kind": "country", "id": "c-1", "name": "Country", "iso": "JP"},
                                     {"kind": "organization", "id": "o-1", "name": "News"},
                                     {"kind": "topic", "id": "t-1", "name": "Cars"}]
    actors += [{"kind": "person", "id": f"p-{i}", "name": name, "country": "c-1", "names": tagged}
               for i, name in enumerate(names)]
    facts: list[dict[str, Any]] = [
        {"kind": "source", "id": "s-1", "title": title, "publisher": "o-1", "published": "2025-07-01",
         "url": "https://news.example/1"},
        {"kind": "statement", "id": "e-1", "source": "s-1", "evidence": evidence, "speaker": "p-0",
         "when": {"from": "2025-06", "to": "2025-06-30", "text": quote, "how": evidence}, "quote": quote},
        {"kind": "tariff", "id": "e-2", "source": "s-1", "evidence": evidence, "imposed_by": "c-1",
         "target": "c-1", "scope": ["t-1"], "rate": "RATE", "status": "announced", "effective": "2025-07"},
        {"kind": "tally", "id": "e-3", "source": "s-1", "evidence": evidence, "count": count, "counts": "meeting",
         "when": "2025"},
        {"kind": "meeting", "id": "e-4", "source": "s-1", "evidence": evidence, "when": "2025-06-29", "status": "happened",
         "participants": [{"actor": "p-0", "role": role}, *(f"p-{i}" for i in range(1, len(names)))]}]
    for name, records in (("actors", actors), ("facts", facts)):
        (folder / "graph" / "bulk" / f"{name}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).replace('"RATE"', str(rate)), "utf-8")
    return Project.open(folder)


def _rdflib_quads(project: Project) -> set[ox.Quad]:
    """The rdflib path's quads, as a store holds them (Oxigraph keeps literals by value)."""
    dataset = load_facts(project).dataset
    store = ox.Store()
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g)) for s, p, o, g in dataset.quads()
                 if g is not None and str(g).startswith(BASE))
    return set(store)


def _store_quads(project: Project) -> set[ox.Quad]:
    store = load_store(project).store
    ontology = ox.NamedNode(BASE + ONTOLOGY_GRAPH)
    return {q for q in store if q.graph_name != ontology}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(TEXT, min_size=1, max_size=3), tagged=st.dictionaries(TAG, TEXT, max_size=3),
       title=TEXT, quote=TEXT, evidence=TEXT, rate=RATE, count=COUNT, role=ROLE)
def test_the_store_holds_exactly_the_quads_of_the_rdflib_path(names: list[str], tagged: dict[str, str],
                                                               title: str, quote: str, evidence: str,
                                                               rate: Decimal, count: int, role: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        project = _project(Path(folder), names, tagged, title, quote, evidence, rate=rate, count=count, role=role)
        assert _store_quads(project) == _rdflib_quads(project)


@pytest.mark.parametrize("text", ['say "hi"', "back\\slash", "line\nbreak", "tab\there", "carriage\rreturn",
                                  "é 赤沢 😀", "\\u0022", "ends with \\", "<not an iri>", "_:b0", "@en"])
def test_hard_literals_arrive_as_written(text: str, tmp_path: Path) -> None:
    project = _project(tmp_path, [text], {"ja": text}, text, text, text)
    values = {q.object.value for q in _store_quads(project) if isinstance(q.object, ox.Literal)}
    assert text in values
    assert _store_quads(project) == _rdflib_quads(project)


def test_the_store_build_validates_the_loaded_nquads_without_a_dump(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from tradegraph.build.onstore import build_in_store
    from tradegraph.shacl import fast

    def no_dump(*args: Any) -> None:
        raise AssertionError("the store was dumped")

    monkeypatch.setattr(fast, "_dump_union", no_dump)
    project = _project(tmp_path / "p", ["Ana", "Bo"], {}, "Title", "Quote", "Evidence")  # a meeting needs two
    result = build_in_store(project, write=False)
    assert result.report.conforms
    assert result.triple_count() == len(_rdflib_quads(project))


def test_the_writer_loads_every_chunk_and_raises_what_the_loading_thread_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    from tradegraph.rdf.oxterms import iri, literal
    from tradegraph.store import oxigraph as store_module

    monkeypatch.setattr(store_module, "CHUNK", 3)  # several chunks, loaded on the writer's thread
    target = ox.Store()
    writer = store_module.QuadWriter(target, "http://ex/")
    for n in range(10):
        writer.graph("g").extend([(iri(f"http://ex/s{n}"), iri("http://ex/p"), literal(str(n)))])
    writer.close()
    assert len(target) == 10 and writer.written == 10
    assert ox.Literal("9") in {q.object for q in target}

    broken = store_module.QuadWriter(ox.Store(), "http://ex/")
    broken.graph("g").extend([(iri("http://ex/a b"), iri("http://ex/p"), literal("x"))])  # a space: not an IRI
    with pytest.raises(SyntaxError):
        broken.close()


def test_the_first_pass_reads_plain_lines_lightly_and_every_other_line_in_full(tmp_path: Path) -> None:
    """The loader's first pass (ids, kinds, graphs) reads a plain JSON line with json alone: the
    records and the errors are those of the full reading, line for line."""
    from tradegraph.facts.bulk import read_bulk
    from tradegraph.facts.model import load_model

    deep = '{"kind": "person", "id": "deep", "name": "D", "note": ' + "[" * 70 + "]" * 70 + "}"
    lines = [
        '{"kind": "source", "id": "s-1", "title": "T", "publisher": "p", "published": {"date": "2025-07-01"}}',
        '{"kind": "meeting", "id": "m-1", "source": "s-1", "participants": [{"actor": "a", "role": "host"}]}',
        '{"kind": "person", "id": "a", "name": "Ana", "rank": 12.50}',
        '{"kind": "person", "id": "b", "name": "B\\u00f3"}',                          # an escape
        '{"kind": "person", "id": "c", "name": "C", "x": {"k": 1, "k": 2}}',          # a nested key twice
        '{"kind": "person", "id": "d", "rank": 1e5}', '{"kind": "person", "id": "e", "rank": NaN}',
        '{"kind": "person", "id": "f", "name": "F\x07"}',                            # a control character
        deep, '["a", "list"]', '{"kind": "no-such", "id": "g"}', '{"kind": "meeting", "id": "h"}', '{"id": "i"}',
        "\ufeff{}", "{",
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")

    def read(index: bool) -> list[object]:
        out: list[object] = []
        for item in read_bulk(path, "graph/bulk/mixed.jsonl", load_model(), index=index):
            if isinstance(item, Exception):
                out.append(str(item))
            else:
                out.append((item.kind.name, item.graph, item.source, str(item.where("id")),
                            json.dumps(item, sort_keys=True, default=str)))
        return out

    full = read(index=False)
    assert read(index=True) == full
    errors = [x for x in full if isinstance(x, str)]
    assert len(full) == len(lines) and len(errors) == 10, errors
    # the plain lines were read without the full reading (which builds every value through _convert)
    from tradegraph.facts import bulk

    path.write_text("\n".join(lines[:3]) + "\n", "utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bulk, "_convert", None)
        assert [item["id"] for item in read_bulk(path, "x.jsonl", load_model(), index=True)] == ["s-1", "m-1", "a"]


def test_a_full_disk_under_the_turtle_is_one_message_and_nothing_is_written(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from tradegraph.build import onstore
    from tradegraph.errors import OutputError

    def full(*_: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(onstore, "write_turtle", full)
    project = _project(tmp_path / "p", ["Ana", "Bo"], {}, "Title", "Quote", "Evidence")
    with pytest.raises(OutputError, match=r"cannot write the temporary .*graph\.ttl: \[Errno 28\] No space left"):
        onstore.build_in_store(project, store=tmp_path / "store")
    assert not (tmp_path / "store").exists() and not (project.root / "build").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] in ([], [".store.lock"])
