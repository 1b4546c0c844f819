"""The ``import`` commands: machine-coded event feeds written as coded bulk facts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from tradegraph.cli.common import open_project, project_option

_FEED = click.Path(exists=False, dir_okay=False, path_type=Path)


def _options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--name", default=None, help="The import's name (default: the file's name); it writes "
                     "graph/bulk/coded-FEED-NAME.jsonl."),
        click.option("--replace", is_flag=True, help="Import again over the file an earlier import of this name wrote "
                     "(never over a file it did not write or that was changed since)."),
        click.option("--skip-bad", is_flag=True, help="Write the good records and list the bad ones "
                     "(default: a bad record stops the import and nothing is written)."),
        click.option("--full-report", is_flag=True, help="List every new actor and place (default: the first 30 "
                     "of each, and how many more)."),
    ]):
        command = option(command)
    return command


@click.group("import")
def import_group() -> None:
    """Import a machine-coded event feed (PLOVER/POLECAT or GDELT) as coded facts.

    Each feed record becomes an event (with its actors, mode, place and date) citing a source
    record (its URL, and the coder and codebook), all marked `record_origin: coded`, in one
    file, graph/bulk/coded-FEED-NAME.jsonl, that build, queries and exports read like any
    other facts. Actors are matched with the graph's by the decisions in
    graph/feeds/decisions.yaml, then by Wikidata id, then by name and country; the others
    become new actors, listed in the report.
    """


def _run(feed: str, project_dir: Path | None, file: Path, name: str | None, replace: bool, skip_bad: bool,
         full_report: bool) -> None:
    from tradegraph.feeds.importer import import_feed
    from tradegraph.progress import Progress

    report = import_feed(open_project(project_dir), feed, file, name=name, replace=replace, skip_bad=skip_bad,
                         progress=Progress())
    click.echo(report.text(limit=None if full_report else 30))


def _feed_command(feed: str, doc: str) -> click.Command:
    """The ``import FEED`` command (made here, so the lazy table names only the group)."""
    @project_option
    @click.argument("file", type=_FEED)
    @_options
    def command(project_dir: Path | None, file: Path, name: str | None, replace: bool, skip_bad: bool,
                full_report: bool) -> None:
        _run(feed, project_dir, file, name, replace, skip_bad, full_report)

    command.__doc__ = doc
    return click.command(feed)(command)


import_group.add_command(_feed_command("plover", """Import PLOVER/POLECAT JSON Lines (plain or .gz): one event record a line.

    \b
    Examples:
      tradegraph import plover polecat-2025-07.jsonl
      tradegraph import plover feed.jsonl.gz --name july --replace
    """))
import_group.add_command(_feed_command("gdelt", """Import GDELT 2.0 events: tab-separated, 61 columns, no header (plain or .gz).

    \b
    Examples:
      tradegraph import gdelt 20250718120000.export.CSV
      tradegraph import gdelt events.csv.gz --skip-bad
    """))
