"""``tradegraph push`` and ``tradegraph serve``: the graph in a SPARQL store."""

from __future__ import annotations

from pathlib import Path

import click

from tradegraph.cli.common import err, open_project, project_option
from tradegraph.remote.transport import Endpoint

_SECONDS = click.FloatRange(min=0, min_open=True)


@click.command()
@project_option
@click.option("--endpoint", required=True, metavar="URL",
              help="The store's SPARQL Update URL (Oxigraph: http://HOST:PORT/update; Fuseki: "
                   "http://HOST:3030/DATASET/update).")
@click.option("--graph-store", metavar="URL", default=None,
              help="The store's Graph Store Protocol URL (Oxigraph: /store; Fuseki: /DATASET/data); "
                   "used when given, SPARQL Update otherwise.")
@click.option("--replace", is_flag=True, help="Drop everything else the store holds first (DROP ALL).")
@click.option("--also-default", is_flag=True,
              help="Also write every triple into the default graph, for stores that cannot make it the "
                   "union of the named graphs.")
@click.option("--batch-size", type=click.IntRange(min=1), default=20_000, show_default=True,
              help="Triples per request.")
@click.option("--timeout", type=_SECONDS, default=60, show_default=True,
              help="Seconds each request may take in all: connecting, sending and the whole answer.")
@click.option("--all", "send_all", is_flag=True,
              help="Send every graph, even those unchanged since the last push to this store.")
@click.option("--query", "query_url", metavar="URL", default=None,
              help="The store's query URL, asked whether it still holds what was last pushed "
                   "(default: the --endpoint URL with /update made /query, else the same URL).")
def push(project_dir: Path | None, endpoint: str, graph_store: str | None, replace: bool, also_default: bool,
         batch_size: int, timeout: float, send_all: bool, query_url: str | None) -> None:
    """Upload the graph (validated, as `tradegraph build` would write it), one named graph per
    source plus the actors and the ontology, to a SPARQL store. Each graph sent replaces the
    store's graph of the same name, so pushing twice leaves the same triples; other graphs stay
    unless --replace. Only the graphs that changed since the last push to the same store are sent
    (remembered in build/pushed.json, and trusted only while the store still holds as many
    triples in each as were sent), and the graph of a removed source is dropped; --all sends
    every graph. Credentials come from TRADEGRAPH_ENDPOINT_USER and
    TRADEGRAPH_ENDPOINT_PASSWORD, or TRADEGRAPH_ENDPOINT_TOKEN (a bearer token).

    \b
    Examples:
      tradegraph push --endpoint http://127.0.0.1:7878/update --graph-store http://127.0.0.1:7878/store
      tradegraph push --endpoint http://127.0.0.1:3030/tradegraph/update --replace
    """
    from tradegraph.progress import Progress
    from tradegraph.remote.push import push as run_push

    with Progress() as shown:
        result = run_push(open_project(project_dir), Endpoint(endpoint, timeout=timeout), graph_store=graph_store,
                          replace=replace, also_default=also_default, batch_size=batch_size, progress=shown.triples,
                          incremental=not send_all, remember=True, query=query_url, check_union=True)
    for note in result.notes:
        err(f"warning: {note}")
    click.echo(result.summary())


@click.command()
@project_option
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="The port on 127.0.0.1 (0: any free port).")
@click.option("--writable", is_flag=True, help="Accept updates and Graph Store writes (lost when it stops).")
@click.option("--timeout", type=_SECONDS, default=30, show_default=True, help="Seconds a query may run.")
@click.option("--allow-remote", is_flag=True,
              help="Let queries and updates use SERVICE, LOAD and FROM/USING graphs the store does not hold.")
def serve(project_dir: Path | None, port: int, writable: bool, timeout: float, allow_remote: bool) -> None:
    """Serve the graph with the Oxigraph server on 127.0.0.1, read-only unless --writable, its
    default graph the union of the named graphs (as the canned queries expect), and the query
    browser at / (every canned query a form, every node a page; Oxigraph's own SPARQL page at
    /yasgui). Prints the URLs; Ctrl-C stops it and removes its temporary store.

    It answers only requests that name it (Host 127.0.0.1:PORT or localhost:PORT) and come from
    programs or its own page, never from another site's page. Queries may not reach other
    servers (SERVICE, LOAD, FROM a graph it does not hold) unless --allow-remote. With
    --writable, writes need a token: TRADEGRAPH_SERVE_TOKEN, or one it makes and prints,
    sent as "Authorization: Bearer TOKEN" (push sends TRADEGRAPH_ENDPOINT_TOKEN).

    \b
    Examples:
      tradegraph serve --port 7878
      tradegraph query who-met-whom --endpoint http://127.0.0.1:7878/query --before 2025-08-01
    """
    from tradegraph.remote.serve import serve as run_serve
    from tradegraph.site.pages import site_on

    def ready(text: str) -> None:
        err("press Ctrl-C to stop")  # before the URLs: whoever waits for them may stop us at once
        click.echo(text)

    project = open_project(project_dir)
    run_serve(project, port=port, writable=writable, timeout=timeout, allow_remote=allow_remote,
              on_ready=ready, on_note=err, pages=lambda url: site_on(project, url))
    err("stopped")
