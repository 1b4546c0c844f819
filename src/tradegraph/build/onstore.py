"""The build at scale: facts streamed into an Oxigraph store, validated on the fast path, and
written out from the store.

:func:`tradegraph.build.build` takes this path for a project with bulk facts or when given
``store`` (``tradegraph build --store DIR``). The store is written beside ``DIR`` and takes
its place only when the facts load and conform, so a failed build leaves the old store (and
``build/``) as they were. The N-Quads loaded are also streamed to a temporary file (beside
``DIR``, or in the temporary folder), which the SHACL engine reads: the store is never dumped.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox
from rdflib import Graph

from tradegraph.build import incremental
from tradegraph.build import outputs as ownership
from tradegraph.build.dataset import Census, refuse_drafts
from tradegraph.build.derive import derive_store
from tradegraph.build.fingerprint import made_from as made_from_entry
from tradegraph.build.result import BuildResult
from tradegraph.build.stored import STORE_ENTRY, record_entry
from tradegraph.errors import OutputError, TradegraphError, ValidationFailed
from tradegraph.facts.loader import Facts, StaleFile, load_facts
from tradegraph.progress import Progress
from tradegraph.project import Project
from tradegraph.rdf.graphs import DERIVED_GRAPH, ONTOLOGY_GRAPH
from tradegraph.rdf.namespaces import local_name
from tradegraph.shacl.fast import validate_changed, validate_store
from tradegraph.shacl.plan import plan_shapes
from tradegraph.shacl.scope import reach_of, reads_terms
from tradegraph.shacl.validate import Report, shapes_graph
from tradegraph.store.oxigraph import FactStore, load_store

#: The temporary N-Quads copy of what is loaded, read by the SHACL engine (``.nq``: it reads by suffix),
#: and the Turtle written while it validates: the build's graph.nq and graph.ttl once it conforms.
_COPY, _TURTLE = "loaded.nq", "graph.ttl"


class StoreBuildResult(BuildResult):
    """A build whose graph lives in a store: counts come from SPARQL on it."""

    store: FactStore
    fact_quads: int = 0
    #: How the store was made: incrementally (what was kept), or clean (and why).
    how: str | None = None

    def summary(self) -> str:
        said = super().summary()
        return f"{said}\nstore: {self.how}" if self.how else said

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
    base = base or project.base
    hashes = cache = None
    with Progress() as progress:
        why = "a build that writes no outputs keeps no cache" if not write else None
        if final is not None and write:
            hashes, cache, why = _kept(project, final, base, progress)
        if cache is not None and hashes is not None and final is not None:
            try:
                return _build_on(project, out=out, base=base, final=final, made_from=made_from, drafts=drafts,
                                 cache=cache, hashes=hashes, progress=progress)
            except incremental.CacheRefused as refused:
                why = str(refused)
            except StaleFile as stale:
                why = f"{stale} changed during the build"
            except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
                # a cache that reads but does not hold together: never trusted, the clean build decides
                why = f"its cache does not hold together ({type(exc).__name__}: {exc})"
            progress.step(f"building everything: {why}")
        result = _build_all(project, out=out, base=base, write=write, final=final, made_from=made_from,
                            drafts=drafts, hashes=hashes, progress=progress)
        if final is not None:
            result.how = f"clean build ({why})"
        return result


def _kept(project: Project, final: Path, base: str,
          progress: Progress) -> tuple[dict[str, str] | None, incremental.Cache | None, str | None]:
    """The inputs' hashes and the cache of the store at ``final`` when it can be used, else why not."""
    try:
        hashes = incremental.input_hashes(project)
    except (OSError, TradegraphError):  # the loader says what is wrong with the file
        return None, None, "a fact file cannot be read"
    if not (final / ownership.STORE_MARKER).is_file():
        return hashes, None, "no store there yet"
    try:
        return hashes, incremental.Cache.read(final, incremental.key_of(project, base)), None
    except incremental.CacheRefused as why:
        progress.step(f"building everything: {why}")
        return hashes, None, str(why)


