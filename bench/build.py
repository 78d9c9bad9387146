"""The everyday build against the bare spaCy process: whole processes, side by side.

    python bench/build.py [--runs 5] [--kg PATH_TO_KG_SCRIPT] [--keep DIR]

Each run is a pair of fresh processes, one after the other, the order alternating
from pair to pair (a machine whose speed drifts slows both alike):

* **kg build**: the README's first command, ``kg build`` with no arguments (the
  embedded CDIP/32/3 report, written to ``out/`` in a fresh temporary directory);
* **bare spaCy**: a Python process that imports spaCy, makes ``spacy.blank("zh")``
  and runs it over the text of the same file (``data/corpus/CDIP_32_3_zh.txt``).

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
    parser.add_argument("--runs", type=int, default=5, help="pairs of processes (default 5)")
    parser.add_argument("--kg", help="the kg script to run (default: the one beside this Python)")
    parser.add_argument("--keep", type=Path, help="keep the last build's out/ here")
    args = parser.parse_args()
    kg = kg_script(args.kg)
    load_before = os.getloadavg()
    builds, bares = [], []
    with tempfile.TemporaryDirectory(prefix="kg-bench-build-") as work:
        work = Path(work)
        for i in range(args.runs):
            order = ("kg", "bare") if i % 2 == 0 else ("bare", "kg")
            for which in order:
                if which == "kg":
                    cwd = work / f"build-{i}"
                    cwd.mkdir()
                    builds.append(run([kg, "build"], cwd))
                    if not (cwd / "out" / "graph.nq").exists():
                        sys.exit("kg build wrote no out/graph.nq")
                else:
                    bares.append(run([sys.executable, "-c", BARE, str(REPORT)], work))
            print(f"pair {i + 1}: kg build {builds[-1]['cpu']:.2f} CPU s, {builds[-1]['wall']:.2f} s, "
                  f"{builds[-1]['rss_mib']:.0f} MiB; bare spaCy {bares[-1]['cpu']:.2f} CPU s, "
                  f"{bares[-1]['wall']:.2f} s, {bares[-1]['rss_mib']:.0f} MiB", file=sys.stderr)
        if args.keep:
            import shutil

            shutil.rmtree(args.keep, ignore_errors=True)
            shutil.copytree(work / f"build-{args.runs - 1}" / "out", args.keep)
    load_after = os.getloadavg()

    def median(rows, key):
        return statistics.median(r[key] for r in rows)

    def ratio(key):
        return statistics.median(b[key] / s[key] for b, s in zip(builds, bares))

    print(f"kg build (no arguments) against spacy.blank(\"zh\") over {REPORT.name}: "
          f"{args.runs} alternating pairs, medians")
    print(f"load average before {' '.join(f'{x:.2f}' for x in load_before)}, "
          f"after {' '.join(f'{x:.2f}' for x in load_after)} ({os.cpu_count()} cores)")
    print()
    print("| | CPU s | user s | sys s | wall s | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, rows in (("kg build", builds), ("bare spaCy", bares)):
        print(f"| {name} | {median(rows, 'cpu'):.2f} | {median(rows, 'user'):.2f} | {median(rows, 'sys'):.2f} "
              f"| {median(rows, 'wall'):.2f} | {median(rows, 'rss_mib'):.0f} |")
    print(f"| ratio (median of pairs) | {ratio('cpu'):.2f}× | {ratio('user'):.2f}× | {ratio('sys'):.2f}× "
          f"| {ratio('wall'):.2f}× | {ratio('rss_mib'):.2f}× |")


if __name__ == "__main__":
    main()
