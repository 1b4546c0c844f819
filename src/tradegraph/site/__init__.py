"""The query browser: canned queries as forms, every node a page, served or written as a static site.

Owns: nothing yet.

May import: errors, files, progress, project, rdf, facts, sparql, store, build, remote, network, query.
"""
