"""What every command shares: the ``--project`` option, opening the project, and messages on stderr.
"""

from __future__ import annotations

from pathlib import Path

import click

from tradegraph.errors import printable
from tradegraph.project import Project

project_option = click.option(
    "--project", "-p", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="The project directory (default: the current directory).")


def open_project(project_dir: Path | None) -> Project:
    """The project in ``project_dir`` (default: the current directory)."""
    return Project.open(project_dir)


def printable_lines(text: str) -> str:
    """``text`` with each of its lines made :func:`~tradegraph.errors.printable` (paths and names
    a user chose cannot act on the terminal)."""
    return "\n".join(printable(line) for line in text.splitlines())


def err(text: str) -> None:
    """One message on stderr, each line with what a terminal would act on shown escaped."""
    click.echo(printable_lines(text), err=True)
