"""``kg build``: read reports, extract and link mentions, build the graph, write the outputs.

Data flows one way: text → :class:`~kg.reader.model.Document` → spaCy docs →
:class:`~kg.graph.linking.Mention` → triples → files. This module only orchestrates;
it does not print (the CLI passes a :class:`Progress` to show where it is).

A document's graph is a pure function of its file (text and name), the
pipeline version and the base IRI (:meth:`Builder.build_document`). What
documents share (the SDG concepts, places and registry entries they mention,
the programme relations over all their activities) is computed from each
document's :class:`Contribution` (:func:`add_shared_graphs`), so a corpus build
(:mod:`kg.corpus`) can build documents in parallel processes and skip the
unchanged ones. A single report is built in memory with rdflib (:func:`build`).
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from types import SimpleNamespace
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rdflib import Dataset, URIRef

from kg import __version__
from kg.errors import InputError, KgError, NotConforming, ReportWarning
from kg.graph.describe import describe_places, describe_registered, describe_unregistered
from kg.graph.document import add_activities, add_document, add_relations, add_sdg_concepts
from kg.graph.editions import add_editions, edition_pairs, edition_warnings
from kg.graph.extract import Group, groups, link_and_relate, matching_text, run_pipelines
from kg.graph.iris import Iris, document_key
from kg.graph.linking import PARAGRAPH_SEPARATOR, Linker, Mention, Unregistered
from kg.graph.relations import Activity, Relation, materialise
from kg.knowledge.gazetteer import load_gazetteer
from kg.knowledge.registry import load_registry
from kg.knowledge.sdg import load_sdg_registry
from kg.namespaces import DEFAULT_BASE_IRI, bind_prefixes
from kg.nlp.pipeline import load_pipeline
from kg.output import Staging, sorted_nquads, turtle
from kg.reader.language import key_language
from kg.reader.model import Document
from kg.reader.select import read_document as select_reader
from kg.reader.source import DEFAULT_MAX_BYTES, read_source
from kg.resources import default_report, pipeline_version

SDG_GRAPH = "sdg-kos"
GEO_GRAPH = "geo"
REGISTRY_GRAPH = "registry"
RELATIONS_GRAPH = "relations"
EDITIONS_GRAPH = "editions"
SHARED_GRAPHS = (SDG_GRAPH, GEO_GRAPH, REGISTRY_GRAPH, RELATIONS_GRAPH, EDITIONS_GRAPH)
INPUT_SUFFIXES = (".txt",)
# The stages of a build, as ``--timings`` reports them: CPU seconds (time.process_time, all
# threads of a process), summed over the documents and the processes; "store" is the loading
# of the document graphs into the on-disk store, "setup" the loading of the registries.
STAGES = ("setup", "read", "nlp", "link", "relations", "graph", "validation", "serialisation", "store")


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

    def to_json(self) -> dict:
        return {"key": self.key, "path": self.path, "symbol": self.symbol, "paragraphs": self.paragraphs,
                "cited": self.cited, "places": self.places, "entities": [list(e) for e in self.entities],
                "actors": self.actors, "relations": [[k, s, o, [list(r) for r in refs]]
                                                     for k, s, o, refs in self.relations]}

    @classmethod
    def from_json(cls, data: dict) -> "Contribution":
        return cls(data["key"], data["path"], data["symbol"], data["paragraphs"], data["cited"], data["places"],
                   [tuple(e) for e in data["entities"]], data["actors"],
                   [(k, s, o, [tuple(r) for r in refs]) for k, s, o, refs in data["relations"]])

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
        self.sdg = load_sdg_registry()
        self.gazetteer = load_gazetteer()
        self.registry = load_registry()
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

        self.progress.start(Path(path).name, 5)
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

        graph_iri = self.iris.graph(key)
        graph = (graph_for or self.dataset.graph)(graph_iri)
        add_document(graph, document, key, mentions, self.iris)
        add_activities(graph, document, key, activities, self.iris)
        describe_unregistered(graph, unregistered.values(), document.language)
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
            "triples": triples,
            "warnings": [{"file": document.path.name, "line": w.line, "paragraph": w.paragraph,
                          "message": w.message} for w in warnings],
        }
        return DocumentResult(
            key=key, iri=self.iris.document(key), graph_iri=graph_iri, file=document.path.name,
            sha256=document.sha256, entry=entry, warnings=warnings, unregistered=unregistered,
            contribution=self.contribution(document, key, mentions, activities), counts=counts,
            paragraphs=len(document.paragraphs), chars=sum(len(p.text) for p in document.paragraphs),
            triples=triples, timings=timings,
            document=document if keep else None, mentions=mentions if keep else None,
            activities=activities if keep else None)

    def contribution(self, document: Document, key: str, mentions: list[Mention],
                     activities: list[Activity]) -> Contribution:
        cited = {str(m.iri) for m in mentions if m.label in ("TARGET", "GOAL")}
        cited |= {str(self.sdg.goal_iri(s.goal)) for s in document.sections if s.goal is not None}
        places = {m.key for m in mentions if m.label in ("COUNTRY", "REGION")}
        entities = {(m.label, m.key) for m in mentions
                    if m.label in ("ORG", "PROGRAMME") and self.registry.get(m.label, m.key)}
        actors = sorted({actor for a in activities if a.by_actor for actor, _ in a.programmes})
        relations = [(r.kind, str(r.subject), str(r.object), list(r.activities))
                     for r in materialise({key: activities})]
        return Contribution(key, str(document.path), document.metadata.symbol,
                            [p.number for p in document.paragraphs], sorted(cited), sorted(places),
                            sorted(entities), actors, relations)


def merge_relations(contributions: Iterable[Contribution]) -> list[Relation]:
    """The programme relations over every document: the union of each one's support."""
    support: dict[tuple[str, str, str], set] = defaultdict(set)
    for contribution in contributions:
        for kind, subject, obj, refs in contribution.relations:
            support[(kind, subject, obj)].update(tuple(r) for r in refs)
    return [Relation(kind, URIRef(subject), URIRef(obj), tuple(sorted(refs)))
            for (kind, subject, obj), refs in sorted(support.items())]


