"""`tradegraph serve --writable` as a person runs it: it prints a write token (or takes one from
TRADEGRAPH_SERVE_TOKEN without printing it), `push` with that token writes, without it nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tradegraph.remote.serve import free_port

from .conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")]


def serving(env: dict[str, str]) -> tuple[subprocess.Popen[str], int, list[str]]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "tradegraph", "serve", "--writable", "--port", str(port)],
                               cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = [process.stdout.readline() for _ in range(5)]  # type: ignore[union-attr]
    assert lines[4].startswith("write token: "), (lines, process.poll())
    return process, port, lines


@pytest.fixture(scope="module")
def made_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[subprocess.Popen[str], int, list[str]]]:
    env = {name: value for name, value in os.environ.items() if name != "TRADEGRAPH_SERVE_TOKEN"}
    process, port, lines = serving({**env, "TMPDIR": str(tmp_path_factory.mktemp("tmp"))})
    try:
        yield process, port, lines
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
        assert process.returncode == 0


def push(cli_env: dict[str, str], port: int, project: Path, *,
         graph_store: bool = True) -> subprocess.CompletedProcess[str]:
    """Push a copy of the repository's project (a push remembers what it sent in the project's build/)."""
    store = ["--graph-store", f"http://127.0.0.1:{port}/store"] if graph_store else []
    return subprocess.run([sys.executable, "-m", "tradegraph", "push", "--endpoint", f"http://127.0.0.1:{port}/update",
                           *store], cwd=project, env=cli_env, capture_output=True, text=True, timeout=300)


def test_it_prints_a_new_token_and_push_needs_it(made_token, repo_project: Path) -> None:
    _, port, lines = made_token
    token = lines[4].split()[2]
    assert len(token) >= 32 and lines[4].strip() == (
        f"write token: {token} (send it as 'Authorization: Bearer {token}'; "
        "push reads it from TRADEGRAPH_ENDPOINT_TOKEN)")
    env = {name: value for name, value in os.environ.items() if not name.startswith("TRADEGRAPH_ENDPOINT_")}
    refused = push(env, port, repo_project)
    assert refused.returncode == 3 and "HTTP 401 Unauthorized: writing needs the token" in refused.stderr
    wrong = push({**env, "TRADEGRAPH_ENDPOINT_TOKEN": token[:-1] + "x"}, port, repo_project)
    assert wrong.returncode == 3
    for graph_store in (True, False):  # the Graph Store Protocol, and SPARQL Update (vetted, then run)
        done = push({**env, "TRADEGRAPH_ENDPOINT_TOKEN": token}, port, repo_project, graph_store=graph_store)
        assert done.returncode == 0, done.stderr
        assert f"pushed {lines[0].split()[1]} triples in 5 named graph(s) to http://127.0.0.1:{port}/" in done.stdout


def test_a_token_from_the_environment_is_not_printed(tmp_path) -> None:
    token = "a-token-of-my-own-0123456789"
    process, _, lines = serving({**os.environ, "TMPDIR": str(tmp_path), "TRADEGRAPH_SERVE_TOKEN": token})
    try:
        assert token not in "".join(lines)
        assert lines[4].strip() == "write token: the one in TRADEGRAPH_SERVE_TOKEN (send it as 'Authorization: Bearer TOKEN')"
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    assert process.returncode == 0


@pytest.mark.parametrize("token", ["short", "sixteen chars wi", "tab\tinside-0123456789", "ünicode-0123456789abc"])
def test_an_unusable_token_is_a_usage_error(cli, monkeypatch, token: str) -> None:
    monkeypatch.setenv("TRADEGRAPH_SERVE_TOKEN", token)
    run = cli("serve", "--project", str(REPO), "--writable", "--port", "0")
    assert (run.code, run.err) == (2, "error: TRADEGRAPH_SERVE_TOKEN is not a usable token; expected at least 16 "
                                      "printable ASCII characters without spaces (hint: unset TRADEGRAPH_SERVE_TOKEN "
                                      "to have one made)\n")
