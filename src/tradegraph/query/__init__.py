"""Canned queries: the catalogue of ``.rq`` files and their headers, typed parameters bound as
RDF terms, names resolved to IRIs, the runner on every engine, and the output formats.

Owns: ``catalogue``, ``params``, ``resolve``, ``run``, ``formats``, ``deadline`` (``--deadline``
names).

May import: errors, files, project, rdf, facts, sparql, store, build, remote.
"""
