"""``tradegraph build``, ``validate`` and ``stats``: the graph from the facts."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tradegraph.cli.common import err, open_project, printable_lines, project_option
from tradegraph.errors import ValidationFailed
from tradegraph.project import Project

#: tradegraph.shacl.paths.VALIDATORS, spelt here so that `--help` loads no RDF library (a test compares them).
_validator_option = click.option(
    "--validator", type=click.Choice(["fast", "pyshacl"]), default="fast", show_default=True,
    help="The SHACL engine: the fast path, or pyshacl, the reference (slow on large graphs).")
_texts_option = click.option(
    "--texts", multiple=True, type=click.Path(file_okay=False, path_type=Path),
    help="A folder outside the project that the sources' local copies (`file:`) may be read from, "
         "to check their evidence (repeatable).")


def _check_evidence(project: Project, texts: tuple[Path, ...], files: list[Path] | None = None, *,
                    warn: bool = True) -> ValidationFailed | None:
    """Every evidence quote against its source's local copy: the errors (and, with ``warn``, the
    warnings: no local copy, one outside the allowed folders) on stderr, and the failure (exit 1)
    to raise when a quote is not in its text."""
    from tradegraph.draft.evidence import check_evidence

    findings = check_evidence(project, texts=texts, files=files)
    for finding in findings:
        if finding.error or warn:
            err(f"{'error' if finding.error else 'warning'}: {finding}")
    errors = sum(finding.error for finding in findings)
    return ValidationFailed(f"{errors} evidence quote(s) not in their source's local copy") if errors else None


@click.command()
@project_option
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the outputs (default: the project's build/).")
@click.option("--base", default=None, help="Base IRI for the graph's nodes (default: from tradegraph.yaml).")
@click.option("--reason", type=click.Choice(["rdfs", "owlrl"]), default=None,
              help="Also materialize what the ontology implies, into the named graph graph/inferred "
                   "and build/inferred.ttl.")
@click.option("--store", type=click.Path(path_type=Path), default=None,
              help="Also write the graph into an Oxigraph store in this directory, for `query --store`.")
@_validator_option
@click.option("--drafts", is_flag=True,
              help="Build records still marked as drafts too, each keeping its mark in the outputs.")
@_texts_option
def build(project_dir: Path | None, out: Path | None, base: str | None, reason: str | None,
          store: Path | None, validator: str, drafts: bool, texts: tuple[Path, ...]) -> None:
    """Load the facts, validate them against the shapes, and write build/graph.ttl, graph.trig,
    graph.jsonld and report.txt.

    On bad input or violations it exits 1 and writes nothing: the previous build stays whole.
    A project with bulk facts (graph/bulk/*.jsonl, *.csv) or a build with --store loads into
    an Oxigraph store and writes graph.ttl, graph.nq and report.txt (TriG and JSON-LD: use
    `tradegraph export`). While no fact, shape,
    ontology or settings file changes, the other commands read build/ instead of loading and
    validating again.

    \b
    Examples:
      tradegraph build --project . --out build
      tradegraph build --reason rdfs
      tradegraph build --store build/store
    """
    from tradegraph.build.pipeline import build as run_build

    project = open_project(project_dir)
    failed = _check_evidence(project, texts, warn=False)  # `validate` gives the warnings
    if failed:
        raise failed
    result = run_build(project, out=out, base=base, reason=reason, store=store, validator=validator,
                       drafts=drafts)
    click.echo(printable_lines(result.summary()))
    _say_changes(project.build_dir(out))
    for note in result.report.notes:
        err(f"note: {note}")
    for warning in result.report.warnings:
        err(f"warning: {warning}")


def _say_changes(folder: Path, *, at_most: int = 200) -> None:
    """The changes the build recorded, one line each (at most ``at_most``; `changes` shows all)."""
    from tradegraph.build.changes import lines, read_changes, summary

    found = read_changes(folder)
    click.echo(summary(found))
    said = lines(found)
    for line in said[:at_most]:
        click.echo(printable_lines(line))
    if len(said) > at_most:
        click.echo(f"... and {len(said) - at_most} more: `tradegraph changes` shows them all")


@click.command()
@project_option
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))  # a directory: one line from the reader
@_validator_option
@_texts_option
def validate(project_dir: Path | None, files: tuple[Path, ...], validator: str, texts: tuple[Path, ...]) -> None:
    """Validate the project's facts, or the given fact files (.yaml) and RDF files (.ttl, .nt,
    .trig, .jsonld), against the shapes. Prints the report; exits 1 on violations.

    \b
    Examples:
      tradegraph validate
      tradegraph validate graph/sources/new-article.yaml
      tradegraph validate build/graph.ttl --validator pyshacl
    """
    from tradegraph.draft.marks import still_drafts
    from tradegraph.shacl.paths import validate_paths

    project = open_project(project_dir)
    report = validate_paths(project, list(files), validator=validator)  # bad input: its one message, alone
    for mark in still_drafts(project):
        err(f"draft: {mark}")
    sources = [f for f in files if f.suffix.lower() in (".yaml", ".yml") and f.parent.name == "sources"]
    failed = _check_evidence(project, texts, sources if files else None)
    for note in report.notes:
        err(f"note: {note}")
    click.echo(report.text(), nl=False)
    if not report.conforms:
        raise ValidationFailed(f"{len(report.violations)} violation(s)")
    if failed:
        raise failed


@click.command()
@project_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def stats(project_dir: Path | None, fmt: str) -> None:
    """Count what the graph holds: records by kind, facts per source, events by status,
    retracted facts and the span of dates. Reads the validated graph (the last build's while
    no input changed); violations stop it as they stop a build.

    \b
    Example:
      tradegraph stats --format json
    """
    from tradegraph.build.provider import validated_graph
    from tradegraph.export.stats import stats as compute

    figures = compute(validated_graph(open_project(project_dir)))
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
