"""SPARQLWrapper 2.0 misreads comments (it drops every other line of a run of `#` lines, then
takes the first form keyword anywhere, even inside a word): every canned query, as its file
reads with the `#+` header, must still go to an endpoint as a query, never refused as an update."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import pytest

from tradegraph.project import Project
from tradegraph.query.catalogue import load_queries
from tradegraph.query.run import run_sparql
from tradegraph.remote import endpoint
from tradegraph.remote.endpoint import query_form
from tradegraph.remote.serve import OxigraphServer

from .conftest import REPO

QUERIES = load_queries(Project.open(REPO))


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_canned_query_file_reads_as_a_select(name: str) -> None:
    assert query_form(QUERIES[name].path.read_text(encoding="utf-8")) == "SELECT"


@pytest.mark.parametrize(("text", "form"), [
    ("# one\n# to add\n# and to drop\nSELECT * { ?s ?p ?o }", "SELECT"),
    ("# load\n#\n# move\nPREFIX x: <http://e/#copy>\nASK { ?s ?p '# INSERT' }", "ASK"),
    ("#+ summary: address book\n#+ clear: yes\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
])
def test_comments_never_decide_the_form(text: str, form: str) -> None:
    assert query_form(text) == form


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """An empty writable Oxigraph server on 127.0.0.1, stopped by its PID."""
    with OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "store", writable=True) as running:
        yield running
    assert running.process is not None and running.process.poll() is not None


@pytest.mark.slow
def test_every_canned_query_file_is_sent_as_a_query(server: OxigraphServer, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[tuple[str, bytes]] = []
    real = endpoint.request

    def recording(target: Any, method: str, **options: Any) -> Any:
        sent.append((method, options.get("body") or b""))
        return real(target, method, **options)

    monkeypatch.setattr(endpoint, "request", recording)
    for name, query in sorted(QUERIES.items()):
        header = [line for line in query.path.read_text(encoding="utf-8").splitlines(True) if line.startswith("#")]
        rows = run_sparql("".join(header) + query.text, endpoint=server.query_url)  # GIVEN written out
        assert isinstance(rows, list), name  # rows of a SELECT (none: the store is empty)
    assert all(method == "POST" and body.startswith(b"query=") for method, body in sent)
    # each empty answer is followed by the ASKs that tell an empty store from a non-union one
    forms = [query_form(parse_qs(body.decode("ascii"))["query"][0]) for _, body in sent]
    assert forms.count("SELECT") == len(QUERIES)
    assert set(forms) <= {"SELECT", "ASK"}
