"""``tradegraph serve``: the built graph in an Oxigraph server on 127.0.0.1.

The graph (facts and ontology, one named graph per source, as the queries read it locally) is
loaded into an Oxigraph store in a temporary directory, then the Oxigraph server (the
``oxigraph`` package from PyPI) answers on a private loopback port with the union of the named
graphs as its default graph, a query timeout, and no writes unless asked. The user's port
``127.0.0.1:PORT`` belongs to the front (:mod:`tradegraph.remote.serve_guard`), which passes on only
the requests it has vetted. It stops on Ctrl-C or SIGTERM, stops its server by PID and removes
the store; a store that a killed serve left behind is removed by the next one
(:mod:`tradegraph.remote.serve_tmp`).
:class:`OxigraphServer` is the server alone, for any store directory (the tests use it).

>>> free_port() > 1024
True
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import secrets
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from shutil import which
from types import TracebackType

from rdflib import Dataset

from tradegraph.build.provider import validated_graph
from tradegraph.errors import EndpointError, Location, UsageError
from tradegraph.project import Project
from tradegraph.remote.serve_guard import HOST, RAW_PAGE, TOKEN_VARIABLE, Guard, Pages
from tradegraph.remote.serve_tmp import mark, reclaim_stale, serve_directory
from tradegraph.remote.transport import TOKEN


def oxigraph_binary() -> str:
    """The ``oxigraph`` command: beside this Python's scripts, or on the PATH."""
    beside = Path(sysconfig.get_path("scripts")) / "oxigraph"
    found = str(beside) if beside.is_file() else which("oxigraph")
    if found is None:
        raise UsageError("the Oxigraph server is not installed", expected="the `oxigraph` command",
                         hint="pip install oxigraph (it comes with tradegraph)")
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def refuse_port_in_use(port: int) -> None:
    """A :class:`UsageError` when something listens on ``port`` of 127.0.0.1 already."""
    with socket.socket() as sock:
        if sock.connect_ex((HOST, port)) == 0:
            raise UsageError(f"port {port} on {HOST} is in use", hint="choose another with --port N")


def load_store(dataset: Dataset, location: Path) -> None:
    """Write every named graph of ``dataset`` into a new Oxigraph store at ``location``."""
    location.mkdir(parents=True, exist_ok=True)
    quads = location.parent / f"{location.name}.nq"
    quads.write_bytes(dataset.serialize(format="nquads", encoding="utf-8"))
    try:
        done = subprocess.run([oxigraph_binary(), "load", "--location", str(location), "--file", str(quads)],
                              capture_output=True, text=True, timeout=600)
    finally:
        quads.unlink()
    if done.returncode:
        raise EndpointError(f"oxigraph load failed: {' '.join(done.stderr.split())[:300]}",
                            where=Location(location))


