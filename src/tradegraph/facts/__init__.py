"""The curated facts: the model (``model.yaml`` and ``kinds/*.yaml``: every kind of record, its
fields and what they mean, stated once), dates and their precision, the YAML and bulk (JSON Lines,
CSV) readers, the loader that turns records into RDF with one named graph per source, and the
skeletons ``init`` and ``new-source`` write.

Owns: ``model``, ``when``, ``fieldvalues``, ``bulk``, ``loader``, ``scaffold``.

May import: errors, files, project, rdf.
"""
