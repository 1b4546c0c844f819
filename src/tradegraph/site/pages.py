"""The pages of the query browser, as one function of a path and its parameters.

Every page has a file name of its own, so that the links are the same served and written
as a static site: ``index.html`` (the catalogue), ``query-NAME.html`` (a query's form and
answer; ``.csv``, ``.json`` and ``.rq`` the downloads), ``node-ID.html`` (a node's page;
``.ttl`` its Turtle), and the assets ``site.css``, ``site.js`` and ``cytoscape.min.js``.

A form's values go through the same runner as ``tradegraph query`` (:meth:`QueryRunner.run_query`):
parsed by their declared type, names resolved, bound as terms, the same rows; a value the
CLI refuses gets the CLI's message, beside its field. Templates escape every value
(Jinja2 with autoescape on); the network's data enters a page as escaped JSON.

>>> from tradegraph.query.run import runner_for
>>> site = Site(runner_for("tests/fixtures/minimal"))
>>> page = site("/query-who-met-whom.html", [("before", "2025-13-45")])
>>> page.status, "is not a date; expected a date like 2025-08-01" in page.body.decode()
(400, True)
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from importlib.resources import files
from typing import Any
from urllib.parse import urlencode

import jinja2

from tradegraph.errors import TradegraphError, UsageError
from tradegraph.network.page import script_json
from tradegraph.project import Project, javascript_file
from tradegraph.query.catalogue import Query
from tradegraph.query.formats import render
from tradegraph.query.params import Param
from tradegraph.query.run import QueryRunner, Rows, remote_runner
from tradegraph.remote.serve_guard import RAW_PAGE, Page
from tradegraph.site.names import Names, complete, is_local_id, read_names
from tradegraph.site.nodes import Value, node_facts
from tradegraph.site.views import default_view, network, steps, timeline

HTML = "text/html; charset=utf-8"
#: The content security policy of every served page: nothing but this server's own files.
POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
          "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
ASSETS = {"site.css": "text/css; charset=utf-8", "site.js": "text/javascript; charset=utf-8",
          "cytoscape.min.js": "text/javascript; charset=utf-8"}
DOWNLOADS = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8",
             "rq": "application/sparql-query; charset=utf-8"}
_QUERY = re.compile(r"^/query-([a-z0-9-]+)\.(html|csv|json|rq)$")
_NODE = re.compile(r"^/node-(.+)\.(html|ttl)$")
#: The longest text the completion endpoint takes.
COMPLETE_TEXT = 100
_INPUTS = {"xsd:date": "date", "integer": "number", "boolean": "checkbox"}


@dataclass(frozen=True)
class Field:
    """One input of a query's form."""

    param: Param
    input: str
    value: str
    error: str | None
    completions: str | None
    complete: str | None = None