def _build_all(project: Project, *, out: Path | str | None, base: str, write: bool, final: Path | None,
               made_from: str | None, drafts: bool, hashes: dict[str, str] | None,
               progress: Progress) -> StoreBuildResult:
    """A clean build: every file read and loaded into a new store."""
    staging = None
    if final is not None:  # a new name each time: RocksDB locks by path within a process
        staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".new", dir=final.parent))
    try:
        with _scratch(final.parent if final is not None else None, store=staging is not None) as folder:
            copy = folder / _COPY
            try:
                with copy.open("wb") as stream:
                    loaded = load_store(project, path=staging, base=base, progress=progress, copy=stream)
                assert loaded.ranges is not None
                keeper = incremental.CacheWriter(staging, None) if staging is not None and hashes and write else None
                parts = _parts_from(copy, loaded.ranges.ranges)
                core = Graph()
                report = _validate_writing_turtle(project, loaded, copy, folder / _TURTLE if write else None,
                                                  progress, parts, keeper, core)
            except OSError as exc:
                if staging is not None:  # the store's own I/O too: told below
                    raise
                raise _scratch_error(exc) from None
            _check(report)
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
            # the store and its cache are made before the outputs are written: what can fail then is
            # the swap alone (a rename), not a step that would leave outputs without their store
            progress.step("deriving closures and day keys")
            derive_store(loaded.store, facts.base)
            if keeper is not None and hashes is not None:
                progress.step("keeping what each file made, for the next build")
                with copy.open("rb") as source:
                    source.seek(loaded.copied_facts)
                    ontology_part = keeper.put(source.read())
                manifest = _keep(keeper, project, base, hashes, loaded.facts, loaded.ranges.deps, loaded.ranges.graphs,
                                 ontology_part, result.fact_quads, core)
            if write:
                about = made_from_entry(made_from, result.census)
                if keeper is not None and final is not None:
                    about[STORE_ENTRY] = record_entry(project, final, manifest)
                _write(project, out, result, folder, copy, loaded.copied_facts, about, progress)
    except BaseException as exc:
        _discard(staging, final, exc)
        raise
    return _finish(final, staging, loaded, result)


def _build_on(project: Project, *, out: Path | str | None, base: str, final: Path, made_from: str | None,
              drafts: bool, cache: incremental.Cache, hashes: dict[str, str],
              progress: Progress) -> StoreBuildResult:
    """An incremental build (:mod:`tradegraph.build.incremental`): the last build's store,
    copied and patched where the files changed."""
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".new", dir=final.parent))
    staging.rmdir()  # the checkpoint makes it
    try:
        with _scratch(final.parent, store=True) as folder:
            progress.step("reading the files that changed")
            plan = incremental.Plan(cache, hashes)
            facts = load_facts(project, base=base, graphs=plan.graph, hooks=plan, on_record=progress.facts)
            written = sorted(plan.chosen_files)
            progress.step(f"patching the store: {len(written)} file(s) written again, {len(plan.removed)} removed, "
                          f"{len(hashes) - len(written)} kept")
            old = ox.Store.read_only(str(final))
            old.backup(str(staging))
            del old
            store = ox.Store(str(staging))
            delta, changed = incremental.patch_store(store, cache, plan)
            header = incremental.turtle_header(base)
            keeper = incremental.CacheWriter(staging, cache)
            parts: dict[str, tuple[str, str]] = {}
            for shown in hashes:  # a kept part is checked as it is read, below
                if shown in plan.chunks:
                    chunk = plan.chunks[shown]
                    parts[shown] = (keeper.put(chunk), keeper.put(incremental.turtle_part(chunk, base, header)))
                else:
                    parts[shown] = (keeper.link(cache.files[shown].nq), keeper.link(cache.files[shown].ttl))
            ontology_part = keeper.link(cache.manifest["ontology_nq"])
            loaded = FactStore(store, base, staging, facts)
            core = Graph()
            report = _validate_change(project, store, cache, facts, changed, keeper, parts, ontology_part, folder,
                                      core, progress)
            _check(report)
            if not drafts:
                refuse_drafts(facts)
            census = Census.of(facts)
            result = StoreBuildResult(dataset=facts.dataset, base=facts.base, census=census, report=report,
                                      facts=facts, project=project)
            result.store = loaded
            result.fact_quads = int(cache.manifest["fact_quads"]) + delta
            result.how = (f"incremental build: {len(written)} of {len(hashes)} fact file(s) read and written again, "
                          f"{len(plan.removed)} removed, {len(hashes) - len(written)} kept from the last build")
            progress.step("deriving the day keys of what changed")
            derive_store(store, base, touched={quad.subject for quad in changed})
            deps = {shown: plan.deps[shown] if shown in plan.deps else cache.index(shown)["deps"] for shown in hashes}
            graphs = {shown: plan.graphs[shown] if shown in plan.graphs else cache.index(shown)["graphs"]
                      for shown in hashes}
            indexes = {shown: keeper.link(cache.files[shown].index) for shown in hashes if shown not in plan.chunks}
            manifest = _keep(keeper, project, base, hashes, facts, deps, graphs, ontology_part, result.fact_quads,
                             core, parts=parts, indexes=indexes)
            progress.step("writing the outputs")
            contents: dict[str, bytes | Callable[[BinaryIO], None]] = {
                "graph.ttl": keeper.joined([name for _, name in parts.values()], header),
                "graph.nq": keeper.joined([name for name, _ in parts.values()]),
                "report.txt": result.report.text().encode("utf-8")}
            about = made_from_entry(made_from, result.census)
            about[STORE_ENTRY] = record_entry(project, final, manifest)
            result.written = ownership.write_outputs(project, project.build_dir(out), contents, about=about)
    except BaseException as exc:
        _discard(staging, final, exc)
        raise
    return _finish(final, staging, loaded, result)