def add_shared_graphs(builder: Builder, contributions: list[Contribution],
                      graph_for: Callable[[URIRef], object], relations: bool = True) -> dict[str, list[ReportWarning]]:
    """The graphs documents share: the SDG concepts, places and registry entries they
    mention, and (with ``relations``) the programme relations over all their activities and
    the links between the language editions of one document. Returns the warnings about
    editions that do not match, by document key."""
    iris, sdg, gazetteer, registry = builder.iris, builder.sdg, builder.gazetteer, builder.registry
    cited = {URIRef(iri) for c in contributions for iri in c.cited}
    add_sdg_concepts(graph_for(iris.vocabulary_graph(SDG_GRAPH)), sdg, cited)

    places = {key: gazetteer.place(key) for c in contributions for key in c.places}
    entities = {(label, key): registry.get(label, key) for c in contributions for label, key in c.entities}
    # The reporting organisation conducts the activities that name no programme.
    for actor in sorted({actor for c in contributions for actor in c.actors}):
        entities[("ORG", actor)] = registry.get("ORG", actor)
    # A mentioned organisation's parent and home country are described too, so
    # every IRI the registry graph points to is described somewhere.
    for entity in list(entities.values()):
        if entity.parent:
            entities[("ORG", entity.parent)] = registry.get("ORG", entity.parent)
    for entity in entities.values():
        if entity.country:
            places[entity.country] = gazetteer.places[entity.country]
    for place in list(places.values()):
        for code in [*place.regions, *place.groups]:
            places[code] = gazetteer.place(code)
    describe_places(graph_for(iris.vocabulary_graph(GEO_GRAPH)), places.values(), gazetteer)
    warnings: dict[str, list[ReportWarning]] = {}
    if relations:
        # Language editions of one document: paragraph n of each linked to paragraph n of the others.
        pairs, warnings = editions_of(contributions)
        add_editions(graph_for(iris.vocabulary_graph(EDITIONS_GRAPH)), pairs, iris)
        add_relations(graph_for(iris.vocabulary_graph(RELATIONS_GRAPH)), merge_relations(contributions), iris)
    describe_registered(graph_for(iris.vocabulary_graph(REGISTRY_GRAPH)), entities.values(), iris, gazetteer,
                        {e.id: e for (label, _), e in entities.items() if label == "ORG"})
    return warnings


