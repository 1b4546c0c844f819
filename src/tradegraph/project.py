"""A project: a directory with ``ontology/``, ``shapes/``, ``queries/`` and ``graph/``.

This is the one object that knows where a project's files are; nothing else builds paths.
Every project uses the ontology, shapes and queries built into tradegraph, plus its own
in ``ontology/``, ``shapes/`` and ``queries/`` beside them (a file of the same name as a
built-in one replaces it), so a directory holding only ``graph/`` is a project too.

>>> project = Project(builtin_root())
>>> [p.name for p in project.ontology_files()]
['derived.ttl', 'feeds.ttl', 'measures.ttl', 'tradegraph.ttl', 'vocabularies.ttl']
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox

from tradegraph.errors import InvalidData, Location, UsageError, printable
from tradegraph.files.localfile import check_regular
from tradegraph.files.values import text_problem
from tradegraph.files.yamlfile import FACT_FILE, YMap, load_yaml

DEFAULT_BASE = "https://w3id.org/tradegraph/id/"
CONFIG_FILE = "tradegraph.yaml"
#: The settings ``tradegraph.yaml`` may hold.
CONFIG_KEYS = ("base",)
#: File names of fact files (any case); names starting with a dot (editors' lock and swap
#: files) are not fact files.
YAML_SUFFIXES = (".yaml", ".yml")
BULK_SUFFIXES = (".jsonl", ".csv")  #: bulk fact files, in graph/bulk/
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_PERCENT_HINT = "a % starts an escape of two hex digits; write %25 for % itself"
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f-\x9f]')


def check_base(base: object, where: Location) -> str:
    """``base`` if it can prefix every node's IRI: an absolute IRI (an http(s) one names a host).

    >>> check_base("https://example.org/id/", Location("tradegraph.yaml", 1))
    'https://example.org/id/'
    >>> check_base("http://x y/", Location("tradegraph.yaml", 1))
    Traceback (most recent call last):
    ...
    tradegraph.errors.InvalidData: tradegraph.yaml:1: the base IRI 'http://x y/' is not an IRI; expected an absolute IRI such as https://example.org/id/ (hint: it holds a space, a control character or one of <>"{}|\\^`)
    """  # noqa: E501 (a doctest's expected message is one line)
    expected = "an absolute IRI such as https://example.org/id/"
    if not isinstance(base, str):
        raise InvalidData(f"the base IRI is {base!r}", where=where, expected=expected)
    if _IRI_FORBIDDEN.search(base) or text_problem(base):
        raise InvalidData(f"the base IRI {base!r} is not an IRI", where=where, expected=expected,
                          hint="it holds a space, a control character or one of <>\"{}|\\^`")
    try:
        parts = urlsplit(base)
        _ = parts.port  # raises ValueError for a port out of range
    except ValueError as exc:
        raise InvalidData(f"the base IRI {base!r} is not an IRI ({exc})", where=where, expected=expected) from None
    if not _SCHEME.fullmatch(parts.scheme) or (parts.scheme in ("http", "https") and not parts.hostname):
        raise InvalidData(f"the base IRI {base!r} is not absolute", where=where, expected=expected,
                          hint="every node's IRI is the base followed by its id")
    try:  # Oxigraph's IRI parser, which every store and export uses: escapes, code points, host
        ox.NamedNode(base)
    except ValueError as exc:
        raise InvalidData(f"the base IRI {base!r} is not an IRI ({printable(str(exc))})", where=where,
                          expected=expected, hint=_PERCENT_HINT if "percent" in str(exc) else None) from None
    return base


def builtin_root() -> Path:
    """Where the built-in ontology, shapes and queries are.

    In an installed wheel they ship inside the package (``tradegraph/assets``); in a source
    checkout installed in editable mode they are the checkout's own top-level folders.
    """
    packaged = Path(__file__).resolve().parent / "assets"
    if (packaged / "ontology").is_dir():
        return packaged
    return Path(__file__).resolve().parents[2]


#: JavaScript files the HTML view inlines: name in the wheel (``tradegraph/assets/js/``) ->
#: where `npm ci` puts it in a checkout (package.json pins the version).
JS_LIBRARIES = {"cytoscape.min.js": "node_modules/cytoscape/dist/cytoscape.min.js"}


def javascript_file(name: str) -> Path:
    """A JavaScript library file: bundled in the wheel, or from ``node_modules/`` in a checkout."""
    packaged = Path(__file__).resolve().parent / "assets" / "js" / name
    if packaged.is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / JS_LIBRARIES[name]
    if checkout.is_file():
        return checkout
    raise UsageError(f"the JavaScript library {name} is not installed",
                     expected=f"{checkout} or tradegraph/assets/js/{name} in the installed package",
                     hint="run `npm ci` (or `make setup`) in the tradegraph checkout")


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def open(cls, root: Path | str | None = None) -> Project:
        """The project at ``root`` (default: the current directory), which must hold ``graph/``."""
        path = Path(root if root is not None else ".").resolve()
        if not path.is_dir():
            raise UsageError(f"project directory {path} does not exist",
                             hint="pass --project DIR, or run `tradegraph init DIR` to create one")
        if not (path / "graph").is_dir():
            raise UsageError(f"{path} is not a tradegraph project (it has no graph/ folder)",
                             hint="pass --project DIR, or run `tradegraph init DIR` to create one")
        return cls(path)

    # ---- configuration
    @cached_property
    def config(self) -> dict[str, object]:
        """``tradegraph.yaml``: a mapping of the settings in :data:`CONFIG_KEYS` (none is required)."""
        path = self.root / CONFIG_FILE
        if not path.exists() and not path.is_symlink():
            return {}
        data = load_yaml(path, CONFIG_FILE)
        if not isinstance(data, YMap):
            raise InvalidData(f"{CONFIG_FILE} holds {'a list' if isinstance(data, list) else 'a single value'} at the top",
                              where=Location(CONFIG_FILE, 1), expected="a mapping such as `base: https://example.org/id/`")
        for key in data:
            if key not in CONFIG_KEYS:
                raise InvalidData(f"unknown setting '{key}'", where=data.where(key),
                                  expected="one of " + ", ".join(CONFIG_KEYS))
        if "base" in data:
            check_base(data["base"], data.where("base"))
        return dict(data)

    @property
    def base(self) -> str:
        return str(self.config.get("base", DEFAULT_BASE))

    # ---- assets: the built-in ones, then the project's own beside them
    def _assets(self, folder: str, pattern: str) -> list[Path]:
        """Built-in files of ``folder``, plus the project's own; a project file overrides
        a built-in one of the same name (so a project can change a canned query)."""
        chosen: dict[str, Path] = {p.name: p for p in sorted((builtin_root() / folder).glob(pattern))}
        own = self.root / folder
        if own.is_dir() and own.resolve() != (builtin_root() / folder).resolve():
            chosen.update({p.name: p for p in sorted(own.glob(pattern))})
        return [chosen[name] for name in sorted(chosen)]

    def ontology_files(self) -> list[Path]:
        return self._assets("ontology", "*.ttl")

    def shape_files(self) -> list[Path]:
        return self._assets("shapes", "*.ttl")

    def query_files(self) -> list[Path]:
        return self._assets("queries", "*.rq")

    # ---- facts
    @property
    def graph_dir(self) -> Path:
        return self.root / "graph"

    def actor_files(self) -> list[Path]:
        """The actors files: ``graph/*.yaml`` (and ``*.yml``)."""
        return self._facts(self.graph_dir, YAML_SUFFIXES)

    def source_files(self) -> list[Path]:
        """One file per source document: ``graph/sources/*.yaml`` (and ``*.yml``)."""
        return self._facts(self.graph_dir / "sources", YAML_SUFFIXES)

    def bulk_files(self) -> list[Path]:
        """Machine-made facts, one record a line: ``graph/bulk/*.jsonl`` and ``*.csv``."""
        return self._facts(self.graph_dir / "bulk", BULK_SUFFIXES)

    def _facts(self, folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
        """The fact files in ``folder``; any entry named like one that is not a regular file
        (a dangling or looping symlink, a directory, a FIFO, a device), or a ``folder`` that is
        not a directory, is an :class:`InvalidData` naming it, never skipped."""
        shown = self.relative(folder)
        try:
            info = folder.stat()
        except FileNotFoundError:
            if folder.is_symlink():
                raise InvalidData(f"{shown} is a symlink to nothing", where=Location(shown),
                                  expected="a folder of fact files") from None
            return []
        except OSError as exc:
            raise InvalidData(f"{shown} cannot be read ({exc.strerror})", where=Location(shown),
                              expected="a folder of fact files") from None
        if not stat.S_ISDIR(info.st_mode):
            raise InvalidData(f"{shown} is not a folder", where=Location(shown), expected="a folder of fact files",
                              hint="move the file away; facts go in files inside the folder")
        try:
            names = sorted(os.listdir(folder))
        except OSError as exc:
            raise InvalidData(f"{shown} cannot be listed ({exc.strerror})", where=Location(shown),
                              expected="a folder tradegraph can read") from None
        found = [folder / name for name in names
                 if not name.startswith(".") and os.path.splitext(name)[1].lower() in suffixes]
        for path in found:
            check_regular(path, what=FACT_FILE, shown=self.relative(path))
        return found

    def fact_files(self) -> list[Path]:
        return self.actor_files() + self.source_files() + self.bulk_files()

    def relative(self, path: Path) -> str:
        """``path`` as the user should see it: relative to the project when inside it."""
        for seen in (Path(os.path.abspath(path)), Path(os.path.realpath(path))):  # a link by its own name first
            try:
                return str(seen.relative_to(self.root))
            except ValueError:
                pass
        return str(path)

    def build_dir(self, out: Path | str | None = None) -> Path:
        return Path(out).resolve() if out is not None else self.root / "build"

