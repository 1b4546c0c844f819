"""What `tradegraph build --reason` costs: RDFS and OWL 2 RL (owlrl) on the bundled graph and
on a synthetic one, against loading alone as the baseline, in this one process.

    python bench/reasoning.py [--events 2000] [--repeat 3]

Prints a table and writes bench/results/reasoning.json: for each graph, the median seconds
of loading the facts (the baseline), of RDFS and of OWL RL reasoning, the triples asserted
and inferred, and the ratio of each reasoning time to the load time. owlrl is pure Python and
grows much faster than linearly, so the synthetic graph stays small by default.
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

from tradegraph.build.reason import infer  # noqa: E402
from tradegraph.facts.loader import load_facts  # noqa: E402
from tradegraph.project import Project  # noqa: E402
from tradegraph.rdf.graphs import union  # noqa: E402


def measure(name: str, project: Project, repeat: int, owl_repeat: int) -> dict[str, Any]:
    load_s, facts = median_seconds(lambda: load_facts(project), repeat)
    asserted = len(union(facts.dataset))
    rdfs_s, rdfs = median_seconds(lambda: infer(facts, project, profile="rdfs"), repeat)
    owl_s, owl = median_seconds(lambda: infer(facts, project, profile="owlrl"), owl_repeat)
    return {"graph": name, "asserted_triples": asserted, "load_s": round(load_s, 3),
            "rdfs_s": round(rdfs_s, 3), "rdfs_inferred": len(rdfs), "rdfs_vs_load": round(rdfs_s / load_s, 1),
            "owlrl_s": round(owl_s, 3), "owlrl_inferred": len(owl), "owlrl_vs_load": round(owl_s / load_s, 1),
            "repeat": repeat, "owlrl_repeat": owl_repeat}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000, help="facts in the synthetic graph")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure (the median is kept)")
    args = parser.parse_args()
    rows = [measure("bundled (July 2025 US-Japan talks)", Project.open(HERE.parent), args.repeat, args.repeat)]
    with tempfile.TemporaryDirectory() as tmp:
        generate(args.events, seed=1, bad_rate=0.0, out=Path(tmp))
        rows.append(measure(f"synthetic ({args.events} facts)", Project.open(tmp), args.repeat, 1))
    print(f"{'graph':<40}{'asserted':>10}{'load s':>9}{'RDFS s':>9}{'x load':>8}{'+RDFS':>8}"
          f"{'OWL RL s':>10}{'x load':>8}{'+OWL RL':>9}")
    for r in rows:
        print(f"{r['graph']:<40}{r['asserted_triples']:>10}{r['load_s']:>9}{r['rdfs_s']:>9}{r['rdfs_vs_load']:>8}"
              f"{r['rdfs_inferred']:>8}{r['owlrl_s']:>10}{r['owlrl_vs_load']:>8}{r['owlrl_inferred']:>9}")
    out = HERE / "results" / "reasoning.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, indent=2) + "\n", "utf-8")
    print(f"wrote {out.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
