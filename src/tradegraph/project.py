"""A project: a directory with ``ontology/``, ``shapes/``, ``queries/`` and ``graph/``.

This is the one object that knows where a project's files are; nothing else builds paths.
Every project uses the ontology, shapes and queries built into tradegraph, plus its own
in ``ontology/``, ``shapes/`` and ``queries/`` beside them (a file of the same name as a
built-in one replaces it), so a directory holding only ``graph/`` is a project too.

>>> project = Project(builtin_root())
>>> [p.name for p in project.ontology_files()]
['tradegraph.ttl', 'vocabularies.ttl']
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import UsageError
from .yamlfile import load_yaml

DEFAULT_BASE = "https://w3id.org/tradegraph/id/"
CONFIG_FILE = "tradegraph.yaml"


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
    def open(cls, root: Path | str | None = None) -> "Project":
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
        path = self.root / CONFIG_FILE
        return dict(load_yaml(path)) if path.is_file() else {}

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
        return sorted(p for p in self.graph_dir.glob("*.y*ml") if p.is_file())

    def source_files(self) -> list[Path]:
        return sorted(p for p in (self.graph_dir / "sources").glob("*.y*ml") if p.is_file())

    def bulk_files(self) -> list[Path]:
        """Machine-made facts, one record a line: ``graph/bulk/*.jsonl`` and ``*.csv``."""
        folder = self.graph_dir / "bulk"
        return sorted(p for p in [*folder.glob("*.jsonl"), *folder.glob("*.csv")] if p.is_file())

    def fact_files(self) -> list[Path]:
        return self.actor_files() + self.source_files() + self.bulk_files()

    def relative(self, path: Path) -> str:
        """``path`` as the user should see it: relative to the project when inside it."""
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)

    def build_dir(self, out: Path | str | None = None) -> Path:
        return Path(out).resolve() if out is not None else self.root / "build"
