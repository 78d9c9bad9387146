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

from kg.knowledge.gazetteer import load_gazetteer, name_openers
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
        # Another language's place names, matched only as printed with a capital ("Chad", not "chad").
        foreign = {name: (gazetteer.places[key].kind, key)
                   for other in lexicon.foreign_place_names for name, key in gazetteer.names(other).items()
                   if name[:1].isupper() and name not in entries}
        # A registry name equal to a place name is the organisation: the
        # registry was curated for exactly that form.
        entries.update(load_registry().names(language))

        # Short all-capital acronyms must match case-exactly ("ABC" is not "abc"), and
        # so must one-word names in mixed case ("MoST" is not the English "most",
        # "ePCT" not "EPCT"); everything else matches case-folded ("WIPO Green" = "WIPO GREEN").
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.keys: dict[str, tuple[str, str]] = {}
        names = sorted({**foreign, **entries})
        for name, pattern in zip(names, nlp.tokenizer.pipe(names)):
            label, key = entries[name] if name in entries else foreign[name]
            match_key = f"{label}|{key}"
            self.keys[match_key] = (label, key)
            acronym = name.isascii() and (
                (name.isupper() and len(name) <= 5)
                or (" " not in name and any(c.islower() for c in name) and any(c.isupper() for c in name[1:])))
            (self.exact if acronym or name in foreign else self.folded).add(match_key, [pattern])

        self.continuations = set(lexicon.place_word_continuations)
        self.generic = set(lexicon.generic_names)
        self.exclusions = PhraseMatcher(nlp.vocab, attr="LOWER")
        phrases = sorted(gazetteer.exclusions.get(language, ()))
        if phrases:
            self.exclusions.add("EXCLUDED", list(nlp.tokenizer.pipe(phrases)))
        self.openers = PhraseMatcher(nlp.vocab, attr="ORTH")
        openers = sorted(name_openers(language))
        if openers:
            self.openers.add("OPENER", list(nlp.tokenizer.pipe(openers)))
        self.name_exclusions = PhraseMatcher(nlp.vocab, attr="LOWER")
        phrases = sorted(load_registry().exclusions.get(language, ()))
        if phrases:
            self.name_exclusions.add("EXCLUDED", list(nlp.tokenizer.pipe(phrases)))

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

    def _modifier_use(self, span: Span, text: str) -> bool:
        """An organisation's name opening an agenda's or an event's (联合国2030年可持续发展议程)."""
        pattern = self.lexicon.name_as_modifier
        return span.label_ == "ORG" and pattern is not None and pattern.match(text, span.end_char) is not None

    def __call__(self, doc: Doc) -> Doc:
        strings = doc.vocab.strings
        text = text_of(doc)
        excluded = [(doc[s].idx, doc[e - 1].idx + len(doc[e - 1])) for _, s, e in self.exclusions(doc)]
        excluded_names = [(doc[s].idx, doc[e - 1].idx + len(doc[e - 1])) for _, s, e in self.name_exclusions(doc)]
        titles = _bracketed(text, self.lexicon.title_brackets)
        names = self._joined_names(text)
        spans, not_names = [], []
        for match_id, start, end in [*self.exact(doc), *self.folded(doc)]:
            label, key = self.keys[strings[match_id]]
            span = Span(doc, start, end, label=label, span_id=key)
            if label in PLACE_LABELS and self._not_the_place(span, text, excluded, names):
                continue
            if _in_title(span, titles):
                continue
            if label not in PLACE_LABELS and (self._generic_use(span, text) or self._modifier_use(span, text)
                                              or _inside(span, excluded_names)):
                not_names.append(span)  # a listed name used as no name: nobody may claim it (the model)
                continue
            span._.kg_method = "gazetteer"
            spans.append(span)
        doc.spans[GAZETTEER] = sorted(spans, key=lambda s: (s.start, -s.end, s.label_))
        doc.spans[NOT_NAMES] = not_names
        doc.spans[OPENERS] = filter_spans([Span(doc, s, e) for _, s, e in self.openers(doc)])
        return doc


def _leading_articles(words: list) -> int:
    return next((i for i, (_, _, w) in enumerate(words) if w not in ("The", "A", "An", "the")), len(words))


