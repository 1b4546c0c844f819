"""Validation: the shapes the fact model says (generated), the plan of the project's shapes, the
fast path on Oxigraph, pyshacl as the named reference, and the report a person reads (file and
line of every violation).

Owns: ``generate`` (the mechanical shapes, made from the model), ``plan``, ``fast``, ``validate``,
``paths`` (what ``tradegraph validate FILE...`` checks), ``scope`` (how far a shape looks from its
focus node: what a change can touch).

May import: errors, files, project, rdf, facts, sparql.
"""
