"""What validation costs: pyshacl (the baseline) against the fast path, on synthetic graphs.

    python bench/validation.py [--events 2000 10000] [--repeat 3] [--before FILE]

For each size, generates a project (bench/generate.py, seed 1, 1% bad facts), loads it once
into rdflib (as the baseline does) and once into Oxigraph, then times, in this one process,
``validate_facts`` (rdflib + pyshacl) and ``validate_store`` (the ``shacl`` engine and
SPARQL on Oxigraph), the median of ``--repeat`` runs each. Prints a table and writes
bench/results/validation.json: per size, the triples, the median seconds of each engine,
their ratio, and the violations and warnings each reported (they must be equal).
``--before FILE`` is the JSON of an earlier run (say, of the previous commit's shapes and
code): its seconds are shown next to these, with the speed-up.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from timing import median_seconds  # noqa: E402

from tradegraph.facts.loader import load_facts  # noqa: E402
from tradegraph.project import Project  # noqa: E402
from tradegraph.rdf.graphs import union  # noqa: E402
from tradegraph.shacl.fast import validate_store  # noqa: E402
from tradegraph.shacl.validate import Report, shapes_graph, validate_facts  # noqa: E402
from tradegraph.store.oxigraph import load_store  # noqa: E402


def counts(report: Report) -> dict[str, int]:
    return {"violations": len(report.violations), "warnings": len(report.warnings)}


def measure(events: int, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tradegraph-bench-") as tmp:
        generate(events, seed=1, bad_rate=0.01, out=Path(tmp))
        project = Project.open(tmp)
        facts = load_facts(project)
        store = load_store(project)
        triples = len(union(facts.dataset))
        fast_s, fast = median_seconds(
            lambda: validate_store(store.store, shapes=shapes_graph(project), facts=store.facts), repeat)
        pyshacl_s, reference = median_seconds(lambda: validate_facts(facts, project), repeat)
    return {"events": events, "triples": triples, "pyshacl_s": round(pyshacl_s, 3), "fast_s": round(fast_s, 3),
            "ratio": round(pyshacl_s / fast_s, 1), "pyshacl": counts(reference), "fast": counts(fast),
            "same_counts": counts(reference) == counts(fast), "repeat": repeat}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, nargs="+", default=[2000, 10000], help="sizes of the synthetic graphs")
    parser.add_argument("--repeat", type=int, default=3, help="runs per engine and size (the median is kept)")
    parser.add_argument("--before", type=Path, help="JSON of an earlier run, to compare with")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "validation.json", help="where to write the JSON")
    args = parser.parse_args()
    before = {row["events"]: row for row in json.loads(args.before.read_text("utf-8"))["sizes"]} if args.before else {}
    rows = [measure(n, args.repeat) for n in args.events]
    print(f"{'events':>8}{'triples':>10}{'pyshacl s':>11}{'fast s':>9}{'ratio':>8}{'violations':>14}{'warnings':>12}"
          + (f"{'pyshacl before':>16}{'fast before':>13}" if before else ""))
    for r in rows:
        line = (f"{r['events']:>8}{r['triples']:>10}{r['pyshacl_s']:>11}{r['fast_s']:>9}{r['ratio']:>8}"
                f"{r['pyshacl']['violations']:>7}/{r['fast']['violations']:<6}{r['pyshacl']['warnings']:>6}/{r['fast']['warnings']:<5}")
        old = before.get(r["events"])
        if old:
            r["before"] = {"pyshacl_s": old["pyshacl_s"], "fast_s": old["fast_s"],
                           "pyshacl_speedup": round(old["pyshacl_s"] / r["pyshacl_s"], 1),
                           "fast_speedup": round(old["fast_s"] / r["fast_s"], 1)}
            line += (f"{old['pyshacl_s']:>10} ({r['before']['pyshacl_speedup']}x)"
                     f"{old['fast_s']:>7} ({r['before']['fast_speedup']}x)")
        print(line)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"sizes": rows}, indent=2) + "\n", "utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
