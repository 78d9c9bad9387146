"""Entity components: countries, regions, organisations and WIPO programmes.

Three small components, in pipeline order:

``kg_gazetteer``
    Phrase patterns built from the data files (places: ``data/gazetteers`` and
    the UN tables; organisations and programmes: ``data/registry``). Every match
    is kept, overlapping ones included, in ``doc.spans["gazetteer"]``.
``kg_name_forms``
    Organisations the registry does not know, recognised by their form: a name
    ending in an organisation head (组织, 大学, 局 …) before an acronym or short
    form in parentheses (``国际贸易中心（ITC）``), or after a place name
    (``卡塔尔工商部``); and every later use of an acronym or short form the text
    introduced. Results go to ``doc.spans["name_forms"]``.
``kg_entity_resolver``
    Decides between overlapping candidates: among organisations and programmes
    the longest name wins; a place name nested in an organisation's name is
    kept as a mention of its own (印度科技部生物技术局 names India). The final
    spans are ``doc.spans["entities"]``; the outermost ones also ``doc.ents``.

Each span has its label (``COUNTRY``, ``REGION``, ``ORG``, ``PROGRAMME``), the
key of its entity as ``id_`` (ISO alpha-3, M49 code, registry id, or
``new:`` + name for an organisation found by form), and how it was found as
``span._.kg_method``.

The pipeline runs one ``Doc`` per document (paragraphs joined by blank lines),
so an acronym introduced in paragraph 10 is known in paragraph 60.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kg.knowledge.gazetteer import load_gazetteer
from kg.knowledge.registry import NAMED_LABELS, load_registry
from kg.language.lexicon import Lexicon, load_lexicon
from kg.nlp.text import text_of

GAZETTEER = "gazetteer"
NAME_FORMS = "name_forms"
ENTITIES = "entities"
PLACE_LABELS = ("COUNTRY", "REGION")
# What a title (《…》) may be the name of.
TITLE_LABELS = ("WORK", "TREATY")
NEW = "new:"

if not Span.has_extension("kg_method"):
    Span.set_extension("kg_method", default=None)
if not Span.has_extension("kg_score"):
    Span.set_extension("kg_score", default=None)


def _span(doc: Doc, start: int, end: int, label: str, key: str, method: str,
          mode: str = "strict") -> Span | None:
    span = doc.char_span(start, end, label=label, alignment_mode=mode)
    if span is not None:
        span.id_ = key
        span._.kg_method = method
    return span


def _bracketed(text: str, pairs) -> list[tuple[int, int]]:
    """Character ranges enclosed by any of the bracket pairs (innermost pairs only)."""
    ranges = []
    for opening, closing in pairs:
        for match in re.finditer(re.escape(opening) + r"[^" + re.escape(opening + closing) + r"]*"
                                 + re.escape(closing), text):
            ranges.append((match.start(), match.end()))
    return ranges


def _inside(span: Span, ranges: list[tuple[int, int]]) -> bool:
    return any(start <= span.start_char and span.end_char <= end for start, end in ranges)


def _in_title(span: Span, titles: list[tuple[int, int]]) -> bool:
    """Whether a name is part of the title of a work (《…》) rather than a mention.

    A work or treaty whose name opens the title is the title's own name (《全球创新指数（GII）》,
    《全球专利申请中的性别差距：…》, 《马拉喀什条约》); any other name inside a title belongs to the
    title (《世界知识产权组织与世界贸易组织之间的协定》 names no organisation).
    """
    for opening, closing in titles:
        if opening < span.start_char and span.end_char < closing:
            return not (span.label_ in TITLE_LABELS and span.start_char == opening + 1)
    return False


class GazetteerMatcher:
    def __init__(self, nlp: Language, lexicon: Lexicon, names: str | None = None):
        self.lexicon = lexicon
        language = lexicon.language
        entries: dict[str, tuple[str, str]] = {}
        gazetteer = load_gazetteer()
        # ``names``: whose place names to match (``zh-Hant`` adds Taiwan's and Hong Kong's).
        for name, key in gazetteer.names(names or language).items():
            entries[name] = (gazetteer.places[key].kind, key)
        # A registry name equal to a place name is the organisation: the
        # registry was curated for exactly that form.
        entries.update(load_registry().names(language))

        # Short all-capital acronyms must match case-exactly ("ABC" is not "abc"), and
        # so must one-word names in mixed case ("MoST" is not the English "most",
        # "ePCT" not "EPCT"); everything else matches case-folded ("WIPO Green" = "WIPO GREEN").
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.keys: dict[str, tuple[str, str]] = {}
        names = sorted(entries)
        for name, pattern in zip(names, nlp.tokenizer.pipe(names)):
            label, key = entries[name]
            match_key = f"{label}|{key}"
            self.keys[match_key] = (label, key)
            acronym = name.isascii() and (
                (name.isupper() and len(name) <= 5)
                or (" " not in name and any(c.islower() for c in name) and any(c.isupper() for c in name[1:])))
            (self.exact if acronym else self.folded).add(match_key, [pattern])

        self.continuations = set(lexicon.place_word_continuations)
        self.generic = set(lexicon.generic_names)
        self.exclusions = PhraseMatcher(nlp.vocab, attr="LOWER")
        phrases = sorted(gazetteer.exclusions.get(language, ()))
        if phrases:
            self.exclusions.add("EXCLUDED", list(nlp.tokenizer.pipe(phrases)))

    def _joined_names(self, text: str) -> list[tuple[int, int]]:
        """Transliterated personal names: runs of letters joined by a middle dot (帕特里克·蒂普)."""
        if not self.lexicon.name_joiners:
            return []
        joiners = re.escape("".join(self.lexicon.name_joiners))
        return [m.span() for m in re.finditer(rf"\w+(?:[{joiners}]\w+)+", text)]

    def _not_the_place(self, span: Span, text: str, excluded, names) -> bool:
        following = text[span.end_char:span.end_char + 1]
        if following and following in self.lexicon.place_suffix_exclusions:
            return True
        if following and (span.text[-1], following) in self.continuations:
            return True
        return _inside(span, excluded) or _inside(span, names)

    def _generic_use(self, span: Span, text: str) -> bool:
        """A registered name that is also a generic term, used as the term (各国家知识产权局)."""
        if span.text not in self.generic:
            return False
        before = text[max(0, span.start_char - 4):span.start_char].rstrip()
        return any(before.endswith(word) for word in self.lexicon.generic_determiners)

    def __call__(self, doc: Doc) -> Doc:
        strings = doc.vocab.strings
        text = text_of(doc)
        excluded = [(doc[s].idx, doc[e - 1].idx + len(doc[e - 1])) for _, s, e in self.exclusions(doc)]
        titles = _bracketed(text, self.lexicon.title_brackets)
        names = self._joined_names(text)
        spans = []
        for match_id, start, end in [*self.exact(doc), *self.folded(doc)]:
            label, key = self.keys[strings[match_id]]
            span = Span(doc, start, end, label=label, span_id=key)
            if label in PLACE_LABELS and self._not_the_place(span, text, excluded, names):
                continue
            if _in_title(span, titles) or self._generic_use(span, text):
                continue
            span._.kg_method = "gazetteer"
            spans.append(span)
        doc.spans[GAZETTEER] = sorted(spans, key=lambda s: (s.start, -s.end, s.label_))
        return doc


class NameForms:
    """Organisations recognised by the form of their name, and later uses of what the text introduced."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self.registered = set(load_registry().names(lexicon.language))
        heads = sorted(lexicon.organisation_heads, key=len, reverse=True)
        self.head = re.compile("(?:" + "|".join(map(re.escape, heads)) + ")$")
        strong = [h for h in heads if h not in lexicon.weak_heads]
        self.strong_head = re.compile("(?:" + "|".join(map(re.escape, strong)) + ")")
        self.stop = sorted(lexicon.stop_words, key=len, reverse=True)
        # A Latin stop word cuts a name only as a whole word ("in" is not in "Training").
        self.latin_stop = re.compile("|".join(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])"
                                              for w in self.stop if w.isascii()) or "(?!)", re.IGNORECASE)
        self.stop = [w for w in self.stop if not w.isascii()]
        self.head_window = max((len(h) for h in heads), default=0) + 1
        self.not_heads = lexicon.not_heads
        self.generic = {n.lower() for n in lexicon.generic_names}
        self.min_middle = lexicon.min_place_led_middle
        self.max_length = lexicon.max_name_length
        self.acronym = re.compile(r"^[A-Z][A-Za-z0-9&/\-]*(?: [A-Z][A-Za-z0-9&/\-]*)*$")
        self.short_form = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
        self.definition = [re.compile(re.escape(a) + r"([^" + re.escape(a + b) + r"]{1,24})" + re.escape(b))
                           for a, b in lexicon.definition_brackets]

    def _ends_with_head(self, text: str, end: int) -> bool:
        tail = text[max(0, end - max(6, self.head_window)):end]
        return bool(self.head.search(tail)) and not any(tail.endswith(w) for w in self.not_heads)

    # -- where a name starts -------------------------------------------------

    def _left_edge(self, text: str, end: int, floor: int, places: list[Span]) -> int:
        """Start of the name ending at ``end``: after the last punctuation or stop word,
        or at a place name that opens it (埃及科学研究与技术学院 keeps its 与)."""
        start = max(floor, end - self.max_length)
        for i in range(end - 1, start - 1, -1):
            char = text[i]
            if not (char.isalnum() or char in "·・-‐ &'’."):
                start = i + 1
                break
        for place in places:
            if start <= place.start_char < end and place.end_char <= end:
                return place.start_char
        window = text[start:end]
        cut = max((window.rfind(word) + len(word) for word in self.stop if word in window), default=0)
        cut = max([cut] + [m.end() for m in self.latin_stop.finditer(window)])
        return start + cut

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        known = list(doc.spans.get(GAZETTEER, []))
        named = [s for s in known if s.label_ in NAMED_LABELS]
        places = [s for s in known if s.label_ in PLACE_LABELS]
        occupied = [(s.start_char, s.end_char) for s in named]
        found: list[Span] = []
        bindings: list[tuple[int, str, str, str]] = []  # (defined at, form, label, key)

        def free(start: int, end: int) -> bool:
            return not any(a < end and start < b for a, b in occupied)

        for pattern in self.definition:
            for match in pattern.finditer(text):
                inner = match.group(1).strip()
                if not (self.acronym.match(inner) or self.short_form.match(inner)):
                    continue
                name_end = match.start()
                before = [s for s in named if s.end_char == name_end]
                if before:  # a registered name introducing a form of its own
                    if inner not in self.registered:  # the gazetteer already finds registered forms
                        outer = max(before, key=len)
                        bindings.append((match.end(), inner, outer.label_, outer.id_))
                    continue
                if not self._ends_with_head(text, name_end):
                    continue
                start = self._left_edge(text, name_end, 0, places)
                name = text[start:name_end]
                if len(name) < 3 or name.lower() in self.generic or not free(start, name_end):
                    continue
                span = _span(doc, start, name_end, "ORG", NEW + name, "name-form")
                if span is not None:
                    found.append(span)
                    occupied.append((start, name_end))
                    bindings.append((match.end(), inner, "ORG", NEW + name))

        # Place-led names without a definition: 卡塔尔工商部, 日本专利局.
        for place in places:
            stop = place.end_char
            limit = min(len(text), place.start_char + self.max_length)
            while stop < limit and text[stop].isalnum() and not text[stop].isascii():
                if any(text.startswith(w, stop) for w in self.stop):
                    break
                stop += 1
            run = text[place.end_char:stop]
            heads = [h for h in self.strong_head.finditer(run)
                     if h.start() >= self.min_middle
                     and self._ends_with_head(text, place.end_char + h.end())]
            if not heads:
                continue
            end = place.end_char + heads[-1].end()
            if not free(place.start_char, end):
                continue
            name = text[place.start_char:end]
            span = _span(doc, place.start_char, end, "ORG", NEW + name, "name-form")
            if span is not None:
                found.append(span)
                occupied.append((place.start_char, end))

        # Later uses of the acronyms and short forms the text introduced.
        for defined_at, form, label, key in bindings:
            for match in re.finditer(re.escape(form), text[defined_at:]):
                start = defined_at + match.start()
                end = start + len(form)
                if not free(start, end):
                    continue
                span = _span(doc, start, end, label, key, "acronym-reuse")
                if span is not None:
                    found.append(span)
                    occupied.append((start, end))
        titles = _bracketed(text, self.lexicon.title_brackets)
        doc.spans[NAME_FORMS] = sorted((s for s in found if not _in_title(s, titles)),
                                       key=lambda s: (s.start, -s.end))
        return doc