class NameForms:
    """Organisations recognised by the form of their name, and later uses of what the text introduced."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self.registered = set(load_registry().names(lexicon.language))
        heads = sorted(lexicon.organisation_heads, key=len, reverse=True)
        self.head = re.compile("(?:" + "|".join(map(re.escape, heads)) + ")$")
        strong = [h for h in heads if h not in lexicon.weak_heads]
        self.strong_head = re.compile("(?:" + "|".join(map(re.escape, strong)) + ")")
        self.any_head = re.compile("(?:" + "|".join(map(re.escape, heads)) + ")")
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
        self.capitalised = self._capitalised_pattern(lexicon)
        self.titles = lexicon.titles
        self.run_stop = [w for w in lexicon.run_stop_words if not w.isascii()]
        self.head_offsets: dict[str, list[tuple[str, int]]] = {}
        for head in lexicon.organisation_heads:
            for offset, char in enumerate(head):
                self.head_offsets.setdefault(char, []).append((head, offset))
        self.direct_heads = set(lexicon.direct_heads)
        self.heads = set(lexicon.organisation_heads)
        self.strong_heads = set(strong)
        self.suffixes = set(lexicon.company_suffixes)

    @staticmethod
    def _capitalised_pattern(lexicon: Lexicon) -> re.Pattern[str] | None:
        """A run of capitalised words with the lexicon's small words between them."""
        if not lexicon.capitalised_name_connectors:
            return None
        word = r"[A-Z][\w’'.&-]*"
        small = "|".join(re.escape(w) for w in lexicon.capitalised_name_connectors)
        return re.compile(rf"(?<![\w’'-]){word}(?:\s+(?:(?:{small})\s+)*{word})*")

    def _capitalised_names(self, text: str) -> list[tuple[int, int]]:
        """Capitalised names with an organisation's head or a company's legal form (see the lexicon)."""
        found: list[tuple[int, int]] = []
        if self.capitalised is None:
            return found
        for run in self.capitalised.finditer(text):
            words = [(m.start() + run.start(), m.end() + run.start(), m.group())
                     for m in re.finditer(r"\S+", run.group())]
            for part in self._coordinated(words):
                last = self._name_end(part)
                if last is None:
                    continue
                start, end = part[0][0], part[last][1]
                if text[end - 1] == "." and part[last][2] not in self.suffixes:
                    end -= 1  # a sentence's full stop, not an abbreviation's
                name = text[start:end]
                if name.lower() not in self.generic and not name.endswith(self.lexicon.event_heads):
                    found.append((start, end))
        return found

    def _name_end(self, words: list) -> int | None:
        """The index of a name's last word: its last head or legal form, or the end of "Head of …"."""
        while words and words[0][2] in ("The", "A", "An", "the"):
            words[:] = words[1:]
        if len(words) < 2:
            return None
        ends = [i for i, (_, _, w) in enumerate(words) if i > 0 and w.rstrip(",") in self.heads | self.suffixes]
        if ends and ends[-1] < len(words) - 2 and words[ends[-1]][2].rstrip(",") in self.heads \
                and words[ends[-1] + 1][2] in ("of", "for"):
            last = len(words) - 1  # "International Council for Science", "Institute of Technology"
        elif ends:
            last = ends[-1]
        elif words[0][2] in self.strong_heads and words[1][2] == "of" and len(words) > 2:
            last = len(words) - 1
        else:
            return None
        while last > 0 and words[last][2] in self.lexicon.capitalised_name_connectors:
            last -= 1
        return last if last >= 1 else None

    def _coordinated(self, words: list) -> list[list]:
        """A run split where "and" joins two names that stand on their own ("the University of Nairobi and
        Acme Solar Ltd"), and kept whole where it joins parts of one ("Research and Development Institute")."""
        for k in range(len(words) - 2, 0, -1):  # the last "and" first: "Department of Science and Technology
            if words[k][2] in ("and", "&"):      # and the National Research Foundation"
                left, right = list(words[:k]), list(words[k + 1:])
                if self._name_end(list(left)) == len(left) - 1 - _leading_articles(left) \
                        and self._name_end(list(right)) is not None:
                    return self._coordinated(left) + [right]
        return [list(words)]

    def _in_head(self, text: str, at: int) -> bool:
        """Whether the character at ``at`` is part of a head word (使 in 大使馆 is no stop word)."""
        return any(text.startswith(head, at - offset) for head, offset in self.head_offsets.get(text[at], ()))

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

        def free(start: int, end: int, opener: Span | None = None) -> bool:
            """Nothing found lies there (but the name's own opener, 财政部 in 财政部行政政法司)."""
            inside = (lambda a, b: opener.start_char <= a and b <= opener.end_char) if opener is not None \
                else (lambda a, b: False)
            return not any(a < end and start < b and not inside(a, b) for a, b in occupied)

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
                        # From the form in the brackets on: it names the same entity (国际贸易中心（ITC）).
                        bindings.append((match.start(1), inner, outer.label_, outer.id_))
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
                    bindings.append((match.start(1), inner, "ORG", NEW + name))

        # Place-led names without a definition: 卡塔尔工商部, 日本专利局, 北京市知识产权局, 中国政府; and a
        # registered organisation's named part: 财政部行政政法司, 中国科学院声学研究所.
        parents = [s for s in named if s.label_ == "ORG"] if self.lexicon.organisation_parts else []
        openers = sorted([*places, *doc.spans.get(OPENERS, []), *parents], key=lambda s: (s.start_char, -s.end_char))
        for place in openers:
            stop = place.end_char
            limit = min(len(text), place.start_char + self.max_length)
            while stop < limit and text[stop].isalnum() and not text[stop].isascii():
                if (any(text.startswith(w, stop) for w in self.run_stop) or any(text.startswith(t, stop) for t in self.titles)) \
                        and not self._in_head(text, stop):
                    break
                stop += 1
            run = text[place.end_char:stop]
            is_parent = place.label_ == "ORG"
            heads = [h for h in self.strong_head.finditer(run)
                     if (h.start() >= self.min_middle or (h.start() == 0 and h.group() in self.direct_heads)
                         or (is_parent and len(h.group()) >= 2))  # 国家知识产权局办公室
                     and self._ends_with_head(text, place.end_char + h.end())]
            # A weak head (中心, 网络) makes a name after a long enough middle: 中国国际经济技术交流中心.
            heads += [h for h in self.any_head.finditer(run) if h.start() >= 2 * self.min_middle + 2
                      and h.group() != "会" and self._ends_with_head(text, place.end_char + h.end())]
            if not heads:
                continue
            end = place.end_char + max(h.end() for h in heads)
            if not free(place.start_char, end, place) or text[place.start_char:end].endswith(self.lexicon.event_heads):
                continue
            name = text[place.start_char:end]
            span = _span(doc, place.start_char, end, "ORG", NEW + name, "name-form")
            if span is not None:
                found.append(span)
                occupied.append((place.start_char, end))

        # Capitalised names (a Latin script's): "Kenya Industrial Research and Development Institute".
        for start, end in self._capitalised_names(text):
            if not free(start, end):
                continue
            name = text[start:end]
            span = _span(doc, start, end, "ORG", NEW + name, "name-form", mode="contract")
            if span is not None and span.text == name:
                found.append(span)
                occupied.append((start, end))

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


