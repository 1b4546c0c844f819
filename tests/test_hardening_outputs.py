"""Nothing lost: a command replaces or deletes only what it can prove it wrote, writes through
what cannot be replaced, and says in one line why it will not write somewhere.

The classes: `build --store DIR` on folders tradegraph did not make; `export`/`viz`/`docs`
on devices, FIFOs, symlinks, folders and input files; a build's output folder holding the
user's files or the stale outputs of another kind of build; disks that are full or read-only.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tradegraph.build.outputs import OUTPUT_RECORD, STORE_MARKER, store_lock

from .conftest import FIXTURES


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with every input folder and a git repository, nested one level down."""
    root = tmp_path / "home" / "p"
    shutil.copytree(FIXTURES / "minimal", root)
    for folder in ("ontology", "shapes", "queries"):
        (root / folder).mkdir(exist_ok=True)
        (root / folder / "README.md").write_text("mine\n")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (tmp_path / "home" / "notes.txt").write_text("the user's\n")
    return root


def snapshot(top: Path) -> dict[str, str]:
    """Every path under ``top`` with its kind and, for files, a hash of the content."""
    seen = {}
    for path in sorted(top.rglob("*")):
        info = path.lstat()
        if stat.S_ISREG(info.st_mode):
            seen[str(path.relative_to(top))] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            seen[str(path.relative_to(top))] = stat.filemode(info.st_mode)[0]
    return seen


# ---- build --store DIR: only a new or empty folder, or a store tradegraph wrote

@pytest.mark.parametrize("where, why", [
    (".", "it holds the project"),
    ("..", "it holds the project"),
    ("graph", "it is the project's input folder graph/"),
    ("graph/sources", "it is inside the project's input folder graph/"),
    ("ontology", "it is the project's input folder ontology/"),
    ("shapes", "it is the project's input folder shapes/"),
    ("queries", "it is the project's input folder queries/"),
    ("build", "it holds the build's outputs"),
    ("graph/../graph", "it is the project's input folder graph/"),
    ("mine", "it is a folder that an earlier `build --store` did not write"),
    ("notes.txt", "it is not a folder"),
    ("link", "it is not a folder"),
])
def test_build_store_never_replaces_what_it_did_not_make(project: Path, cli, where: str, why: str) -> None:
    (project / "mine").mkdir()
    (project / "mine" / "thesis.txt").write_text("years of work\n")
    (project / "notes.txt").write_text("notes\n")
    (project / "link").symlink_to(project / "mine")
    assert cli("build", "--project", str(project)).code == 0
    before = snapshot(project.parent)
    run = cli("build", "--project", str(project), "--store", str(project / where))
    assert run.code == 2, run
    assert run.err.startswith(f"error: will not replace {os.path.abspath(project / where)} with a store: {why};")
    assert run.err.count("\n") == 1
    assert snapshot(project.parent) == before


def test_build_store_takes_a_new_or_empty_folder_and_then_its_own_store(project: Path, cli) -> None:
    (project / "empty").mkdir()
    for target in ("empty", "new/store", "empty", "new/store"):
        run = cli("build", "--project", str(project), "--store", str(project / target))
        assert run.code == 0, run.err
        assert (project / target / STORE_MARKER).is_file()
    assert cli("query", "--project", str(project), "who-met-whom", "--store", str(project / "new/store")).code == 0


def test_a_store_that_lost_its_marker_is_not_replaced(project: Path, cli) -> None:
    store = project / "build" / "store"
    assert cli("build", "--project", str(project), "--store", str(store)).code == 0
    (store / STORE_MARKER).unlink()
    run = cli("build", "--project", str(project), "--store", str(store))
    assert run.code == 2 and "an earlier `build --store` did not write" in run.err


def test_one_build_at_a_time_writes_a_store_and_the_other_is_told_who(project: Path, cli) -> None:
    store = project / "build" / "store"
    assert cli("build", "--project", str(project), "--store", str(store)).code == 0
    before = snapshot(store)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store_lock(store):
            holding.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        run = cli("build", "--project", str(project), "--store", str(store))
    finally:
        release.set()
        holder.join()
    assert run.code == 2
    assert run.err == (f"error: another build (process {os.getpid()}) is writing the store {store} "
                       "(hint: wait for it to finish, or build into another --store folder)\n")
    assert snapshot(store) == before


