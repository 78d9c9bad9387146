"""Kill a build at every step of its commit, and check what a reader then sees (run by tests/test_hostile.py).

    python tests/crash_build.py memory|store WORK

In WORK it builds an "old" output directory and, separately, the "new" outputs a second build
makes. Then, for n = 1, 2, …, it copies the old directory, and in a forked child runs the second
build into the copy with the n-th file-system change of the build (a rename, link, unlink,
removal, directory creation or write of a new name) replaced by ``os._exit(9)``, the way
``kill -9`` would stop it there. After each kill it reads the copy as a reader would (through
the top-level names) and prints one JSON line: what the reader saw (``old``, ``new`` or
``mixed``), and whether the next build into the copy succeeded and gave the new outputs. It
stops after the first n the build gets through without being killed.

Forking from one process that has loaded kg's registries and pipelines makes each run take a
fraction of a second. That process never opens a RocksDB store itself: RocksDB's background
threads do not survive a fork, and a child's flush would wait for them for ever. Every build and
every view of a store runs in a forked child. Only local files are touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = "CDIP/99/{n} \n\n原文：英文 \n\n日期：2025 年 1 月 2 日 \n\n测试报告 \n\n"
BODY = "1. 产权组织与世界卫生组织在智利合作，促进实现具体目标 4.4。\n\n2. 第二段。\n"


def write_inputs(folder: Path) -> tuple[list[Path], list[Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in (1, 2, 3):
        path = folder / f"r{n}.txt"
        path.write_text(HEADER.format(n=n) + BODY.replace("第二段", f"第 {n} 份报告的第二段"), encoding="utf-8")
        paths.append(path)
    return paths[:2], paths  # the old build's inputs, the new build's


def view(out: Path) -> str:
    """A digest of everything a reader of ``out`` sees, through its top-level names."""
    from kg.store.open import open_store

    digest = hashlib.sha256()
    for name in ("graph.nq", "graph.ttl", "report.json", "unregistered.csv"):
        path = out / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"<none>") + b"\0")
    try:
        store = open_store(out)
        lines = sorted(line for line in store.dump(format=__import__("pyoxigraph").RdfFormat.N_QUADS).split(b"\n")
                       if line)
        digest.update(b"\n".join(lines))
    except Exception as exc:  # noqa: BLE001 - no readable graph at all is a view too
        digest.update(f"<unreadable: {type(exc).__name__}>".encode())
    return digest.hexdigest()


def in_child(work) -> int:
    """Run ``work()`` in a forked child: its exit status (0 done, 3 failed, 9 killed by :func:`arm`)."""
    child = os.fork()
    if child == 0:
        try:
            work()
        except BaseException:  # noqa: BLE001 - a failure, not a kill: reported as such
            import traceback

            traceback.print_exc()
            sys.stderr.flush()
            os._exit(3)
        os._exit(0)
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status)


def view_in_child(out: Path) -> str:
    """:func:`view` of ``out``, computed in a forked child (the store it opens stays there)."""
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read)
        try:
            os.write(write, view(out).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as stream:
        digest = stream.read().decode()
    os.waitpid(child, 0)
    return digest


def arm(limit: int) -> None:
    """Replace the ``limit``-th file-system change from here on with os._exit(9)."""
    count = [0]

    def wrap(module, name):
        real = getattr(module, name)

        def step(*args, **kwargs):
            count[0] += 1
            if count[0] == limit:
                os._exit(9)
            return real(*args, **kwargs)

        setattr(module, name, step)

    for name in ("replace", "rename", "symlink", "link", "unlink", "rmdir", "mkdir"):
        wrap(os, name)
    wrap(shutil, "rmtree")


def main() -> None:
    mode, work = sys.argv[1], Path(sys.argv[2])
    store = mode == "store"
    from kg.build.run import build

    old_inputs, new_inputs = write_inputs(work / "in")
    # Loads the registries and pipelines here, once, without a store (see the module's docstring).
    build(old_inputs, work / "warm-up", store=False)
    old = work / "old"
    if in_child(lambda: build(old_inputs, old, store=store)) != 0:
        raise SystemExit("the old build failed")
    new = work / "new"
    if in_child(lambda: build(new_inputs, new, store=store)) != 0:
        raise SystemExit("the new build failed")
    views = {"old": view_in_child(old), "new": view_in_child(new)}
    if views["old"] == views["new"]:
        raise SystemExit("the two builds look alike")
    for n in range(1, 400):
        copy = work / f"copy-{n}"
        subprocess.run(["cp", "-a", str(old), str(copy)], check=True)

        def killed_build() -> None:
            arm(n)
            build(new_inputs, copy, store=store)

        code = in_child(killed_build)
        seen = view_in_child(copy)
        verdict = next((name for name, digest in views.items() if digest == seen), "mixed")
        # The next build recovers whatever the killed one left, and ends with the new outputs.
        recovered = in_child(lambda: build(new_inputs, copy, store=store)) == 0 and view_in_child(copy) == views["new"]
        leftovers = sorted(p.name for p in (copy / ".kg").iterdir()) if (copy / ".kg").is_dir() else []
        print(json.dumps({"step": n, "exit": code, "seen": verdict, "recovered": recovered,
                          "kg_dir": leftovers}), flush=True)
        shutil.rmtree(copy, ignore_errors=True)
        if code == 0:
            break


if __name__ == "__main__":
    main()
