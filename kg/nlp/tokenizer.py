"""A tokenizer for mixed Han/Latin text: one token per Han character, one per Latin word.

Why not a word segmenter (jieba, pkuseg)? A gazetteer phrase only matches when
its first and last characters fall on token boundaries. A word segmenter puts
boundaries where *it* thinks words end, so "印度" inside "印度科技部生物技术局"
or "智利" glued to a product name can vanish into a longer "word" and never
match. With one token per Han character every character boundary is a token
boundary, so a phrase pattern (itself tokenised the same way) matches wherever
its characters occur. Latin runs stay whole words ("WIPO", "PAT-INFORMED",
"4.4") so an acronym such as "AF" cannot match inside "AFD", and "WIPO学院"
matches "WIPO 学院" because spaces are not tokens.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab

# A Latin/digit word, possibly joined by inner punctuation: "COVID-19", "ST.96",
# "17.16", "O'Brien", "R&D", "WO/GA/55/12"; any other non-space character alone.
_TOKEN = re.compile(
    r"\s+"
    r"|[0-9A-Za-z\u00C0-\u024F]+(?:[.\-'’&/+_][0-9A-Za-z\u00C0-\u024F]+)*"
    r"|\S"
)
# Where a Latin word breaks after all: before a possessive ("WIPO's", "Kenya’s") and at a hyphen
# after an acronym ("WIPO-ARIPO", "WIPO-administered", "NOTAP-led"), so the name stands alone;
# "COVID-19", "DL-101", "e-commerce" and "O'Brien" stay whole.
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_POSSESSIVE = re.compile(r"['’]s$")
_ACRONYM = re.compile(r"[A-Z][A-Z0-9]+")


class ScriptTokenizer:
    def __init__(self, vocab: Vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        for token in self._pieces(text):
            if token[0].isspace():
                # spaCy keeps one plain space as the previous token's trailing
                # whitespace and any other whitespace as a token of its own.
                if words and not spaces[-1] and not words[-1].isspace() and token[0] == " ":
                    spaces[-1] = True
                    token = token[1:]
                if not token:
                    continue
            words.append(token)
            spaces.append(False)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        # A Han character's norm is the character and the next one: the named-entity model (whose
        # features are a token's norm, prefix, suffix and shape) then sees character bigrams, which
        # is what tells 局长 from 局 and 大会 from 大学. Nothing else in kg reads norms.
        for token, following in zip(doc, [*doc[1:], None]):
            if len(token.text) == 1 and _HAN.match(token.text):
                token.norm_ = token.text + (following.text if following is not None and len(following.text) == 1
                                            and _HAN.match(following.text) else "")
        return doc

    @staticmethod
    def _pieces(text: str):
        for match in _TOKEN.finditer(text):
            token = match.group()
            if not (len(token) > 2 and token[0].isascii() and token[0].isalnum()):
                yield token
                continue
            possessive = _POSSESSIVE.search(token)
            word = token[:possessive.start()] if possessive else token
            parts = word.split("-")
            piece = parts[0]
            for part in parts[1:]:
                if _ACRONYM.fullmatch(piece.rsplit("-", 1)[-1]) and part[:1].isalpha():
                    yield piece
                    yield "-"
                    piece = part
                else:
                    piece += "-" + part
            yield piece
            if possessive:
                yield possessive.group()

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)

    # The pipeline is rebuilt from its config each run, never serialised, but
    # spaCy's API expects these to exist.
    def to_bytes(self, **kwargs) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs) -> "ScriptTokenizer":
        return self

    def to_disk(self, path, **kwargs) -> None:
        return None

    def from_disk(self, path, **kwargs) -> "ScriptTokenizer":
        return self


@registry.tokenizers("kg.ScriptTokenizer.v1")
def create_script_tokenizer():
    def make(nlp):
        return ScriptTokenizer(nlp.vocab)

    return make