@pytest.mark.slow
def test_concurrent_store_builds_each_finish_or_say_who_holds_the_store(project: Path) -> None:
    store = project / "build" / "store"
    command = [sys.executable, "-m", "tradegraph", "build", "--project", str(project), "--store", str(store)]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(3)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in processes]  # type: ignore[union-attr]
    for code, err in results:
        assert code == 0 or (code == 2 and "is writing the store" in err), err
    assert any(code == 0 for code, _ in results)
    run = subprocess.run([sys.executable, "-m", "tradegraph", "query", "--project", str(project), "who-met-whom",
                          "--store", str(store), "--format", "csv"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


# ---- a build's output folder: the user's files are never replaced, stale outputs go

def test_build_out_does_not_replace_a_file_it_did_not_write(project: Path, tmp_path: Path, cli) -> None:
    out = tmp_path / "shared-folder"
    out.mkdir()
    (out / "report.txt").write_text("my report\n")
    run = cli("build", "--project", str(project), "--out", str(out))
    assert run.code == 2
    assert run.err.startswith(f"error: {out / 'report.txt'} was not written by an earlier build")
    assert [p.name for p in out.iterdir()] == ["report.txt"]
    assert (out / "report.txt").read_text() == "my report\n"


def test_build_out_replaces_its_own_outputs_but_not_after_the_user_changed_one(project: Path, tmp_path: Path,
                                                                                cli) -> None:
    out = tmp_path / "out"
    assert cli("build", "--project", str(project), "--out", str(out)).code == 0
    assert (out / OUTPUT_RECORD).is_file()
    assert cli("build", "--project", str(project), "--out", str(out)).code == 0
    (out / "graph.ttl").write_text("# my edits\n")
    run = cli("build", "--project", str(project), "--out", str(out))
    assert run.code == 2 and "graph.ttl was not written by an earlier build (or was changed since)" in run.err
    assert (out / "graph.ttl").read_text() == "# my edits\n"


@pytest.mark.parametrize("out", ["graph", "graph/sources", "ontology", "queries", "shapes"])
def test_build_out_never_writes_into_an_input_folder(project: Path, cli, out: str) -> None:
    before = snapshot(project)
    run = cli("build", "--project", str(project), "--out", str(project / out))
    assert run.code == 2 and "input folder" in run.err
    assert snapshot(project) == before


def test_outputs_of_another_kind_of_build_do_not_stay_beside_a_new_build(project: Path, cli) -> None:
    build = project / "build"
    names = lambda: sorted(p.name for p in build.iterdir()  # noqa: E731
                           if not p.name.startswith(".") and p.name not in ("changes.json", "records.json"))
    assert cli("build", "--project", str(project), "--reason", "rdfs").code == 0
    assert "inferred.ttl" in names()
    assert cli("build", "--project", str(project)).code == 0
    assert names() == ["graph.jsonld", "graph.trig", "graph.ttl", "report.txt"]
    assert cli("build", "--project", str(project), "--store", str(build / "store")).code == 0
    assert names() == ["graph.nq", "graph.ttl", "report.txt", "store"]
    assert cli("build", "--project", str(project)).code == 0
    assert names() == ["graph.jsonld", "graph.trig", "graph.ttl", "report.txt", "store"]


def test_a_stale_output_the_user_changed_is_kept(project: Path, cli) -> None:
    assert cli("build", "--project", str(project), "--reason", "rdfs").code == 0
    inferred = project / "build" / "inferred.ttl"
    inferred.write_text("# kept on purpose\n")
    assert cli("build", "--project", str(project)).code == 0
    assert inferred.read_text() == "# kept on purpose\n"


def test_a_forged_record_cannot_make_a_build_delete_elsewhere(project: Path, tmp_path: Path, cli) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    info = victim.stat()
    digest = hashlib.sha256(victim.read_bytes()).hexdigest()
    out = tmp_path / "out"
    out.mkdir()
    record = {"size": info.st_size, "mtime_ns": info.st_mtime_ns, "sha256": digest}
    import json

    (out / OUTPUT_RECORD).write_text(json.dumps({"files": {"../victim.txt": record, str(victim): record}}))
    assert cli("build", "--project", str(project), "--out", str(out)).code == 0
    assert victim.read_text() == "precious\n"


def test_files_that_look_like_temporaries_are_left_alone(project: Path, cli) -> None:
    build = project / "build"
    build.mkdir(exist_ok=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lookalikes = [build / f".graph.ttl.{dead.pid}.abc123.tmp", build / ".report.txt.1.x.tmp"]
    for path in lookalikes:
        path.write_text("not tradegraph's\n")
    assert cli("build", "--project", str(project)).code == 0
    assert all(path.read_text() == "not tradegraph's\n" for path in lookalikes)


# ---- outputs the user names: export, viz, docs

WRITERS = [("export", "-o", "out.ttl"), ("viz", "-o", "out.html"), ("docs", "-o", None)]


def _write(cli, project: Path, command: str, target: Path) -> object:
    if command == "docs":
        return cli("docs", "--project", str(project), "-o", str(target))
    args = ["--format", "ttl" if command == "export" else "html"]
    return cli(command, "--project", str(project), "-o", str(target), *args)


@pytest.mark.parametrize("command", ["export", "viz"])
def test_a_device_is_written_through_not_replaced(project: Path, cli, command: str) -> None:
    run = _write(cli, project, command, Path("/dev/null"))
    assert run.code == 0, run.err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize("command", ["export", "viz"])
def test_a_full_device_is_one_line_and_stays_a_device(project: Path, cli, command: str) -> None:
    run = _write(cli, project, command, Path("/dev/full"))
    assert run.code == 2
    assert run.err == ("error: cannot write /dev/full: No space left on device (hint: free some space, or write "
                       "elsewhere; nothing was replaced)\n")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.parametrize("command", ["export", "viz"])
def test_a_fifo_gets_the_bytes_and_stays_a_fifo(project: Path, tmp_path: Path, cli, command: str) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    run = _write(cli, project, command, fifo)
    reader.join(30)
    assert run.code == 0, run.err
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and len(got[0]) > 100


@pytest.mark.parametrize("command", ["export", "viz"])
def test_a_symlink_is_followed_to_its_file(project: Path, tmp_path: Path, cli, command: str) -> None:
    real, link = tmp_path / "real.out", tmp_path / "link.out"
    real.write_text("old\n")
    real.chmod(0o600)
    link.symlink_to(real)
    run = _write(cli, project, command, link)
    assert run.code == 0, run.err
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() != "old\n" and stat.S_IMODE(real.stat().st_mode) == 0o600


@pytest.mark.parametrize("command", ["export", "viz"])
def test_a_dangling_symlink_or_a_folder_is_refused(project: Path, tmp_path: Path, cli, command: str) -> None:
    link = tmp_path / "dangling.out"
    link.symlink_to(tmp_path / "nowhere" / "x")
    run = _write(cli, project, command, link)
    assert run.code == 2 and "which does not exist" in run.err and run.err.count("\n") == 1
    assert link.is_symlink() and not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("command, name", [("export", "graph/actors.yaml"), ("viz", "graph/sources/x.html"),
                                           ("export", "queries/who.rq"), ("docs", "shapes"), ("docs", "graph")])
def test_no_output_lands_in_an_input_folder(project: Path, cli, command: str, name: str) -> None:
    before = snapshot(project)
    run = _write(cli, project, command, project / name)
    assert run.code == 2 and "input folder" in run.err, run
    assert snapshot(project) == before


def test_docs_does_not_replace_an_index_page_it_did_not_write(project: Path, tmp_path: Path, cli) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>my site</p>")
    run = cli("docs", "--project", str(project), "-o", str(site))
    assert run.code == 2 and "was not written by an earlier build" in run.err
    assert (site / "index.html").read_text() == "<p>my site</p>"
    assert cli("docs", "--project", str(project), "-o", str(tmp_path / "docs")).code == 0
    assert cli("docs", "--project", str(project), "-o", str(tmp_path / "docs")).code == 0


def test_export_to_dash_is_standard_output(project: Path, cli) -> None:
    run = cli("export", "--project", str(project), "-o", "-", "--format", "nt")
    assert run.code == 0 and run.out.startswith("<") and not Path("-").exists()


def test_an_output_in_a_missing_folder_is_made_and_a_file_in_the_way_is_one_line(project: Path, tmp_path: Path,
                                                                                    cli) -> None:
    assert cli("export", "--project", str(project), "-o", str(tmp_path / "new" / "deep" / "g.ttl")).code == 0
    (tmp_path / "afile").write_text("x")
    run = cli("export", "--project", str(project), "-o", str(tmp_path / "afile" / "g.ttl"))
    assert run.code == 2 and run.err.startswith("error: cannot write") and run.err.count("\n") == 1
    assert (tmp_path / "afile").read_text() == "x"


# ---- full and read-only disks: one line, the previous build whole

def _limited(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.parametrize("command", [["build"], ["build", "--store", "build/store"], ["export", "-o", "big.ttl"]])
def test_a_disk_that_fills_up_mid_write_leaves_the_old_files(project: Path, command: list[str]) -> None:
    assert subprocess.run([sys.executable, "-m", "tradegraph", *command[:1], "--project", str(project),
                           *command[1:]], cwd=project, capture_output=True).returncode == 0
    before = snapshot(project)
    done = subprocess.run([sys.executable, "-m", "tradegraph", *command[:1], "--project", str(project), *command[1:]],
                          cwd=project, capture_output=True, text=True, preexec_fn=lambda: _limited(3000))
    assert done.returncode == 2, done.stderr
    assert "File too large" in done.stderr and "nothing was replaced" in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    after = snapshot(project)
    assert {k: v for k, v in after.items() if "store" not in k} == {k: v for k, v in before.items() if "store" not in k}


def test_a_read_only_disk_is_one_line(project: Path) -> None:
    build = project / "build"
    build.mkdir(exist_ok=True)
    script = (f"mount --bind -o ro {build} {build} && "
              f"{sys.executable} -m tradegraph build --project {project}")
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True)
    if "mount" in done.stderr and done.returncode != 2:
        pytest.skip(f"no mount namespace here: {done.stderr.strip()}")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"error: cannot write {build}/") and "Read-only file system" in done.stderr
    assert list(build.iterdir()) == []


def test_a_build_folder_without_a_record_proves_nothing(project: Path, cli) -> None:
    build = project / "build"
    build.mkdir(exist_ok=True)
    for name in ("inferred.ttl", "graph.nq", "report.txt"):
        (build / name).write_text("MINE\n")
    before = snapshot(build)
    run = cli("build", "--project", str(project))
    assert run.code == 2 and "report.txt was not written by an earlier build" in run.err
    assert snapshot(build) == before


def test_dev_stdout_is_this_process_s_stream_where_it_stands(project: Path, tmp_path: Path) -> None:
    log = tmp_path / "log"
    log.write_text("PRECIOUS\n")
    with log.open("a") as stream:
        done = subprocess.run([sys.executable, "-m", "tradegraph", "export", "--project", str(project), "-f", "nt",
                               "-o", "/dev/stdout"], stdout=stream, stderr=subprocess.PIPE, text=True)
    assert done.returncode == 0, done.stderr
    text = log.read_text()
    assert text.startswith("PRECIOUS\n<") and done.stderr == f"wrote /dev/stdout ({len(log.read_bytes()) - 9:,} bytes)\n"
    piped = subprocess.run(f"{sys.executable} -m tradegraph export --project {project} -f nt -o /dev/stdout | cat",
                           shell=True, capture_output=True, text=True)
    assert piped.returncode == 0 and piped.stdout == text[9:]


@pytest.mark.parametrize("args", [
    ["export", "-f", "ttl", "-o", "/tmp/" + "a" * 300 + ".ttl"],
    ["docs", "-o", "/tmp/" + "a" * 300],
    ["build", "--out", "/tmp/" + "a" * 300],
    ["build", "--store", "/tmp/" + "a" * 300],
    ["build", "--store", "tradegraph.yaml/x"],
    ["build", "--store", "/proc/1/x"],
])
def test_a_path_the_system_refuses_is_one_line(project: Path, cli, monkeypatch: pytest.MonkeyPatch,
                                                args: list[str]) -> None:
    monkeypatch.chdir(project)
    before = snapshot(project)
    run = cli(*args[:1], "--project", str(project), *args[1:])
    assert run.code == 2, run
    assert run.err.startswith("error: ") and run.err.count("\n") == 1 and "internal error" not in run.err
    assert snapshot(project) == before
