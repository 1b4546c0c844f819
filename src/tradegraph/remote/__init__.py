"""Other machines: one HTTP policy for every request, SPARQL endpoints as engines, ``push`` to a
store, and ``serve`` (the Oxigraph server behind a guarding front).

Owns: ``exchange`` (the HTTP policy), ``transport`` (endpoints and credentials), ``endpoint``
(a remote engine), ``push``, ``serve``, ``serve_guard``, ``serve_tmp`` (stale stores reclaimed).

May import: errors, progress, files, project, rdf, sparql, build.
"""
