"""Shared fixtures: the repository, throw-away copies of the minimal project and of the
repository's own project, the CLI; and a guard that no test writes a push's memory into the checkout."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph

from tradegraph.cli.main import main
from tradegraph.project import Project
from tradegraph.rdf.graphs import ontology_graph
from tradegraph.shacl.validate import shapes_graph

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_SOURCES = REPO.parent / "shared" / "sources"
#: What makes a project: its inputs (a copy has them, never the build/ folder).
PROJECT_INPUTS = ("graph", "ontology", "shapes", "queries", "tradegraph.yaml")


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tradegraph wheel, built once per test session from this checkout."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out),
                    str(REPO)], check=True, capture_output=True, timeout=600)
    (path,) = out.glob("tradegraph-*.whl")
    return path


@pytest.fixture(scope="session")
def shapes() -> Graph:
    """The repository's SHACL shapes, parsed once."""
    return shapes_graph(Project.open(REPO))


@pytest.fixture(scope="session")
def ontology() -> Graph:
    """The repository's ontology, parsed once."""
    return ontology_graph(Project.open(REPO))


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    """A fresh copy of tests/fixtures/minimal, safe to modify."""
    target = tmp_path / "minimal"
    shutil.copytree(FIXTURES / "minimal", target)
    return target


def copy_project(source: Path, target: Path) -> Path:
    """A copy of the project at ``source`` (its inputs, not its build/) at ``target``."""
    target.mkdir(parents=True)
    for name in PROJECT_INPUTS:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name)
        elif (source / name).is_file():
            shutil.copy2(source / name, target / name)
    return target


@pytest.fixture(scope="session")
def repo_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's own project, built once per session: what a test pushes through
    the CLI (which remembers what it sent in the project's build/), so that nothing is written
    into the checkout."""
    target = copy_project(REPO, tmp_path_factory.mktemp("repo-project") / "project")
    done = run_process("build", "--project", str(target))
    assert done.code == 0, done.err
    return target


def _push_memories() -> dict[Path, int]:
    """Every push memory in the checkout's projects (the repository's and the fixtures'), with its mtime."""
    found = [REPO / "build" / "pushed.json", *FIXTURES.glob("*/build/pushed.json")]
    return {path: path.stat().st_mtime_ns for path in found if path.exists()}


@pytest.fixture(scope="session", autouse=True)
def _nothing_pushed_from_the_checkout() -> Iterator[None]:
    """Fails the session when a test pushed from a project in the checkout (its build/ got a
    push memory): tests push copies (``repo_project``, ``minimal``), as parallel tests would
    otherwise race on one file."""
    before = _push_memories()
    yield
    written = sorted(str(path.relative_to(REPO)) for path, mtime in _push_memories().items()
                     if before.get(path) != mtime)
    assert not written, f"a test pushed from the checkout and wrote {', '.join(written)}: push a copy"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run the CLI in-process, as `tradegraph ARGS`, and return its exit code and output."""

    def run(*args: str) -> Run:
        code = 0
        try:
            main(list(args))
        except SystemExit as exit:
            code = int(exit.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def run_process(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run `python -m tradegraph ARGS` in a subprocess."""
    done = subprocess.run([sys.executable, "-m", "tradegraph", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)
    return Run(done.returncode, done.stdout, done.stderr)
