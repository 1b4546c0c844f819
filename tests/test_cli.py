"""Every command has help, an example, and a section in the README."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest

from tradegraph.cli.main import cli as group

from .conftest import REPO, run_process

COMMANDS = group.list_commands(click.Context(group))


def test_the_lazy_table_names_every_command_module_and_each_command_once() -> None:
    """Every click command defined in the cli package is reachable through the table, under the
    name it answers to, and the table names nothing else."""
    import importlib
    import pkgutil

    import tradegraph.cli as package
    from tradegraph.cli.main import COMMANDS as table

    defined = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"tradegraph.cli.{info.name}")
        for attr, value in vars(module).items():
            if isinstance(value, click.Command) and value.callback and value.callback.__module__ == module.__name__:
                defined[value.name] = f"{info.name}:{attr}"
    defined.pop("cli")  # the group itself
    assert defined == table


def test_there_are_commands() -> None:
    assert {"build", "validate", "stats"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_with_an_example(name: str, cli) -> None:
    run = cli(name, "--help")
    assert run.code == 0
    assert "Usage: tradegraph" in run.out
    command = group.get_command(click.Context(group), name)
    assert command is not None
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
    import tradegraph.build.pipeline as build_module

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(build_module, "build", boom)
    run = cli("build", "--project", str(minimal))
    assert run.code == 70
    assert run.err == "internal error: RuntimeError: disk on fire (set TRADEGRAPH_DEBUG=1 for the traceback)\n"
