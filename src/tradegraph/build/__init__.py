"""Building the graph: load, validate, reason, and write the outputs (atomically, only over what
tradegraph wrote before), in memory or into a store; the one validated graph every reader gets.

Owns: ``pipeline`` (``build``, and ``check``: load and validate), ``result`` (``BuildResult``),
``onstore`` (builds on Oxigraph), ``incremental`` (what a store keeps of each fact file, so
the next build reads, writes and loads only what changed), ``dataset`` (facts plus ontology,
``ValidGraph``, views of the facts), ``derive`` (closures and day keys in
``<base>graph/derived``, for the canned queries),
``provider`` (``validated_graph``: the last build's graph while no input changed, else
loaded and validated once), ``fingerprint`` (what a graph is made from, recorded by a build),
``reason`` (RDFS / OWL RL), ``outputs`` (ownership of output folders and stores), ``snapshot``
(the records of the fact files as plain values), ``changes`` (what changed, in the analyst's
words: ``build/changes.json``), ``revisions`` (the project's git history, read with fixed git
commands), ``history`` (a record's changes commit by commit, the changes since a revision),
``stored`` (the last build's store as ``push`` reads it: each file's graphs, each graph's digest).

May import: errors, files, progress, project, rdf, facts, shacl, store.
"""
