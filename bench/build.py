"""The everyday build against the bare spaCy process: whole processes, side by side.

    python bench/build.py [--runs 5] [--kg PATH_TO_KG_SCRIPT] [--keep DIR] [--other-tree DIR]

Each run is a pair of fresh processes, one after the other, the order alternating
from pair to pair (a machine whose speed drifts slows both alike):

* **kg build**: the README's first command, ``kg build`` with no arguments (the
  embedded CDIP/32/3 report, written to ``out/`` in a fresh temporary directory);
* **bare spaCy**: a Python process that imports spaCy, makes ``spacy.blank("zh")``
  and runs it over the text of the same file (``data/corpus/CDIP_32_3_zh.txt``).

With ``--other-tree DIR`` (a checkout of another version of kg, e.g. ``git archive main | tar -x -C
DIR``) each round also builds with that tree's code and data (same Python and libraries), so a
before/after comparison comes from one run on one machine; the order of the processes rotates.

For each process: CPU seconds (user + system, from ``os.wait4``: the process and
any children it waited for, start-up and imports included), wall seconds and peak
resident memory (``ru_maxrss``). The table gives the medians and the median of the
per-pair ratios (kg build ÷ bare spaCy), and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "data" / "corpus" / "CDIP_32_3_zh.txt"

BARE = """
import sys
import spacy
nlp = spacy.blank("zh")
text = open(sys.argv[1], encoding="utf-8").read()
doc = nlp(text)
print(len(doc))
"""


def run(command: list[str], cwd: Path) -> dict:
    """Run ``command`` to its end; its CPU, wall time and peak memory."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr.decode(errors='replace')}")
    return {"cpu": usage.ru_utime + usage.ru_stime, "user": usage.ru_utime, "sys": usage.ru_stime,
            "wall": wall, "rss_mib": usage.ru_maxrss / 1024}


def kg_script(given: str | None) -> str:
    if given:
        return given
    beside = Path(sys.executable).parent / "kg"
    return str(beside) if beside.exists() else "kg"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds: one process of each kind per round (default 5)")
    parser.add_argument("--kg", help="the kg script to run (default: the one beside this Python)")
    parser.add_argument("--keep", type=Path, help="keep the last build's out/ here")
    parser.add_argument("--other-tree", type=Path, help="also build with the kg of this source tree")
    args = parser.parse_args()
    kg = kg_script(args.kg)
    commands = {"kg build": [kg, "build"]}
    if args.other_tree:
        tree = str(args.other_tree.resolve())
        commands[f"kg build ({args.other_tree})"] = [
            sys.executable, "-c", f"import sys; sys.path.insert(0, {tree!r}); sys.argv[0] = 'kg'; "
            "from kg.cli import main; main()", "build"]
    kinds = [*commands, "bare spaCy"]
    rows: dict[str, list[dict]] = {kind: [] for kind in kinds}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="kg-bench-build-") as work:
        work = Path(work)
        for i in range(args.runs):
            for which in kinds[i % len(kinds):] + kinds[:i % len(kinds)]:
                if which in commands:
                    cwd = work / f"{len(rows[which])}-{kinds.index(which)}"
                    cwd.mkdir()
                    rows[which].append(run(commands[which], cwd))
                    if not (cwd / "out" / "graph.nq").exists():
                        sys.exit(f"{which} wrote no out/graph.nq")
                else:
                    rows[which].append(run([sys.executable, "-c", BARE, str(REPORT)], work))
            print(f"round {i + 1}: " + "; ".join(
                f"{kind} {rows[kind][-1]['cpu']:.2f} CPU s, {rows[kind][-1]['wall']:.2f} s, "
                f"{rows[kind][-1]['rss_mib']:.0f} MiB" for kind in kinds), file=sys.stderr)
        if args.keep:
            import shutil

            shutil.rmtree(args.keep, ignore_errors=True)
            shutil.copytree(work / f"{args.runs - 1}-0" / "out", args.keep)
    load_after = os.getloadavg()

    def median(found, key):
        return statistics.median(r[key] for r in found)

    def ratio(kind, key):
        return statistics.median(b[key] / s[key] for b, s in zip(rows[kind], rows["bare spaCy"]))

    print(f"kg build (no arguments) against spacy.blank(\"zh\") over {REPORT.name}: "
          f"{args.runs} rounds, the order rotating; medians")
    print(f"load average before {' '.join(f'{x:.2f}' for x in load_before)}, "
          f"after {' '.join(f'{x:.2f}' for x in load_after)} ({os.cpu_count()} cores)")
    print()
    print("| | CPU s | user s | sys s | wall s | peak RSS MiB | CPU ÷ bare | wall ÷ bare | peak RSS ÷ bare |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind in kinds:
        found = rows[kind]
        ratios = (f"{ratio(kind, 'cpu'):.2f}× | {ratio(kind, 'wall'):.2f}× | {ratio(kind, 'rss_mib'):.2f}×"
                  if kind != "bare spaCy" else "1 | 1 | 1")
        print(f"| {kind} | {median(found, 'cpu'):.2f} | {median(found, 'user'):.2f} | {median(found, 'sys'):.2f} "
              f"| {median(found, 'wall'):.2f} | {median(found, 'rss_mib'):.0f} | {ratios} |")
    print()
    print("(ratios: the median over the rounds of each round's kg build ÷ that round's bare spaCy process)")


if __name__ == "__main__":
    main()
