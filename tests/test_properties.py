"""Property-based tests (hypothesis) of the reader, the target-list parser and linking.

* Whatever the bytes or the text, the reader either reads a document or refuses it
  with an :class:`InputError`; it never fails any other way.
* Whatever the text, the citation finder never fails, and every citation it returns
  is the code written at its offsets.
* After linking, every SDG target mention is one of the 169 real targets, and every
  offset points at the surface string it claims: in the paragraph's text and,
  through the offset map, in the source file.

Texts are drawn from the shapes of a PDF extraction (numbered paragraphs, wrapped
lines, page starts, list items, footnote marks and blocks, page-foot URLs,
headings, CRLF, form feeds) filled with Chinese and Latin words, and with the
citation keywords and separators of the lexicon, so that the interesting paths
are reached, not only the refusals.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.graph.extract import link_and_relate, run_pipelines
from kg.graph.iris import Iris
from kg.graph.linking import Linker
from kg.knowledge.gazetteer import load_gazetteer
from kg.knowledge.registry import load_registry
from kg.knowledge.sdg import load_sdg_registry, normalise_code
from kg.language.lexicon import load_lexicon
from kg.nlp.citations import CitationFinder
from kg.reader.model import Document
from kg.reader.select import read_document
from kg.reader.source import Source, source_from_bytes

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PATH = Path("generated.txt")
_CODE = re.compile(r"^\d{1,2}(?:\.(?:\d{1,2}|[a-zA-Z]))?$")

ZH, EN = load_lexicon("zh"), load_lexicon("en")
KEYWORDS = sorted({*ZH.goal_keywords, *ZH.target_keywords, *EN.goal_keywords, *EN.target_keywords})
SEPARATORS = sorted({*ZH.separators, *EN.separators})

# Words: Han characters (the report's own and any), Latin, digits, punctuation, spaces.
han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
words = st.one_of(
    st.text(han, min_size=1, max_size=6),
    st.sampled_from(["产权组织", "世界卫生组织", "智利", "WIPO GREEN", "PATENTSCOPE", "联合国", "可持续发展目标"]),
    st.text(st.characters(min_codepoint=0x41, max_codepoint=0x7A), min_size=1, max_size=8),
    st.text(st.sampled_from("0123456789.,/-"), min_size=1, max_size=6),
    st.sampled_from(["。", "，", "、", "；", "：", "（", "）", "《", "》", " ", ".", "(", ")"]),
)
codes = st.one_of(
    st.integers(0, 120).map(str),
    st.tuples(st.integers(0, 20), st.integers(0, 20)).map(lambda t: f"{t[0]}.{t[1]}"),
    st.tuples(st.integers(0, 20), st.sampled_from("abcdzAB")).map(lambda t: f"{t[0]}.{t[1]}"),
)
citation_list = st.tuples(st.sampled_from(KEYWORDS), st.lists(st.tuples(st.sampled_from(SEPARATORS + [" "]), codes),
                                                               min_size=1, max_size=5)).map(
    lambda t: t[0] + " " + "".join((sep if i else "") + code for i, (sep, code) in enumerate(t[1])))
phrase = st.lists(st.one_of(words, citation_list, st.sampled_from(KEYWORDS), codes), min_size=1, max_size=12).map("".join)
cited_phrase = st.tuples(phrase, citation_list, phrase).map("".join)  # one citation list at least


HEADER = ["CDIP/99/1 ", "", "原文：英文 ", "", "日期：2025 年 1 月 2 日 ", "", "关于产权组织对落实可持续发展目标所作贡献的报告 ", ""]


@st.composite
def report_text(draw, valid: bool = False) -> str:
    """A text laid out like a PDF extraction of a report, with its usual faults; with
    ``valid``, its paragraphs are numbered 1, 2, 3 … after a Chinese header (so that it
    is mostly read, not refused)."""
    lines = list(HEADER if valid else draw(st.sampled_from([HEADER, ["CDIP/99/1", ""], []])))
    number = 0
    kinds = ["paragraph", "paragraph", "paragraph", "wrap", "wrap", "page", "item", "bullet", "mark", "footnote",
             "url", "heading", "part", "blank", "space", "formfeed"] + ([] if valid else ["noise"])
    for step in range(draw(st.integers(1 if valid else 0, 8))):
        kind = "paragraph" if valid and step == 0 else draw(st.sampled_from(kinds))
        if kind == "paragraph":
            number = number + 1 if valid else draw(st.sampled_from([number + 1, number + 1, number + 1, number,
                                                                   number + 2]))
            lines += ["", f"{number}. {draw(cited_phrase if valid else phrase)}"]
        elif kind == "wrap":
            lines.append(draw(phrase))
        elif kind == "page":
            lines.append(" " + draw(phrase))
        elif kind == "item":
            lines += ["", "  " + draw(phrase)]
        elif kind == "bullet":
            lines += ["", draw(st.sampled_from(ZH.bullets)) + " " + draw(phrase)]
        elif kind == "mark":
            lines += [str(draw(st.integers(1, 12))), draw(phrase)]
        elif kind == "footnote":
            lines += [" ", str(draw(st.integers(1, 12))), "  " + draw(phrase)]
        elif kind == "url":
            lines.append(draw(st.sampled_from(["https://www.wipo.int/sdgs", "http://example.org/a?b=1"])))
        elif kind == "heading":
            lines += ["", f"可持续发展目标 {draw(st.integers(0, 20))}：{draw(phrase)}"]
        elif kind == "part":
            lines += ["", draw(st.sampled_from(["一", "二", "三", "十"])) + "、" + draw(phrase)]
        elif kind == "blank":
            lines.append("")
        elif kind == "space":
            lines.append(draw(st.sampled_from([" ", "\t", "   "])))
        elif kind == "formfeed":
            lines.append("\f" + draw(phrase))
        else:
            lines.append(draw(st.text(max_size=20)))
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return newline.join(lines) + draw(st.sampled_from(["", newline]))


def read(text: str, format: str = "report") -> Document | None:
    """The document (read as ``format``: a report, an article, or by its layout), or None when the
    reader refuses the text (with an InputError, nothing else)."""
    try:
        return read_document(Source(PATH, text, "0" * 64, "utf-8"), format)
    except InputError as error:
        assert str(error).startswith(str(PATH)), str(error)
        assert "\n" not in str(error)
        return None


def check_structure(document: Document) -> None:
    source = document.text
    assert [p.number for p in document.paragraphs] == list(range(1, len(document.paragraphs) + 1))
    for unit in [*document.paragraphs, *document.footnotes]:
        covered = set()
        for text_offset, source_offset, length in unit.offsets.runs:
            assert source[source_offset:source_offset + length] == unit.text[text_offset:text_offset + length]
            covered.update(range(text_offset, text_offset + length))
        assert {unit.text[i] for i in range(len(unit.text)) if i not in covered} <= {" ", "\n"}
        if unit.text:
            start, end = unit.source_span
            assert 0 <= start <= end <= len(source)
    for paragraph in document.paragraphs:
        previous = 0
        for item in paragraph.items:
            assert previous <= item.start <= item.end <= len(paragraph.text)
            previous = item.end
        for mark in paragraph.marks:
            assert 0 <= mark.offset <= len(paragraph.text)
    for warning in document.warnings:
        assert warning.line is None or 1 <= warning.line <= source.count("\n") + 1


@FAST
@given(st.binary(max_size=3000))
def test_any_bytes_are_read_or_refused(data):
    try:
        source = source_from_bytes(data, PATH)
    except InputError as error:
        assert str(error).startswith(str(PATH)) and "\n" not in str(error)
        return
    assert source.text.strip()
    document = read(source.text)
    if document is not None:
        check_structure(document)


@FAST
@given(st.text(max_size=3000), st.sampled_from(["report", "article", "auto"]))
def test_any_text_is_read_or_refused(text, format):
    document = read(text, format)
    if document is not None:
        check_structure(document)


@FAST
@given(report_text(), st.sampled_from(["report", "article", "auto"]))
def test_report_shaped_text_is_read_or_refused_and_maps_back(text, format):
    document = read(text, format)
    if document is not None:
        check_structure(document)


def check_citations(finder: CitationFinder, text: str) -> None:
    previous_end = 0
    for citation in finder.find(text):
        assert text[citation.start:citation.end] == citation.code
        assert _CODE.match(citation.code)
        assert citation.label == ("TARGET" if "." in citation.code else "GOAL")
        assert previous_end <= citation.start
        previous_end = citation.end


@FAST
@given(st.one_of(st.text(max_size=500), phrase), st.sampled_from([ZH, EN]))
def test_the_target_list_parser_never_fails_and_returns_what_is_written(text, lexicon):
    check_citations(CitationFinder(lexicon), text)


@pytest.fixture(scope="module")
def linker() -> Linker:
    return Linker(load_sdg_registry(), load_gazetteer(), load_registry(), Iris("http://example.org/kg/"))


@SLOW
@given(text=report_text(valid=True), format=st.sampled_from(["report", "auto"]))
def test_linked_targets_are_real_and_offsets_point_at_their_surface(linker, text, format):
    document = read(text, format)
    assume(document is not None)
    sdg = linker.sdg
    found = run_pipelines(document)  # what kg build runs: one pipeline per language of the paragraphs
    extraction = link_and_relate(document, found, linker, linker.registry)
    mentions, warnings = extraction.mentions, extraction.warnings
    event("linked a target" if any(m.label == "TARGET" for m in mentions) else "linked no target")
    real_targets = {concept.iri for concept in sdg.targets.values()}
    real_goals = {concept.iri for concept in sdg.goals.values()}
    cited = [s for group in found for s in group.doc.spans["sdg"]]
    for mention in mentions:
        paragraph = document.paragraph(mention.paragraph)
        # In the paragraph's text …
        assert paragraph.text[mention.start:mention.end] == mention.surface
        # … and in the source file: the first and last characters are where the map says,
        # and every character in between comes from the source (or is a joint the reader made).
        source_start, source_end = paragraph.offsets.span_to_source(mention.start, mention.end)
        assert document.text[source_start] == mention.surface[0]
        assert document.text[source_end - 1] == mention.surface[-1]
        for i, char in enumerate(mention.surface):
            mapped = paragraph.offsets.to_source(mention.start + i)
            assert document.text[mapped] == char or char in " \n"
        if mention.label == "TARGET":
            assert mention.iri in real_targets
            assert sdg.target(mention.key).iri == mention.iri
            assert mention.key == normalise_code(mention.surface)
        if mention.label == "GOAL":
            assert mention.iri in real_goals
    # A cited code that is not an SDG target or goal is a warning, never a mention.
    unknown = [s for s in cited if (sdg.target(s.id_) if s.label_ == "TARGET" else sdg.goal(s.id_)) is None]
    assert len([w for w in warnings if "does not exist" in w.message]) == len(unknown)
    assert len([m for m in mentions if m.label in ("TARGET", "GOAL")]) == len(cited) - len(unknown)


@FAST
@given(st.text(max_size=300) | st.text(st.sampled_from("AΣΑΒİIẞǅΩ ab.-"), max_size=40))
def test_the_roles_text_is_lowered_character_by_character(text):
    # The fast path (str.lower) must give what lowering each character alone gives, offsets kept,
    # including the Greek capital sigma (lowered by context) and characters whose lower case grows.
    from kg.nlp.roles import _lower_text

    expected = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    assert _lower_text(text) == expected
    assert len(_lower_text(text)) == len(text)


@FAST
@given(st.text(max_size=300))
def test_a_documents_text_is_read_once_and_is_its_text(text):
    from kg.nlp.text import text_of

    nlp = _blank()
    doc = nlp(text)
    assert text_of(doc) == doc.text
    assert doc._.kg_text is not None and text_of(doc) is text_of(doc)
    # A text carried over from another document is not taken for this one's.
    other = nlp(text + "x")
    other._.kg_text = doc._.kg_text
    assert text_of(other) == other.text


_BLANK = []


def _blank():
    if not _BLANK:
        import spacy

        _BLANK.append(spacy.blank("xx"))
    return _BLANK[0]