def resolve(doc: Doc) -> Doc:
    candidates = [*doc.spans.get(GAZETTEER, []), *doc.spans.get(NAME_FORMS, [])]
    named = filter_spans([s for s in candidates if s.label_ in NAMED_LABELS])
    places = filter_spans([s for s in candidates if s.label_ in PLACE_LABELS])
    # A place whose whole extent is a name of its own (never in practice: the
    # registry wins such names) would otherwise be counted twice.
    extents = {(n.start, n.end) for n in named}
    spans = named + [p for p in places if (p.start, p.end) not in extents]
    spans.sort(key=lambda s: (s.start, -s.end))
    doc.spans[ENTITIES] = spans
    doc.ents = filter_spans(spans)
    return doc


@Language.factory("kg_gazetteer", default_config={"lexicon": "zh", "names": None})
def create_gazetteer(nlp: Language, name: str, lexicon: str, names: str | None):
    return GazetteerMatcher(nlp, load_lexicon(lexicon), names)


@Language.factory("kg_name_forms", default_config={"lexicon": "zh"})
def create_name_forms(nlp: Language, name: str, lexicon: str):
    return NameForms(load_lexicon(lexicon))


@Language.component("kg_entity_resolver")
def entity_resolver(doc: Doc) -> Doc:
    return resolve(doc)
