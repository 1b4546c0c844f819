"""``tradegraph changes`` and ``tradegraph history``: what changed in the facts, and when."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tradegraph.cli.common import err, open_project, printable_lines, project_option

_format_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                              show_default=True, help="Lines for people, or JSON for machines.")


@click.command()
@project_option
@click.option("--since", metavar="REF", default=None,
              help="A git revision of the project (HEAD~3, a tag, a hash) to compare the facts now with; "
                   "default: what the last build recorded against the build before it.")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The build folder to read (default: the project's build/).")
@_format_option
def changes(project_dir: Path | None, since: str | None, out: Path | None, fmt: str) -> None:
    """Say what changed in the facts: per source, the records added and removed, and each changed
    field's old and new value. Without --since, what the last build recorded (build/changes.json,
    against the build before it); with --since REF, from that git revision to the files now.

    \b
    Examples:
      tradegraph changes
      tradegraph changes --since HEAD~3 --format json
    """
    from tradegraph.build.changes import lines, read_changes, summary
    from tradegraph.build.history import changes_since

    project = open_project(project_dir)
    found = changes_since(project, since) if since is not None else read_changes(project.build_dir(out))
    if fmt == "json":
        click.echo(json.dumps(found, ensure_ascii=False, indent=1))
        return
    err(summary(found))
    for line in lines(found):
        click.echo(printable_lines(line))


@click.command()
@project_option
@click.argument("record", required=False)
@_format_option
def history(project_dir: Path | None, record: str | None, fmt: str) -> None:
    """Say in which commits of the project's git history (and the working tree) a record, or
    every record of a source, changed, with its values at each: the first commit that holds
    it, then each change. Without RECORD, every change of every commit.

    \b
    Examples:
      tradegraph history us-universal-tariff-japan-25
      tradegraph history bloomberg-2025-07-19-akazawa-aims-to-visit-us --format json
    """
    from tradegraph.build.changes import lines
    from tradegraph.build.history import history as run_history

    steps, notes = run_history(open_project(project_dir), record)
    for note in notes:
        err(f"warning: {note}")
    if fmt == "json":
        click.echo(json.dumps([step.as_json() for step in steps], ensure_ascii=False, indent=1))
        return
    for step in steps:
        click.echo(printable_lines(f"{step.commit.short} {step.commit.day} {step.commit.subject}"))
        for line in lines(step.changes, values=True):
            click.echo(printable_lines(f"  {line}"))
