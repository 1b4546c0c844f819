"""Every command has help, an example, and a section in the README."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest

from tradegraph.cli import cli as group

from .conftest import REPO, run_process

COMMANDS = group.list_commands(click.Context(group))  # imports every cmd_*.py module


def test_every_command_outside_cli_py_is_in_the_table_that_loads_it_lazily() -> None:
    import tradegraph.cli as cli_module

    outside = {name: command.callback.__module__.rsplit(".", 1)[-1]
               for name, command in group.commands.items() if command.callback.__module__ != cli_module.__name__}
    assert outside == cli_module.COMMAND_MODULES


def test_there_are_commands() -> None:
    assert {"build", "validate", "stats"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_with_an_example(name: str, cli) -> None:
    run = cli(name, "--help")
    assert run.code == 0
    assert "Usage: tradegraph" in run.out
    command = group.commands[name]  # loaded by list_commands above
    assert command.help and len(command.help) > 40
    if not isinstance(command, click.Group):
        assert "Example" in command.help, f"`{name} --help` shows no example"


@pytest.mark.parametrize("name", COMMANDS)
def test_command_is_documented_in_the_readme(name: str) -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    assert f"tradegraph {name}" in readme


def test_stats_json(minimal: Path, cli) -> None:
    run = cli("stats", "--project", str(minimal), "--format", "json")
    figures = json.loads(run.out)
    assert figures["kinds"] == {"country": 2, "government": 1, "meeting": 1, "person": 2, "place": 1,
                                "post": 1, "source": 1, "tariff": 1, "tenure": 1, "topic": 2}
    assert (figures["first_date"], figures["last_date"]) == ("2025-03-13", "2025-04-01")


def test_validate_rdf_file(minimal: Path, cli, tmp_path: Path) -> None:
    assert cli("build", "--project", str(minimal), "--out", str(tmp_path)).code == 0
    run = cli("validate", "--project", str(minimal), str(tmp_path / "graph.ttl"))
    assert run.code == 0
    assert run.out.endswith("0 violation(s), 0 warning(s)\n")


def test_validate_bad_turtle_names_file_and_line(minimal: Path, cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e .\n")
    run = cli("validate", "--project", str(minimal), str(bad))
    assert run.code == 1
    assert run.err.startswith(f"error: {bad}:3: cannot parse RDF")


def test_module_entry_point_and_version() -> None:
    run = run_process("--version")
    assert run.code == 0 and "0.1.0" in run.out


def test_unexpected_errors_are_one_line(minimal: Path, cli, monkeypatch) -> None:
    import sys

    build_module = sys.modules["tradegraph.build"]

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(build_module, "build", boom)
    run = cli("build", "--project", str(minimal))
    assert run.code == 70
    assert run.err == "internal error: RuntimeError: disk on fire (set TRADEGRAPH_DEBUG=1 for the traceback)\n"
