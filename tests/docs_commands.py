"""What the README's examples print, for the cog blocks of README.md and queries/README.md.

``make docs`` (``cog -r``) runs the blocks and writes their output into the files;
``tests/test_docs_fresh.py`` runs ``cog --check`` and fails, naming the file, when a committed
output is not what the commands print now. Each command runs in process (the CLI's own
``main``, so errors are the one-line messages a user sees) on a copy of this repository's
project, built once, so no output depends on the checkout's ``build/`` or on the current
directory. Outputs are deterministic: no timestamps, and the copy's temporary path never shows.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shlex
import shutil
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
PROJECT_PARTS = ("graph", "ontology", "shapes", "queries", "tradegraph.yaml")
#: Where ``tradegraph init`` seems to run in the README (the temporary folder is shown as this).
SHOWN_HOME = "/home/me"


@cache
def _workspace() -> Path:
    root = Path(tempfile.mkdtemp(prefix="tg-docs-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


def copy_project(name: str) -> Path:
    """A fresh copy of the repository's project (its inputs, not its build) named ``name``."""
    target = _workspace() / name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        elif source.is_file():
            shutil.copy2(source, target / part)
    return target


@cache
def project() -> Path:
    """The copy every example runs in, built once (as ``make demo`` builds the repository)."""
    path = copy_project("tradegraph")
    code, _ = _invoke(path, ["build"])
    assert code == 0, "the bundled project does not build"
    return path


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _invoke(folder: Path, args: list[str]) -> tuple[int, str]:
    """Run ``tradegraph ARGS`` in ``folder``; its exit code and what it printed, stdout and stderr
    interleaved as a terminal shows them."""
    from tradegraph.cli.main import main

    runner = CliRunner()
    code = 0
    with _inside(folder), runner.isolation() as (_, _, output):
        try:
            main(args)
        except SystemExit as exit:
            code = int(exit.code or 0)
    text = output.getvalue().decode("utf-8")
    return code, text.replace(str(_workspace()), SHOWN_HOME)


def run(command: str, *, folder: Path | None = None, head: int | None = None, code: int | None = 0) -> str:
    """``$ tradegraph ...`` and what it prints, as a console transcript. ``head``: keep that many
    lines of output and add ``...``; ``code``: the exit code it must end with (None: any)."""
    args = shlex.split(command, comments=True)
    assert args[0] == "tradegraph"
    done, text = _invoke(folder or project(), args[1:])
    assert code is None or done == code, f"`{command}` exited {done}, not {code}:\n{text}"
    lines = text.rstrip("\n").splitlines()
    if head is not None and len(lines) > head:
        lines = [*lines[:head], "..."]
    return "\n".join([f"$ {command}", *lines])


def console(*commands: str, lang: str = "console", **options: object) -> str:
    """A fenced block of the transcripts of ``commands`` (options as for :func:`run`)."""
    body = "\n".join(run(c, **options) for c in commands)  # type: ignore[arg-type]
    return f"```{lang}\n{body}\n```"


def broken(relative: str, old: str, new: str) -> Path:
    """A copy of the project whose file ``relative`` has ``old`` replaced by ``new`` (once)."""
    path = copy_project("broken")
    target = path / relative
    text = target.read_text("utf-8")
    assert old in text, f"{relative} no longer holds {old!r}"
    target.write_text(text.replace(old, new, 1), "utf-8")
    return path


def output(command: str, *, folder: Path | None = None) -> str:
    """Only what ``command`` prints (no ``$`` line), for figures quoted in prose."""
    return run(command, folder=folder).partition("\n")[2]


def query_table(*, link: str = "") -> str:
    """The canned queries as a Markdown table made from their ``#+`` headers: name (linked to its
    file under ``link`` when given), summary, and the options with their types and defaults."""
    from tradegraph.project import Project
    from tradegraph.query.catalogue import load_queries

    rows = ["| query | answers | parameters |", "| --- | --- | --- |"]
    for name, query in sorted(load_queries(Project.open(REPO)).items()):
        shown = f"[`{name}`]({link}{query.path.name})" if link else f"`{name}`"
        options = []
        for param in query.params:
            if param.type == "boolean":
                options.append(f"`{param.option}`")
                continue
            kind = param.type.removeprefix("xsd:")
            default = f", default {param.default}" if param.default is not None else ""
            options.append(f"`{param.option}` ({kind}{default})")
        rows.append(f"| {shown} | {query.summary} | {', '.join(options)} |")
    return "\n".join(rows)


def gexf_attributes() -> str:
    """What the GEXF export declares: its version, and how many attributes of which types."""
    import xml.etree.ElementTree as ET

    from tradegraph.export.exports import export
    from tradegraph.project import Project

    root = ET.fromstring(export(Project.open(project()), "gexf"))
    g = "{http://www.gexf.net/1.2draft}"
    types = sorted({a.get("type", "") for a in root.iter(f"{g}attribute")})
    count = sum(1 for _ in root.iter(f"{g}attribute"))
    kinds = " and ".join(f"`{t}`" for t in types)
    every = "all declared as" if len(types) == 1 else "declared as"
    return f"GEXF {root.get('version')}", f"{count} attributes, {every} {kinds}"


def named_graphs() -> list[tuple[str, int]]:
    """The named graphs that ``push`` and ``serve`` send, with their sizes (the validated graph)."""
    from rdflib import URIRef

    from tradegraph.build.provider import validated_graph
    from tradegraph.project import Project

    dataset = validated_graph(Project.open(project())).dataset
    return sorted((str(g.identifier), len(g)) for g in dataset.graphs()
                  if len(g) and isinstance(g.identifier, URIRef) and g.identifier != dataset.default_graph.identifier)


def home() -> Path:
    """An empty folder shown as ``/home/me``, for commands that create a project."""
    folder = _workspace() / "home"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    return folder


def draft_project() -> Path:
    """A copy of the small project the drafting tests use (tests/fixtures/draft), with its article."""
    target = _workspace() / "drafting"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(REPO / "tests" / "fixtures" / "draft", target)
    return target


def edited(folder: Path, relative: str, old: str, new: str) -> Path:
    """``folder`` with its file ``relative`` edited in place (``old`` replaced by ``new`` once)."""
    target = folder / relative
    text = target.read_text("utf-8")
    assert old in text, f"{relative} no longer holds {old!r}"
    target.write_text(text.replace(old, new, 1), "utf-8")
    return folder
