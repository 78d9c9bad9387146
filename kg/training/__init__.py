"""Training kg's statistical components from the texts the project annotated (``data/annotated``).

The top of the flow, beside the command line: it reads annotated texts and the embedded report
(reader), the registries (knowledge) and the tokenizer (nlp), and writes the models the pipeline
loads (``data/models``). ``kg train`` runs it; nothing here runs during a build.
"""
