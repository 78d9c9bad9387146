"""How long `kg report` takes to write the site of a build, and where the time goes.

    python bench/report.py                  # builds the default report in a temporary folder first
    python bench/report.py --from out       # the site of an existing build
    python bench/report.py --runs 5

Each run writes the whole site into a fresh folder through ``kg.report.write_site`` in a new
process (so Vega's JavaScript bundle is made each time, as a user's run makes it) and reports the
wall-clock seconds, the process's CPU seconds and whether every run wrote the same bytes. A final
run in this process times the phases one by one (the bundle is then made apart from the rest, not
beside it as in a real run). The goal (issue 22): the default build's site in under 10 s.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_SECONDS = 10.0

_ONE_RUN = """
import json, resource, sys, time
from pathlib import Path
from kg.report import write_site
started = time.perf_counter()
written = write_site(Path(sys.argv[1]), Path(sys.argv[2]))
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall": time.perf_counter() - started, "cpu": usage.ru_utime + usage.ru_stime,
                  "pages": written.pages, "files": written.files}))
"""


def digest(site: Path) -> str:
    """One hash over every file's path and bytes."""
    total = hashlib.sha256()
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        total.update(str(path.relative_to(site)).encode() + b"\0" + path.read_bytes())
    return total.hexdigest()[:16]


def one_run(source: Path, out: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", _ONE_RUN, str(source), str(out)], capture_output=True, text=True,
                            cwd=ROOT)
    if result.returncode:
        sys.exit(f"kg report failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def phases(source: Path) -> dict[str, float]:
    """The phases of a run, one after the other, in this process."""
    from kg.report import assets
    from kg.report.facts import collect
    from kg.report.layout import forceatlas2
    from kg.report.pages import Pages, environment
    from kg.store.open import open_store

    times = {}
    started = time.perf_counter()
    store = open_store(source)
    times["open the build"] = time.perf_counter() - started
    started = time.perf_counter()
    facts = collect(store)
    times["stored queries"] = time.perf_counter() - started
    started = time.perf_counter()
    layout = forceatlas2(facts.network)
    times["ForceAtlas2 layout"] = time.perf_counter() - started
    started = time.perf_counter()
    pages = sum(1 for lang in ("en", "zh") for _ in Pages(facts, lang, environment(), layout).all())
    times[f"{pages} pages"] = time.perf_counter() - started
    started = time.perf_counter()
    assets.world_script()
    times["map outlines"] = time.perf_counter() - started
    started = time.perf_counter()
    assets.VegaBundle().result()
    times["Vega bundle (a thread of its own in a real run)"] = time.perf_counter() - started
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="source", type=Path, help="a build's output (default: build the default "
                        "report into a temporary folder first)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-bench-report-") as scratch:
        scratch = Path(scratch)
        source = args.source
        if source is None:
            from kg.build.run import build

            source = scratch / "out"
            print("building the default report …", flush=True)
            build([], source)
        runs, digests = [], set()
        for number in range(1, args.runs + 1):
            out = scratch / f"site-{number}"
            found = one_run(source, out)
            digests.add(digest(out))
            runs.append(found)
            print(f"run {number}: {found['wall']:.2f} s wall, {found['cpu']:.2f} s CPU, {found['pages']} pages, "
                  f"{found['files']} files", flush=True)
        walls = [r["wall"] for r in runs]
        print(f"\nwall: best {min(walls):.2f} s, median {statistics.median(walls):.2f} s "
              f"(goal: under {GOAL_SECONDS:.0f} s: {'met' if statistics.median(walls) < GOAL_SECONDS else 'NOT met'})")
        print(f"byte-identical across runs: {'yes' if len(digests) == 1 else 'NO'}")
        print("\nphases, one after the other:")
        for name, seconds in phases(source).items():
            print(f"  {name:<48} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