def _validate_change(project: Project, store: ox.Store, cache: incremental.Cache, facts: Facts, changed: list[Any],
                     keeper: incremental.CacheWriter, parts: dict[str, tuple[str, str]], ontology_part: str,
                     folder: Path, keep: Graph, progress: Progress) -> Report:
    """Validate an incremental build: where the change reaches, when the shapes allow it and are
    those the kept results came from (:func:`~tradegraph.shacl.fast.validate_changed`), else
    everything (the SHACL engine reading the N-Quads of every file, put together in ``folder``)."""
    shapes = shapes_graph(project)
    base = cache.manifest["key"]["base"]
    derived = ox.NamedNode(base + DERIVED_GRAPH)
    with _aside(store, derived, _reads_derived(shapes)):  # a clean build validates before deriving
        reach = reach_of(shapes)
        kept = cache.manifest.get("results")
        if reach is None or not isinstance(kept, str) or cache.manifest.get("shapes") != incremental.shapes_key(project):
            copy = folder / _COPY
            with copy.open("wb") as stream:
                keeper.joined([nq for nq, _ in parts.values()] + [ontology_part])(stream)
            return validate_store(store, shapes=shapes, facts=facts, step=progress.step, nquads=copy, keep=keep)
        try:
            before = Graph().parse(data=cache.blob(kept).decode("utf-8"), format="nt")
        except incremental.CacheRefused:
            raise
        except Exception as exc:  # rdflib's parser errors, a part that is not UTF-8
            raise incremental.CacheRefused(f"its validation results cannot be read ({exc})") from None
        return validate_changed(store, shapes=shapes, facts=facts, reach=reach, changed=changed, kept=before,
                                ontology=cache.blob(cache.manifest["ontology_nq"]), keep=keep, step=progress.step,
                                leave_out={derived})


def _reads_derived(shapes: Graph) -> bool:
    """Whether validating may read the derived graph: a shape pyshacl checks (it reads every
    graph), or a SPARQL constraint that names a derived term or has a variable predicate."""
    plan = plan_shapes(shapes)
    return bool(plan.fallback) or any(reads_terms(job.select, job.prefixes, incremental.DERIVED_NAMES)
                                      for job in plan.sparql)


@contextmanager
def _aside(store: ox.Store, graph: Any, needed: bool) -> Iterator[None]:
    """Take ``graph`` out of ``store`` meanwhile (when ``needed``), and put it back."""
    if not needed or not store.contains_named_graph(graph):
        yield
        return
    kept = store.dump(None, ox.RdfFormat.N_TRIPLES, from_graph=graph)
    store.remove_graph(graph)
    try:
        yield
    finally:
        store.load(kept, ox.RdfFormat.N_TRIPLES, to_graph=graph)


def _discard(staging: Path | None, final: Path | None, exc: BaseException) -> None:
    """Remove a new store that failed; the store's own I/O errors (RocksDB) become one message."""
    if staging is not None:
        shutil.rmtree(staging, ignore_errors=True)
    if isinstance(exc, OSError) and final is not None:
        raise OutputError(f"cannot write the store {final}: {exc}",
                          hint="free some space, or write elsewhere; nothing was replaced") from None


def _check(report: Report) -> None:
    if not report.conforms:
        raise ValidationFailed(f"the graph violates the shapes ({len(report.violations)} violation(s))",
                               report=report.text())


