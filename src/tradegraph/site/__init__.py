"""The query browser: canned queries as forms, every node a page, served or written as a static site.

Owns: ``names`` (the graph's named nodes, counts and dates), ``nodes`` (a node's facts and
evidence), ``views`` (timeline, network, steps), ``pages`` (every page, served or static),
``publish`` (the static site).

May import: errors, files, progress, project, rdf, facts, sparql, store, build, remote, network, query.
"""
