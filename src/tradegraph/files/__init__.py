"""Files read and written safely: one reader of local files, the YAML reader and writer, the
checks every value of a fact file passes, and atomic writes that never replace what tradegraph
did not create.

Owns: ``localfile`` (one regular-file reader), ``yamlfile`` (YAML with line numbers, and its
writer), ``values`` (printable text, exact numbers), ``atomic`` (nameless temporaries, renames).

May import: errors.
"""
