"""The ``tradegraph`` command line: one lazy table of commands (``main``), each command a few lines
around one library call; ``common`` holds the ``--project`` option and the message printer.

Owns: ``main``, ``common``, and one module per group of commands: ``build`` (build, validate,
stats), ``query`` (queries, query, sparql), ``export`` (export, network, viz), ``remote`` (push,
serve), ``docs``, ``project`` (init, new-source), ``draft`` (draft, review),
``site`` (site), ``feeds`` (import plover, import gdelt), ``history`` (changes, history).

May import: every wing.
"""

from tradegraph.cli.main import cli, main

__all__ = ["cli", "main"]
