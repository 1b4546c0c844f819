"""What the graph is written as for other tools and people: RDF and network exports, the HTML
documentation of the ontology, and the counts of ``stats``.

Owns: ``exports`` (``export``), ``docs``, ``stats``.

May import: errors, files, project, rdf, facts, shacl, build, network.
"""
