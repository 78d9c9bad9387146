"""Score entity extraction (countries, regions, organisations, programmes) against the hand annotation.

    python bench/entities.py [--gold tests/gold/entities.json] [--errors] [REPORT]

Entity-level and per paragraph, as the annotation: a paragraph naming Chile
three times counts one (paragraph, COUNTRY, CHL) pair. Precision and recall are
micro-averaged over those pairs, per entity type. --errors lists every invented
and missed pair with the paragraph's text around it. The annotation was built by
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

from bench.scoring import table  # noqa: E402
from kg.build.document import Builder  # noqa: E402
from kg.resources import default_report  # noqa: E402

TYPES = ("COUNTRY", "REGION", "ORG", "PROGRAMME", "PROJECT", "WORK", "TREATY")


def predicted_pairs(result) -> set[tuple[int, str, str]]:
    return {(m.paragraph, m.label, m.key) for m in result.mentions if m.label in TYPES}


def gold_pairs(path: Path) -> set[tuple[int, str, str]]:
    paragraphs = json.loads(path.read_text(encoding="utf-8"))["paragraphs"]
    return {(int(n), label, key) for n, entities in paragraphs.items() for label, keys in entities.items()
            for key in keys}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", type=Path, default=default_report())
    parser.add_argument("--gold", type=Path, default=ROOT / "tests" / "gold" / "entities.json")
    parser.add_argument("--errors", action="store_true", help="list every invented and missed entity")
    args = parser.parse_args()

    started = time.perf_counter()
    result = Builder().build_document(args.report)
    seconds = time.perf_counter() - started
    found, gold = predicted_pairs(result), gold_pairs(args.gold)

    print(f"report: {args.report.name}  paragraphs: {len(result.document.paragraphs)}  build: {seconds:.2f} s")
    print("\n".join(table(gold, found, TYPES, field=1)))
    if args.errors:
        surfaces = {}
        for m in result.mentions:
            surfaces.setdefault((m.paragraph, m.label, m.key), m.surface)
        for kind, pairs in (("invented", sorted(found - gold)), ("missed", sorted(gold - found))):
            for paragraph, label, key in pairs:
                surface = surfaces.get((paragraph, label, key), "")
                print(f"{kind:9} ¶{paragraph:<4} {label:10} {key:40} {surface}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
