"""``tradegraph docs``."""

from __future__ import annotations

from pathlib import Path

import click

from tradegraph.cli.common import open_project, project_option
from tradegraph.errors import printable


@click.command("docs")
@project_option
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The folder to write index.html into (default: build/docs).")
def docs_command(project_dir: Path | None, out: Path | None) -> None:
    """Write HTML documentation of the ontology: classes, properties, the shapes that constrain
    them, vocabularies with CAMEO/PLOVER codes, and examples from the project's data. The page is
    self-contained and works offline.

    \b
    Example:
      tradegraph docs -o build/docs
    """
    from tradegraph.export.docs import docs

    project = open_project(project_dir)
    click.echo(printable(project.relative(docs(project, out))))
