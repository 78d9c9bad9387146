"""Assembling the spaCy pipeline of a language from its config in ``data/pipelines``."""

from __future__ import annotations

from functools import cache

import spacy
from spacy.language import Language

from kg.errors import DataError
from kg.language.lexicon import base_language
from kg.resources import data_file, shipped

# Registering the tokenizer and the component factories is a side effect of
# importing their modules; the config refers to them by name.
from kg.nlp import citations, entities, model_names, roles, sdg_concepts, tokenizer  # noqa: F401


def pipeline_name(language: str) -> str:
    """The config a BCP 47 tag is read with: ``data/pipelines/{tag}.cfg`` if there is one
    (``zh-Hant``), else its language's (``zh-Hans`` → ``zh``)."""
    return language if data_file("pipelines", f"{language}.cfg").is_file() else base_language(language)


def load_pipeline(language: str) -> Language:
    """The pipeline for ``language`` (a BCP 47 tag or a config name); built once per process."""
    return _load_pipeline(pipeline_name(language))


@cache
def _load_pipeline(language: str) -> Language:
    path = data_file("pipelines", f"{language}.cfg")
    if not path.is_file():
        raise DataError(f"no pipeline config for language {language!r}", path=path)
    try:
        config = spacy.util.load_config(path, overrides={"paths.data": str(shipped("data"))},
                                        interpolate=False)
        nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    except Exception as exc:  # spaCy reports config errors with several exception types
        raise DataError(f"cannot build the pipeline: {exc}".splitlines()[0], path=path) from None
    # kg bounds its input itself: the reader refuses a file over --max-size
    # (kg/reader/source.py), and a document's text is never longer than its file.
    # spaCy's own limit (a million characters) is sized for its parser and NER,
    # which these rule pipelines do not use; left in place, it would stop a
    # legitimate long report with a traceback.
    nlp.max_length = 2**31 - 1
    return nlp
