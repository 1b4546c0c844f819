"""The ``export``, ``network`` and ``viz`` commands: each a few lines around one library call."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from tradegraph.cli.common import open_project, project_option
from tradegraph.errors import printable
from tradegraph.facts.model import load_model
from tradegraph.files.atomic import write_output
from tradegraph.network.graph import ORIGINS, NetworkFilter


def network_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that choose which events make the network, shared by every network command."""
    options = [
        click.option("--after", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="DATE",
                     help="Only events known to start after DATE (YYYY-MM-DD), as in the queries."),
        click.option("--before", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="DATE",
                     help="Only events known to end before DATE (YYYY-MM-DD), as in the queries."),
        click.option("--mode", "modes", multiple=True, metavar="MODE",
                     help="Only events held this way: in-person, phone, video, written, online (repeatable)."),
        click.option("--country", "countries", multiple=True, metavar="COUNTRY",
                     help="Only events with an actor of COUNTRY: an id, name or ISO code (repeatable)."),
        click.option("--status", "statuses", multiple=True, metavar="STATUS",
                     help="Event statuses to keep: happened, reported, unstated, planned, uncertain, "
                          "cancelled, did-not-happen (repeatable; default: "
                          + ", ".join(load_model().network.statuses) + ")."),
        click.option("--include-organizations", is_flag=True,
                     help="Also draw organizations and delegations (default: people, governments, "
                          "ministries and parties)."),
        click.option("--include-unconfirmed", is_flag=True,
                     help="Also count planned and uncertain events (a meeting that may or may not take place)."),
        click.option("--include-retracted", is_flag=True, help="Keep facts that a correction retracted."),
        click.option("--origin", type=click.Choice(ORIGINS), default="all", show_default=True,
                     help="Events curated by a person, coded by a machine from an event feed "
                          "(`tradegraph import`), or all."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _filter(after: datetime | None, before: datetime | None, modes: tuple[str, ...],
            countries: tuple[str, ...], statuses: tuple[str, ...], include_organizations: bool,
            include_unconfirmed: bool, include_retracted: bool, origin: str = "all") -> NetworkFilter:
    return NetworkFilter(after=_day(after), before=_day(before), modes=modes, countries=countries,
                         statuses=statuses, include_organizations=include_organizations,
                         include_unconfirmed=include_unconfirmed, include_retracted=include_retracted,
                         origin=origin)


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _write(project: Any, path: Path, data: bytes | str) -> None:
    """Write an output the user asked for: ``-`` is standard output (see :func:`write_output`)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if str(path) == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
        return
    from tradegraph.build.outputs import check_output_folder

    check_output_folder(project, path)
    written = write_output(path, payload)
    shown = str(path) if str(path).startswith(("/dev/", "/proc/")) else project.relative(written)
    click.echo(printable(f"wrote {shown} ({len(payload):,} bytes)"), err=True)


@click.command()
@project_option
@click.option("--format", "-f", "fmt", default=None, metavar="FORMAT",
              help="ttl, nt, jsonld, trig or xml (the RDF graph); gexf, graphml, cyjs or dot (the actor "
                   "network); plover (the events as PLOVER JSON Lines). Default: from the suffix of --output.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The file to write (default: standard output).")
@network_options
def export(project_dir: Path | None, fmt: str | None, output: Path | None, **options: Any) -> None:
    """Export the built graph (RDF formats) or the actor network (network formats).

    RDF exports hold every triple of `tradegraph build`; TriG keeps one named graph per
    source. Network files open in Gephi (gexf, with a timeline), Cytoscape (cyjs, graphml)
    and Graphviz (dot). The facts are validated first; the same facts give the same bytes.

    \b
    Examples:
      tradegraph export --format ttl > graph.ttl
      tradegraph export -o build/network.gexf --after 2025-07-01
      tradegraph export --format dot | neato -n2 -Tsvg > network.svg
    """
    from tradegraph.export.exports import export as run_export
    from tradegraph.export.exports import format_for

    project = open_project(project_dir)
    if fmt == "plover":  # the events as PLOVER JSON Lines: written by the feeds wing
        from tradegraph.feeds.plover_out import plover_export

        _write(project, output or Path("-"), plover_export(project))
        return
    text = run_export(project, format_for(fmt, output), filters=_filter(**options))
    _write(project, output or Path("-"), text)


@click.command()
@project_option
@click.option("--metrics", is_flag=True, help="Per actor: degree, shared events, betweenness, community, "
                                              "brokerage between countries.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@network_options
def network(project_dir: Path | None, metrics: bool, fmt: str, **options: Any) -> None:
    """Show the actor network: who shared events with whom (or, with --metrics, who is central
    and who brokers between countries).

    Actors are people, governments, ministries and parties; two are linked for every
    encounter: an event both took part in (meetings, calls, visits, trips, talks, ceremonies,
    letters), an event and its parts counted once (as model.yaml's network block declares, and
    as the query contact-counts counts). By default retracted facts and events that did not or
    not yet happen are left out.

    \b
    Examples:
      tradegraph network
      tradegraph network --metrics --format json
      tradegraph network --country JP --mode in-person --status happened --status planned
    """
    from tradegraph.build.provider import validated_graph
    from tradegraph.network.graph import actor_network
    from tradegraph.network.report import network_report

    graph = actor_network(validated_graph(open_project(project_dir)), _filter(**options))
    if metrics:
        from tradegraph.network.metrics import metrics_table, network_metrics

        rows = network_metrics(graph)
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False) if fmt == "json" else metrics_table(rows))
    else:
        click.echo(network_report(graph, fmt))


@click.command()
@project_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="network.html for the interactive page, network.png or network.svg for a picture "
                   "(default: build/network.html in the project; - for standard output).")
@click.option("--format", "-f", "fmt", type=click.Choice(["html", "png", "svg"]), default=None,
              help="What to draw (default: from the suffix of --output).")
@network_options
def viz(project_dir: Path | None, output: Path | None, fmt: str | None, **options: Any) -> None:
    """Draw the actor network: a self-contained HTML page that works offline, or a picture.

    The page (cytoscape.js inlined) colours actors by country and shapes them by kind; click
    an actor or a line for its events, their sources and evidence; filter by dates; search
    by name. The picture (PNG or SVG, 1920 px wide) is the same drawing, for a report.

    \b
    Examples:
      tradegraph viz
      tradegraph viz -o build/network.png --after 2025-07-01
      tradegraph viz -o talks.svg --mode in-person
      tradegraph viz -o - --format svg > talks.svg
    """
    from tradegraph.network.page import viz as draw

    project = open_project(project_dir)
    target = output if output is not None else project.build_dir() / "network.html"
    _write(project, target, draw(project, target, filters=_filter(**options), fmt=fmt))
