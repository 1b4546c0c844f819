"""New projects and new source files: ``tradegraph init`` and ``tradegraph new-source``."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from tradegraph.errors import InvalidData, Location, UsageError, printable
from tradegraph.facts.model import ID_PATTERN
from tradegraph.facts.when import parse_when
from tradegraph.files.atomic import write_file
from tradegraph.files.yamlfile import dump_yaml
from tradegraph.project import CONFIG_FILE, DEFAULT_BASE, Project, check_base

_ACTORS = """\
# The actors, places, posts and topics your source files refer to by id.
# Sections: countries, places, people, governments, ministries, parties, organizations, posts, topics.
countries:
  - id: country-a
    name: Country A
    iso: AA
  - id: country-b
    name: Country B
    iso: BB
governments:
  - id: country-a-government
    name: Government of Country A
    country: country-a
organizations:
  - id: example-news
    name: Example News
people:
  - id: minister-a
    name: Minister A
    country: country-a
  - id: envoy-b
    name: Envoy B
    country: country-b
posts:
  - id: country-a-trade-minister
    name: Trade Minister of Country A
    organization: country-a-government
topics:
  - id: tariffs
    name: Tariffs
"""

_EXAMPLE_SOURCE = """\
# An example source file: replace it with the first article of your negotiation.
# Every fact has a stable id, a kind, its fields and `evidence` quoting the source.
source:
  id: example-article
  title: Minister A meets Envoy B
  publisher: example-news
  published:
    date: 2025-01-10
    how: printed under the headline
  url: https://example.org/minister-a-meets-envoy-b

facts:
  - id: minister-a-trade-minister
    kind: tenure
    holder: minister-a
    post: country-a-trade-minister
    status: current
    evidence: Trade Minister A

  - id: minister-a-envoy-b-meeting
    kind: meeting
    label: Minister A meets Envoy B
    participants:
      - {actor: minister-a, role: host}
      - {actor: envoy-b, role: guest}
    mode: in-person
    when:
      date: 2025-01-09
      text: on Thursday
      how: the day before publication
    status: happened
    topics: [tariffs]
    evidence: Minister A hosted Envoy B on Thursday to discuss tariffs.
"""

_OWN_ASSETS = {
    "queries": "Your own canned queries (NAME.rq with a `#+` header). They are listed beside the\n"
               "built-in ones; a file named like a built-in query replaces it.\n",
    "shapes": "Your own SHACL shapes (*.ttl), checked beside the built-in ones.\n",
    "ontology": "Extensions of the built-in ontology (*.ttl): new classes and properties.\n",
}


def init_project(directory: Path | str, *, base: str | None = None) -> Project:
    """Create a new project in ``directory`` (which must be empty or not exist) and return it.

    The project uses the built-in ontology, shapes and queries; its own go beside them.
    """
    root = Path(directory)
    if base is not None:
        try:
            check_base(base, Location("--base"))
        except InvalidData as error:
            raise _as_usage(error) from None
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise UsageError(f"{root} already exists and is not empty",
                         expected="a new or empty directory", hint="choose another name")
    files = {
        root / CONFIG_FILE: "# tradegraph project settings\n" + dump_yaml({"base": base or DEFAULT_BASE}),
        root / "graph" / "actors.yaml": _ACTORS,
        root / "graph" / "sources" / "example-article.yaml": _EXAMPLE_SOURCE,
        root / ".gitignore": "build/\n",
    }
    files.update({root / folder / "README.md": text for folder, text in _OWN_ASSETS.items()})
    for path, text in files.items():
        write_file(path, text)
    return Project.open(root)


def _as_usage(error: InvalidData) -> UsageError:
    """A value given on the command line was checked as data would be: it is a usage error (exit 2)."""
    return UsageError(error.what, where=error.where, expected=error.expected, hint=error.hint)


def slug(text: str, *, limit: int = 60) -> str:
    """A stable id made from a title.

    >>> slug("Japan’s Akazawa Faces Optics Risk as Bessent Visits")
    'japans-akazawa-faces-optics-risk-as-bessent-visits'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "").replace("’", "")).strip("-")
    return words[:limit].rstrip("-") or "source"


def new_source(project: Project, *, title: str, published: str, url: str | None = None,
               publisher: str | None = None, ident: str | None = None) -> Path:
    """Write a skeleton source file ``graph/sources/ID.yaml`` and return its path.

    Every value is written by the YAML library (quoted and escaped as needed), and ``ident``
    must be an id (lowercase letters, digits and hyphens), so nothing given here can add keys
    to the file or put it outside ``graph/sources/``.
    """
    try:
        parse_when(published, Location("--published"), "the date")
    except InvalidData as error:
        raise _as_usage(error) from None
    for option, value in (("--id", ident), ("--publisher", publisher)):
        if value is not None and not re.fullmatch(ID_PATTERN, value):
            raise UsageError(f"{option} {value!r} is not an id", expected="lowercase letters, digits and hyphens, "
                             "like example-news", hint=f"ids look like {slug(value)!r}")
    for option, value in (("--title", title), ("--url", url)):
        if value is not None and (not value.strip() or printable(value) != value):
            raise UsageError(f"{option} {value!r} is empty or holds control characters", expected="one line of text")
    ident = ident or slug(title)
    path = project.graph_dir / "sources" / f"{ident}.yaml"
    if os.path.lexists(path):
        raise UsageError(f"{project.relative(path)} already exists", hint="pass --id to choose another name")
    source: dict[str, object] = {"id": ident, "title": title}
    if publisher:
        source["publisher"] = publisher
    source["published"] = {"date": published, "how": "printed on the page"}
    if url:
        source["url"] = url
    text = dump_yaml({"source": source})
    if not publisher:
        text = text.replace("  published:", "  publisher:            # the id of an organization in graph/actors.yaml\n"
                                             "  published:", 1)
    text = text.replace("    how: printed on the page", "    how: printed on the page   # or how you established "
                                                         "the date from the text", 1)
    write_file(path, text + _SKELETON_FACTS)
    return path


_SKELETON_FACTS = """
facts: []
# Replace `[]` with one entry per fact, for example:
#  - id: a-meets-b
#    kind: meeting
#    participants: [a, b]
#    when: {date: 2025-01-09, text: on Thursday, how: the day before publication}
#    status: happened
#    evidence: the words of the source
"""
