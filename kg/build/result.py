"""What a build hands back and writes beside the graph: its result, ``report.json``, ``unregistered.csv``, the exports.

Both builds (in memory, :mod:`kg.build.run`; a corpus, :mod:`kg.build.corpus`) end
the same way: a :class:`BuildResult`, the same report files made from their
documents, the exports asked for made from the store, and the same one-line errors
when every document failed or the graph does not conform.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset

from kg import __version__
from kg.build.document import DocumentResult, Failure
from kg.errors import KgError, NotConforming, ReportWarning
from kg.resources import pipeline_version


@dataclass
class BuildResult:
    dataset: Dataset | None
    documents: list[DocumentResult]
    outputs: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    validation: "ValidationResult | None" = None
    failures: list[Failure] = field(default_factory=list)
    total_triples: int | None = None
    skipped: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def triples(self) -> int:
        """Statements in all graphs (a triple stated in two graphs counts twice, as in graph.nq)."""
        if self.total_triples is not None:
            return self.total_triples
        return sum(len(graph) for graph in self.dataset.graphs())

    @property
    def warnings(self) -> list[ReportWarning]:
        return [w for d in self.documents for w in d.warnings]


class BuildFailed(KgError):
    """Every document failed: nothing was written. Carries each failure (one line each)."""

    def __init__(self, failures: list[Failure]):
        super().__init__(failures[0].message)
        self.failures = failures
        self.exit_code = failures[0].exit_code


def _first(failures: list[Failure]) -> KgError:
    return BuildFailed(failures)


def unregistered_csv(documents: list[DocumentResult]) -> bytes:
    """The names found in the texts that the registry lacks, with their type, for a curator to add."""
    import csv
    import io

    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["name", "type", "iri", "document", "paragraphs"])
    for d in documents:
        for entry in sorted(d.unregistered.values(), key=lambda u: (u.label, u.name)):
            writer.writerow([entry.name, entry.label, str(entry.iri), d.file,
                             " ".join(map(str, sorted(entry.paragraphs)))])
    return stream.getvalue().encode("utf-8")


def report_json(documents: list[DocumentResult], triples: int, outputs: list[Path], base_iri: str,
                failures: list[Failure] = ()) -> bytes:
    """A machine-readable account of the build (deterministic: no timings)."""
    body = {
        "kg_version": __version__,
        "pipeline_version": pipeline_version(),
        "base_iri": base_iri,
        "documents": [d.entry for d in documents],
        "triples": triples,
        "outputs": [p.name for p in outputs],
    }
    if failures:
        # A file name that is not UTF-8 is why some documents fail: written with its bytes escaped.
        body["failed"] = [{"file": _text(Path(f.path).name), "error": _text(f.message)} for f in failures]
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _text(name: str) -> str:
    """``name`` as UTF-8 text: bytes that were not UTF-8 (surrogate escapes) written as ``\\xNN``."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def not_conforming(validation) -> NotConforming:
    from kg.shacl.report import format_report

    first = format_report(validation, limit=1)
    return NotConforming(f"the built graph does not conform to the shapes ({len(validation.violations)} "
                         f"result(s); first: {first[2].strip() if len(first) > 2 else first[0]}); "
                         "nothing written (use --allow-invalid to write it anyway)")


def export_files(store, names: Sequence[str], out_dir: Path) -> list[tuple[Path, bytes]]:
    """The files of the ``kg.exports`` formats ``names``, made from ``store``."""
    if not names:
        return []
    from kg.exports import Exporter

    exporter = Exporter(store)
    return [item for name in dict.fromkeys(names) for item in exporter.files(name, None, out_dir)]
