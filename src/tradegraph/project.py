"""A project: a directory with ``ontology/``, ``shapes/``, ``queries/`` and ``graph/``.

This is the one object that knows where a project's files are; nothing else builds paths.
A project that lacks ``ontology/``, ``shapes/`` or ``queries/`` uses the ones built into
tradegraph, so a directory holding only ``graph/`` is a project too.

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

    # ---- assets
    def _asset_dir(self, name: str) -> Path:
        own = self.root / name
        return own if own.is_dir() else builtin_root() / name

    def ontology_files(self) -> list[Path]:
        return sorted(self._asset_dir("ontology").glob("*.ttl"))

    def shape_files(self) -> list[Path]:
        return sorted(self._asset_dir("shapes").glob("*.ttl"))

    def query_files(self) -> list[Path]:
        return sorted(self._asset_dir("queries").glob("*.rq"))

    # ---- facts
    @property
    def graph_dir(self) -> Path:
        return self.root / "graph"

    def actor_files(self) -> list[Path]:
        return sorted(p for p in self.graph_dir.glob("*.y*ml") if p.is_file())

    def source_files(self) -> list[Path]:
        return sorted(p for p in (self.graph_dir / "sources").glob("*.y*ml") if p.is_file())

    def fact_files(self) -> list[Path]:
        return self.actor_files() + self.source_files()

    def relative(self, path: Path) -> str:
        """``path`` as the user should see it: relative to the project when inside it."""
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)

    def build_dir(self, out: Path | str | None = None) -> Path:
        return Path(out).resolve() if out is not None else self.root / "build"
