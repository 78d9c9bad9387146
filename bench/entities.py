"""Score entity extraction against hand annotations: real texts kg was not tuned to, and the embedded report.

    python bench/entities.py --split test [--lang en] [--errors]   # data/annotated's test split
    python bench/entities.py [--gold tests/gold/entities.json] [--errors] [REPORT]   # CDIP/32/3

**Annotated texts** (``--split train|dev|test``; data/annotated/README.md): each document is
built by kg as a user would build it (``kg build`` on the plain text), and scored per language and
type, at two levels:

* *names*: per document, the set of (type, name) pairs, a name normalised (Unicode NFKC, Simplified
  characters, case and spaces folded, a leading "the" dropped): a text naming WIPO four times as
  "WIPO" and once as 世界知识产权组织 counts two names;
* *mentions*: every (type, start, end) in the text, exact offsets.

A WIPO project counts as a ``PROGRAMME`` (the annotation marks WIPO's named projects so; kg types
them ``PROJECT``). The test split's sites gave nothing to training, the registries or the rules.

**The embedded report** (no ``--split``): entity-level and per paragraph, as tests/gold/entities.json
annotates it: a paragraph naming Chile three times counts one (paragraph, COUNTRY, CHL) pair.

--errors lists every invented and missed item with its context.
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


# The types the annotated texts mark, and the annotation's type for each of kg's labels.
SPLIT_TYPES = ("COUNTRY", "REGION", "ORG", "PROGRAMME", "WORK", "TREATY")
AS_ANNOTATED = {"PROJECT": "PROGRAMME"}
LANGUAGES = ("zh-Hans", "zh-Hant", "en")


def normalised(name: str) -> str:
    import re
    import unicodedata

    from kg.language.script import to_simplified

    name = to_simplified(unicodedata.normalize("NFKC", name)).casefold()
    name = re.sub(r"\s+", "", re.sub(r"^the\s+", "", name))
    return name


def built_mentions(document, workdir: Path) -> tuple[list[tuple[str, int, int, str]], str | None]:
    """kg's mentions of an annotated document, as (type, start, end, surface) in its plain text."""
    from kg.errors import KgError

    path = workdir / (document.path.parent.name + "--" + document.path.stem + ".txt")
    path.write_text(document.text, encoding="utf-8")
    try:
        result = Builder().build_document(path)
    except KgError as error:
        return [], str(error)
    found = []
    for m in result.mentions:
        label = AS_ANNOTATED.get(m.label, m.label)
        if label not in SPLIT_TYPES:
            continue
        paragraph = result.document.paragraph(m.paragraph)
        start, end = paragraph.offsets.span_to_source(m.start, m.end)
        found.append((label, start, end, m.surface))
    return found, None


def score_split(split: str, languages: tuple[str, ...], errors: bool) -> int:
    import tempfile

    from kg.training.annotated import documents

    docs = [d for d in documents(split=split) if d.lang in languages]
    names = {lang: (set(), set()) for lang in languages}  # (gold, found)
    mentions = {lang: (set(), set()) for lang in languages}
    failures, lines = [], []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        for d in docs:
            found, failure = built_mentions(d, Path(tmp))
            if failure:
                failures.append(f"{d.id}: {failure}")
            gold_names = {(d.id, s.label, normalised(s.text)) for s in d.spans if s.label in SPLIT_TYPES}
            found_names = {(d.id, label, normalised(surface)) for label, _, _, surface in found}
            names[d.lang][0].update(gold_names)
            names[d.lang][1].update(found_names)
            mentions[d.lang][0].update((d.id, s.label, s.start, s.end) for s in d.spans if s.label in SPLIT_TYPES)
            mentions[d.lang][1].update((d.id, label, start, end) for label, start, end, _ in found)
            if errors:
                for kind, items in (("invented", found_names - gold_names), ("missed", gold_names - found_names)):
                    lines += [f"{kind:9} {d.lang:8} {item[1]:10} {item[2]:40} {d.id}" for item in sorted(items)]
    seconds = time.perf_counter() - started
    print(f"split: {split}  documents: {len(docs)}  build: {seconds:.1f} s")
    for lang in languages:
        count = sum(1 for d in docs if d.lang == lang)
        print(f"\n{lang}: {count} documents, {len({d.source for d in docs if d.lang == lang})} sites")
        print("names (per document)")
        print("\n".join(table(names[lang][0], names[lang][1], SPLIT_TYPES, field=1)))
        print("mentions (exact offsets)")
        print("\n".join(table(mentions[lang][0], mentions[lang][1], SPLIT_TYPES, field=1)))
    for failure in failures:
        print(f"failed: {failure}")
    if errors:
        print("\n".join(lines))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", type=Path, default=default_report())
    parser.add_argument("--gold", type=Path, default=ROOT / "tests" / "gold" / "entities.json")
    parser.add_argument("--split", choices=("train", "dev", "test"),
                        help="score data/annotated's texts of this split instead of the embedded report")
    parser.add_argument("--lang", action="append", choices=LANGUAGES, help="only this language (repeatable)")
    parser.add_argument("--errors", action="store_true", help="list every invented and missed entity")
    args = parser.parse_args()
    if args.split:
        return score_split(args.split, tuple(args.lang or LANGUAGES), args.errors)

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
