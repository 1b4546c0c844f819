"""``tradegraph queries``, ``tradegraph query NAME`` and ``tradegraph sparql``.

Each canned query is a subcommand of ``query`` whose options are the parameters its
``#+`` header declares, so ``tradegraph query NAME --help`` documents them. The project is
opened, and the query read, once: when the subcommand is resolved; the run takes both as they are.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from tradegraph.cli.common import project_option
from tradegraph.errors import UsageError
from tradegraph.project import Project, builtin_root
from tradegraph.query.catalogue import Query, find_query, load_queries
from tradegraph.query.formats import FORMATS, default_format, render
from tradegraph.remote.transport import Endpoint

_format_option = click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
                              help="Output format (default: table on a terminal, tsv otherwise).")
_ENDPOINT_HELP = ("Run on this SPARQL endpoint (its query URL, e.g. http://127.0.0.1:7878/query) "
                  "instead of the local graph.")
_TIMEOUT_HELP = "Seconds to wait for an answer (default: 60 on an endpoint, no limit locally)."
_SPARQL_TIMEOUT_HELP = "Seconds to wait for an answer (default: 60)."
#: The time limit of an ad-hoc query run locally when --timeout is not given.
SPARQL_TIMEOUT = 60.0
_REMOTE_HELP = ("Let the query's SERVICE calls reach other SPARQL servers (http and https only). "
                "Without it a local query reads only the project's graph: no SERVICE, and FROM names "
                "only the project's graphs (never a file or a URL).")
_STORE_HELP = "Run on the Oxigraph store in this directory (written by `tradegraph build --store DIR`)."
_SHOW_HELP = ("Print the SPARQL text the engine receives instead of running it: GIVEN(...) written out "
              "and the parameters (and what the query's setup computes from them) written in as terms, as "
              "an endpoint gets them (rdflib binds the same terms beside the same text). Runs as is with "
              "`tradegraph sparql`.")
_SECONDS = click.FloatRange(min=0, min_open=True)


def _endpoint(url: str | None, timeout: float | None) -> Endpoint | None:
    """The endpoint that --endpoint and --timeout name; None to run on the local graph."""
    if url is None:
        return None  # a local query: --timeout is applied by _local_limit
    return Endpoint(url) if timeout is None else Endpoint(url, timeout=timeout)


def _local_limit(url: str | None, timeout: float | None, *, default: float | None = None) -> Any:
    """A time limit for a query run in this process (an endpoint applies --timeout itself)."""
    from tradegraph.query.deadline import deadline

    return deadline((default if timeout is None else timeout) if url is None else None)


def _project_here(project_dir: Path | None) -> Project | None:
    """The project in ``project_dir``; None outside any project (no --project, no graph/ here)."""
    try:
        return Project.open(project_dir)
    except UsageError:
        if project_dir is not None:
            raise
        return None


def _listing_project(project_dir: Path | None) -> Project:
    """The project whose queries to list; the built-in queries outside any project."""
    return _project_here(project_dir) or Project(builtin_root())


def _emit(rows: Any, columns: list[str], fmt: str | None) -> None:
    terminal = sys.stdout.isatty()
    click.echo(render(rows, columns, fmt or default_format(terminal), terminal=terminal), nl=False)
    click.echo(f"{len(rows)} row(s)", err=True)


@click.command()
@project_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def queries(project_dir: Path | None, fmt: str) -> None:
    """List the canned queries with their summaries and parameters.

    \b
    Example:
      tradegraph queries
    """
    found = [q for _, q in sorted(load_queries(_listing_project(project_dir)).items())]
    if fmt == "json":
        click.echo(json.dumps([{"name": q.name, "summary": q.summary, "description": q.description,
                                "params": [p.__dict__ | {"classes": list(p.classes)} for p in q.params]}
                               for q in found], indent=2))
        return
    for query in found:
        click.echo(f"{query.name}: {query.summary}")
        for p in query.params:
            default = f" (default: {p.default})" if p.default is not None and p.type != "boolean" else ""
            kind = "flag" if p.type == "boolean" else p.type
            click.echo(f"    {p.option:<22} {kind:<9} {p.help}{default}")


def _command(query: Query, project: Project | None) -> click.Command:
    """A click command for one canned query of ``project`` (None: no project, built-in queries):
    an option per parameter."""
    params: list[click.Parameter] = []
    for p in query.params:
        help_text = p.help.rstrip(".") + "." + (f" Example: {p.example}" if p.example else "")
        if p.type == "boolean":
            params.append(click.Option([p.option, p.variable], is_flag=True, default=None, help=help_text))
        else:
            metavar = "|".join(p.choices) or {"xsd:date": "DATE", "integer": "N", "string": "TEXT"}.get(p.type, "NAME")
            params.append(click.Option([p.option, p.variable], default=None, metavar=metavar,
                                       help=help_text, show_default=p.default or False))
    params.append(click.Option(["--format", "fmt"], type=click.Choice(FORMATS), default=None,
                               help="Output format (default: table on a terminal, tsv otherwise)."))
    params.append(click.Option(["--project", "-p", "project_dir"], default=None,
                               type=click.Path(file_okay=False, path_type=Path),
                               help="The project directory (default: the current directory)."))
    params.append(click.Option(["--endpoint"], metavar="URL", default=None, help=_ENDPOINT_HELP))
    params.append(click.Option(["--timeout"], type=_SECONDS, default=None, help=_TIMEOUT_HELP))
    params.append(click.Option(["--store"], type=click.Path(file_okay=False, path_type=Path), default=None,
                               help=_STORE_HELP))
    params.append(click.Option(["--allow-remote"], is_flag=True, default=False, help=_REMOTE_HELP))
    params.append(click.Option(["--show-sparql"], is_flag=True, default=False, help=_SHOW_HELP))

    def callback(fmt: str | None, project_dir: Path | None, endpoint: str | None, timeout: float | None,
                 store: Path | None, allow_remote: bool, show_sparql: bool, **values: Any) -> None:
        # project_dir was read by QueryGroup.resolve_command, which opened `project`
        from tradegraph.query.run import query_text, run_query

        with _local_limit(endpoint, timeout):
            if show_sparql:
                click.echo(query_text(query, project=project, endpoint=_endpoint(endpoint, timeout), store=store,
                                      allow_remote=allow_remote, **values))
                return
            rows = run_query(query, project=project, endpoint=_endpoint(endpoint, timeout), store=store,
                             allow_remote=allow_remote, **values)
        _emit(rows, rows.columns, fmt)

    epilog = "\b\nExample:\n  tradegraph query " + query.name + "".join(
        f" {p.option}" + ("" if p.type == "boolean" else f" {p.example}")
        for p in query.params if p.example is not None)
    return click.Command(query.name, params=params, callback=callback, epilog=epilog,
                         help=f"{query.summary}.\n\n{query.description}", short_help=query.summary)


class QueryGroup(click.Group):
    """``query``: one subcommand per ``.rq`` file of the project."""

    def _project_dir(self, ctx: click.Context, args: list[str]) -> Path | None:
        given = ctx.params.get("project_dir")
        for i, arg in enumerate(args):
            if arg in ("--project", "-p") and i + 1 < len(args):
                given = Path(args[i + 1])
            elif arg.startswith("--project="):
                given = Path(arg.split("=", 1)[1])
            elif arg.startswith("-p") and not arg.startswith("--"):
                given = Path(arg[2:])
        return given

    def _command_in(self, project_dir: Path | None, name: str) -> click.Command:
        """The command of the query ``name``: the project opened and the query read, once."""
        project = _project_here(project_dir)
        return _command(find_query(project or Project(builtin_root()), name), project)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(p.stem for p in _listing_project(ctx.params.get("project_dir")).query_files())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._command_in(ctx.params.get("project_dir"), cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        return args[0], self._command_in(self._project_dir(ctx, args), args[0]), args[1:]


@click.group(cls=QueryGroup)
@project_option
def query(project_dir: Path | None) -> None:
    """Run a canned query: `tradegraph query NAME [--PARAM VALUE ...] [--format FORMAT]`.

    Each query's parameters are options: see `tradegraph query NAME --help`. A parameter that
    names an actor, country or event takes its id (akazawa), a full IRI, an exact name
    (Japan) or a part of a name that matches one node (Akazawa).

    \b
    Examples:
      tradegraph query who-met-whom --before 2025-08-01
      tradegraph query tariff-in-force --target japan --on 2025-08-01 --format json
    """


@click.command()
@project_option
@click.argument("text", required=False)
@click.option("--file", "-f", "file", type=click.Path(path_type=Path), default=None,
              help="Read the query from this .rq file.")
@_format_option
@click.option("--endpoint", metavar="URL", default=None, help=_ENDPOINT_HELP)
@click.option("--timeout", type=_SECONDS, default=None, help=_SPARQL_TIMEOUT_HELP)
@click.option("--store", type=click.Path(file_okay=False, path_type=Path), default=None, help=_STORE_HELP)
@click.option("--allow-remote", is_flag=True, default=False, help=_REMOTE_HELP)
def sparql(project_dir: Path | None, text: str | None, file: Path | None, fmt: str | None,
           endpoint: str | None, timeout: float | None, store: Path | None, allow_remote: bool) -> None:
    """Run an ad-hoc SPARQL query on the project's graph (the union of every source's graph
    and the ontology). SELECT prints rows, ASK true or false, CONSTRUCT and DESCRIBE Turtle.
    The prefixes tg, tget, rdf, rdfs, skos, xsd and time are declared for you. Run locally,
    the query reads only the project's graph (SERVICE needs --allow-remote), stops after
    --timeout seconds (60 unless given) and may give at most a million rows.

    \b
    Examples:
      tradegraph sparql 'SELECT ?name WHERE { ?p a tg:Person ; tg:name ?name }'
      tradegraph sparql -f my-question.rq --format csv
      tradegraph sparql --endpoint http://127.0.0.1:7878/query 'ASK { ?s ?p ?o }'
    """
    from tradegraph.files.localfile import read_regular_text
    from tradegraph.query.run import run_sparql

    if (text is None) == (file is None):
        raise UsageError("give a query or --file, not both" if text else "no query given",
                         expected="`tradegraph sparql 'SELECT ...'` or `tradegraph sparql -f FILE.rq`")
    source = text if text is not None else read_regular_text(
        file, what="a SPARQL query file", max_bytes=1_000_000)  # type: ignore[arg-type]
    with _local_limit(endpoint, timeout, default=SPARQL_TIMEOUT):
        result = run_sparql(source, project=project_dir, endpoint=_endpoint(endpoint, timeout), store=store,
                            allow_remote=allow_remote)
    if isinstance(result, bool):
        click.echo(json.dumps(result) if fmt == "json" else str(result).lower())
    elif isinstance(result, list):
        _emit(result, result.columns, fmt)
    else:
        click.echo(result.serialize(format="turtle"), nl=False)

