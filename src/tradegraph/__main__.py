"""``python -m tradegraph``: the same as the ``tradegraph`` command."""

from tradegraph.cli.main import main

main()
