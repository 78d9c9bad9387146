"""The hand-annotated texts of ``data/annotated``: parse, check and list them.

    python -m kg.training.annotated check [FILE_OR_DIR ...]   # every file parses; prints counts
    python -m kg.training.annotated stats                      # documents, entities by language and split

A file is a header, a line ``---`` and a body whose names are marked ``[[surface|TYPE]]``
(marks nest). Parsing strips the marks and gives the plain text with each mark's offsets
into it; the plain text is what kg reads. See data/annotated/README.md.
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from kg.resources import shipped


def annotated_dir() -> Path:
    """``data/annotated`` (or that of ``KG_DATA``)."""
    return shipped("data") / "annotated"
TYPES = ("ORG", "PROGRAMME", "WORK", "TREATY", "COUNTRY", "REGION")
LANGS = ("zh-Hans", "zh-Hant", "en")
REQUIRED = ("url", "source", "publisher", "lang", "kind", "title", "goals")
KINDS = ("press-release", "news", "web-page", "explainer", "speech", "report-excerpt", "magazine")
_TARGET = re.compile(r"^(\d{1,2})\.(\d{1,2}|[a-z])$")
_CLOSE = re.compile(r"\|([A-Z]+)\]\]")


class AnnotationError(ValueError):
    pass


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str
    text: str


@dataclass
class AnnotatedDoc:
    path: Path
    header: dict[str, str]
    text: str
    spans: list[Span]
    goals: tuple[int, ...] = ()
    targets: tuple[str, ...] = ()
    cited: tuple[str, ...] = ()
    split: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.path.parent.name}/{self.path.stem}"

    @property
    def lang(self) -> str:
        return self.header["lang"]

    @property
    def source(self) -> str:
        return self.header["source"]


def parse_body(body: str, where: str = "") -> tuple[str, list[Span]]:
    """The body without its marks, and the marks as spans of that text."""
    out: list[str] = []
    length = 0
    stack: list[int] = []
    spans: list[Span] = []
    i = 0
    line = 1
    while i < len(body):
        if body.startswith("[[", i):
            stack.append(length)
            i += 2
            continue
        if body[i] == "|" and stack:
            match = _CLOSE.match(body, i)
            if match:
                label = match.group(1)
                if label not in TYPES:
                    raise AnnotationError(f"{where}:{line}: unknown type {label!r}")
                start = stack.pop()
                surface = "".join(out)[start:]
                if not surface.strip():
                    raise AnnotationError(f"{where}:{line}: empty mark")
                if surface != surface.strip():
                    raise AnnotationError(f"{where}:{line}: mark {surface!r} starts or ends with a space")
                spans.append(Span(start, length, label, surface))
                i = match.end()
                continue
        if body.startswith("]]", i):
            raise AnnotationError(f"{where}:{line}: ']]' without '|TYPE'")
        if body[i] == "\n":
            line += 1
        out.append(body[i])
        length += 1
        i += 1
    if stack:
        raise AnnotationError(f"{where}: {len(stack)} mark(s) opened with '[[' and never closed")
    text = "".join(out)
    spans.sort(key=lambda s: (s.start, -s.end, s.label))
    return text, spans


def _codes(value: str, where: str, what: str) -> list[str]:
    items = [v.strip() for v in re.split(r"[,，、\s]+", value) if v.strip()]
    for item in items:
        if what == "goal" and not (item.isdigit() and 1 <= int(item) <= 17):
            raise AnnotationError(f"{where}: {item!r} is not an SDG goal (1-17)")
        if what == "target":
            match = _TARGET.match(item)
            if not match or not 1 <= int(match.group(1)) <= 17:
                raise AnnotationError(f"{where}: {item!r} is not an SDG target (like 4.5 or 7.a)")
        if what == "cited" and not (item.isdigit() or _TARGET.match(item)):
            raise AnnotationError(f"{where}: {item!r} is neither a goal nor a target number")
    return items


def load(path: Path) -> AnnotatedDoc:
    raw = path.read_text(encoding="utf-8")
    where = str(path)
    if "\r" in raw:
        raise AnnotationError(f"{where}: carriage return in the file (use LF line ends)")
    head, sep, body = raw.partition("\n---\n")
    if not sep:
        raise AnnotationError(f"{where}: no '---' line between header and text")
    header: dict[str, str] = {}
    for n, line in enumerate(head.splitlines(), 1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise AnnotationError(f"{where}:{n}: header line without 'name: value'")
        header[name.strip()] = value.strip()
    for name in REQUIRED:
        if name not in header:
            raise AnnotationError(f"{where}: header lacks {name!r}")
    if header["lang"] not in LANGS:
        raise AnnotationError(f"{where}: lang {header['lang']!r} is not one of {', '.join(LANGS)}")
    if header["kind"] not in KINDS:
        raise AnnotationError(f"{where}: kind {header['kind']!r} is not one of {', '.join(KINDS)}")
    if header["source"] != path.parent.name:
        raise AnnotationError(f"{where}: source {header['source']!r} is not the folder's name {path.parent.name!r}")
    if not header["url"].startswith(("http://", "https://")):
        raise AnnotationError(f"{where}: url is not an http(s) address")
    text, spans = parse_body(body, where)
    if unicodedata.normalize("NFC", text) != text:
        raise AnnotationError(f"{where}: text is not in Unicode NFC")
    doc = AnnotatedDoc(path, header, text, spans,
                       goals=tuple(int(g) for g in _codes(header.get("goals", ""), where, "goal")),
                       targets=tuple(_codes(header.get("targets", ""), where, "target")),
                       cited=tuple(_codes(header.get("cited", ""), where, "cited")))
    doc.split = split_of(doc.source)
    return doc


SPLIT_SALT = "kg-split-1:"


def split_of(source: str) -> str:
    """The split of every document of ``source``: a fixed function of the source's name.

    Whole sources go to one split, so the test documents come from sites that gave nothing to
    training or to the rules; the hash keeps the choice blind (nobody picks which site is
    tested) and stable as documents are added: about 25% test, 10% dev, 65% train.
    """
    bucket = int(hashlib.sha256((SPLIT_SALT + source).encode("utf-8")).hexdigest(), 16) % 100
    return "test" if bucket < 25 else "dev" if bucket < 35 else "train"


def documents(split: str | None = None, paths: list[Path] | None = None) -> list[AnnotatedDoc]:
    files: list[Path] = []
    for p in paths or [annotated_dir() / "docs"]:
        files.extend(sorted(p.rglob("*.txt")) if p.is_dir() else [p])
    docs = [load(f) for f in files]
    return [d for d in docs if split is None or d.split == split]


def _check(paths: list[Path]) -> int:
    failures = 0
    files: list[Path] = []
    for p in paths or [annotated_dir() / "docs"]:
        files.extend(sorted(p.rglob("*.txt")) if p.is_dir() else [p])
    for f in files:
        try:
            doc = load(f)
        except AnnotationError as error:
            print(f"error: {error}")
            failures += 1
            continue
        except UnicodeDecodeError:
            print(f"error: {f}: not UTF-8")
            failures += 1
            continue
        counts = {t: sum(1 for s in doc.spans if s.label == t) for t in TYPES}
        print(f"ok {doc.id} {doc.lang} {len(doc.text)} chars "
              + " ".join(f"{t}={n}" for t, n in counts.items() if n) + f" goals={','.join(map(str, doc.goals))}")
    print(f"{len(files) - failures} ok, {failures} failed")
    return 1 if failures else 0


def _stats() -> int:
    docs = documents()
    rows: dict[tuple[str, str], list[AnnotatedDoc]] = {}
    for d in docs:
        rows.setdefault((d.split or "-", d.lang), []).append(d)
    print(f"{'split':8}{'lang':9}{'docs':>6}{'chars':>9}{'sources':>8}" + "".join(f"{t:>10}" for t in TYPES))
    for (split, lang), group in sorted(rows.items()):
        print(f"{split:8}{lang:9}{len(group):6}{sum(len(d.text) for d in group):9}{len({d.source for d in group}):8}"
              + "".join(f"{sum(1 for d in group for s in d.spans if s.label == t):10}" for t in TYPES))
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "check":
        raise SystemExit(_check([Path(a) for a in sys.argv[2:]]))
    if command == "stats":
        raise SystemExit(_stats())
    raise SystemExit(f"usage: {sys.argv[0]} check [FILE_OR_DIR ...] | stats")
