"""`tradegraph serve` as a person runs it: in its own process, on 127.0.0.1 only, read-only,
answering the canned queries with the local rows, and gone without a trace after Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tradegraph.errors import EndpointError, UsageError
from tradegraph.project import Project
from tradegraph.query.run import run_query
from tradegraph.remote.push import push
from tradegraph.remote.serve import OxigraphServer, free_port

from .conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")]


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "\nState:\tZ" not in status.read_text()


def listening(port: int) -> set[str]:
    """The local addresses that listen on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    """`python -m tradegraph serve --port P --timeout 2` in the repository, until it prints its endpoint."""
    port = free_port()
    env = {**os.environ, "TMPDIR": str(tmp_path_factory.mktemp("tmp"))}
    process = subprocess.Popen([sys.executable, "-m", "tradegraph", "serve", "--port", str(port), "--timeout", "2"],
                               cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = [process.stdout.readline() for _ in range(2)]  # type: ignore[union-attr]
        assert lines[1].startswith("query endpoint: "), (lines, process.poll())
        yield process, port, lines, Path(env["TMPDIR"])
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)


def test_the_served_graph_gives_the_local_rows(served) -> None:
    _process, port, lines, _ = served
    assert lines == [f"serving {lines[0].split()[1]} triples in 5 named graphs (read-only) at http://127.0.0.1:{port}/\n",
                     f"query endpoint: http://127.0.0.1:{port}/query\n"]
    remote = run_query("who-met-whom", project=REPO, endpoint=f"http://127.0.0.1:{port}/query", before="2025-08-01")
    local = run_query("who-met-whom", project=REPO, before="2025-08-01")
    assert (remote.columns, list(remote)) == (local.columns, list(local))
    assert len(local) > 3


def test_it_listens_on_loopback_only_and_refuses_writes(served) -> None:
    process, port, _, _ = served
    assert listening(port) == {"0100007F"}  # 127.0.0.1, nothing else
    (server,) = children(process.pid)
    assert "serve-read-only" in Path(f"/proc/{server}/cmdline").read_text()
    with pytest.raises(EndpointError, match=r"/update: HTTP 403 Forbidden: The server is read-only; expected access"):
        push(Project.open(REPO), f"http://127.0.0.1:{port}/update")


def test_a_query_past_the_servers_timeout_is_a_clear_error(served, cli) -> None:
    _, port, _, _ = served
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 3e10 rows to count
    started = time.monotonic()
    run = cli("sparql", "--endpoint", f"http://127.0.0.1:{port}/query", "--timeout", "20", endless)
    assert run.code == 3
    assert run.err.startswith(f"error: http://127.0.0.1:{port}/query: answered with SPARQL results that break off")
    assert "The SPARQL operation has been cancelled" in run.err
    assert time.monotonic() - started < 15


def test_a_port_in_use_is_a_usage_error(served, cli) -> None:
    _, port, _, _ = served
    run = cli("serve", "--project", str(REPO), "--port", str(port))
    assert (run.code, run.err) == (2, f"error: port {port} on 127.0.0.1 is in use (hint: choose another with --port N)\n")


def test_ctrl_c_stops_it_and_its_server_and_removes_the_store(served) -> None:
    process, port, _, tmp = served
    (server,) = children(process.pid)
    assert [p.name for p in tmp.iterdir()]  # the temporary store
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 0
    assert err.splitlines()[-2:] == ["press Ctrl-C to stop", "stopped"]
    deadline = time.monotonic() + 5
    while alive(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(server)
    assert listening(port) == set()
    assert list(tmp.iterdir()) == []


def test_a_writable_server_runs_oxigraph_serve(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "CURRENT").touch()
    read_only, writable = OxigraphServer(tmp_path / "a"), OxigraphServer(tmp_path / "b", writable=True)
    assert read_only.command[1:2] == ["serve-read-only"] and writable.command[1:2] == ["serve"]
    assert all(f"127.0.0.1:{s.port}" in s.command and "--union-default-graph" in s.command
               for s in (read_only, writable))


def test_the_server_dies_with_its_parent_even_on_sigkill(tmp_path: Path) -> None:
    script = ("import sys, time; from pathlib import Path; from tradegraph.remote.serve import OxigraphServer\n"
              "server = OxigraphServer(Path(sys.argv[1]), writable=True); server.start(); "
              "print(server.pid, flush=True); time.sleep(60)")
    parent = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "store")], stdout=subprocess.PIPE, text=True)
    try:
        server = int(parent.stdout.readline())  # type: ignore[union-attr]
        assert alive(server)
        parent.kill()
        parent.wait(10)
        deadline = time.monotonic() + 10
        while alive(server) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(server)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(10)


def test_a_read_only_server_needs_a_store(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no Oxigraph store at .*/none; expected a directory that `oxigraph load`"):
        OxigraphServer(tmp_path / "none")
