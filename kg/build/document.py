"""Building one document: its file read, its paragraphs through the pipelines, its mentions linked, its graph.

A document's graph is a pure function of its file (text and name), the
pipeline version and the base IRI (:meth:`Builder.build_document`). What it
adds to the graphs all documents share is kept as its :class:`Contribution`
(plain data, kept between builds; :mod:`kg.build.shared` makes those graphs).
A document that cannot be built becomes a :class:`Failure`: one line, naming
the file and place. Nothing here prints: a :class:`Progress` is told where the
build is.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Protocol

from rdflib import Dataset, URIRef

from kg.errors import KgError, ReportWarning
from kg.graph.describe import describe_unregistered
from kg.graph.document import add_activities, add_document, add_inferred
from kg.graph.extract import Group, concept_evidence, groups, link_and_relate, matching_text, run_pipelines
from kg.inference.goals import infer
from kg.inference.classifier import with_classifier
from kg.graph.iris import Iris, document_key
from kg.graph.linking import PARAGRAPH_SEPARATOR, Linker, Mention, Unregistered
from kg.graph.relations import Activity, materialise
from kg.knowledge.gazetteer import load_gazetteer
from kg.knowledge.registry import NAMED_LABELS, load_registry
from kg.knowledge.sdg import load_sdg_registry
from kg.namespaces import DEFAULT_BASE_IRI, bind_prefixes
from kg.nlp.pipeline import load_pipeline
from kg.reader.language import key_language
from kg.reader.model import Document
from kg.reader.select import read_document as select_reader
from kg.reader.source import DEFAULT_MAX_BYTES, read_source


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


def read_document(path: Path, format: str = "auto", max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """The reading step, behind one call: a file → its :class:`Document` (``format``: "auto",
    by its layout, "report" or "article"; kg/reader/select.py; a file larger than ``max_bytes``
    is refused)."""
    return select_reader(read_source(path, max_bytes), format)


@dataclass
class Contribution:
    """What one document adds to the graphs all documents share (plain data, so it can be
    kept between builds): the goals and targets it cites, the places and registry
    entries it names, whether its reporting organisation acts itself, its relations."""

    key: str = ""
    path: str = ""
    symbol: str | None = None  # editions of one symbol are linked to each other
    paragraphs: list[int] = field(default_factory=list)  # the paragraph numbers
    cited: list[str] = field(default_factory=list)  # SDG goal and target IRIs
    places: list[str] = field(default_factory=list)  # gazetteer keys
    entities: list[tuple[str, str]] = field(default_factory=list)  # (label, registry id)
    actors: list[str] = field(default_factory=list)  # registry ids of the organisations acting themselves
    relations: list[tuple[str, str, str, list[tuple[str, int, int]]]] = field(default_factory=list)
    addressed: list[str] = field(default_factory=list)  # SDG goal and target IRIs inferred (kg.inference)

    def to_json(self) -> dict:
        return {"key": self.key, "path": self.path, "symbol": self.symbol, "paragraphs": self.paragraphs,
                "cited": self.cited, "places": self.places, "entities": [list(e) for e in self.entities],
                "actors": self.actors, "relations": [[k, s, o, [list(r) for r in refs]]
                                                     for k, s, o, refs in self.relations],
                "addressed": self.addressed}

    @classmethod
    def from_json(cls, data: dict) -> "Contribution":
        return cls(data["key"], data["path"], data["symbol"], data["paragraphs"], data["cited"], data["places"],
                   [tuple(e) for e in data["entities"]], data["actors"],
                   [(k, s, o, [tuple(r) for r in refs]) for k, s, o, refs in data["relations"]],
                   data["addressed"])

    def edition(self) -> SimpleNamespace:
        """What :func:`kg.graph.editions.edition_pairs` reads of a document, without the document."""
        return SimpleNamespace(path=Path(self.path), metadata=SimpleNamespace(symbol=self.symbol),
                               paragraphs=[SimpleNamespace(number=n) for n in self.paragraphs])


@dataclass
class DocumentResult:
    key: str
    iri: URIRef
    graph_iri: URIRef
    file: str
    sha256: str
    entry: dict  # this document's record in report.json
    warnings: list[ReportWarning]
    unregistered: dict[str, Unregistered]
    contribution: Contribution
    counts: Counter
    paragraphs: int
    chars: int
    triples: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    # Kept in memory for a single-report build (and its tests); None in a corpus build.
    document: Document | None = None
    mentions: list[Mention] | None = None
    activities: list[Activity] | None = None
    nquads: bytes | None = None  # the document graph as sorted N-Quads (corpus build)
    violations: list = field(default_factory=list)  # its validation results (corpus build)

    def mention_counts(self) -> Counter[str]:
        return self.counts


@dataclass
class Failure:
    """A document that could not be built: one line, naming the file and place."""

    path: Path
    message: str
    exit_code: int = 2

    def __str__(self) -> str:
        return self.message


def failure(path: Path, exc: BaseException) -> Failure:
    if isinstance(exc, KgError):
        return Failure(Path(path), str(exc) if exc.path else f"{path}: {exc}", exc.exit_code)
    return Failure(Path(path), f"{path}: internal error: {type(exc).__name__}: {exc}".splitlines()[0])


class Builder:
    """Builds documents, each into a named graph of its own, and the graphs they share."""

    def __init__(self, base_iri: str = DEFAULT_BASE_IRI, progress: Progress | None = None,
                 format: str = "auto", max_bytes: int = DEFAULT_MAX_BYTES):
        self.format = format  # which reader: "auto" (by content), "report" or "article"
        self.max_bytes = max_bytes
        self.iris = Iris(base_iri)
        self.progress = progress or _Silent()
        self.progress.start("setup: SDG vocabulary, gazetteer, registry", 3)
        self.sdg = load_sdg_registry()
        self.progress.advance()
        self.gazetteer = load_gazetteer()
        self.progress.advance()
        self.registry = load_registry()
        self.progress.finish()
        self.linker = Linker(self.sdg, self.gazetteer, self.registry, self.iris)
        self.dataset = Dataset()  # where build_document puts a graph unless told otherwise
        bind_prefixes(self.dataset)

    def nlp(self, documents: list[Document]) -> list[list[Group]]:
        """Each document's paragraph groups (one per pipeline language, kg/graph/extract.py) read by
        their pipeline, batched over the documents with ``nlp.pipe`` per language."""
        found = [groups(document) for document in documents]
        by_language: dict[str, list[Group]] = defaultdict(list)
        for document_groups in found:
            for group in document_groups:
                by_language[group.language].append(group)
        for language, batch in sorted(by_language.items()):
            texts = [PARAGRAPH_SEPARATOR.join(matching_text(p) for p in group.paragraphs) for group in batch]
            for group, doc in zip(batch, load_pipeline(language).pipe(texts, batch_size=max(1, len(texts)))):
                group.doc = doc
        return found

    def build_document(self, path: Path, graph_for: Callable[[URIRef], object] | None = None, *,
                       document: Document | None = None, found: list[Group] | None = None, keep: bool = True,
                       timings: dict[str, float] | None = None,
                       check_key: Callable[[str, Path], None] | None = None) -> DocumentResult:
        """Build one document into the graph ``graph_for(graph IRI)`` (an rdflib graph or a
        :class:`~kg.graph.quads.QuadSink`; by default a graph of ``self.dataset``); ``document``
        and ``found`` (its pipeline groups, :meth:`nlp`) when already read and parsed."""
        timings = timings if timings is not None else {}
        clock = time.process_time()

        def lap(stage: str) -> None:
            nonlocal clock
            now = time.process_time()
            timings[stage] = timings.get(stage, 0.0) + now - clock
            clock = now
            self.progress.advance()

        self.progress.start(Path(path).name, 6)
        if document is None:
            document = read_document(path, self.format, self.max_bytes)
        key = document_key(document.metadata.symbol, key_language(document.language), Path(path).stem)
        if check_key is not None:  # e.g. refuse a second copy before it adds to the first one's graph
            check_key(key, Path(path))
        lap("read")

        # One pipeline run per language of the document's paragraphs (kg/graph/extract.py).
        if found is None:
            found = run_pipelines(document)
        lap("nlp")

        extraction = link_and_relate(document, found, self.linker, self.registry)
        mentions, problems = extraction.mentions, extraction.warnings
        unregistered, activities = extraction.unregistered, extraction.activities
        lap("link")  # linking and the activities' relations: link_and_relate does both

        inferred = infer(with_classifier(concept_evidence(document, found), document))
        lap("inference")

        graph_iri = self.iris.graph(key)
        graph = (graph_for or self.dataset.graph)(graph_iri)
        add_document(graph, document, key, mentions, self.iris)
        add_activities(graph, document, key, activities, self.iris)
        describe_unregistered(graph, unregistered.values(), document.language)
        addressed = add_inferred(graph, document, key, inferred, self.sdg, self.iris)
        lap("graph")
        self.progress.finish()

        counts = Counter(m.label for m in mentions)
        warnings = document.warnings + problems
        triples = len(graph)
        entry = {
            "file": document.path.name,
            "sha256": document.sha256,
            "encoding": document.encoding,
            "iri": str(self.iris.document(key)),
            "graph": str(graph_iri),
            "symbol": document.metadata.symbol,
            "language": document.language,
            "format": document.kind,
            "paragraph_languages": dict(sorted(Counter(p.language for p in document.paragraphs).items())),
            "translations": len(document.translations),
            "paragraphs": len(document.paragraphs),
            "items": sum(len(p.items) for p in document.paragraphs),
            "parts": len(document.parts),
            "sections": len(document.sections),
            "footnotes": len(document.footnotes),
            "mentions": dict(sorted(counts.items())),
            "unregistered": len(unregistered),
            "inferred": {"goals": sorted({i.code for i in inferred if i.is_goal}, key=int),
                         "links": len(inferred)},
            "triples": triples,
            "warnings": [{"file": document.path.name, "line": w.line, "paragraph": w.paragraph,
                          "message": w.message} for w in warnings],
        }
        return DocumentResult(
            key=key, iri=self.iris.document(key), graph_iri=graph_iri, file=document.path.name,
            sha256=document.sha256, entry=entry, warnings=warnings, unregistered=unregistered,
            contribution=self.contribution(document, key, mentions, activities, addressed), counts=counts,
            paragraphs=len(document.paragraphs), chars=sum(len(p.text) for p in document.paragraphs),
            triples=triples, timings=timings,
            document=document if keep else None, mentions=mentions if keep else None,
            activities=activities if keep else None)

    def contribution(self, document: Document, key: str, mentions: list[Mention],
                     activities: list[Activity], addressed: list[URIRef] = ()) -> Contribution:
        cited = {str(m.iri) for m in mentions if m.label in ("TARGET", "GOAL")}
        cited |= {str(self.sdg.goal_iri(s.goal)) for s in document.sections if s.goal is not None}
        places = {m.key for m in mentions if m.label in ("COUNTRY", "REGION")}
        entities = {(m.label, m.key) for m in mentions
                    if m.label in NAMED_LABELS and self.registry.get(m.label, m.key)}
        actors = sorted({actor for a in activities if a.by_actor for actor, _ in a.programmes})
        relations = [(r.kind, str(r.subject), str(r.object), list(r.activities))
                     for r in materialise({key: activities})]
        return Contribution(key, str(document.path), document.metadata.symbol,
                            [p.number for p in document.paragraphs], sorted(cited), sorted(places),
                            sorted(entities), actors, relations, sorted(str(iri) for iri in addressed))
