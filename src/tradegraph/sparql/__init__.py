"""SPARQL as a language: reading query text (masking, parameter uses), the reach policy (no
``SERVICE``, no remote ``FROM`` unless asked), and the local engines that run a query on rdflib.

Owns: ``text``, ``guard``, ``engine``.

May import: errors, rdf.
"""