MODEL = "model"  # the span group kg_model_names fills (kg/nlp/model_names.py)
OPENERS = "openers"  # names that may open an organisation's name without being mentions (北京市)
NOT_NAMES = "not_names"  # listed names the text uses as no name (各国家知识产权局, 联合国2030年可持续发展议程)


def plausible_name(text: str, label: str, type_heads: dict[str, tuple[str, ...]],
                   lexicon: Lexicon | None = None) -> bool:
    """Whether a name the model proposes has the shape of a name of its type: written in Latin letters, a
    capitalised word or a digit in it, and ending the way the language's names of that type end where
    the lexicon says how (气候智, cut from 气候智能农业, ends no organisation's way)."""
    text = text.strip()
    if lexicon is not None:
        if text.lower() in {n.lower() for n in lexicon.generic_names}:
            return False  # a kind of body (知识产权局, 国际组织), not a name of one
        if any(text.startswith(word) for word in (*lexicon.stop_words, *lexicon.generic_determiners)
               if not word.isascii()):
            return False  # a name does not open with 与, 和, 的, 各 ... (与该网络)
    latin = any(c.isascii() and c.isalpha() for c in text)
    if latin and not any(c.isupper() or c.isdigit() for c in text):
        return False  # lower-case words are no name
    words = text.split()
    if lexicon is not None and len(words) > 1 and (
            words[0] in lexicon.capitalised_name_connectors or words[-1] in lexicon.capitalised_name_connectors):
        return False  # cut off mid-name (Intellectual Property Department of the)
    heads = type_heads.get(label)
    if not heads:
        return True
    if latin and all(c.isascii() or not c.isalpha() for c in text) and label != "TREATY":
        return True  # a Latin name or acronym in Chinese text: WIPO GREEN, CATL
    head = next((h for h in sorted(heads, key=len, reverse=True) if text.endswith(h)), None)
    # A one-character head needs a name before it of at least two characters (项部, 联合网 are no names).
    return head is not None and (len(head) > 1 or len(text) >= 4)


