"""Event feeds: PLOVER/POLECAT and GDELT records in, as machine-coded facts kept apart from curated ones.

Owns: nothing yet.

May import: errors, files, progress, project, rdf, facts, sparql, shacl, store, build, remote, network, query.
"""
