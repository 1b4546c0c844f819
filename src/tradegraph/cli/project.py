"""``tradegraph init`` and ``tradegraph new-source``."""

from __future__ import annotations

from pathlib import Path

import click

from tradegraph.cli.common import open_project, project_option
from tradegraph.errors import printable


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--base", default=None, help="Base IRI for the new project's nodes.")
def init(directory: Path, base: str | None) -> None:
    """Create a new project in DIRECTORY: graph/ with an example source, settings, and folders
    for your own queries, shapes and ontology beside the built-in ones.

    \b
    Example:
      tradegraph init eu-china-ev-talks && cd eu-china-ev-talks && tradegraph build
    """
    from tradegraph.facts.scaffold import init_project

    project = init_project(directory, base=base)
    click.echo(printable(f"created {project.root}"))
    click.echo(printable(f"next: edit {directory}/graph/, then `tradegraph build --project {directory}`"))


@click.command("new-source")
@project_option
@click.option("--title", required=True, help="The title of the source document.")
@click.option("--published", required=True, help="Its publication date: 2025-07-19, 2025-07 or 2025.")
@click.option("--url", default=None, help="Where it can be read.")
@click.option("--publisher", default=None, help="The id of its publisher in graph/actors.yaml.")
@click.option("--id", "ident", default=None, help="The source's id (default: made from the title).")
def new_source(project_dir: Path | None, title: str, published: str, url: str | None,
               publisher: str | None, ident: str | None) -> None:
    """Write a skeleton fact file graph/sources/ID.yaml for a new source document.

    \b
    Example:
      tradegraph new-source --title "Japan's Akazawa aims to visit US" --published 2025-07-19 \\
          --url https://example.org/article --publisher bloomberg
    """
    from tradegraph.facts.scaffold import new_source as write_skeleton

    project = open_project(project_dir)
    path = write_skeleton(project, title=title, published=published, url=url, publisher=publisher,
                          ident=ident)
    click.echo(printable(project.relative(path)))
