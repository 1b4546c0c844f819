"""The ``tradegraph`` command line: each command a few lines around one library call.

Library errors become one line on stderr (``error: FILE:LINE: what; expected ...``) and an
exit code: 1 for invalid data or violations, 2 for usage errors. Data goes to stdout,
progress and messages to stderr.

The commands live in the modules beside this one; :data:`COMMANDS` says where, and a command's
module is imported only when that command runs (so ``tradegraph build`` does not load the
network or HTTP code). No command module imports this one.
"""

from __future__ import annotations

import importlib
import io
import os
import sys

import click

from tradegraph.cli.common import err as _err
from tradegraph.errors import TradegraphError, ValidationFailed

#: Each command: the module of this package that defines it, and the function's name there.
#: tests/test_cli.py checks this table against the modules.
COMMANDS = {
    "build": "build:build", "validate": "build:validate", "stats": "build:stats",
    "docs": "docs:docs_command", "push": "remote:push", "serve": "remote:serve",
    "export": "export:export", "network": "export:network", "viz": "export:viz",
    "init": "project:init", "new-source": "project:new_source",
    "queries": "query:queries", "query": "query:query", "sparql": "query:sparql",
    "draft": "draft:draft", "review": "draft:review", "site": "site:site",
    "import": "feeds:import_group",
    "changes": "history:changes", "history": "history:history",
}


class _LazyGroup(click.Group):
    """A group whose commands are imported from :data:`COMMANDS` when first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name].split(":")
        command = getattr(importlib.import_module(f"{__package__}.{module}"), name)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="tradegraph")
def cli() -> None:
    """tradegraph: a knowledge graph of actors and trade events, with the source of every answer.

    Curate facts in graph/ (YAML), then `tradegraph build` to load, validate and export them.
    """


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