def editions_of(contributions: list[Contribution]):
    """The pairs of language editions among ``contributions`` (kg.graph.editions.edition_pairs) and the
    warnings about editions that do not match, by document key."""
    pairs = edition_pairs([(c.key, c.edition()) for c in contributions])
    warnings: dict[str, list[ReportWarning]] = {}
    for c in contributions:
        found = edition_warnings(c.key, c.edition(), pairs)
        if found:
            warnings[c.key] = found
    return pairs, warnings


def add_edition_warnings(documents: list[DocumentResult], warnings: dict[str, list[ReportWarning]]) -> None:
    """Put the warnings about other editions with the documents (and their report.json entries)."""
    for d in documents:
        for warning in warnings.get(d.key, []):
            d.warnings.append(warning)
            d.entry = {**d.entry, "warnings": [*d.entry["warnings"], {
                "file": d.file, "line": warning.line, "paragraph": warning.paragraph, "message": warning.message}]}


def unregistered_csv(documents: list[DocumentResult]) -> bytes:
    """The organisations found by form that the registry lacks, for a curator to add."""
    import csv
    import io

    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["name", "iri", "document", "paragraphs"])
    for d in documents:
        for entry in sorted(d.unregistered.values(), key=lambda u: u.name):
            writer.writerow([entry.name, str(entry.iri), d.file, " ".join(map(str, sorted(entry.paragraphs)))])
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
        body["failed"] = [{"file": Path(f.path).name, "error": f.message} for f in failures]
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def not_conforming(validation) -> NotConforming:
    from kg.shacl.report import format_report

    first = format_report(validation, limit=1)
    return NotConforming(f"the built graph does not conform to the shapes ({len(validation.violations)} "
                         f"result(s); first: {first[2].strip() if len(first) > 2 else first[0]}); "
                         "nothing written (use --allow-invalid to write it anyway)")


OUTPUT_FILES = ("graph.nq", "graph.ttl", "report.json", "unregistered.csv")
# Up to this many documents (and one job) a build is made in memory unless told otherwise.
STORE_THRESHOLD = 10


def build(paths: list[Path], out_dir: Path, base_iri: str = DEFAULT_BASE_IRI,
          progress: Progress | None = None, validate: bool = True, allow_invalid: bool = False,
          format: str = "auto", exports: Sequence[str] = (), store: bool | None = None, jobs: int = 1,
          force: bool = False, max_bytes: int = DEFAULT_MAX_BYTES) -> BuildResult:
    """Build ``paths`` into ``out_dir``.

    Up to ``STORE_THRESHOLD`` documents with one job (or ``store=False``) are built in
    memory with rdflib and written as ``graph.nq``, ``graph.ttl``, ``report.json`` and
    ``unregistered.csv``; more, or ``jobs > 1`` (or ``store=True``), go through
    :func:`kg.corpus.build_corpus` into an on-disk store. A graph that does not conform to the shapes is not written unless
    ``allow_invalid`` (and is not checked at all without ``validate``). ``exports``
    names formats of :mod:`kg.exports` to write into ``out_dir`` too. A document
    that fails is left out and reported; if every document fails nothing is
    written and the first failure is raised. A report file larger than ``max_bytes``
    is refused.
    """
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise InputError("is a file, not an output directory (--out)", path=out_dir)
    inputs = collect_inputs(paths)  # a missing file fails before the registries are loaded
    if store is None:
        store = len(inputs) > STORE_THRESHOLD or jobs > 1
    if store:
        from kg.corpus import build_corpus

        return build_corpus(inputs, Path(out_dir), base_iri=base_iri, progress=progress, validate=validate,
                            allow_invalid=allow_invalid, jobs=jobs, force=force, format=format, exports=exports,
                            max_bytes=max_bytes)
    return build_in_memory(inputs, Path(out_dir), base_iri, progress, validate, allow_invalid, format, exports,
                           max_bytes)


