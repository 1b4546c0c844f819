"""The Oxigraph store: loading facts into it (in memory or on disk) and querying it.

Owns: ``oxigraph`` (``FactStore``, ``load_store``), ``engine`` (``StoreEngine``).

May import: errors, progress, project, rdf, facts, sparql.
"""
