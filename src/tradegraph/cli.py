"""The ``tradegraph`` command line: each command a few lines around one library call.

Library errors become one line on stderr (``error: FILE:LINE: what; expected ...``) and an
exit code: 1 for invalid data or violations, 2 for usage errors. Data goes to stdout,
progress and messages to stderr.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from .errors import TradegraphError, ValidationFailed, printable

_project_option = click.option(
    "--project", "-p", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="The project directory (default: the current directory).")


def _project(project_dir: Path | None) -> Any:
    from .project import Project

    return Project.open(project_dir)


def printable_lines(text: str) -> str:
    """``text`` with each of its lines made :func:`~tradegraph.errors.printable` (paths and names
    a user chose cannot act on the terminal)."""
    return "\n".join(printable(line) for line in text.splitlines())


def _err(text: str) -> None:
    """One message on stderr, each line with what a terminal would act on shown escaped."""
    click.echo(printable_lines(text), err=True)


#: The module (``cmd_*.py``) of each command defined outside this file. A command's module is
#: imported when the command runs, so `tradegraph build` does not load the network or HTTP code;
#: `--help` imports them all. tests/test_cli.py checks this table against the modules.
COMMAND_MODULES = {
    "docs": "cmd_docs", "push": "cmd_endpoint", "serve": "cmd_endpoint", "export": "cmd_export",
    "network": "cmd_export", "viz": "cmd_export", "init": "cmd_project", "new-source": "cmd_project",
    "queries": "cmd_query", "query": "cmd_query", "sparql": "cmd_query",
}


class _LazyGroup(click.Group):
    """A group whose commands in ``cmd_*.py`` modules are imported when first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        _register_command_modules()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            import importlib

            importlib.import_module(f"{__name__.rsplit('.', 1)[0]}.{COMMAND_MODULES[cmd_name]}")
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="tradegraph")
def cli() -> None:
    """tradegraph: a knowledge graph of actors and trade events, with the source of every answer.

    Curate facts in graph/ (YAML), then `tradegraph build` to load, validate and export them.
    """


@cli.command()
@_project_option
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the outputs (default: the project's build/).")
@click.option("--base", default=None, help="Base IRI for the graph's nodes (default: from tradegraph.yaml).")
@click.option("--reason", type=click.Choice(["rdfs", "owlrl"]), default=None,
              help="Also materialize what the ontology implies, into the named graph graph/inferred "
                   "and build/inferred.ttl.")
@click.option("--store", type=click.Path(path_type=Path), default=None,
              help="Also write the graph into an Oxigraph store in this directory, for `query --store`.")
@click.option("--validator", type=click.Choice(["fast", "pyshacl"]), default="fast", show_default=True,
              help="The SHACL engine: the fast path, or pyshacl, the reference (slow on large graphs).")
def build(project_dir: Path | None, out: Path | None, base: str | None, reason: str | None,
          store: Path | None, validator: str) -> None:
    """Load the facts, validate them against the shapes, and write build/graph.ttl, graph.trig,
    graph.jsonld and report.txt.

    On bad input or violations it exits 1 and writes nothing: the previous build stays whole.
    A project with bulk facts (graph/bulk/*.jsonl, *.csv) or a build with --store loads into
    an Oxigraph store and writes graph.nq instead of graph.jsonld.

    \b
    Examples:
      tradegraph build --project . --out build
      tradegraph build --reason rdfs
      tradegraph build --store build/store
    """
    from .build import build as run_build

    result = run_build(_project(project_dir), out=out, base=base, reason=reason, store=store,
                       validator=validator)
    click.echo(printable_lines(result.summary()))
    for note in result.report.notes:
        _err(f"note: {note}")
    for warning in result.report.warnings:
        _err(f"warning: {warning}")


@cli.command()
@_project_option
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))  # a directory: one line from the reader
def validate(project_dir: Path | None, files: tuple[Path, ...]) -> None:
    """Validate the project's facts, or the given fact files (.yaml) and RDF files (.ttl, .nt,
    .trig, .jsonld), against the shapes. Prints the report; exits 1 on violations.

    \b
    Examples:
      tradegraph validate
      tradegraph validate graph/sources/new-article.yaml
      tradegraph validate build/graph.ttl
    """
    from .validate_cmd import validate_paths

    report = validate_paths(_project(project_dir), list(files))
    click.echo(report.text(), nl=False)
    if not report.conforms:
        raise ValidationFailed(f"{len(report.violations)} violation(s)")


@cli.command()
@_project_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def stats(project_dir: Path | None, fmt: str) -> None:
    """Count what the graph holds: records by kind, facts per source, events by status,
    retracted facts and the span of dates.

    \b
    Example:
      tradegraph stats --format json
    """
    from .loader import load_facts
    from .stats import stats as compute

    figures = compute(load_facts(_project(project_dir)))
    if fmt == "json":
        click.echo(json.dumps(figures, indent=2))
        return
    for key, value in figures.items():
        if isinstance(value, dict):
            click.echo(f"{key}:")
            for name, count in value.items():
                click.echo(f"  {name:<48} {count}")
        else:
            click.echo(f"{key:<50} {value}")


def _register_command_modules() -> None:
    """Import every ``cmd_*.py`` module of the package; each adds its commands to :data:`cli`."""
    import importlib
    import pkgutil

    package = __name__.rsplit(".", 1)[0]
    for info in sorted(pkgutil.iter_modules(__import__(package).__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            importlib.import_module(f"{package}.{info.name}")



def main(argv: list[str] | None = None) -> None:
    """Run the CLI, turning tradegraph errors into one line each and an exit code."""
    try:
        cli.main(args=argv, prog_name="tradegraph", standalone_mode=False)
    except click.exceptions.Abort:
        _err("aborted")
        sys.exit(130)
    except click.ClickException as exc:
        shown = io.StringIO()
        exc.show(file=shown)
        _err(shown.getvalue())
        sys.exit(exc.exit_code)
    except ValidationFailed as exc:
        if exc.report:
            _err(exc.report)
        _err(f"error: {exc}")
        sys.exit(exc.exit_code)
    except TradegraphError as exc:
        for line in str(exc).splitlines():
            _err(f"error: {line}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(130)
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as a killed pipe writer would
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
    except OSError as exc:  # the system refused a path (too long, no such folder, no permission)
        where = f"{exc.filename}: " if exc.filename else ""
        _err(f"error: {where}{exc.strerror or exc} (hint: check the path and its folders)")
        sys.exit(2)
    except Exception as exc:  # a bug: one line unless debugging
        if os.environ.get("TRADEGRAPH_DEBUG"):
            raise
        _err(f"internal error: {type(exc).__name__}: {exc} (set TRADEGRAPH_DEBUG=1 for the traceback)")
        sys.exit(70)