class Site:
    """The pages of one graph: call it with a path and its parameters for a :class:`Page`.

    ``static``: pages for a static site (forms show the default answer and do not submit).
    """

    def __init__(self, runner: QueryRunner, *, static: bool = False, raw_sparql: str | None = None) -> None:
        self.runner, self.static, self.raw_sparql = runner, static, raw_sparql
        self.queries = dict(sorted(runner.queries().items()))
        self._names: Names | None = None
        self._lock = threading.Lock()
        self.templates = jinja2.Environment(loader=jinja2.PackageLoader("tradegraph.site", "templates"),
                                            autoescape=True, trim_blocks=True, lstrip_blocks=True,
                                            undefined=jinja2.StrictUndefined)
        self.templates.globals.update(site=self, query_link=self.query_link)

    @property
    def names(self) -> Names:
        """The graph's named nodes, read at the first page that needs them."""
        with self._lock:
            if self._names is None:
                self._names = read_names(self.runner.engine, self.runner.base)
            return self._names

    @property
    def title(self) -> str:
        return f"tradegraph: {self.runner.project.root.name}"

    def __call__(self, path: str, params: Sequence[tuple[str, str]] = ()) -> Page:
        """The page at ``path``; never raises: a user's mistake is a 400 page, a fault a 500 page."""
        try:
            return self.page(path, dict(reversed(params)))
        except UsageError as error:
            return self.error(400, str(error))
        except TradegraphError as error:
            return self.error(500, str(error))
        except Exception as error:  # a bug: one line, never a traceback in a page
            return self.error(500, f"internal error: {type(error).__name__}")

    def page(self, path: str, params: Mapping[str, str]) -> Page:
        if path in ("/", "/index.html"):
            return self.html("catalogue.html")
        if path == "/complete" and not self.static:
            return self.complete(params)
        if path.lstrip("/") in ASSETS:
            return self.asset(path.lstrip("/"))
        if found := _QUERY.match(path):
            query = self.queries.get(found.group(1))
            if query is not None:
                return self.query_page(query, params, found.group(2))
        if (found := _NODE.match(path)) and is_local_id(found.group(1)):
            return self.node_page(found.group(1), found.group(2))
        return self.error(404, f"no page {path[:100]!r} here; the catalogue is at /")

    def html(self, template: str, status: int = 200, **context: Any) -> Page:
        body = self.templates.get_template(template).render(**context).encode("utf-8")
        return Page(status, HTML, body, headers=(() if self.static else (("Content-Security-Policy", POLICY),)))

    def error(self, status: int, message: str) -> Page:
        return self.html("error.html", status, message=message)

    def asset(self, name: str) -> Page:
        if name == "cytoscape.min.js":
            body = javascript_file(name).read_bytes()
        else:
            body = files("tradegraph.site").joinpath("static", name).read_bytes()
        return Page(200, ASSETS[name], body, headers=(("Cache-Control", "max-age=600"),))

    def query_link(self, query: Query, ext: str = "html", values: Mapping[str, str] | None = None) -> str:
        """The relative link to a query's page (or download) with ``values``."""
        given = {k: v for k, v in (values or {}).items() if v}
        return f"query-{query.name}.{ext}" + (f"?{urlencode(given)}" if given and not self.static else "")

    def query_page(self, query: Query, params: Mapping[str, str], ext: str) -> Page:
        """A query's form and answer (``html``), or the answer as a download."""
        given = {k: v for k, v in params.items() if v != ""}
        rows: Rows | None = None
        errors: dict[str, str] = {}
        problem, elapsed, text = None, 0.0, ""
        try:
            started = time.perf_counter()
            if ext == "rq":
                text = self.runner.text_of(query, given)
            else:
                rows = self.runner.run_query(query, given)
            elapsed = time.perf_counter() - started
        except UsageError as error:
            if ext != "html":
                return Page(400, "text/plain; charset=utf-8", (str(error) + "\n").encode("utf-8"))
            field = next((p.name for p in query.params if f"{p.option} " in str(error) or f"{p.option}:" in str(error)),
                         None)
            if field is not None and field in given:
                errors[field] = str(error)
            else:
                problem = str(error)
        if ext == "rq":
            return Page(200, DOWNLOADS[ext], text.encode("utf-8"), headers=_attachment(query.name, ext))
        if ext != "html":
            assert rows is not None
            return Page(200, DOWNLOADS[ext], render(rows, rows.columns, ext).encode("utf-8"),
                        headers=_attachment(query.name, ext))
        fields = [self.field(query, p, given, errors) for p in query.params]
        view = default_view(query.text)
        context: dict[str, Any] = {"query": query, "fields": fields, "problem": problem, "rows": rows,
                                   "elapsed": elapsed, "given": given, "view": view, "timeline": None,
                                   "network": None, "table": None}
        if rows is not None:
            context["table"] = self.table(rows, rows.columns)
            if view == "timeline":
                context["timeline"] = timeline(rows, rows.columns, self.names)
            elif view == "network":
                found = network(rows, rows.columns, self.names)
                context["network"] = script_json(found) if found else None
        context["example"] = {p.name: p.example for p in query.params if p.example is not None}
        return self.html("query.html", 400 if errors or problem else 200, **context)

    def field(self, query: Query, param: Param, given: Mapping[str, str], errors: Mapping[str, str]) -> Field:
        value = given.get(param.name, given.get(param.variable, ""))
        if not value and param.default is not None and param.type != "boolean":
            value = param.default
        completions = complete = None
        if param.type == "iri":
            completions = f"names-{param.name}"
            if not self.static:
                complete = "complete?" + urlencode({"query": query.name, "param": param.name})
        return Field(param, _INPUTS.get(param.type, "text"), value, errors.get(param.name), completions, complete)

    def completions(self, param: Param) -> list[str]:
        """The names a static page's input offers (served pages ask :meth:`complete` as the user types)."""
        return self.names.completions(param.classes)

    def complete(self, params: Mapping[str, str]) -> Page:
        """``/complete?query=Q&param=P&q=TEXT``: the nodes the parameter may name whose name or alias
        holds TEXT, as JSON (``[{"id", "label", "matched"}]``, at most 20); one query on the engine."""
        query = self.queries.get(params.get("query", ""))
        param = query.param(params.get("param", "")) if query is not None else None
        text = params.get("q", "")
        if param is None or param.type != "iri" or len(text) > COMPLETE_TEXT:
            return Page(400, DOWNLOADS["json"], json.dumps({"error": (
                f"give query=NAME&param=NAME of a parameter that names a node, and q=TEXT of at most "
                f"{COMPLETE_TEXT} characters")}).encode("utf-8"))
        found = complete(self.runner.engine, param.classes, text, base=self.runner.base)
        return Page(200, DOWNLOADS["json"], json.dumps([asdict(c) for c in found], ensure_ascii=False).encode("utf-8"),
                    headers=(("Cache-Control", "no-store"),))

    def table(self, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> list[list[list[Value]]]:
        """Every cell as a list of values, each linked to the page of the node it names."""
        names = self.names
        table = []
        for row in rows:
            cells = []
            for column in columns:
                value = row.get(column)
                items = value if isinstance(value, list) else [value]
                cells.append([Value(_text(item), names.link(item)) for item in items if item is not None])
            table.append(cells)
        return table

    def node_page(self, ident: str, ext: str) -> Page:
        facts = node_facts(self.runner.engine, self.names, ident)
        if facts is None:
            return self.error(404, f"the graph has no node {ident!r}")
        if ext == "ttl":
            return Page(200, "text/turtle; charset=utf-8", facts.turtle.encode("utf-8"),
                        headers=_attachment(ident, "ttl"))
        context: dict[str, Any] = {"node": facts, "sections": [], "steps": steps(facts.rates)}
        if facts.kind == "Actor":
            context["sections"] = [self.section("actor-timeline", "Timeline", "timeline", actor=ident),
                                   self.section("contact-counts", "Network around them", "network", actor=ident),
                                   self.section("statements", "Statements", None, actor=ident)]
        elif facts.kind in ("Event", "Statement"):
            context["sections"] = [self.section("meeting-topics", "Topics discussed, and not", None, event=ident)]
        elif facts.kind == "Country":
            context["sections"] = [self.section("measure-history", "Trade measures", "timeline", target=ident)]
        context["sections"] = [s for s in context["sections"] if s is not None]
        return self.html("node.html", **context)

    def section(self, name: str, title: str, view: str | None, **params: str) -> dict[str, Any] | None:
        """A canned query's answer about the node, as a section of its page (None when the project lacks it)."""
        query = self.queries.get(name)
        if query is None or any(query.param(k) is None for k in params):
            return None
        try:
            rows = self.runner.run_query(query, params)
        except UsageError:  # the node is not of the kind the query asks about
            return None
        drawn: Any = None
        if view == "timeline":
            drawn = timeline(rows, rows.columns, self.names)
        elif view == "network":
            found = network(rows, rows.columns, self.names)
            drawn = script_json(found) if found else None
        return {"title": title, "query": query, "params": params, "rows": rows, "view": view, "drawn": drawn,
                "table": self.table(rows, rows.columns)}


def site_on(project: Project, query_url: str) -> Site:
    """The pages of ``project`` answered by the SPARQL endpoint at ``query_url`` (``serve``'s own server)."""
    return Site(remote_runner(project, query_url), raw_sparql=RAW_PAGE.lstrip("/"))


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, Decimal, int, float)):
        return str(value)
    return str(value)


def _attachment(name: str, ext: str) -> tuple[tuple[str, str], ...]:
    return (("Content-Disposition", f'attachment; filename="{name}.{ext}"'),)
