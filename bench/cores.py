"""How far two processes speed up pure computation on this machine: the ceiling for ``--jobs 2``.

    python bench/cores.py [--jobs 2] [--loops 30000000]

Runs one CPU-bound loop alone, then one per job at once, and prints each one's CPU seconds and the
speed-up that work split perfectly over the jobs would reach. On a shared virtual machine two
virtual cores may share a physical one (or its caches), so each loop costs more CPU when both run.
"""

from __future__ import annotations

import argparse
import time
from multiprocessing import get_context


def spin(loops: int) -> float:
    """CPU seconds of a loop of integer arithmetic (the interpreter's work, no I/O, no memory)."""
    clock = time.process_time()
    total = 0
    for i in range(loops):
        total += i * i % 7
    return time.process_time() - clock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--loops", type=int, default=30_000_000)
    args = parser.parse_args()
    alone = min(spin(args.loops) for _ in range(2))
    with get_context("spawn").Pool(args.jobs) as pool:
        together = pool.map(spin, [args.loops] * args.jobs)
    slowest = max(together)
    print(f"one loop alone: {alone:.2f} s CPU; {args.jobs} at once: "
          + ", ".join(f"{s:.2f}" for s in together) + " s CPU each")
    print(f"ceiling for {args.jobs} jobs of pure computation: {args.jobs * alone / slowest:.2f}x")


if __name__ == "__main__":
    main()
