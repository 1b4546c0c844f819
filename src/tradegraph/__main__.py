"""``python -m tradegraph``: the same as the ``tradegraph`` command."""

from .cli import main

main()
