"""Files named to `validate` and `sparql -f` (issue 14, classes 9 and 11, local half).

`validate` reads an RDF file and nothing else: a JSON-LD @context by URL, local path or
@import and an RDF/XML external entity are refused before parsing (a loopback server sees no
request, a secret file's text never shows); entity bombs are refused at once. Special files
(devices, FIFOs, directories, symlinks to them) are refused as not regular, without blocking,
and a file past the size cap is refused before it is read. Each case runs in a process of its
own with a time limit, so a hang fails the test instead of stopping the suite.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tradegraph.files import localfile

from .conftest import FIXTURES
from .fake_endpoints import fake_endpoint

PROJECT = FIXTURES / "minimal"
CONTEXT = json.dumps({"@context": {"ex": "http://x/"}}).encode()


def tradegraph(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tradegraph", *args], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def one_error(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return tradegraph("validate", "--project", str(PROJECT), str(path))


# ------------------------------------------------------------------ JSON-LD contexts
JSONLD_CASES = {
    "remote context": lambda url, ctx: {"@context": url, "@id": "http://x/a"},
    "remote context in a list": lambda url, ctx: {"@context": [{"ex": "http://x/"}, url], "@id": "http://x/a"},
    "context of a nested node": lambda url, ctx: {"@context": {"ex": "http://x/"}, "@id": "ex:a",
                                                  "ex:p": {"@context": url, "@id": "ex:b"}},
    "scoped context of a term": lambda url, ctx: {"@context": {"ex": "http://x/", "ex:p": {"@context": url}},
                                                  "@id": "ex:a", "ex:p": {"@id": "ex:b"}},
    "context in a @graph": lambda url, ctx: {"@graph": [{"@context": url, "@id": "http://x/a"}]},
    "@import": lambda url, ctx: {"@context": {"@version": 1.1, "@import": url}, "@id": "http://x/a"},
    "file URL": lambda url, ctx: {"@context": ctx.as_uri(), "@id": "http://x/a"},
    "relative path": lambda url, ctx: {"@context": ctx.name, "@id": "http://x/a"},
    "absolute path": lambda url, ctx: {"@context": str(ctx), "@id": "http://x/a"},
}


@pytest.mark.parametrize("case", sorted(JSONLD_CASES))
def test_jsonld_naming_a_context_is_refused_and_nothing_is_fetched(tmp_path: Path, case: str) -> None:
    context = tmp_path / "context.jsonld"
    context.write_bytes(CONTEXT)
    with fake_endpoint((200, "application/ld+json", CONTEXT)) as server:
        document = tmp_path / "data.jsonld"
        document.write_text(json.dumps(JSONLD_CASES[case](server.url, context)))
        done = validate(document)
        assert server.got == []
    assert done.returncode == 1
    assert "expected contexts written inline in the document" in one_error(done)
    assert str(document) in done.stderr


def test_jsonld_with_inline_contexts_is_read(tmp_path: Path) -> None:
    """The control: the same shapes of document, with the context written out, validate."""
    document = tmp_path / "data.jsonld"
    document.write_text(json.dumps({"@context": {"ex": "http://x/", "ex:p": {"@context": {"ex2": "http://y/"}}},
                                    "@graph": [{"@id": "ex:a", "ex:p": {"@id": "ex2:b"}}]}))
    done = validate(document)
    assert done.returncode == 0, done.stderr
    assert "0 violation(s)" in done.stdout


def test_jsonld_nested_too_deeply_is_one_line(tmp_path: Path) -> None:
    document = tmp_path / "deep.jsonld"
    document.write_text("[" * 100_000 + "]" * 100_000)
    done = validate(document)
    assert done.returncode == 1 and "nested too deeply" in one_error(done)


# ------------------------------------------------------------------ RDF/XML entities
RDF_XML = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ {entities} ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://x/">
  <rdf:Description rdf:about="http://x/a"><ex:p>{body}</ex:p></rdf:Description>
</rdf:RDF>
"""


def laughs(levels: int) -> str:
    entities = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, levels + 1)]
    return " ".join(entities)


