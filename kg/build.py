"""``kg build``: read reports, extract and link mentions, build the graph, write the outputs.

Data flows one way: text → :class:`~kg.reader.model.Document` → spaCy docs →
:class:`~kg.linking.Mention` → triples → files. This module only orchestrates;
it does not print (the CLI passes a :class:`Progress` to show where it is).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rdflib import Dataset, URIRef

from kg import PIPELINE_VERSION, __version__
from kg.errors import InputError, NotConforming, ReportWarning
from kg.describe import describe_places, describe_registered, describe_unregistered
from kg.gazetteer import load_gazetteer
from kg.graph import add_activities, add_document, add_relations, add_sdg_concepts
from kg.iris import Iris, document_key
from kg.linking import Linker, Mention, Unregistered
from kg.namespaces import DEFAULT_BASE_IRI, bind_prefixes
from kg.nlp.pipeline import load_pipeline
from kg.output import atomic_write, sorted_nquads, turtle
from kg.reader.model import Document
from kg.reader.language import key_language
from kg.reader.select import read_document
from kg.reader.source import DEFAULT_MAX_BYTES, read_source
from kg.editions import add_editions, edition_pairs, edition_warnings
from kg.extract import link_and_relate, run_pipelines
from kg.registry import load_registry
from kg.relations import Activity, materialise
from kg.resources import default_report
from kg.sdg import load_sdg_registry

SDG_GRAPH = "sdg-kos"
GEO_GRAPH = "geo"
REGISTRY_GRAPH = "registry"
RELATIONS_GRAPH = "relations"
EDITIONS_GRAPH = "editions"
INPUT_SUFFIXES = (".txt",)


class Progress(Protocol):
    def start(self, name: str, total: int) -> None: ...

    def advance(self, steps: int = 1) -> None: ...

    def finish(self) -> None: ...


class _Silent:
    def start(self, name: str, total: int) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


@dataclass
class DocumentResult:
    document: Document
    key: str
    iri: URIRef
    graph_iri: URIRef
    mentions: list[Mention]
    warnings: list[ReportWarning]
    unregistered: dict[str, Unregistered] = field(default_factory=dict)
    activities: list[Activity] = field(default_factory=list)
    triples: int = 0

    def mention_counts(self) -> Counter[str]:
        return Counter(m.label for m in self.mentions)


@dataclass
class BuildResult:
    dataset: Dataset
    documents: list[DocumentResult]
    outputs: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    validation: "ValidationResult | None" = None

    @property
    def triples(self) -> int:
        return len(self.dataset)

    @property
    def warnings(self) -> list[ReportWarning]:
        return [w for d in self.documents for w in d.warnings]


def collect_inputs(paths: list[Path]) -> list[Path]:
    """The report files to build: the embedded default when none are given; folders expand to their ``*.txt``."""
    if not paths:
        return [default_report()]
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in INPUT_SUFFIXES)
            if not found:
                raise InputError(f"no report files ({', '.join(INPUT_SUFFIXES)}) in this directory", path=path)
            files.extend(found)
        elif not path.exists():
            raise InputError("no such file", path=path)
        else:
            files.append(path)
    return files


class Builder:
    """Builds documents into one dataset: a named graph per document, and one each for the
    SDG concepts, the places and the registry entries they mention."""

    STAGES = ("read", "nlp", "link", "relations", "graph")

    def __init__(self, base_iri: str = DEFAULT_BASE_IRI, progress: Progress | None = None,
                 format: str = "auto", max_bytes: int = DEFAULT_MAX_BYTES):
        self.format = format  # which reader: "auto" (by content), "report" or "article"
        self.iris = Iris(base_iri)
        self.max_bytes = max_bytes
        self.progress = progress or _Silent()
        self.sdg = load_sdg_registry()
        self.gazetteer = load_gazetteer()
        self.registry = load_registry()
        self.linker = Linker(self.sdg, self.gazetteer, self.registry, self.iris)
        self.dataset = Dataset()
        bind_prefixes(self.dataset)
        self.documents: list[DocumentResult] = []

    def build_document(self, path: Path) -> DocumentResult:
        self.progress.start(path.name, len(self.STAGES))
        document = read_document(read_source(path, self.max_bytes), self.format)
        key = document_key(document.metadata.symbol, key_language(document.language), path.stem)
        for earlier in self.documents:
            if earlier.key == key:
                raise InputError(f"same document as {earlier.document.path} ({key})", path=path)
        self.progress.advance()

        # One pipeline run per language of the document's paragraphs (kg/extract.py).
        found = run_pipelines(document)
        self.progress.advance()
        extraction = link_and_relate(document, found, self.linker, self.registry)
        mentions, problems = extraction.mentions, extraction.warnings
        unregistered, activities = extraction.unregistered, extraction.activities
        self.progress.advance(2)

        graph_iri = self.iris.graph(key)
        graph = self.dataset.graph(graph_iri)
        add_document(graph, document, key, mentions, self.iris)
        add_activities(graph, document, key, activities, self.iris)
        describe_unregistered(graph, unregistered.values(), document.language)
        self.progress.advance()
        self.progress.finish()

        result = DocumentResult(document, key, self.iris.document(key), graph_iri, mentions,
                                document.warnings + problems, unregistered, activities, len(graph))
        self.documents.append(result)
        return result

    def finish(self) -> BuildResult:
        mentions = [m for d in self.documents for m in d.mentions]
        cited = {m.iri for m in mentions if m.label in ("TARGET", "GOAL")}
        cited |= {self.sdg.goal_iri(s.goal) for d in self.documents for s in d.document.sections
                  if s.goal is not None}
        add_sdg_concepts(self.dataset.graph(self.iris.vocabulary_graph(SDG_GRAPH)), self.sdg, cited)

        places = {m.key: self.gazetteer.place(m.key) for m in mentions if m.label in ("COUNTRY", "REGION")}
        entities = {(m.label, m.key): self.registry.get(m.label, m.key) for m in mentions
                    if m.label in ("ORG", "PROGRAMME") and self.registry.get(m.label, m.key)}
        # The reporting organisation conducts the activities that name no programme.
        for d in self.documents:
            for activity in d.activities:
                if activity.by_actor:
                    for actor, _ in activity.programmes:
                        entities[("ORG", actor)] = self.registry.get("ORG", actor)
        # A mentioned organisation's parent and home country are described too, so
        # every IRI the registry graph points to is described somewhere.
        for entity in list(entities.values()):
            if entity.parent:
                entities[("ORG", entity.parent)] = self.registry.get("ORG", entity.parent)
        for entity in entities.values():
            if entity.country:
                places[entity.country] = self.gazetteer.places[entity.country]
        for place in list(places.values()):
            for code in [*place.regions, *place.groups]:
                places[code] = self.gazetteer.place(code)
        describe_places(self.dataset.graph(self.iris.vocabulary_graph(GEO_GRAPH)), places.values(),
                        self.gazetteer)
        # Language editions of one document: paragraph n of each linked to paragraph n of the others.
        pairs = edition_pairs([(d.key, d.document) for d in self.documents])
        for d in self.documents:
            d.warnings += edition_warnings(d.key, d.document, pairs)
        add_editions(self.dataset.graph(self.iris.vocabulary_graph(EDITIONS_GRAPH)), pairs, self.iris)
        relations = materialise({d.key: d.activities for d in self.documents})
        add_relations(self.dataset.graph(self.iris.vocabulary_graph(RELATIONS_GRAPH)), relations, self.iris)
        describe_registered(self.dataset.graph(self.iris.vocabulary_graph(REGISTRY_GRAPH)), entities.values(),
                            self.iris, self.gazetteer,
                            {e.id: e for (label, _), e in entities.items() if label == "ORG"})
        return BuildResult(self.dataset, self.documents)


def unregistered_csv(result: BuildResult) -> bytes:
    """The organisations found by form that the registry lacks, for a curator to add."""
    import csv
    import io

    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["name", "iri", "document", "paragraphs"])
    for d in result.documents:
        for entry in sorted(d.unregistered.values(), key=lambda u: u.name):
            writer.writerow([entry.name, str(entry.iri), d.document.path.name,
                             " ".join(map(str, sorted(entry.paragraphs)))])
    return stream.getvalue().encode("utf-8")


def report_json(result: BuildResult, outputs: list[Path]) -> bytes:
    """A machine-readable account of the build (deterministic: no timings)."""
    documents = []
    for d in result.documents:
        doc = d.document
        documents.append({
            "file": doc.path.name,
            "sha256": doc.sha256,
            "encoding": doc.encoding,
            "iri": str(d.iri),
            "graph": str(d.graph_iri),
            "symbol": doc.metadata.symbol,
            "language": doc.language,
            "format": doc.kind,
            "paragraph_languages": dict(sorted(Counter(p.language for p in doc.paragraphs).items())),
            "translations": len(doc.translations),
            "paragraphs": len(doc.paragraphs),
            "items": sum(len(p.items) for p in doc.paragraphs),
            "parts": len(doc.parts),
            "sections": len(doc.sections),
            "footnotes": len(doc.footnotes),
            "mentions": dict(sorted(d.mention_counts().items())),
            "unregistered": len(d.unregistered),
            "triples": d.triples,
            "warnings": [{"file": doc.path.name, "line": w.line, "paragraph": w.paragraph,
                          "message": w.message} for w in d.warnings],
        })
    body = {
        "kg_version": __version__,
        "pipeline_version": PIPELINE_VERSION,
        "documents": documents,
        "triples": result.triples,
        "outputs": [p.name for p in outputs],
    }
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def build(paths: list[Path], out_dir: Path, base_iri: str = DEFAULT_BASE_IRI,
          progress: Progress | None = None, validate: bool = True, allow_invalid: bool = False,
          format: str = "auto", exports: Sequence[str] = (), max_bytes: int = DEFAULT_MAX_BYTES) -> BuildResult:
    """Build ``paths`` into ``out_dir``; a graph that does not conform to the shapes is
    not written unless ``allow_invalid`` (and is not checked at all without ``validate``).
    ``exports`` names formats of :mod:`kg.exports` to write into ``out_dir`` too. A report
    file larger than ``max_bytes`` is refused."""
    started = time.perf_counter()
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise InputError("is a file, not an output directory (--out)", path=out_dir)
    inputs = collect_inputs(paths)  # a missing file fails before the registries are loaded
    builder = Builder(base_iri, progress, format, max_bytes)
    for path in inputs:
        builder.build_document(path)
    result = builder.finish()
    if validate:
        from kg.rdfio import union
        from kg.validate import format_report, validate_graph

        result.validation = validate_graph(union(result.dataset))
        if not result.validation.conforms and not allow_invalid:
            first = format_report(result.validation, limit=1)
            raise NotConforming(f"the built graph does not conform to the shapes ({len(result.validation.violations)} "
                                f"result(s); first: {first[2].strip() if len(first) > 2 else first[0]}); "
                                "nothing written (use --allow-invalid to write it anyway)")

    out_dir = Path(out_dir)
    outputs = [out_dir / "graph.nq", out_dir / "graph.ttl", out_dir / "report.json",
               out_dir / "unregistered.csv"]
    # Everything is serialised before anything is written, so a failure while
    # serialising leaves the previous outputs untouched.
    nquads = sorted_nquads(result.dataset)
    exported = []
    if exports:
        from kg.exports import Exporter, store_from_nquads

        exporter = Exporter(store_from_nquads(nquads))
        exported = [item for name in dict.fromkeys(exports) for item in exporter.files(name, None, out_dir)]
        outputs += [path for path, _ in exported]
    contents = [nquads, turtle(result.dataset), report_json(result, outputs),
                unregistered_csv(result), *(data for _, data in exported)]
    for path, data in zip(outputs, contents):
        atomic_write(path, data)
    result.outputs = outputs
    result.seconds = time.perf_counter() - started
    return result
