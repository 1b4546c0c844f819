"""Which records of a project are still drafts (``draft: proposed``), and where.

>>> from tradegraph.project import Project
>>> still_drafts(Project.open("tests/fixtures/minimal"))
[]
"""

from __future__ import annotations

from dataclasses import dataclass

from tradegraph.errors import Location
from tradegraph.files.yamlfile import YList, YMap, load_yaml
from tradegraph.project import Project


@dataclass(frozen=True)
class DraftMark:
    """A record still marked as a draft: its id, its kind (or section) and where it is."""

    id: str
    kind: str
    where: Location

    def __str__(self) -> str:
        return f"{self.where}: {self.kind} '{self.id}' is a draft"


def still_drafts(project: Project) -> list[DraftMark]:
    """Every record of the project's YAML fact files marked ``draft``, in file order."""
    found: list[DraftMark] = []
    for path in project.actor_files() + project.source_files():
        doc = load_yaml(path, project.relative(path))
        if not isinstance(doc, YMap):
            continue
        for section, items in doc.items():
            for index, item in enumerate(items if isinstance(items, YList) else []):
                if isinstance(item, YMap) and "draft" in item:
                    kind = str(item.get("kind", section))
                    found.append(DraftMark(str(item.get("id", f"#{index + 1}")), kind, item.where("draft")))
    return found
