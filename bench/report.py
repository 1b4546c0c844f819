"""bench/RESULTS.md's tables, written from the JSON files of bench/run.py in bench/results/.

    python bench/report.py [--check]

Replaces what lies between the two marker lines of RESULTS.md (:data:`BEGIN`, :data:`END`)
with one section a run: the command, the parameters, a table of seconds per stage and side
with the ratios tradegraph/limit and baseline/tradegraph, rows, peak RSS and violations, and
the run's notes. Everything outside the markers is prose, kept as written. A JSON file of
bench/results/ that bench/run.py did not write (no ``stages``, or stages without a ``limit``
column: older runs, other scripts) is left out. ``--check`` changes nothing and exits 1 when
RESULTS.md is not what this script would write.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS, MARKDOWN = HERE / "results", HERE / "RESULTS.md"
BEGIN = "<!-- begin: written by bench/report.py from bench/results/*.json; edit the prose outside -->"
END = "<!-- end: written by bench/report.py -->"
SIDES = ("tradegraph", "baseline", "limit")


def runs(folder: Path = RESULTS) -> list[tuple[str, dict[str, Any]]]:
    """(file name, figures) of each run of bench/run.py in ``folder``, by size, tables before stores."""
    found = []
    for path in sorted(folder.glob("*.json")):
        figures = json.loads(path.read_text("utf-8"))
        stages = figures.get("stages") if isinstance(figures, dict) else None
        if stages and all(isinstance(v, dict) and "limit" in v for v in stages.values()):
            found.append((path.name, figures))
    return sorted(found, key=lambda run: (run[1]["events"], run[1].get("mode") == "store", run[0]))


def _s(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:,.{digits}f}"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}x" if a is not None and b else "–"


def _same(values: dict[str, Any]) -> str:
    seen = {values.get(s) for s in SIDES} - {None}
    return f"{seen.pop():,}" if len(seen) == 1 else " / ".join("–" if values.get(s) is None else f"{values[s]:,}"
                                                              for s in SIDES) + " **differ**"


def section(name: str, f: dict[str, Any]) -> str:
    """One run as Markdown."""
    params = ", ".join(f"{k} `{v}`" for k, v in f.get("params", {}).items())
    if f.get("mode") == "store":
        return _store_section(name, f, params)
    size = f"{f['events']:,} events" + (f" ({f['triples']:,} triples)" if f.get("triples") else "")
    lines = [f"### {size}: `{f.get('command', 'python bench/run.py --events ' + str(f['events']))}`", "",
             f"bench/results/{name}; {f.get('machine', '')}; parameters: {params}.", "",
             "| stage | tradegraph s | baseline s | limit s | tradegraph/limit | baseline/tradegraph | rows |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for stage, v in f["stages"].items():
        rows = f.get("rows", {}).get(stage)
        lines.append(f"| {stage} | {_s(v['tradegraph'])} | {_s(v['baseline'])} | {_s(v['limit'])} | "
                     f"{_ratio(v['tradegraph'], v['limit'])} | {_ratio(v['baseline'], v['tradegraph'])} | "
                     f"{_same(rows) if rows else ''} |")
    rss, violations = f["peak_rss_mb"], f["violations"]
    lines.append("| peak RSS MB | " + " | ".join(_s(rss.get(s), 0) for s in SIDES) + " | | | |")
    lines.append("| violations | " + " | ".join("–" if violations.get(s) is None else str(violations[s])
                                                for s in SIDES) + " | | | |")
    lines.append("")
    build = f.get("build")
    if build:
        lines.append(f"- tradegraph's build of the project without the bad facts: {_s(build['wall'])} s wall "
                     f"(load {_s(build['load'])}, validate {_s(build['validate'])}, outputs {_s(build['outputs'])}).")
    for side, notes in f.get("notes", {}).items():
        lines += [f"- {side}: {note}" for note in notes]
    lines += [f"- **different {d}**" for d in f.get("differences", [])]
    return "\n".join(lines).rstrip() + "\n"


def _store_section(name: str, f: dict[str, Any], params: str) -> str:
    build = f["stages"]["build"]["tradegraph"]
    lines = [f"### {f['events']:,} events ({f['quads']:,} quads), on disk: `{f.get('command', '')}`", "",
             f"bench/results/{name}; {f.get('machine', '')}; parameters: {params}.", "",
             f"`{f['build_command']}`: {_s(build, 1)} s wall, peak RSS {_s(f['peak_rss_mb']['tradegraph'], 0)} MB.",
             "", "| query on the store | seconds | runs (median) | rows |", "| --- | ---: | ---: | ---: |"]
    for stage, v in f["stages"].items():
        if stage != "build":
            lines.append(f"| {stage} | {_s(v['tradegraph'], 4)} | {f['repeat'][stage]} | "
                         f"{f['rows'][stage]['tradegraph']:,} |")
    return "\n".join(lines) + "\n"


def generated(folder: Path = RESULTS) -> str:
    found = runs(folder)
    if not found:
        return "No run of bench/run.py in bench/results/ yet.\n"
    return "\n".join(section(name, figures) for name, figures in found)


def rewrite(text: str, tables: str) -> str:
    """``text`` with what lies between the markers replaced by ``tables``."""
    if BEGIN not in text or END not in text:
        sys.exit(f"{MARKDOWN} lacks the marker lines:\n{BEGIN}\n{END}")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n\n{tables}\n{END}{tail}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if RESULTS.md is out of date; write nothing")
    args = parser.parse_args()
    text = MARKDOWN.read_text("utf-8")
    new = rewrite(text, generated())
    if args.check:
        sys.exit(0 if new == text else f"{MARKDOWN} is out of date: run python bench/report.py")
    MARKDOWN.write_text(new, "utf-8")
    print(f"wrote {MARKDOWN}")


if __name__ == "__main__":
    main()
