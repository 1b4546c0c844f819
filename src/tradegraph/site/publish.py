"""``tradegraph site -o DIR``: the query browser's pages written as a static, offline site.

The same pages as ``tradegraph serve`` shows, each query answered with its defaults (the
form does not submit: a static site runs nothing), every named node of the project a page,
the downloads beside them. All files go into ``DIR`` at once (written to temporaries, then
renamed) with the record of outputs that ``build`` keeps (:mod:`tradegraph.build.outputs`):
a file of that name that the last ``site`` did not write is never replaced, and the pages of
the last run that this one does not write again (a node since removed) are removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import overload

from tradegraph.build.outputs import BUILD_NAMES, read_record, write_outputs
from tradegraph.errors import OutputError
from tradegraph.project import Project
from tradegraph.query.run import runner_for
from tradegraph.site.names import is_local_id
from tradegraph.site.pages import ASSETS, Site

_FILE = re.compile(r"^(?:index\.html|site\.css|site\.js|cytoscape\.min\.js|query-[a-z0-9-]+\.(?:html|csv|json|rq)"
                   r"|node-[a-z0-9][a-z0-9-]*\.(?:html|ttl))$")


class _SiteFiles(Sequence[str]):
    """Every name a site may write (for the record of outputs: ``name in`` it)."""

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and _FILE.match(name) is not None

    def __len__(self) -> int:
        return 0

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        raise IndexError(index)

    def __iter__(self) -> Iterator[str]:
        return iter(())


def write_site(project: Project, out: Path) -> list[Path]:
    """Write the project's pages into ``out`` (made if missing); the files written."""
    found = read_record(out, every=BUILD_NAMES)
    if found is not None and found[0]:
        raise OutputError(f"{out} holds a build's outputs", expected="a folder of its own for the site",
                          hint="write the site elsewhere, e.g. -o site/")
    site = Site(runner_for(project), static=True)
    contents: dict[str, bytes] = {name: site.asset(name).body for name in ASSETS}
    contents["index.html"] = site("/index.html").body
    for name in site.queries:
        for ext in ("html", "csv", "json", "rq"):
            contents[f"query-{name}.{ext}"] = site(f"/query-{name}.{ext}").body
    for ident in sorted(site.names.nodes):
        if is_local_id(ident):
            for ext in ("html", "ttl"):
                contents[f"node-{ident}.{ext}"] = site(f"/node-{ident}.{ext}").body
    out.mkdir(parents=True, exist_ok=True)
    return write_outputs(project, out, contents, every=_SiteFiles())
