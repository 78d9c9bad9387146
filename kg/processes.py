"""Processes and threads kg starts: workers that die with their parent, queries on a deep stack.

* :func:`die_with_parent`: a worker process (a corpus build's, ``kg serve``'s) ends when the
  process that started it ends, however that ends (``kill -9`` included): Linux's
  ``PR_SET_PDEATHSIG``, and a watch on the parent's process id where that is not available.
* :func:`run_on_deep_stack`: run a function on a thread with a large stack and wait for it in a way
  that Ctrl-C and SIGTERM can interrupt. pyoxigraph evaluates a query by recursion over its
  algebra, which a long flat query (thousands of ``BIND``, ``MINUS`` or ``+``) makes thousands of
  levels deep: on the 8 MiB of a main thread that is a segmentation fault. pyoxigraph releases the
  GIL while it works, so the waiting thread stays free to handle signals.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

DEEP_STACK = 512 * 2**20  # bytes: tens of thousands of levels of pyoxigraph's recursion
# Whether this process ran something on a deep-stack thread. Objects that thread made (pyoxigraph's
# results, kept alive by parser caches through frames) must not be dropped by another thread, which
# the interpreter's shutdown would do: such a process ends with os._exit once its output is flushed
# (kg.cli.main does so).
used_deep_stack = False


def die_with_parent(parent: int | None = None, check_every: float = 1.0) -> None:
    """Make this process end when its parent does (call it first thing in a worker). ``parent``:
    the process id the parent had when it started this one (``os.getpid()`` there), so a parent
    that died before this call is seen too; by default, this process's parent now."""
    parent = parent if parent is not None else os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_PDEATHSIG = 1
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent went before the signal was set up
        os._exit(1)

    def watch() -> None:
        import time

        while True:
            time.sleep(check_every)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="kg-parent-watch", daemon=True).start()


def _forget_frames(error: BaseException) -> None:
    """Clear the variables of every frame of ``error``'s traceback and of the errors it was raised
    from or during (``__cause__``, ``__context__``)."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        traceback.clear_frames(error.__traceback__)
        for link in (error.__cause__, error.__context__):
            if link is not None and id(link) not in seen:
                traceback.clear_frames(link.__traceback__)
        error = error.__context__ or error.__cause__


def start_worker(parent: int, initializer: str, *args) -> None:
    """A pool worker's initializer: die with ``parent`` first, then run ``initializer``
    ("module:function", imported only now: the import of a heavy module can take seconds, which
    a build killed meanwhile must not have to wait for) with ``args``."""
    die_with_parent(parent)
    import importlib

    module, _, name = initializer.partition(":")
    getattr(importlib.import_module(module), name)(*args)


def run_on_deep_stack(function: Callable[..., T], *args, stack: int = DEEP_STACK, **kwargs) -> T:
    """``function(*args, **kwargs)`` on a thread with a ``stack``-byte stack; its result or its exception.

    The caller waits in short steps, so a signal handler (Ctrl-C's KeyboardInterrupt) runs at
    once even while ``function`` is deep in native code; the thread is a daemon, so a process
    that stops waiting can exit without it.
    """
    global used_deep_stack
    used_deep_stack = True
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["result"] = function(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            # Its frames' variables die here: some libraries' objects (pyoxigraph's results) must
            # not be dropped by another thread than the one that made them.
            _forget_frames(exc)
            outcome["error"] = exc

    previous = threading.stack_size()
    try:
        threading.stack_size(stack)
        thread = threading.Thread(target=target, name="kg-query", daemon=True)
        thread.start()
    finally:
        threading.stack_size(previous)
    while thread.is_alive():
        thread.join(0.1)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["result"]  # type: ignore[return-value]
