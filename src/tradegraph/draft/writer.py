"""``tradegraph draft``: an article's text written as a draft source file of the project.

The file is the project's own format (``graph/sources/ID.yaml``): the ``source:`` header with
the article registered as its local copy (``file:``, relative to the project's folder), then
every proposal of :mod:`tradegraph.draft.extract`, each marked ``draft: proposed`` and quoting
its sentence as ``evidence``. People the graph did not know go to ``graph/ID-people.yaml``,
marked as drafts too. Nothing is ever replaced: a file that exists already is refused.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from tradegraph.draft.actors import ActorIndex
from tradegraph.draft.extract import Draft, draft_text
from tradegraph.errors import Location, UsageError, printable
from tradegraph.facts.model import ID_PATTERN
from tradegraph.facts.scaffold import slug
from tradegraph.files.atomic import write_files
from tradegraph.files.localfile import read_regular_text
from tradegraph.files.values import check_text
from tradegraph.files.yamlfile import YMap, dump_yaml, load_yaml
from tradegraph.project import Project

#: The largest article ``draft`` reads.
MAX_ARTICLE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Drafted:
    """What ``draft`` wrote: the source file, the new people's file (if any), and the draft."""

    source_file: Path
    people_file: Path | None
    draft: Draft


def draft_article(project: Project, article: Path, *, published: str, title: str | None = None,
                  url: str | None = None, publisher: str | None = None, ident: str | None = None,
                  out: Path | None = None) -> Drafted:
    """Draft ``article`` (a UTF-8 text file) published on ``published`` (YYYY-MM-DD) into a new
    source file of ``project`` (``out``, by default ``graph/sources/ID.yaml``).

    Raises :class:`~tradegraph.errors.UsageError` for a bad option, an unreadable article, or a
    file that exists already (nothing is written then).
    """
    try:
        day = date.fromisoformat(published)
    except ValueError:
        raise UsageError(f"--published {published!r} is not a date", expected="a date like 2025-07-19",
                         hint="the day the article appeared; relative dates are resolved against it") from None
    for option, value in (("--id", ident), ("--publisher", publisher)):
        if value is not None and not re.fullmatch(ID_PATTERN, value):
            raise UsageError(f"{option} {value!r} is not an id", expected="lowercase letters, digits and hyphens",
                             hint=f"ids look like {slug(value)!r}")
    for option, value in (("--title", title), ("--url", url)):
        if value is not None and (not value.strip() or printable(value) != value):
            raise UsageError(f"{option} {value!r} is empty or holds control characters", expected="one line of text")
    text = read_regular_text(article, what="an article (plain UTF-8 text)", max_bytes=MAX_ARTICLE_BYTES)
    for number, line in enumerate(text.split("\n"), 1):  # every quote is verbatim: none may carry what no file can
        check_text(line.rstrip("\r"), Location(str(article), number), what="the article")
    if out is not None and not out.parent.is_dir():
        raise UsageError(f"-o {out}: the folder {out.parent} does not exist", expected="a new file in a folder that exists",
                         hint="create the folder first, or leave out -o to write into graph/sources/")
    title = title or next((line.strip() for line in text.splitlines() if len(line.split()) >= 3), article.stem)
    ident = ident or slug(title)
    target = out or project.graph_dir / "sources" / f"{ident}.yaml"
    people_path = project.graph_dir / f"{ident}-people.yaml"
    index = ActorIndex.of_project(project)
    draft = draft_text(text, published=day, index=index, source=ident)
    taken = _project_ids(project)
    _rename_clashes(draft, taken | {ident})
    files: dict[Path, bytes] = {target: _source_text(project, article, draft, ident=ident, title=title,
                                                     published=day, url=url, publisher=publisher).encode()}
    if draft.new_people:
        files[people_path] = _people_text(draft, article).encode()
    for path in files:
        if os.path.lexists(path):
            raise UsageError(f"{project.relative(path)} already exists", expected="a new file",
                             hint="draft never replaces a file: pass -o (or --id) to choose another name")
    write_files(files)
    return Drafted(target, people_path if draft.new_people else None, draft)


def _source_text(project: Project, article: Path, draft: Draft, *, ident: str, title: str, published: date,
                 url: str | None, publisher: str | None) -> str:
    source: dict[str, Any] = {"id": ident, "title": title}
    if publisher:
        source["publisher"] = publisher
    source["published"] = {"date": published.isoformat(), "how": "given to `tradegraph draft` (--published)"}
    if url:
        source["url"] = url
    source["file"] = os.path.relpath(os.path.abspath(article), project.root)
    header = (f"# Drafted by `tradegraph draft` from {printable(article.name)}: every record below is a proposal\n"
              "# (`draft: proposed`) quoting its sentence as evidence. Review them with\n"
              "# `tradegraph review FILE` (accept, edit or reject each); `build` refuses drafts until then\n"
              "# (`build --drafts` builds them, marked).\n")
    text = header + dump_yaml({"source": source})
    if not publisher:
        text = text.replace("  published:", "  publisher:            # the id of an organization in graph/actors.yaml\n"
                                             "  published:", 1)
    facts = [proposal.record for proposal in draft.proposals]
    return text + "\n" + (dump_yaml({"facts": facts}) if facts else "facts: []\n")


def _people_text(draft: Draft, article: Path) -> str:
    people = [{"id": person.id, "name": person.name, "draft": "proposed"} for person in draft.new_people]
    return (f"# People named in {printable(article.name)} whom the graph did not know, proposed by\n"
            "# `tradegraph draft` (`draft: proposed`): review them with `tradegraph review FILE`.\n"
            + dump_yaml({"people": people}))


def _project_ids(project: Project) -> set[str]:
    """Every id the project's YAML fact files give already (records must not share one)."""
    ids: set[str] = set()
    for path in project.actor_files() + project.source_files():
        doc = load_yaml(path, project.relative(path))
        if not isinstance(doc, YMap):
            continue
        for key, items in doc.items():
            if key == "source" and isinstance(items, dict) and isinstance(items.get("id"), str):
                ids.add(items["id"])
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    ids.add(item["id"])
    return ids


def _rename_clashes(draft: Draft, taken: set[str]) -> dict[str, str]:
    """Give a proposal or new person whose id the project has already another (``-2``, ``-3``...),
    and point every reference at the new id."""
    renamed: dict[str, str] = {}
    for person in list(draft.new_people):
        if person.id in taken:
            new = _free(person.id, taken)
            renamed[person.id] = new
            draft.new_people[draft.new_people.index(person)] = type(person)(new, person.kind, person.name)
        taken.add(renamed.get(person.id, person.id))
    for proposal in draft.proposals:
        record = proposal.record
        if record["id"] in taken:
            record["id"] = _free(record["id"], taken)
        taken.add(record["id"])
        for key in ("participants", "speaker", "about"):
            value = record.get(key)
            if isinstance(value, list):
                record[key] = [renamed.get(v, v) for v in value]
            elif isinstance(value, str):
                record[key] = renamed.get(value, value)
    return renamed


def _free(ident: str, taken: set[str]) -> str:
    number = 2
    while f"{ident}-{number}" in taken:
        number += 1
    return f"{ident}-{number}"