class OxigraphServer:
    """``oxigraph serve`` (or ``serve-read-only``) on 127.0.0.1:``port``, started and stopped by PID.

    Use it as a context manager: entering starts it and waits until it listens, leaving stops it.
    """

    def __init__(self, location: Path, *, port: int = 0, writable: bool = False, timeout: float = 30,
                 union: bool = True) -> None:
        self.location, self.port, self.writable = location, port or free_port(), writable
        self.url = f"http://{HOST}:{self.port}/"
        self.command = [oxigraph_binary(), "serve" if writable else "serve-read-only", "--location", str(location),
                        "--bind", f"{HOST}:{self.port}", "--timeout-s", str(max(1, round(timeout)))]
        self.command += ["--union-default-graph"] if union else []
        if not writable and not (location / "CURRENT").is_file():
            raise UsageError(f"no Oxigraph store at {location}", expected="a directory that `oxigraph load` filled",
                             hint="a read-only server needs a store; a writable one starts empty")
        self.process: subprocess.Popen[bytes] | None = None
        self._log = location.parent / f"{location.name}.log"

    @property
    def query_url(self) -> str:
        return self.url + "query"

    @property
    def update_url(self) -> str:
        return self.url + "update"

    @property
    def store_url(self) -> str:
        return self.url + "store"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self, *, wait: float = 30) -> None:
        """Start the server and return once it accepts connections."""
        refuse_port_in_use(self.port)
        with open(self._log, "wb") as log:
            # its own session: a terminal's Ctrl-C reaches only us, and we stop it by its PID
            self.process = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                            start_new_session=True, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                said = self.log()
                self.stop()
                raise EndpointError(f"the Oxigraph server stopped at start: {said}", where=Location(self.url))
            if "Listening" in self.log():
                return
            time.sleep(0.05)
        self.stop()
        raise EndpointError(f"the Oxigraph server did not listen within {wait:g} s", where=Location(self.url))

    def wait(self) -> int:
        """Block until the server ends; its exit code."""
        assert self.process is not None
        return self.process.wait()

    def stop(self) -> None:
        """Stop the server by its PID: SIGTERM, then SIGKILL if it lingers."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.unlink(missing_ok=True)

    def log(self) -> str:
        """What the server wrote, on one line, without a Rust backtrace."""
        text = self._log.read_text("utf-8", "replace") if self._log.exists() else ""
        return " ".join(text.split("Stack backtrace:")[0].split())[:400]

    def __enter__(self) -> OxigraphServer:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def serve(project: Project, *, port: int = 7878, writable: bool = False, timeout: float = 30,
          allow_remote: bool = False, token: str | None = None, on_ready: Callable[[str], None] | None = None,
          on_note: Callable[[str], None] | None = None, pages: Callable[[str], Pages] | None = None) -> None:
    """Serve the project's graph until Ctrl-C or SIGTERM; ``on_ready`` gets what to tell the user,
    ``on_note`` each stale temporary store of an earlier serve it removed.

    ``pages``, given the private query URL of the Oxigraph server, makes what answers the
    pages at ``/`` (the query browser); the server's own query page then moves to ``/yasgui``.

    ``port`` 0 takes a free port. Read-only unless ``writable``; a writable server accepts writes
    with ``token`` only (a new one when None, given in the ready text); ``timeout``: seconds a
    query may run; ``allow_remote``: let queries and updates use SERVICE, LOAD and datasets of
    other graphs (:mod:`tradegraph.remote.serve_guard` refuses them otherwise).
    """
    if port:
        refuse_port_in_use(port)
    if writable:
        token = _checked_token(token)
    dataset = validated_graph(project).dataset
    names = frozenset(str(g.identifier) for g in dataset.graphs() if len(g))
    for stale in reclaim_stale():
        if on_note:
            on_note(f"removed {stale}, the temporary store of a serve that is gone")
    with serve_directory() as tmp, _stop_signals_interrupt():
        load_store(dataset, tmp / "store")
        with OxigraphServer(tmp / "store", writable=writable, timeout=timeout) as server:
            assert server.pid is not None
            mark(tmp, os.getpid(), server.pid)
            guard = Guard(port=port, backend=server.port, graphs=names, token=token if writable else None,
                          allow_remote=allow_remote, pages=pages(server.query_url) if pages else None)

            def ready() -> None:
                url = f"http://{guard.authority}/"
                if on_ready:
                    on_ready(f"serving {len(dataset)} triples in {len(names)} named graphs "
                             f"({'read-write' if writable else 'read-only'}) at {url}\nquery endpoint: {url}query"
                             + (f"\nupdate endpoint: {url}update\ngraph store: {url}store\n"
                                f"write token: {_token_shown(token)}" if writable else "")
                             + (f"\nraw SPARQL page: {url}{RAW_PAGE.lstrip('/')}" if pages else ""))

            try:  # from the moment the server answers, Ctrl-C means "stop serving", not an error
                stopped = asyncio.run(guard.run(alive=lambda: server.process is not None
                                                and server.process.poll() is None, on_ready=ready))
            except KeyboardInterrupt:
                return
            if not stopped:
                raise EndpointError(f"the Oxigraph server stopped by itself (exit {server.wait()}): {server.log()}",
                                    where=Location(server.url))


def _checked_token(token: str | None) -> str:
    """The write token: ``token``, else TRADEGRAPH_SERVE_TOKEN, else a new random one."""
    token = token or os.environ.get(TOKEN_VARIABLE) or secrets.token_urlsafe(24)
    if len(token) < 16 or not token.isascii() or not token.isprintable() or " " in token:
        raise UsageError(f"{TOKEN_VARIABLE} is not a usable token", expected="at least 16 printable ASCII "
                         "characters without spaces", hint=f"unset {TOKEN_VARIABLE} to have one made")
    return token


def _token_shown(token: str | None) -> str:
    if token and token == os.environ.get(TOKEN_VARIABLE):
        return f"the one in {TOKEN_VARIABLE} (send it as 'Authorization: Bearer TOKEN')"
    return f"{token} (send it as 'Authorization: Bearer {token}'; push reads it from {TOKEN})"


@contextmanager
def _stop_signals_interrupt() -> Iterator[None]:
    """SIGINT and SIGTERM raise KeyboardInterrupt meanwhile, so that `kill` cleans up as Ctrl-C
    does, even when a shell started us in the background with SIGINT ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux for SIGTERM when the parent dies (even by SIGKILL)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