def _write(project: Project, out: Path | str | None, result: StoreBuildResult, folder: Path, copy: Path,
           copied: int, about: dict[str, object], progress: Progress) -> None:
    progress.step("writing the outputs")
    contents: dict[str, bytes | Callable[[BinaryIO], None]] = {
        "graph.ttl": _file_part(folder / _TURTLE), "graph.nq": _file_part(copy, copied),
        "report.txt": result.report.text().encode("utf-8")}
    result.written = ownership.write_outputs(project, project.build_dir(out), contents, about=about)


def _keep(keeper: incremental.CacheWriter, project: Project, base: str, hashes: dict[str, str], facts: Facts,
          deps: dict[str, list[str]], graphs: dict[str, list[str]], ontology_part: str, fact_quads: int,
          core: Graph, *, parts: dict[str, tuple[str, str]] | None = None,
          indexes: dict[str, str] | None = None) -> str:
    """Write the cache of the new store: what each file made, and the manifest (whose SHA-256
    is returned)."""
    assert keeper.parts is not None or parts is not None
    made = parts or keeper.parts
    assert facts.index_of is not None
    files = []
    for shown, sha in hashes.items():
        nq, ttl = made[shown]
        index = (indexes or {}).get(shown) or keeper.put(json.dumps(
            {"entries": facts.index_of(shown), "deps": deps.get(shown, []), "graphs": graphs.get(shown, [])}
        ).encode("utf-8"))
        files.append(incremental.FilePart(shown, sha, nq, ttl, index,
                                          (keeper.folder / nq[:2] / nq).stat().st_size).as_json())
    return keeper.finish({"key": incremental.key_of(project, base), "files": files, "ontology_nq": ontology_part,
                          "fact_quads": fact_quads, "shapes": incremental.shapes_key(project),
                          "results": keeper.put(core.serialize(format="nt", encoding="utf-8"))})


def _finish(final: Path | None, staging: Path | None, loaded: FactStore, result: StoreBuildResult) -> StoreBuildResult:
    if final is not None and staging is not None:
        loaded.store.flush()
        ownership.mark_store(staging, base=result.facts.base)
        del loaded
        result.store = _swap(staging, final, result)
        result.written.append(final)
    return result


def _parts_from(copy: Path, ranges: dict[str, tuple[int, int]]) -> Callable[[], Iterator[tuple[str, bytes]]]:
    """Each file's N-Quads, read from the copy by the ranges the loader framed."""
    def parts() -> Iterator[tuple[str, bytes]]:
        with copy.open("rb") as stream:
            for shown, (start, end) in ranges.items():
                stream.seek(start)
                yield shown, stream.read(end - start)
    return parts


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
                             progress: Progress, parts: Callable[[], Iterator[tuple[str, bytes]]],
                             keeper: incremental.CacheWriter | None, core: Graph) -> Report:
    """Validate the store (the SHACL engine reading ``copy``) and, meanwhile, write its Turtle to
    ``turtle`` (unless ``None``), file by file (see :func:`write_turtle`), keeping each file's
    N-Quads and Turtle in ``keeper`` (when given): the engine lets go of the GIL, so on two
    cores the Turtle costs little time."""
    shapes = shapes_graph(project)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tradegraph-validate") as pool:
        checking = pool.submit(validate_store, loaded.store, shapes=shapes, facts=loaded.facts,
                               step=progress.step, nquads=copy, keep=core)
        try:
            if turtle is not None:
                try:
                    with turtle.open("wb") as stream:
                        write_turtle(parts(), stream, loaded.base, keeper)
                except OSError as exc:  # the temporary Turtle, beside the store or in TMPDIR
                    raise OutputError(f"cannot write the temporary {turtle}: {exc}",
                                      hint="free some space there (or point TMPDIR elsewhere); "
                                           "nothing was replaced") from None
        finally:
            report = checking.result()
    return report


def write_turtle(parts: Iterable[tuple[str, bytes]], stream: BinaryIO, base: str,
                 keeper: incremental.CacheWriter | None = None) -> None:
    """graph.ttl: the facts as one graph in Turtle, file by file in the order they were loaded
    (``parts``: each file's N-Quads), under one set of prefixes. A triple that two files state
    comes twice (it is still one triple of the graph they make). Written so, a file's part
    depends on that file alone, and an incremental build writes the same bytes as a clean one."""
    header = incremental.turtle_header(base)
    stream.write(header)
    for shown, chunk in parts:
        part = incremental.turtle_part(chunk, base, header)
        stream.write(part)
        if keeper is not None:
            keeper.parts[shown] = (keeper.put(chunk), keeper.put(part))


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
