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
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from tradegraph.build import outputs as ownership
from tradegraph.build.dataset import Census, refuse_drafts
from tradegraph.build.derive import derive_store
from tradegraph.build.fingerprint import made_from as made_from_entry
from tradegraph.build.result import BuildResult
from tradegraph.errors import OutputError, ValidationFailed
from tradegraph.progress import Progress
from tradegraph.project import Project
from tradegraph.rdf.graphs import ONTOLOGY_GRAPH
from tradegraph.rdf.namespaces import local_name
from tradegraph.rdf.serialize import prefixes
from tradegraph.shacl.fast import validate_store
from tradegraph.shacl.validate import Report, shapes_graph
from tradegraph.store.oxigraph import FactStore, load_store

#: The temporary N-Quads copy of what is loaded, read by the SHACL engine (``.nq``: it reads by suffix),
#: and the Turtle written while it validates: the build's graph.nq and graph.ttl once it conforms.
_COPY, _TURTLE = "loaded.nq", "graph.ttl"


class StoreBuildResult(BuildResult):
    """A build whose graph lives in a store: counts come from SPARQL on it."""

    store: FactStore
    fact_quads: int = 0

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
        """The first 20 sources by id, with their titles (the summary's sample)."""
        first = sorted(r.id for r in self.facts.records.values() if r.kind.name == "source")[:20]
        if not first:
            return []
        nodes = " ".join(str(ox.NamedNode(self.facts.base + ident)) for ident in first)
        title = self.store.in_facts("?s tg:title ?title")
        rows = self.store.query(f"SELECT ?s (SAMPLE(?title) AS ?t) WHERE {{ VALUES ?s {{ {nodes} }} "
                                f"OPTIONAL {{ {title} }} }} GROUP BY ?s")
        titles = {row["s"].value[len(self.facts.base):]: row["t"].value if row["t"] else "" for row in rows}
        return [(ident, titles.get(ident, "")) for ident in first]

    def size(self) -> str:
        """The quads of the facts' graphs, as the store counts them (a triple once per graph that
        states it): counting distinct triples takes a pass over them all (7 s at 100k events)."""
        return f"{self.fact_quads} quads"


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
        with Progress() as progress, _scratch(final.parent if final is not None else None,
                                              store=staging is not None) as folder:
            copy = folder / _COPY
            try:
                with copy.open("wb") as stream:
                    loaded = load_store(project, path=staging, base=base, progress=progress, copy=stream)
                report = _validate_writing_turtle(project, loaded, copy, folder / _TURTLE if write else None,
                                                  progress)
            except OSError as exc:
                if staging is not None:  # the store's own I/O too: told below
                    raise
                raise _scratch_error(exc) from None
            if not report.conforms:
                raise ValidationFailed(f"the graph violates the shapes ({len(report.violations)} violation(s))",
                                       report=report.text())
            assert loaded.facts is not None and loaded.copied_facts is not None
            if not drafts:
                refuse_drafts(loaded.facts)
            facts, census = loaded.facts, Census.of(loaded.facts)
            result = StoreBuildResult(dataset=facts.dataset, base=facts.base, census=census, report=report,
                                      facts=facts, project=project)
            result.store = loaded
            ontology = ox.NamedNode(facts.base + ONTOLOGY_GRAPH)
            result.fact_quads = len(loaded.store) - sum(1 for _ in loaded.store.quads_for_pattern(None, None, None,
                                                                                                    ontology))
            if write:
                progress.step("writing the outputs")
                contents: dict[str, bytes | Callable[[BinaryIO], None]] = {
                    "graph.ttl": _file_part(folder / _TURTLE), "graph.nq": _file_part(copy, loaded.copied_facts),
                    "report.txt": report.text().encode("utf-8")}
                result.written = ownership.write_outputs(project, project.build_dir(out), contents,
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


@contextmanager
def _scratch(beside: Path | None, *, store: bool) -> Iterator[Path]:
    """A temporary folder for the copy of the facts and the Turtle written during validation:
    beside the store's folder, or in the temporary folder for a store in memory."""
    try:
        folder = tempfile.TemporaryDirectory(prefix=".tradegraph-load.", dir=beside)
    except OSError as exc:
        if store:
            raise
        raise _scratch_error(exc) from None
    with folder as name:
        yield Path(name)


def _scratch_error(exc: OSError) -> OutputError:
    return OutputError(f"cannot write the build's temporary files (the facts as N-Quads, the Turtle) in "
                       f"{tempfile.gettempdir()}: {exc}",
                       hint="free some space there, or point TMPDIR elsewhere")


def _validate_writing_turtle(project: Project, loaded: FactStore, copy: Path, turtle: Path | None,
                             progress: Progress) -> Report:
    """Validate the store (the SHACL engine reading ``copy``) and, meanwhile, write its Turtle to
    ``turtle`` (unless ``None``): both run in Oxigraph and the engine without the GIL, so on
    two cores the Turtle costs no time (at 100k events, 10 s of validation beside 42 s of Turtle)."""
    shapes = shapes_graph(project)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tradegraph-validate") as pool:
        checking = pool.submit(validate_store, loaded.store, shapes=shapes, facts=loaded.facts,
                               step=progress.step, nquads=copy)
        try:
            if turtle is not None:
                try:
                    with turtle.open("wb") as stream:
                        write_turtle(loaded, stream)
                except OSError as exc:  # the temporary Turtle, beside the store or in TMPDIR
                    raise OutputError(f"cannot write the temporary {turtle}: {exc}",
                                      hint="free some space there (or point TMPDIR elsewhere); "
                                           "nothing was replaced") from None
        finally:
            report = checking.result()
    return report


def write_turtle(store: FactStore, stream: BinaryIO) -> None:
    """The facts' graphs of ``store`` as one graph in Turtle, graph by graph (see
    :meth:`~tradegraph.store.oxigraph.FactStore.triples`): graph.ttl."""
    ox.serialize(store.triples(), stream, ox.RdfFormat.TURTLE, prefixes=prefixes(store.base))


def _file_part(path: Path, size: int | None = None) -> Callable[[BinaryIO], None]:
    """A writer of the first ``size`` bytes of ``path`` (all of it without ``size``)."""
    def write(stream: BinaryIO) -> None:
        left = path.stat().st_size if size is None else size
        with path.open("rb") as source:
            while left:
                block = source.read(min(left, 1 << 22))
                if not block:
                    raise OSError(f"{path} ended {left} bytes early")
                stream.write(block)
                left -= len(block)
    return write


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
