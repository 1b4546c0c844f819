"""The actor network: who shared events with whom, as a networkx graph; its metrics; GEXF,
GraphML, Cytoscape JSON and DOT; the offline HTML page and the PNG/SVG picture.

Owns: ``data`` (rows from the graph), ``graph`` (``actor_network``), ``metrics``, ``report``,
``formats``, ``drawing`` (layout and colours), ``page`` (HTML), ``picture`` (PNG/SVG).

May import: errors, files, project, rdf, facts, build.
"""
