"""Event feeds: PLOVER/POLECAT and GDELT records in, as machine-coded facts kept apart from curated ones.

Owns: ``mapping`` (the CAMEO/PLOVER tables), ``coded`` (a coded event), ``plover`` and ``gdelt``
(the readers), ``reconcile`` (actors matched with the graph's), ``importer`` (the bulk file written),
``plover_out`` (PLOVER out).

May import: errors, files, progress, project, rdf, facts, sparql, shacl, store, build, remote, network, query.
"""
