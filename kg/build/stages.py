"""The stages of a build that are not one document's, as a :class:`~kg.build.document.Progress` shows them.

A document's own steps (read, NLP, linking, graph) are shown by :mod:`kg.build.document`; the rest
of a build (loading the store, the shared graphs, serialisation, validation, writing) is shown
here, one named stage at a time, so a progress display covers the whole build.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from kg.build.document import Progress, _Silent

# In the order a build runs them (a build in memory has no "store"; only --validate runs "validation").
STAGES = ("store", "shared graphs", "serialisation", "validation", "writing")


@contextlib.contextmanager
def stage(progress: Progress | None, name: str) -> Iterator[None]:
    """Show stage ``name`` on ``progress`` from its start to its end."""
    progress = progress or _Silent()
    progress.start(name, 1)
    yield
    progress.finish()