def export_files(store, names: Sequence[str], out_dir: Path) -> list[tuple[Path, bytes]]:
    """The files of the ``kg.exports`` formats ``names``, made from ``store``."""
    if not names:
        return []
    from kg.exports import Exporter

    exporter = Exporter(store)
    return [item for name in dict.fromkeys(names) for item in exporter.files(name, None, out_dir)]


def build_in_memory(inputs: list[Path], out_dir: Path, base_iri: str = DEFAULT_BASE_IRI,
                    progress: Progress | None = None, validate: bool = True,
                    allow_invalid: bool = False, format: str = "auto", exports: Sequence[str] = (),
                    max_bytes: int = DEFAULT_MAX_BYTES) -> BuildResult:
    started = time.perf_counter()
    builder = Builder(base_iri, progress, format, max_bytes)
    dataset = Dataset()
    bind_prefixes(dataset)
    documents: list[DocumentResult] = []
    failures: list[Failure] = []
    timings: dict[str, float] = {}
    def check_key(key: str, path: Path) -> None:
        earlier = next((d for d in documents if d.key == key), None)
        if earlier is not None:
            raise InputError(f"same document as {earlier.document.path} ({key})", path=path)

    for path in inputs:
        try:
            result = builder.build_document(path, dataset.graph, timings=timings, check_key=check_key)
        except KgError as exc:
            failures.append(failure(path, exc))
            if len(failures) == 1:
                first_error = exc
            continue
        documents.append(result)
    if failures:  # a build in memory (a few reports) is all or nothing; a corpus build leaves failures out
        if len(failures) == 1:
            raise first_error  # as it was raised (its own type, for --debug)
        raise _first(failures)
    add_edition_warnings(documents, add_shared_graphs(builder, [d.contribution for d in documents], dataset.graph))

    clock = time.process_time()
    nquads = sorted_nquads(dataset)
    timings["serialisation"] = time.process_time() - clock
    import pyoxigraph as ox

    store = ox.Store()
    store.load(nquads, format=ox.RdfFormat.N_QUADS)
    validation = None
    if validate:
        from kg.shacl.shared import validate_store

        clock = time.process_time()
        validation = validate_store(store)
        timings["validation"] = time.process_time() - clock
        if not validation.conforms and not allow_invalid:
            raise not_conforming(validation)

    outputs = [out_dir / name for name in OUTPUT_FILES]
    clock = time.process_time()
    exported = export_files(store, exports, out_dir)
    outputs += [path for path, _ in exported]
    # Everything is serialised and staged before anything is replaced, so a
    # failure or an interruption leaves the previous outputs untouched.
    with Staging(out_dir) as staging:
        staging.write("graph.nq", nquads)
        staging.write("graph.ttl", turtle(dataset))
        statements = sum(len(graph) for graph in dataset.graphs())
        staging.write("report.json", report_json(documents, statements, outputs, base_iri, failures))
        staging.write("unregistered.csv", unregistered_csv(documents))
        for path, data in exported:
            staging.write(path.name, data)
        staging.commit(remove=("store",))
    timings["serialisation"] += time.process_time() - clock
    return BuildResult(dataset, documents, outputs, time.perf_counter() - started, validation, failures,
                       timings=timings)


class BuildFailed(KgError):
    """Every document failed: nothing was written. Carries each failure (one line each)."""

    def __init__(self, failures: list[Failure]):
        super().__init__(failures[0].message)
        self.failures = failures
        self.exit_code = failures[0].exit_code


def _first(failures: list[Failure]) -> KgError:
    return BuildFailed(failures)
