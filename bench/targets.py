"""Score SDG target and goal extraction against the hand annotation of all 164 paragraphs.

    python bench/targets.py [--gold tests/gold/sdg_citations.json] [REPORT]

Precision and recall are micro-averaged over (paragraph, code) pairs: a paragraph
citing 4.4 twice counts once, as in the annotation. The annotation was built by
reading the text, not by running kg (see tests/gold/README.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scoring import HEADER, row  # noqa: E402
from kg.build.document import Builder  # noqa: E402
from kg.resources import default_report  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", type=Path, default=default_report())
    parser.add_argument("--gold", type=Path, default=ROOT / "tests" / "gold" / "sdg_citations.json")
    args = parser.parse_args()

    annotation = json.loads(args.gold.read_text(encoding="utf-8"))["paragraphs"]
    started = time.perf_counter()
    result = Builder().build_document(args.report)
    seconds = time.perf_counter() - started

    found = {"TARGET": set(), "GOAL": set()}
    for mention in result.mentions:
        if mention.label in found:
            found[mention.label].add((mention.paragraph, mention.key))
    gold = {
        "TARGET": {(int(n), code) for n, p in annotation.items() for code in p["targets"]},
        "GOAL": {(int(n), str(goal)) for n, p in annotation.items() for goal in p["goals"]},
    }
    invalid_gold = {(int(n), code) for n, p in annotation.items() for code in p["invalid_targets"]}
    invalid_found = {(w.paragraph, w.message.split()[2]) for w in result.warnings
                     if "does not exist" in w.message}

    print(f"report: {args.report.name}  paragraphs: {len(result.document.paragraphs)}  "
          f"annotated: {len(annotation)}  build: {seconds:.2f} s")
    print(f"{'':16}{HEADER}")
    rows = [("targets", gold["TARGET"], found["TARGET"]), ("goals", gold["GOAL"], found["GOAL"]),
            ("invalid targets", invalid_gold, invalid_found)]
    for name, g, f in rows:
        print(row(name, g, f))
        for pair in sorted(f - g):
            print(f"    invented: paragraph {pair[0]} {pair[1]}")
        for pair in sorted(g - f):
            print(f"    missed:   paragraph {pair[0]} {pair[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
