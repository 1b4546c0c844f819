"""Drafting: an article's text turned into proposed records for a person to review.

Owns: ``dates`` (date expressions resolved against the publication date), ``actors`` (names
and aliases matched, new people proposed), ``extract`` (events, statements, measures, hedges),
``writer`` (``draft``), ``review`` (``review``), ``marks`` (what is still draft), ``evidence``
(quotes checked against the local copy).

May import: errors, files, progress, project, rdf, facts.
"""
