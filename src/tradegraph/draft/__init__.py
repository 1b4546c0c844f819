"""Drafting: an article's text turned into proposed records for a person to review.

Owns: nothing yet.

May import: errors, files, progress, project, rdf, facts.
"""
