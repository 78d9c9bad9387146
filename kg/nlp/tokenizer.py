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


class ScriptTokenizer:
    def __init__(self, vocab: Vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        for match in _TOKEN.finditer(text):
            token = match.group()
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
        return Doc(self.vocab, words=words, spaces=spaces)

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
