"""The spaCy side of kg: tokenizer, components and the pipeline assembled from a config."""
