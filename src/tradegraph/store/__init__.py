"""The Oxigraph store: loading facts into it (in memory or on disk) and querying it.

Owns: ``oxigraph`` (``FactStore``, ``StoreEngine``, ``load_store``).

May import: errors, progress, project, rdf, facts, sparql.
"""
