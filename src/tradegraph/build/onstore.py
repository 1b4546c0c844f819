"""The build at scale: facts streamed into an Oxigraph store, validated on the fast path, and
written out from the store.

:func:`tradegraph.build.build` takes this path for a project with bulk facts or when given
``store`` (``tradegraph build --store DIR``). The store is written beside ``DIR`` and takes
its place only when the facts load and conform, so a failed build leaves the old store (and
``build/``) as they were. The N-Quads loaded are also streamed to a temporary file (beside
``DIR``, or in the temporary folder), which the SHACL engine reads: the store is never dumped.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from tradegraph.build import outputs as ownership
from tradegraph.build.dataset import Census, refuse_drafts
from tradegraph.build.derive import derive_store
from tradegraph.build.fingerprint import made_from as made_from_entry
from tradegraph.build.result import BuildResult
from tradegraph.errors import OutputError, ValidationFailed
from tradegraph.progress import Progress
from tradegraph.project import Project
from tradegraph.rdf.namespaces import local_name
from tradegraph.rdf.serialize import prefixes
from tradegraph.shacl.fast import validate_store
from tradegraph.shacl.validate import Report, shapes_graph
from tradegraph.store.oxigraph import FactStore, load_store

#: The temporary N-Quads copy of what is loaded, read by the SHACL engine (``.nq``: it reads by suffix).
_COPY = "loaded.nq"


class StoreBuildResult(BuildResult):
    """A build whose graph lives in a store: counts come from SPARQL on it."""

    store: FactStore

    def triple_count(self) -> int:
        return self.store.count()

    def class_counts(self) -> list[tuple[str, int]]:
        typed = self.store.in_facts("?node a ?class")
        rows = self.store.query(
            f"SELECT ?class (COUNT(DISTINCT ?node) AS ?n) WHERE {{ {typed} "
            "FILTER (?class NOT IN (tg:TimeSpec, tg:Participation, time:Instant, time:Interval)) } GROUP BY ?class")
        counts = [(local_name(row["class"].value), int(row["n"].value)) for row in rows]
        return sorted(counts, key=lambda kv: (-kv[1], kv[0]))

    def sources(self) -> list[tuple[str, str]]:
        article, title = (self.store.in_facts("?s a tg:NewsArticle"),
                          self.store.in_facts("?s tg:title ?title", graph="_title_graph"))
        rows = self.store.query(  # DISTINCT: a source typed in two graphs is one row, as in their merge
            f"SELECT DISTINCT ?s ?title WHERE {{ {article} OPTIONAL {{ {title} }} }} ORDER BY ?s LIMIT 20")
        return [(row["s"].value[len(self.facts.base):], row["title"].value if row["title"] else "") for row in rows]


def build_in_store(project: Project, *, out: Path | str | None = None, base: str | None = None,
                   write: bool = True, store: Path | str | None = None,
                   made_from: str | None = None, drafts: bool = False) -> StoreBuildResult:
    """Load into a store (on disk at ``store``, else in memory), validate fast, write the outputs
    (recording ``made_from``, the inputs' fingerprint, beside them)."""
    if store is None:
        return _build(project, out=out, base=base, write=write, final=None, made_from=made_from, drafts=drafts)
    final = Path(os.path.abspath(store))
    ownership.check_store_folder(project, final, out=project.build_dir(out))
    with ownership.store_lock(final):
        ownership.check_store_folder(project, final, out=project.build_dir(out))
        return _build(project, out=out, base=base, write=write, final=final, made_from=made_from, drafts=drafts)


def _build(project: Project, *, out: Path | str | None, base: str | None, write: bool,
           final: Path | None, made_from: str | None, drafts: bool) -> StoreBuildResult:
    staging = None
    if final is not None:  # a new name each time: RocksDB locks by path within a process
        staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".new", dir=final.parent))
    try:
        with Progress() as progress:
            loaded, report = _load_and_validate(project, staging=staging, base=base, progress=progress,
                                                beside=final.parent if final is not None else None)
            if not report.conforms:
                raise ValidationFailed(f"the graph violates the shapes ({len(report.violations)} violation(s))",
                                       report=report.text())
            assert loaded.facts is not None
            if not drafts:
                refuse_drafts(loaded.facts)
            facts, census = loaded.facts, Census.of(loaded.facts)
            result = StoreBuildResult(dataset=facts.dataset, base=facts.base, census=census, report=report,
                                      facts=facts, project=project)
            result.store = loaded
            if write:
                progress.step("writing the outputs")
                result.written = ownership.write_outputs(project, project.build_dir(out),
                                                         outputs(loaded, report.text()),
                                                         about=made_from_entry(made_from, census))
            # after the outputs, which hold the facts alone: the provider derives again on reuse
            progress.step("deriving closures and day keys")
            derive_store(loaded.store, facts.base)
    except BaseException as exc:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError) and final is not None:  # the store's own I/O (RocksDB)
            raise OutputError(f"cannot write the store {final}: {exc}",
                              hint="free some space, or write elsewhere; nothing was replaced") from None
        raise
    if final is not None and staging is not None:
        loaded.store.flush()
        ownership.mark_store(staging, base=result.facts.base)
        del loaded
        result.store = _swap(staging, final, result)
        result.written.append(final)
    return result


def _load_and_validate(project: Project, *, staging: Path | None, base: str | None, progress: Progress,
                       beside: Path | None) -> tuple[FactStore, Report]:
    """Load the store, streaming the same N-Quads to a temporary file that the SHACL engine reads."""
    try:
        with tempfile.TemporaryDirectory(prefix=".tradegraph-load.", dir=beside) as folder:
            copy = Path(folder) / _COPY
            with copy.open("wb") as stream:
                loaded = load_store(project, path=staging, base=base, progress=progress, copy=stream)
            report = validate_store(loaded.store, shapes=shapes_graph(project), facts=loaded.facts,
                                    step=progress.step, nquads=copy)
    except OSError as exc:
        if staging is not None:  # the store's own I/O too: told by the caller
            raise
        raise OutputError(f"cannot write the temporary copy of the facts in {tempfile.gettempdir()}: {exc}",
                          hint="free some space there, or point TMPDIR elsewhere") from None
    return loaded, report


def outputs(store: FactStore, report: str) -> dict[str, bytes | Callable[[BinaryIO], None]]:
    """graph.ttl, graph.trig, graph.nq and report.txt, written from the store."""
    names = prefixes(store.base)

    def turtle(stream: BinaryIO) -> None:
        ox.serialize(store.triples(), stream, ox.RdfFormat.TURTLE, prefixes=names)

    def trig(stream: BinaryIO) -> None:
        ox.serialize(_fact_quads(store), stream, ox.RdfFormat.TRIG, prefixes=names)

    def nquads(stream: BinaryIO) -> None:
        ox.serialize(_fact_quads(store), stream, ox.RdfFormat.N_QUADS)

    return {"graph.ttl": turtle, "graph.trig": trig, "graph.nq": nquads, "report.txt": report.encode("utf-8")}


def _fact_quads(store: FactStore) -> Any:
    for graph in store.fact_graphs():
        yield from store.store.quads_for_pattern(None, None, None, graph)


def _swap(staging: Path, final: Path, result: StoreBuildResult) -> FactStore:
    """Put the new store where the old one was, and open it again there."""
    old = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".old", dir=final.parent))
    if final.exists():
        final.rename(old / "store")
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    reopened = FactStore.open(final, base=result.facts.base)
    reopened.facts = result.facts
    return reopened
