"""Score the roles of organisations and places in activities against the hand annotation.

    python bench/roles.py [--gold tests/gold/roles.json] [--errors] [--held-out] [REPORT]

Facts are (paragraph, entity type, entity id, role) over the annotated
paragraphs only: an entity playing a role in any activity of the paragraph
counts once, and is "mentioned" only if it plays no other role there. Precision and recall are per role and over all roles. The
annotation was made by reading the text (tests/gold/README.md), not by running kg.
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


def gold_facts(path: Path, held_out: bool = False) -> tuple[set[tuple[int, str, str, str]], list[str]]:
    annotation = json.loads(path.read_text(encoding="utf-8"))
    wanted = {str(n) for n in annotation.get("held_out", [])} if held_out else set(annotation["paragraphs"])
    facts = {(int(n), entry["type"], entry["id"], role)
             for n, entries in annotation["paragraphs"].items() if n in wanted
             for entry in entries for role in entry["roles"]}
    return facts, annotation["roles"]


def found_facts(result, paragraphs: set[int]) -> set[tuple[int, str, str, str]]:
    """kg's roles as paragraph facts; "mentioned" only for an entity with no other role in the
    paragraph, as the annotation has it (an entity merely named again in a second activity of
    the paragraph still plays its role in the first)."""
    facts = {(a.paragraph, p.mention.label, p.mention.key, p.role)
             for a in result.activities if a.paragraph in paragraphs for p in a.participations}
    with_role = {fact[:3] for fact in facts if fact[3] != "mentioned"}
    return {fact for fact in facts if fact[3] != "mentioned" or fact[:3] not in with_role}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", type=Path, default=default_report())
    parser.add_argument("--gold", type=Path, default=ROOT / "tests" / "gold" / "roles.json")
    parser.add_argument("--errors", action="store_true", help="list every invented and missed role")
    parser.add_argument("--held-out", action="store_true",
                        help="score only the paragraphs annotated after the rules were written (the gold's held_out)")
    args = parser.parse_args()

    gold, roles = gold_facts(args.gold, args.held_out)
    paragraphs = {fact[0] for fact in gold}
    started = time.perf_counter()
    result = Builder().build_document(args.report)
    seconds = time.perf_counter() - started
    found = found_facts(result, paragraphs)

    print(f"report: {args.report.name}  annotated paragraphs: {len(paragraphs)}  "
          f"activities: {len(result.activities)}  build: {seconds:.2f} s")
    print("\n".join(table(gold, found, roles, field=3)))
    if args.errors:
        for kind, facts in (("invented", sorted(found - gold)), ("missed", sorted(gold - found))):
            for paragraph, label, key, role in facts:
                print(f"{kind:9} ¶{paragraph:<4} {role:12} {label:8} {key}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
