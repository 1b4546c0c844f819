"""HermiT refuses any literal typed xsd:date, whatever the ontology says (issue 21).

The smallest document that shows it: one individual, one data property, one date. HermiT (as
owlready2 bundles it) aborts with "UnsupportedDatatypeException ... xsd:date"; with
``ignore_unsupported_datatypes=True`` it goes on and finds the document consistent; Pellet
finds it consistent with its defaults. xsd:date is not in the OWL 2 datatype map (OWL 2
Structural Specification, section 4), so HermiT is within the standard; tradegraph keeps its
dates as xsd:date (a day, not an instant) and the ontology's ranges as rdfs:Literal.

Run: .venv/bin/python docs/limits/hermit_xsd_date.py   (needs Java 25, as owlready2's Pellet does)
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import owlready2  # type: ignore[import-untyped]
from rdflib import Graph

owlready2.JAVA_EXE = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"

DOCUMENT = """\
@prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex: a owl:Ontology .
ex:published a owl:DatatypeProperty .
ex:article ex:published "2025-07-19"^^xsd:date .
"""


def attempt(reasoner: str, **options: object) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "one-date.nt"
        Graph().parse(data=DOCUMENT, format="turtle").serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        world.get_ontology(path.as_uri()).load()
        try:
            if reasoner == "hermit":
                owlready2.sync_reasoner_hermit(world, debug=0, **options)
            else:
                owlready2.sync_reasoner_pellet(world, debug=0, **options)
        except Exception as exc:  # the reasoner's own refusal is what this script shows
            first = str(exc).strip().splitlines()
            return "refused: " + next((line for line in first if "atatype" in line), first[0] if first else repr(exc))[:160]
        return "consistent"


if __name__ == "__main__":
    print("HermiT, defaults:                        ", attempt("hermit"))
    print("HermiT, ignore_unsupported_datatypes=True:", attempt("hermit", ignore_unsupported_datatypes=True))
    print("Pellet, defaults:                        ", attempt("pellet"))
