"""Shared fixtures: the repository, a throw-away copy of the minimal project, the CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
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