@pytest.mark.parametrize("case", ["file", "http", "parameter", "public", "laughs", "quadratic"])
def test_rdfxml_external_and_nested_entities_are_refused(tmp_path: Path, case: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the-secret")
    with fake_endpoint((200, "text/plain", b"from-the-server")) as server:
        entities, body = {
            "file": (f'<!ENTITY s SYSTEM "{secret.as_uri()}">', "&s;"),
            "http": (f'<!ENTITY s SYSTEM "{server.url}">', "&s;"),
            "parameter": (f'<!ENTITY % p SYSTEM "{server.url}"> %p;', "x"),
            "public": (f'<!ENTITY s PUBLIC "-//x//y" "{secret.as_uri()}">', "&s;"),
            "laughs": (laughs(9), "&l9;"),
            "quadratic": (laughs(3), "&l3;" * 1000),
        }[case]
        document = tmp_path / "data.rdf"
        document.write_text(RDF_XML.format(entities=entities, body=body))
        done = validate(document)
        assert server.got == []
    assert done.returncode == 1, done.stderr
    assert "the RDF/XML declares" in one_error(done) or "cannot parse RDF" in done.stderr
    assert "the-secret" not in done.stdout + done.stderr


def test_rdfxml_with_plain_entities_is_read(tmp_path: Path) -> None:
    """The control: namespace entities, as OWL files write them, are fine."""
    document = tmp_path / "data.rdf"
    document.write_text(RDF_XML.replace('rdf:about="http://x/a"', 'rdf:about="&ex;a"')
                        .format(entities='<!ENTITY ex "http://x/">', body="v"))
    done = validate(document)
    assert done.returncode == 0, done.stderr


def test_an_entity_expanded_far_past_its_size_is_refused(tmp_path: Path) -> None:
    """One plain entity referred to many times: expat's amplification limit stops it."""
    document = tmp_path / "data.rdf"
    document.write_text(RDF_XML.format(entities=f'<!ENTITY big "{"x" * 100_000}">', body="&big;" * 20_000))
    done = validate(document)
    assert done.returncode == 1 and "cannot parse RDF" in one_error(done)


# ------------------------------------------------------------------ special files
def special(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"special-{kind}.ttl"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "zero":
        return Path("/dev/zero")
    elif kind == "symlink to a device":
        path.symlink_to("/dev/zero")
    elif kind == "symlink to a fifo":
        os.mkfifo(tmp_path / "fifo")
        path.symlink_to(tmp_path / "fifo")
    elif kind == "dangling symlink":
        path.symlink_to(tmp_path / "nothing")
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
    return path


KINDS = ["fifo", "directory", "zero", "symlink to a device", "symlink to a fifo", "dangling symlink", "socket"]


@pytest.mark.parametrize("kind", KINDS)
def test_validate_refuses_a_special_file_at_once(tmp_path: Path, kind: str) -> None:
    path = special(tmp_path, kind)
    done = tradegraph("validate", "--project", str(PROJECT), str(path), timeout=30)
    assert done.returncode == 2
    line = one_error(done)
    assert "not a regular file" in line or "no such file" in line


@pytest.mark.parametrize("kind", KINDS)
def test_sparql_file_refuses_a_special_file_at_once(tmp_path: Path, kind: str) -> None:
    path = special(tmp_path, kind)
    done = tradegraph("sparql", "--project", str(PROJECT), "-f", str(path), timeout=30)
    assert done.returncode == 2
    line = one_error(done)
    assert "not a regular file" in line or "no such file" in line


def test_sparql_file_past_the_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.rq"
    path.write_text("#" * 1_000_001)
    done = tradegraph("sparql", "--project", str(PROJECT), "-f", str(path))
    assert done.returncode == 2 and "the file is too large (1,000,001 bytes)" in one_error(done)


def test_a_regular_file_within_the_cap_is_read(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("ASK { ?s ?p ?o }")
    done = tradegraph("sparql", "--project", str(PROJECT), "-f", str(path))
    assert done.returncode == 0 and done.stdout.strip() == "true"


def test_an_rdf_file_past_the_cap_is_refused_before_it_is_read(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from tradegraph.project import Project

    project = Project.open(PROJECT)
    cap = max(p.stat().st_size for p in project.shape_files() + project.ontology_files())  # those are read too
    monkeypatch.setattr(localfile, "MAX_RDF_BYTES", cap)
    path = tmp_path / "big.ttl"
    path.write_text("<http://x/a> <http://x/b> <http://x/c> .\n" * (cap // 41 + 1))  # 41 bytes a line
    run = cli("validate", "--project", str(PROJECT), str(path))
    assert run.code == 2
    assert (f"{path}: the file is too large ({path.stat().st_size:,} bytes); "
            f"expected an RDF file of at most {cap:,} bytes") in run.err


def test_a_file_growing_past_the_cap_is_cut_off(tmp_path: Path) -> None:
    """A file whose size says little (/proc files say 0) is read no further than the cap."""
    with pytest.raises(Exception, match="the file is too large"):
        localfile.read_regular(Path("/proc/self/maps"), what="a file", max_bytes=10)


# ------------------------------------------------------------------ paths that do not lead to a file
def unreachable(tmp_path: Path, kind: str, suffix: str) -> Path:
    path = tmp_path / f"odd{suffix}"
    if kind == "loop":
        path.symlink_to(tmp_path / f"other{suffix}")
        (tmp_path / f"other{suffix}").symlink_to(path)
    elif kind == "self loop":
        path.symlink_to(path)
    elif kind == "dangling":
        path.symlink_to(tmp_path / "nowhere")
    elif kind == "directory":
        path.mkdir()
    elif kind == "device":
        path.symlink_to("/dev/zero")
    elif kind == "unreadable":  # a regular file that even root cannot read from its start (EIO)
        path.symlink_to("/proc/self/mem")
    return path  # "missing": nothing there


@pytest.mark.parametrize(("kind", "suffix"), [(kind, suffix) for kind in ("loop", "self loop", "dangling", "missing",
                                                                           "directory", "device")
                                              for suffix in (".yaml", ".ttl")] + [("unreadable", ".ttl")])
def test_validate_names_a_path_that_leads_to_no_file_in_one_line(tmp_path: Path, kind: str, suffix: str) -> None:
    """A fact or RDF file named on the command line is a usage error (exit 2) unless it is a
    regular file (an RDF file: a readable one; a fact file's content is the loader's, exit 1);
    a loop of symlinks was an internal error (exit 70) for a fact file."""
    path = unreachable(tmp_path, kind, suffix)
    done = tradegraph("validate", "--project", str(PROJECT), str(path), timeout=30)
    assert done.returncode == 2, done.stderr
    line = one_error(done)
    reason = {"loop": "cannot read the file (a loop of symlinks)", "self loop": "cannot read the file (a loop of symlinks)",
              "dangling": "no such file (a symlink to a missing file)", "missing": "no such file",
              "directory": "not a regular file (a directory)", "device": "not a regular file (a character device)",
              "unreadable": "cannot read the file (Input/output error)"}[kind]
    assert line.startswith(f"error: {path}: {reason}")


def test_sparql_file_that_loops_is_one_line(tmp_path: Path) -> None:
    path = unreachable(tmp_path, "loop", ".rq")
    done = tradegraph("sparql", "--project", str(PROJECT), "-f", str(path), timeout=30)
    assert done.returncode == 2
    assert one_error(done) == f"error: {path}: cannot read the file (a loop of symlinks); expected a SPARQL query file"


# ------------------------------------------------------------------ special files among a project's inputs
@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the minimal project with a build of its own, whose record later commands check."""
    project = tmp_path_factory.mktemp("built") / "minimal"
    shutil.copytree(PROJECT, project)
    done = tradegraph("build", "--project", str(project))
    assert done.returncode == 0, done.stderr
    return project


@pytest.mark.parametrize("folder", ["shapes", "ontology", "graph/sources"])
@pytest.mark.parametrize("kind", ["fifo", "symlink to a device"])
@pytest.mark.parametrize("command", [["build"], ["query", "who-met-whom"]], ids=["build", "query"])
def test_a_special_file_among_the_inputs_is_refused_at_once(built: Path, tmp_path: Path, folder: str, kind: str,
                                                           command: list[str]) -> None:
    """Every input is hashed to tell whether the last build is still current: a FIFO or a device
    there is refused as not regular, by build and by a command reading the build, never waited
    for or read without end."""
    project = tmp_path / "project"
    shutil.copytree(built, project, symlinks=True)
    (project / folder).mkdir(parents=True, exist_ok=True)
    made = special(tmp_path, kind)
    made.rename(project / folder / ("special.yaml" if folder == "graph/sources" else "special.ttl"))
    before = sorted(p.name for p in (project / "build").iterdir())
    done = tradegraph(*command, "--project", str(project), timeout=30)
    # a fact file is data (exit 1, as the loader has always said); a shape or ontology file, the model (2)
    assert done.returncode == (1 if folder == "graph/sources" else 2)
    assert "not a regular file" in one_error(done)
    assert sorted(p.name for p in (project / "build").iterdir()) == before
