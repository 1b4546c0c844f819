"""Feeds: PLOVER and GDELT imports into a copy of the real graph, decisions, ownership, PLOVER export."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from tradegraph.build.provider import validated_graph
from tradegraph.errors import InvalidData, OutputError, UsageError
from tradegraph.feeds.importer import BadRecords, ImportReport, import_feed
from tradegraph.feeds.plover_out import plover_export
from tradegraph.project import Project
from tradegraph.query.run import QueryRunner

ROOT = Path(__file__).resolve().parent.parent
FEEDS = ROOT / "tests" / "fixtures" / "feeds"


def _project(tmp: Path) -> Project:
    shutil.copytree(ROOT / "graph", tmp / "graph")
    return Project.open(tmp)


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = _project(tmp_path_factory.mktemp("feeds"))
    import_feed(project, "plover", FEEDS / "plover-sample.jsonl", name="sample")
    import_feed(project, "gdelt", FEEDS / "gdelt-sample.csv", name="sample")
    return project


def test_plover_records_become_coded_events_matched_with_the_graphs_actors(imported: Project) -> None:
    records = {r["id"]: r for r in _lines(imported.graph_dir / "bulk" / "coded-plover-sample.jsonl")}
    visit = records["coded-plover-sample-plv-0001"]
    assert visit["kind"] == "visit" and visit["record_origin"] == "coded" and visit["status"] == "reported"
    assert visit["participants"][0] == {"actor": "bessent", "role": "visitor"}  # by name and country
    assert visit["place"] == "tokyo"
    call = records["coded-plover-sample-plv-0002"]
    assert call["kind"] == "phone-call" and call["participants"] == ["akazawa", "lutnick"]
    threat = records["coded-plover-sample-plv-0005"]
    assert threat["event_type"] == "tariff-threat" and threat["speaker"] == "trump"  # by Wikidata id
    assert threat["target"] == ["japan-government"]  # a country's GOV sector is its government
    source = records["coded-plover-sample-plv-0001-source"]
    assert source["url"].startswith("https://") and "plover-base-1.3.1" in source["note"]
    assert source["record_origin"] == "coded"
    assert "coded-plover-sample-plv-0006" not in records  # AID has no mapping
    assert all(r["record_origin"] == "coded" for r in records.values())


def test_coded_and_curated_events_answer_together(imported: Project) -> None:
    rows = QueryRunner(imported).run("who-met-whom")
    ids = {row["id"] for row in rows}
    assert "coded-plover-sample-plv-0002" in ids and "coded-gdelt-sample-1203450002" in ids
    assert "bessent-ishiba-meeting-2025-07-18" in ids
    valid = validated_graph(imported)
    assert valid.report is None or valid.report.conforms


def test_decisions_persist_across_imports(tmp_path: Path) -> None:
    project = _project(tmp_path)
    report = import_feed(project, "plover", FEEDS / "plover-sample.jsonl", name="sample")
    assert report.new_keys["coded-plover-sample-shigeru-ishiba"] == "JPN: Shigeru Ishiba"
    (project.graph_dir / "feeds" / "decisions.yaml").write_text(
        'same-as:\n  - {feed: "JPN: Shigeru Ishiba", actor: ishiba}\n'
        'not-same:\n  - {feed: "USA: Howard Lutnick", actor: lutnick}\n', "utf-8")
    for _ in range(2):
        import_feed(project, "plover", FEEDS / "plover-sample.jsonl", name="sample", replace=True)
        records = {r["id"]: r for r in _lines(project.graph_dir / "bulk" / "coded-plover-sample.jsonl")}
        assert records["coded-plover-sample-plv-0001"]["participants"][1] == {"actor": "ishiba", "role": "host"}
        assert "lutnick" not in records["coded-plover-sample-plv-0002"]["participants"]
        assert "coded-plover-sample-shigeru-ishiba" not in records


def test_a_decision_naming_no_actor_is_refused_at_its_line(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project.graph_dir / "feeds").mkdir()
    (project.graph_dir / "feeds" / "decisions.yaml").write_text("same-as:\n  - {feed: X, actor: nobody}\n", "utf-8")
    with pytest.raises(InvalidData, match=r"decisions.yaml:2: `same-as` names the actor 'nobody'"):
        import_feed(project, "plover", FEEDS / "plover-sample.jsonl")


def test_every_bad_record_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    project = _project(tmp_path)
    with pytest.raises(BadRecords) as caught:
        import_feed(project, "plover", FEEDS / "plover-bad.jsonl", name="bad")
    message = caught.value.message
    for line, what in [(2, "is not a day of the calendar"), (3, "has no `date`"), (4, "'not-a-qid'"),
                       (5, "not an http(s) URL"), (6, "not valid JSON")]:
        assert f"plover-bad.jsonl:{line}: " in message and what in message
    assert "5 bad records: nothing was imported" in message
    assert not (project.graph_dir / "bulk").exists() or not list((project.graph_dir / "bulk").iterdir())
    report = import_feed(project, "plover", FEEDS / "plover-bad.jsonl", name="bad", skip_bad=True)
    assert report.skipped_count == 5 and report.events["meeting"] == 1


def test_gdelt_rows_and_a_gzip_feed(tmp_path: Path) -> None:
    import gzip

    project = _project(tmp_path)
    packed = tmp_path / "events.csv.gz"
    packed.write_bytes(gzip.compress((FEEDS / "gdelt-sample.csv").read_bytes()))
    report = import_feed(project, "gdelt", packed)
    assert report.output == "graph/bulk/coded-gdelt-events.jsonl"
    records = {r["id"]: r for r in _lines(project.graph_dir / "bulk" / "coded-gdelt-events.jsonl")}
    meeting = records["coded-gdelt-events-1203450002"]
    assert meeting["participants"] == ["akazawa", "bessent"] and meeting["place"] == "osaka"
    assert report.unmapped == {"CAMEO 190": 1}
    bad = tmp_path / "short.csv"
    bad.write_text("1\t20250101\n", "utf-8")
    with pytest.raises(BadRecords, match=r"short.csv:1: the row has 2 tab-separated columns; expected 61"):
        import_feed(project, "gdelt", bad)


def test_only_a_file_the_import_wrote_is_replaced(tmp_path: Path) -> None:
    project = _project(tmp_path)
    import_feed(project, "plover", FEEDS / "plover-sample.jsonl", name="sample")
    target = project.graph_dir / "bulk" / "coded-plover-sample.jsonl"
    with pytest.raises(OutputError, match="exists"):
        import_feed(project, "plover", FEEDS / "plover-sample.jsonl", name="sample")
    import_feed(project, "plover", FEEDS / "plover-sample.jsonl", name="sample", replace=True)
    target.write_text(target.read_text("utf-8") + "\n", "utf-8")  # a person edits it
    with pytest.raises(OutputError, match="not written by `tradegraph import`, or was changed"):
        import_feed(project, "plover", FEEDS / "plover-sample.jsonl", name="sample", replace=True)
    mine = project.graph_dir / "bulk" / "coded-plover-mine.jsonl"
    mine.write_text("", "utf-8")
    with pytest.raises(OutputError):
        import_feed(project, "plover", FEEDS / "plover-sample.jsonl", name="mine", replace=True)
    assert mine.read_text("utf-8") == ""


def _events(project: Project, ids: set[str] | None = None) -> Counter[tuple]:
    """The events exported to PLOVER, counted by what PLOVER says of each."""
    out: Counter[tuple] = Counter()
    for record in (json.loads(line) for line in plover_export(project).splitlines()):
        if ids is None or record["id"] in ids:
            sides = tuple(sorted(json.dumps(e, sort_keys=True) for e in record["actor"])), tuple(
                sorted(json.dumps(e, sort_keys=True) for e in record.get("recipient", [])))
            out[(record["cameo"], record["date"], record.get("enddate"), sides, str(record.get("mode")))] += 1
    return out


def test_plover_export_reimports_to_the_same_events(tmp_path: Path) -> None:
    project = _project(tmp_path / "a")
    exported = tmp_path / "export.jsonl"
    exported.write_text(plover_export(project), "utf-8")
    records = _lines(exported)
    visit = next(r for r in records if r["id"] == "bessent-expo-visit-2025-07-19")
    assert visit["actor"][0]["entity_text"] == "Scott Bessent" and visit["recipient"][0]["entity_text"] == "Ryosei Akazawa"
    assert next(r for r in records if r["actor"][0].get("identifier_id") == "Q22686")
    before = _events(project)
    import_feed(project, "plover", exported, name="roundtrip")
    coded = {r["id"] for r in _lines(project.graph_dir / "bulk" / "coded-plover-roundtrip.jsonl")}
    after = _events(project, coded)
    assert after == before
    assert sum(after.values()) == len(records)


@pytest.mark.parametrize("name", ["who-met-whom", "actor-timeline", "contact-counts", "negotiators", "travel",
                                  "statements", "meeting-topics", "events-before-deadline"])
def test_origin_keeps_coded_and_curated_apart_or_together(imported: Project, name: str) -> None:
    runner = QueryRunner(imported)
    keyed = {origin: runner.run(name, origin=origin) for origin in ("all", "curated", "coded")}
    column = "records" if name in ("contact-counts", "negotiators") else "record"

    def origins(rows: list[dict]) -> set[str]:
        return {o for r in rows for o in (r[column] if isinstance(r[column], list) else [r[column]])}

    assert origins(keyed["curated"]) <= {"curated"} and origins(keyed["coded"]) <= {"coded"}
    if column == "record":  # one row per record: all is the two kinds together
        assert sorted(map(repr, keyed["all"])) == sorted(map(repr, keyed["curated"] + keyed["coded"]))
    assert runner.run(name) == keyed["all"]  # all is the default


def test_who_met_whom_and_the_timeline_say_which_rows_are_coded(imported: Project) -> None:
    runner = QueryRunner(imported)
    rows = {r["id"]: r for r in runner.run("who-met-whom")}
    assert rows["coded-plover-sample-plv-0002"]["record"] == "coded"
    assert rows["bessent-ishiba-meeting-2025-07-18"]["record"] == "curated"
    coded = {r["id"] for r in runner.run("actor-timeline", actor="akazawa", origin="coded")}
    assert "coded-plover-sample-plv-0002" in coded and "akazawa-bessent-expo-talks-2025-07-19" not in coded
    with pytest.raises(UsageError, match="--origin 'machine' is not one of the choices; expected one of all, "
                                         "curated, coded"):
        runner.run("who-met-whom", origin="machine")


def test_a_record_file_no_import_wrote_is_never_replaced(tmp_path: Path) -> None:
    """The import's record beside the output is the import's too: a file of someone's at that path
    stays, with or without --replace (found by the review)."""
    project = _project(tmp_path)
    record = project.graph_dir / "feeds" / "imported" / "coded-plover-s.json"
    record.parent.mkdir(parents=True)
    record.write_text('{"mine": "user notes"}\n', "utf-8")
    for replace in (False, True):
        with pytest.raises(OutputError, match="not the record of an import"):
            import_feed(project, "plover", FEEDS / "plover-sample.jsonl", name="s", replace=replace)
    assert record.read_text("utf-8") == '{"mine": "user notes"}\n'


def test_a_number_past_pythons_digit_limit_is_one_line_naming_it(tmp_path: Path) -> None:
    project = _project(tmp_path)
    feed = tmp_path / "big.jsonl"
    feed.write_text('{"id": ' + "9" * 5000 + ', "date": "2025-07-18", "event": ["CONSULT"], '
                    '"actor": [{"code": "USA", "entity_text": "A"}], "recipient": [{"code": "JPN", "entity_text": "B"}]}\n',
                    "utf-8")
    with pytest.raises(InvalidData, match=r"big.jsonl:1: the line holds a number that cannot be read"):
        import_feed(project, "plover", feed, name="big")


def test_a_long_report_lists_the_first_new_actors_and_says_how_many_more() -> None:
    report = ImportReport("graph/bulk/coded-plover-big.jsonl")
    report.new_records = ([{"id": f"a-{i}", "kind": "person", "name": f"A {i}"} for i in range(45)]
                          + [{"id": f"p-{i}", "kind": "place", "name": f"P {i}"} for i in range(31)])
    short, full = report.text(), report.text(limit=None)
    assert "new actors (45;" in short and "  a-29 (person)" in short and "a-30 (" not in short
    assert "  ... and 15 more new actors: each is a record of graph/bulk/coded-plover-big.jsonl" in short
    assert "new places and countries (31): " in short and "p-29 (P 29)" in short and "p-30 (" not in short
    assert "... and 1 more new places and countries" in short
    assert "a-44 (person)" in full and "p-30 (P 30)" in full and "more new" not in full


def test_the_network_keeps_coded_and_curated_events_apart_or_together(imported: Project, cli) -> None:
    from tradegraph.network.graph import NetworkFilter, actor_network

    graph = validated_graph(imported)
    networks = {origin: actor_network(graph, NetworkFilter(origin=origin)) for origin in ("all", "curated", "coded")}
    events = {origin: network.graph["events"] for origin, network in networks.items()}
    assert {e["origin"] for e in events["curated"].values()} == {"curated"}
    assert {e["origin"] for e in events["coded"].values()} == {"coded"}
    assert "coded-plover-sample-plv-0002" in events["coded"]
    assert sorted(events["all"]) == sorted([*events["curated"], *events["coded"]])
    assert {o for _, _, data in networks["all"].edges(data=True) for o in data["origins"]} == {"curated", "coded"}
    assert networks["coded"].graph["filter"] == "all dates, coded events only"
    shown = cli("network", "--project", str(imported.root), "--origin", "coded", "--format", "json")
    assert shown.code == 0, shown.err
    assert set(json.loads(shown.out)["events"]) == set(events["coded"])
    refused = cli("network", "--project", str(imported.root), "--origin", "machine")
    assert refused.code == 2 and "'machine' is not one of 'all', 'curated', 'coded'" in refused.err
