"""RDF terms and files: the one prefix table, Oxigraph <-> rdflib terms, RDF files parsed without
reaching anything else, deterministic serialization, and the graphs every wing reads (the
project's ontology, a dataset's union, copied or as a view).

Owns: ``namespaces``, ``oxterms``, ``rdffile``, ``serialize``, ``graphs``, ``views``.

May import: errors, files, project.
"""
