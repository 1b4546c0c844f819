"""Building the graph: load, validate, reason, and write the outputs (atomically, only over what
tradegraph wrote before), in memory or into a store; the dataset every reader gets.

Owns: ``pipeline`` (``build``), ``result`` (``BuildResult``), ``onstore`` (builds on Oxigraph),
``dataset`` (facts plus ontology), ``reason`` (RDFS / OWL RL), ``outputs`` (ownership of output
folders and stores).

May import: errors, files, progress, project, rdf, facts, shacl, store.
"""
