"""What kg knows about languages and their writing, before any document is read.

Each language's lexicon (``data/lexicon/{lang}.toml``: layout, headings, citation and
role vocabulary), Chinese scripts (Traditional and Simplified, and converting between
them offset for offset), character classes and line joining, numerals and dates in a
lexicon's forms. It sits just above kg's base (errors, resources, namespaces, RDF
reading): the reader, the registries, the pipeline and everything after them use it;
it uses nothing of theirs.
"""
