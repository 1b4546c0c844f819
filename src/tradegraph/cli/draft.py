"""``tradegraph draft`` and ``tradegraph review``: an article turned into facts a person checked."""

from __future__ import annotations

from pathlib import Path

import click

from tradegraph.cli.common import err, open_project, project_option
from tradegraph.errors import TradegraphError, printable


@click.command()
@project_option
@click.argument("article", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--published", required=True,
              help="The day the article appeared (2025-07-19); every relative date is resolved against it.")
@click.option("--title", default=None, help="Its headline (default: its first line of three words or more).")
@click.option("--url", default=None, help="Where it can be read.")
@click.option("--publisher", default=None, help="The id of its publisher in graph/actors.yaml.")
@click.option("--id", "ident", default=None, help="The source's id (default: made from the title).")
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the draft (default: graph/sources/ID.yaml); an existing file is refused.")
def draft(project_dir: Path | None, article: Path, published: str, title: str | None, url: str | None,
          publisher: str | None, ident: str | None, out: Path | None) -> None:
    """Draft a source file from ARTICLE, a plain-text copy of a news article: the source header
    (the article registered as its local copy), the actors the graph knows found by name or
    alias, new people proposed, dates resolved against --published with the rule used, and
    candidate events, statements and tariff measures, each marked `draft: proposed` and quoting
    its sentence. Review them with `tradegraph review`; `build` refuses drafts until then.

    \b
    Example:
      tradegraph draft article.txt --published 2025-07-19 --publisher bloomberg
      tradegraph review graph/sources/ID.yaml
    """
    from tradegraph.draft.writer import draft_article

    project = open_project(project_dir)
    done = draft_article(project, article, published=published, title=title, url=url, publisher=publisher,
                         ident=ident, out=out)
    click.echo(printable(project.relative(done.source_file)))
    if done.people_file is not None:
        click.echo(printable(project.relative(done.people_file)))
    err(f"{len(done.draft.proposals)} proposed record(s), {len(done.draft.new_people)} new person(s); "
        f"next: tradegraph review {project.relative(done.source_file)}")


@click.command()
@project_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def review(project_dir: Path | None, file: Path) -> None:
    """Walk the draft records of FILE one by one: each shows its fields and its sentence; answer
    a (accept: the draft mark goes), e (edit it in $EDITOR, then it is accepted), r (reject: it
    is removed), s (skip: it stays a draft) or q (quit, keeping what was decided). The file is
    written back once, atomically, with its comments and order kept.

    \b
    Example:
      tradegraph review graph/sources/new-article.yaml
    """
    from tradegraph.draft.review import Decision, Item, dump, parse_edit, review_file

    project = open_project(project_dir)
    shown = project.relative(file)

    def decide(item: Item) -> Decision:
        click.echo(printable(f"\n{shown}:{item.line}: {item.record.get('kind', item.section)} '{item.record.get('id')}'"))
        for line in dump(dict(item.record)).splitlines():
            if not line.startswith("evidence"):
                click.echo(printable(f"  {line}"))
        for sentence in item.evidence:
            click.echo(printable(f"  > {sentence}"))
        while True:
            answer = click.prompt("accept, edit, reject, skip or quit? [a/e/r/s/q]", default="s",
                                  show_default=False).strip().lower()[:1]
            if answer in ("a", "r", "s", "q"):
                return Decision({"a": "accept", "r": "reject", "s": "skip", "q": "quit"}[answer])
            if answer == "e":
                record = {k: v for k, v in item.record.items() if k != "draft"}
                edited = click.edit(dump(record), extension=".yaml")
                if edited is None:
                    err("not changed; choose again")
                    continue
                try:
                    return Decision("edit", parse_edit(edited, f"{shown}:{item.line}"))
                except TradegraphError as error:
                    err(f"error: {error}")

    result = review_file(file, decide, shown=shown)
    err(f"{result.accepted} accepted, {result.edited} edited, {result.rejected} rejected, {result.left} still draft"
        + ("" if result.changed else "; the file is unchanged"))
