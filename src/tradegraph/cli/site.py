"""``tradegraph site``: the query browser written as a static site."""

from __future__ import annotations

from pathlib import Path

import click

from tradegraph.cli.common import err, open_project, project_option


@click.command()
@project_option
@click.option("--output", "-o", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write the site into (made if missing).")
def site(project_dir: Path | None, out: Path) -> None:
    """Write the query browser as a static, offline site: the catalogue of canned queries,
    each answered with its defaults (with CSV, JSON and the SPARQL), and a page for every
    node with its sources and evidence. Publish the folder with any static web host.
    Files that an earlier `tradegraph site` did not write are never replaced.

    \b
    Examples:
      tradegraph site -o public/
    """
    from tradegraph.site.publish import write_site

    written = write_site(open_project(project_dir), out)
    err(f"wrote {len(written)} files to {out}")