def cut_from_phrase(text: str, start: int, end: int, lexicon: Lexicon) -> bool:
    """Whether ``text[start:end]`` is a piece cut from a longer phrase rather than a name: a bracket or
    quotation mark opened or closed in it alone (商标法》文本), or an edge inside a word of the
    lexicon's word list (大|型国际公司: 大型 is a word, 型国 none; 知识产权跨国司|法)."""
    name = text[start:end]
    for opening, closing in (*lexicon.title_brackets, *lexicon.definition_brackets):
        if opening != closing and name.count(opening) != name.count(closing):
            return True
    words = lexicon.words
    if not words or len(name) < 2:
        return False
    if start > 0 and text[start - 1] + name[0] in words and name[:2] not in words:
        return True
    return end < len(text) and name[-1] + text[end] in words and name[-2:] not in words


def _with_model(doc: Doc, named: list[Span], places: list[Span], registered: dict[str, tuple[str, str]],
                event_heads: tuple[str, ...] = (), type_heads: dict[str, tuple[str, ...]] | None = None,
                lexicon: Lexicon | None = None) -> list[Span]:
    """The model's names added to the registry's and the rules': where they overlap a name already
    found, the list or the rule wins (they were curated, the model guessed); a place may lie inside
    a model name (中国 in 中国科学院); a model name that is a registered name the list missed (its
    boundaries split a token, say) links to the registry entry."""
    text = doc.text
    place_extents = {(p.start, p.end) for p in places}
    # Per token, whether a name holds it and which place covers it (places do not overlap: filter_spans),
    # so that each proposal is checked in the time of its own length, not of the document's names.
    taken = bytearray(len(doc))
    for s in [*named, *doc.spans.get(NOT_NAMES, [])]:
        taken[s.start:s.end] = b"\x01" * (s.end - s.start)
    place_at: list[tuple[int, int] | None] = [None] * len(doc)
    for a, b in place_extents:
        place_at[a:b] = [(a, b)] * (b - a)
    added = []
    group = doc.spans.get(MODEL, [])
    scores = group.attrs.get("scores", []) if group else []
    for span, score in sorted(zip(group, scores), key=lambda pair: (-pair[1], pair[0].start)):
        if (span.start, span.end) in place_extents:
            continue  # a country name alone is the country
        if any(taken[span.start:span.end]):
            continue
        if any(extent is not None and not (span.start <= extent[0] and extent[1] <= span.end)
               for extent in place_at[span.start:span.end]):
            continue  # cuts through a place name
        entry = registered.get(span.text.casefold())
        if entry is None and (span.text.rstrip().endswith(event_heads)
                              or not plausible_name(span.text, span.label_, type_heads or {}, lexicon)
                              or (lexicon is not None and cut_from_phrase(text, span.start_char, span.end_char, lexicon))):
            continue  # the name of an agenda or an event, no name's shape, or a piece of a longer phrase
        if entry is not None:
            span = Span(doc, span.start, span.end, label=entry[0], span_id=entry[1])
        span._.kg_method, span._.kg_score = MODEL, score
        added.append(span)
        taken[span.start:span.end] = b"\x01" * (span.end - span.start)
    return added


def resolve(doc: Doc, registered: dict[str, tuple[str, str]] | None = None, event_heads: tuple[str, ...] = (),
            type_heads: dict[str, tuple[str, ...]] | None = None, lexicon: Lexicon | None = None) -> Doc:
    candidates = [*doc.spans.get(GAZETTEER, []), *doc.spans.get(NAME_FORMS, [])]
    named = filter_spans([s for s in candidates if s.label_ in NAMED_LABELS])
    places = filter_spans([s for s in candidates if s.label_ in PLACE_LABELS])
    named += _with_model(doc, named, places, registered or {}, event_heads, type_heads, lexicon)
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


class Resolver:
    def __init__(self, lexicon: Lexicon):
        # Registered names the model may find on its own, by their case-folded form.
        self.registered = {name.casefold(): entry for name, entry in load_registry().names(lexicon.language).items()}
        self.event_heads = lexicon.event_heads
        self.type_heads = lexicon.type_heads
        self.lexicon = lexicon

    def __call__(self, doc: Doc) -> Doc:
        return resolve(doc, self.registered, self.event_heads, self.type_heads, self.lexicon)


@Language.factory("kg_entity_resolver", default_config={"lexicon": None})
def create_entity_resolver(nlp: Language, name: str, lexicon: str | None):
    return Resolver(load_lexicon(lexicon or nlp.lang))
